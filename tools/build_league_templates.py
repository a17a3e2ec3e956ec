#!/usr/bin/env python3
"""Build the office templates of the 发展团员 (league) workflow pack.

Generates, deterministically (same bytes on every run), every template a [documents.*] entry of
templates/league/pack.toml names:

    forms/talk.docx               入团申请人谈话记录 (fillable: bookmarks = field keys)
    docs/activist_filing.docx     关于确定入团积极分子的备案报告
    docs/prereview_request.docx   关于发展对象的预审请示
    docs/volunteer_sheet.docx     入团志愿书基本情况页 (what the 志愿书 is filled in from, to check against)
    docs/meeting_minutes.docx     团支部大会会议记录 (the vote's counts and tally; counts only)
    docs/approval_notice.docx     关于接收 / 不同意接收新团员的批复 (doc.text.subject)
    docs/archive_index.docx       发展团员材料归档目录
    forms/<form>.xlsx             one fillable workbook per .xlsx template (defined names = field keys, info_* cells
                                  the engine prefills), generated from the form's fields (see FORM_SPECS)

The generic pieces — page setup, fonts (黑体 titles, 仿宋 body, 宋体 tables), tables, bookmarks, the Report layout,
the workbook rows, deterministic packaging — are the party builder's (tools/build_party_templates.py), imported
and reused unchanged; what is league-specific (wording, info rows, hints, the vote form's layout) is here.
Every Jinja tag is written as ONE run. Context variables used: org, branch, doc, case, dossier
(engine/output/context.py); ``docflow lint`` renders every document with a complete sample case.

Usage:  .venv/bin/python tools/build_league_templates.py [--out-dir DIR]
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_party_templates as party
from build_party_templates import (
    FONT_TABLE,
    SECTION_FILL,
    SIZE_NOTE,
    SIZE_TABLE,
    Cell,
    FormSheet,
    L,
    Report,
    TableBuilder,
    V,
    add_footer,
    add_plain,
    add_title,
    para_format,
    save_docx,
)

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "templates" / "league"
KEYWORDS = "docflow league"


def load_pack() -> dict:
    with open(PACK_DIR / "pack.toml", "rb") as fh:
        return tomllib.load(fh)


def new_document(font: str, size: float):
    doc = party.new_document(font, size)
    doc.core_properties.keywords = KEYWORDS
    return doc


def report(title: str, title_after: float = 28.0) -> Report:
    r = Report(title, title_after)
    r.doc.core_properties.keywords = KEYWORDS
    return r


# ----------------------------------------------------------------------------- Jinja snippets (each one run)

J_UNIT_POST = "{{ case.unit }}{% if case.post %}　{{ case.post }}{% endif %}"
J_PERSON = ("{{ case.gender }}，{{ case.ethnicity }}，{{ case.birth_month }}出生，"
            "{{ case.unit }}{% if case.post %}{{ case.post }}{% endif %}")
J_CONTACTS = "{{ case.activist.contact_1 }}{% if case.activist.contact_2 %}、{{ case.activist.contact_2 }}{% endif %}"
J_SPONSORS = "{{ case.volunteer.sponsor_1 }}、{{ case.volunteer.sponsor_2 }}"
J_HAND_DATE = "{{ by_hand('date') }}"
# after the branch's own name: 初三（2）班团支部委员会 / 初三（2）班团支部大会 (choices 团支部委员会 / 团支部大会)
J_DECIDED_BY = "{% if case.activist.decided_by == '团支部大会' %}大会{% else %}委员会{% endif %}"


def j_sentence(expr: str) -> str:
    """Free text from a form, closed with 。 unless it already ends with punctuation."""
    return party.j_sentence(expr)


def heading_rows(doc) -> None:
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


# ----------------------------------------------------------------------------- docx templates

def build_talk(path: Path, pack: dict) -> None:
    form = pack["forms"]["talk"]
    fields = {f["key"]: f for f in form["fields"]}
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, form["label"], after=6)
    heading_rows(doc)
    t = TableBuilder(doc, [3.2, 4.0, 4.2, 4.2])
    t.row([L("案卷编号"), V("{{ case.id }}", bookmark="info_case_id"), L("所在团支部"), V("{{ case.branch }}")])
    t.row([L("姓　　名"), V("{{ case.name }}", bookmark="info_name"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("出生日期"), V("{{ case.birth_date }}"), L("申请时年龄"), V("{{ case.age }}周岁")])
    t.row([L("学校或单位"), V(J_UNIT_POST, span=3)])
    t.row([L("申请入团日期"), V("{{ case.apply_date }}"), L("应谈话日期（截止）"), V("{{ doc.due_date }}")])
    t.row([Cell("以下由谈话人填写", span=4, fill=SECTION_FILL, bold=True)])
    order = ("talk_date", "talker", "talker_post", "summary")
    for key in order:
        f = fields[key]
        if key == "summary":
            t.row([L(f["label"]), V("", span=3, align="left", valign="top", bookmark=key)], height_cm=8.0)
        else:
            t.row([L(f["label"]), V("", span=3, align="left", bookmark=key)])
    extra = set(fields) - set(order)
    if extra:
        raise SystemExit(f"talk form has fields the template does not place: {sorted(extra)}")
    t.row([L("谈话人签名"), V(""), L("谈话对象签名"), V("")])
    add_plain(doc, "填写说明：谈话主要了解申请人对团的认识、入团动机和现实表现，提出希望和要求；请在空白栏内填写，"
              "日期请写成 2026-03-05 格式；填好后保存，放回 inbox 文件夹。", size=SIZE_NOTE, before=6)
    add_footer(doc)
    save_docx(doc, path)


def build_activist_filing(path: Path) -> None:
    r = report("关于确定入团积极分子的备案报告")
    r.body("{{ org.name }}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    r.body("{{ case.activist.decision_date }}，{{ branch }}" + J_DECIDED_BY + "在{{ case.activist.method }}的基础上，"
           "经研究，决定将{{ case.name }}同志（" + J_PERSON + "，{{ case.apply_date }}递交入团申请书）"
           "确定为入团积极分子，并指定" + J_CONTACTS + "同志为其培养联系人。")
    r.body("{{ case.name }}同志的入团申请书、谈话记录及确定入团积极分子情况表已存档（案卷编号：{{ case.id }}）。"
           "团支部将对其进行{{ settings.activist_min_months }}个月以上的培养教育，组织其参加不少于"
           "{{ settings.training_min_hours }}学时的团课学习。")
    r.body("特此报告。")
    r.signature("{{ branch }}", "{{ case.activist.filing_date }}")
    r.save(path)


def build_prereview_request(path: Path) -> None:
    r = report("关于发展对象的预审请示")
    r.body("{{ org.name }}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    r.body("{{ branch }}入团积极分子{{ case.name }}同志（" + J_PERSON + "）于{{ case.apply_date }}递交入团申请书，"
           "{{ case.activist_date }}被确定为入团积极分子，培养联系人为" + J_CONTACTS + "同志。")
    r.body("{{ case.education.course_start }}至{{ case.education.course_end }}，该同志参加团课学习，"
           "共{{ case.education.course_hours }}学时。{{ case.education.assess_date }}团支部对其进行考察，"
           "考察结果为“{{ case.education.result }}”。")
    r.body("{{ case.target.decision_date }}，团支部委员会在听取团员和青年意见的基础上，经研究，同意将其确定为发展对象。"
           "听取意见情况：" + j_sentence("case.target.opinions_summary"))
    r.body("现将有关材料报上，请予预审。")
    r.body("妥否，请批示。")
    r.body("附件：入团申请书、入团申请人谈话记录、入团积极分子培养教育考察情况表", indent=True)
    r.signature("{{ branch }}", J_HAND_DATE, blank_lines=1)
    r.save(path)


def build_volunteer_sheet(path: Path) -> None:
    """What the 入团志愿书 is filled in from: the case's facts, to check the booklet against."""
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "入团志愿书基本情况页", after=6)
    heading_rows(doc)
    t = TableBuilder(doc, [3.6, 4.2, 3.6, 4.2])
    t.row([L("志愿书编号"), V("{% if case.volunteer.book_no %}{{ case.volunteer.book_no }}{% else %}"
                             "{{ by_hand('name') }}{% endif %}"), L("案卷编号"), V("{{ case.id }}")])
    t.row([L("姓　　名"), V("{{ case.name }}"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("民　　族"), V("{{ case.ethnicity }}"), L("出生年月"), V("{{ case.birth_month }}")])
    t.row([L("公民身份号码"), V("{{ case.id_number_masked }}", span=3)])
    t.row([L("学校或单位"), V(J_UNIT_POST, span=3)])
    t.row([L("所在团支部"), V("{{ case.branch }}"), L("申请时年龄"), V("{{ case.age }}周岁")])
    t.row([Cell("培养发展情况", span=4, fill=SECTION_FILL, bold=True)])
    small = dict(size=SIZE_NOTE)   # 五号 for the 8-character labels, so that neither they nor the dates wrap
    t.row([L("申请入团日期"), V("{{ case.apply_date }}"), L("确定积极分子日期", **small),
           V("{{ case.activist_date }}")])
    t.row([L("培养联系人"), V(J_CONTACTS), L("团课学习学时"), V("{{ case.course_hours }}学时")])
    t.row([L("确定发展对象日期", **small), V("{{ case.target_date }}"), L("基层团委预审日期", **small),
           V("{{ case.prereview_date }}")])
    t.row([L("入团介绍人"), V(J_SPONSORS), L("填写志愿书日期", **small), V("{{ case.volunteer_date }}")])
    t.row([L("备　　注"), V("", span=3, align="left", valign="top")], height_cm=2.4)
    add_plain(doc, "说明：入团志愿书由本人如实填写，入团介绍人在志愿书上填写介绍意见；志愿书中的基本情况和日期"
              "应与本页一致。团支部大会决议和基层团委审批意见在相应步骤完成后填写。", size=SIZE_NOTE, before=6)
    add_footer(doc)
    save_docx(doc, path)


J_SET_VOTE = "{%p set v = case.admission_vote %}"


def build_meeting_minutes(path: Path) -> None:
    """团支部大会会议记录 (discussion of admitting a new member): counts and the tally, never who voted how."""
    r = report("团支部大会会议记录", title_after=6)
    doc = r.doc
    r.tag(J_SET_VOTE)
    r.subtitle("（讨论接收新团员）　{{ branch }}")
    t = TableBuilder(doc, [3.4, 4.4, 3.4, 4.4])
    t.row([L("时　　间"), V("{{ v.meeting_date }}"), L("地　　点"), V("{{ v.place }}")])
    t.row([L("主 持 人"), V("{{ v.chair }}"), L("记 录 人"), V("{{ v.recorder }}")])
    t.row([L("团员人数"), V("共{{ v.members_total }}人{% if v.members_discipline %}（其中受留团察看处分"
                             "{{ v.members_discipline }}人，察看期间没有表决权）{% endif %}", span=3, align="left")])
    t.row([L("应到会"), V("{{ v.tally.due }}人"), L("实到会"), V("{{ v.present_voting }}人")])
    t.row([L("缺　　席"), V("{% if v.tally.due is number and v.present_voting is number %}"
                            "{{ v.tally.due - v.present_voting }}人{% endif %}", span=3, align="left")])
    add_plain(doc, "注：应到会、实到会均指有表决权的团员。", size=SIZE_NOTE, before=3, after=6)
    r.heading("一、议题")
    r.body("讨论接收{{ case.name }}同志（{{ case.gender }}，{{ case.birth_month }}出生，"
           + J_UNIT_POST.replace("　", "") + "）为中国共产主义青年团团员。入团介绍人：" + J_SPONSORS + "。")
    r.heading("二、会议议程")
    for item in (
        "1. 主持人宣布会议开始，报告到会人数；",
        "2. 发展对象汇报对团的认识、入团动机、本人经历和家庭情况；",
        "3. 入团介绍人介绍发展对象的有关情况，并对其能否入团表明意见；",
        "4. 团支部委员会报告对发展对象的培养教育考察情况和基层团委预审意见；",
        "5. 与会团员对发展对象能否入团进行讨论；",
        "6. 有表决权的团员进行表决，当场计票并宣布表决结果。",
    ):
        r.body(item)
    r.heading("三、讨论发言要点")
    r.body("（记录发展对象的汇报、入团介绍人和团支部委员会的意见、与会团员的发言要点，可另附页。）")
    for _ in range(3):
        r.body("", indent=False)
    r.heading("四、表决情况")
    r.body("应到会有表决权的团员{{ v.tally.due }}人（团员{{ v.members_total }}人"
           "{% if v.tally.discipline %}，其中受留团察看处分{{ v.tally.discipline }}人{% endif %}），"
           "实到会{{ v.present_voting }}人，"
           "{% if v.present_voting is number and v.present_voting * 2 > v.tally.due %}超过应到会人数的半数，"
           "会议有效{% else %}未超过应到会人数的半数，会议不能进行表决{% endif %}。")
    r.body("发出表决票{{ v.ballots_issued }}张，收回{{ v.ballots_returned }}张。计票结果：赞成{{ v.yes }}票，"
           "反对{{ v.no }}票，弃权{{ v.abstain }}票。赞成票{% if v.tally.passed %}超过{% else %}未超过{% endif %}"
           "实到会有表决权团员人数的半数（须至少{{ v.tally.needed }}票）。")
    r.heading("五、表决结果")
    r.body("表决结果：{{ v.outcome }}。{% if v.outcome == '通过' %}团支部大会同意接收{{ case.name }}同志为"
           "中国共产主义青年团团员，报{{ org.name }}审批。{% else %}团支部大会不同意接收{{ case.name }}同志入团，"
           "团支部将继续对其进行培养教育。{% endif %}")
    r.body("", indent=False)
    r.body("主持人（签名）：{{ by_hand('name') }}　记录人（签名）：{{ by_hand('name') }}", indent=False,
           align=WD_ALIGN_PARAGRAPH.RIGHT)
    r.save(path)


def build_approval_notice(path: Path) -> None:
    """The 基层团委's 批复: 接收新团员 / 不同意接收新团员 (doc.text.subject)."""
    r = report("{{ doc.title }}")
    r.body("{{ branch }}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    r.body("你支部报来的{{ case.name }}同志的入团志愿书及团支部大会"
           "{{ case.admission_vote.meeting_date }}讨论接收其入团的决议收悉。")
    r.tag('{%p if doc.text.subject == "接收新团员" %}')
    r.body("经{{ org.name }}{{ case.approval.approval_date }}研究，同意接收{{ case.name }}同志"
           "为中国共产主义青年团团员，入团时间为{{ case.join_date }}（团支部大会通过之日），团龄自该日算起。")
    r.body("请及时为其举行入团仪式，组织其面向团旗宣誓，将其编入团支部，并将入团申请书、入团志愿书等材料整理归档。")
    r.tag("{%p else %}")
    r.body("经{{ org.name }}{{ case.approval.approval_date }}研究，不同意接收{{ case.name }}同志入团。"
           "{% if case.approval.opinion %}" + j_sentence("case.approval.opinion") + "{% endif %}")
    r.body("请团支部继续对其进行培养教育，具备条件后再按程序提交团支部大会讨论。")
    r.tag("{%p endif %}")
    r.body("此复。")
    r.signature("{{ org.name }}（盖章）", "{{ case.approval.approval_date }}")
    r.save(path)


def build_archive_index(path: Path) -> None:
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "{{ doc.title }}", after=6)
    heading_rows(doc)
    t = TableBuilder(doc, [3.4, 4.4, 3.4, 4.4])
    h = 0.7
    t.row([L("姓　　名"), V("{{ case.name }}"), L("所在团支部"), V("{{ case.branch }}")], height_cm=h)
    t.row([L("入团时间"), V("{{ case.join_date }}"), L("批准日期"), V("{{ case.approval_date }}")], height_cm=h)
    t.row([L("归档日期"), V("{{ case.archive.archive_date }}"), L("存放地点"), V("{{ case.archive.location }}")],
          height_cm=h)
    p = doc.add_paragraph()
    para_format(p, line_exact=10)   # a little air between the tables
    d = TableBuilder(doc, [1.2, 6.8, 5.2, 1.2, 1.2])
    d.row([L("序号"), L("材料名称"), L("形成时间"), L("页数"), L("备注")], height_cm=0.8)
    d.row([V("{%tr for item in dossier %}", span=5)])
    d.row([V("{{ item.no }}"), V("{{ item.title }}{% if item.core %}★{% endif %}", align="left"),
           V("{{ item.date }}"), V(""), V("")], height_cm=0.8)
    d.row([V("{%tr endfor %}", span=5)])
    add_plain(doc, "注：标★的为应归入本人档案的材料（入团申请书、入团志愿书）。", size=SIZE_NOTE, before=3)
    add_plain(doc, "归档人（签名）：{{ by_hand('name') }}　　审核人（签名）：{{ by_hand('name') }}", before=12,
              align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_plain(doc, "{{ case.archive.archive_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=3)
    add_footer(doc)
    save_docx(doc, path)


DOCX_BUILDERS: dict[str, Callable[[Path, dict], None]] = {
    "forms/talk.docx": build_talk,
    "docs/activist_filing.docx": lambda p, pack: build_activist_filing(p),
    "docs/prereview_request.docx": lambda p, pack: build_prereview_request(p),
    "docs/volunteer_sheet.docx": lambda p, pack: build_volunteer_sheet(p),
    "docs/meeting_minutes.docx": lambda p, pack: build_meeting_minutes(p),
    "docs/approval_notice.docx": lambda p, pack: build_approval_notice(p),
    "docs/archive_index.docx": lambda p, pack: build_archive_index(p),
}


# ----------------------------------------------------------------------------- xlsx forms
#
# The party builder's workbook layout (FormSheet: merged title, prefilled info_* rows, a section row, one input
# row per field with its defined name and data validation, a signature row, a note), with the league's rows.

SECTION_BRANCH = "以下由团支部填写"
SECTION_COMMITTEE = "以下根据基层团委意见填写"
SIGN_BRANCH = "团支部书记签名"
SIGN_CLERK = "经办人签名"
SIGN_DATE = "年　　月　　日　"

BIRTH = ("出生日期", "info_birth_date")
APPLY = ("申请入团日期", "info_apply_date")
DUE = ("应交日期", "info_due_date")
ACTIVIST = ("确定积极分子日期", "info_activist_date")
TARGET = ("确定发展对象日期", "info_target_date")
JOIN = ("入团时间", "info_join_date")

# Per template: info rows after 上级团组织 / 案卷编号+所在团支部 / 姓名+性别 (a row = 1 or 2 (label, defined name)
# pairs), the section row and the signature label.
FORM_SPECS: dict[str, dict] = {
    "activist": dict(info=[[BIRTH, APPLY], [("谈话日期", "info_talk_date"), ("申请时年龄", "info_age")]]),
    "education": dict(info=[[BIRTH, APPLY], [ACTIVIST]]),
    "target": dict(info=[[BIRTH, APPLY], [ACTIVIST, ("最早可确定日期", "info_due_date")],
                         [("团课学习学时", "info_course_hours"), ("考察结果", "info_education_result")]]),
    "prereview": dict(info=[[TARGET, BIRTH], [("团课学习学时", "info_course_hours"),
                                              ("考察结果", "info_education_result")]],
                      section=SECTION_COMMITTEE, sign=SIGN_CLERK),
    "volunteer": dict(info=[[TARGET, BIRTH], [("基层团委预审日期", "info_prereview_date")]]),
    "admission_vote": dict(info=[[TARGET, BIRTH], [("填写入团志愿书日期", "info_volunteer_date")]]),
    "approval": dict(info=[[BIRTH, DUE], [("团支部大会讨论日期", "info_admission_meeting_date")]],
                     section=SECTION_COMMITTEE, sign=SIGN_CLERK),
    "ceremony": dict(info=[[BIRTH, JOIN], [("基层团委审批日期", "info_approval_date")]]),
    "archive": dict(info=[[BIRTH, JOIN], [("入团仪式日期", "info_ceremony_date")]],
                    section="以下由负责归档的团组织填写", sign=SIGN_CLERK),
    "withdraw": dict(info=[[BIRTH, APPLY], [("当前阶段", "info_state")]]),
}

VOTE_NOTE = ("表决规则：应到会有表决权的团员人数 = 团员人数 − 受留团察看处分人数（察看期间没有表决权）；"
             "有表决权的团员超过应到会人数的半数到会，会议方可表决；赞成票超过实到会有表决权团员人数的半数，方为通过。"
             "表内只填人数和票数，不填谁投了什么票。")


def field_hint(form_id: str, field: dict, settings: dict) -> str:
    key, ftype = field["key"], field["type"]
    special = {
        ("activist", "contact_1"): "须为本团支部团员",
        ("activist", "contact_2"): "须为本团支部团员（可不填）",
        ("activist", "decided_by"): "不设支部委员会的团支部，由支部大会研究决定",
        ("education", "course_hours"): f"整数；不少于{settings.get('training_min_hours', 8)}学时",
        ("volunteer", "sponsor_1"): "须为本团支部团员，未受留团察看处分",
        ("volunteer", "sponsor_2"): "须为本团支部团员，未受留团察看处分",
    }
    hint = special.get((form_id, key))
    if hint is None:
        hint = party.HINTS.get(ftype, "")
        if not hint and ftype == "int":
            hint = f"整数（{field.get('min', 0)}–{field.get('max', 20)}）"
        if not field.get("required") and "可不填" not in hint:
            hint = (hint + "（可不填）") if hint else "可不填"
    return hint


def info_rows(sb: FormSheet, spec: dict) -> None:
    sb.info_row([("上级团组织", "info_org")])
    sb.info_row([("案卷编号", "info_case_id"), ("所在团支部", "info_branch")])
    sb.info_row([("姓名", "info_name"), ("性别", "info_gender")])
    for row in spec["info"]:
        sb.info_row(row)


def build_form_xlsx(path: Path, pack: dict, template: str, form_ids: list[str]) -> None:
    if len(form_ids) != 1:
        raise SystemExit(f"{template}: one form per workbook in this pack, not {form_ids}")
    form_id = form_ids[0]
    fields = party.resolved_fields(pack, form_id)
    spec = FORM_SPECS.get(Path(template).stem)
    if spec is None:
        raise SystemExit(f"{template}: no layout in FORM_SPECS for {Path(template).stem!r}")
    names = {n for row in spec["info"] for _, n in row}
    if ("info_due_date" in names) != party._has_due(pack, template):
        raise SystemExit(f"{template}: the 应交日期 row does not match the pack's due dates")
    label = pack["forms"][form_id]["label"]
    sb = FormSheet(Workbook(), label, label[:31])
    info_rows(sb, spec)
    if form_id == "admission_vote":
        build_vote_rows(sb, fields)
    else:
        sb.section_row(spec.get("section", SECTION_BRANCH))
        settings = pack.get("settings", {})
        for f in fields:
            n = int(f.get("max_length", 0) or 0)
            if f["type"] == "text" and n > 200:
                sb.long_input_row(f, height=220 if n >= 4000 else 160 if n >= 1000 else 110)
            elif f["type"] == "text" and n > 40:
                sb.wide_input_row(f, height=28 if n <= 60 else 56)
            else:
                sb.input_row(f, field_hint(form_id, f, settings))
    sb.free_row(spec.get("sign", SIGN_BRANCH), SIGN_DATE, height=48)
    sb.note_row()
    if form_id == "admission_vote":
        sb.note_block(VOTE_NOTE, height=46)
    sb.finish(path)


def build_vote_rows(sb: FormSheet, fields: list[dict]) -> None:
    """团支部大会表决情况表: 会议情况 / 团员人数 / 表决情况; every field placed exactly once."""
    f = {x["key"]: x for x in fields}
    placed: set[str] = set()

    def take(key: str) -> dict:
        placed.add(key)
        return f[key]

    sb.section_row("一、会议情况（由团支部填写）")
    sb.pair_input_row(take("meeting_date"), take("chair"))
    sb.wide_input_row(take("place"), height=28)
    sb.pair_input_row(take("recorder"), None, hint="主持人、记录人须在会议记录上签名")
    sb.section_row("二、团员人数")
    sb.pair_input_row(take("members_total"), take("members_discipline"))
    sb.hint_row("团员人数须与团员名册一致；受留团察看处分的团员计入团员人数，但察看期间没有表决权。")
    sb.section_row("三、表决情况")
    sb.pair_input_row(take("due_voting"), None, hint="等于 团员人数 − 受留团察看处分人数", height=34)
    sb.pair_input_row(take("present_voting"), None, hint="须超过应到会人数的半数，会议方可表决", height=34)
    sb.pair_input_row(take("ballots_issued"), take("ballots_returned"))
    sb.pair_input_row(take("yes"), take("no"))
    sb.pair_input_row(take("abstain"), None, hint="赞成 + 反对 + 弃权 = 收回表决票")
    sb.pair_input_row(take("outcome"), None, hint="赞成票超过实到会人数的半数为通过；点右侧箭头选择")
    left = [k for k in f if k not in placed]
    if left:
        raise SystemExit(f"admission_vote: fields the layout does not place: {left}")


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=PACK_DIR,
                    help="pack directory to write docs/ and forms/ into (default: templates/league)")
    args = ap.parse_args(argv)
    out = args.out_dir
    pack = load_pack()
    targets: list[tuple[Path, Callable[[Path], None]]] = []
    done: set[str] = set()
    for d in pack["documents"].values():
        template = d["template"]
        if template in done or not template.endswith(".docx"):
            continue
        if template not in DOCX_BUILDERS:
            raise SystemExit(f"no builder for {template} (documents entry {d['title']!r})")
        targets.append((out / template, lambda p, b=DOCX_BUILDERS[template]: b(p, pack)))
        done.add(template)
    for template, form_ids in party.xlsx_templates(pack).items():
        if template in done:
            continue
        targets.append((out / template, lambda p, t=template, f=form_ids: build_form_xlsx(p, pack, t, f)))
        done.add(template)
    for path, build in targets:
        TableBuilder._next_bookmark_id = 0
        build(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
