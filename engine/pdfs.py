"""PDFs of the documents docflow made: each Word document of the outbox (not the forms staff fill in) converted
to a PDF beside it (same name, .pdf) through a pool of warm LibreOffice converters (``engine.output.pdf``), then
checked: no more pages than the pack allows (``pages`` of the document), every font embedded, no font but the
ones the Windows fonts are mapped to."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DocflowError
from .output.pdf import Converted, ConverterPool, check_pdf

if TYPE_CHECKING:
    from .engine import Engine


@dataclass
class PdfRun:
    written: list[Path] = field(default_factory=list)                 # the PDFs made
    failed: list[tuple[Path, str]] = field(default_factory=list)      # (document, why), in Chinese
    problems: list[tuple[Path, str]] = field(default_factory=list)    # (PDF, problem), in Chinese
    current: list[Path] = field(default_factory=list)                 # PDFs already newer than their document

    def extend(self, other: PdfRun) -> None:
        self.written += other.written
        self.failed += other.failed
        self.problems += other.problems


def pdf_path(document: Path) -> Path:
    """The PDF of a document: beside it, same name."""
    return document.with_suffix(".pdf")


def printable(eng: Engine, *, case: str | None = None, year: int | None = None,
              branch: str | None = None) -> list[tuple[Path, int]]:
    """(path, pages allowed — 0: not checked) of every Word document docflow made for the chosen cases, forms to
    fill excepted, in case order."""
    from .output.documents import doc_path
    from .regenerate import planned

    out: dict[Path, int] = {}
    for d in planned(eng, year, branch, case):
        doc = eng.pack.documents.get(d.doc_id)
        if doc is None or doc.collects or not doc.template.lower().endswith(".docx"):
            continue
        out.setdefault(doc_path(eng, d.case_id, d.doc_id, d.period, d.occurrence), doc.pages)
    return list(out.items())


def pdf_beside(pool: ConverterPool, paths: Iterable[Path], *, pages: Mapping[Path, int] | None = None,
               progress: Callable[[int], None] | None = None) -> PdfRun:
    """Convert each document to a PDF beside it and check it (``pages``: the most pages each may print on);
    usable right after rendering single documents."""
    paths = list(paths)
    run = PdfRun()
    todo = []
    for p in paths:
        if p.is_file():
            todo.append(p)
        else:
            run.failed.append((p, "文书不存在（被移走或删除了？可运行 docflow regenerate 重新生成）"))
            if progress:
                progress(1)

    def step(_: Converted) -> None:
        if progress:
            progress(1)

    for c in pool.convert_many([(p, pdf_path(p)) for p in todo], progress=step):
        if not c.ok:
            run.failed.append((c.src, c.error))
            continue
        run.written.append(c.dst)
        limit = (pages or {}).get(c.src, 0)
        run.problems += [(c.dst, problem) for problem in check_pdf(c.dst, limit or None, pool.targets)]
    return run


def office_slot(eng: Engine) -> tuple[Path, Any]:
    """A folder for a pool's private LibreOffice profiles that no other pool is using (two soffice processes on one
    profile hand their work to each other), kept between runs so later runs start faster: the first free
    <state>/office/slotN, held by a lock file until released."""
    from filelock import FileLock, Timeout

    base = eng.ws.state / "office"
    base.mkdir(parents=True, exist_ok=True)
    for n in range(64):
        lock = FileLock(str(base / f"slot{n}.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        return base / f"slot{n}", lock
    raise DocflowError("同时运行的 PDF 转换太多（64 个），请稍后再试", place=str(base))


def engine_pool(eng: Engine) -> ConverterPool:
    """The engine's converters, started on first use with the workspace's [pdf] settings and kept warm for the
    life of the process (``watch``: one start for the whole day), closed when it exits."""
    pool = eng.pdf_pool
    if pool is None:
        import atexit

        cfg = eng.ws.config.pdf
        folder, lock = office_slot(eng)
        pool = ConverterPool(size=cfg.converters, timeout=cfg.timeout_seconds, fonts=cfg.fonts or None,
                             work_dir=folder).start()
        atexit.register(lock.release)
        atexit.register(pool.close)
        eng.pdf_pool = pool
    return pool


def pdf_after_render(eng: Engine, made: Iterable[tuple[Path, str]]) -> PdfRun:
    """[pdf] beside = true: a PDF beside each Word document just rendered ((path, document id); forms to fill
    excepted). A document is never held back by its PDF: a failure (LibreOffice missing, a conversion that
    fails) is told in the engine's notes and the run goes on; ``docflow pdf`` makes the missing ones later."""
    docs = eng.pack.documents
    pages = {p: docs[d].pages for p, d in made
             if d in docs and not docs[d].collects and p.suffix.lower() == ".docx"}
    if not pages:
        return PdfRun()
    try:
        run = pdf_beside(engine_pool(eng), list(pages), pages=pages)
    except DocflowError as exc:
        eng.notes.append(f"未生成 PDF：{exc.message}")
        return PdfRun()
    eng.notes += [f"PDF 未生成：{p.name}（{why}）" for p, why in run.failed]
    eng.notes += [f"PDF 检查：{p.name}：{why}" for p, why in run.problems]
    return run


def make_pdfs(eng: Engine, *, case: str | None = None, year: int | None = None, branch: str | None = None,
              pool_size: int = 2, progress: Callable[[int], None] | None = None,
              pool: ConverterPool | None = None, force: bool = False) -> PdfRun:
    """PDFs of the Word documents docflow made (of ``case``, or of ``year`` / ``branch``; all when none is given),
    each beside its document, checked. ``progress(n)`` is called as documents are done (as ``regenerate``'s).
    ``pool``: converters already started (the caller closes them); else a pool of ``pool_size`` is started for
    this run, its profiles kept in the workspace's state folder (a later run starts faster). A PDF newer than its
    document is left as it is (``current``) unless ``force``."""
    docs = printable(eng, case=case, year=year, branch=branch)
    current = [] if force else [pdf_path(p) for p, _ in docs if _newer(pdf_path(p), p)]
    docs = [(p, n) for p, n in docs if pdf_path(p) not in set(current)]
    if progress and current:
        progress(len(current))
    if not docs:
        return PdfRun(current=current)
    pages = {p: n for p, n in docs}
    if pool is not None:
        run = pdf_beside(pool, pages, pages=pages, progress=progress)
        run.current = current
        return run
    cfg = eng.ws.config.pdf
    folder, lock = office_slot(eng)
    try:
        with ConverterPool(size=min(pool_size, len(docs)), timeout=cfg.timeout_seconds, fonts=cfg.fonts or None,
                           work_dir=folder) as own:
            run = pdf_beside(own, pages, pages=pages, progress=progress)
    finally:
        lock.release()
    run.current = current
    return run


def _newer(pdf: Path, document: Path) -> bool:
    try:
        return pdf.stat().st_mtime_ns >= document.stat().st_mtime_ns
    except OSError:
        return False
