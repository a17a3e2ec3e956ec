"""PDF figures, side by side in one run: the Word documents of the packs' walkthrough cases (the documents docflow
makes, forms to fill excepted), copied round-robin up to --docs, converted to PDF

- by a pool of --size warm converters (engine.output.pdf.ConverterPool: a uno_worker per soffice), its start-up
  and its first document per converter (warm-up) reported apart from the PDFs per second after it;
- by one soffice process per document (``soffice --convert-to pdf``), --size at a time, each with its own profile
  (already made: the start of a process is timed, not the making of a profile) — the fallback and the baseline;

then every PDF checked (pages, fonts embedded, fonts mapped) and the problems counted. Nothing is asserted.

    .venv/bin/python bench/pdf.py [--docs 24] [--size 2] [--packs party,league]

The defaults take about half a minute on two cores."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path


def documents(packs: list[str], folder: Path, n: int) -> list[tuple[Path, int]]:
    """``n`` Word documents (path, pages allowed): each pack's walkthrough case driven through the road, its
    documents copied round-robin into ``folder``."""
    from engine import Engine
    from engine.clock import FixedClock
    from engine.pdfs import printable
    from engine.testing import load_walkthrough, walk, walkthrough_workspace

    made: list[tuple[Path, int]] = []
    for pack in packs:
        wt = load_walkthrough(pack)
        eng = Engine.open(walkthrough_workspace(folder / f"ws-{pack}", wt), clock=FixedClock(date(2026, 11, 28)))
        try:
            case_id = walk(eng, wt, folder / f"src-{pack}")
            made += printable(eng, case=case_id)
        finally:
            eng.store.close()
    if not made:
        raise SystemExit("the walkthroughs made no Word documents")
    docs = folder / "docs"
    docs.mkdir()
    out = []
    for i in range(n):
        src, pages = made[i % len(made)]
        dst = docs / f"{i:03d}-{src.name}"
        shutil.copyfile(src, dst)
        out.append((dst, pages))
    return out


def per_process(jobs: list[tuple[Path, Path]], size: int, profiles: Path) -> tuple[float, list]:
    """Seconds for ``jobs`` by one soffice per document, ``size`` at a time; the results."""
    from engine.output.pdf import convert_one_process

    todo = list(enumerate(jobs))
    results: list = [None] * len(jobs)
    lock = threading.Lock()

    def serve(n: int) -> None:
        while True:
            with lock:
                if not todo:
                    return
                i, (src, dst) = todo.pop(0)
            results[i] = convert_one_process(src, dst, profiles / f"profile-{n}")

    t = time.perf_counter()
    threads = [threading.Thread(target=serve, args=(n,)) for n in range(size)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t, results


def main(argv: list[str] | None = None) -> int:
    from engine.output.pdf import ConverterPool, check_pdf, convert_one_process, find_soffice, find_uno_python, targets

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--docs", type=int, default=24, help="documents converted by each method")
    ap.add_argument("--size", type=int, default=2, help="converters of the pool / soffice processes at a time")
    ap.add_argument("--packs", default="party,league")
    args = ap.parse_args(argv)
    soffice = find_soffice()
    if soffice is None:
        print("未找到 LibreOffice（soffice）：无法测量 PDF 转换")
        return 0
    python = find_uno_python(soffice)
    print(f"{args.docs} Word documents of the {args.packs} walkthroughs; {args.size} converters; "
          f"{os.cpu_count()} cores; soffice {soffice}; uno python {python or '(none: the pool is per document)'}")
    with tempfile.TemporaryDirectory(prefix="docflow-bench-pdf-") as tmp:
        folder = Path(tmp)
        docs = documents(args.packs.split(","), folder, args.docs)
        pages = {p: n for p, n in docs}
        warm_docs = [p for p, _ in docs[:args.size]]

        # the pool: start-up, one document per converter, then the documents
        out_pool = folder / "pool"
        t = time.perf_counter()
        pool = ConverterPool(size=args.size, work_dir=folder / "office")
        pool.start()
        startup = time.perf_counter() - t
        try:
            t = time.perf_counter()
            pool.convert_many([(p, out_pool / "warm" / f"{p.stem}.pdf") for p in warm_docs])
            warmup = time.perf_counter() - t
            t = time.perf_counter()
            by_pool = pool.convert_many([(p, out_pool / f"{p.stem}.pdf") for p, _ in docs])
            pool_s = time.perf_counter() - t
            mode = pool.mode
        finally:
            t = time.perf_counter()
            pool.close()
            close_s = time.perf_counter() - t

        # one process per document: the profiles made first (the first start of a profile is timed apart)
        profiles, out_proc = folder / "profiles", folder / "process"
        t = time.perf_counter()
        threads = [threading.Thread(target=convert_one_process, args=(p, out_proc / "warm" / f"{p.stem}.pdf",
                                                                      profiles / f"profile-{n}"))
                   for n, p in enumerate(warm_docs)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        proc_first = time.perf_counter() - t
        proc_s, by_proc = per_process([(p, out_proc / f"{p.stem}.pdf") for p, _ in docs], args.size, profiles)

        allowed = targets()
        found = {c.src: check_pdf(c.dst, pages[c.src] or None, allowed) for c in by_pool if c.ok}
        rows = []
        for name, results in (("pool", by_pool), ("process", by_proc)):
            ok = [c for c in results if c.ok]
            problems = sum(len(check_pdf(c.dst, pages[c.src] or None, allowed)) for c in ok)
            rows.append((name, ok, len(results) - len(ok), problems, results))

    n = len(docs)
    print(f"\n{'method':<28} {'start s':>8} {'1st doc s':>9} {'PDFs':>5} {'failed':>6} {'seconds':>8} "
          f"{'PDFs/s':>7} {'s/PDF':>6} {'problems':>8}")
    (_, ok_p, fail_p, prob_p, _), (_, ok_q, fail_q, prob_q, _) = rows
    label = f"pool of {args.size} ({mode})"
    print(f"{label:<28} {startup:>8.2f} {warmup:>9.2f} {len(ok_p):>5} {fail_p:>6} {pool_s:>8.2f} "
          f"{n / pool_s:>7.2f} {pool_s / n:>6.2f} {prob_p:>8}")
    print(f"{f'soffice per doc, {args.size} at once':<28} {'-':>8} {proc_first:>9.2f} {len(ok_q):>5} {fail_q:>6} "
          f"{proc_s:>8.2f} {n / proc_s:>7.2f} {proc_s / n:>6.2f} {prob_q:>8}")
    print(f"\npool / per document: {proc_s / pool_s:.1f}× the PDFs per second after warm-up; counting the pool's "
          f"start-up and warm-up too: {proc_s / (startup + warmup + pool_s):.1f}×; closing the pool: {close_s:.2f} s")
    print("(start s: the converters started and connected; 1st doc s: the first document of each converter, or of "
          "each new profile for soffice per document)")
    if prob_p or prob_q:
        print("\nproblems of the PDFs (the pool's):")
        seen = set()
        for src, problems in found.items():
            if src.name[4:] not in seen:                  # each document once (the copies are alike)
                seen.add(src.name[4:])
                for problem in problems:
                    print(f"  {src.name[4:]}: {problem}")
    for name, _, _, _, results in rows:
        for c in results:
            if not c.ok:
                print(f"  failed ({name}) {c.src.name}: {c.error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
