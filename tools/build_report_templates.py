#!/usr/bin/env python3
"""Build the Word templates of the party pack's reports (docflow report), in the style of the pack's other documents
(A4, GB/T 9704 margins, 黑体 title standing in for 方正小标宋, 仿宋 body, 宋体 tables), with the helpers of
tools/build_party_templates.py:

    templates/party/reports/bulletin.docx   季度通报 / 半年分析 (quarterly, halfyear)
    templates/party/reports/plan.docx       年度发展党员工作计划 (plan)
    templates/party/reports/summary.docx    年度发展党员工作总结 (summary)

The figures come from the engine (Jinja tags, each one run); the rest of the wording — 指导思想, 基本措施, the closing
requirements — is plain text that staff may change in Word (a copy in <workspace>/templates/party/reports/ is used
before the pack's). Context variables: see engine/report/build.py (bulletin_context, annual).

Usage:  .venv/bin/python tools/build_report_templates.py [--out-dir DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_party_templates as bpt
from docx.enum.text import WD_ALIGN_PARAGRAPH
from gongwen_builder import Gongwen

OUT = bpt.PACK_DIR / "reports"
LEFT = WD_ALIGN_PARAGRAPH.LEFT

GUIDANCE = ("以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神和新时代党的建设总要求，"
            "认真贯彻《中国共产党章程》和《中国共产党发展党员工作细则》，按照“控制总量、优化结构、提高质量、发挥作用”"
            "的总要求，坚持党章规定的党员标准，始终把政治标准放在首位，有计划地发展党员，"
            "为推动各项事业发展提供坚强的组织保证。")

MEASURES = [
    ("（一）加强入党积极分子队伍建设。",
     "各党支部要把思想政治素质好、工作业绩突出的优秀青年教职工吸引到党组织周围，及时做好入党申请人的谈话工作，"
     "注重在生产工作一线、青年教师和业务骨干中培养入党积极分子，保持队伍的合理规模和结构。"),
    ("（二）严格程序，落实“五制”。",
     "严格执行《中国共产党发展党员工作细则》规定的程序，全面落实测评制、预审制、公示制、票决制和责任追究制，"
     "做到程序不减、标准不降，每个环节的材料齐全、手续完备。"),
    ("（三）抓好培养教育考察。",
     "落实培养联系人制度，党支部每半年对入党积极分子、预备党员进行一次考察，发展对象参加不少于3天或24学时的集中培训，"
     "认真做好政治审查。"),
    ("（四）注重结构优化。",
     "对照年度结构目标，重点做好在35岁以下青年、生产工作一线和高知识群体中发展党员的工作，"
     "统筹兼顾女性和少数民族同志的培养。"),
    ("（五）加强督促检查。",
     "党委实行季度通报、半年分析、年度总结，及时通报各党支部发展党员工作进度和逾期事项，"
     "对工作不力、把关不严的严肃追究责任。"),
]

DONE = [
    ("（一）入党积极分子队伍建设。",
     "各党支部及时做好入党申请人的谈话和入党积极分子的确定工作，注重在生产工作一线和青年教职工中培养，"
     "入党积极分子队伍保持了合理的规模和结构。"),
    ("（二）发展程序和“五制”落实。",
     "严格执行《中国共产党发展党员工作细则》规定的程序，落实测评制、预审制、公示制、票决制和责任追究制，"
     "各环节材料齐全、手续完备。"),
    ("（三）培养教育考察。",
     "落实培养联系人制度和半年考察制度，组织发展对象参加集中培训，认真开展政治审查。"),
    ("（四）督促检查。",
     "党委按季度通报、半年分析，及时督促各党支部补办逾期事项。存在的问题和下一步打算：（请据实填写）"),
]


def j_table_rows(t: bpt.TableBuilder, loop: str, cells: list[str]) -> None:
    """A docxtpl row loop: {%tr for … %} / one row of cells / {%tr endfor %}."""
    n = len(t.widths)
    t.row([bpt.V("{%tr for " + loop + " %}", span=n)], height_cm=0.3)
    t.row([bpt.V(text, size=bpt.SIZE_NOTE) for text in cells], height_cm=0.8)
    t.row([bpt.V("{%tr endfor %}", span=n)], height_cm=0.3)


def header(t: bpt.TableBuilder, labels: list[str]) -> None:
    t.row([bpt.L(x, size=bpt.SIZE_NOTE) for x in labels], height_cm=0.9)


def space(r: bpt.Report, pt: int = 10) -> None:
    p = r.doc.add_paragraph()
    bpt.para_format(p, line_exact=pt)


def build_bulletin(path: Path) -> None:
    r = Gongwen(bpt.new_document(bpt.FONT_BODY, bpt.SIZE_BODY), "{{ title }}")
    r.addressee()
    r.body("现将{{ period }}（{{ words }}）{{ scope }}发展党员工作情况{% if half %}分析{% else %}通报{% endif %}如下。")
    r.heading("一、总体情况")
    r.body("{{ summary }}")
    r.heading("二、各党支部情况")
    space(r)
    t = bpt.TableBuilder(r.doc, [3.2, 2.0, 2.1, 2.1, 2.1, 2.0, 2.1])
    header(t, ["党支部", "新收入党申请", "新确定入党积极分子", "新确定发展对象", "接收预备党员", "预备党员转正",
               "终止发展、转出"])
    j_table_rows(t, "b in branches", ["{{ b.name }}", "{{ b.applicants }}", "{{ b.activists }}", "{{ b.targets }}",
                                      "{{ b.new_members }}", "{{ b.full }}", "{{ b.left }}"])
    space(r, 14)
    r.heading("三、培养考察和逾期事项")
    r.body("{{ checks }}")
    r.tag("{%p if overdue %}")
    r.body("截至{{ as_of }}，以下事项已过期限，请有关党支部抓紧办理：")
    r.tag("{%p for o in overdue %}")
    r.body("{{ loop.index }}. {{ o.branch }}　{{ o.name }}：{{ o.what }}，"
           "应于{{ o.deadline }}前完成，已逾期{{ o.days }}天。")
    r.tag("{%p endfor %}")
    r.tag("{%p else %}")
    r.body("截至{{ as_of }}，没有逾期事项。")
    r.tag("{%p endif %}")
    r.tag("{%p if half %}")
    r.heading("四、年度目标完成进度")
    r.tag("{%p if targets %}")
    r.body("截至{{ as_of }}，{{ year }}年度发展党员目标完成情况如下（结构目标按当年新党员计算）：")
    space(r)
    t = bpt.TableBuilder(r.doc, [1.2, 4.0, 3.6, 4.4, 2.4])
    header(t, ["序号", "指标", "年度目标", "截至目前", "情况"])
    j_table_rows(t, "t in targets", ["{{ t.no }}", "{{ t.label }}", "{{ t.target }}", "{{ t.actual }}", "{{ t.met }}"])
    space(r, 14)
    r.tag("{%p else %}")
    r.body("docflow.toml 中尚未设置{{ year }}年度目标（[plan.{{ year }}]）。")
    r.tag("{%p endif %}")
    r.tag("{%p endif %}")
    r.heading("{{ closing_no }}、工作要求")
    r.body("各党支部要对照本通报，认真查找发展党员工作中存在的问题，抓紧补办逾期事项，按时完成半年考察，"
           "严格执行发展党员工作程序，确保完成年度发展党员工作任务。")
    r.signature()
    r.save(path, bpt.save_docx)


def build_plan(path: Path) -> None:
    r = Gongwen(bpt.new_document(bpt.FONT_BODY, bpt.SIZE_BODY), "{{ org }}{{ year }}年度发展党员工作计划")
    r.addressee()
    r.body("为进一步做好发展党员工作，保证新发展党员质量，根据《中国共产党发展党员工作细则》和上级党组织的要求，"
           "结合实际，制定{{ year }}年度发展党员工作计划。")
    r.heading("一、指导思想")
    r.body(GUIDANCE)
    r.heading("二、目标要求")
    r.lead("（一）基本情况。", "{{ base.text }}")
    r.lead("（二）数量目标。", "{{ counts }}")
    r.tag("{%p if structure %}")
    r.lead("（三）结构目标。", "当年新发展的党员（按上级党委审批日期计）中：")
    space(r)
    t = bpt.TableBuilder(r.doc, [1.2, 3.6, 7.0, 3.8])
    header(t, ["序号", "指标", "口径", "目标"])
    j_table_rows(t, "s in structure", ["{{ s.no }}", "{{ s.label }}", "{{ s.measure }}", "{{ s.target }}"])
    space(r, 14)
    r.tag("{%p endif %}")
    r.lead("（四）质量要求。", "坚持标准、严格程序、严肃纪律，发展党员工作做到成熟一个发展一个，"
           "严禁突击发展，确保新发展党员质量。")
    r.heading("三、基本措施")
    for head, text in MEASURES:
        r.lead(head, text)
    r.signature()
    r.save(path, bpt.save_docx)


def build_summary(path: Path) -> None:
    r = Gongwen(bpt.new_document(bpt.FONT_BODY, bpt.SIZE_BODY), "{{ org }}{{ year }}年度发展党员工作总结")
    r.tag("{%p if official.to %}")
    r.addressee()
    r.tag("{%p endif %}")
    r.body("{{ year }}年，在上级党组织的领导下，我们认真贯彻《中国共产党发展党员工作细则》，按照年度发展党员工作计划，"
           "扎实做好发展党员工作。现将全年工作总结如下。")
    r.heading("一、指导思想")
    r.body(GUIDANCE)
    r.heading("二、目标要求完成情况")
    r.body("{{ done }}")
    r.body("{{ end.text }}")
    r.tag("{%p if achieved %}")
    r.body("年度目标完成情况如下（结构目标按当年新党员计算）：")
    space(r)
    t = bpt.TableBuilder(r.doc, [1.2, 4.2, 3.6, 4.2, 2.4])
    header(t, ["序号", "指标", "年度目标", "完成情况", "是否达到"])
    j_table_rows(t, "a in achieved", ["{{ a.no }}", "{{ a.label }}", "{{ a.target }}", "{{ a.actual }}", "{{ a.met }}"])
    space(r, 14)
    r.tag("{%p endif %}")
    r.tag("{%p if unmet %}")
    r.body("未达到的目标：{{ unmet }}。")
    r.tag("{%p endif %}")
    r.heading("三、基本措施落实情况")
    for head, text in DONE:
        r.lead(head, text)
    r.signature()
    r.save(path, bpt.save_docx)


BUILDERS = {"bulletin.docx": build_bulletin, "plan.docx": build_plan, "summary.docx": build_summary}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=OUT,
                    help="where to write the templates (default: templates/party/reports)")
    args = ap.parse_args(argv)
    for name, build in BUILDERS.items():
        bpt.TableBuilder._next_bookmark_id = 0
        path = args.out_dir / name
        build(path)
        print(f"wrote {path.relative_to(bpt.ROOT) if path.is_relative_to(bpt.ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
