"""The fast Word renderer (engine.output.docxfast) gives docxtpl's result: for every template of the corpus
(tests/render_corpus.py) and every .docx template of every bundled pack, the text a reader sees, every part of the
package, the validity of the package, determinism and the expected fallback to docxtpl.

The comparators are checked here too: two docxtpl renders compare equal, and one character changed in a header, a
cell, a footnote, a property (or a cell's text moved to the next cell, a picture's bytes, a run's bold) does not."""
from __future__ import annotations

import functools
import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docx
import jinja2
import pytest
import render_corpus as corpus
from docxtpl import DocxTemplate, InlineImage
from render_corpus import CASES, Case, first_difference, package_parts, package_problems, package_text

from engine.errors import TemplateError
from engine.output.context import document_context
from engine.output.render import Identity, jinja_env, with_custom_properties
from engine.pack import load_pack
from engine.pack.model import Pack
from engine.pack.sample import sample_case
from engine.workspace import BUNDLED_PACKS


# ---------------------------------------------------------------- the two renderers
def docxtpl_render(data: bytes, context: dict[str, Any], env: jinja2.Environment,
                   properties: dict[str, str] | None = None, tpl: DocxTemplate | None = None) -> bytes:
    """The baseline: docxtpl's load–render–save (then the custom properties, as engine.output.render adds them)."""
    tpl = tpl or DocxTemplate(io.BytesIO(data))
    tpl.render(context, jinja_env=env, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return with_custom_properties(buf.getvalue(), properties) if properties is not None else buf.getvalue()


def compile_docx(data: bytes, env: jinja2.Environment) -> Any:
    from engine.output.docxfast import compile_docx as compile_fast

    return compile_fast(data, env)


def lint_env() -> jinja2.Environment:
    """The environment ``docflow lint`` renders with (engine.pack.lint.lint_renderer)."""
    from engine.pack.lint import lint_renderer

    return lint_renderer(load_pack(BUNDLED_PACKS / "party")).cache.env


@dataclass
class Rendered:
    template: bytes
    context: dict[str, Any]
    properties: dict[str, str] | None
    baseline: bytes
    compiled: Any = None
    fast: bytes = b""
    error: BaseException | None = None
    at: float = 0.0


def _render_both(template: bytes, context: dict[str, Any], properties: dict[str, str] | None,
                 make_env: Callable[[], jinja2.Environment] = jinja_env) -> Rendered:
    out = Rendered(template, context, properties, docxtpl_render(template, context, make_env(), properties))
    try:
        out.compiled = compile_docx(template, make_env())
        out.fast = out.compiled.render(context, properties)
    except Exception as exc:       # reported by each test that needs the fast output
        out.error = exc
    out.at = time.monotonic()
    return out


@functools.cache
def rendered(name: str) -> Rendered:
    case = _CASES[name]
    template, context = case.build()
    return _render_both(template, context, case.properties, lint_env if case.lint else jinja_env)


def fast_output(r: Rendered) -> bytes:
    if r.error is not None:
        raise r.error
    return r.fast


_CASES = {c.name: c for c in CASES}
case_params = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


def assert_same(fast: Any, baseline: Any, what: str) -> None:
    diff = first_difference(fast, baseline)
    assert diff is None, f"{what}：快速渲染（前者）与 docxtpl（后者）不同：{diff}"


# ---------------------------------------------------------------- the corpus
@case_params
def test_same_text(case: Case) -> None:
    r = rendered(case.name)
    assert_same(package_text(fast_output(r)), package_text(r.baseline), "读者看到的文字")


@case_params
def test_same_parts(case: Case) -> None:
    r = rendered(case.name)
    assert_same(package_parts(fast_output(r)), package_parts(r.baseline), "包中的部件")


@case_params
def test_valid_package(case: Case) -> None:
    data = fast_output(rendered(case.name))
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs is not None
    for section in document.sections:
        _ = [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    assert package_problems(data) == []


@case_params
def test_fallback_as_expected(case: Case) -> None:
    r = rendered(case.name)
    fast_output(r)
    assert isinstance(r.compiled.fallback, str)
    if case.fallback is None:
        return
    if case.fallback:
        assert r.compiled.fallback, "应当交给 docxtpl 渲染，却走了快速路径"
    else:
        assert r.compiled.fallback == "", f"本应走快速路径，却交给了 docxtpl：{r.compiled.fallback}"


@case_params
def test_deterministic(case: Case) -> None:
    """The same bytes again — from the same compiled template and from a new one, two seconds or more later (zip
    timestamps, which count in two-second steps, or a property dated now would show)."""
    r = rendered(case.name)
    first = fast_output(r)
    time.sleep(max(0.0, r.at + 2.1 - time.monotonic()))
    again = r.compiled.render(r.context, r.properties)
    assert again == first, "同一编译结果再次渲染，字节不同"
    fresh = compile_docx(r.template, lint_env() if case.lint else jinja_env()).render(r.context, r.properties)
    assert fresh == first, "重新编译后渲染，字节不同"


def test_compiled_template_is_reused() -> None:
    """One compiled template, several contexts in turn: each output is docxtpl's for that context."""
    template, full = corpus.table_rows()
    _, empty = corpus.table_rows_empty()
    compiled = compile_docx(template, jinja_env())
    outputs = []
    for ctx in (full, empty, {**full, "rows": full["rows"][:1], "total": 1}, full):
        out = compiled.render(ctx, None)
        assert_same(package_text(out), package_text(docxtpl_render(template, ctx, jinja_env())), "读者看到的文字")
        outputs.append(out)
    assert outputs[-1] == outputs[0]


def test_undefined_variable_is_an_error() -> None:
    template, ctx = corpus.plain_variables()
    del ctx["name"]
    with pytest.raises(jinja2.UndefinedError):
        docxtpl_render(template, ctx, jinja_env())
    with pytest.raises((TemplateError, jinja2.UndefinedError)):
        compile_docx(template, jinja_env()).render(ctx, None)


def test_template_without_core_properties() -> None:
    """python-docx makes default core properties, dated now: docxtpl's output for such a template."""
    template, ctx = corpus.without_core_properties()
    compiled = compile_docx(template, jinja_env())
    fast = compiled.render(ctx, None)
    base = docxtpl_render(template, ctx, jinja_env())
    a, b = package_text(fast), package_text(base)
    for text in (a, b):
        text["core"].pop("modified")
    assert_same(a, b, "读者看到的文字")
    assert package_problems(fast) == []


# ---------------------------------------------------------------- docxtpl objects that need the template
def _image_template() -> tuple[bytes, dict[str, Any]]:
    doc = corpus.new_document()
    doc.add_paragraph("照片：{{ photo }}（{{ name }}）")
    corpus.grid_table(doc, [["{{ photo }}", "{{ name }}"]])
    doc.add_paragraph().add_run().add_picture(io.BytesIO(corpus.tiny_png((1, 2, 3))), width=corpus.Cm(1))
    return corpus.save(doc), {"name": "张三"}


def test_inline_image() -> None:
    """An InlineImage draws itself into the part its DocxTemplate is rendering (``tpl.current_rendering_part``):
    the fast renderer must render through the DocxTemplate the image was made for — one of the same bytes."""
    from docx.shared import Mm

    template, ctx = _image_template()
    png = corpus.tiny_png((250, 120, 0), 6, 6)
    tpl = DocxTemplate(io.BytesIO(template))
    fast = compile_docx(template, jinja_env()).render({**ctx, "photo": InlineImage(tpl, io.BytesIO(png), Mm(10))},
                                                      None)
    base_tpl = DocxTemplate(io.BytesIO(template))
    base = docxtpl_render(template, {**ctx, "photo": InlineImage(base_tpl, io.BytesIO(png), Mm(10))}, jinja_env(),
                          tpl=base_tpl)
    assert zipfile.ZipFile(io.BytesIO(fast)).testzip() is None
    body = docx.Document(io.BytesIO(fast)).element.body
    assert len(body.findall(".//" + corpus.qn("w:drawing"))) == 3
    assert package_problems(fast) == []
    assert_same(package_text(fast), package_text(base), "读者看到的文字")


def test_subdoc() -> None:
    pytest.importorskip("docxcompose", reason="docxtpl's Subdoc needs docxcompose, which is not installed")
    from docxtpl import Subdoc  # noqa: F401  (available with docxcompose)

    doc = corpus.new_document()
    corpus.paragraphs(doc, "前文{{ name }}", "{{p sub }}", "后文")
    template, ctx = corpus.save(doc), {"name": "张三"}

    def with_subdoc(tpl: DocxTemplate) -> dict[str, Any]:
        sub = tpl.new_subdoc()
        sub.add_paragraph("子文档段落：李四")
        sub.add_table(rows=1, cols=2).cell(0, 1).text = "子文档表格"
        return {**ctx, "sub": sub}

    tpl = DocxTemplate(io.BytesIO(template))
    fast = compile_docx(template, jinja_env()).render(with_subdoc(tpl), None)
    base_tpl = DocxTemplate(io.BytesIO(template))
    base = docxtpl_render(template, with_subdoc(base_tpl), jinja_env(), tpl=base_tpl)
    assert package_problems(fast) == []
    assert_same(package_text(fast), package_text(base), "读者看到的文字")


# ---------------------------------------------------------------- the bundled packs
@functools.cache
def bundled_packs() -> dict[str, Pack]:
    return {folder.name: load_pack(folder, check_templates=False) for folder in sorted(BUNDLED_PACKS.iterdir())
            if (folder / "pack.toml").is_file()}


def _pack_params() -> list[Any]:
    out = []
    for name, pack in bundled_packs().items():
        for doc_id, doc in pack.documents.items():
            if doc.template.endswith(".docx"):
                out += [pytest.param(name, doc_id, env, id=f"{name}-{doc_id}-{env}") for env in ("app", "lint")]
    return out


@functools.cache
def rendered_pack_document(pack_name: str, doc_id: str, env_kind: str) -> Rendered:
    """As ``docflow lint`` renders it (engine.pack.lint.lint_document): the complete sample case."""
    pack = bundled_packs()[pack_name]
    doc = pack.documents[doc_id]
    period = 1 if doc.period else None
    cs = sample_case(pack, doc)
    org = f"示例{pack.terms.organisation}"
    ctx = document_context(pack, org, cs, doc, period, f"{org}组织委员（电话：0000-1234567）")
    props = Identity(doc.collects, cs.case_id, pack.version, period).properties() if doc.collects else None
    template = (pack.root / doc.template).read_bytes()
    return _render_both(template, ctx, props, jinja_env if env_kind == "app" else lint_env)


@pytest.mark.parametrize(("pack_name", "doc_id", "env_kind"), _pack_params())
def test_pack_template(pack_name: str, doc_id: str, env_kind: str) -> None:
    r = rendered_pack_document(pack_name, doc_id, env_kind)
    fast = fast_output(r)
    assert_same(package_text(fast), package_text(r.baseline), "读者看到的文字")
    assert_same(package_parts(fast), package_parts(r.baseline), "包中的部件")
    assert package_problems(fast) == []
    assert r.compiled.render(r.context, r.properties) == fast, "再次渲染，字节不同"


# ---------------------------------------------------------------- the comparators themselves
@case_params
def test_comparators_agree_on_two_docxtpl_renders(case: Case) -> None:
    template, context = case.build()
    make_env = lint_env if case.lint else jinja_env
    a = docxtpl_render(template, context, make_env(), case.properties)
    b = docxtpl_render(template, context, make_env(), case.properties)
    assert first_difference(package_text(a), package_text(b)) is None
    assert first_difference(package_parts(a), package_parts(b)) is None
    assert package_problems(a) == []


def _rewrite(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info)))
    return out.getvalue()


def _replace(pattern: str, old: str, new: str, count: int = 1) -> Callable[[str, bytes], bytes]:
    def change(name: str, blob: bytes) -> bytes:
        if not re.fullmatch(pattern, name):
            return blob
        text = blob.decode("utf-8")
        assert old in text, f"{old!r} 不在 {name} 中"
        return text.replace(old, new, count).encode("utf-8")
    return change


def _swap(pattern: str, a: str, b: str) -> Callable[[str, bytes], bytes]:
    def change(name: str, blob: bytes) -> bytes:
        if not re.fullmatch(pattern, name):
            return blob
        return blob.decode("utf-8").replace(a, "\x00").replace(b, a).replace("\x00", b).encode("utf-8")
    return change


def _media(name: str, blob: bytes) -> bytes:
    return blob[:-1] + bytes([blob[-1] ^ 1]) if name.startswith("word/media/") else blob


DOC, HEADER, FOOTER = r"word/document\.xml", r"word/header\d*\.xml", r"word/footer\d*\.xml"
# (what is changed, how, whether the text comparator sees it — the parts comparator sees every one)
MUTATIONS: list[tuple[str, Callable[[str, bytes], bytes], bool]] = [
    ("header-char", _replace(HEADER, "页眉标记", "页眉标讫"), True),
    ("footer-char", _replace(FOOTER, "页脚标记", "页脚标讫"), True),
    ("body-char", _replace(DOC, "正文标记", "正文标讫"), True),
    ("cell-char", _replace(DOC, "格子丁", "格子丅"), True),
    ("rendered-cell-char", _replace(DOC, "格子丙", "格子内"), True),
    ("cell-text-moved-to-next-cell", lambda n, b: _replace(DOC, "格子甲", "格子甲格子乙")(n, _replace(DOC, "格子乙",
                                                                                                  "")(n, b)), True),
    ("cells-swapped", _swap(DOC, "格子甲", "格子乙"), True),
    ("footnote-char", _replace(r"word/footnotes\.xml", "脚注标记", "脚注标讫"), True),
    ("core-title-char", _replace(r"docProps/core\.xml", "标题标记甲", "标题标记乙"), True),
    ("core-subject-char", _replace(r"docProps/core\.xml", "主题标记", "主题标讫"), True),
    ("core-author-char", _replace(r"docProps/core\.xml", "作者标记", "作者标讫"), True),
    ("custom-property-char", _replace(r"docProps/custom\.xml", "自定义标记", "自定义标讫"), True),
    ("custom-property-name", _replace(r"docProps/custom\.xml", 'name="标记"', 'name="标讫"'), True),
    ("tab-to-space", _replace(DOC, "<w:tab/>", '<w:t xml:space="preserve"> </w:t>'), True),
    ("break-removed", _replace(DOC, "<w:br/>", ""), True),
    ("picture-bytes", _media, True),
    ("bold-removed", _replace(DOC, "<w:b/>", ""), False),
    ("trailing-space-dropped", _replace(DOC, '制表</w:t>', '制表 </w:t>'), True),
]


@pytest.mark.parametrize(("label", "change", "in_text"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_comparators_report_one_change(label: str, change: Callable[[str, bytes], bytes], in_text: bool) -> None:
    case = _CASES["kitchen_sink"]
    template, context = case.build()
    data = docxtpl_render(template, context, jinja_env(), case.properties)
    changed = _rewrite(data, change)
    assert changed != data
    text_diff = first_difference(package_text(changed), package_text(data))
    assert (text_diff is not None) == in_text, text_diff
    assert first_difference(package_parts(changed), package_parts(data)) is not None


def test_package_problems_are_found() -> None:
    template, context = corpus.existing_images()
    data = docxtpl_render(template, context, jinja_env())
    assert package_problems(data) == []
    ids = _rewrite(data, lambda n, b: re.sub(rb'(<wp:docPr id=")\d+', rb"\g<1>7", b) if n == "word/document.xml"
                   else b)
    assert any("重复" in p for p in package_problems(ids))
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if not info.filename.startswith("word/media/"):
                dst.writestr(info, src.read(info))
    assert any("不存在的成员" in p for p in package_problems(out.getvalue()))
    dangling = _rewrite(data, _replace(DOC, 'r:embed="', 'r:embed="x'))
    assert any("不存在的关系" in p for p in package_problems(dangling))


def test_first_difference_names_the_place() -> None:
    a = {"body": ["甲", {"table": [[["一"], ["二"]]]}], "core": {"title": "标题"}}
    b = {"body": ["甲", {"table": [[["一"], ["三"]]]}], "core": {"title": "标题"}}
    assert first_difference(a, a) is None
    diff = first_difference(a, b)
    assert diff is not None and "['body'][1]['table'][0][1][0]" in diff and "'二'" in diff
    assert "长度" in (first_difference(["a"], ["a", "b"]) or "")
    assert first_difference({"x": "1"}, {"y": "1"}) is not None
