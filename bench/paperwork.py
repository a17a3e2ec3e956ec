"""The year's paperwork at scale: a synthetic committee (20 branches, cases spread over every stage and the side
paths), the regeneration of all its documents beside a plain docxtpl load–render–save loop over the same
templates and contexts (one process and all cores), and the time of status, due, the ledger, one processed file
and each report at several sizes (each size's operations in a fresh process, as a command runs).

    .venv/bin/python bench/paperwork.py [--cases 2000] [--sizes 2000,20000,100000] [--docxtpl-docs 200]
                                        [--report-sizes 2000,20000,100000]

The committee is made from three cases driven through the real road (the pack's walkthrough to the end, one
withdrawn after its activist step, one transferred out after its target step): each synthetic case takes one of
them, cut after a random step, with a person of its own, and is stored the way the road stores it (its events,
the files' documents due, its view). Building 100,000 cases takes a few minutes."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

BRANCHES = ([f"第{n}党支部" for n in "一二三四五六七八九十"] + [f"第十{n}党支部" for n in "一二三四五六七八九"]
            + ["第二十党支部"])


@dataclass
class Model:
    """A case driven through the road: its events, and the documents each event's file made due."""

    events: list[tuple[str, Any]]
    documents: list[list[tuple[str, int | None, int]]]    # per event: (doc id, period, occurrence)
    label: str


def models(folder: Path) -> list[Model]:
    from engine import Engine
    from engine.clock import FixedClock
    from engine.testing import drop, fill_form, issued_form, load_walkthrough, walk, walkthrough_workspace

    wt = load_walkthrough("party")
    out = []
    for label, upto, side in (("happy", None, None), ("withdrawn", 2, ("withdraw", {"withdraw_date": "2024-04-01",
                                                                                     "reason": "本人申请"})),
                              ("transferred", 7, ("transfer_out", {"transfer_date": "2025-04-01",
                                                                   "to_org": "YY街道党工委"}))):
        eng = Engine.open(walkthrough_workspace(folder / label, wt), clock=FixedClock(wt.today))
        case_id = walk(eng, wt, folder / f"{label}-src", upto=upto)
        if side:
            form, values = side
            fields = {f.key for f in eng.pack.forms[form].fields}
            filled = {k: v for k, v in values.items() if k in fields}
            for f in eng.pack.forms[form].fields:      # whatever else the side form requires
                if f.required and f.key not in filled:
                    filled[f.key] = f.choices[0] if f.choices else "2025-04-01" if f.type == "date" else "说明"
            drop(eng, fill_form(issued_form(eng, case_id, form), folder / f"{label}.xlsx", filled))
        audit = eng.store.audit(case_id)
        docs: list[list[tuple[str, int | None, int]]] = []
        seen: set[str] = set()
        for row in audit:                              # a file's documents, with the first event it made
            f = None if row["sha256"] in seen else eng.store.processed(row["sha256"])
            seen.add(row["sha256"])
            docs.append([(d.doc_id, d.period, d.occurrence) for d in (f.documents if f else ())
                         if d.case_id == case_id])
        out.append(Model(eng.store.events(case_id), docs, label))
        eng.store.close()
    return out


def build(root: Path, n: int, seed: int = 7) -> Path:
    """A workspace of ``n`` synthetic cases; returns its root."""
    import copy

    from engine import Engine
    from engine.clock import FixedClock
    from engine.outcomes import DueDocument, EventKind, OutcomeKind
    from engine.testing import id_number, workspace
    from engine.testing.batch import person_name
    from engine.views import refresh

    rng = random.Random(seed)
    ms = models(root / "models")
    ws = workspace(root / "ws", branches=BRANCHES)
    eng = Engine.open(ws, clock=FixedClock(date(2026, 11, 28)))
    batch: list[str] = []
    eng.store.db.execute("BEGIN")
    for i in range(n):
        m = ms[0] if rng.random() < 0.9 else ms[1 + (i % 2)]
        k = rng.randint(1, len(m.events)) if m.label == "happy" else len(m.events)
        branch = BRANCHES[i % len(BRANCHES)]
        birth = date(1970 + i % 35, 1 + i % 12, 1 + i % 28)
        name, number = person_name(i), id_number(birth, i % 1000, region=f"{110101 + i // 1000 % 800}")
        events = []
        for at, ev in m.events[:k]:
            ev = copy.deepcopy(ev)
            if ev.kind == EventKind.CASE_CREATED:
                person = ev.data["person"]
                person.update(name=name, id_number=number, branch=branch,
                              birth_date={"date": birth.isoformat(), "month": False})
            events.append((at, ev))
        year = int(str(m.events[0][1].data["person"]["apply_date"]["date"])[:4])
        case_id = eng.store.new_case(year, number, name, branch, eng.pack.version, m.events[0][0])
        for j, (at, ev) in enumerate(events):
            eng.store.append(case_id, [ev], at=at, sha256=f"{i:08d}{j:04d}", file_name=f"{i}-{j}.xlsx",
                             pack_version=eng.pack.version)
            due = [DueDocument(case_id, *d) for d in m.documents[j]]
            if due:
                eng.store.record_file(f"{i:08d}{j:04d}", f"{i}-{j}.xlsx", OutcomeKind.PROCESSED, {}, due, None, at)
        batch.append(case_id)
        if len(batch) == 500:
            refresh(eng, batch)
            eng.store.db.execute("COMMIT")
            eng.store.db.execute("BEGIN")
            batch = []
    refresh(eng, batch)
    eng.store.db.execute("COMMIT")
    eng.store.close()
    return ws.root


def timed(fn, *a, **k) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*a, **k)
    return time.perf_counter() - t, out


def _regenerate(root: str, processes: int, queue: Any) -> None:
    from engine import Engine
    from engine.regenerate import planned, regenerate
    from engine.workspace import load_workspace

    eng = Engine.open(load_workspace(Path(root)))
    jobs = planned(eng)
    seconds, _ = timed(regenerate, eng, jobs, force=True, processes=processes)
    eng.store.close()
    queue.put((len(jobs), seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))


def _docxtpl(root: str, count: int, processes: int, queue: Any) -> None:
    """Plain docxtpl over the same templates and contexts (the Word documents of the first cases)."""
    import io

    from docxtpl import DocxTemplate

    from engine import Engine
    from engine.output.context import document_context
    from engine.output.render import jinja_env
    from engine.procedure.state import fold
    from engine.regenerate import planned
    from engine.workspace import load_workspace

    eng = Engine.open(load_workspace(Path(root)))
    jobs = [d for d in planned(eng) if eng.pack.documents[d.doc_id].template.endswith(".docx")][:count]
    org = eng.ws.config.organisation
    work = []
    for d in jobs:
        doc = eng.pack.documents[d.doc_id]
        cs = fold(eng.pack, d.case_id, eng.store.events(d.case_id))
        work.append((str(eng.pack.root / doc.template), document_context(eng.pack, org.name, cs, doc, d.period,
                                                                          org.feedback)))
    eng.store.close()
    env = jinja_env()

    def one(item: tuple[str, dict]) -> None:
        tpl = DocxTemplate(item[0])
        tpl.render(item[1], jinja_env=env, autoescape=True)
        tpl.save(io.BytesIO())

    t = time.perf_counter()
    if processes > 1:
        with mp.get_context("fork").Pool(processes) as pool:
            pool.map(_one_docxtpl, [(p, c) for p, c in work], chunksize=10)
    else:
        for item in work:
            one(item)
    queue.put((len(work), time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _one_docxtpl(item: tuple[str, dict]) -> None:
    import io

    from docxtpl import DocxTemplate

    from engine.output.render import jinja_env

    tpl = DocxTemplate(item[0])
    tpl.render(item[1], jinja_env=jinja_env(), autoescape=True)
    tpl.save(io.BytesIO())


def _in_process(target, *args) -> Any:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, queue))
    p.start()
    out = queue.get()
    p.join()
    return out


def operations(root: Path, reports: bool = True) -> dict[str, float]:
    """Seconds of status, due, the ledger, one processed file, and each report, on the workspace at ``root``."""
    import contextlib
    import io

    from engine import Engine
    from engine.cli import main
    from engine.output.ledger import ledger_bytes, ledger_name, write_paperwork
    from engine.output.render import write_atomic
    from engine.report.build import report
    from engine.road import process_file
    from engine.testing import applicant, write_roster
    from engine.workspace import load_workspace

    out: dict[str, float] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        out["status"] = timed(main, ["status", "-w", str(root)])[0]
        out["due"] = timed(main, ["due", "-w", str(root)])[0]
    eng = Engine.open(load_workspace(root))
    out["ledger"] = timed(lambda: write_atomic(eng.ws.outbox / ledger_name(eng.pack),
                                               ledger_bytes(eng.pack, eng.store.ledger_rows())))[0]
    for k in range(2):        # the first file also compiles the templates it renders: the second is timed
        path = write_roster(eng.ws.inbox / f"一人{k}.xlsx", [applicant(f"新同志{k}", date(1996, 5, 5),
                                                                    date(2026, 11, 20), branch=BRANCHES[0],
                                                                    seq=998 + k)])
        out["one file (road)"] = timed(process_file, eng, path, paperwork=False)[0]
    out["ledger + due list after it"] = timed(write_paperwork, eng)[0]
    for kind, kw in (("quarterly", {"quarter": 3}), ("halfyear", {"half": 1}), ("pool", {}), ("structure", {}),
                     ("statistics", {}), ("summary", {}), ("controls", {})):
        if not reports:
            out[f"report {kind}"] = float("nan")
            continue
        try:
            out[f"report {kind}"] = timed(report, eng, kind, 2025, kw.get("quarter"), kw.get("half"), None)[0]
        except Exception as exc:   # e.g. no [plan.2025] in the synthetic workspace
            out[f"report {kind}"] = float("nan")
            print(f"  report {kind}: {exc}", file=sys.stderr)
    eng.store.close()
    return out


def _operations(root: str, reports: bool, queue: Any) -> None:
    """``operations`` in a process of its own, as staff run each command (not in the one that built the stores)."""
    queue.put(operations(Path(root), reports))


def plan_settings(root: Path) -> None:
    with open(root / "docflow.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[plan.2025]\nnew_members = 100\napplicants = 100\nactivists = 100\n\n[[plan.2025.structure]]\n'
                 'label = "35岁以下"\nmeasure = "age_at_most"\nvalue = 35\nshare = 0.80\n')


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000, help="the committee whose documents are regenerated")
    ap.add_argument("--sizes", default="2000,20000,100000", help="store sizes for status, due, ledger, reports")
    ap.add_argument("--docxtpl-docs", type=int, default=200, help="documents plain docxtpl renders (for its rate)")
    ap.add_argument("--report-sizes", default="2000,20000,100000", help="store sizes at which reports are timed")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | {args.cases})
    with tempfile.TemporaryDirectory() as tmp:
        roots = {}
        for n in sizes:
            t = time.perf_counter()
            roots[n] = build(Path(tmp) / f"c{n}", n)
            plan_settings(roots[n])
            print(f"built a committee of {n:,} cases in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        root = str(roots[args.cases])
        print(f"\nregeneration of a committee of {args.cases:,} cases (20 branches), Python {sys.version.split()[0]}:")
        print(f"  {'method':<28} {'documents':>9} {'seconds':>8} {'docs/s':>8} {'peak MB':>8}")
        for procs in sorted({1, args.cores}):
            docs, secs, peak, children = _in_process(_regenerate, root, procs)
            label = f"docflow regenerate, {procs} proc"
            print(f"  {label:<28} {docs:>9,} {secs:>8.1f} {docs / secs:>8.0f} {max(peak, children):>8.0f}")
        for procs in sorted({1, args.cores}):
            docs, secs, peak = _in_process(_docxtpl, root, args.docxtpl_docs, procs)
            label = f"plain docxtpl (.docx), {procs} proc"
            print(f"  {label:<28} {docs:>9,} {secs:>8.1f} {docs / secs:>8.0f} {peak:>8.0f}")
        print("\nseconds per operation by the number of cases in the store:")
        report_sizes = {int(s) for s in args.report_sizes.split(",") if s}
        table = {n: _in_process(_operations, str(roots[n]), n in report_sizes) for n in sizes}
        names = list(next(iter(table.values())))
        print(f"  {'operation':<28}" + "".join(f"{n:>12,}" for n in sizes))
        for name in names:
            print(f"  {name:<28}" + "".join(f"{table[n][name]:>12.2f}" for n in sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
