"""The 公文 profile end to end: which documents are official, their 发文字号 (allocated in the store, sequential
per prefix and year, never reused, the same after regeneration, shown in the ledger), what they print
(mark, number, 主送, signature, 成文日期, 版记, page numbers), records' "第 N 页 共 M 页", and rare characters set
in a font that has them."""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from lxml import etree
from openpyxl import load_workbook

from engine import Engine
from engine.clock import FixedClock
from engine.output.ledger import ledger_name
from engine.pack.load import load_pack
from engine.pack.organs import SAMPLE, branch_full_name, full_name, prefix, stem
from engine.regenerate import planned, regenerate
from engine.store import MemoryStore, SqliteStore
from engine.testing import load_walkthrough, walk, walkthrough_workspace
from engine.workspace import BUNDLED_PACKS, Official

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OFFICIAL = {"activist_filing", "target_filing", "prereview_request", "approval_request", "approval_notice",
            "admission_refusal_notice", "conversion_request", "extension_request", "cancellation_request",
            "conversion_notice", "extension_notice", "cancellation_notice", "conversion_refusal_notice"}


def test_the_pack_says_which_documents_are_official():
    pack = load_pack(BUNDLED_PACKS / "party")
    assert {k for k, d in pack.documents.items() if d.profile == "official"} == OFFICIAL
    assert {d.issuer for k, d in pack.documents.items() if k.endswith("_notice") and k in OFFICIAL} == {"committee"}
    assert all(pack.documents[k].issuer == "branch" for k in OFFICIAL if k.endswith(("_request", "_filing")))


@pytest.mark.parametrize("make", [MemoryStore, lambda: SqliteStore(":memory:")], ids=["memory", "sqlite"])
def test_numbers_are_sequential_per_prefix_and_year_and_given_once(make):
    s = make()
    a = s.number("X党", 2026, "2026-0001", "approval_notice", None, 1, "t")
    b = s.number("X党", 2026, "2026-0002", "approval_notice", None, 1, "t")
    again = s.number("X党", 2026, "2026-0001", "approval_notice", None, 1, "later")
    other_year = s.number("X党", 2027, "2026-0001", "conversion_notice", None, 1, "t")
    branch = s.number("X党一支", 2026, "2026-0001", "approval_request", None, 1, "t")
    occurrence = s.number("X党", 2026, "2026-0001", "approval_notice", None, 2, "t")
    assert (a.serial, b.serial, again.serial, other_year.serial, branch.serial, occurrence.serial) == (1, 2, 1, 1, 1, 3)
    assert a.text == "X党〔2026〕1号" and again == a
    assert [n.text for n in s.numbers("2026-0001")] == ["X党〔2026〕1号", "X党〔2027〕1号", "X党一支〔2026〕1号",
                                                       "X党〔2026〕3号"]


def test_numbers_are_never_reused_when_a_later_one_exists(tmp_path):
    """Serial = the largest given + 1: nothing is ever deleted, so a number once printed is never printed again."""
    path = tmp_path / "s.db"
    s = SqliteStore(path)
    for i in range(1, 4):
        s.number("X党", 2026, f"2026-000{i}", "approval_notice", None, 1, "t")
    s.close()
    s = SqliteStore(path)                      # reopened: the sequence goes on
    assert s.number("X党", 2026, "2026-0009", "approval_notice", None, 1, "t").serial == 4
    s.close()


def test_names_are_derived_from_the_organisation():
    assert stem("XX学区党委") == "XX学区" and stem("中共XX学区委员会") == "XX学区"
    assert full_name(SAMPLE, "XX学区党委") == "中共XX学区委员会"
    assert branch_full_name("XX学区党委", "第一党支部") == "中共XX学区第一党支部"
    assert prefix(SAMPLE, "XX学区党委", "committee", "第一党支部") == "XX学区党"
    assert prefix(SAMPLE, "XX学区党委", "branch", "第一党支部") == "XX学区党一支"
    off = Official(prefix="X学党", branches={"第一党支部": "X学一支"}, full_name="中共X学区委员会")
    assert prefix(off, "XX学区党委", "committee", "") == "X学党"
    assert prefix(off, "XX学区党委", "branch", "第一党支部") == "X学一支"
    assert prefix(off, "XX学区党委", "branch", "第二党支部") == "X学党二支"
    assert full_name(off, "XX学区党委") == "中共X学区委员会"


def _paragraphs(data: bytes, part: str = "word/document.xml") -> list[tuple[str, str]]:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))
    out = []
    for p in root.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        out.append((style.get(W + "val") if style is not None else "", "".join(t.text or "" for t in p.iter(W + "t"))))
    return out


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """The party walkthrough with a name outside GB2312 (堃) and a configured [official]."""
    tmp = tmp_path_factory.mktemp("gongwen")
    wt = load_walkthrough("party")
    wt = replace(wt, person={**wt.person, "name": "王堃"})
    ws = walkthrough_workspace(tmp / "ws", wt)
    ws = replace(ws, config=ws.config.model_copy(update={"official": Official(
        prefix="X学党", copy_to="XX县委组织部", branches={"第一党支部": "X学一支"})}))
    eng = Engine.open(ws, clock=FixedClock(wt.today))
    case_id = walk(eng, wt, tmp / "src")
    yield eng, case_id
    eng.store.close()


def _doc(eng, case_id, doc_id):
    from engine.output.documents import doc_path

    return doc_path(eng, case_id, doc_id, None).read_bytes()


def test_the_approval_notice_prints_every_element(walked):
    eng, case_id = walked
    paras = _paragraphs(_doc(eng, case_id, "approval_notice"))
    by_style = {}
    for style, text in paras:
        by_style.setdefault(style, []).append(text)
    assert by_style["GwMark"] == ["中共XX学区委员会文件"]
    [number] = by_style["GwNumber"]
    assert number.startswith("X学党〔") and number.endswith("〕1号")
    assert by_style["GwTitle"] == ["关于接收预备党员的批复"]
    assert by_style["GwAddressee"] == ["中共XX学区第一党支部："]
    assert by_style["GwSignature"] == ["中共XX学区委员会"]
    assert by_style["GwDate"][0].endswith("日") and "_" not in by_style["GwDate"][0]
    assert by_style["GwColophon"][0] == "抄送：XX县委组织部。"
    assert by_style["GwColophon"][1].endswith("印发")
    footer = _paragraphs(_doc(eng, case_id, "approval_notice"), "word/footer1.xml")
    assert any(s == "GwPageNumber" and "—" in t for s, t in footer)


def test_a_branch_request_is_numbered_by_the_branch_with_a_signer_line(walked):
    eng, case_id = walked
    paras = dict(_paragraphs(_doc(eng, case_id, "approval_request")))
    assert paras["GwNumber"].startswith("X学一支〔") and "签发人：" in paras["GwNumber"]
    assert paras["GwAddressee"] == "中共XX学区委员会："
    assert paras["GwSignature"] == "中共XX学区第一党支部"


def test_each_official_document_has_its_own_number_shown_in_the_ledger(walked):
    eng, case_id = walked
    numbers = eng.store.numbers(case_id)
    assert {n.doc_id for n in numbers} <= OFFICIAL and len(numbers) >= 6
    assert len({(n.prefix, n.year, n.serial) for n in numbers}) == len(numbers)
    ws = load_workbook(eng.ws.outbox / ledger_name(eng.pack), read_only=True)["全部"]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[1].index("发文字号")
    cell = next(r for r in rows[2:] if r[1] == case_id)[col]
    assert all(n.text in cell for n in numbers) and "关于接收预备党员的批复" in cell


def test_regeneration_prints_the_same_numbers(walked):
    eng, case_id = walked
    before = [n.text for n in eng.store.numbers()]
    notice = _doc(eng, case_id, "approval_notice")
    (eng.ws.outbox / next(eng.ws.outbox.rglob("*关于接收预备党员的批复.docx")).relative_to(eng.ws.outbox)).unlink()
    regenerate(eng, planned(eng, case_id=case_id), processes=1)
    assert [n.text for n in eng.store.numbers()] == before
    assert _doc(eng, case_id, "approval_notice") == notice


def test_a_rare_character_is_set_in_a_font_that_has_it(walked):
    """堃 is outside GB2312: in the body (仿宋_GB2312 by its style) it is set in 仿宋, the rest stays as it was."""
    eng, case_id = walked
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(_doc(eng, case_id, "approval_notice"))).read(
        "word/document.xml"))
    fonts = {}
    for r in root.iter(W + "r"):
        text = "".join(t.text or "" for t in r.iter(W + "t"))
        f = r.find(f"{W}rPr/{W}rFonts")
        fonts.setdefault(f.get(W + "eastAsia") if f is not None else "", set()).update(text)
    assert "堃" in fonts["仿宋"] and "堃" not in fonts.get("", set())
    assert "王" in fonts[""]         # the name's other character keeps the style's 仿宋_GB2312


def test_records_carry_page_n_of_m():
    from engine.pack.load import load_pack

    pack = load_pack(BUNDLED_PACKS / "party")
    for doc_id in ("admission_minutes", "case_record", "case_file"):
        doc = pack.documents.get(doc_id) or next(d for k, d in pack.documents.items() if k.startswith(doc_id))
        data = (pack.root / doc.template).read_bytes()
        z = zipfile.ZipFile(io.BytesIO(data))
        footers = [z.read(n) for n in z.namelist() if n.startswith("word/footer")]
        assert any(b"NUMPAGES" in f and b"PAGE" in f and "共".encode() in f for f in footers), doc_id


def test_a_character_no_font_has_is_told_in_the_receipt(tmp_path):
    """U+30000 (CJK Extension G) is in no configured font: the file is processed, the receipt warns."""
    wt = load_walkthrough("party")
    wt = replace(wt, person={**wt.person, "unit": "XX\U00030000小学"}, submissions=wt.submissions[:1])
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    try:
        seen = []
        walk(eng, wt, tmp_path / "src", on_outcome=lambda label, out: seen.append(out))
        [receipt] = [o.receipt for o in seen if "XX" in o.receipt or "U+" in o.receipt] or [""]
        assert "U+30000" in receipt and "[fonts]" in receipt, [o.receipt for o in seen]
    finally:
        eng.store.close()


@pytest.mark.parametrize("change, message", [
    (('dated = "admission_approval.approval_date"', 'dated = "admission_approval.result"'), "dated"),
    (('dated = "activist.filing_date"', 'dated = "no_such_step.filing_date"'), "dated"),
    (('title = "上级党委审批接收预备党员情况表"\n', 'title = "上级党委审批接收预备党员情况表"\nprofile = "official"\n'),
     "profile"),
])
def test_the_pack_checks_its_profile_fields(tmp_path, change, message):
    from engine.errors import PackError
    from tests.test_pack import copy_pack

    folder = copy_pack(tmp_path, lambda s: s.replace(*change, 1))
    with pytest.raises(PackError, match=message):
        load_pack(folder)


def test_a_report_is_a_numbered_gongwen_and_keeps_its_number(walked):
    """The quarterly 通报 is the committee's 公文: numbered in the year it is issued, the same number when made
    again."""
    from engine.report.build import report

    eng, _ = walked
    [_, docx] = sorted(report(eng, "quarterly", 2025, 2), key=lambda p: p.suffix == ".docx")
    first = dict(_paragraphs(docx.read_bytes()))["GwNumber"]
    [docx_again] = [p for p in report(eng, "quarterly", 2025, 2) if p.suffix == ".docx"]
    assert dict(_paragraphs(docx_again.read_bytes()))["GwNumber"] == first
    [n] = [n for n in eng.store.numbers() if n.doc_id.startswith("report:quarterly:2025:2")]
    assert n.case_id == "" and n.year == eng.clock.today().year and first == n.text
    from engine.output.gbt9704 import check_official

    assert check_official(docx.read_bytes()) == []


def test_lint_warns_of_a_setting_no_font_can_print(tmp_path, capsys):
    from engine.cli import main

    root = tmp_path / "ws"
    assert main(["init", str(root), "--org", "XX\U00030000学区党委", "--branches", "第一党支部"]) == 0
    capsys.readouterr()
    assert main(["lint", "-w", str(root)]) == 1
    out = capsys.readouterr().out
    assert "[organisation] name" in out and "U+30000" in out and "[fonts]" in out
    assert main(["init", str(tmp_path / "ok"), "--org", "XX学区党委", "--branches", "第一党支部"]) == 0
    assert main(["lint", "-w", str(tmp_path / "ok")]) == 0      # 堃-free settings, the shipped pack: clean
