"""Forms and rosters saved by a real office program: LibreOffice (headless) re-saves them, then the
engine processes the re-saved files.

One module-wide workspace holds one case per scenario. All the files to re-save are prepared first
and converted in two soffice calls (one for the workbooks, one for the documents), with a private
LibreOffice profile so a running LibreOffice or a stale lock does not get in the way.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment, Font

pytestmark = pytest.mark.office

if shutil.which("soffice") is None:
    pytest.skip("LibreOffice (soffice) 未安装：跳过办公软件往返测试", allow_module_level=True)

from engine import Engine  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.outcomes import Processed  # noqa: E402
from engine.procedure.state import fold  # noqa: E402
from engine.read import docx as docx_reader  # noqa: E402
from engine.read.identify import identify, open_body  # noqa: E402
from engine.read.office import CUSTOM_PART, custom_properties  # noqa: E402
from engine.read.safety import open_package  # noqa: E402
from engine.read.xlsx import named_cells  # noqa: E402
from engine.road import process_file  # noqa: E402
from engine.testing import applicant, fill_docx, fill_xlsx, id_number, member_roster, workspace, write_roster  # noqa: E402

TODAY = date(2026, 11, 28)
SOFFICE_TIMEOUT = 120
MEMBERS = [("刘一", "第一党支部", "正式党员"), ("周三", "第一党支部", "正式党员"), ("陈二", "第一党支部", "预备党员")]

# one case per scenario, in roster row order -> 2026-0001 ...
PEOPLE = {
    "talk": ("张三", 11),            # (1) talk .docx
    "activist": ("李四", 12),        # (2a) activist .xlsx
    "assessment": ("王五", 13),      # (2b) assessment .xlsx
    "stripped": ("赵六", 14),        # (4) activist .xlsx, custom properties removed after the re-save
    "unmarked": ("孙七", 15),        # (5) talk .docx, bookmarks removed after the re-save
    "bare": ("钱八", 16),            # (5b) talk .docx, bookmarks and custom properties removed
}
CASE = {key: f"2026-{i:04d}" for i, key in enumerate(PEOPLE, 1)}

TALK = {"talk_date": "2026-01-20", "talker": "刘一", "talker_post": "支部书记",
        "summary": "了解入党动机。\n介绍党的基本知识。"}
ACTIVIST = {"decision_date": date(2026, 3, 2), "method": "党员推荐", "filing_date": "2026/3/6",
            "contact_1": "刘一", "contact_2": "周三"}
ASSESSMENT = {"assess_date": date(2026, 8, 25), "assessor": "周三", "opinion": "表现良好。\n继续培养。",
              "result": "合格"}


# ---------------------------------------------------------------- helpers
def soffice_convert(files: list[Path], out: Path, target: str, profile: Path) -> None:
    """Re-save ``files`` with LibreOffice into ``out`` (same names); fail loudly when it does not."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", target, "--outdir", str(out), *map(str, files)]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"soffice 在 {SOFFICE_TIMEOUT} 秒内没有完成转换：{' '.join(cmd)}")
    missing = [f.name for f in files if not (out / f.name).is_file()]
    assert run.returncode == 0 and not missing, (
        f"soffice 转换失败（退出码 {run.returncode}，缺少 {missing}）\n{run.stdout}\n{run.stderr}")


def saved_by_libreoffice(path: Path) -> bool:
    app = zipfile.ZipFile(path).read("docProps/app.xml").decode("utf-8")
    return "LibreOffice" in app


def rewrite_zip(src: Path, dst: Path, drop: set[str] = frozenset(), edit=None) -> Path:
    """Copy an office zip, leaving out the members in ``drop`` and passing each member through ``edit``."""
    zin = zipfile.ZipFile(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            blob = zin.read(info)
            z.writestr(info, edit(info.filename, blob) if edit else blob)
    return dst


def without_bookmarks(name: str, blob: bytes) -> bytes:
    if name != "word/document.xml":
        return blob
    return re.sub(rb"<w:bookmark(?:Start|End)\b[^>]*?/>", b"", blob)


def identity_of(eng: Engine, path: Path):
    return identify(eng.pack, open_body(open_package(path.read_bytes(), path.name)))


def case_dir(eng: Engine, case_id: str) -> Path:
    [d] = [p for p in eng.ws.outbox.rglob(f"{case_id}-*") if p.is_dir()]
    return d


def drop(eng: Engine, src: Path, name: str | None = None):
    dst = eng.ws.inbox / (name or src.name)
    shutil.copy2(src, dst)
    return process_file(eng, dst)


def state(eng: Engine, case_id: str):
    return fold(eng.pack, case_id, eng.store.events(case_id))


def processed(outcome) -> Processed:
    assert isinstance(outcome, Processed), getattr(outcome, "receipt", outcome)
    return outcome


def staff_roster(path: Path) -> Path:
    """A roster as staff make it in a spreadsheet program: a merged title row, synonym headers, a
    blank row, real date cells with a date format, ID numbers as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申请人"
    headers = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "文化程度", "工作单位", "职务", "一线",
               "手机", "支部", "递交入党申请书时间"]
    ws.append(["XX学区2026年第一季度入党申请人名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    rows = [
        (1, "周 八", "男", "汉族", datetime(1993, 8, 9), id_number(date(1993, 8, 9), 21), "本科", "XX学区中心小学",
         "教师", "是", "13907310021", "第一党支部", datetime(2026, 2, 3)),
        None,  # a blank row between people
        (2, "吴九", "女", "回族", datetime(1990, 1, 2), id_number(date(1990, 1, 2), 22), "大专", "XX学区幼儿园",
         "保育员", "是", "13907310022", "第一党支部", "2026年2月4日"),
    ]
    for row in rows:
        ws.append(list(row) if row else [])
    for r in (3, 5):
        ws.cell(r, 5).number_format = "yyyy-mm-dd"
        ws.cell(r, 6).number_format = "@"
        ws.cell(r, 6).data_type = "s"
        ws.cell(r, 13).number_format = "yyyy\"年\"m\"月\"d\"日\""
    wb.save(path)
    return path


# ---------------------------------------------------------------- the module's workspace
@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Engine + the LibreOffice re-saved files: {"eng", "out": {key: path}, "src": {key: path}}."""
    base = tmp_path_factory.mktemp("office")
    src, out = base / "filled", base / "resaved"
    src.mkdir()
    eng = Engine.open(workspace(base / "ws"), clock=FixedClock(TODAY))
    assert processed(drop(eng, member_roster(base / "党员名册.xlsx", MEMBERS)))
    people = [applicant(name, date(1990, 1, 1) if seq % 2 else date(1992, 6, 15), date(2026, 1, 5), seq=seq)
              for name, seq in PEOPLE.values()]
    roster = processed(drop(eng, write_roster(base / "申请人名册.xlsx", people, title="入党申请人名册")))
    assert [c.split()[0] for c in roster.cases] == list(CASE.values())

    # earlier steps done without LibreOffice, so each case waits for the form to be re-saved
    for key in ("activist", "assessment", "stripped"):
        talk_form = case_dir(eng, CASE[key]) / "02-入党申请人谈话记录.docx"
        processed(drop(eng, fill_docx(talk_form, base / f"talk-{key}.docx", TALK)))
    act_form = case_dir(eng, CASE["assessment"]) / "03-确定入党积极分子情况表.xlsx"
    processed(drop(eng, fill_xlsx(act_form, base / "activist-assessment.xlsx", ACTIVIST)))

    filled = {
        "talk": fill_docx(case_dir(eng, CASE["talk"]) / "02-入党申请人谈话记录.docx", src / "talk.docx", TALK),
        "unmarked": fill_docx(case_dir(eng, CASE["unmarked"]) / "02-入党申请人谈话记录.docx",
                              src / "unmarked.docx", TALK),
        "bare": fill_docx(case_dir(eng, CASE["bare"]) / "02-入党申请人谈话记录.docx", src / "bare.docx", TALK),
        "activist": fill_xlsx(case_dir(eng, CASE["activist"]) / "03-确定入党积极分子情况表.xlsx",
                              src / "activist.xlsx", ACTIVIST),
        "stripped": fill_xlsx(case_dir(eng, CASE["stripped"]) / "03-确定入党积极分子情况表.xlsx",
                              src / "stripped.xlsx", ACTIVIST),
        "assessment": fill_xlsx(case_dir(eng, CASE["assessment"]) / "06-入党积极分子考察登记表-第1次.xlsx",
                                src / "assessment.xlsx", ASSESSMENT),
        "roster": staff_roster(src / "roster.xlsx"),
    }
    profile = base / "lo-profile"
    xlsx = [p for p in filled.values() if p.suffix == ".xlsx"]
    docx = [p for p in filled.values() if p.suffix == ".docx"]
    soffice_convert(xlsx, out, 'xlsx:Calc MS Excel 2007 XML', profile)
    soffice_convert(docx, out, 'docx:MS Word 2007 XML', profile)
    resaved = {key: out / p.name for key, p in filled.items()}
    for key, path in resaved.items():
        assert saved_by_libreoffice(path), f"{key}: not re-saved by LibreOffice"
    yield {"eng": eng, "out": resaved, "src": filled, "base": base}
    eng.store.close()


# ---------------------------------------------------------------- (1) talk record .docx
def test_talk_docx_resaved_by_libreoffice_is_processed(office):
    eng, path = office["eng"], office["out"]["talk"]
    props = custom_properties(open_package(path.read_bytes(), path.name))
    assert props["docflow_form"] == "talk" and props["docflow_case"] == CASE["talk"]
    ident = identity_of(eng, path)
    assert (ident.form_id, ident.case_id, ident.how) == ("talk", CASE["talk"], "properties")

    out = processed(drop(eng, path, "谈话记录-LibreOffice.docx"))
    assert out.cases[0].startswith(CASE["talk"]) and "身份未验证" not in out.receipt   # a Word form's too
    assert any(d.endswith("03-确定入党积极分子情况表.xlsx") for d in out.documents)
    cs = state(eng, CASE["talk"])
    assert cs.facts["talk_date"] == date(2026, 1, 20)
    assert cs.steps["talk"]["talker"] == "刘一" and cs.steps["talk"]["talker_post"] == "支部书记"
    assert cs.steps["talk"]["summary"] == "了解入党动机。\n介绍党的基本知识。"
    [(_, last)] = eng.store.events(CASE["talk"])[-1:]
    assert (last.kind, last.step) == ("step_done", "talk")


# ---------------------------------------------------------------- (2) activist and assessment .xlsx
def _check_names_and_properties(eng: Engine, path: Path, form_id: str, case_id: str) -> None:
    form = eng.pack.forms[form_id]
    names = named_cells(openpyxl.load_workbook(path))
    missing = {f.key for f in form.fields} - set(names)
    assert not missing, f"LibreOffice dropped the defined names {missing}"
    assert names["info_case_id"][1].value == case_id
    props = custom_properties(open_package(path.read_bytes(), path.name))
    assert props["docflow_form"] == form_id and props["docflow_case"] == case_id
    assert props["docflow_pack"].startswith("party@")
    ident = identity_of(eng, path)
    assert (ident.form_id, ident.case_id, ident.how) == (form_id, case_id, "properties")


def test_activist_xlsx_resaved_by_libreoffice_keeps_names_and_properties(office):
    eng, path, case_id = office["eng"], office["out"]["activist"], CASE["activist"]
    _check_names_and_properties(eng, path, "activist", case_id)

    out = processed(drop(eng, path, "积极分子情况表-LibreOffice.xlsx"))
    from engine.outcomes import VERIFIED, Submitter

    # the signature survives LibreOffice's save: the form is verified, not merely identified by its marks
    assert Submitter.from_json(eng.store.audit(case_id)[-1]["submitter"]).signature == VERIFIED
    assert "身份未验证" not in out.receipt
    assert {Path(d).name for d in out.documents} == {
        "04-关于确定入党积极分子的备案报告.docx", "05-培养联系人登记表.docx", "06-入党积极分子考察登记表-第1次.xlsx",
        "07-确定发展对象情况表.xlsx"}
    cs = state(eng, case_id)
    assert cs.state == "activist"
    assert cs.facts["activist_date"] == date(2026, 3, 2) and cs.facts["activist_filing_date"] == date(2026, 3, 6)
    assert (cs.steps["activist"]["contact_1"], cs.steps["activist"]["contact_2"]) == ("刘一", "周三")
    assert cs.steps["activist"]["method"] == "党员推荐"


def test_assessment_xlsx_resaved_by_libreoffice_keeps_names_and_properties(office):
    eng, path, case_id = office["eng"], office["out"]["assessment"], CASE["assessment"]
    _check_names_and_properties(eng, path, "assessment", case_id)
    props = custom_properties(open_package(path.read_bytes(), path.name))
    assert props["docflow_period"] == "1" and identity_of(eng, path).period == 1

    out = processed(drop(eng, path, "考察登记表-LibreOffice.xlsx"))
    assert [Path(d).name for d in out.documents] == ["06-入党积极分子考察登记表-第2次.xlsx"]
    cs = state(eng, case_id)
    assert list(cs.periods["assessment"]) == [1]
    rec = cs.periods["assessment"][1]
    assert (rec["assess_date"], rec["assessor"], rec["result"]) == (date(2026, 8, 25), "周三", "合格")
    assert rec["opinion"] == "表现良好。\n继续培养。"


# ---------------------------------------------------------------- (3) staff roster
def test_staff_roster_resaved_by_libreoffice_is_imported(office):
    eng, path = office["eng"], office["out"]["roster"]
    assert identity_of(eng, path).form_id == "applicant_roster"

    out = processed(drop(eng, path, "入党申请人名册-LibreOffice.xlsx"))
    assert not out.row_problems, out.receipt
    assert [c.split()[1] for c in out.cases] == ["周八（第一党支部）", "吴九（第一党支部）"]
    by_name = {r.name: r for r in eng.store.cases()}
    zhou, wu = state(eng, by_name["周八"].case_id), state(eng, by_name["吴九"].case_id)
    assert zhou.facts["birth_date"] == date(1993, 8, 9) and zhou.facts["apply_date"] == date(2026, 2, 3)
    assert zhou.facts["id_number"] == id_number(date(1993, 8, 9), 21)
    assert zhou.facts["education"] == "大学本科" and zhou.facts["phone"] == "13907310021"
    assert wu.facts["apply_date"] == date(2026, 2, 4) and wu.facts["education"] == "大学专科"
    assert wu.facts["ethnicity"] == "回族"
    assert by_name["周八"].case_id.startswith("2026-") and by_name["周八"].person_key == zhou.facts["id_number"]


# ---------------------------------------------------------------- (4) custom properties lost
def test_xlsx_without_custom_properties_is_identified_by_its_marks(office):
    eng, case_id = office["eng"], CASE["stripped"]
    path = rewrite_zip(office["out"]["stripped"], office["base"] / "stripped-noprops.xlsx", drop={CUSTOM_PART})
    assert CUSTOM_PART not in zipfile.ZipFile(path).namelist()
    assert custom_properties(open_package(path.read_bytes(), path.name)) == {}
    ident = identity_of(eng, path)
    assert (ident.form_id, ident.case_id, ident.how) == ("activist", case_id, "marks")

    processed(drop(eng, path, "积极分子情况表-无属性.xlsx"))
    cs = state(eng, case_id)
    assert cs.state == "activist" and cs.facts["activist_date"] == date(2026, 3, 2)
    assert cs.steps["activist"]["contact_2"] == "周三"


# ---------------------------------------------------------------- (5) bookmarks lost
def _talk_recorded(eng: Engine, case_id: str) -> None:
    cs = state(eng, case_id)
    assert cs.facts["talk_date"] == date(2026, 1, 20)
    assert cs.steps["talk"]["talker"] == "刘一" and cs.steps["talk"]["talker_post"] == "支部书记"
    assert cs.steps["talk"]["summary"] == "了解入党动机。\n介绍党的基本知识。"


def _read_by_labels(eng: Engine, path: Path) -> None:
    doc = open_body(open_package(path.read_bytes(), path.name)).doc
    assert b"bookmarkStart" not in zipfile.ZipFile(path).read("word/document.xml")
    raw = docx_reader.read_form(doc, eng.pack.forms["talk"])
    assert set(raw) == {f.key for f in eng.pack.forms["talk"].fields}
    assert all(v.place.endswith("一栏（按栏目名找到）") for v in raw.values()), {k: v.place for k, v in raw.items()}


def test_docx_without_bookmarks_is_read_by_its_label_table(office):
    eng, case_id = office["eng"], CASE["unmarked"]
    path = rewrite_zip(office["out"]["unmarked"], office["base"] / "unmarked-nobookmarks.docx", edit=without_bookmarks)
    _read_by_labels(eng, path)
    assert identity_of(eng, path).how == "properties"

    processed(drop(eng, path, "谈话记录-无书签.docx"))
    _talk_recorded(eng, case_id)


def test_docx_without_bookmarks_or_properties_is_identified_and_read_by_its_marks(office):
    eng, case_id = office["eng"], CASE["bare"]
    path = rewrite_zip(office["out"]["bare"], office["base"] / "bare.docx", drop={CUSTOM_PART}, edit=without_bookmarks)
    _read_by_labels(eng, path)
    ident = identity_of(eng, path)
    assert (ident.form_id, ident.case_id, ident.how) == ("talk", case_id, "marks")

    processed(drop(eng, path, "谈话记录-无书签无属性.docx"))
    _talk_recorded(eng, case_id)
