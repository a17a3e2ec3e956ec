"""Hostile and broken input: every bad file ends as a value (Rejected, or Processed with the bad rows
refused, or NotReady) — never an exception escaping ``process_file``, never a hang — the original is
moved intact with a Chinese receipt, nothing leaks (entities, paths), and the engine keeps working."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import random
import re
import shutil
import signal
import sys
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

try:
    import resource
except ImportError:  # Windows
    resource = None

import hostile as H

from engine import NotReady, Processed, Rejected, process_file
from engine.errors import InputError
from engine.output.names import MAX_NAME_CHARS
from engine.procedure.state import fold
from engine.read import safety
from engine.road import inbox_files
from engine.testing import fill_docx, xlsx_bytes

CJK = re.compile(r"[\u4e00-\u9fff]")
WIN_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WIN_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MB = 1024 * 1024


# ---------------------------------------------------------------- fixtures and helpers
@pytest.fixture(autouse=True)
def no_hang():
    """A test that runs for more than 20 s is a hang: fail it instead of waiting forever."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def boom(*_):
        raise TimeoutError("hostile input made the engine hang")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """The zip bombs, built once (streaming, ~1 s): small on disk, hundreds of MB inflated."""
    folder = tmp_path_factory.mktemp("bombs")
    return {"110MB_member": H.zip_bomb_xlsx(folder), "220_members_of_1MB": H.wide_bomb_xlsx(folder),
            "6000_members": H.many_members_xlsx(folder)}


def sha(data: bytes | Path) -> str:
    return hashlib.sha256(data.read_bytes() if isinstance(data, Path) else data).hexdigest()


def drop(eng, src: Path, name: str | None = None) -> Path:
    """Copy a built file into the inbox (under ``name``) and return its inbox path."""
    dst = eng.ws.inbox / (name or src.name)
    shutil.copyfile(src, dst)
    return dst


def run(eng, src: Path, name: str | None = None):
    """Drop ``src`` and process it; return (outcome, sha256 of what was dropped)."""
    path = drop(eng, src, name)
    digest = sha(path)
    return process_file(eng, path), digest


def find_original(folder: Path, digest: str) -> Path:
    found = [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".txt")
             and ".已标注问题." not in p.name and sha(p) == digest]
    assert len(found) == 1, f"original with sha {digest[:8]} not found once in {folder}: {found}"
    return found[0]


def receipt_of(original: Path, label: str = "退回说明") -> str:
    receipt = original.with_name(f"{original.name}.{label}.txt")
    assert receipt.is_file(), receipt
    raw = receipt.read_bytes()
    assert raw.startswith("\ufeff".encode())  # a BOM: Notepad shows the Chinese right
    return raw.decode("utf-8-sig")


def assert_rejected(eng, outcome, digest: str, code: str, name: str | None = None) -> str:
    """Rejected with ``code`` and Chinese messages; the original moved intact beside its receipt;
    nothing left in the inbox or the work folder, nothing in flight. Returns the receipt text."""
    assert isinstance(outcome, Rejected), outcome
    assert code in outcome.codes, outcome.codes
    for reason in outcome.reasons:
        assert CJK.search(reason.message), reason
    assert outcome.sha256 == digest
    original = find_original(eng.ws.rejected, digest)
    text = receipt_of(original)
    assert "退回" in text
    for reason in outcome.reasons:
        assert reason.message in text
    if name is not None:
        assert not (eng.ws.inbox / name).exists()
    assert list(eng.ws.work.iterdir()) == []
    assert eng.store.journal_open_rows() == []
    rows = [r for r in eng.store.files() if r.sha256 == digest]
    assert [r.outcome for r in rows] == ["rejected"]
    return text


def still_works(eng, tmp: Path, seq0: int = 500) -> Processed:
    """The engine takes a good roster after the hostile file (same engine, same store)."""
    out, _ = run(eng, H.good_roster(tmp / f"good{seq0}", seq0=seq0))
    assert isinstance(out, Processed), out
    assert len(out.cases) == 1 and out.documents
    for doc in out.documents:
        assert (eng.ws.outbox / doc).is_file()
    return out


def windows_safe(component: str, limit: int = MAX_NAME_CHARS) -> list[str]:
    """What is wrong with ``component`` as a file or folder name on Windows (empty: nothing)."""
    problems = []
    if WIN_BAD.search(component):
        problems.append("bad character")
    if component.split(".")[0].rstrip(" ").upper() in WIN_RESERVED:
        problems.append("reserved name")
    if component != component.rstrip(" ."):
        problems.append("trailing dot or space")
    if len(component) > limit:
        problems.append(f"longer than {limit}")
    if len(component.encode("utf-8")) > 255 or len(component.encode("utf-16-le")) // 2 > 255:
        problems.append("too long for the file system")
    return problems


def assert_tree_safe(root: Path, limit: int = MAX_NAME_CHARS) -> list[Path]:
    files = []
    for path in root.rglob("*"):
        rel = path.resolve().relative_to(root.resolve())  # raises if anything escaped
        for part in rel.parts:
            assert not windows_safe(part, limit), (part, windows_safe(part, limit))
        files.append(path)
    return files


def passwd_lines() -> list[bytes]:
    if not H.PASSWD.is_file():
        return []
    return [line.encode() for line in H.PASSWD.read_text(errors="replace").splitlines() if line.count(":") >= 5]


def assert_no_passwd(eng, *texts: str) -> None:
    lines = passwd_lines()
    if not lines:  # no /etc/passwd here (Windows): nothing that could leak
        return
    for text in texts:
        assert not any(line.decode() in text for line in lines)
    for path in eng.ws.root.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert not any(line in blob for line in lines), path


# ---------------------------------------------------------------- 1-14: files refused as a whole
@pytest.mark.parametrize("builder,code", [c[1:] for c in H.REFUSED], ids=[c[0] for c in H.REFUSED])
def test_hostile_file_is_rejected_cleanly(eng, tmp_path, builder, code):
    src = builder(tmp_path / "src")
    t0 = time.monotonic()
    out, digest = run(eng, src)
    assert time.monotonic() - t0 < 5
    assert_rejected(eng, out, digest, code, src.name)
    still_works(eng, tmp_path)


def test_whole_corpus_in_one_inbox_pass(eng, tmp_path, bombs):
    """Everything dropped at once: one pass refuses each file with its code and empties the inbox."""
    from engine.road import process_inbox

    big = {k: bombs[k] for k in ("110MB_member", "220_members_of_1MB")}   # many_members is in REFUSED
    built = {**H.write_corpus(tmp_path / "src"), **big}
    codes = {**{key: code for key, _, code in H.REFUSED}, **{key: "zip_bomb" for key in big}}
    digests = {}
    for key, path in built.items():
        digests[sha(drop(eng, path))] = key
    assert len(digests) == len(built)
    t0 = time.monotonic()
    outcomes = process_inbox(eng)
    assert time.monotonic() - t0 < 10
    assert len(outcomes) == len(built)
    moved = {sha(p): p for p in eng.ws.rejected.iterdir() if p.suffix != ".txt" and ".已标注问题." not in p.name}
    for out in outcomes:
        assert isinstance(out, Rejected), out
        assert codes[digests[out.sha256]] in out.codes, (digests[out.sha256], out.codes)
        receipt_of(moved[out.sha256])
    assert len(moved) == len(built)
    assert inbox_files(eng.ws) == []
    assert eng.store.journal_open_rows() == [] and eng.store.cases() == []
    still_works(eng, tmp_path)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_receipt_says_it_is_text(eng, tmp_path, encoding):
    out, digest = run(eng, H.csv_as_xlsx(tmp_path, encoding))
    text = assert_rejected(eng, out, digest, "not_office")
    assert "CSV" in text and "另存为" in text
    still_works(eng, tmp_path)


@pytest.mark.parametrize("builder,words", [(H.pdf_as_docx, "PDF"), (lambda f: H.ole_as_xlsx(f, "encrypted"), "密码"),
                                           (H.ods_as_xlsx, "没有任何数据行"), (H.plain_zip_as_xlsx, "压缩包")],
                         ids=["pdf", "encrypted", "ods", "plain_zip"])
def test_receipt_names_what_the_file_really_is(eng, tmp_path, builder, words):
    out, digest = run(eng, builder(tmp_path))
    assert words in assert_rejected(eng, out, digest, out.codes[0])
    still_works(eng, tmp_path)


# ---------------------------------------------------------------- 8: zip bombs, bounded memory and time
def _max_rss() -> int:
    """The process's peak resident size in bytes (0 where unknown)."""
    if resource is None:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@pytest.mark.parametrize("which", ["110MB_member", "220_members_of_1MB", "6000_members"])
def test_zip_bomb_is_refused_with_bounded_memory(eng, tmp_path, bombs, which):
    src = bombs[which]
    assert src.stat().st_size < 2 * MB            # small on disk, huge when inflated
    declared = sum(i.file_size for i in zipfile.ZipFile(src).infolist())
    path = drop(eng, src)
    digest = sha(path)
    rss0 = _max_rss()
    tracemalloc.start()
    try:
        t0 = time.monotonic()
        out = process_file(eng, path)
        elapsed = time.monotonic() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = _max_rss() - rss0
    assert elapsed < 3, elapsed
    assert peak < 150 * MB, peak / MB
    assert rss_growth < 150 * MB, rss_growth / MB
    if which != "6000_members":
        assert declared > 100 * MB
    assert_rejected(eng, out, digest, "zip_bomb", src.name)
    still_works(eng, tmp_path)


# ---------------------------------------------------------------- 9-11: entities
def _talk_form(eng, tmp_path) -> tuple[Processed, Path]:
    """A roster processed, and its issued talk form filled in as staff would; the summary says MARKER."""
    first = still_works(eng, tmp_path, seq0=510)
    issued = next(eng.ws.outbox / d for d in first.documents if "谈话" in d)
    filled = fill_docx(issued, tmp_path / "filled" / "谈话记录.docx",
                       {"talk_date": "2026-10-20", "talker": "刘一", "talker_post": "支部书记",
                        "summary": "MARKER谈入党动机"})
    return first, filled


def test_xxe_in_docx_form_is_refused_and_never_read(eng, tmp_path):
    _, filled = _talk_form(eng, tmp_path)
    out, digest = run(eng, H.xxe_docx(tmp_path / "src", filled, "MARKER"))
    text = assert_rejected(eng, out, digest, "xml_entities")
    assert "word/document.xml" in text
    assert_no_passwd(eng, text, out.receipt)
    still_works(eng, tmp_path, seq0=520)


def test_xxe_in_shared_strings_is_refused_and_never_read(eng, tmp_path):
    out, digest = run(eng, H.xxe_xlsx(tmp_path / "src"))
    text = assert_rejected(eng, out, digest, "xml_entities")
    assert "xl/sharedStrings.xml" in text
    assert_no_passwd(eng, text, out.receipt)
    still_works(eng, tmp_path)


@pytest.mark.parametrize("which", ["xxe_docx", "xxe_xlsx", "billion_laughs", "comment_doctype", "utf16_nobom"])
def test_parsers_hold_even_without_the_guard(eng, tmp_path, which):
    """Defence in depth: with the DTD guard switched off, the parsers behind it still neither read
    /etc/passwd nor expand entities; the file ends as a value, quickly."""
    if which == "xxe_docx":
        _, filled = _talk_form(eng, tmp_path)
        src = H.xxe_docx(tmp_path / "src", filled, "MARKER")
    else:
        src = {"xxe_xlsx": H.xxe_xlsx, "billion_laughs": H.billion_laughs_xlsx,
               "comment_doctype": H.comment_hidden_doctype_xlsx,
               "utf16_nobom": lambda f: H.utf16_doctype_xlsx(f, bom=False)}[which](tmp_path / "src")
    eng.limits = dataclasses.replace(eng.limits, refuse_dtd=False)
    t0 = time.monotonic()
    out, _ = run(eng, src)
    assert time.monotonic() - t0 < 5
    assert isinstance(out, (Rejected, Processed))
    assert_no_passwd(eng, out.receipt)
    for case in eng.store.cases():
        assert "lol" not in case.name
    eng.limits = dataclasses.replace(eng.limits, refuse_dtd=True)
    still_works(eng, tmp_path, seq0=530)


# ---------------------------------------------------------------- 15: formulas typed by staff
def test_formula_rows_are_refused_and_the_others_imported(eng, tmp_path):
    src = H.formula_roster(tmp_path / "src")
    out, digest = run(eng, src)
    assert isinstance(out, Processed), out
    problems = {(f.code, f.field, f.place.split("行")[0]) for f in out.row_problems}
    assert problems == {("formula_in_input", "birth_date", "第2"), ("formula_in_input", "name", "第3")}
    for f in out.row_problems:
        assert CJK.search(f.message) and "=" in f.fix
    assert [c.name for c in eng.store.cases()] == ["公三"]
    original = find_original(eng.ws.processed, digest)
    text = receipt_of(original, "回执")
    assert "第2行" in text and "第3行" in text
    [marked_path] = eng.ws.rejected.glob("*.已标注问题.xlsx")
    marked = openpyxl.load_workbook(marked_path)
    sheet = marked["名册"]
    assert sheet["D2"].comment is not None and sheet["A3"].comment is not None
    assert sheet["A4"].comment is None
    still_works(eng, tmp_path)


def test_name_starting_with_equals_is_written_as_text(eng, tmp_path):
    """A full-width "＝" passes the formula check and becomes "=" after NFKC: whatever the engine writes
    into the outbox must keep it as text, never as a formula."""
    out, _ = run(eng, H.fullwidth_formula_name_roster(tmp_path / "src"))
    assert isinstance(out, Processed), out
    [case] = eng.store.cases()
    assert case.name.startswith("=")
    issued = next(eng.ws.outbox / d for d in out.documents if "谈话" in d)
    filled = fill_docx(issued, tmp_path / "filled" / "谈话.docx",
                       {"talk_date": "2026-10-20", "talker": "刘一", "talker_post": "支部书记", "summary": "谈话"})
    talk, _ = run(eng, filled)
    assert isinstance(talk, Processed), talk
    books = [p for p in eng.ws.outbox.rglob("*.xlsx")]
    assert books, "the activist form (.xlsx) should be in the outbox"
    seen = 0
    for book in books:
        with zipfile.ZipFile(book) as z:
            for member in z.namelist():
                if member.startswith("xl/worksheets/"):
                    assert b"HYPERLINK" not in b"".join(re.findall(rb"<f[ >].*?</f>", z.read(member)))
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("=") and "HYPERLINK" in cell.value:
                        assert cell.data_type == "s", (book, cell.coordinate)
                        seen += 1
    assert seen >= 1
    still_works(eng, tmp_path)


# ---------------------------------------------------------------- 16: path characters and reserved names
def test_branches_with_path_characters_are_refused_where_the_branches_are_listed(eng, tmp_path):
    out, _ = run(eng, H.path_names_roster(tmp_path / "src"))
    assert isinstance(out, Rejected) and {f.code for f in out.reasons} >= {"branch_unknown"}
    assert "第一党支部、第二党支部、第三党支部" in out.receipt and not list(eng.ws.outbox.iterdir())


def test_path_characters_in_staff_data_stay_inside_the_outbox(any_branch, tmp_path):
    eng = any_branch
    root_before = sorted(p.name for p in eng.ws.root.iterdir())
    out, _ = run(eng, H.path_names_roster(tmp_path / "src"))
    assert isinstance(out, Processed), out
    [(code, place)] = [(f.code, f.place) for f in out.row_problems]
    assert code == "invalid_value" and place.startswith("第5行")            # the 200-character name
    assert len(eng.store.cases()) == len(H.PATH_BRANCHES) - 1
    for doc in out.documents:
        path = (eng.ws.outbox / doc).resolve()
        assert path.is_file() and path.is_relative_to(eng.ws.outbox.resolve())
    # an issued .xlsx for a case whose name is a reserved device name
    con = next(c for c in eng.store.cases() if c.name == "CON")
    issued = next(eng.ws.outbox.rglob(f"{con.case_id}-*/02-*.docx"))
    filled = fill_docx(issued, tmp_path / "filled" / "谈话.docx",
                       {"talk_date": "2026-10-20", "talker": "刘一", "talker_post": "支部书记", "summary": "谈话"})
    assert isinstance(run(eng, filled)[0], Processed)
    files = assert_tree_safe(eng.ws.outbox)
    assert any(p.suffix == ".xlsx" for p in files)
    for escaped in (tmp_path / "etc", tmp_path / "tmp", eng.ws.root / "etc", eng.ws.root / "tmp"):
        assert not escaped.exists()
    assert sorted(p.name for p in eng.ws.root.iterdir()) == root_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filled", "src", "ws"]
    still_works(eng, tmp_path)


def test_reserved_names_with_a_space_before_the_extension(any_branch, tmp_path):
    eng = any_branch
    out, _ = run(eng, H.path_names_roster(tmp_path / "src", names=["甲一", "甲二"], branches=H.RESERVED_SPACE_BRANCHES))
    assert isinstance(out, Processed), out
    assert_tree_safe(eng.ws.outbox)


@pytest.mark.parametrize("name", H.ODD_FILE_NAMES)
def test_odd_dropped_file_names(eng, tmp_path, name):
    if os.name == "nt" and windows_safe(name, 255):
        pytest.skip("Windows cannot even create this name")
    good = H.good_roster(tmp_path / "src", seq0=540)
    out, digest = run(eng, good, name)
    assert isinstance(out, Processed), out
    original = find_original(eng.ws.processed, digest)
    receipt_of(original, "回执")
    assert original.suffix == ".xlsx"
    assert_tree_safe(eng.ws.processed, limit=255)
    bad, bad_digest = run(eng, H.random_table_xlsx(tmp_path / "src2"), "坏-" + name)
    assert_rejected(eng, bad, bad_digest, "unknown_form")
    assert_tree_safe(eng.ws.rejected, limit=255)
    assert find_original(eng.ws.rejected, bad_digest).suffix == ".xlsx"
    still_works(eng, tmp_path)


def test_long_dropped_file_name_keeps_its_extension(eng, tmp_path):
    bad, digest = run(eng, H.random_table_xlsx(tmp_path / "src"), H.LONG_FILE_NAME)
    assert_rejected(eng, bad, digest, "unknown_form")
    assert find_original(eng.ws.rejected, digest).suffix == ".xlsx"


def test_long_dropped_file_name_is_still_refused_cleanly(eng, tmp_path):
    bad, digest = run(eng, H.random_table_xlsx(tmp_path / "src"), H.LONG_FILE_NAME)
    assert_rejected(eng, bad, digest, "unknown_form")
    assert_tree_safe(eng.ws.rejected, limit=255)
    still_works(eng, tmp_path)


# ---------------------------------------------------------------- 17: gone before the claim
def test_file_vanishing_before_claim_is_not_ready(eng, tmp_path):
    path = drop(eng, H.good_roster(tmp_path / "src", seq0=550))
    [listed] = inbox_files(eng.ws)
    assert listed == path
    path.unlink()                                  # deleted (or moved away) between listing and claim
    out = process_file(eng, listed)
    assert isinstance(out, NotReady), out
    assert CJK.search(out.why)
    assert eng.store.files() == [] and eng.store.journal_open_rows() == [] and eng.store.cases() == []
    assert list(eng.ws.work.iterdir()) == []
    assert not any(eng.ws.rejected.iterdir()) and not any(eng.ws.processed.iterdir())
    still_works(eng, tmp_path)


def test_file_locked_at_claim_is_not_ready_and_stays(eng, tmp_path):
    """Excel holds the file open on Windows: the rename fails. It stays in the inbox for the next pass."""
    path = drop(eng, H.good_roster(tmp_path / "src", seq0=560))
    before = sha(path)

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used")
    eng.rename = locked
    out = process_file(eng, path)
    eng.rename = os.replace
    assert isinstance(out, NotReady), out
    assert path.is_file() and sha(path) == before
    assert eng.store.files() == [] and eng.store.journal_open_rows() == []
    again = process_file(eng, path)
    assert isinstance(again, Processed), again


# ---------------------------------------------------------------- 18: the 1904 date system
@pytest.mark.parametrize("as_dates", [False, True], ids=["serial_numbers", "date_cells"])
def test_1904_workbook_dates(eng, tmp_path, as_dates):
    src = H.mac1904_roster(tmp_path / "src", as_dates=as_dates)
    wb = openpyxl.load_workbook(src)
    assert wb.epoch.year == 1904
    if not as_dates:
        assert isinstance(wb.active["D2"].value, int)
    out, _ = run(eng, src)
    assert isinstance(out, Processed), out
    assert not out.row_problems
    births = {}
    for case in eng.store.cases():
        facts = fold(eng.pack, case.case_id, eng.store.events(case.case_id)).facts
        births[case.name] = (facts["birth_date"], facts["apply_date"])
    assert births == {"苹一": (date(1990, 1, 1), date(2026, 10, 8)), "苹二": (date(1990, 1, 2), date(2026, 10, 8))}
    still_works(eng, tmp_path)


def test_1904_workbook_serial_typed_as_text(eng, tmp_path):
    out, _ = run(eng, H.mac1904_text_serial_roster(tmp_path / "src"))
    assert isinstance(out, Processed), out
    [case] = eng.store.cases()
    facts = fold(eng.pack, case.case_id, eng.store.events(case.case_id)).facts
    assert facts["birth_date"] == date(1990, 1, 1)
    assert facts["apply_date"] == date(2026, 10, 8)          # the engine stores 2022-10-07, silently


# ---------------------------------------------------------------- 19: ID numbers stored as numbers
def test_numeric_id_rows_are_refused_with_a_clear_message(eng, tmp_path):
    out, _ = run(eng, H.numeric_id_roster(tmp_path / "src"))
    assert isinstance(out, Processed), out
    by_row = {f.place.split("行")[0]: f for f in out.row_problems}
    assert set(by_row) == {"第2", "第3"}
    for f in by_row.values():
        assert f.code == "invalid_value" and f.field == "id_number"
        assert "丢失" in f.message and "文本" in f.message
    assert "科学计数法" in by_row["第3"].message
    assert [c.name for c in eng.store.cases()] == ["数三"]
    still_works(eng, tmp_path)


# ---------------------------------------------------------------- engine.read.safety, directly
def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    return out.getvalue()


def _code(data: bytes, name: str = "x.xlsx", bounds: safety.Limits = safety.LIMITS) -> str:
    with pytest.raises(InputError) as err:
        safety.open_package(data, name, bounds)
    assert CJK.search(err.value.message)
    return err.value.code


@pytest.mark.parametrize("data,code", [
    (b"", "empty_file"),
    (H.OLE_MAGIC + bytes(504), "old_or_encrypted"),
    (b"%PDF-1.4\n...", "not_office"),
    ("姓名,性别\r\n张三,男\r\n".encode(), "not_office"),
    ("姓名,性别\r\n张三,男\r\n".encode("gbk"), "not_office"),
    ("姓名,性别\r\n".encode("utf-16"), "not_office"),
    (b"\x00\x01\x02\x03garbage", "not_office"),
    (b"PK\x05\x06" + bytes(18), "not_office"),      # an empty zip: the bytes of a .zip with nothing in it
], ids=["empty", "ole", "pdf", "csv_utf8", "csv_gbk", "utf16_text", "binary", "empty_zip"])
def test_sniff_refuses(data, code):
    with pytest.raises(InputError) as err:
        safety.sniff(data, "x.xlsx")
    assert err.value.code == code and CJK.search(err.value.message)


def test_sniff_text_message_says_csv():
    with pytest.raises(InputError) as err:
        safety.sniff("姓名,性别\r\n".encode("gbk"), "名册.xlsx")
    assert "CSV" in err.value.message


@pytest.mark.parametrize("name,kind", [("a.xlsx", "xlsx"), ("A.XLSM", "xlsx"), ("a.docx", "docx"), ("a", "docx")])
def test_sniff_zip_kind_by_name(name, kind):
    assert safety.sniff(b"PK\x03\x04rest", name) == kind


def test_open_package_kind_comes_from_the_content(tmp_path):
    data = H.roster_bytes()
    pkg = safety.open_package(data, "其实是名册.docx")
    assert pkg.kind == "xlsx" and pkg.open().read() == data
    assert "xl/workbook.xml" in pkg.parts and all(n.endswith((".xml", ".rels")) for n in pkg.parts)


def test_open_package_reads_only_xml_members():
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/media/a.png": b"\x89PNG"})
    assert set(safety.open_package(data, "a.xlsx").parts) == {"[Content_Types].xml", "xl/workbook.xml"}


def limits(**over):
    return dataclasses.replace(safety.LIMITS, **over)


def test_open_package_too_large():
    data = H.roster_bytes()
    assert _code(data, bounds=limits(file_bytes=len(data) - 1)) == "too_large"
    assert safety.open_package(data, "a.xlsx", limits(file_bytes=len(data))).kind == "xlsx"


def test_open_package_member_count():
    data = H.roster_bytes()
    n = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert _code(data, bounds=limits(members=n - 1)) == "zip_bomb"
    safety.open_package(data, "a.xlsx", limits(members=n))


def test_open_package_total_size():
    data = H.roster_bytes()
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert _code(data, bounds=limits(unpacked_bytes=total - 1)) == "zip_bomb"
    safety.open_package(data, "a.xlsx", limits(unpacked_bytes=total))


def test_the_engine_holds_every_file_to_its_limits(ws, tmp_path):
    from engine import Engine
    from engine.clock import FixedClock

    data = H.roster_bytes()
    eng = Engine.open(ws, clock=FixedClock(date(2026, 11, 28)), limits=limits(file_bytes=len(data) - 1))
    try:
        (ws.inbox / "名册.xlsx").write_bytes(data)
        out = process_file(eng, ws.inbox / "名册.xlsx")
        assert isinstance(out, Rejected) and out.codes == ("too_large",)
    finally:
        eng.store.close()


def test_open_package_ratio():
    rnd = random.Random(5)
    text = ("<row>" + "".join(f"<c>{rnd.randint(0, 999_999)}</c>" for i in range(150_000)) + "</row>").encode()
    data = _zip({"xl/workbook.xml": b"<workbook/>", "customXml/item1.xml": text})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("customXml/item1.xml")
    ratio = info.file_size / info.compress_size
    assert info.file_size > 1_000_000 and 2 < ratio < safety.LIMITS.ratio
    safety.open_package(data, "a.xlsx")
    assert _code(data, bounds=limits(ratio=int(ratio) - 1)) == "zip_bomb"


def test_open_package_small_members_escape_the_ratio_check():
    """The ratio check is for members over 1 MB; a small, very compressible member is normal."""
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/pad.xml": b"<a>" + b" " * 900_000 + b"</a>"})
    safety.open_package(data, "a.xlsx")


@pytest.mark.parametrize("member", ["../evil.xml", "xl/../../evil.xml", "..\\evil.xml"])
def test_open_package_refuses_path_traversal_members(member):
    data = _zip({"xl/workbook.xml": b"<workbook/>", member: b"<a/>"})
    assert _code(data) == "corrupt_zip"


def test_open_package_refuses_a_lying_size_header(tmp_path):
    assert _code(H.lying_size_xlsx(tmp_path).read_bytes()) == "corrupt_zip"


def test_open_package_refuses_a_bad_crc(tmp_path):
    assert _code(H.bad_crc_xlsx(tmp_path).read_bytes()) == "corrupt_zip"


def test_open_package_odf_and_plain_zip(tmp_path):
    from engine.read.safety import open_package

    assert open_package(H.ods_as_xlsx(tmp_path).read_bytes(), "WPS名册.xlsx").kind == "ods"   # read, not refused
    assert _code(H.plain_zip_as_xlsx(tmp_path).read_bytes()) == "not_office"


def test_open_package_bomb_costs_no_memory(bombs):
    data = bombs["110MB_member"].read_bytes()
    tracemalloc.start()
    try:
        assert _code(data) == "zip_bomb"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * MB


XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="urn:w"><w:t>%s</w:t></w:document>'
DTD = b'<!DOCTYPE w:document [<!ENTITY e "x">]>'


def _utf16(text: bytes, codec: str, bom: bool) -> bytes:
    s = text.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return ("\ufeff" if bom else "").encode(codec) + s.encode(codec)


@pytest.mark.parametrize("blob,has", [
    (XML % b"plain", False),
    (XML % b"&lt;!DOCTYPE typed by staff&gt;", False),                       # text, escaped: no DTD
    (H.with_doctype(XML % b"&e;", DTD.decode()), True),
    (H.with_doctype(XML % b"x", "<!doctype w:document>"), True),
    (H.with_doctype(XML % b"x", '<!DOCTYPE w:document SYSTEM "http://evil.example/x.dtd">'), True),
    (b"\xef\xbb\xbf" + H.with_doctype(XML % b"x", DTD.decode()), True),
    (H.with_doctype(XML % b"x", "<!-- <a> -->" + DTD.decode()), True),    # a start tag lookalike in a comment
    (H.with_doctype(XML % b"x", "<?pi <b?>" + DTD.decode()), True),       # ... or in a processing instruction
    (_utf16(H.with_doctype(XML % b"x", DTD.decode()), "utf-16-le", True), True),
    (_utf16(H.with_doctype(XML % b"x", DTD.decode()), "utf-16-be", True), True),
    (_utf16(H.with_doctype(XML % b"x", DTD.decode()), "utf-16-le", False), True),
    (_utf16(H.with_doctype(XML % b"x", DTD.decode()), "utf-16-be", False), True),
    (_utf16(XML % b"plain", "utf-16-le", True), False),
    (b'<?xml version="1.0" encoding="UTF-7"?>'
     b'+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY x +ACI-y+ACI-+AD4-+AF0-+AD4-<r>&x;</r>', True),
    (b'<?xml version="1.0" encoding="UTF-7"?><r>plain</r>', False),
], ids=["plain", "escaped_text", "dtd", "lowercase", "external_subset", "utf8_bom", "comment_trick", "pi_trick",
        "utf16le_bom", "utf16be_bom", "utf16le_nobom", "utf16be_nobom", "utf16_plain", "utf7", "utf7_plain"])
def test_has_dtd(blob, has):
    assert safety._has_dtd(blob) is has


@pytest.mark.parametrize("encoding", ["idna", "punycode", "undefined", "x-no-such-codec", "hex", "rot13", "cp037"])
def test_has_dtd_survives_odd_declared_encodings(encoding):
    head = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    assert safety._has_dtd(head + b"<r>\xff\x00\x80</r>") is False
    assert safety._has_dtd(head + b"<!DOCTYPE r><r/>") is True


def test_open_package_checks_xml_stored_under_other_names():
    dtd = H.with_doctype(b'<?xml version="1.0"?><workbook/>', H.BILLION_LAUGHS)
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/main.dat": dtd})
    assert _code(data) == "xml_entities"
    data = _zip({"xl/workbook.xml": b"<workbook/>",
                 "xl/x.bin": "\ufeff".encode("utf-16-le") + dtd.decode().encode("utf-16-le")})
    assert _code(data) == "xml_entities"
    # binary members are not XML, whatever bytes they hold further on
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/media/a.png": b"\x89PNG\r\n\x1a\n" + dtd,
                 "xl/vbaProject.bin": H.OLE_MAGIC + dtd})
    assert safety.open_package(data, "a.xlsx").kind == "xlsx"


def test_open_package_refuses_a_password_zip(tmp_path):
    assert _code(H.password_zip_xlsx(tmp_path).read_bytes()) == "old_or_encrypted"


def test_has_dtd_is_fast_on_a_big_part():
    blob = XML % (b"<w:t>x</w:t>" * 1_000_000)    # ~12 MB, no DTD
    t0 = time.monotonic()
    assert safety._has_dtd(blob) is False
    assert time.monotonic() - t0 < 1


def test_open_package_accepts_what_office_writes(tmp_path):
    """No false alarms: the bundled templates and factory-made files pass the guards."""
    templates = Path(__file__).resolve().parent.parent / "templates"
    files = list(templates.rglob("*.docx")) + list(templates.rglob("*.xlsx"))
    assert files
    for path in files:
        safety.open_package(path.read_bytes(), path.name)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "姓名"
    safety.open_package(xlsx_bytes(wb), "a.xlsx")
    safety.open_package(H.roster_bytes(), "a.xlsx")
