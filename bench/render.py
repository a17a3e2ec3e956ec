"""Rendering figures, side by side in one run, on a pack's own templates and the contexts its linter uses:

- .docx: plain docxtpl (load, render, save), docflow's renderer, the floor, and a plain copy of the template file;
- .xlsx forms: plain openpyxl (load, fill the named cells, save), docflow's renderer, the floor, and a copy;

each as ms per document, documents per second and peak memory (the peak RSS of a fresh process that does only
that), in one process and in one process per core. The floor is the least any renderer of these templates must
do: the templated parts' text is taken as already rendered, and only their compression and the writing of the
package around the template's untouched compressed bytes remain; the copy reads the template file's bytes.
Outputs stay in memory (the road's atomic write costs the same for every method); --disk writes each to a new
file.
Then the end-to-end time of an applicant roster of --roster people through the road (claim → … → route), and
with --soak N the memory of one process over N documents through docflow's renderer.

    .venv/bin/python bench/render.py [--pack party] [--docs 3000] [--baseline-docs 150] [--roster 500]
                                     [--soak 100000] [--cores N] [--disk]

The defaults take about two minutes on two cores (--soak 100000 adds about two minutes)."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DISK = False                                   # --disk: write every output to a file
METHODS = {"docx": ("docxtpl", "docflow", "floor", "copy"), "xlsx": ("openpyxl", "docflow", "floor", "copy")}


def rss_mb() -> float:
    """Current resident set size (Linux /proc), MB."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def jobs(pack_name: str, kind: str) -> list[tuple[Any, dict[str, Any], Any]]:
    """(document, context, identity) for every document of the pack whose template is of ``kind``."""
    from engine.output.context import document_context
    from engine.output.render import Identity
    from engine.pack import load_pack
    from engine.pack.sample import sample_case
    from engine.workspace import BUNDLED_PACKS

    pack = load_pack(BUNDLED_PACKS / pack_name)
    out = []
    for doc in pack.documents.values():
        if doc.template.endswith("." + kind):
            period = 1 if doc.period else None
            cs = sample_case(pack, doc)
            ctx = document_context(pack, f"示例{pack.terms.organisation}", cs, doc, period, "反馈渠道")
            ident = Identity(doc.collects, cs.case_id, pack.version, period) if doc.collects else None
            out.append((doc, ctx, ident))
    return out


def make_method(pack_name: str, kind: str, method: str):
    """A function (i, folder) → None that renders the i-th document (cycling through the templates) to a file."""
    import io

    from engine.output.render import Renderer, jinja_env
    from engine.output.xlsxforms import fill_form
    from engine.output.zippkg import deflate, write_zip
    from engine.pack import load_pack
    from engine.workspace import BUNDLED_PACKS

    pack = load_pack(BUNDLED_PACKS / pack_name)
    todo = jobs(pack_name, kind)
    renderer = Renderer(pack)
    env = jinja_env()
    paths = [pack.root / doc.template for doc, _, _ in todo]

    def write(folder: Path, i: int, data: bytes) -> None:
        if DISK:                               # each output a new file (overwriting costs a flush on ext4)
            with open(folder / f"{i}.{kind}", "wb") as fh:
                fh.write(data)

    if method == "copy":
        def run(i: int, folder: Path) -> None:
            write(folder, i, paths[i % len(todo)].read_bytes())
    elif method == "docxtpl":
        from docxtpl import DocxTemplate

        def run(i: int, folder: Path) -> None:
            ctx = todo[i % len(todo)][1]
            tpl = DocxTemplate(str(paths[i % len(todo)]))
            tpl.render(ctx, jinja_env=env, autoescape=True)
            buf = io.BytesIO()
            tpl.save(buf)
            write(folder, i, buf.getvalue())
    elif method == "openpyxl":
        def run(i: int, folder: Path) -> None:
            doc, ctx, ident = todo[i % len(todo)]
            write(folder, i, fill_form(paths[i % len(todo)].read_bytes(), renderer.form_values(doc, ctx),
                                       ident.properties() if ident else None))
    elif method == "docflow":
        def run(i: int, folder: Path) -> None:
            doc, ctx, ident = todo[i % len(todo)]
            write(folder, i, renderer.render(doc, ctx, ident))
    elif method == "floor":
        from engine.output.zippkg import read_members

        prepared = []
        for doc, ctx, ident in todo:           # the parts as docflow renders them, kept uncompressed
            kept = {(m.name, m.crc) for m in renderer.compiled(doc).members}
            prepared.append([m if (m.name, m.crc) in kept else (m.name, m.data())
                             for m in read_members(renderer.render(doc, ctx, ident))])

        def run(i: int, folder: Path) -> None:
            members = prepared[i % len(prepared)]
            write(folder, i, write_zip(deflate(*m) if isinstance(m, tuple) else m for m in members))
    else:
        raise SystemExit(f"unknown method {method}")
    return run


def _time(pack_name: str, kind: str, method: str, n: int, queue: Any, disk: bool) -> None:
    """In a fresh process: n documents by one method; puts (seconds, peak RSS MB, RSS growth MB)."""
    global DISK
    DISK = disk
    run = make_method(pack_name, kind, method)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(len(jobs(pack_name, kind))):     # warm: every template read and compiled once
            run(i, folder)
        start_rss = rss_mb()
        t = time.perf_counter()
        for i in range(n):
            run(i, folder)
        seconds = time.perf_counter() - t
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rss_mb() - start_rss))


def measure(pack_name: str, kind: str, method: str, n: int, procs: int) -> tuple[float, float, float]:
    """(documents per second, peak RSS MB of the largest process, RSS growth MB) over ``procs`` processes."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_time, args=(pack_name, kind, method, n, queue, DISK)) for _ in range(procs)]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    wall = max(r[0] for r in results)
    return n * procs / wall, max(r[1] for r in results), max(r[2] for r in results)


def roster(pack_name: str, people: int) -> tuple[float, int]:
    """Seconds for an applicant roster of ``people`` through the road on a fresh workspace; documents made."""
    from engine import Engine
    from engine.clock import FixedClock
    from engine.outcomes import Processed
    from engine.road import process_file
    from engine.testing import applicant, write_roster
    from engine.testing.batch import person_name
    from engine.testing.walkthrough import load_walkthrough, walkthrough_workspace

    wt = load_walkthrough(pack_name)
    with tempfile.TemporaryDirectory() as tmp:
        ws = walkthrough_workspace(Path(tmp) / "ws", wt)
        eng = Engine.open(ws, clock=FixedClock(date(2026, 11, 28)))
        rows = [applicant(person_name(i), date(1990, 1, 1) + timedelta(days=i), date(2026, 9, 1), seq=i % 1000)
                for i in range(people)]
        path = write_roster(ws.inbox / "入党申请人名册.xlsx", rows)
        t = time.perf_counter()
        out = process_file(eng, path)
        seconds = time.perf_counter() - t
        eng.store.close()
        if not isinstance(out, Processed):
            raise SystemExit(f"the roster was not processed: {out}")
        return seconds, sum(1 for _ in (ws.outbox).rglob("*.*"))


def soak(pack_name: str, n: int) -> None:
    run = make_method(pack_name, "docx", "docflow")
    runx = make_method(pack_name, "xlsx", "docflow")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(100):
            run(i, folder)
            runx(i, folder)
        base = rss_mb()
        print(f"\nmemory over {n:,} documents through docflow's renderer (one process, .docx and .xlsx alternating):")
        print(f"  {'documents':>10} {'RSS MB':>8} {'growth':>8}")
        t = time.perf_counter()
        for i in range(1, n + 1):
            (run if i % 2 else runx)(i, folder)
            if i % (n // 10) == 0:
                print(f"  {i:>10,} {rss_mb():>8.1f} {rss_mb() - base:>+8.1f}")
        print(f"  {n:,} documents in {time.perf_counter() - t:.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", default="party")
    ap.add_argument("--docs", type=int, default=3000, help="documents per process for the fast methods")
    ap.add_argument("--baseline-docs", type=int, default=150, help="documents per process for docxtpl / openpyxl")
    ap.add_argument("--roster", type=int, default=500, help="people in the end-to-end roster (0: skip)")
    ap.add_argument("--soak", type=int, default=0, help="documents for the memory soak (0: skip)")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--disk", action="store_true", help="write every output to a new file")
    args = ap.parse_args(argv)
    global DISK
    DISK = args.disk
    print(f"pack {args.pack}; {len(jobs(args.pack, 'docx'))} Word and {len(jobs(args.pack, 'xlsx'))} Excel documents "
          f"cycled; {args.cores} cores; Python {sys.version.split()[0]}")
    for kind, methods in METHODS.items():
        print(f"\n.{kind}  {'method':<9} {'ms/doc':>8} {'docs/s':>9} {'peak MB':>8} {'growth':>7}"
              f" | {'all cores docs/s':>16} {'peak MB':>8} | vs {methods[0]:<8} vs floor")
        rows = {}
        for method in methods:
            n = args.baseline_docs if method in ("docxtpl", "openpyxl") else args.docs
            one = measure(args.pack, kind, method, n, 1)
            many = measure(args.pack, kind, method, n, args.cores)
            rows[method] = (one, many)
        base, floor = rows[methods[0]][0][0], rows["floor"][0][0]
        for method, ((rate, peak, growth), (rate_n, peak_n, _)) in rows.items():
            print(f"      {method:<9} {1000 / rate:>8.3f} {rate:>9.0f} {peak:>8.1f} {growth:>+7.1f}"
                  f" | {rate_n:>16.0f} {peak_n:>8.1f} | {rate / base:>6.1f}× {floor / rate:>7.2f}×")
    if args.roster:
        seconds, made = roster(args.pack, args.roster)
        print(f"\nend to end: an applicant roster of {args.roster} people through the road: {seconds:.1f} s "
              f"({made} files in outbox, {1000 * seconds / max(made, 1):.1f} ms per file)")
    if args.soak:
        soak(args.pack, args.soak)
    return 0


if __name__ == "__main__":
    sys.exit(main())
