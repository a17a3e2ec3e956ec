"""Packs are data: loaded, validated, bound to local settings; mistakes name the file and the entry."""
import shutil

import pytest

from engine.errors import PackError
from engine.lint import lint_pack
from engine.pack import load_pack
from engine.workspace import BUNDLED_PACKS


def copy_pack(tmp_path, edit):
    dst = tmp_path / "party"
    shutil.copytree(BUNDLED_PACKS / "party", dst)
    path = dst / "pack.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return dst


def test_party_pack_loads_with_its_steps(pack):
    assert pack.version.startswith("party@")
    assert [s.id for s in pack.steps] == ["application", "talk", "activist", "assessment"]
    assert sorted(n for s in pack.steps for n in s.numbers) == [1, 2, 3, 4, 5, 6]


def test_settings_are_bound_into_rule_parameters(tmp_path):
    p = load_pack(BUNDLED_PACKS / "party", {"talk_deadline_months": 2})
    talk = p.step("talk")
    assert any(r.params.get("max") == "2 month" for r in talk.rules)


def test_unknown_setting_in_docflow_toml_is_reported():
    with pytest.raises(PackError, match="no_such_setting"):
        load_pack(BUNDLED_PACKS / "party", {"no_such_setting": 1})


def test_setting_of_wrong_type_is_reported():
    with pytest.raises(PackError, match="talk_deadline_months"):
        load_pack(BUNDLED_PACKS / "party", {"talk_deadline_months": "one"})


def test_unknown_rule_kind_names_the_entry(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s.replace('kind = "count_range"', 'kind = "count_rnage"'))
    with pytest.raises(PackError) as exc:
        load_pack(folder)
    assert "steps[2] (activist).rules[3]" in exc.value.message and "count_rnage" in exc.value.message
    assert exc.value.place.endswith("pack.toml")


def test_reference_to_a_missing_form_field(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s.replace('end = "form.talk_date"', 'end = "form.talk_day"', 1))
    with pytest.raises(PackError, match="form.talk_day"):
        load_pack(folder)


def test_missing_template_file(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s)
    (folder / "docs" / "case_file.docx").unlink()
    with pytest.raises(PackError, match="case_file.docx"):
        load_pack(folder)


def test_type_error_in_a_field_names_the_entry(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s.replace('type = "date"', 'type = "datum"', 1))
    with pytest.raises(PackError, match=r"forms\.applicant_roster\.fields\[3\]"):
        load_pack(folder)


def test_toml_syntax_error(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s + "\n[[broken\n")
    with pytest.raises(PackError, match="TOML"):
        load_pack(folder)


def test_lint_passes_on_the_bundled_pack(pack):
    assert lint_pack(pack) == []


def test_lint_catches_an_undefined_template_variable(tmp_path):
    from docx import Document

    folder = copy_pack(tmp_path, lambda s: s)
    doc = Document(folder / "docs" / "case_file.docx")
    doc.add_paragraph("{{ case.nmae }}")
    doc.save(folder / "docs" / "case_file.docx")
    problems = lint_pack(load_pack(folder))
    assert any("case_file" in p and "nmae" in p for p in problems)


def test_lint_catches_a_form_without_the_mark_of_a_field(tmp_path):
    import openpyxl

    folder = copy_pack(tmp_path, lambda s: s)
    wb = openpyxl.load_workbook(folder / "forms" / "assessment.xlsx")
    del wb.defined_names["assessor"]
    wb.save(folder / "forms" / "assessment.xlsx")
    problems = lint_pack(load_pack(folder))
    assert any("assessor" in p for p in problems)
