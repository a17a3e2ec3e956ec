"""Word templates compiled once, rendered as docxtpl renders them — without loading the package per document.

``compile_docx`` reads a template once: each part docxtpl renders (the body of word/document.xml, the headers and
footers of the main document, the footnotes, the core properties) is cleaned up by docxtpl's own ``patch_xml`` (tags
split across runs, ``{%p %}`` ``{%tr %}`` ``{%r %}`` ``{{r }}`` …) and compiled into a Jinja template; every other
member is kept as its compressed bytes. ``render`` then renders only those parts, applies what docxtpl applies to
the result (``resolve_listing`` for newlines and tabs, the docPr renumbering), compresses them and writes the
package around the untouched bytes (engine.output.zippkg). Result: the text docxtpl would produce.

What the fast path does not do is detected and sent through docxtpl itself, with the reason kept in ``fallback``
(``docflow lint`` shows it): column loops and horizontal merges (``{%tc %}``, ``colspan``, ``hm`` — docxtpl
then rewrites the table grid), a table grid docxtpl would correct, a template without core properties, and a
context holding objects that need docxtpl's document (InlineImage, Subdoc)."""
from __future__ import annotations

import copy
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

import jinja2
from docx.oxml.parser import parse_xml as docx_parse_xml
from docxtpl import DocxTemplate
from lxml import etree

from ..errors import TemplateError
from ..read.office import CUSTOM_PART, SAFE_PARSER, custom_properties_xml
from .zippkg import Member, deflate, read_members, write_zip

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
           "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
REL_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
REL_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
REL_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CORE_PART = "docProps/core.xml"
# the core properties docxtpl renders (docxtpl.template.DocxTemplate.render_properties), as core.xml elements
CORE_RENDERED = ("dc:creator", "dc:description", "dc:identifier", "dc:language", "dc:subject", "dc:title")
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TAG = re.compile(r"\{[{%#]")
_EMPTY_TABLE = "</w:tblGrid></w:tbl>"
_ROW_TAG = re.compile(r"{%-?\s*tr\s")
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')
# constructs after which docxtpl rewrites the table grid (fix_tables): the fast path leaves them to docxtpl
_GRID_CHANGING = ((r"{%\s*-?\s*tc\s", "表格中有列循环（{%tc %}）"),
                  (r"{%\s*-?\s*colspan\s", "表格中有合并列（colspan）"),
                  (r"{%\s*-?\s*hm\s*-?\s*%}", "表格中有横向合并（hm）"))
_patch = DocxTemplate.patch_xml            # docxtpl's cleanup and post-processing, as functions of the XML alone
_resolve_listing = DocxTemplate.resolve_listing
_fix_tables = DocxTemplate.fix_tables


def _part_name(base: str, target: str) -> str:
    """A relationship target, relative to the folder of the part that holds it, as a zip member name."""
    parts = [p for p in (base.rsplit("/", 1)[0] + "/" + target if not target.startswith("/") else target).split("/")
             if p and p != "."]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/".join(out)


@dataclass
class _Part:
    """A templated part: how its source is rebuilt around the rendered template."""

    name: str
    template: jinja2.Template
    prefix: str = ""
    suffix: str = ""
    drawings: bool = False              # the body has drawings: docPr ids renumbered as docxtpl does
    row_tags: bool = False              # it has {%tr %}: a table may lose all its rows (docxtpl then clears its grid)


@dataclass
class CompiledDocx:
    """A Word template, compiled. ``render(context, properties)`` → the bytes of a .docx package."""

    data: bytes
    env: jinja2.Environment
    fallback: str = ""                                   # why this template is rendered by docxtpl ("" = fast)
    members: list[Member] = field(default_factory=list)
    parts: dict[str, _Part] = field(default_factory=dict)
    core: tuple[Any, dict[str, jinja2.Template]] | None = None   # (core.xml tree, element → template)
    content_types: Member | None = None                  # with the custom properties' override added
    package_rels: Member | None = None                   # with the custom properties' relationship added

    def render(self, context: dict[str, Any], properties: dict[str, str] | None = None, *,
               objects: bool = True) -> bytes:
        """``objects``: the context may hold docxtpl objects (InlineImage, Subdoc), which docxtpl must render;
        the engine's own contexts are plain data (engine.output.context) and pass False."""
        tpl = _docxtpl_object(context) if objects else None
        if self.fallback or tpl is not None:
            return render_with_docxtpl(self.data, context, self.env, properties, tpl)
        rendered = {name: self._render_part(part, context) for name, part in self.parts.items()}
        if self.core is not None:
            rendered[CORE_PART] = self._render_core(context)
        custom = custom_properties_xml(properties) if properties is not None else None
        return assemble(self.members, rendered, custom, self.content_types, self.package_rels)

    def _render_part(self, part: _Part, context: dict[str, Any]) -> bytes:
        xml = _run(part.template, context, part.name)
        if _post_marks(xml):                      # most documents need neither
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            xml = _resolve_listing(None, xml)
        if part.row_tags and _EMPTY_TABLE in xml:   # every row of a table looped away: docxtpl's fix_tables
            xml = etree.tostring(_fix_tables(None, xml), encoding="unicode")
        if part.drawings and "docPr" in xml:
            ids = iter(range(1001, 1 << 31))
            xml = _DOCPR_ID.sub(lambda m: f"{m.group(1)}{next(ids)}{m.group(3)}", xml)
        return (part.prefix + xml + part.suffix).encode("utf-8")

    def _render_core(self, context: dict[str, Any]) -> bytes:
        assert self.core is not None
        tree, templates = self.core
        root = copy.deepcopy(tree)
        for tag, template in templates.items():
            el = root.find(tag, NS_CORE)
            if el is not None:
                el.text = _run(template, context, CORE_PART)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def assemble(members: list[Member], rendered: dict[str, bytes], custom: bytes | None,
             content_types: Member | None, package_rels: Member | None) -> bytes:
    """A package from a template's members: the ``rendered`` parts compressed, every other member's bytes copied;
    with ``custom`` (docProps/custom.xml), the content types and package relationships that declare it."""
    out: list[Member] = []
    for m in members:
        if m.name in rendered:
            out.append(deflate(m.name, rendered[m.name]))
        elif custom is not None and m.name == CUSTOM_PART:
            continue
        elif custom is not None and m.name == "[Content_Types].xml" and content_types:
            out.append(content_types)
        elif custom is not None and m.name == "_rels/.rels" and package_rels:
            out.append(package_rels)
        else:
            out.append(m)
    if custom is not None:
        out.append(deflate(CUSTOM_PART, custom))
    return write_zip(out)


def _run(template: jinja2.Template, context: dict[str, Any], place: str) -> str:
    try:
        return template.render(context)
    except jinja2.exceptions.UndefinedError as exc:
        raise TemplateError(f"模板使用了未定义的变量：{exc.message}", place=place) from None
    except jinja2.exceptions.TemplateError as exc:
        raise TemplateError(f"模板错误：{exc}", place=place) from None


_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})


def _docxtpl_object(context: dict[str, Any]) -> DocxTemplate | None:
    """The DocxTemplate an InlineImage or Subdoc of the context was made for (docxtpl must render those)."""
    stack: list[Any] = list(context.values())
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind in _PLAIN:
            continue
        if kind is dict:
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        else:
            tpl = getattr(value, "tpl", None)    # docxtpl's InlineImage and Subdoc keep the template they need
            if isinstance(tpl, DocxTemplate):
                return tpl
    return None


def render_with_docxtpl(data: bytes, context: dict[str, Any], env: jinja2.Environment,
                        properties: dict[str, str] | None = None, tpl: DocxTemplate | None = None) -> bytes:
    """docxtpl's own load–render–save (``tpl``: the template an InlineImage or Subdoc of the context was made for)."""
    from .render import with_custom_properties

    tpl = tpl if tpl is not None else DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.exceptions.UndefinedError as exc:
        raise TemplateError(f"模板使用了未定义的变量：{exc.message}") from None
    except jinja2.exceptions.TemplateError as exc:
        raise TemplateError(f"模板语法错误：{exc}") from None
    out = io.BytesIO()
    tpl.save(out)
    data = with_custom_properties(out.getvalue(), properties) if properties is not None else out.getvalue()
    return write_zip(read_members(data))      # the same members, with the fixed timestamps: deterministic


# ---------------------------------------------------------------- compiling
def compile_docx(data: bytes, env: jinja2.Environment) -> CompiledDocx:
    """Compile a Word template (raises TemplateError for a template that is not a usable .docx)."""
    members = read_members(data)
    by_name = {m.name: m for m in members}
    compiled = CompiledDocx(data, env, members=members)
    try:
        main = _main_document(by_name)
        document = docx_parse_xml(by_name[main].data())
        body = document.find(f"{{{NS_W}}}body")
        if body is None:
            raise TemplateError("模板的正文部分缺失", place=main)
        body_xml = etree.tostring(body, encoding="unicode")
        compiled.fallback = _fallback_reason(body_xml, by_name)
        if compiled.fallback:
            return compiled
        prefix, suffix = _around_body(document)
        compiled.parts[main] = _Part(main, _compile(env, _patch(None, body_xml), main), prefix, suffix,
                                     drawings="docPr" in body_xml,
                                     row_tags=bool(_ROW_TAG.search(re.sub(r"<[^>]*>", "", body_xml))))
        for name in _headers_and_footers(main, by_name):
            xml = etree.tostring(docx_parse_xml(by_name[name].data()), encoding="unicode")
            patched = _patch(None, xml)
            if _templated(patched):
                compiled.parts[name] = _Part(name, _compile(env, patched, name), DECLARATION)
        for name in _footnotes(by_name):
            patched = _patch(None, by_name[name].data().decode("utf-8"))
            if _templated(patched):
                compiled.parts[name] = _Part(name, _compile(env, patched, name))
        compiled.core = _compile_core(env, by_name[CORE_PART].data())
        compiled.content_types, compiled.package_rels = _custom_property_parts(by_name)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"模板中的 XML 无法解析：{exc}") from None
    return compiled


def _post_marks(xml: str) -> bool:
    """Does docxtpl's post-processing change this rendered part? (substring scans: fast, no regex)"""
    # one-character scans are much faster than two-character ones, and rendered XML seldom holds a brace
    return ("\n" in xml or "\t" in xml or "\a" in xml or "\f" in xml
            or ("{" in xml and "{_" in xml) or ("}" in xml and "_}" in xml))


def _templated(xml: str) -> bool:
    """Does docxtpl change this part? It has a tag, or a listing character or escape its post-processing turns."""
    return bool(_TAG.search(xml)) or _post_marks(xml)


def _compile(env: jinja2.Environment, xml: str, place: str) -> jinja2.Template:
    """docxtpl compiles the part with a newline before every paragraph (so that an error's line number tells the
    paragraph) and removes them from the output; the output is the same without them, so they are only
    put in to tell where a syntax error is."""
    try:
        return env.from_string(xml)
    except jinja2.exceptions.TemplateSyntaxError:
        pass
    try:
        env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", xml))
    except jinja2.exceptions.TemplateSyntaxError as exc:
        where = f"（第 {max(exc.lineno - 1, 1)} 段附近）" if exc.lineno else ""   # line 1 is the part's opening tag
        raise TemplateError(f"模板语法错误：{exc.message}{where}", place=place) from None
    raise TemplateError("模板语法错误", place=place)


def _main_document(by_name: dict[str, Member]) -> str:
    rels = by_name.get("_rels/.rels")
    if rels is None:
        raise TemplateError("模板缺少 _rels/.rels，不是有效的 Word 文件")
    for rel in etree.fromstring(rels.data(), SAFE_PARSER):
        if rel.get("Type") == REL_DOCUMENT and not rel.get("TargetMode"):
            name = _part_name("", rel.get("Target", ""))
            if name in by_name:
                return name
    raise TemplateError("模板中找不到 Word 正文（word/document.xml）")


def _fallback_reason(body_xml: str, by_name: dict[str, Member]) -> str:
    text = re.sub(r"<[^>]*>", "", body_xml)     # the text, with tags split across runs joined up
    for pattern, reason in _GRID_CHANGING:
        if re.search(pattern, text):
            return reason
    if CORE_PART not in by_name:
        return "模板没有文档属性（docProps/core.xml）"
    if "tbl" in body_xml:   # a grid docxtpl would correct even without loops: let docxtpl do it
        before = etree.fromstring(body_xml, etree.XMLParser(recover=True))
        after = _fix_tables(None, body_xml)
        if etree.tostring(before) != etree.tostring(after):
            return "表格的列定义与单元格数不一致（由 docxtpl 修正）"
    return ""


def _around_body(document: Any) -> tuple[str, str]:
    """The text of word/document.xml before and after its body, as python-docx would write it."""
    shell = copy.deepcopy(document)
    body = shell.find(f"{{{NS_W}}}body")
    marker = "\u2063DOCFLOW-BODY\u2063"
    shell.replace(body, etree.Element(f"{{{NS_W}}}body"))
    shell.find(f"{{{NS_W}}}body").text = marker
    text = etree.tostring(shell, encoding="unicode")
    at = text.index(marker)
    start = text.rindex("<", 0, at)                         # <w:body>
    close = text.index(">", text.index("</", at)) + 1       # </w:body>
    return DECLARATION + text[:start], text[close:]


def _relationships(part: str, by_name: dict[str, Member]) -> list[tuple[str, str]]:
    folder, _, file = part.rpartition("/")
    rels = by_name.get(f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels")
    if rels is None:
        return []
    return [(rel.get("Type", ""), _part_name(part, rel.get("Target", "")))
            for rel in etree.fromstring(rels.data(), SAFE_PARSER) if not rel.get("TargetMode")]


def _headers_and_footers(main: str, by_name: dict[str, Member]) -> list[str]:
    return [name for kind, name in _relationships(main, by_name)
            if kind in (REL_HEADER, REL_FOOTER) and name in by_name and by_name[name].size]


def _footnotes(by_name: dict[str, Member]) -> list[str]:
    types = etree.fromstring(by_name["[Content_Types].xml"].data(), SAFE_PARSER)
    return [el.get("PartName", "").lstrip("/") for el in types.iter(f"{{{NS_CT}}}Override")
            if el.get("ContentType") == CT_FOOTNOTES and el.get("PartName", "").lstrip("/") in by_name]


def _compile_core(env: jinja2.Environment, xml: bytes) -> tuple[Any, dict[str, jinja2.Template]] | None:
    tree = etree.fromstring(xml, SAFE_PARSER)
    templates: dict[str, jinja2.Template] = {}
    for tag in CORE_RENDERED:
        el = tree.find(tag, NS_CORE)
        if el is not None and el.text and _TAG.search(el.text):
            templates[tag] = _compile(env, el.text, CORE_PART)
    return (tree, templates) if templates else None


def _custom_property_parts(by_name: dict[str, Member]) -> tuple[Member, Member]:
    from .render import _ensure_override, _ensure_relationship

    return (deflate("[Content_Types].xml", _ensure_override(by_name["[Content_Types].xml"].data())),
            deflate("_rels/.rels", _ensure_relationship(by_name["_rels/.rels"].data())))

