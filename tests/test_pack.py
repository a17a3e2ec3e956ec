"""Packs are data: loaded, validated, bound to local settings; mistakes name the file and the entry."""
import shutil

import pytest

from engine.errors import PackError
from engine.pack import load_pack
from engine.pack.lint import lint_pack
from engine.workspace import BUNDLED_PACKS


def copy_pack(tmp_path, edit):
    dst = tmp_path / "party"
    shutil.copytree(BUNDLED_PACKS / "party", dst)
    path = dst / "pack.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return dst


def test_party_pack_loads_with_its_steps(pack):
    assert pack.version.startswith("party@")
    assert [s.id for s in pack.steps][:4] == ["application", "talk", "activist", "assessment"]
    assert {"transfer_out", "withdraw", "publicity_target", "conversion_vote_ext"} <= {s.id for s in pack.steps}


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
    assert "steps[2] (activist).rules[4]" in exc.value.message and "count_rnage" in exc.value.message
    assert exc.value.place.endswith("pack.toml")


def test_reference_to_a_missing_form_field(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s.replace('end = "form.talk_date"', 'end = "form.talk_day"', 1))
    with pytest.raises(PackError, match=r"form\.talk_day"):
        load_pack(folder)


def test_missing_template_file(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s)
    (folder / "docs" / "case_file.docx").unlink()
    with pytest.raises(PackError, match=r"case_file\.docx"):
        load_pack(folder)


def test_type_error_in_a_field_names_the_entry(tmp_path):
    def edit(s):
        at = s.index("[forms.applicant_roster]")
        return s[:at] + s[at:].replace('type = "date"', 'type = "datum"', 1)

    folder = copy_pack(tmp_path, edit)
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


def test_lint_catches_a_blank_the_context_could_have_filled(tmp_path):
    from docx import Document

    folder = copy_pack(tmp_path, lambda s: s)
    doc = Document(folder / "docs" / "public_notice.docx")
    doc.add_paragraph("公示期为____个工作日。")                      # a blank typed into the template
    doc.add_paragraph("应交日期：{{ doc.due_date }}")                 # a notice has no due date: prints nothing
    doc.add_paragraph("签名：{{ by_hand('name') }}")                  # a blank left for handwriting: fine
    doc.save(folder / "docs" / "public_notice.docx")
    problems = [p for p in lint_pack(load_pack(folder)) if "notice_target" in p]
    assert any("空白横线" in p and "公示期为____个工作日" in p for p in problems)
    assert any("内容为空" in p and "应交日期：⟦空⟧" in p for p in problems)
    assert not any("签名" in p for p in problems) and len(problems) == 2


def test_lint_catches_an_empty_prefilled_cell(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s.replace(
        'collects = "activist"\n'
        'due = { from = "case.apply_date", add = "{activist_min_wait_months} month", earliest = true }\n',
        'collects = "activist"\n'))
    problems = lint_pack(load_pack(folder))
    assert any("activist_form" in p and "最早可确定日期" in p and "为空" in p for p in problems)


def test_lint_catches_a_date_that_is_not_the_date_of_the_thing_it_names(tmp_path):
    # the bug: the 转正申请书 row of the archive index was dated with the end of probation
    folder = copy_pack(tmp_path, lambda s: s.replace('title = "转正申请书"\ndate = "case.conversion_apply_date"',
                                                     'title = "转正申请书"\ndate = "case.probation_end"'))
    problems = lint_pack(load_pack(folder))
    assert problems == ["archive[12]（转正申请书）：日期取自“预备期满日期”，与材料名称不是同一件事"]


def test_no_document_can_print_the_day_it_was_rendered(tmp_path):
    from docx import Document

    folder = copy_pack(tmp_path, lambda s: s)
    doc = Document(folder / "docs" / "case_file.docx")
    doc.add_paragraph("{{ doc.issued_date }}")
    doc.save(folder / "docs" / "case_file.docx")
    assert any("case_file" in p and "issued_date" in p for p in lint_pack(load_pack(folder)))


def test_lint_catches_a_form_without_the_mark_of_a_field(tmp_path):
    import openpyxl

    folder = copy_pack(tmp_path, lambda s: s)
    wb = openpyxl.load_workbook(folder / "forms" / "assessment.xlsx")
    del wb.defined_names["assessor"]
    wb.save(folder / "forms" / "assessment.xlsx")
    problems = lint_pack(load_pack(folder))
    assert any("assessor" in p for p in problems)


def test_switched_off_steps_vanish_with_their_documents():
    p = load_pack(BUNDLED_PACKS / "party", {"publicity_admission": False})
    ids = [s.id for s in p.steps]
    assert "publicity_admission" not in ids and "publicity_target" in ids
    assert "publicity_admission" not in p.step("admission_vote").after
    assert "notice_admission" not in p.documents and "publicity_admission_form" not in p.documents


def test_forms_can_share_fields(pack):
    a, c = pack.forms["admission_vote"], pack.forms["conversion_vote"]
    assert [f.key for f in a.fields if f.key != "outcome"] == [
        f.key for f in c.fields if f.key not in ("outcome", "extend_months")]
    assert c.field("outcome").choices == ("按期转正", "延长预备期", "取消预备党员资格")


def test_every_step_number_of_the_procedure_is_covered(pack):
    assert sorted({n for s in pack.steps for n in s.numbers}) == list(range(1, 26))


def test_a_transition_to_an_unknown_state_is_reported(tmp_path):
    folder = copy_pack(tmp_path, lambda s: s.replace('in = ["不通过"] }, to = "target"',
                                                     'in = ["不通过"] }, to = "nowhere"', 1))
    with pytest.raises(PackError, match="nowhere"):
        load_pack(folder)


def test_facts_are_typed_and_a_step_may_only_set_a_declared_fact_of_its_type(tmp_path):
    assert load_pack(BUNDLED_PACKS / "party").facts["review_conclusion"].type == "text"
    assert load_pack(BUNDLED_PACKS / "party").facts["extended_months"].type == "number"
    undeclared = copy_pack(tmp_path / "a", lambda s: s.replace(
        'review_conclusion = { label = "政治审查结论", type = "text" }\n', ""))
    with pytest.raises(PackError, match=r"review_conclusion.*没有在 \[facts\] 中声明"):
        load_pack(undeclared)
    mistyped = copy_pack(tmp_path / "b", lambda s: s.replace(
        'review_conclusion = { label = "政治审查结论", type = "text" }',
        'review_conclusion = { label = "政治审查结论", type = "date" }'))
    with pytest.raises(PackError, match=r"review_conclusion.*声明为 date.*text"):
        load_pack(mistyped)


def test_a_step_may_only_join_the_member_roster_with_a_status_of_the_pack(tmp_path):
    assert load_pack(BUNDLED_PACKS / "party").step("conversion_approval").to_when[2].leaves_members
    typo = copy_pack(tmp_path / "a", lambda t: t.replace('joins_members = "预备党员"', 'joins_members = "预备党圆"', 1))
    with pytest.raises(PackError, match=r"预备党圆.*不是任何状态的 member 身份"):
        load_pack(typo)
    both = copy_pack(tmp_path / "b", lambda t: t.replace('joins_members = "预备党员"',
                                                           'joins_members = "预备党员", leaves_members = true', 1))
    with pytest.raises(PackError, match="不能同时使用"):
        load_pack(both)


def test_every_rule_says_what_it_checks(tmp_path):
    unlabelled = copy_pack(tmp_path, lambda t: t.replace('  label = "申请入党时年满{adult_age_years}周岁"\n', "", 1))
    with pytest.raises(PackError, match=r"steps\[0\] \(application\)\.rules\[1\] \(min_age\)\.label"):
        load_pack(unlabelled)
