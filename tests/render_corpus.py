"""A corpus of Word templates for proving a renderer gives docxtpl's result, and the comparators that prove it.

- ``package_text(data)``: everything a reader sees in a .docx package — the body (paragraphs in order, tables as
  rows of cells of blocks, nested tables too, pictures by the hash of their bytes), each header and footer (keyed
  by section and kind, not by file name), footnotes and endnotes, core and custom properties.
- ``package_parts(data)``: every part reachable from the package's relationships (keyed by the relationship path,
  not by file name), as its content type and canonical XML (or the hash of its bytes): formatting, cell shading,
  grid spans, field codes — anything the text leaves out.
- ``package_problems(data)``: what makes a package invalid for Word: a relationship to a missing member, a member
  without a content type, a reference (``r:embed``, ``r:id``) to a relationship that does not exist, duplicate
  ``wp:docPr`` ids.
- ``first_difference(a, b)``: where two of those first differ, as a short message.

The templates are built with python-docx; each builder returns (template bytes, context). ``CASES`` lists them
with whether the fast renderer is expected to fall back to docxtpl and the custom properties to render with."""
from __future__ import annotations

import copy
import hashlib
import io
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docxtpl import Listing, RichText, RichTextParagraph
from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "cust": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_W, _R, _A, _V = (f"{{{NS[k]}}}" for k in ("w", "r", "a", "v"))
RT_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CT, _REL, _WP = (f"{{{NS[k]}}}" for k in ("ct", "rel", "wp"))
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
Tpl = tuple[bytes, dict[str, Any]]


# ================================================================ reading a package
def _open(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def _rid_key(rid: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", rid)
    return (int(digits) if digits else -1, rid)


def _sorted_rels(rels: Any) -> list[Any]:
    return [rels[k] for k in sorted(rels, key=_rid_key)]


def _element(part: Any) -> etree._Element:
    element = getattr(part, "element", None)
    return element if element is not None else etree.fromstring(part.blob, _PARSER)


def _sha(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:16]


class _Reader:
    """Text of the story parts of one package part (it resolves pictures through the part's relationships)."""

    def __init__(self, part: Any) -> None:
        self.part = part

    def blocks(self, container: etree._Element) -> list[Any]:
        out: list[Any] = []
        for child in container:
            tag = child.tag
            if tag == f"{_W}p":
                out.append(self.paragraph(child))
            elif tag == f"{_W}tbl":
                out.append({"table": [self.row(tr) for tr in child.iterchildren(f"{_W}tr")]})
            elif tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent"):
                out += self.blocks(child)
        return out

    def row(self, tr: etree._Element) -> list[Any]:
        cells: list[Any] = []
        for child in tr:
            if child.tag == f"{_W}tc":
                cells.append(self.blocks(child))
            elif child.tag in (f"{_W}sdt", f"{_W}customXml"):       # cells inside a content control
                for tc in child.iter(f"{_W}tc"):
                    cells.append(self.blocks(tc))
        return cells

    def paragraph(self, p: etree._Element) -> str:
        out = []
        for el in p.iter():
            tag = el.tag
            if not isinstance(tag, str) or not tag.startswith((_W, _A, _V)):
                continue
            name = etree.QName(el).localname
            if tag == f"{_W}t":
                out.append(el.text or "")
            elif tag in (f"{_W}tab", f"{_W}ptab") and etree.QName(el.getparent()).localname == "r":
                out.append("\t")
            elif tag == f"{_W}br":
                kind = el.get(f"{_W}type")
                out.append("\f" if kind == "page" else "\v" if kind == "column" else "\n")
            elif tag == f"{_W}cr":
                out.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                out.append("\u2011")
            elif tag == f"{_W}softHyphen":
                out.append("\u00ad")
            elif tag == f"{_W}sym":
                out.append(chr(int(el.get(f"{_W}char", "0"), 16)))
            elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference", f"{_W}commentReference"):
                out.append(f"[^{name[:-9]}:{el.get(f'{_W}id')}]")
            elif tag in (f"{_W}footnoteRef", f"{_W}endnoteRef"):
                out.append("[^ref]")
            elif tag in (f"{_A}blip", f"{_V}imagedata"):
                rid = el.get(f"{_R}embed") or el.get(f"{_R}id") or el.get(f"{_R}link") or ""
                out.append(f"[图片:{self.target(rid)}]")
            elif tag == f"{_W}drawing":
                out.append("[drawing]")
        return "".join(out)

    def target(self, rid: str) -> str:
        rel = self.part.rels.get(rid)
        if rel is None:
            return f"缺少关系 {rid}"
        if rel.is_external:
            return f"外部 {rel.target_ref}"
        return _sha(rel.target_part.blob)


def _notes(part: Any, tag: str) -> dict[str, Any]:
    root = _element(part)
    reader = _Reader(part)
    return {note.get(f"{_W}id"): reader.blocks(note) for note in root.iterchildren(f"{_W}{tag}")
            if note.get(f"{_W}type") in (None, "normal")}


def _custom_properties(pkg: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for rel in _sorted_rels(pkg.rels):
        if rel.reltype == RT_CUSTOM and not rel.is_external:
            for prop in etree.fromstring(rel.target_part.blob, _PARSER).iterchildren(f"{{{NS['cust']}}}property"):
                value = "".join("".join(v.itertext()) for v in prop)
                out[prop.get("name") or ""] = value
    return out


CORE_FIELDS = ("title", "subject", "author", "comments", "identifier", "language", "keywords", "category",
               "content_status", "last_modified_by", "version", "revision", "created", "modified", "last_printed")


def package_text(data: bytes) -> dict[str, Any]:
    """Everything a reader sees in a .docx package (see the module's docstring)."""
    document = _open(data)
    main = document.part
    reader = _Reader(main)
    body = main.element.body
    out: dict[str, Any] = {"body": reader.blocks(body)}
    parts: dict[str, Any] = {}
    referenced = set()
    sect_prs = [p for p in body.iter(f"{_W}sectPr")]
    for i, sect in enumerate(sect_prs, start=1):
        for ref in sect:
            kind = etree.QName(ref).localname
            if kind not in ("headerReference", "footerReference"):
                continue
            rid = ref.get(f"{_R}id")
            rel = main.rels.get(rid)
            key = f"section{i}/{kind[:-9]}/{ref.get(f'{_W}type', 'default')}"
            if rel is None or rel.is_external:
                parts[key] = f"缺少关系 {rid}"
                continue
            referenced.add(rid)
            parts[key] = _Reader(rel.target_part).blocks(_element(rel.target_part))
    n = 0
    for rel in _sorted_rels(main.rels):
        if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.rId not in referenced and not rel.is_external:
            n += 1
            kind = "header" if rel.reltype == RT.HEADER else "footer"
            parts[f"unreferenced/{kind}/{n}"] = _Reader(rel.target_part).blocks(_element(rel.target_part))
    out["headers_footers"] = parts
    for reltype, tag, key in ((RT.FOOTNOTES, "footnote", "footnotes"), (RT.ENDNOTES, "endnote", "endnotes"),
                              (RT.COMMENTS, "comment", "comments")):
        notes: dict[str, Any] = {}
        for rel in _sorted_rels(main.rels):
            if rel.reltype == reltype and not rel.is_external:
                notes.update(_notes(rel.target_part, tag))
        out[key] = notes
    core = document.core_properties
    out["core"] = {f: _core_value(getattr(core, f)) for f in CORE_FIELDS}
    out["custom"] = _custom_properties(main.package)
    return out


def _core_value(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---------------------------------------------------------------- every part, canonically
def _reltype(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def canonical_xml(blob: bytes, drop_empty: bool = False) -> str:
    """The XML of a part, canonical (C14N), with whitespace between elements dropped (python-docx drops it when it
    parses a part, a renderer that copies the bytes keeps it); the text of elements without children is kept.
    ``drop_empty``: also drop empty elements without attributes (in the core properties an empty
    ``<dc:identifier/>``, which docxtpl writes for every property it renders, reads as a missing one)."""
    root = etree.fromstring(blob, _PARSER)
    if drop_empty:
        for el in list(root.iter()):
            if el is not root and not len(el) and not el.attrib and not (el.text or "") and el.getparent() is not None:
                el.getparent().remove(el)
    for el in root.iter():
        if len(el) and el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    return etree.tostring(root, method="c14n").decode("utf-8")


def _is_xml(part: Any) -> bool:
    ct = part.content_type
    return ct.endswith("+xml") or ct.endswith("/xml") or str(part.partname).endswith((".xml", ".rels"))


def package_parts(data: bytes) -> dict[str, Any]:
    """Every part reachable from the package relationships: key = path of (relationship type #n) from the package,
    value = content type and canonical XML (or hash), and the external relationships of the part."""
    document = _open(data)
    pkg = document.part.package
    out: dict[str, Any] = {}
    seen: dict[str, str] = {}

    def visit(source: Any, prefix: str) -> None:
        counts: dict[str, int] = {}
        for rel in _sorted_rels(source.rels):
            short = _reltype(rel.reltype)
            counts[short] = counts.get(short, 0) + 1
            key = f"{prefix}{short}#{counts[short]}"
            if rel.is_external:
                out[key] = {"external": rel.target_ref}
                continue
            part = rel.target_part
            name = str(part.partname)
            if name in seen:
                out[key] = {"same_as": seen[name]}
                continue
            seen[name] = key
            if part.content_type == CT.OPC_CORE_PROPERTIES:
                content = canonical_xml(part.blob, drop_empty=True)
            else:
                content = canonical_xml(part.blob) if _is_xml(part) else _sha(part.blob)
            out[key] = {"content_type": part.content_type, "content": content}
            visit(part, key + "/")

    visit(pkg, "")
    return out


# ---------------------------------------------------------------- validity
def package_problems(data: bytes) -> list[str]:
    """What would make Word refuse or repair the package (empty: none found)."""
    import zipfile

    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if z.testzip() is not None:
            problems.append(f"损坏的压缩成员 {z.testzip()}")
        ct = etree.fromstring(z.read("[Content_Types].xml"), _PARSER)
        defaults = {el.get("Extension", "").lower() for el in ct.iterchildren(f"{_CT}Default")}
        overrides = {el.get("PartName", "").lstrip("/") for el in ct.iterchildren(f"{_CT}Override")}
        for name in sorted(names):
            if name == "[Content_Types].xml" or name.endswith("/"):
                continue
            if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
                problems.append(f"{name} 没有内容类型")
        for name in sorted(overrides - names):
            problems.append(f"内容类型指向不存在的成员 {name}")
        docpr: dict[str, str] = {}
        for name in sorted(n for n in names if n.endswith(".rels")):
            folder, _, rels_file = name.rpartition("_rels/")
            source = folder + rels_file[: -len(".rels")]
            if source and source not in names:
                problems.append(f"{name} 属于不存在的成员 {source}")
            rels = etree.fromstring(z.read(name), _PARSER)
            ids = set()
            for rel in rels.iterchildren(f"{_REL}Relationship"):
                ids.add(rel.get("Id"))
                if rel.get("TargetMode") == "External":
                    continue
                target = _resolve(folder, rel.get("Target", ""))
                if target not in names:
                    problems.append(f"{name} 的关系 {rel.get('Id')} 指向不存在的成员 {target}")
            if source.endswith(".xml") and source in names:
                root = etree.fromstring(z.read(source), _PARSER)
                for el in root.iter():
                    for attr, value in el.attrib.items():
                        if attr.startswith(_R) and attr[len(_R):] in ("id", "embed", "link", "pict", "dm", "lo",
                                                                       "qs", "cs") and value not in ids:
                            problems.append(f"{source} 引用了不存在的关系 {value}")
                if source.startswith("word/"):
                    for el in root.iter(f"{_WP}docPr"):
                        pid = el.get("id", "")
                        if not pid.isdigit():
                            problems.append(f"{source} 的 docPr id 不是数字：{pid!r}")
                        elif pid in docpr:
                            problems.append(f"docPr id {pid} 重复（{docpr[pid]} 与 {source}）")
                        docpr[pid] = source
    return problems


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = (folder + target).split("/")
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        elif p and p != ".":
            out.append(p)
    return "/".join(out)


# ---------------------------------------------------------------- comparing
def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """None when equal; otherwise where a and b first differ, e.g. ``body[3][table][0][1][0]: '张三' != '张四'``."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                where = "后者" if key not in b else "前者"
                return f"{path}[{key!r}]: {where}没有这一项（另一方为 {_short(a.get(key, b.get(key)))}）"
            diff = first_difference(a[key], b[key], f"{path}[{key!r}]")
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            diff = first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        if len(a) != len(b):
            extra = a[len(b)] if len(a) > len(b) else b[len(a)]
            return f"{path}: 长度 {len(a)} != {len(b)}（多出的第一项：{_short(extra)}）"
        return None
    if isinstance(a, str) and isinstance(b, str):
        if a == b:
            return None
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        lo = max(0, at - 60)
        return f"{path}: 第 {at} 个字符起不同：{a[lo:at + 60]!r} != {b[lo:at + 60]!r}"
    if a != b:
        return f"{path}: {_short(a)} != {_short(b)}"
    return None


def _short(value: Any, width: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width] + "…"


# ================================================================ building templates
FONT = "仿宋"


def tiny_png(rgb: tuple[int, int, int] = (200, 30, 30), width: int = 4, height: int = 3) -> bytes:
    """A valid PNG of one colour, from plain bytes."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def new_document(font: str = FONT) -> Any:
    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return doc


def save(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def run(p: Any, text: str, *, bold: bool = False, italic: bool = False, color: str | None = None,
        font: str | None = None, size: float | None = None, underline: bool = False) -> Any:
    r = p.add_run(text)
    r.bold = bold or None
    r.italic = italic or None
    r.underline = underline or None
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    if font:
        r.font.name = font
        r._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if size:
        r.font.size = Pt(size)
    return r


def raw(p: Any, xml: str) -> None:
    """Append raw WordprocessingML (one element; the w: and r: namespaces are declared here) to a paragraph."""
    p._p.append(parse_xml(re.sub(r"^<([\w:]+)", lambda m: f"<{m.group(1)} {nsdecls('w', 'r')}", xml, count=1)))


def paragraphs(doc_or_cell: Any, *texts: str) -> None:
    for text in texts:
        doc_or_cell.add_paragraph(text)


def set_cell(cell: Any, text: str) -> None:
    cell.paragraphs[0].text = text


def grid_table(container: Any, rows: list[list[str]], width: Any = None) -> Any:
    if width is None:
        table = container.add_table(rows=len(rows), cols=len(rows[0]))
    else:
        table = container.add_table(rows=len(rows), cols=len(rows[0]), width=width)
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            set_cell(table.cell(r, c), text)
    return table


# ---------------------------------------------------------------- the cases
def plain_variables() -> Tpl:
    doc = new_document()
    doc.add_heading("{{ doc.title }}", level=1)
    paragraphs(doc, "姓名：{{ name }}　性别：{{ sex }}", "{{ org.name }}的{{ doc.title }}（{{ year }}年）",
               "数字：{{ count }}，小数：{{ ratio }}，空值：{{ nothing }}，真值：{{ flag }}",
               "日期：{{ by_hand(\"date\") }}　签名：{{ by_hand(\"name\") }}", "  前后有空格  {{ name }}  ")
    return save(doc), {"name": "张三", "sex": "男", "org": {"name": "某某党支部"}, "doc": {"title": "入党申请书"},
                       "year": 2026, "count": 0, "ratio": 3.5, "nothing": None, "flag": True}


def split_runs() -> Tpl:
    """Tags split across runs of different formatting, with Word's proofErr and a bookmark in between."""
    doc = new_document()
    p = doc.add_paragraph()
    run(p, "申请人：", bold=True)
    run(p, "{", color="FF0000")
    run(p, "{ ", italic=True)
    raw(p, '<w:proofErr w:type="spellStart"/>')
    run(p, "appl", underline=True, font="黑体")
    run(p, "icant.name", size=16)
    raw(p, '<w:proofErr w:type="spellEnd"/>')
    run(p, " }", bold=True)
    run(p, "}", italic=True)
    run(p, "，支部：")
    raw(p, '<w:bookmarkStart w:id="7" w:name="branch"/>')
    run(p, "{{ bra", color="0000FF")
    run(p, "nch }}")
    raw(p, '<w:bookmarkEnd w:id="7"/>')
    p = doc.add_paragraph()
    run(p, "{%p i", bold=True)
    run(p, "f show ")
    run(p, "%}", italic=True)
    doc.add_paragraph("条件成立的段落：{{ applicant.name }}")
    p = doc.add_paragraph()
    run(p, "{%p en")
    run(p, "dif %}", bold=True)
    p = doc.add_paragraph()
    run(p, "{{ applicant.name", bold=True)
    run(p, " | length }}", italic=True)
    run(p, "个字")
    table = grid_table(doc, [["序号", "名称"], ["{%tr for r in rows %}", ""], ["{{ r.no }}", "{{ r.name }}"],
                             ["{%tr endfor %}", ""]])
    cell = table.cell(1, 0).paragraphs[0]
    cell.text = ""
    run(cell, "{%t", bold=True)
    run(cell, "r for r in ro")
    run(cell, "ws %}", italic=True)
    return save(doc), {"applicant": {"name": "李四"}, "branch": "第一党支部", "show": True,
                       "rows": [{"no": 1, "name": "甲"}, {"no": 2, "name": "乙"}]}


def paragraph_tags() -> Tpl:
    doc = new_document()
    paragraphs(doc, "开头", "{%p if show %}", "显示的段落 {{ a }}", "{%p else %}", "不显示的段落", "{%p endif %}",
               "{%p if hide %}", "隐藏的段落", "{%p endif %}",
               "{%p for m in members %}", "第{{ loop.index }}位：{{ m.name }}（{{ m.role }}）",
               "{%p if m.note %}", "备注：{{ m.note }}", "{%p endif %}", "{%p endfor %}",
               "{%p for x in empty %}", "不应出现 {{ x }}", "{%p endfor %}", "结尾")
    for text in ("{%p for item in items %}", "{{ item }}", "{%p endfor %}"):
        doc.add_paragraph(text, style="List Number")
    paragraphs(doc, "{#p 这是注释，不会出现 #}", "注释之后")
    return save(doc), {"show": True, "hide": False, "a": "甲", "empty": [], "items": ["第一项", "第二项", "第三项"],
                       "members": [{"name": "张三", "role": "书记", "note": "兼任"},
                                   {"name": "李四", "role": "委员", "note": ""},
                                   {"name": "王五", "role": "委员", "note": "新任"}]}


def table_rows() -> Tpl:
    doc = new_document()
    doc.add_paragraph("名单（共{{ rows|length }}人）")
    grid_table(doc, [["序号", "姓名", "性别", "出生年月", "备注"],
                     ["{%tr for r in rows %}", "", "", "", ""],
                     ["{{ loop.index }}", "{{ r.name }}", "{{ r.sex }}", "{{ r.birth }}", "{{ r.note }}"],
                     ["{%tr endfor %}", "", "", "", ""],
                     ["{%tr if total %}", "", "", "", ""],
                     ["合计", "{{ total }}人", "", "", ""],
                     ["{%tr endif %}", "", "", "", ""],
                     ["{%tr if never %}", "", "", "", ""],
                     ["不出现", "", "", "", ""],
                     ["{%tr endif %}", "", "", "", ""]])
    doc.add_paragraph("表后文字")
    people = (("张三", "男", "1995年3月", ""), ("李四", "女", "1996年12月", "少数民族"),
              ("王五", "男", "2000年1月", "&<>"))
    rows = [{"name": n, "sex": s, "birth": b, "note": note} for n, s, b, note in people]
    return save(doc), {"rows": rows, "total": 3, "never": False}


def table_rows_empty() -> Tpl:
    data, ctx = table_rows()
    return data, {**ctx, "rows": [], "total": 0}


def column_loop() -> Tpl:
    doc = new_document()
    doc.add_paragraph("按列展开")
    grid_table(doc, [["项目", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"],
                     ["得分", "{%tc for v in scores %}", "{{ v }}", "{%tc endfor %}"]])
    return save(doc), {"cols": ["政治", "业务", "纪律", "作风"], "scores": [95, 88, 90, 92]}


def colspan() -> Tpl:
    doc = new_document()
    table = grid_table(doc, [["{% colspan n %}{{ title }}", "", ""], ["甲", "乙", "丙"]])
    row = table.rows[0]._tr
    for tc in row.findall(qn("w:tc"))[1:]:
        row.remove(tc)
    return save(doc), {"n": 3, "title": "合并的标题"}


def horizontal_merge() -> Tpl:
    doc = new_document()
    grid_table(doc, [["{%tc for c in cols %}", "{% hm %}{{ title }}", "{%tc endfor %}"],
                     ["{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"]])
    return save(doc), {"cols": ["一", "二", "三"], "title": "横向合并"}


def cell_background() -> Tpl:
    doc = new_document()
    grid_table(doc, [["姓名", "状态"], ["{%tr for r in rows %}", ""],
                     ["{% cellbg r.color %}{{ r.name }}", "{{ r.state }}"], ["{%tr endfor %}", ""],
                     ["{% cellbg fixed %}固定底色", "无底色"]])
    return save(doc), {"fixed": "FFFF00", "rows": [{"name": "张三", "state": "通过", "color": "00FF00"},
                                                    {"name": "李四", "state": "待定", "color": "FF0000"}]}


def vertical_merge() -> Tpl:
    doc = new_document()
    grid_table(doc, [["类别", "姓名"], ["{%tr for r in rows %}", ""], ["{% vm %}{{ category }}", "{{ r }}"],
                     ["{%tr endfor %}", ""]])
    return save(doc), {"category": "发展对象", "rows": ["张三", "李四", "王五"]}


def run_tags() -> Tpl:
    doc = new_document()
    p = doc.add_paragraph()
    run(p, "甲", bold=True)
    run(p, "{%r if show %}")
    run(p, "乙（条件）", italic=True)
    run(p, "{%r endif %}")
    run(p, "{%r if hide %}")
    run(p, "不出现", color="FF0000")
    run(p, "{%r endif %}")
    run(p, "丙")
    p = doc.add_paragraph()
    run(p, "成员：")
    run(p, "{%r for m in members %}")
    run(p, "{{ m }}", bold=True)
    run(p, "{%r if not loop.last %}")
    run(p, "、")
    run(p, "{%r endif %}")
    run(p, "{%r endfor %}")
    run(p, "。")
    return save(doc), {"show": True, "hide": False, "members": ["张三", "李四", "王五"]}


def rich_text() -> Tpl:
    doc = new_document()
    p = doc.add_paragraph()
    run(p, "说明：", bold=True)
    run(p, "{{r rich }}")
    run(p, "（完）")
    doc.add_paragraph("{{p para }}")
    doc.add_paragraph("行内：{{r small }}结束")
    rich = RichText("加粗", bold=True)
    rich.add("\n红色换行", color="#FF0000")
    rich.add("斜体<&>“引号”", italic=True, font="黑体", size=28)
    rich.add(" 下划线", underline=True)
    rich.add("东亚字体", font="eastAsia:楷体")
    para = RichTextParagraph()
    para.add(RichText("整段富文本", bold=True))
    para.add("第二段 & 普通", parastyle="Heading2")
    return save(doc), {"rich": rich, "para": para, "small": RichText("小字", size=18, highlight="#FFFF00")}


def listing() -> Tpl:
    doc = new_document()
    p = doc.add_paragraph()
    run(p, "清单：", bold=True)
    run(p, "{{ items }}", italic=True)
    doc.add_paragraph("{{ more }}")
    grid_table(doc, [["{{ cell_listing }}"]])
    return save(doc), {"items": Listing("第一行\n第二行\t制表后\a新段落 & <标记>\f分页之后"),
                       "more": Listing("甲\t乙\t丙\n丁"), "cell_listing": Listing("格中第一行\n格中第二行")}


def special_characters() -> Tpl:
    doc = new_document()
    paragraphs(doc, "地址：{{ addr }}", "符号：{{ symbols }}", "制表：{{ tabbed }}",
               "大括号：{{ braces }}", "转义序列值：{{ escaped_value }}", "空白：[{{ spaces }}]")
    grid_table(doc, [["{{ addr }}", "{{ symbols }}"]])
    section = doc.sections[0]
    section.header.paragraphs[0].text = "页眉：{{ symbols }}｜{{ addr }}"
    section.footer.paragraphs[0].text = "页脚：{{ tabbed }}"
    return save(doc), {"addr": "北京市\n海淀区\n某街道1号", "symbols": "A & B <c> \"d\" 'e' ‘f’ “g” > &amp;",
                       "tabbed": "甲\t乙", "braces": "{{ not_a_variable }} {% if %} {# x #}",
                       "escaped_value": "{_{ 值 }_} {_% 值 %_}", "spaces": "  两端空格  "}


def cjk_text() -> Tpl:
    doc = new_document("仿宋")
    doc.add_heading("中共{{ org.name }}委员会", level=0)
    p = doc.add_paragraph()
    run(p, "姓　　名：", font="黑体", bold=True)
    run(p, "{{ name }}", font="仿宋_GB2312")
    run(p, "　民族：{{ nation }}", font="楷体")
    paragraphs(doc, "称呼：{{ nick or “无” }}，籍贯：{{ ‘北京’ if local else native }}",
               "“{{ name }}”同志，经支部大会讨论，同意接收为中共预备党员。",
               "生僻字：{{ rare }}；全角标点：，。；：？！（）【】《》——……",
               "{{ name }}（身份证号：{{ id_number }}）")
    grid_table(doc, [["姓名", "{{ name }}", "民族", "{{ nation }}"], ["工作单位及职务", "{{ unit }}", "", ""]])
    return save(doc), {"org": {"name": "某某大学"}, "name": "张三", "nation": "汉族", "nick": "", "local": False,
                       "native": "浙江杭州", "rare": "𠮷𡈼 龘 㐀", "id_number": "11010119950307123X",
                       "unit": "某某大学计算机学院教师"}


def headers_footers() -> Tpl:
    doc = new_document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = "{{ org.name }}　{{ doc.title }}"
    section.header.add_paragraph("{%p if confidential %}")
    section.header.add_paragraph("内部资料 注意保密")
    section.header.add_paragraph("{%p endif %}")
    grid_table(section.header, [["编号", "{{ number }}"], ["{%tr for r in signers %}", ""], ["{{ r }}", "签字"],
                                ["{%tr endfor %}", ""]], width=Cm(10))
    section.header.add_paragraph("{{ header_listing }}")
    section.footer.paragraphs[0].text = "联系人：{{ contact }}"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "首页页眉：{{ doc.title }}"
    section.first_page_footer.paragraphs[0].text = "首页页脚：{{ org.name }}"
    doc.settings.odd_and_even_pages_header_footer = True
    section.even_page_header.paragraphs[0].text = "偶数页页眉：{{ number }}"
    section.even_page_footer.paragraphs[0].text = "偶数页页脚"
    p = section.footer.add_paragraph("第")
    raw(p, '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    p.add_run("页")
    doc.add_paragraph("正文第一节：{{ doc.title }}")
    new = doc.add_section()
    new.header.is_linked_to_previous = False
    new.header.paragraphs[0].text = "第二节页眉：{{ second }}"
    new.footer.is_linked_to_previous = False
    new.footer.paragraphs[0].text = "第二节页脚：{{ contact }}"
    doc.add_paragraph("正文第二节：{{ second }}")
    return save(doc), {"org": {"name": "某某党委"}, "doc": {"title": "公示"}, "confidential": True,
                       "number": "〔2026〕1号", "contact": "组织委员（电话：0000-1234567）", "second": "附件",
                       "signers": ["张三", "李四"], "header_listing": Listing("页眉第一行\n页眉\t第二行")}


FOOTNOTES_XML = (
    '<w:footnotes {ns}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    '</w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> 注：{{ note }}</w:t></w:r></w:p></w:footnote>'
    '<w:footnote w:id="2"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> 依据：{{ ba</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>sis }}</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>{{%p if extra %}}</w:t></w:r></w:p><w:p><w:r><w:t>补充：{{{{ extra }}}}</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>{{%p endif %}}</w:t></w:r></w:p></w:footnote>'
    '</w:footnotes>')


def add_footnotes(doc: Any, template: str = FOOTNOTES_XML) -> None:
    xml = template.replace("{{{{", "\x00").replace("}}}}", "\x01").replace("{{%", "\x02")
    xml = xml.replace("{ns}", nsdecls("w")).replace("\x00", "{{").replace("\x01", "}}").replace("\x02", "{%")
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)


def _footnote_reference(p: Any, note_id: int) -> None:
    raw(p, f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{note_id}"/></w:r>')


def footnotes() -> Tpl:
    doc = new_document()
    p = doc.add_paragraph("正文{{ name }}")
    _footnote_reference(p, 1)
    p = doc.add_paragraph("第二处")
    _footnote_reference(p, 2)
    add_footnotes(doc)
    return save(doc), {"name": "张三", "note": "张三 & 李四 <同届>", "basis": "《中国共产党发展党员工作细则》",
                       "extra": "第十二条"}


def footnotes_two_sections() -> Tpl:
    """docxtpl renders the footnotes once per section: with values that render the same again, the same text."""
    data, ctx = footnotes()
    doc = docx.Document(io.BytesIO(data))
    doc.add_section()
    doc.add_paragraph("第二节")
    return save(doc), ctx


def core_properties() -> Tpl:
    doc = new_document()
    doc.add_paragraph("{{ title }}")
    cp = doc.core_properties
    cp.title = "{{ title }}"
    cp.subject = "{{ subject }}——{{ org }}"
    cp.author = "{{ author }}"
    cp.comments = "{{ desc }}"
    cp.identifier = "{{ ident }}"
    cp.language = "{{ lang }}"
    cp.keywords = "{{ kw }}"            # docxtpl does not render keywords, category, content status, version
    cp.category = "{{ cat }}"
    cp.content_status = "{{ status }}"
    cp.version = "{{ ver }}"
    cp.last_modified_by = "{{ who }}"
    return save(doc), {"title": "入党申请书", "subject": "发展党员", "org": "某某支部", "author": "张三",
                       "desc": "由系统生成", "ident": "2026-0001", "lang": "zh-CN", "kw": "不渲染",
                       "cat": "不渲染", "status": "草稿", "ver": "1.0", "who": "李四"}


def core_properties_escaping() -> Tpl:
    """With autoescape, docxtpl writes a property's rendered value as it is: ``A & B`` is stored as ``A &amp; B``."""
    doc = new_document()
    doc.add_paragraph("{{ title }}")
    doc.core_properties.title = "{{ title }}"
    doc.core_properties.subject = "{{ subject|safe }}"
    doc.core_properties.author = "固定作者 & 合作者"
    return save(doc), {"title": "A & B <C> \"D\"", "subject": "甲 & 乙"}


def existing_images() -> Tpl:
    doc = new_document()
    doc.add_paragraph("{{ name }}的照片：")
    doc.add_paragraph().add_run().add_picture(io.BytesIO(tiny_png((200, 30, 30))), width=Cm(2))
    p = doc.add_paragraph("行内图片前{{ before }}")
    p.add_run().add_picture(io.BytesIO(tiny_png((30, 200, 30))), width=Cm(1))
    p.add_run("行内图片后{{ after }}")
    paragraphs(doc, "{%p for m in members %}")
    p = doc.add_paragraph("{{ m }}：")
    p.add_run().add_picture(io.BytesIO(tiny_png((30, 30, 200))), width=Cm(1))
    paragraphs(doc, "{%p endfor %}")
    header = doc.sections[0].header.paragraphs[0]
    header.text = "页眉{{ name }}"
    header.add_run().add_picture(io.BytesIO(tiny_png((90, 90, 90))), width=Cm(1))
    return save(doc), {"name": "张三", "before": "甲", "after": "乙", "members": ["一", "二", "三"]}


def nested_tables() -> Tpl:
    doc = new_document()
    outer = grid_table(doc, [["{%tr for g in groups %}", ""], ["{{ g.name }}", ""], ["{%tr endfor %}", ""]])
    cell = outer.cell(1, 0)
    cell.add_paragraph("{%p for t in g.tags %}")
    cell.add_paragraph("标签：{{ t }}")
    cell.add_paragraph("{%p endfor %}")
    inner_cell = outer.cell(1, 1)
    set_cell(inner_cell, "成员：")
    inner = inner_cell.add_table(rows=4, cols=2)
    inner.style = "Table Grid"
    for r, (a, b) in enumerate((("姓名", "职务"), ("{%tr for m in g.members %}", ""), ("{{ m.name }}", "{{ m.role }}"),
                                ("{%tr endfor %}", ""))):
        set_cell(inner.cell(r, 0), a)
        set_cell(inner.cell(r, 1), b)
    deeper = inner.cell(0, 1).add_table(rows=1, cols=1)
    set_cell(deeper.cell(0, 0), "第三层：{{ g.name }}")
    doc.add_paragraph("表后")
    groups = [{"name": "第一组", "tags": ["甲", "乙"], "members": [{"name": "张三", "role": "组长"},
                                                                 {"name": "李四", "role": "组员"}]},
              {"name": "第二组", "tags": [], "members": [{"name": "王五", "role": "组长"}]}]
    return save(doc), {"groups": groups}


def repeated_tables() -> Tpl:
    """A paragraph loop around a whole table (and a row loop inside it)."""
    doc = new_document()
    paragraphs(doc, "{%p for g in groups %}", "{{ g.name }}：")
    grid_table(doc, [["姓名", "得分"], ["{%tr for m in g.members %}", ""], ["{{ m.name }}", "{{ m.score }}"],
                     ["{%tr endfor %}", ""]])
    paragraphs(doc, "{%p endfor %}", "完")
    return save(doc), {"groups": [{"name": "第一组", "members": [{"name": "张三", "score": 90}]},
                                  {"name": "第二组", "members": [{"name": "李四", "score": 85},
                                                                 {"name": "王五", "score": 88}]},
                                  {"name": "第三组", "members": []}]}


def filters_and_set() -> Tpl:
    doc = new_document()
    paragraphs(doc, "{%p set total = items|sum(attribute='n') %}", "合计：{{ total }}",
               "{% set greeting = '您好' %}{{ greeting }}，{{ name|upper }}；{{ '%.2f'|format(ratio) }}",
               "名单：{{ items|map(attribute='name')|join('、') }}（{{ items|length }}人）",
               "默认值：{{ missing|default('无') }}；替换：{{ phrase|replace('旧', '新') }}",
               "截断：{{ long|truncate(9) }}；首字母：{{ word|capitalize }}；标题：{{ word|title }}",
               "反转：{{ items|reverse|map(attribute='n')|list }}",
               "{%p for i in range(3) %}", "第{{ i + 1 }}遍{% if i is even %}（偶）{% endif %}", "{%p endfor %}",
               "{{ '&' ~ name }} {{ name|e }} {{ amp|safe }}")
    return save(doc), {"items": [{"name": "张三", "n": 2}, {"name": "李四", "n": 3}], "name": "zhang san",
                       "ratio": 2 / 3, "phrase": "旧的旧事", "long": "这是一段很长很长很长的文字", "word": "docflow",
                       "amp": "&amp; 已转义"}


def escaped_braces() -> Tpl:
    """``{_{ }_}`` ``{_% %_}`` print ``{{ }}`` ``{% %}`` in the body, headers, footers and footnotes (not in the
    core properties, which docxtpl renders without that step)."""
    doc = new_document()
    paragraphs(doc, "字面量：{_{ 不是变量 }_}", "语句：{_% if x %_}", "混合：{_{ {{ name }} }_}")
    doc.sections[0].header.paragraphs[0].text = "页眉：{_{ 页眉 }_}"
    doc.sections[0].footer.paragraphs[0].text = "页脚：{_% 页脚 %_}"
    _footnote_reference(doc.paragraphs[0], 1)
    notes = FOOTNOTES_XML.replace("{{ note }}", "{_{ 脚注 }_}")
    add_footnotes(doc, notes)
    doc.core_properties.title = "标题：{_{ 原样 }_}"
    return save(doc), {"name": "张三", "basis": "依据", "extra": ""}


def empty_values() -> Tpl:
    doc = new_document()
    paragraphs(doc, "{{ empty }}", "前{{ empty }}后", "{{ empty }}{{ empty }}")
    grid_table(doc, [["{{ empty }}", "有字"], ["", "{{ empty }}"]])
    doc.sections[0].header.paragraphs[0].text = "{{ empty }}"
    doc.sections[0].footer.paragraphs[0].text = "页脚{{ empty }}"
    doc.core_properties.title = "{{ empty }}"
    return save(doc), {"empty": ""}


LONG = "".join(f"第{i}条：发展党员工作应当贯彻党的基本理论、基本路线 & 基本方略<{i}>。" for i in range(200))[:4990]


def long_text() -> Tpl:
    doc = new_document()
    doc.add_paragraph("{{ long }}")
    grid_table(doc, [["{{ long }}"]])
    value = "\n".join(LONG[i:i + 500] for i in range(0, len(LONG), 500))
    return save(doc), {"long": value + "结束" * ((5000 - len(value)) // 2)}


def whitespace_control() -> Tpl:
    doc = new_document()
    paragraphs(doc, "第一段", "{%- if more %}", "，合并进前一段", "{%- endif %}", "下一段", "{% if more -%}",
               "与后一段合并", "{%- endif %}", "末段")
    return save(doc), {"more": True}


def hyperlink() -> Tpl:
    doc = new_document()
    rid = doc.part.relate_to("https://example.com/docflow?a=1&b=2", RT.HYPERLINK, is_external=True)
    p = doc.add_paragraph("链接：")
    raw(p, '<w:hyperlink r:id="' + rid + '"><w:r><w:rPr><w:u w:val="single"/><w:color w:val="0563C1"/></w:rPr>'
        '<w:t>{{ link_text }}</w:t></w:r></w:hyperlink>')
    run(p, "（{{ note }}）")
    return save(doc), {"link_text": "点击查看 & 下载", "note": "外部链接"}


def custom_properties_existing() -> Tpl:
    from engine.output.render import with_custom_properties

    doc = new_document()
    doc.add_paragraph("已有自定义属性的模板：{{ name }}")
    return with_custom_properties(save(doc), {"来源": "模板自带", "docflow_form": "旧值"}), {"name": "张三"}


def kitchen_sink() -> Tpl:
    """A bit of everything, with markers the comparator self-checks change one character of."""
    doc = new_document()
    doc.sections[0].header.paragraphs[0].text = "页眉标记{{ a }}"
    doc.sections[0].footer.paragraphs[0].text = "页脚标记{{ a }}"
    p = doc.add_paragraph("正文标记{{ a }}换行：{{ multi }}")
    p.add_run().add_picture(io.BytesIO(tiny_png((10, 20, 30))), width=Cm(1))
    p = doc.add_paragraph()
    run(p, "加粗标记", bold=True)
    run(p, "制表\t{{ a }}")
    _footnote_reference(p, 1)
    grid_table(doc, [["格子甲", "格子乙"], ["{{ cell }}", "格子丁"]])
    add_footnotes(doc)
    doc.core_properties.title = "标题标记{{ a }}"
    doc.core_properties.subject = "主题标记"
    doc.core_properties.author = "作者标记"
    return save(doc), {"a": "甲", "multi": "一\n二", "cell": "格子丙", "note": "脚注标记", "basis": "依据",
                       "extra": ""}


def loop_only_table_empty() -> Tpl:
    """A table whose rows are all in a loop over nothing: docxtpl's fix_tables then drops every grid column."""
    doc = new_document()
    doc.add_paragraph("表前")
    grid_table(doc, [["{%tr for r in rows %}", ""], ["{{ r.a }}", "{{ r.b }}"], ["{%tr endfor %}", ""]])
    doc.add_paragraph("表后")
    return save(doc), {"rows": []}


def irregular_grid() -> Tpl:
    """A grid of three columns under rows of two cells (Word writes such tables): docxtpl's fix_tables drops the
    extra grid column and widens the others."""
    doc = new_document()
    table = grid_table(doc, [["{{ a }}", "乙", "丙"], ["丁", "戊", "己"]])
    for tr in table._tbl.findall(qn("w:tr")):
        tr.remove(tr.findall(qn("w:tc"))[-1])
    return save(doc), {"a": "甲"}


def content_control() -> Tpl:
    doc = new_document()
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="姓名"/><w:tag w:val="name"/></w:sdtPr><w:sdtContent>'
        '<w:p><w:r><w:t>内容控件：{{ name }}</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    doc.element.body.insert(0, sdt)
    p = doc.add_paragraph("行内控件：")
    raw(p, '<w:sdt><w:sdtPr><w:tag w:val="unit"/></w:sdtPr><w:sdtContent><w:r><w:t>{{ unit }}</w:t></w:r>'
        '</w:sdtContent></w:sdt>')
    return save(doc), {"name": "张三", "unit": "某某学院"}


W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


def word_namespaces() -> Tpl:
    """A document.xml as Word writes it: one more ignorable namespace on the root, w14:paraId on paragraphs."""
    import zipfile

    doc = new_document()
    paragraphs(doc, "{{ name }}同志：", "{%p for m in items %}", "{{ m }}", "{%p endfor %}", "此致")
    counter = iter(range(1, 1000))

    def para_id(m: re.Match[str]) -> str:
        return f'<w:p w14:paraId="{next(counter):08X}" w14:textId="77777777">'

    src = zipfile.ZipFile(io.BytesIO(save(doc)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "word/document.xml":
                text = blob.decode("utf-8")
                assert f'xmlns:w14="{W14}"' in text and f'xmlns:mc="{MC}"' in text
                text = text.replace('mc:Ignorable="w14 wp14"', f'xmlns:w15="{W15}" mc:Ignorable="w14 wp14 w15"', 1)
                blob = re.sub(r"<w:p>", para_id, text).encode("utf-8")
            dst.writestr(info, blob)
    return out.getvalue(), {"name": "张三", "items": ["一", "二"]}


def control_characters() -> Tpl:
    """Characters XML cannot hold (a vertical tab from a pasted Word line break, U+0001, U+FFFE): docxtpl's body
    parser (recover=True) drops them."""
    doc = new_document()
    paragraphs(doc, "值：{{ v }}", "另一值：{{ w }}")
    grid_table(doc, [["{{ v }}"]])
    return save(doc), {"v": "甲\x0b乙\x01丙", "w": "丁\ufffe戊"}


ENDNOTES_XML = (
    '<w:endnotes {ns}>'
    '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
    '<w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:endnote>'
    '<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> 尾注：TAG</w:t></w:r></w:p>'
    '</w:endnote></w:endnotes>')


def endnotes_not_rendered() -> Tpl:
    """docxtpl renders the footnotes but not the endnotes: a tag in an endnote stays as it is."""
    doc = new_document()
    p = doc.add_paragraph("正文{{ name }}")
    raw(p, '<w:r><w:endnoteReference w:id="1"/></w:r>')
    xml = ENDNOTES_XML.replace("{ns}", nsdecls("w")).replace("TAG", "{{ name }}")
    part = Part(PackURI("/word/endnotes.xml"), CT.WML_ENDNOTES, xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.ENDNOTES)
    return save(doc), {"name": "张三"}


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], Tpl]
    fallback: bool | None = False                # the fast renderer is expected to go through docxtpl (None: either)
    properties: dict[str, str] | None = None     # custom document properties to render with
    lint: bool = False                           # render with docflow lint's environment (it prints ⟦空⟧ for "")


IDENTITY = {"docflow_form": "谈话表", "docflow_case": "2026-0001", "docflow_pack": "party-1", "docflow_period": ""}

CASES: list[Case] = [
    Case("plain_variables", plain_variables),
    Case("plain_variables_with_properties", plain_variables, properties=IDENTITY),
    Case("split_runs", split_runs),
    Case("paragraph_tags", paragraph_tags),
    Case("table_rows", table_rows),
    Case("table_rows_empty", table_rows_empty),
    Case("column_loop", column_loop, fallback=True),
    Case("colspan", colspan, fallback=True),
    Case("horizontal_merge", horizontal_merge, fallback=True),
    Case("cell_background", cell_background),
    Case("vertical_merge", vertical_merge),
    Case("run_tags", run_tags),
    Case("rich_text", rich_text),
    Case("listing", listing),
    Case("special_characters", special_characters),
    Case("cjk_text", cjk_text),
    Case("headers_footers", headers_footers),
    Case("footnotes", footnotes),
    Case("footnotes_two_sections", footnotes_two_sections),
    Case("core_properties", core_properties),
    Case("core_properties_escaping", core_properties_escaping),
    Case("existing_images", existing_images),
    Case("nested_tables", nested_tables),
    Case("filters_and_set", filters_and_set),
    Case("escaped_braces", escaped_braces),
    Case("empty_values", empty_values),
    Case("long_text", long_text),
    Case("whitespace_control", whitespace_control),
    Case("hyperlink", hyperlink),
    Case("custom_properties_existing", custom_properties_existing),
    Case("custom_properties_replaced", custom_properties_existing, properties={"docflow_form": "新值", "名": "值"}),
    Case("kitchen_sink", kitchen_sink, properties={"标记": "自定义标记", **IDENTITY}),
    Case("empty_values_lint_env", empty_values, lint=True),
    Case("paragraph_tags_lint_env", paragraph_tags, lint=True),
    Case("loop_only_table_empty", loop_only_table_empty, fallback=None),
    Case("irregular_grid", irregular_grid, fallback=None),
    Case("content_control", content_control),
    Case("repeated_tables", repeated_tables),
    Case("word_namespaces", word_namespaces),
    Case("control_characters", control_characters),
    Case("endnotes_not_rendered", endnotes_not_rendered),
]


def without_core_properties() -> Tpl:
    """A template with no docProps/core.xml (python-docx then makes default ones, dated now)."""
    import zipfile

    data, ctx = plain_variables()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "docProps/core.xml":
                continue
            if info.filename == "[Content_Types].xml":
                blob = re.sub(rb'<Override PartName="/docProps/core.xml"[^>]*/>', b"", blob)
            elif info.filename == "_rels/.rels":
                blob = re.sub(rb'<Relationship [^>]*Target="docProps/core.xml"[^>]*/>', b"", blob)
            dst.writestr(info, blob)
    return out.getvalue(), copy.deepcopy(ctx)
