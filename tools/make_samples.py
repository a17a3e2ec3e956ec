#!/usr/bin/env python3
"""Build the demo samples in samples/ — what a new user sees with ``docflow demo``.

``docflow demo`` copies every .xlsx/.docx of samples/ into the inbox of a workspace and processes them
in NAME ORDER in one pass, on a fresh database, with the real clock. So the samples are built here by
running the real engine, step by step, on a temporary workspace with FixedClock(2026-11-28): every
fillable form in samples/ is a form the engine really issued (with its identity custom properties),
filled in the way staff fill it (engine.testing: fill_xlsx / fill_docx). Case ids on a fresh database
are assigned 2026-0001, 2026-0002, … in roster row order, the same as here.

At the end the script processes samples/ in name order on a fresh workspace (FixedClock(2026-11-28)),
checks every file's outcome, then runs the real ``docflow demo`` on another fresh workspace (real
clock) and checks its summary line. Exit code 0 only if all checks pass.

Usage:  .venv/bin/python tools/make_samples.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from engine import Engine, Processed, Rejected, init_workspace, process_file, process_inbox
from engine.clock import FixedClock
from engine.procedure.state import fold
from engine.read.office import (
    PROP_CASE,
    PROP_FORM,
    PROP_SERIAL,
    PROP_SIGNATURE,
    custom_properties,
    with_custom_properties,
)
from engine.read.safety import open_package
from engine.testing import APPLICANT_HEADERS, fill_docx, fill_xlsx, id_number, write_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# the committee and the day of the demo (samples/demo.toml: `docflow demo` uses the same)
DEMO = tomllib.loads((SAMPLES / "demo.toml").read_text(encoding="utf-8"))
TODAY = DEMO["date"]
ORG = DEMO["organisation"]["name"]


def demo_workspace(root: Path):
    org = DEMO["organisation"]
    return init_workspace(root, org["name"], DEMO.get("settings"), branches=org["branches"], feedback=org["feedback"])
SUFFIXES = (".xlsx", ".docx")          # what ``docflow demo`` copies (README.md is not copied)

B1, B2 = "第一党支部", "第二党支部"

# ---------------------------------------------------------------- the people
# (姓名, 性别, 所在党支部, 党员类别, 备注)
MEMBERS = [
    ("王建国", "男", B1, "正式党员", "党支部书记"),
    ("张丽华", "女", B1, "正式党员", "组织委员"),
    ("李卫东", "男", B1, "正式党员", "宣传委员"),
    ("陈秀英", "女", B1, "正式党员", ""),
    ("刘志强", "男", B1, "正式党员", ""),
    ("赵敏", "女", B1, "正式党员", ""),
    ("孙海燕", "女", B1, "正式党员", ""),
    ("周文博", "男", B1, "正式党员", ""),
    ("吴欣怡", "女", B1, "预备党员", "2025年12月接收为预备党员"),
    ("郑浩然", "男", B1, "预备党员", "2026年6月接收为预备党员"),
    ("黄振华", "男", B2, "正式党员", "党支部书记"),
    ("林雪梅", "女", B2, "正式党员", "组织委员"),
]


def _person(no: int, name: str, gender: str, birth: date, seq: int, region: str, education: str, unit: str,
            post: str, phone: str, branch: str, applied: object, id_override: str = "") -> dict:
    # the 17th digit of an ID number is odd for men, even for women
    assert (seq % 2 == 1) == (gender == "男"), name
    return {"序号": no, "姓名": name, "性别": gender, "民族": "汉族", "出生日期": birth,
            "公民身份号码": id_override or id_number(birth, seq, region), "学历": education, "工作单位": unit,
            "职务/岗位": post, "是否一线": "是", "联系电话": phone, "所在党支部": branch, "申请入党日期": applied}


def _wrong_check_digit(birth: date, seq: int, region: str) -> str:
    good = id_number(birth, seq, region)
    return good[:17] + ("1" if good[17] != "1" else "2")


APPLICANTS = [  # row order = case id order (the bad row gets no case)
    _person(1, "张晓明", "男", date(1994, 6, 12), 31, "430121", "大学本科", "XX学区中心小学", "语文教师",
            "13907312468", B1, date(2026, 1, 8)),
    _person(2, "李娜", "女", date(1997, 9, 23), 46, "430105", "硕士", "XX学区中心小学", "数学教师",
            "13787105532", B1, date(2026, 2, 16)),
    _person(3, "王磊", "男", date(1991, 3, 5), 17, "430124", "本科", "XX学区实验中学", "教务干事",
            "15173126609", B1, "2026.3.2"),
    _person(4, "刘洋", "男", date(1996, 12, 1), 53, "430121", "大学本科", "XX学区实验中学", "体育教师",
            "18673140917", B1, date(2026, 3, 9), id_override=_wrong_check_digit(date(1996, 12, 1), 53, "430121")),
    _person(5, "赵雨桐", "女", date(2000, 4, 18), 28, "430111", "大专", "XX学区中心幼儿园", "幼儿教师",
            "13548712230", B1, "2026年3月18日"),
    _person(6, "陈静", "女", date(1998, 7, 30), 64, "430104", "大学本科", "XX学区第二小学", "英语教师",
            "13974856021", B2, date(2026, 1, 20)),
]

TALK_TEXT = {
    "张晓明": "一、了解入党动机：该同志表示，参加工作以来受到身边党员教师的影响，希望在组织的培养下更好地为学生服务。\n"
              "二、介绍党的基本知识：向其介绍了党的性质、宗旨和党员的条件。\n"
              "三、提出要求：端正入党动机，认真学习党章，定期向党组织汇报思想。",
    "李娜": "一、了解入党动机和对党的认识。\n二、介绍发展党员的基本程序。\n"
            "三、说明：因学期初工作安排，谈话较收到申请书时间有所延后，已向本人说明。",
    "王磊": "一、了解其对党的认识和入党动机。\n二、介绍党的基本知识和入党条件。\n三、希望其在教务工作中发挥表率作用。",
    "赵雨桐": "一、了解入党动机。\n二、介绍党的基本知识。\n三、提出努力方向。",
    "陈静": "一、了解入党动机：该同志在大学期间曾递交过入党申请书，参加工作后再次申请。\n"
            "二、介绍党的基本知识和发展党员程序。\n三、提出要求：加强理论学习，发挥青年教师骨干作用。",
}

OPINION = {
    "张晓明": "该同志入党动机端正，能按时参加支部组织的学习，按季度提交思想汇报；教育教学工作认真负责，"
              "所带班级成绩稳步提升；团结同事，群众基础较好。\n不足：理论学习的深度有待加强。\n支部意见：考察合格，继续培养。",
    "陈静": "该同志积极参加支部活动，主动承担学区英语教研工作；思想汇报内容充实。\n"
            "不足：对党的基本理论理解还不够深入。\n支部意见：考察合格，继续培养。",
}


# ---------------------------------------------------------------- the samples
@dataclass
class Sample:
    name: str                                  # file name in samples/ (sorts in processing order)
    build: Callable[[Engine, Path], None]      # writes the file (using the engine's outbox)
    outcome: str                               # processed | rejected
    what: str                                  # for README.md and the summary (Chinese)
    shows: str                                 # what the demo shows with it (Chinese)
    codes: tuple[str, ...] = ()                # expected refusal codes / row-problem codes / warning codes
    documents: tuple[str, ...] = ()            # expected documents (file names) rendered
    cases: int | None = None                   # expected number of cases touched


def issued(eng: Engine, person: str, prefix: str) -> Path:
    """The form the engine issued for a person (outbox/<branch>/<case>-<name>/<prefix>…)."""
    found = sorted(eng.ws.outbox.glob(f"*/*-{person}/{prefix}*"))
    if len(found) != 1:
        raise SystemExit(f"make_samples: expected one issued form {prefix}* for {person}, found {found}")
    return found[0]


def dress(path: Path, widths: dict[str, float]) -> None:
    """Make a roster written by write_roster look like one staff made: a merged bold title, a bold header
    row, column widths, dates shown as dates. Values (and text ID numbers) are left as they are."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    last = get_column_letter(ws.max_column)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 26
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)


def build_members(eng: Engine, dst: Path) -> None:
    headers = ["序号", "姓名", "性别", "所在党支部", "党员类别", "是否留党察看", "备注"]
    rows = [{"序号": i, "姓名": n, "性别": g, "所在党支部": b, "党员类别": s, "是否留党察看": "否", "备注": note}
            for i, (n, g, b, s, note) in enumerate(MEMBERS, 1)]
    write_roster(dst, rows, headers, title=f"{ORG}党员名册（2026年11月）", sheet="党员名册")
    dress(dst, {"A": 6, "B": 10, "C": 6, "D": 13, "E": 11, "F": 13, "G": 26})


def build_applicants(eng: Engine, dst: Path) -> None:
    write_roster(dst, APPLICANTS, ["序号"] + APPLICANT_HEADERS, title=f"{ORG}2026年第一季度入党申请人名册",
                 sheet="入党申请人")
    dress(dst, {"A": 6, "B": 9, "C": 6, "D": 7, "E": 12, "F": 21, "G": 10, "H": 18, "I": 11, "J": 9, "K": 13,
                "L": 12, "M": 16})


def talk(person: str, when: str, talker: str, post: str) -> Callable[[Engine, Path], None]:
    def build(eng: Engine, dst: Path) -> None:
        fill_docx(issued(eng, person, "02-"), dst,
                  {"talk_date": when, "talker": talker, "talker_post": post, "summary": TALK_TEXT[person]})
    return build


def activist(person: str, decided: date, method: str, filed: object, c1: str,
             c2: str = "") -> Callable[[Engine, Path], None]:
    def build(eng: Engine, dst: Path) -> None:
        values = {"decision_date": decided, "method": method, "filing_date": filed, "contact_1": c1}
        if c2:
            values["contact_2"] = c2
        fill_xlsx(issued(eng, person, "03-"), dst, values)
    return build


def assessment(person: str, when: date, assessor: str, result: str = "合格") -> Callable[[Engine, Path], None]:
    def build(eng: Engine, dst: Path) -> None:
        fill_xlsx(issued(eng, person, "06-"), dst,
                  {"assess_date": when, "assessor": assessor, "opinion": OPINION[person], "result": result})
    return build


def evaluation(person: str, when: date, members: int, masses: int, agree: int, disagree: int,
               abstain: int) -> Callable[[Engine, Path], None]:
    def build(eng: Engine, dst: Path) -> None:
        returned = agree + disagree + abstain
        fill_xlsx(issued(eng, person, "07-民主测评"), dst,
                  {"eval_date": when, "members_count": members, "masses_count": masses,
                   "ballots_issued": members + masses, "ballots_returned": returned, "agree": agree,
                   "disagree": disagree, "abstain": abstain,
                   "result": "通过" if agree * 3 >= returned * 2 else "未通过"})
    return build


# Stages: the files of one stage can be built once the files of the earlier stages were processed.
STAGES: list[list[Sample]] = [
    [
        Sample("01-党员名册.xlsx", build_members, "processed",
               "党员名册：第一党支部10人（8名正式党员、2名预备党员），第二党支部2人",
               "导入党员名册；后面核对培养联系人是否为本支部正式党员时要用到", cases=0),
        Sample("02-入党申请人名册.xlsx", build_applicants, "processed",
               "入党申请人名册（第1行是标题，第2行是表头）：6名申请人，其中刘洋（表格第6行）的身份证号码校验位错误",
               "5人登记成案卷（2026-0001至2026-0005），为每人生成基本情况登记表和谈话记录表；"
               "刘洋一行未导入，回执写明第6行哪一栏错了、怎么改（退回文件夹中另有一份把该格标红的名册副本）",
               codes=("id_number_invalid",), cases=5,
               documents=("00-发展党员全程纪实表.docx", "01-入党申请人基本情况登记表.docx",
                          "02-入党申请人谈话记录.docx", "90-组织关系转出情况表(需要时填写).xlsx",
                          "91-终止发展情况表(需要时填写).xlsx")),
    ],
    [
        Sample("03-谈话记录-张晓明.docx", talk("张晓明", "2026-01-22", "王建国", "党支部书记"), "processed",
               "张晓明的谈话记录（申请后两周内谈话）", "记录谈话，生成确定入党积极分子情况表",
               cases=1, documents=("03-确定入党积极分子情况表.xlsx",)),
        Sample("04-谈话记录-李娜.docx", talk("李娜", "2026-03-30", "张丽华", "党支部组织委员"), "processed",
               "李娜的谈话记录：2月16日申请，3月30日才谈话，超过一个月",
               "照常处理，回执中附“应在收到入党申请书后一个月内派人谈话”的提醒（提醒不是退回）",
               codes=("interval_too_long",), cases=1, documents=("03-确定入党积极分子情况表.xlsx",)),
        Sample("05-谈话记录-王磊.docx", talk("王磊", "2026年3月20日", "王建国", "党支部书记"), "processed",
               "王磊的谈话记录（日期写成“2026年3月20日”也能识别）", "记录谈话，生成确定入党积极分子情况表",
               cases=1, documents=("03-确定入党积极分子情况表.xlsx",)),
        Sample("06-谈话记录-赵雨桐.docx", talk("赵雨桐", "2026年4月31日", "张丽华", "党支部组织委员"), "rejected",
               "赵雨桐的谈话记录：谈话日期写成了不存在的“2026年4月31日”",
               "退回文件夹中有这份文件和退回说明，说明哪一栏有什么问题、怎么改",
               codes=("invalid_value",)),
        Sample("07-谈话记录-陈静.docx", talk("陈静", "2026-02-10", "黄振华", "党支部书记"), "processed",
               "陈静（第二党支部）的谈话记录", "记录谈话，生成确定入党积极分子情况表",
               cases=1, documents=("03-确定入党积极分子情况表.xlsx",)),
    ],
    [
        Sample("08-积极分子情况表-张晓明.xlsx",
               activist("张晓明", date(2026, 4, 14), "党员推荐", date(2026, 4, 20), "李卫东", "陈秀英"), "processed",
               "张晓明：2026年4月14日支委会确定为入党积极分子，培养联系人李卫东、陈秀英（均为正式党员）",
               "生成备案报告、培养联系人登记表和第1次考察登记表", cases=1,
               documents=("04-关于确定入党积极分子的备案报告.docx", "05-培养联系人登记表.docx",
                          "06-入党积极分子考察登记表-第1次.xlsx", "07-确定发展对象情况表.xlsx",
                          "07-民主测评情况表.xlsx")),
        Sample("09-积极分子情况表-李娜.xlsx",
               activist("李娜", date(2026, 5, 29), "党员推荐", "2026/6/3", "张丽华", "赵敏"), "processed",
               "李娜：2026年5月29日确定为入党积极分子，培养联系人张丽华、赵敏",
               "生成备案报告、培养联系人登记表和第1次考察登记表（第1次考察应于2026年11月29日前完成）", cases=1,
               documents=("04-关于确定入党积极分子的备案报告.docx", "05-培养联系人登记表.docx",
                          "06-入党积极分子考察登记表-第1次.xlsx", "07-确定发展对象情况表.xlsx",
                          "07-民主测评情况表.xlsx")),
        Sample("10-积极分子情况表-王磊.xlsx",
               activist("王磊", date(2026, 4, 24), "党员推荐", date(2026, 4, 28), "刘志强", "吴欣怡"), "rejected",
               "王磊：培养联系人二填了吴欣怡，而她是预备党员",
               "培养联系人须是本支部正式党员；退回文件夹中另有一份把出错单元格标红并加批注的表",
               codes=("not_full_member",)),
        Sample("11-积极分子情况表-陈静.xlsx",
               activist("陈静", date(2026, 4, 16), "群团推优", "2026/4/22", "林雪梅"), "processed",
               "陈静（第二党支部）：2026年4月16日确定为入党积极分子，培养联系人林雪梅（1名）",
               "生成备案报告、培养联系人登记表和第1次考察登记表", cases=1,
               documents=("04-关于确定入党积极分子的备案报告.docx", "05-培养联系人登记表.docx",
                          "06-入党积极分子考察登记表-第1次.xlsx", "07-确定发展对象情况表.xlsx",
                          "07-民主测评情况表.xlsx")),
    ],
    [
        Sample("12-考察登记表-张晓明-第1次.xlsx", assessment("张晓明", date(2026, 10, 12), "李卫东"), "processed",
               "张晓明满半年的第1次考察（2026年10月12日，考察合格）", "记录第1次考察，生成第2次考察登记表",
               cases=1, documents=("06-入党积极分子考察登记表-第2次.xlsx",)),
        Sample("13-考察登记表-陈静-第1次.xlsx", assessment("陈静", date(2026, 10, 15), "林雪梅"), "processed",
               "陈静满半年的第1次考察（2026年10月15日，考察合格）", "记录第1次考察，生成第2次考察登记表",
               cases=1, documents=("06-入党积极分子考察登记表-第2次.xlsx",)),
        Sample("14-民主测评-张晓明.xlsx", evaluation("张晓明", date(2026, 11, 20), 8, 12, 17, 1, 1), "processed",
               "张晓明的民主测评（测评制）：党员8人、群众12人参加，发出20张、收回19张，同意17票",
               "同意票占收回票数的89.5%，达到2/3，测评通过；“五项制度落实情况”中测评制一项有了记录",
               cases=1),
    ],
]
ALL = [s for stage in STAGES for s in stage]

# The state each case should be in after the demo (case id, name, state label, steps done).
EXPECTED_CASES = [
    ("2026-0001", "张晓明", "入党积极分子",
     {"application", "talk", "activist", "assessment", "evaluation_target"}),
    ("2026-0002", "李娜", "入党积极分子", {"application", "talk", "activist"}),
    ("2026-0003", "王磊", "入党申请人", {"application", "talk"}),
    ("2026-0004", "赵雨桐", "入党申请人", {"application"}),
    ("2026-0005", "陈静", "入党积极分子", {"application", "talk", "activist", "assessment"}),
]


# ---------------------------------------------------------------- checks
def check(sample: Sample, o) -> list[str]:
    """What is wrong with the outcome of one sample (empty = as expected)."""
    problems = []
    if o.kind != sample.outcome:
        first = o.reasons[0].message if isinstance(o, Rejected) else ""
        return [f"{sample.name}: expected {sample.outcome}, got {o.kind} {first}"]
    if isinstance(o, Rejected):
        if set(o.codes) != set(sample.codes):
            problems.append(f"{sample.name}: refusal codes {o.codes}, expected {sample.codes}")
    elif isinstance(o, Processed):
        got = {f.code for f in o.row_problems} | {w.code for w in o.warnings}
        if got != set(sample.codes):
            problems.append(f"{sample.name}: row problems/warnings {sorted(got)}, expected {sorted(sample.codes)}")
        if sample.cases is not None and len(o.cases) != sample.cases:
            problems.append(f"{sample.name}: {len(o.cases)} cases, expected {sample.cases}")
        names = {Path(d).name for d in o.documents}
        if sample.documents and names != set(sample.documents):
            problems.append(f"{sample.name}: documents {sorted(names)}, expected {sorted(sample.documents)}")
    return problems


def check_identities(folder: Path) -> list[str]:
    """Every issued form among the samples still carries the identity the engine gave it."""
    problems = []
    case_of = {name: case_id for case_id, name, _, _ in EXPECTED_CASES}
    for s in ALL:
        if s.build in (build_members, build_applicants):
            continue
        path = folder / s.name
        props = custom_properties(open_package(path.read_bytes(), path.name))
        [person] = [n for n in case_of if f"-{n}" in s.name]
        if not props.get(PROP_FORM) or props.get(PROP_CASE) != case_of[person]:
            problems.append(f"{s.name}: identity properties {props}, expected case {case_of[person]}")
    return problems


def check_cases(eng: Engine) -> list[str]:
    problems = []
    rows = eng.store.cases()
    got = [(r.case_id, r.name) for r in rows]
    want = [(c, n) for c, n, _, _ in EXPECTED_CASES]
    if got != want:
        return [f"cases {got}, expected {want}"]
    for case_id, name, state, steps in EXPECTED_CASES:
        cs = fold(eng.pack, case_id, eng.store.events(case_id))
        done = {s.id for s in eng.pack.steps if cs.done(s.id)}
        if eng.pack.state_label(cs.state) != state or done != steps:
            problems.append(f"{case_id} {name}: state {cs.state}, steps {sorted(done)}; "
                            f"expected {state}, {sorted(steps)}")
    return problems


# ---------------------------------------------------------------- build, verify
def build(staging: Path) -> None:
    """Run the engine stage by stage on a temporary workspace; write each sample into ``staging``."""
    with tempfile.TemporaryDirectory(prefix="docflow-samples-") as tmp:
        ws = demo_workspace(Path(tmp) / "ws")
        eng = Engine.open(ws, clock=FixedClock(TODAY))
        try:
            for stage in STAGES:
                for sample in stage:
                    sample.build(eng, staging / sample.name)
                    shutil.copy2(staging / sample.name, ws.inbox / sample.name)
                    problems = check(sample, process_file(eng, ws.inbox / sample.name))
                    if problems:
                        raise SystemExit("make_samples: while building:\n  " + "\n  ".join(problems))
        finally:
            eng.store.close()


def sample_files(folder: Path) -> list[Path]:
    """The files ``docflow demo`` copies, in the order it processes them."""
    return sorted(p for p in folder.glob("*.*") if p.suffix.lower() in SUFFIXES)


def verify_in_name_order(folder: Path) -> list:
    """Fresh workspace, all samples dropped at once, one pass in name order (FixedClock 2026-11-28)."""
    with tempfile.TemporaryDirectory(prefix="docflow-verify-") as tmp:
        ws = demo_workspace(Path(tmp) / "ws")
        eng = Engine.open(ws, clock=FixedClock(TODAY))
        try:
            files = sample_files(folder)
            for p in files:
                shutil.copy2(p, ws.inbox / p.name)
            outcomes = process_inbox(eng)
            names = [Path(o.file).name for o in outcomes]
            assert names == [s.name for s in ALL] == [p.name for p in files], names
            problems = [p for s, o in zip(ALL, outcomes, strict=True) for p in check(s, o)] + check_cases(eng)
            problems += check_identities(folder)
            assert not problems, "samples do not give the expected outcomes:\n  " + "\n  ".join(problems)
            n_processed = sum(o.kind == "processed" for o in outcomes)
            n_rejected = sum(o.kind == "rejected" for o in outcomes)
            assert (n_processed, n_rejected) == (sum(s.outcome == "processed" for s in ALL),
                                                 sum(s.outcome == "rejected" for s in ALL))
            for marked in ("02-入党申请人名册.已标注问题.xlsx", "10-积极分子情况表-王磊.已标注问题.xlsx"):
                assert (ws.rejected / marked).is_file(), f"no marked copy {marked} in {ws.rejected}"
            return outcomes
        finally:
            eng.store.close()


def verify_cli_demo() -> str:
    """Run the real ``docflow demo`` (its clock pinned to the samples' date) in a new folder; return its summary."""
    with tempfile.TemporaryDirectory(prefix="docflow-demo-") as tmp:
        cmd = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())",
               "demo", str(Path(tmp) / "ws")]
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            raise SystemExit(f"make_samples: docflow demo exited {run.returncode}\n{run.stdout}\n{run.stderr}")
        summary = next((line for line in run.stdout.splitlines() if line.startswith("共 ")), "")
        n_p = sum(s.outcome == "processed" for s in ALL)
        n_r = sum(s.outcome == "rejected" for s in ALL)
        want = f"共 {len(ALL)} 个文件：已处理 {n_p}，退回 {n_r}，重复 0，未就绪 0"
        assert summary == want, f"docflow demo printed {summary!r}, expected {want!r}\n{run.stdout}"
        return summary


def readme() -> str:
    n_p = sum(s.outcome == "processed" for s in ALL)
    n_r = sum(s.outcome == "rejected" for s in ALL)
    lines = [
        "# 示例文件（docflow demo）",
        "",
        "运行 `docflow demo` 时，本文件夹中的 .xlsx/.docx 文件会被复制到工作区的 inbox，"
        "并**按文件名顺序**一次处理完（本说明文件不会被复制）。",
        "",
        "示例中的单位、人员、身份证号码、电话均为虚构。"
        "这些表格都是系统为“XX学区党委”真实生成后再填写的（由 `tools/make_samples.py` 生成，请勿手工修改；"
        "修改请改脚本后重新运行 `.venv/bin/python tools/make_samples.py`）。",
        "",
        "| 文件 | 内容 | 演示结果 |",
        "| --- | --- | --- |",
    ]
    for s in ALL:
        result = "已处理" if s.outcome == "processed" else "**退回**"
        lines.append(f"| {s.name} | {s.what} | {result}：{s.shows} |")
    lines += [
        "",
        f"应看到：共 {len(ALL)} 个文件，已处理 {n_p}，退回 {n_r}。",
        "",
        "处理完成后：",
        "",
        "- `outbox/第一党支部/`、`outbox/第二党支部/`：每位同志一个文件夹（如 `2026-0001-张晓明`），"
        "内有系统生成的文书和待填写的下一张表（张晓明、陈静已有第2次考察登记表）；",
        "- `已处理/<日期>/`：处理过的原件和回执（名册的回执说明第6行刘洋一行未导入及原因）；",
        "- `退回/`：赵雨桐的谈话记录和王磊的积极分子情况表，连同退回说明；"
        "还有 `…已标注问题.xlsx`：出错的单元格标红并加了批注（包括名册中刘洋的身份证号码）；",
        "- `docflow status`：5份案卷——张晓明、李娜、陈静为入党积极分子，王磊、赵雨桐为入党申请人"
        "（王磊待重新提交积极分子情况表，赵雨桐待重新提交谈话记录）。",
        "",
        f"`docflow demo` 每次都在一个新的文件夹中进行（默认 `./演示工作区`，也可 `docflow demo 文件夹`），"
        f"日期按 {TODAY.isoformat()} 计算，所以哪一天运行结果都一样；已有案卷的工作区不会被放进示例数据。",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="docflow-staging-") as tmp:
        staging = Path(tmp)
        build(staging)
        SAMPLES.mkdir(exist_ok=True)
        for old in sample_files(SAMPLES):
            old.unlink()
        for s in ALL:     # without the build workspace's signature: the demo signs them with its own key
            data = (staging / s.name).read_bytes()
            props = custom_properties(open_package(data, s.name))
            if PROP_SIGNATURE in props:
                data = with_custom_properties(data, {k: v for k, v in props.items()
                                                     if k not in (PROP_SIGNATURE, PROP_SERIAL)})
            (SAMPLES / s.name).write_bytes(data)
    (SAMPLES / "README.md").write_text(readme(), encoding="utf-8")

    outcomes = verify_in_name_order(SAMPLES)
    n_p = sum(o.kind == "processed" for o in outcomes)
    n_r = sum(o.kind == "rejected" for o in outcomes)
    assert (n_p, n_r) == (12, 2), (n_p, n_r)
    print(f"samples/：{len(outcomes)} 个示例文件（按文件名顺序处理，FixedClock {TODAY.isoformat()}）")
    for s, o in zip(ALL, outcomes, strict=True):
        extra = ""
        if isinstance(o, Rejected):
            extra = "：" + "；".join(f"{r.label + '：' if r.label else ''}{r.message}" for r in o.reasons)
        elif isinstance(o, Processed):
            bits = []
            if o.row_problems:
                bits.append(f"{len(o.row_problems)}处问题行未导入")
            if o.warnings:
                bits.append(f"{len(o.warnings)}条提醒")
            bits.append(f"生成{len(o.documents)}份文书")
            extra = "（" + "，".join(bits) + "）"
        print(f"  {'已处理' if o.kind == 'processed' else '退回  '}  {s.name}{extra}")
    print(f"合计：已处理 {n_p}，退回 {n_r}")
    print(f"docflow demo：{verify_cli_demo()}")
    print("检查通过")
    return 0


if __name__ == "__main__":
    sys.exit(main())
