"""The user guide's steps table and rule list are written from the pack: a README that says something else
than the pack fails here (``python tools/pack_docs.py`` rewrites them)."""
from __future__ import annotations

import sys
from pathlib import Path

from engine.pack import load_pack
from engine.pack.guide import SECTIONS, rewrite, sections_in, steps_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from pack_docs import documents  # noqa: E402


def test_every_guide_has_both_sections_and_they_say_what_the_pack_says():
    docs = documents()
    assert docs[0][0].name == "README.md" and len(docs) >= 1
    for doc, pack_dir in docs:
        text = doc.read_text(encoding="utf-8")
        assert sections_in(text) == list(SECTIONS), doc
        assert rewrite(text, load_pack(pack_dir)) == text, f"{doc} is out of date: run python tools/pack_docs.py"


def test_a_changed_pack_makes_the_guide_stale(pack):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    renamed = pack.model_copy(update={"steps": (pack.steps[0].model_copy(update={"label": "递交入党申请书（改）"}),
                                                *pack.steps[1:])})
    assert rewrite(text, renamed) != text
    assert "| 申请入党 | 1 递交入党申请书（改） | 入党申请人名册 |" in steps_table(renamed)


def test_the_table_lists_what_each_step_issues_and_the_rules_their_severity_and_basis(pack):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| 2 党组织派人谈话 | 入党申请人谈话记录 | 03 确定入党积极分子情况表 |" in text
    assert "17 关于不同意接收预备党员的批复（视结果）" in text
    assert "应在收到入党申请书后一个月内派人谈话（只提醒，不退回）〔细则第六条〕" in text
    assert "公示期须满规定时长（不少于5个工作日）" in text
    assert "申请入党时年满18周岁〔党章第一条；细则第五条〕" in text
