"""The read stage parses each dropped file once: the workbook is loaded once, the header rows of each sheet
are scanned once, the defined names are gathered once, a Word form's label table is parsed only when its
marks are gone, and a refused workbook's marked copy reuses the parsed workbook (no second load).

The counters wrap the real functions (they change nothing the road does)."""
import collections
import zipfile
from datetime import date

import openpyxl
import pytest
from e2e import MEMBERS, case_dir, drop, start, talk

from engine.outcomes import Processed, Rejected
from engine.output import receipts
from engine.read import docx as dr
from engine.read import xlsx as xr
from engine.testing import applicant, fill_docx, fill_xlsx, member_roster, write_roster


@pytest.fixture
def calls(monkeypatch):
    counts = collections.Counter()

    def counting(module, name, key):
        real = getattr(module, name)

        def wrapper(*a, **k):
            counts[key] += 1
            return real(*a, **k)
        monkeypatch.setattr(module, name, wrapper)

    counting(xr, "load", "load")                        # the dropped workbook, parsed
    counting(xr, "scan_header_rows", "header scan")     # a sheet's first rows, where a header can be
    counting(xr, "named_cells", "named cells")
    counting(dr, "label_table", "label table")
    counting(dr, "body", "docx parse")

    class CountingOpenpyxl:                             # what the marked copy would load
        def __getattr__(self, name):
            if name == "load_workbook":
                counts["marked copy load"] += 1
            return getattr(openpyxl, name)
    monkeypatch.setattr(receipts, "openpyxl", CountingOpenpyxl())
    return counts


def test_a_roster_is_loaded_once_and_each_sheet_scanned_once(eng, tmp_path, calls):
    drop(eng, member_roster(tmp_path / "m.xlsx", MEMBERS))
    path = write_roster(tmp_path / "r.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11),
                                              applicant("少年", date(2010, 3, 7), date(2026, 1, 5), seq=12)])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("说明").append(["本表由一支部填写"])   # a second visible sheet: scanned once too
    wb.save(path)
    calls.clear()
    out = drop(eng, path)
    assert isinstance(out, Processed) and out.row_problems          # a refused row: a marked copy is made
    assert calls["load"] == 1 and calls["header scan"] == 2 and calls["named cells"] <= 1
    assert calls["marked copy load"] == 0
    assert (eng.ws.rejected / "r.已标注问题.xlsx").is_file()


def test_an_issued_workbook_is_loaded_once_and_its_names_gathered_once(eng, tmp_path, calls):
    start(eng, tmp_path)
    talk(eng, tmp_path, "2026-0001")
    src = next(case_dir(eng, "2026-0001").glob("03-*.xlsx"))
    refused = fill_xlsx(src, tmp_path / "a.xlsx", {"decision_date": "2026-13-01", "method": "党员推荐",
                                                   "filing_date": date(2026, 3, 1), "contact_1": "刘一"})
    calls.clear()
    out = drop(eng, refused)
    assert isinstance(out, Rejected) and (eng.ws.rejected / "a.已标注问题.xlsx").is_file()
    assert dict(calls) == {"load": 1, "named cells": 1}                # no header scan, no second load


def test_a_word_form_reads_its_marks_and_parses_the_label_table_only_when_they_are_gone(eng, tmp_path, calls):
    start(eng, tmp_path)
    src = next(case_dir(eng, "2026-0001").glob("02-*.docx"))
    values = {"talk_date": "2026-01-20", "talker": "刘一", "talker_post": "支部书记", "summary": "谈话"}
    calls.clear()
    assert isinstance(drop(eng, fill_docx(src, tmp_path / "t.docx", values)), Processed)
    assert calls["docx parse"] == 1 and calls["label table"] == 0
    unmarked = tmp_path / "u.docx"                                      # an office program dropped the bookmarks
    with zipfile.ZipFile(fill_docx(src, tmp_path / "t2.docx", dict(values, summary="再谈"))) as z, \
            zipfile.ZipFile(unmarked, "w") as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "word/document.xml":
                import re
                data = re.sub(rb"<w:bookmark(Start|End)[^>]*/>", b"", data)
            out.writestr(info, data)
    calls.clear()
    assert isinstance(drop(eng, unmarked), Processed)
    assert calls["docx parse"] == 1 and calls["label table"] == 1
