"""Inbox figures, native events and polling side by side, through the whole road (claim → … → route):

- sustained files per second: a burst of valid applicant rosters (each a new case, its documents rendered),
  and a mixed batch (rosters, member rosters, invalid files, duplicates, lock files);
- latency: rosters dropped one by one at random moments; the time from a file becoming READY (written, then
  stable for the quiet period) to its documents being in outbox (the rendered files' mtimes), median and
  95th percentile; and from the drop itself, which adds the quiet period (and, when polling, up to one
  poll interval before the file is first seen).

    .venv/bin/python bench/inbox_throughput.py [--rosters 80] [--mixed 200] [--latency 25] [--gap 0.6]
                                               [--quiet 0.5] [--poll 1.0] [--grace 1.0]

Runs the real Watcher in this process on a fresh workspace per mode (a temporary folder), with the
given quiet period; the default arguments take about a minute and a half."""
from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from engine import Engine, init_workspace
from engine.inbox.watch import Watcher
from engine.outcomes import Outcome, Processed
from engine.testing import applicant, write_roster
from engine.testing.batch import Dropped, make_batch, person_name


@dataclass
class Run:
    """One watcher on a fresh workspace; outcomes are timed as they come."""

    poll: float
    quiet: float
    grace: float
    folder: Path
    done: list[tuple[float, Outcome]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ws = init_workspace(self.folder / "ws")
        self.staging = self.folder / "staging"
        self.staging.mkdir()
        self.eng = Engine.open(self.ws)
        self.watcher = Watcher(self.eng, poll=self.poll, quiet=self.quiet, rescan=60.0, grace=self.grace,
                               on_outcome=lambda o: self.done.append((time.time(), o)))
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self) -> Run:
        self.thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop.set()
        self.thread.join(10)
        self.eng.store.close()

    def drop(self, name: str, data: bytes) -> float:
        tmp = self.staging / name
        tmp.write_bytes(data)
        os.replace(tmp, self.ws.inbox / name)    # appears at once, as a move in Explorer does
        return time.time()

    def wait(self, count: int, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while len([o for _, o in self.done if o.kind != "not_ready"]) < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out: {len(self.done)} of {count} files handled")
            time.sleep(0.02)


def rosters(folder: Path, n: int, offset: int) -> list[tuple[str, bytes]]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(offset, offset + n):
        row = applicant(person_name(i), date(1975 + i % 25, 1 + i % 12, 1 + i % 28), date(2026, 1, 5),
                        seq=100 + i % 900)
        path = write_roster(folder / f"申请人名册{i:04d}.xlsx", [row], title="入党申请人名册")
        out.append((path.name, path.read_bytes()))
        path.unlink()
    return out


def sustained(run: Run, files: list[tuple[str, bytes]]) -> float:
    """Files per second between the first and the last outcome of a burst dropped at once."""
    for name, data in files:
        run.drop(name, data)
    run.wait(len(files))
    times = sorted(t for t, o in run.done if o.kind != "not_ready")
    return (len(times) - 1) / (times[-1] - times[0])


def latencies(run: Run, files: list[tuple[str, bytes]], rng: random.Random, gap: float) -> tuple[list, list]:
    """(ready → documents, drop → documents) in seconds; files arrive one by one at random moments
    (exponential gaps, mean ``gap``), independently of the watcher, as staff drop them."""
    at: dict[str, float] = {}
    for name, data in files:
        time.sleep(rng.expovariate(1 / gap))
        at[name] = run.drop(name, data)
    run.wait(len(files))
    ready, dropped = [], []
    for _, out in run.done:
        assert isinstance(out, Processed), out
        docs = max(os.stat(run.ws.outbox / d).st_mtime_ns for d in out.documents) / 1e9
        dropped.append(docs - at[Path(out.file).name])
        ready.append(docs - (at[Path(out.file).name] + run.quiet))
    return ready, dropped


def measure(mode: str, poll: float, args: argparse.Namespace, base: Path) -> dict[str, object]:
    rng = random.Random(5)
    folder = base / mode
    gen = folder / "gen"
    figures: dict[str, object] = {}
    with Run(poll, args.quiet, args.grace, folder / "a") as run:
        figures["rosters"] = sustained(run, rosters(gen, args.rosters, 0))
        docs = [len(o.documents) for _, o in run.done if isinstance(o, Processed)]
        figures["documents"] = sum(docs) / len(docs)
    with Run(poll, args.quiet, args.grace, folder / "b") as run:
        batch = make_batch(gen / "mixed", valid=args.mixed // 5, member=args.mixed // 5, invalid=args.mixed // 5,
                           duplicate=args.mixed // 5, junk=0, seed=3)
        batch += [Dropped(f"~$锁{i}.xlsx", b"lock", "junk") for i in range(args.mixed // 5)]
        real = [(d.name, d.data) for d in batch if d.kind != "junk"]
        for d in batch:
            if d.kind == "junk":
                run.drop(d.name, d.data)
        figures["mixed"] = sustained(run, real)
    with Run(poll, args.quiet, args.grace, folder / "c") as run:
        ready, dropped = latencies(run, rosters(gen, args.latency, 10000), rng, args.gap)
    figures["ready"] = ready
    figures["dropped"] = dropped
    return figures


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rosters", type=int, default=80, help="valid rosters in the throughput burst")
    p.add_argument("--mixed", type=int, default=200, help="files in the mixed burst (plus a fifth as lock files)")
    p.add_argument("--latency", type=int, default=25, help="files dropped one at a time for latency")
    p.add_argument("--quiet", type=float, default=0.5, help="quiet period in seconds")
    p.add_argument("--poll", type=float, default=1.0, help="polling interval in seconds")
    p.add_argument("--gap", type=float, default=0.6, help="mean seconds between drops in the latency run")
    p.add_argument("--grace", type=float, default=1.0,
                   help="how long a file that looks half-copied is waited for (the mixed burst has some)")
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="docflow-bench-") as tmp:
        native = measure("native", 0.0, args, Path(tmp))
        polled = measure("polling", args.poll, args, Path(tmp))
    rows = [
        (f"files/s, {args.rosters} valid rosters ({native['documents']:g} documents each)", "{:.1f}", "rosters"),
        (f"files/s, mixed burst of {args.mixed} (+{args.mixed // 5} lock files)", "{:.1f}", "mixed"),
    ]
    head = f"{'':58}{'native events':>16}{f'polling {args.poll:g} s':>16}"
    print(f"docflow inbox bench — quiet {args.quiet:g} s, grace {args.grace:g} s, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}")
    print(head)
    print("-" * len(head))
    for label, fmt, key in rows:
        print(f"{label:58}{fmt.format(native[key]):>16}{fmt.format(polled[key]):>16}")
    for label, key in ((f"ready → documents in outbox, s ({args.latency} files)", "ready"),
                       ("dropped → documents in outbox, s (adds quiet + poll)", "dropped")):
        for name, q in (("median", 0.5), ("p95", 0.95)):
            print(f"{label + ' ' + name:58}{pct(native[key], q):>16.3f}{pct(polled[key], q):>16.3f}")
    print(f"(took {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
