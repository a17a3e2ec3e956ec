"""The renderer: templates compiled once (and again when their file changes), Word documents and Excel forms
written by copying every untouched member's compressed bytes — valid, deterministic packages that hold what
docxtpl / openpyxl would write. (Word text against docxtpl, template by template and over a corpus of
docxtpl-style templates: tests/test_render_equivalence.py.)"""
from __future__ import annotations

import io
import os
import shutil
import zipfile
from datetime import date

import openpyxl
import pytest
from docx import Document

from engine.errors import TemplateError
from engine.output.context import document_context
from engine.output.docxfast import compile_docx
from engine.output.render import Identity, Renderer, jinja_env
from engine.output.xlsxfast import compile_xlsx
from engine.output.xlsxforms import fill_form
from engine.output.zippkg import read_members
from engine.pack import load_pack
from engine.pack.lint import render_plan
from engine.pack.sample import sample_case
from engine.read.xlsx import named_cells
from engine.workspace import BUNDLED_PACKS

PACKS = sorted(d.name for d in BUNDLED_PACKS.iterdir() if (d / "pack.toml").is_file())


def _documents(kind: str) -> list[tuple[str, str]]:
    return [(name, doc_id) for name in PACKS for doc_id, doc in load_pack(BUNDLED_PACKS / name).documents.items()
            if doc.template.endswith(kind)]


def _job(pack_name: str, doc_id: str):
    pack = load_pack(BUNDLED_PACKS / pack_name)
    doc = pack.documents[doc_id]
    period = 1 if doc.period else None
    cs = sample_case(pack, doc)
    ctx = document_context(pack, f"示例{pack.terms.organisation}", cs, doc, period, "示例反馈渠道")
    ident = Identity(doc.collects, cs.case_id, pack.version, period) if doc.collects else None
    return pack, doc, ctx, ident


def workbook_content(data: bytes) -> dict:
    """Everything a reader of the workbook sees: every cell's value on every sheet, the defined names and the
    custom document properties."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    names = {n: dn.attr_text for n, dn in wb.defined_names.items()}
    names |= {(ws.title, n): dn.attr_text for ws in wb.worksheets for n, dn in ws.defined_names.items()}
    return {"cells": cells, "names": names, "properties": {p.name: p.value for p in wb.custom_doc_props}}


# ---------------------------------------------------------------- Excel forms
@pytest.mark.parametrize(("pack_name", "doc_id"), _documents(".xlsx"))
def test_an_issued_form_holds_what_openpyxl_would_write(pack_name, doc_id):
    pack, doc, ctx, ident = _job(pack_name, doc_id)
    renderer = Renderer(pack)
    assert renderer.plan(doc) == ""                                   # every form of the packs is on the fast path
    fast = renderer.render(doc, ctx, ident)
    base = fill_form((pack.root / doc.template).read_bytes(), renderer.form_values(doc, ctx), ident.properties())
    assert workbook_content(fast) == workbook_content(base)
    assert zipfile.ZipFile(io.BytesIO(fast)).testzip() is None
    wb = openpyxl.load_workbook(io.BytesIO(fast))                     # the engine's reader finds every name
    assert named_cells(wb).keys() == named_cells(openpyxl.load_workbook(pack.root / doc.template)).keys()
    assert named_cells(wb)["info_case_id"][1].value == ctx["case"]["id"]


def test_an_issued_form_keeps_validations_print_setup_protection_and_styles():
    pack, doc, ctx, ident = _job("party", "assessment_form")
    template = openpyxl.load_workbook(pack.root / doc.template)
    data = Renderer(pack).render(doc, ctx, ident)
    out = openpyxl.load_workbook(io.BytesIO(data))
    for a, b in zip(template.worksheets, out.worksheets, strict=True):
        assert [(v.type, v.formula1, str(v.sqref)) for v in a.data_validations.dataValidation] == \
               [(v.type, v.formula1, str(v.sqref)) for v in b.data_validations.dataValidation]
        assert a.data_validations.dataValidation                      # the form has drop-downs to keep
        assert (a.page_setup.paperSize, a.page_setup.orientation, a.print_area, a.print_title_rows) == \
               (b.page_setup.paperSize, b.page_setup.orientation, b.print_area, b.print_title_rows)
        assert (a.protection.sheet, a.protection.formatCells) == (b.protection.sheet, b.protection.formatCells)
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        assert {k: d.width for k, d in a.column_dimensions.items()} == \
               {k: d.width for k, d in b.column_dimensions.items()}
        for row in a.iter_rows():
            for cell in row:
                twin = b[cell.coordinate]
                style = lambda c: repr((c.font, c.fill, c.border, c.alignment, c.number_format, c.protection))  # noqa: E731
                assert style(cell) == style(twin), cell.coordinate


def test_staff_values_are_written_as_text_and_escaped():
    pack, doc, _, _ = _job("party", "activist_form")
    data = (pack.root / doc.template).read_bytes()
    compiled = compile_xlsx(data)
    values = {"info_name": "=HYPERLINK(\"http://x\")", "info_branch": "A & B <c> \"d\"", "info_case_id": "+1",
              "info_org": "  前后有空格  ", "period": 3}
    fast = compiled.render(values, {"docflow_form": "activist", "docflow_period": ""})
    names = named_cells(openpyxl.load_workbook(io.BytesIO(fast)))
    assert names["info_name"][1].value == "=HYPERLINK(\"http://x\")" and names["info_name"][1].data_type == "s"
    assert names["info_branch"][1].value == "A & B <c> \"d\""
    assert names["info_case_id"][1].value == "+1"
    assert names["info_org"][1].value == "  前后有空格  "
    assert workbook_content(fast) == workbook_content(fill_form(data, values, {"docflow_form": "activist",
                                                                               "docflow_period": ""}))


def test_a_value_the_fast_writer_does_not_cover_goes_through_openpyxl():
    pack, doc, _, _ = _job("party", "activist_form")
    data = (pack.root / doc.template).read_bytes()
    values = {"info_name": "张三", "info_due_date": date(2026, 3, 5)}   # a date: openpyxl sets a date format
    fast = compile_xlsx(data).render(values, None)
    assert workbook_content(fast) == workbook_content(fill_form(data, values, None))


def test_a_named_cell_the_sheet_does_not_have_yet_is_made_in_column_order(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["C1"] = "标签", "后面"
    from openpyxl.workbook.defined_name import DefinedName
    for name, ref in (("later", "$D$1"), ("between", "$B$1"), ("new_row", "$B$3")):
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{ws.title}'!{ref}")
    buf = io.BytesIO()
    wb.save(buf)
    out = compile_xlsx(buf.getvalue()).render({"later": "丁", "between": "乙", "new_row": 7}, None)
    back = openpyxl.load_workbook(io.BytesIO(out)).active
    assert [c.value for c in back[1]] == ["标签", "乙", "后面", "丁"] and back["B3"].value == 7
    xml = zipfile.ZipFile(io.BytesIO(out)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.index('r="A1"') < xml.index('r="B1"') < xml.index('r="C1"') < xml.index('r="D1"')


# ---------------------------------------------------------------- Word documents
@pytest.mark.parametrize(("pack_name", "doc_id"), _documents(".docx"))
def test_a_word_document_is_a_valid_deterministic_package_around_the_templates_bytes(pack_name, doc_id):
    pack, doc, ctx, ident = _job(pack_name, doc_id)
    renderer = Renderer(pack)
    template = (pack.root / doc.template).read_bytes()
    one, two = renderer.render(doc, ctx, ident), renderer.render(doc, ctx, ident)
    assert one == two                                                # deterministic
    zf = zipfile.ZipFile(io.BytesIO(one))
    assert zf.testzip() is None
    assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    Document(io.BytesIO(one))                                        # python-docx opens it
    theirs = {m.name: m for m in read_members(template)}
    ours = {m.name: m for m in read_members(one)}
    assert set(theirs) <= set(ours)
    rendered = {"word/document.xml", "docProps/custom.xml", "[Content_Types].xml", "_rels/.rels",
                *renderer.compiled(doc).parts}
    for name, m in theirs.items():                                   # every other member: its bytes, as they were
        if name not in rendered:
            assert (ours[name].raw, ours[name].crc) == (m.raw, m.crc), name
    assert [n for n in [i.filename for i in zf.infolist()] if n in theirs] == list(theirs)   # template order


def test_a_word_documents_properties_identify_it():
    from engine.read.office import custom_properties
    from engine.read.safety import open_package

    pack, doc, ctx, ident = _job("party", "talk_form")
    data = Renderer(pack).render(doc, ctx, ident)
    assert custom_properties(open_package(data, "x.docx")) == ident.properties()


def test_render_errors_name_the_template_and_the_variable():
    pack, doc, ctx, ident = _job("party", "approval_notice")
    del ctx["org"]
    with pytest.raises(TemplateError, match="未定义的变量") as info:
        Renderer(pack).render(doc, ctx, ident)
    assert "docs/approval_notice.docx" in info.value.place


def test_a_template_that_is_not_an_office_file_is_refused():
    with pytest.raises(TemplateError):
        compile_docx(b"PK\x03\x04 not really", jinja_env())
    with pytest.raises(TemplateError):
        compile_xlsx(b"name,branch\n")


def test_a_template_syntax_error_says_which_paragraph():
    doc = Document()
    doc.add_paragraph("第一段")
    doc.add_paragraph("{{ 姓名 + }}")
    doc.add_paragraph("第三段")
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(TemplateError, match=r"模板语法错误.*第 2 段"):
        compile_docx(buf.getvalue(), jinja_env())


# ---------------------------------------------------------------- the template cache
def test_a_template_is_compiled_once_and_again_when_its_file_changes(tmp_path):
    pack_dir = tmp_path / "party"
    shutil.copytree(BUNDLED_PACKS / "party", pack_dir)
    pack = load_pack(pack_dir)
    doc = pack.documents["approval_notice"]
    _, _, ctx, ident = _job("party", "approval_notice")
    renderer = Renderer(pack)
    for _ in range(5):
        renderer.render(doc, ctx, ident)
    assert renderer.cache.compiles == 1
    text = lambda data: "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)  # noqa: E731
    assert "（已更正）" not in text(renderer.render(doc, ctx, ident))
    path = pack_dir / doc.template                                   # a staff member corrects the template
    fixed = Document(str(path))
    fixed.add_paragraph("（已更正）")
    fixed.save(str(tmp_path / "new.docx"))
    os.replace(tmp_path / "new.docx", path)                          # as Word saves: a new file in its place
    assert "（已更正）" in text(renderer.render(doc, ctx, ident))
    assert renderer.cache.compiles == 2


def test_every_template_of_the_bundled_packs_is_on_the_fast_path():
    for name in PACKS:
        assert render_plan(load_pack(BUNDLED_PACKS / name)) == dict.fromkeys(
            {d.template for d in load_pack(BUNDLED_PACKS / name).documents.values()}, ""), name



def test_a_temporaries_folder_that_is_gone_is_not_used(tmp_path):
    """A process that opened a workspace since removed (tests, a service) writes beside the target instead."""
    import shutil

    from engine.output.render import TEMP_HOMES, temp_home, write_atomic

    saved = dict(TEMP_HOMES)
    try:
        temp_home(tmp_path / "old" / ".docflow")
        shutil.rmtree(tmp_path / "old")
        write_atomic(tmp_path / "new" / "a.docx", b"data")
        assert (tmp_path / "new" / "a.docx").read_bytes() == b"data"
    finally:
        TEMP_HOMES.clear()
        TEMP_HOMES.update(saved)
