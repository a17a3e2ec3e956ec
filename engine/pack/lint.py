"""docflow lint — render every document of a pack with a complete sample case (``engine.pack.sample``) and report:

- a template that cannot be rendered (an undefined variable, a broken tag) or a tag left as text;
- a blank the context could have filled: a ``{{ }}`` that printed nothing although every fact of the sample
  case is known, an issued form's prefilled (``info_*``) cell left empty, or underscores written into the
  template (a blank for handwriting is asked for as ``{{ by_hand("date") }}``, so it is not one of these);
- an issued form without a mark (bookmark / defined name) for a field it collects.
Dates cannot come from the day of rendering: the context has none (see ``engine.output.context``)."""
from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from ..errors import DocflowError
from ..output.context import document_context
from ..output.glyphs import DEFAULT_PLAN, FontPlan
from ..output.render import Identity, Renderer, jinja_env
from ..read import docx as docx_reader
from ..read import xlsx as xlsx_reader
from ..read.office import SAFE_PARSER
from ..read.safety import open_package
from .model import DocumentDef, Pack
from .sample import sample_case

_TAG_SPLIT = ("{{", "{%")
EMPTY, HAND = "⟦空⟧", "⟦手填⟧"
_BLANK = re.compile(r"[_＿]{2,}")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def lint_renderer(pack: Pack, fonts: FontPlan | None = None) -> Renderer:
    """A renderer that prints ⟦空⟧ for an empty ``{{ }}`` and ⟦手填⟧ for a blank left for handwriting."""
    env = jinja_env()
    base = env.finalize or (lambda v: v)
    env.finalize = lambda v: EMPTY if v is None or v == "" else base(v)
    env.globals["by_hand"] = lambda kind="line": HAND
    return Renderer(pack, env, fonts or DEFAULT_PLAN)


def lint_pack(pack: Pack, fonts: FontPlan | None = None) -> list[str]:
    problems: list[str] = []
    renderer = lint_renderer(pack, fonts)
    for doc_id, doc in pack.documents.items():
        where = f"documents.{doc_id}（{doc.template}）"
        problems += [f"{where}：{p}" for p in lint_document(pack, renderer, doc)]
    return problems + archive_dates(pack)


def render_plan(pack: Pack) -> dict[str, str]:
    """Each template of the pack → how it is rendered: "" for docflow's fast path, otherwise why it goes through
    docxtpl (Word) or openpyxl (Excel)."""
    renderer = Renderer(pack)
    return {doc.template: renderer.plan(doc) for doc in pack.documents.values()}


# ---------------------------------------------------------------- dates that name their thing
_NOT_A_NAME = {"日期", "时间", "年月", "之日"}


def same_thing(title: str, label: str) -> bool:
    """Does a date's label (e.g. 提交转正申请日期) name the thing a title speaks of (e.g. 转正申请书)? They share a
    two-character word other than 日期/时间."""
    pairs = {label[i:i + 2] for i in range(len(label) - 1)} - _NOT_A_NAME
    return any(p in title for p in pairs)


def _date_label(pack: Pack, ref: str) -> str:
    key = ref.partition(".")[2]
    fact = pack.facts.get(key)
    return fact.label if fact else key


def archive_dates(pack: Pack) -> list[str]:
    """Each dossier entry is dated by a date of the thing it lists (转正申请书 by the day the application was
    handed in, not by the end of probation)."""
    out = []
    for i, item in enumerate(pack.archive):
        where = f"archive[{i}]（{item.title}）"
        if item.span is not None:
            step = next((s for s in pack.steps if s.id == item.span.step and s.repeat), None)
            field = pack.forms[step.form].field(item.span.field) if step else None
            if step is None or field is None or field.type != "date":
                out.append(f"{where}：span 须是可重复步骤表单中的日期字段")
            elif not same_thing(item.title, step.label + field.label):
                out.append(f"{where}：日期取自“{step.label}”的“{field.label}”，与材料名称不是同一件事")
            continue
        fact = pack.facts.get(item.date.key) if item.date else None
        if item.date is None or fact is None or fact.type not in ("date", "month"):
            out.append(f"{where}：date 须是 [facts] 中声明的日期（现为 {item.date!r}）")
        elif not same_thing(item.title, fact.label):
            out.append(f"{where}：日期取自“{fact.label}”，与材料名称不是同一件事")
    return out


def lint_document(pack: Pack, renderer: Renderer, doc: DocumentDef) -> list[str]:
    period = 1 if doc.period else None
    cs = sample_case(pack, doc)
    org = f"示例{pack.terms.organisation}"
    ctx = document_context(pack, org, cs, doc, period, f"{org}组织委员（电话：0000-1234567）")
    try:
        ident = Identity(doc.collects, cs.case_id, pack.version, period) if doc.collects else None
        data = renderer.render(doc, ctx, ident)
    except DocflowError as exc:
        return [exc.message]
    problems = _leftover_tags(data)
    if doc.template.endswith(".docx"):
        problems += _docx_blanks(data) + profile_problems(doc, data, renderer)
    else:
        problems += _xlsx_blanks(pack, data, doc.template)
    if doc.collects:
        problems += _missing_marks(pack, doc.collects, data, doc.template)
    return problems


def profile_problems(doc: DocumentDef, data: bytes, renderer: Renderer) -> list[str]:
    """A 公文 measured against GB/T 9704 (engine.output.gbt9704); a record that may run to more than one page
    must say 第 N 页 共 M 页."""
    from ..output.gbt9704 import check_official, check_record, format_deviation

    if doc.profile == "official":
        found = check_official(data, fallbacks=renderer.fonts.fallback_fonts())
    elif doc.pages != 1:
        found = check_record(data)
    else:
        return []
    return [format_deviation(d) for d in found]


def text_problems(texts: dict[str, str], renderer: Renderer) -> list[str]:
    """Settings that print on documents (the committee's name, the branches…) with a character no configured font
    has: it would print as a box."""
    from ..output.glyphs import uncovered

    return [f"{where}“{text}”中的“{c}”（U+{ord(c):04X}）没有一种已配置的字体能显示，请在 docflow.toml 的 [fonts] 中"
            "加入能显示它的字体" for where, text in texts.items() for c in uncovered(renderer.fonts, text)]


def _leftover_tags(data: bytes) -> list[str]:
    """Tags split across Word runs survive rendering as literal text: find them."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n for n in z.namelist() if n.startswith(("word/document", "xl/sharedStrings", "xl/worksheets"))]
        text = "".join(z.read(n).decode("utf-8", "replace") for n in names)
    return [f"渲染后仍残留模板标记“{t}”（标记可能被 Word 拆到了多个文字块中，请整段重新输入）"
            for t in _TAG_SPLIT if t in text]


def docx_paragraphs(data: bytes) -> list[str]:
    """The text of every paragraph of the body, headers and footers."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                root = etree.fromstring(z.read(name), SAFE_PARSER)
                out += ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in root.iter(f"{_W}p")]
    return [p for p in out if p]


def _docx_blanks(data: bytes) -> list[str]:
    problems = []
    for text in docx_paragraphs(data):
        if EMPTY in text:
            problems.append(f"一处应由系统填写的内容为空：“{_around(text, EMPTY)}”")
        bare = text.replace(HAND, "")
        for m in _BLANK.finditer(bare):
            problems.append(f"模板中写了空白横线：“{_around(bare, m.group())}”——能由系统填写的请用变量；"
                            "确需手填的请写 {{ by_hand(\"date\") }} 等")
    return problems


def _around(text: str, needle: str, width: int = 18) -> str:
    at = text.index(needle)
    return text[max(0, at - width): at + len(needle) + width]


def _xlsx_blanks(pack: Pack, data: bytes, template: str) -> list[str]:
    """Prefilled (info_*) cells: none empty, and a dated one beside a label that names the same thing."""
    wb = xlsx_reader.load(open_package(data, template))
    out = []
    for name, (ws, cell) in xlsx_reader.named_cells(wb).items():
        if not name.startswith("info_"):
            continue
        label = str(ws.cell(cell.row, cell.column - 1).value or "") if cell.column > 1 else ""
        if cell.value in (None, ""):
            out.append(f"预填的格子“{label or name}”（{name}，{ws.title}!{cell.coordinate}）为空")
        fact = pack.facts.get(name[len("info_"):])
        if fact is not None and fact.type == "date" and label and not same_thing(label, fact.label):
            out.append(f"预填的格子“{label}”（{ws.title}!{cell.coordinate}）填的是“{fact.label}”，不是同一件事")
    return out


def _missing_marks(pack: Pack, form_id: str, data: bytes, template: str) -> list[str]:
    form = pack.forms[form_id]
    pkg = open_package(data, template)
    if pkg.kind == "xlsx":
        names = set(xlsx_reader.named_cells(xlsx_reader.load(pkg)))
    else:
        root = docx_reader.body(pkg)
        names = {bm.get(f"{{{docx_reader.W}}}name") for bm in root.iter(f"{{{docx_reader.W}}}bookmarkStart")}
    return [f"表单字段 {f.key}（{f.label}）没有对应的{'定义名称' if pkg.kind == 'xlsx' else '书签'}"
            for f in form.fields if f.key not in names]
