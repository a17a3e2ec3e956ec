"""PDF output (engine.output.pdf, engine.pdfs): the warm converters, their supervision, the fonts and the checks.

Needs LibreOffice (soffice); the tests that convert are skipped without it. About 15 s."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from engine.output import pdf
from engine.output.pdf import (
    ConverterPool,
    PdfError,
    check_pdf,
    convert_one_process,
    family_key,
    find_soffice,
    pdf_pages,
    targets,
    write_fontconfig,
)

SOFFICE = find_soffice()
office = pytest.mark.office


@pytest.fixture(scope="module")
def soffice() -> str:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) 未安装：跳过 PDF 转换测试")
    return SOFFICE


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small document in 仿宋_GB2312 and 黑体, a long one (several pages) and a corrupt .docx."""
    folder = tmp_path_factory.mktemp("docs")
    d = Document()
    for font, text in (("黑体", "中共示例委员会"), ("仿宋_GB2312", "关于同意张三同志转为中共正式党员的批复"),
                       ("仿宋_GB2312", "你支部关于张三同志转为中共正式党员的请示收悉。经研究，同意。")):
        run = d.add_paragraph().add_run(text)
        run.font.name = font
        run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
    d.save(str(folder / "批复.docx"))
    long = Document()
    for i in range(120):
        long.add_paragraph(f"第 {i + 1} 段：培养考察情况。")
    long.save(str(folder / "长文.docx"))
    (folder / "坏文件.docx").write_bytes(b"PK\x03\x04" + b"not a zip at all " * 64)
    return folder


@pytest.fixture(scope="module")
def pool(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConverterPool]:
    with ConverterPool(size=2, timeout=60, work_dir=tmp_path_factory.mktemp("office")) as p:
        yield p


def office_processes(folder: Path) -> list[tuple[int, str]]:
    """(pid, command line) of every process whose command line names ``folder`` (the profiles live there)."""
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
    rows = [line.strip().split(None, 1) for line in out.splitlines()]
    return [(int(r[0]), r[1]) for r in rows if len(r) == 2 and str(folder) in r[1] and not r[1].startswith("ps ")]


def soffice_bin(folder: Path) -> list[int]:
    return [pid for pid, args in office_processes(folder) if "soffice.bin" in args]


def pdf_fonts(path: Path) -> set[str]:
    found = set()
    for page in PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(pdf.font_family(str(font.get_object()["/BaseFont"])))
    return found


def hand_made_pdf(path: Path, fonts: list[DictionaryObject], pages: int = 1, w: PdfWriter | None = None) -> Path:
    """A PDF whose pages use ``fonts`` (their dictionaries as given: embedded or not; made with ``w``)."""
    w = w or PdfWriter()
    for _ in range(pages):
        page = w.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject(f"/F{n}"): w._add_object(f) for n, f in enumerate(fonts, 1)})})
    with open(path, "wb") as fh:
        w.write(fh)
    return path


def simple_font(w: PdfWriter | None, base: str, embedded: bool, subtype: str = "/Type1") -> DictionaryObject:
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject(subtype),
                             NameObject("/BaseFont"): NameObject(base)})
    if embedded:
        stream = DecodedStreamObject()
        stream.set_data(b"\0" * 16)
        descriptor = DictionaryObject({NameObject("/Type"): NameObject("/FontDescriptor"),
                                       NameObject("/FontName"): NameObject(base),
                                       NameObject("/Flags"): NumberObject(32),
                                       NameObject("/FontFile2"): stream if w is None else w._add_object(stream)})
        font[NameObject("/FontDescriptor")] = descriptor
    return font


# ---------------------------------------------------------------------------------------------------------------
# without LibreOffice


def test_missing_office_is_said_in_chinese(monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    with pytest.raises(PdfError) as e:
        ConverterPool(size=1)
    assert "未找到 LibreOffice" in e.value.message and "安装" in e.value.message


def test_fontconfig_maps_the_windows_fonts(tmp_path):
    conf = write_fontconfig(tmp_path / "fonts.conf", {"公文小标宋": "Noto Sans CJK SC"}).read_text(encoding="utf-8")
    assert "<include" in conf and 'binding="strong"' in conf
    for name in ("仿宋_GB2312", "黑体", "方正小标宋简体", "公文小标宋"):
        assert f"<string>{name}</string>" in conf
    assert targets() == {"Noto Serif CJK SC", "Noto Sans CJK SC"}
    assert targets({"仿宋_GB2312": "FangSong"}) == {"Noto Serif CJK SC", "Noto Sans CJK SC", "FangSong"}


def test_family_key():
    assert family_key("/BAAAAA+NotoSerifCJKjp-Regular-VKana") == family_key("Noto Serif CJK SC")
    assert family_key("CAAAAA+NotoSansCJKsc-Bold") == family_key("Noto Sans CJK SC")
    assert family_key("NotoSansCJKsc-Bold") != family_key("Noto Serif CJK SC")
    assert family_key("TimesNewRomanPS-BoldMT") == family_key("Times New Roman")
    assert family_key("SimSun,Bold") == family_key("SimSun")


def test_check_pdf_reports_a_font_not_embedded(tmp_path):
    path = hand_made_pdf(tmp_path / "helvetica.pdf", [simple_font(None, "/Helvetica", embedded=False)])
    problems = check_pdf(path)
    assert len(problems) == 1 and "Helvetica" in problems[0] and "没有嵌入" in problems[0]


def test_check_pdf_reports_a_font_outside_the_allowed(tmp_path):
    w = PdfWriter()
    path = hand_made_pdf(tmp_path / "dejavu.pdf", [simple_font(w, "/ABCDEF+DejaVuSans", True, "/TrueType"),
                                                   simple_font(w, "/BCDEFG+NotoSerifCJKsc-Regular", True)], w=w)
    assert check_pdf(path) == []                                  # both embedded
    problems = check_pdf(path, allowed_fonts=targets())
    assert len(problems) == 1 and "DejaVuSans" in problems[0] and "替换" in problems[0]
    assert "NotoSerif" not in problems[0]


def test_check_pdf_looks_into_type0_descendants(tmp_path):
    w = PdfWriter()
    descendant = simple_font(w, "/ABCDEF+NotoSansCJKsc-Regular", True, "/CIDFontType2")
    type0 = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
                              NameObject("/BaseFont"): NameObject("/ABCDEF+NotoSansCJKsc-Regular"),
                              NameObject("/DescendantFonts"): ArrayObject([w._add_object(descendant)])})
    bare_descendant = w._add_object(simple_font(w, "/SimSun", False, "/CIDFontType2"))
    bare = DictionaryObject({**type0, NameObject("/DescendantFonts"): ArrayObject([bare_descendant]),
                             NameObject("/BaseFont"): NameObject("/SimSun")})
    path = hand_made_pdf(tmp_path / "type0.pdf", [type0, bare], w=w)
    problems = check_pdf(path, allowed_fonts=targets())
    assert any("SimSun" in p and "没有嵌入" in p for p in problems)
    assert not any("NotoSans" in p for p in problems)


def test_check_pdf_reports_too_many_pages(tmp_path):
    path = hand_made_pdf(tmp_path / "three.pdf", [], pages=3)
    assert pdf_pages(path) == 3
    assert check_pdf(path, expected_pages=3) == [] and check_pdf(path) == []
    [problem] = check_pdf(path, expected_pages=2)
    assert "超出 2 页" in problem and "共 3 页" in problem


def test_check_pdf_of_a_broken_file(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4 nothing")
    assert check_pdf(tmp_path / "x.pdf")[0].startswith("无法读取 PDF")


# ---------------------------------------------------------------------------------------------------------------
# with LibreOffice


@office
def test_chinese_document_to_pdf(pool, docs, tmp_path):
    assert pool.mode == "warm"
    c = pool.convert(docs / "批复.docx", tmp_path / "out" / "批复.pdf")
    assert c.ok, c.error
    assert c.dst.is_file() and pdf_pages(c.dst) == 1
    assert check_pdf(c.dst, expected_pages=1, allowed_fonts=pool.targets) == []
    keys = {family_key(f) for f in pdf_fonts(c.dst)}
    assert keys == {family_key("Noto Serif CJK SC"), family_key("Noto Sans CJK SC")}    # 仿宋 serif, 黑体 sans
    assert not [p for p in c.dst.parent.iterdir() if p.name != "批复.pdf"]           # no temporary left beside


@office
def test_many_documents_and_too_many_pages(pool, docs, tmp_path):
    seen = []
    done = pool.convert_many([(docs / "长文.docx", tmp_path / "长文.pdf"), (docs / "批复.docx", tmp_path / "a.pdf"),
                              (docs / "批复.docx", tmp_path / "b.pdf")], progress=seen.append)
    assert [c.ok for c in done] == [True, True, True] and len(seen) == 3
    assert [c.dst.name for c in done] == ["长文.pdf", "a.pdf", "b.pdf"]
    pages = pdf_pages(tmp_path / "长文.pdf")
    assert pages > 1
    assert any("超出 1 页" in p for p in check_pdf(tmp_path / "长文.pdf", expected_pages=1))


@office
def test_a_corrupt_document_fails_and_the_pool_goes_on(pool, docs, tmp_path):
    before, restarts = pool.processes(), pool.restarts
    bad, good = pool.convert_many([(docs / "坏文件.docx", tmp_path / "坏文件.pdf"),
                                   (docs / "批复.docx", tmp_path / "好.pdf")])
    assert not bad.ok and "无法" in bad.error and not (tmp_path / "坏文件.pdf").exists()
    assert good.ok and (tmp_path / "好.pdf").is_file()
    assert pool.processes() == before and pool.restarts == restarts          # nothing was restarted
    missing = pool.convert(docs / "没有这个文件.docx", tmp_path / "无.pdf")
    assert not missing.ok and "不存在" in missing.error


@office
def test_the_pool_recovers_when_soffice_is_killed(soffice, docs, tmp_path):
    work = tmp_path / "office"
    killed: list[int] = []

    def kill_once(c) -> None:
        if not killed:
            killed.extend(soffice_bin(work))
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    with ConverterPool(size=1, timeout=60, work_dir=work) as p:
        first = p.convert(docs / "批复.docx", tmp_path / "0.pdf")
        assert first.ok, first.error
        done = p.convert_many([(docs / "批复.docx", tmp_path / f"{n}.pdf") for n in range(1, 5)], progress=kill_once)
        assert killed, "no soffice.bin found to kill"
        assert all(c.ok for c in done), [c.error for c in done]
        assert p.restarts >= 1 and not set(killed) & set(soffice_bin(work))
        assert p.convert(docs / "批复.docx", tmp_path / "after.pdf").ok
    assert office_processes(work) == []


@office
def test_a_document_over_the_timeout_is_killed(soffice, docs, tmp_path):
    work = tmp_path / "office"
    with ConverterPool(size=1, timeout=0.01, work_dir=work) as p:
        old = soffice_bin(work)
        slow = p.convert(docs / "长文.docx", tmp_path / "慢.pdf")
        assert not slow.ok and "超过" in slow.error and not (tmp_path / "慢.pdf").exists()
        assert p.restarts == 1 and old and not set(old) & set(soffice_bin(work))
        p.timeout = 60
        assert p.convert(docs / "批复.docx", tmp_path / "快.pdf").ok
    assert office_processes(work) == []


@office
def test_closing_the_pool_leaves_no_soffice(soffice, docs, tmp_path):
    work = tmp_path / "office"
    p = ConverterPool(size=2, work_dir=work).start()
    try:
        assert len(soffice_bin(work)) == 2 and len(p.processes()) == 4
        results: list = []
        th = threading.Thread(target=lambda: results.extend(p.convert_many(
            [(docs / "批复.docx", tmp_path / f"{n}.pdf") for n in range(4)])))
        th.start()
        th.join()
        assert all(c.ok for c in results)
    finally:
        p.close()
    assert office_processes(work) == []


@office
def test_one_process_per_document(soffice, docs, tmp_path):
    c = convert_one_process(docs / "批复.docx", tmp_path / "批复.pdf", tmp_path / "profile")
    assert c.ok, c.error
    assert check_pdf(c.dst, expected_pages=1, allowed_fonts=targets()) == []
    bad = convert_one_process(docs / "坏文件.docx", tmp_path / "坏.pdf", tmp_path / "profile")
    assert not bad.ok and bad.error and not (tmp_path / "坏.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile", "profile.fonts.conf", "批复.pdf"]


@office
def test_without_uno_the_pool_converts_one_process_per_document(soffice, docs, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_uno_python", lambda s: None)
    with ConverterPool(size=2, work_dir=tmp_path / "office") as p:
        assert p.mode == "process" and p.processes() == []
        done = p.convert_many([(docs / "批复.docx", tmp_path / "1.pdf"), (docs / "批复.docx", tmp_path / "2.pdf")])
        assert all(c.ok for c in done), [c.error for c in done]


@office
def test_make_pdfs_of_a_case(pool, tmp_path):
    from datetime import date

    from engine import Engine
    from engine.clock import FixedClock
    from engine.pdfs import make_pdfs, printable
    from engine.testing import load_walkthrough, walk, walkthrough_workspace

    wt = load_walkthrough("party")
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(date(2026, 11, 28)))
    try:
        case_id = walk(eng, wt, tmp_path / "src", upto=2)
        docs = printable(eng, case=case_id)
        assert docs and all(p.suffix == ".docx" for p, _ in docs)
        forms = {eng.pack.documents[k].title for k, d in eng.pack.documents.items() if d.collects}
        assert not [p for p, _ in docs if any(t in p.name for t in forms)]
        seen: list[int] = []
        run = make_pdfs(eng, case=case_id, pool=pool, progress=seen.append)
        assert run.failed == [] and run.problems == [], (run.failed, run.problems)
        assert sorted(run.written) == sorted(p.with_suffix(".pdf") for p, _ in docs) and sum(seen) == len(docs)
        assert make_pdfs(eng, case="2099-9999").written == []
    finally:
        eng.store.close()


# ---------------------------------------------------------------- the workspace: [pdf] beside, docflow pdf
@pytest.fixture(scope="module")
def walked_with_pdfs(tmp_path_factory):
    """The party walkthrough with [pdf] beside = true: every Word document gets its PDF as it is rendered."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) 未安装：跳过 PDF 转换测试")
    from dataclasses import replace

    from engine import Engine
    from engine.clock import FixedClock
    from engine.testing import load_walkthrough, walk, walkthrough_workspace
    from engine.workspace import PdfSettings

    tmp = tmp_path_factory.mktemp("beside")
    wt = load_walkthrough("party")
    ws = walkthrough_workspace(tmp / "ws", wt)
    ws = replace(ws, config=ws.config.model_copy(update={"pdf": PdfSettings(beside=True)}))
    eng = Engine.open(ws, clock=FixedClock(wt.today))
    case_id = walk(eng, wt, tmp / "src")
    yield eng, case_id
    eng.store.close()


def test_beside_every_rendered_document_a_checked_pdf(walked_with_pdfs):
    from engine.pdfs import printable

    eng, case_id = walked_with_pdfs
    docs = printable(eng, case=case_id)
    assert len(docs) > 20
    for path, pages in docs:
        pdf = path.with_suffix(".pdf")
        assert pdf.is_file(), path.name
        assert check_pdf(pdf, pages or None, targets()) == [], path.name
    forms = [p for p in eng.ws.outbox.rglob("*.xlsx") if "情况表" in p.name]
    assert forms and not any(p.with_suffix(".pdf").exists() for p in forms)   # forms to fill: no PDF
    assert not [n for n in eng.notes if "PDF" in n], eng.notes


def test_docflow_pdf_makes_them_again_for_one_case(walked_with_pdfs, capsys):
    from engine.cli import main

    eng, case_id = walked_with_pdfs
    pdfs = sorted(eng.ws.outbox.rglob("*.pdf"))
    for p in pdfs:
        p.unlink()
    eng.store.close()                      # the command opens the workspace itself (under its lock)
    assert main(["pdf", "-w", str(eng.ws.root), "--case", case_id, "--quiet"]) == 0
    assert sorted(eng.ws.outbox.rglob("*.pdf")) == pdfs
    capsys.readouterr()
    notice = next(p for p in pdfs if "批复" in p.name).with_suffix(".docx")
    os.utime(notice)                       # the document made again since its PDF: only it is converted
    assert main(["pdf", "-w", str(eng.ws.root), "--case", case_id, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "已生成 PDF 1 份" in out and f"PDF 已是最新的 {len(pdfs) - 1} 份" in out
    from engine.store import open_store

    eng.store = open_store(eng.ws.database)


def test_a_pdf_over_its_page_limit_is_reported(walked_with_pdfs, capsys):
    """pages = 1 for a document that prints on 2: docflow pdf says so and exits non-zero."""
    from engine.pdfs import make_pdfs, printable

    eng, case_id = walked_with_pdfs
    [(minutes, _)] = [(p, n) for p, n in printable(eng, case=case_id) if "会议记录" in p.name][:1]
    run = make_pdfs(eng, case=case_id, pool_size=1)
    assert not run.failed and not run.problems
    from engine.output.pdf import check_pdf as check

    assert check(minutes.with_suffix(".pdf"), 1, targets())          # the minutes print on two pages


def test_beside_without_office_keeps_the_documents_and_says_why(tmp_path, monkeypatch):
    """[pdf] beside = true on a machine without LibreOffice: every file is processed and every document written,
    the engine's notes say why there is no PDF."""
    from dataclasses import replace

    from engine import Engine
    from engine.clock import FixedClock
    from engine.outcomes import Processed
    from engine.testing import load_walkthrough, walk, walkthrough_workspace
    from engine.workspace import PdfSettings

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    wt = load_walkthrough("party")
    wt = replace(wt, submissions=wt.submissions[:2])
    ws = walkthrough_workspace(tmp_path / "ws", wt)
    ws = replace(ws, config=ws.config.model_copy(update={"pdf": PdfSettings(beside=True)}))
    eng = Engine.open(ws, clock=FixedClock(wt.today))
    try:
        seen = []
        walk(eng, wt, tmp_path / "src", on_outcome=lambda label, out: seen.append(out))
        assert seen and all(isinstance(o, Processed) for o in seen)
        assert list(ws.outbox.rglob("*.docx")) and not list(ws.outbox.rglob("*.pdf"))
        assert any("未生成 PDF" in n and "LibreOffice" in n for n in eng.notes), eng.notes
    finally:
        eng.store.close()


def test_a_rare_character_prints_from_an_embedded_mapped_font(tmp_path):
    """王堃's 批复: 堃 set in 仿宋 by the renderer, 仿宋 mapped to an installed font; the PDF has the character and
    every font in it is embedded and one of the mapping's."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) 未安装：跳过 PDF 转换测试")
    import subprocess
    from dataclasses import replace

    from engine import Engine
    from engine.clock import FixedClock
    from engine.output.documents import doc_path
    from engine.testing import load_walkthrough, walk, walkthrough_workspace

    wt = load_walkthrough("party")
    names = [f for f, _ in wt.submissions]
    wt = replace(wt, person={**wt.person, "name": "王堃"},
                 submissions=wt.submissions[:names.index("admission_approval") + 1])
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    try:
        case_id = walk(eng, wt, tmp_path / "src")
        src = doc_path(eng, case_id, "approval_notice", None)
    finally:
        eng.store.close()
    with ConverterPool(size=1, work_dir=tmp_path / "office") as pool:
        done = pool.convert(src, tmp_path / "notice.pdf")
    assert done.ok, done.error
    assert check_pdf(tmp_path / "notice.pdf", 2, targets()) == []
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"], capture_output=True, text=True).stdout
        assert "王堃" in text.replace(" ", "")
