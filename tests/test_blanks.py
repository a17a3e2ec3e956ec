"""The blank rosters `docflow init` writes into 空白表格/: what staff fill in at step 1."""
from datetime import date

import openpyxl
import pytest
from e2e import drop

from engine.cli import main
from engine.outcomes import Processed
from engine.output.blanks import BLANK_FOLDER, write_blank_forms
from engine.testing import id_number


@pytest.fixture
def blanks(tmp_path):
    root = tmp_path / "ws"
    assert main(["init", str(root), "--org", "XX学区党委", "--branches", "第一党支部,第二党支部",
                 "--feedback", "组织委员"]) == 0
    return root / BLANK_FOLDER


def test_init_writes_a_blank_workbook_for_every_roster_of_the_pack(blanks, pack):
    names = sorted(p.name for p in blanks.iterdir())
    assert names == sorted(["入党申请人名册.xlsx", "党员名册.xlsx", "发展党员工作台账(中途启用时导入).xlsx"])
    ws = openpyxl.load_workbook(blanks / "入党申请人名册.xlsx").active
    headers = [c.value for c in ws[3]]
    assert headers == ["序号"] + [f.label for f in pack.forms["applicant_roster"].fields]
    assert ws["A4"].value == "示例" and ws["B4"].value == "张三"            # the example row, marked
    assert ws.freeze_panes == "B5" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    gender_col = openpyxl.utils.get_column_letter(headers.index("性别") + 1)
    assert lists[gender_col] == '"男,女"'
    branch_col = openpyxl.utils.get_column_letter(headers.index("所在党支部") + 1)
    assert lists[branch_col] == '"第一党支部,第二党支部"'                   # the configured branches
    id_col = headers.index("公民身份号码") + 1
    assert ws.cell(5, id_col).number_format == "@"                           # Excel keeps all 18 digits
    assert "必填" in ws.cell(3, id_col).comment.text


def test_a_blank_roster_filled_in_is_read_and_its_example_row_skipped(blanks, eng, tmp_path):
    path = blanks / "入党申请人名册.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    headers = [c.value for c in ws[3]]
    row = {"姓名": "王芳", "性别": "女", "民族": "汉族", "出生日期": "1997-06-02",
           "公民身份号码": id_number(date(1997, 6, 2), 22), "学历": "大学本科", "工作单位": "XX学区中心小学",
           "是否一线": "是", "所在党支部": "第一党支部", "申请入党日期": "2026-09-01"}
    for label, value in row.items():
        ws.cell(5, headers.index(label) + 1, value)
    wb.save(tmp_path / "已填写.xlsx")
    out = drop(eng, tmp_path / "已填写.xlsx")
    assert isinstance(out, Processed) and len(out.cases) == 1 and "王芳" in out.cases[0]
    assert out.row_problems == () and "第4行是填写示例，已跳过" in out.receipt


def test_existing_blank_workbooks_are_left_alone(tmp_path, pack):
    (tmp_path / "党员名册.xlsx").write_bytes(b"staff's own copy")
    write_blank_forms(pack, tmp_path)
    assert (tmp_path / "党员名册.xlsx").read_bytes() == b"staff's own copy"


def test_the_readme_lists_the_columns_of_every_blank_roster(pack):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for form in pack.forms.values():
        if form.kind == "roster":
            [line] = [x for x in readme.splitlines() if x.startswith(f"- {form.blank_title or form.label}：")]
            listed = line.split("：", 1)[1].split("（加粗")[0].split("、")
            assert listed == [f"**{f.label}**" if f.required else f.label for f in form.fields], form.label
