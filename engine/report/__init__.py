"""Reports from the event log: 季度通报、半年分析、入党积极分子队伍年度分析、新党员结构、发展党员情况统计、
年度计划和总结.

    from engine.report import report
    paths = report(eng, "structure", 2026)        # written under outbox/报表/2026年/

Every figure comes from the cases' events, dated by what the forms say (engine.report.people); the year's targets
and the statistics' categories are settings of docflow.toml (engine.report.plan); ``docflow report`` is
engine.report.cli.
"""
from __future__ import annotations

from .build import KINDS, REPORT_FOLDER, make, report

__all__ = ["KINDS", "REPORT_FOLDER", "make", "report"]
