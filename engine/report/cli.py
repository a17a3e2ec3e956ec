"""``docflow report KIND``: the report subcommand (the lead's engine/cli.py calls ``add_parser``)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .build import KINDS, REPORT_FOLDER


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``report`` to an argparse subparsers object (``sub.add_parser``)."""
    kinds = "；".join(f"{k} {v}" for k, v in KINDS.items())
    s = sub.add_parser("report", help="生成报表（季度通报、半年分析、队伍分析、结构分析、统计、年度计划和总结）",
                       description=f"按案卷记录生成报表，写在 outbox/{REPORT_FOLDER}/<年份>年/ 中。报表种类：{kinds}。"
                                   "年度目标和统计分类在 docflow.toml 的 [plan.<年份>] 和 [statistics] 中设置。")
    s.add_argument("kind", choices=list(KINDS), metavar="种类", help="、".join(KINDS))
    s.add_argument("-w", "--workspace", default=".", metavar="目录",
                   help="工作区目录（默认当前目录；在工作区的子文件夹中运行也可以）")
    s.add_argument("--year", type=int, default=None, metavar="年份", help="统计年份（默认今年）")
    s.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], default=None, metavar="季度",
                   help="季度 1–4（quarterly；默认最近结束的季度）")
    s.add_argument("--half", type=int, choices=[1, 2], default=None, metavar="半年",
                   help="1 上半年、2 下半年（halfyear；默认最近结束的半年）")
    s.add_argument("--branch", default=None, metavar="党支部", help="只统计这个党支部（默认全委）")
    s.add_argument("--all", action="store_true", dest="across",
                   help="汇总共用同一 PostgreSQL 数据库的全部基层党委（组织部用；每人只计一次），写在 汇总/ 中")
    s.set_defaults(func=cmd_report)
    return s


def cmd_report(args: argparse.Namespace) -> int:
    from ..road import Engine
    from ..workspace import load_workspace
    from .build import report

    eng = Engine.open(load_workspace(Path(args.workspace)), clock=getattr(args, "clock", None))
    try:
        paths = report(eng, args.kind, args.year, args.quarter, args.half, args.branch,
                       across=getattr(args, "across", False))
        root = eng.ws.root
    finally:
        eng.store.close()
    print(f"已生成报表（{KINDS[args.kind].split('（')[0]}）：")
    for p in paths:
        print(f"  {p.relative_to(root) if p.is_relative_to(root) else p}")
    return 0
