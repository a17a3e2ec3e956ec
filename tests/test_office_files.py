"""Files offices already keep, read as staff expect: the kind of sheet chosen by what it can satisfy, columns bound
only when their values fit, headers with the usual decorations, values with other systems' codes, what was
ignored said in the receipt."""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from engine import Engine, Processed, Rejected, process_file
from engine.check.values import to_choice
from engine.clock import FixedClock
from engine.pack.load import load_pack
from engine.read.identify import identify, open_body
from engine.read.reading import read_package
from engine.read.safety import open_package
from engine.read.xlsx import header_key
from engine.testing import id_number, workspace, xlsx_bytes
from engine.workspace import bundled

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def pack():
    return load_pack(bundled("templates") / "party", {})


@pytest.fixture
def eng(tmp_path):
    e = Engine.open(workspace(tmp_path / "ws"), clock=FixedClock(TODAY))
    yield e
    e.store.close()


def book(headers: list, rows: list[list], title: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    return xlsx_bytes(wb)


def kind_of(pack, data: bytes):
    return identify(pack, open_body(open_package(data, "x.xlsx")))


def test_a_member_roster_with_person_columns_and_dates_is_read_as_a_member_roster(pack):
    """Its person columns (性别, 出生年月, 民族, 身份证号) and dates would outscore it as an applicant roster or a
    ledger; but only the member roster has every required column."""
    headers = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "所在支部", "入党时间", "转正时间", "党员类别"]
    rows = [[1, "刘一", "男", "汉族", "1980-05", id_number(date(1980, 5, 3)), "第一党支部", "2005-06-01",
             "2006-06-01", "正式党员"]]
    found = kind_of(pack, book(headers, rows, title="第一党支部党员名册"))
    assert found.form_id == "member_roster", found


def test_a_category_column_of_students_is_not_the_member_status_and_the_real_one_further_right_is(pack):
    headers = ["姓名", "人员类别", "所在党支部", "党籍状态"]
    rows = [["刘一", "在职教职工", "第一党支部", "正式党员"], ["周三", "本科生", "第一党支部", "预备党员"],
            ["吴六", "学生", "第一党支部", "正式党员"]]
    reading = read_package(pack, open_package(book(headers, rows), "x.xlsx"))
    assert reading.identity.form_id == "member_roster"
    assert reading.roster.columns["member_status"] == "D"
    assert [r.values["member_status"].value for r in reading.roster.rows] == ["正式党员", "预备党员", "正式党员"]
    assert any("人员类别" in n for n in reading.roster.notes)         # said to be ignored


def test_a_label_column_is_taken_even_when_its_values_are_wrong(pack):
    """The field's own header always binds (its wrong values are then each reported), only a synonym is
    weighed by its values."""
    reading = read_package(pack, open_package(book(["姓名", "所在党支部", "党员类别"],
                                                   [["刘一", "第一党支部", "学生"]]), "x.xlsx"))
    assert reading.roster.columns["member_status"] == "C"


@pytest.mark.parametrize("text, same", [
    ("申请入党日期(2019/10/24)", "申请入党日期"),
    ("是否一线（填写“是”“否”）", "是否一线"),
    ("姓  名", "姓名"),
    ("姓\n名", "姓名"),
    ("*公民身份号码", "公民身份号码"),
    ("所在党支部：", "所在党支部"),
    ("出生日期_x000D_", "出生日期"),
    ("ＩＤ号码", "id号码"),
    ("【必填】姓名", "姓名"),
])
def test_headers_are_compared_without_their_decorations(text, same):
    assert header_key(text) == header_key(same)


@pytest.mark.parametrize("value, choices, expected", [
    ("223_正式党员", ("正式党员", "预备党员"), "正式党员"),
    ("95_男", ("男", "女"), "男"),
    ("01 汉族", ("汉族", "回族"), "汉族"),
    ("1-女", ("男", "女"), "女"),
    ("本科在读", None, "大学本科"),
])
def test_values_with_other_systems_codes_and_common_words_are_taken(pack, value, choices, expected):
    if choices is None:
        f = pack.forms["applicant_roster"].field("education")
        assert to_choice(value, f.choices, f.aliases) == expected
    else:
        assert to_choice(value, choices, {}) == expected


def test_a_number_is_not_taken_for_a_coded_choice():
    with pytest.raises(ValueError):
        to_choice("223", ("正式党员", "预备党员"), {})


@pytest.mark.parametrize("header, field", [
    ("联系党支部", "branch"), ("党支部名称", "branch"), ("支部名称", "branch"), ("出生时间", "birth_date"),
    ("所在单位", "unit"), ("居民身份证号码", "id_number"), ("递交入党申请书日期", "apply_date"),
])
def test_header_synonyms_of_real_systems(pack, header, field):
    f = pack.forms["applicant_roster"].field(field)
    assert any(header_key(header) == header_key(h) for h in f.headers)


def test_a_list_of_names_and_branches_is_closest_to_a_member_roster_and_told_its_missing_column(eng):
    path = eng.ws.inbox / "名单.xlsx"
    path.write_bytes(book(["姓名", "所在党支部", "备注"], [["刘一", "第一党支部", ""]]))
    out = process_file(eng, path)
    assert isinstance(out, Rejected) and "找不到“党员类别”列" in out.receipt and "党籍状态" in out.receipt


def test_when_two_kinds_are_about_as_close_the_receipt_says_what_each_lacks(pack):
    """Half an applicant roster and a member roster without its status: the receipt names both."""
    from engine.outcomes import Finding

    headers = ["姓名", "性别", "民族", "出生日期", "所在党支部", "是否留党察看"]
    found = kind_of(pack, book(headers, [["刘一", "男", "汉族", "1980-05-03", "第一党支部", "否"]]))
    assert isinstance(found, Finding), found
    assert "入党申请人名册" in found.message and "党员名册" in found.message and "缺少必填的列" in found.message
    assert "党员类别" in found.message and "公民身份号码" in found.message


def test_a_roster_short_of_a_column_names_it_and_the_names_it_may_go_by(eng):
    headers = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "工作单位", "所在党支部"]
    path = eng.ws.inbox / "申请人.xlsx"
    path.write_bytes(book(headers, [["张三", "男", "汉族", "1995-03-07", id_number(date(1995, 3, 7)), "本科",
                                     "中心小学", "第一党支部"]]))
    out = process_file(eng, path)
    assert isinstance(out, Rejected) and "申请入党日期" in out.receipt and "递交入党申请书时间" in out.receipt
    assert "找不到名册的表头" not in out.receipt


def test_unrecognised_columns_are_listed_in_the_receipt(eng):
    headers = ["姓名", "性别", "民族", "出生年月", "公民身份号码", "学历", "工作单位", "所在党支部", "申请入党日期",
               "籍贯", "QQ号"]
    path = eng.ws.inbox / "申请人.xlsx"
    path.write_bytes(book(headers, [["张三", "男", "汉族", "1995-03", id_number(date(1995, 3, 7)), "本科",
                                     "中心小学", "第一党支部", "2026-10-20", "山东", "12345"]]))
    out = process_file(eng, path)
    assert isinstance(out, Processed), out.receipt
    assert "未识别的列" in out.receipt and "籍贯" in out.receipt and "QQ号" in out.receipt


def test_a_year_month_birth_date_against_the_id_is_taken_and_a_wrong_month_is_refused(eng):
    headers = ["姓名", "性别", "民族", "出生年月", "公民身份号码", "学历", "工作单位", "所在党支部", "申请入党日期"]
    path = eng.ws.inbox / "申请人.xlsx"
    path.write_bytes(book(headers, [
        ["张三", "男", "汉族", "1998-02", id_number(date(1998, 2, 14), 11), "本科", "小学", "第一党支部", "2026-10-20"],
        ["李四", "女", "汉族", "1998.03", id_number(date(1998, 2, 14), 12), "本科", "小学", "第一党支部",
         "2026-10-20"]]))
    out = process_file(eng, path)
    assert [c.name for c in eng.store.cases()] == ["张三"]
    assert "第3行" in out.receipt and "出生年月 1998-03 与公民身份号码中的出生年月 1998-02 不一致" in out.receipt


APPLICANT = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "工作单位", "申请入党日期"]


def _person(name: str, seq: int) -> list:
    return [name, "男", "汉族", "1995-03-07", id_number(date(1995, 3, 7), seq), "本科", "中心小学", "2026-10-20"]


def test_notes_sign_offs_and_instruction_blocks_in_the_data_are_skipped_with_a_note(eng):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["入党申请人名册"])
    ws.append([*APPLICANT, "所在党支部"])
    ws.append([*_person("张三", 21), "第一党支部"])
    ws.append(["说明：以下为第二批，按递交申请书先后排列"])
    ws.merge_cells(f"A{ws.max_row}:I{ws.max_row}")
    ws.append([*_person("李四", 22), "第一党支部"])
    ws.append([])
    ws.append(["填表人：王五", None, None, "审核人：刘一", None, None, "填表日期：2026年11月1日"])
    ws.append(["注：1. 出生日期按身份证填写；2. 学历填最高学历。"])
    path = eng.ws.inbox / "名册.xlsx"
    path.write_bytes(xlsx_bytes(wb))
    out = process_file(eng, path)
    assert isinstance(out, Processed) and "问题" not in out.receipt, out.receipt
    assert sorted(c.name for c in eng.store.cases()) == ["张三", "李四"]
    assert "第4、7-8行是说明或落款" in out.receipt


@pytest.mark.parametrize("where", ["label", "title", "sheet", "file"])
def test_the_branch_comes_from_the_label_row_title_sheet_or_file_name_when_there_is_no_column(eng, where):
    wb = openpyxl.Workbook()
    ws = wb.active
    if where == "label":
        ws.append(["入党申请人名册"])
        ws.append(["支部名称：第二党支部", None, None, None, "填报日期：2026年11月"])
    elif where == "title":
        ws.append(["XX学区党委第二党支部入党申请人名册"])
    if where == "sheet":
        ws.title = "第二党支部"
    ws.append(APPLICANT)
    ws.append(_person("张三", 31))
    name = "第二党支部申请人.xlsx" if where == "file" else "申请人.xlsx"
    path = eng.ws.inbox / name
    path.write_bytes(xlsx_bytes(wb))
    out = process_file(eng, path)
    assert isinstance(out, Processed), out.receipt
    assert [c.branch for c in eng.store.cases()] == ["第二党支部"]
    assert "所在党支部取自" in out.receipt


def test_a_labelled_branch_the_committee_does_not_have_is_refused_naming_it(eng):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["支部名称：第九十九党支部"])
    ws.append(APPLICANT)
    ws.append(_person("张三", 41))
    path = eng.ws.inbox / "申请人.xlsx"
    path.write_bytes(xlsx_bytes(wb))
    out = process_file(eng, path)
    assert not list(eng.store.cases()) and "第九十九党支部" in out.receipt


LEDGER = ["姓名", "性别", "民族", "出生年月", "公民身份号码", "学历", "工作单位", "所在党支部", "递交入党申请书时间",
          "党组织派人谈话时间", "谈话人", "确定为入党积极分子时间", "培养联系人", "确定为重点发展对象时间",
          "入党介绍人", "政审时间", "集中培训时间", "预审时间", "确定为预备党员时间（支部大会）", "上级党委审批时间",
          "入党宣誓时间", "转正申请时间", "转为正式党员日期", "当前状态"]
FULL = ["刘芳", "女", "汉族", "1990-04", id_number(date(1990, 4, 9), 51), "大学本科", "中心小学", "第一党支部",
        "2016-03-01", "2016-03-20", "王书记", "2016-09-01", "刘一、周三", "2017-09-10", "刘一、周三", "2017-10-10",
        "2017-10-20", "2017-11-01", "2017-11-20", "2018-01-10", "2018-01-15", "2018-10-20", "2018-11-20", "正式党员"]


def _import(eng, headers, rows, name="台账.xlsx"):
    path = eng.ws.inbox / name
    path.write_bytes(book(headers, rows, title="XX学区发展党员工作台账"))
    return process_file(eng, path)


def test_the_ledger_import_keeps_every_milestone_it_is_given(eng):
    from engine.procedure.state import fold

    out = _import(eng, LEDGER, [FULL])
    assert isinstance(out, Processed), out.receipt
    (case,) = eng.store.cases()
    events = eng.store.events(case.case_id)
    steps = [ev.step for _, ev in events if ev.step]
    assert steps == ["application", "talk", "activist", "target", "sponsors", "review", "training", "prereview",
                     "admission_vote", "admission_approval", "oath", "conversion_apply", "conversion_approval"]
    assert all(ev.data.get("imported") for _, ev in events)
    cs = fold(eng.pack, case.case_id, events)
    assert cs.state == "full"
    assert cs.steps["activist"]["contact_1"] == "刘一" and cs.steps["activist"]["contact_2"] == "周三"
    assert cs.steps["sponsors"]["sponsor_1"] == "刘一" and cs.steps["talk"]["talker"] == "王书记"
    assert cs.facts["approval_date"] == date(2018, 1, 10)                # its own date, not 入党时间
    assert cs.facts["join_date"] == date(2017, 11, 20) and cs.facts["full_date"] == date(2018, 11, 20)
    assert "已逾期" not in out.receipt


def test_imported_steps_are_not_issued_again_nor_overdue(eng):
    from engine.status import listing

    row = FULL[:]
    row[LEDGER.index("转为正式党员日期")] = ""
    row[LEDGER.index("当前状态")] = "预备党员"
    out = _import(eng, LEDGER, [row])
    assert isinstance(out, Processed), out.receipt
    made = sorted(p.name for p in eng.ws.outbox.rglob("*.xlsx") if p.parent != eng.ws.outbox)
    assert made == ["21-预备党员考察登记表-第19次.xlsx", "22-预备党员转正公示情况表.xlsx",
                    "90-组织关系转出情况表(需要时填写).xlsx"]            # nothing for the steps on file
    assert "已逾期" not in listing(eng)


@pytest.mark.parametrize("drop, stage", [("当前状态", "full"), ("转为正式党员日期", "probationary")])
def test_without_a_stage_column_the_stage_is_the_latest_milestones(eng, drop, stage):
    from engine.procedure.state import fold

    headers = [h for h in LEDGER if h not in (drop, "当前状态")]
    row = [v for h, v in zip(LEDGER, FULL, strict=True) if h in headers]
    out = _import(eng, headers, [row])
    assert isinstance(out, Processed), out.receipt
    (case,) = eng.store.cases()
    assert fold(eng.pack, case.case_id, eng.store.events(case.case_id)).state == stage


def test_an_approval_before_the_meeting_is_refused(eng):
    row = FULL[:]
    row[LEDGER.index("上级党委审批时间")] = "2017-11-01"
    out = _import(eng, LEDGER, [row])
    assert not eng.store.cases() and "上级党委审批时间不能早于入党时间" in out.receipt


def test_a_corrupt_deflate_stream_inside_a_sheet_is_the_ordinary_damaged_file_receipt(eng):
    import io as _io
    import zipfile

    data = book(APPLICANT + ["所在党支部"], [_person("张三", 61) + ["第一党支部"]])
    z = zipfile.ZipFile(_io.BytesIO(data))
    info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(data)
    for i in range(start + 8, start + min(info.compress_size, 60)):
        broken[i] ^= 0x5A                                  # the stream garbled, its sizes left as they were
    path = eng.ws.inbox / "损坏.xlsx"
    path.write_bytes(bytes(broken))
    out = process_file(eng, path)
    assert isinstance(out, Rejected) and "损坏" in out.receipt and "管理员" not in out.receipt


@pytest.mark.parametrize("name, ok", [("阿依古丽·买买提", True), ("张三😀", False), ("李_x0007_四", False),
                                      ("王_x000D_五", True)])
def test_names_with_emoji_or_control_characters_are_refused(eng, name, ok):
    path = eng.ws.inbox / "名册.xlsx"
    path.write_bytes(book(APPLICANT + ["所在党支部"], [[name, *_person("x", 71)[1:], "第一党支部"]]))
    out = process_file(eng, path)
    names = [c.name for c in eng.store.cases()]
    if ok:
        assert names and "_x000D_" not in names[0], out.receipt
    else:
        assert not names and "姓名中有" in out.receipt


def test_every_alias_of_the_pack_maps_to_its_choice(pack):
    """Each value alias in the pack is a test case: it reads as the choice it names."""
    seen = 0
    for form in pack.forms.values():
        for f in form.fields:
            for alias, target in f.aliases.items():
                assert to_choice(alias, f.choices, f.aliases) == target, (form.label, f.label, alias)
                seen += 1
    assert seen > 60


def test_no_header_of_a_roster_names_two_of_its_fields(pack):
    """Each header text (label or synonym) of a staff-made roster belongs to one field only."""
    for form in pack.forms.values():
        if form.kind != "roster":
            continue
        owner: dict[str, str] = {}
        for f in form.fields:
            for h in f.headers:
                assert owner.setdefault(header_key(h), f.key) == f.key, (form.label, h, owner[header_key(h)], f.key)


def test_one_sheet_per_branch_is_read_as_one_roster_with_each_sheets_branch(eng):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "第一党支部"
    second = wb.create_sheet("第二党支部")
    notes = wb.create_sheet("填表说明")
    notes.append(["说明：每个党支部一张表"])
    for ws, people in ((first, [("张三", 81), ("李四", 82)]), (second, [("王五", 83)])):
        ws.append([f"{ws.title}入党申请人名册"])
        ws.append(APPLICANT)
        for name, seq in people:
            ws.append(_person(name, seq))
    path = eng.ws.inbox / "各支部申请人名册.xlsx"
    path.write_bytes(xlsx_bytes(wb))
    out = process_file(eng, path)
    assert isinstance(out, Processed), out.receipt
    assert sorted((c.name, c.branch) for c in eng.store.cases()) == [
        ("张三", "第一党支部"), ("李四", "第一党支部"), ("王五", "第二党支部")]


def test_a_member_roster_kept_one_sheet_per_branch_fills_each_branchs_roster(eng):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "第一党支部"
    second = wb.create_sheet("第二党支部")
    for ws, people in ((first, [("刘一", "正式党员"), ("周三", "预备党员")]), (second, [("吴六", "正式党员")])):
        ws.append(["姓名", "党员类别"])
        for row in people:
            ws.append(list(row))
    path = eng.ws.inbox / "党员名册.xlsx"
    path.write_bytes(xlsx_bytes(wb))
    out = process_file(eng, path)
    assert isinstance(out, Processed), out.receipt
    assert set(eng.store.members("第一党支部")) == {"刘一", "周三"} and set(eng.store.members("第二党支部")) == {"吴六"}


def _vocabulary() -> list[tuple[str, str]]:
    from pathlib import Path

    lines = (Path(__file__).parent / "data" / "office_headers.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(x.strip() for x in line.split("=>")) for line in lines if "=>" in line and not line.startswith("#")]


def mapped(pack, header: str) -> str:
    """The field a header maps to in any staff-made roster of the pack ("-" none)."""
    for form in pack.forms.values():
        if form.kind == "roster":
            for f in form.fields:
                if any(header_key(header) == header_key(h) for h in f.headers):
                    return f.key
    return "-"


@pytest.mark.parametrize("header, field", _vocabulary())
def test_the_collected_vocabulary_of_real_offices_maps(pack, header, field):
    assert mapped(pack, header) == field


def _corpus():
    import office_corpus

    return office_corpus.ENTRIES


@pytest.mark.parametrize("entry", _corpus(), ids=lambda e: e.name)
def test_the_office_corpus_gets_what_a_branch_secretary_expects(tmp_path, entry):
    eng = Engine.open(workspace(tmp_path / "ws"), clock=FixedClock(TODAY))
    try:
        path = eng.ws.inbox / entry.name
        path.write_bytes(entry.build())
        out = process_file(eng, path)
        assert ("processed" if isinstance(out, Processed) else "rejected") == entry.outcome, out.receipt
        people = len(eng.store.cases()) + sum(len(eng.store.members(b) or {}) for b in eng.store.branches())
        assert people == entry.people, out.receipt
        for words in entry.says:
            assert words in out.receipt, (words, out.receipt)
        assert "找不到名册的表头" not in out.receipt and "管理员" not in out.receipt
    finally:
        eng.store.close()


@pytest.mark.parametrize("kind", ["empty", "slip", "bomb"])
def test_every_refusal_of_a_whole_file_says_what_to_do(eng, kind):
    import io as _io
    import zipfile

    if kind == "empty":
        data = b""
    else:
        buf = _io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            if kind == "slip":
                z.writestr("../../evil.xml", "<x/>")
            else:
                z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * 5_000_000 + b"</a>")
        data = buf.getvalue()
    path = eng.ws.inbox / "名册.xlsx"
    path.write_bytes(data)
    out = process_file(eng, path)
    assert isinstance(out, Rejected) and "修改方法" in out.receipt, out.receipt


def test_of_two_columns_for_one_field_the_filled_one_is_read(pack):
    headers = [*APPLICANT[:-1], "所在党支部", "申请入党日期", "递交入党申请书时间"]
    rows = [[*_person("张三", 91)[:-1], "第一党支部", None, "2026-10-20"]]
    reading = read_package(pack, open_package(book(headers, rows), "x.xlsx"))
    assert reading.roster.columns["apply_date"] == "J"
    assert reading.roster.rows[0].values["apply_date"].value == "2026-10-20"


def test_docflows_own_ledger_with_masked_ids_is_refused_saying_why(eng, tmp_path):
    """The ledger docflow writes hides most of each ID: it is for reading, and saying so beats a check digit."""
    from engine.output.ledger import ledger_name
    from engine.testing import applicant, write_roster

    write_roster(eng.ws.inbox / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 10, 20), seq=99)])
    from engine.road import process_inbox

    process_inbox(eng)
    ours = eng.ws.outbox / ledger_name(eng.pack)
    other = Engine.open(workspace(tmp_path / "fresh"), clock=FixedClock(TODAY))
    try:
        path = other.ws.inbox / ours.name
        path.write_bytes(ours.read_bytes())
        out = process_file(other, path)
        assert not other.store.cases() and "隐去" in out.receipt and "不能再导入" in out.receipt
    finally:
        other.store.close()


def test_a_ledger_that_carries_member_roster_columns_is_read_as_a_ledger(pack):
    headers = [*LEDGER, "党员类别"]
    found = kind_of(pack, book(headers, [[*FULL, "正式党员"]]))
    assert found.form_id == "ledger", found


def test_a_summary_sheet_repeating_the_branch_sheets_is_not_read_twice(eng):
    wb = openpyxl.Workbook()
    total = wb.active
    total.title = "汇总"
    total.append([*APPLICANT, "所在党支部"])
    sheets = {"第一党支部": [("张三", 86), ("李四", 87)], "第二党支部": [("王五", 88)]}
    for branch, people in sheets.items():
        for name, seq in people:
            total.append([*_person(name, seq), branch])
    for branch, people in sheets.items():
        ws = wb.create_sheet(branch)
        ws.append([*APPLICANT, "所在党支部"])
        for name, seq in people:
            ws.append([*_person(name, seq), branch])
    path = eng.ws.inbox / "名册（含汇总）.xlsx"
    path.write_bytes(xlsx_bytes(wb))
    out = process_file(eng, path)
    assert isinstance(out, Processed) and "同一人" not in out.receipt, out.receipt
    assert len(eng.store.cases()) == 3 and "视为汇总表" in out.receipt
