"""kill -9: the watcher runs as its own process and is killed with SIGKILL at random moments — during
start-up and recovery, between files, in the middle of a file — and restarted, over and over, while files
keep arriving; then every dropped file is accounted for exactly once. A second phase sends the talk forms
of the cases created in the first, so that steps of existing cases are crashed through too.
Each restart also proves the workspace lock needs no clean-up after its holder was killed."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from inbox_batch import account, soak_enabled, wait_settled  # noqa: F401 (fixture)

from engine.testing import fill_docx, workspace
from engine.testing.batch import Dropped, make_batch, put, put_folder

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "tests" / "watch_driver.py"


class Fleet:
    """Starts and kills watcher processes on one workspace; keeps each one's output for failure messages."""

    def __init__(self, root: Path, logs: Path, seed: int) -> None:
        self.root, self.logs = root, logs
        logs.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.kills = 0
        self.started = 0

    def start(self, poll: float = 0.0) -> tuple[subprocess.Popen, Path]:
        cmd = [sys.executable, str(DRIVER), str(self.root), "--quiet", "0.2", "--grace", "1", "--rescan", "2"]
        if poll:
            cmd += ["--poll", str(poll)]
        self.started += 1
        log = self.logs / f"watcher-{self.started:03d}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                    env={**os.environ, "PYTHONPATH": str(REPO)})
        return proc, log

    def kill_cycles(self, n: int, drops: list) -> None:
        """n watchers, each killed after a random while; pending drops happen while one runs."""
        for i in range(n):
            proc, _ = self.start(poll=0.3 if i % 3 == 2 else 0.0)   # every third one polls
            time.sleep(self.rng.uniform(0.2, 1.6))
            if drops:
                drops.pop(0)()
                time.sleep(self.rng.uniform(0.0, 0.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert proc.returncode == -signal.SIGKILL, self.output()  # not refused by a stale lock, no crash
            self.kills += 1

    def settle(self, ws, batch: list[Dropped], timeout: float = 120.0) -> None:
        proc, log = self.start()
        try:
            deadline = time.monotonic() + 30
            while "正在监视" not in log.read_text(encoding="utf-8", errors="replace"):
                assert proc.poll() is None and time.monotonic() < deadline, self.output()
                time.sleep(0.05)
            assert wait_settled(ws, batch, timeout), self.output()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        assert proc.returncode == 0, (proc.returncode, self.output())

    def output(self) -> str:
        logs = sorted(self.logs.glob("watcher-*.log"))[-3:]
        return "\n".join(f"--- {p.name}\n" + p.read_text(encoding="utf-8", errors="replace")[-3000:] for p in logs)


def fast_workspace(tmp_path: Path):
    return workspace(tmp_path / "ws")


def dropping(ws, staging: Path, items: list[Dropped], chunks: int) -> list:
    """The batch cut into chunks, each a callable that drops it (folders at once, files by rename/copy)."""
    loose = [d for d in items if "/" not in d.name or d.kind == "junk"]
    folders: dict[str, list[Dropped]] = {}
    for d in items:
        if "/" in d.name and d.kind != "junk":
            folders.setdefault(d.name.split("/")[0], []).append(d)
    size = max(1, len(loose) // chunks)
    out = []
    for i in range(0, len(loose), size):
        part = loose[i:i + size]
        out.append(lambda part=part: [put(ws.inbox, d, staging, "copy" if n % 4 == 0 else "rename")
                                      for n, d in enumerate(part)])
    for items_ in folders.values():
        out.insert(len(out) // 2, lambda items_=items_: put_folder(ws.inbox, staging, items_))
    return out


def talk_forms(ws, staging: Path, count: int) -> list[Dropped]:
    out = []
    for case_dir in sorted(p for p in ws.outbox.glob("*/*") if p.is_dir())[:count]:
        case_id = "-".join(case_dir.name.split("-")[:2])
        src = next(case_dir.glob("02-*.docx"))
        path = fill_docx(src, staging / f"谈话记录-{case_id}.docx",
                         {"talk_date": "2026-01-20", "talker": "王五", "talker_post": "支部书记",
                          "summary": f"谈入党动机（{case_id}）"})
        out.append(Dropped(path.name, path.read_bytes(), "talk", case=case_id))
    return out


def run_crash_test(tmp_path: Path, kills_1: int, kills_2: int, seed: int, sizes: dict) -> int:
    ws = fast_workspace(tmp_path)
    staging = tmp_path / "staging"
    fleet = Fleet(ws.root, tmp_path / "watchers", seed)
    batch = make_batch(staging, seed=seed, **sizes)
    drops = dropping(ws, staging, batch, chunks=kills_1 // 2)
    drops.pop(0)()                                  # some files are there before the first start
    fleet.kill_cycles(kills_1, drops)
    while drops:
        drops.pop(0)()
    fleet.settle(ws, batch)
    account(ws, batch)

    talks = talk_forms(ws, staging, count=12)
    copies = [Dropped(f"副本-{t.name}", t.data, "duplicate") for t in talks[:4]]
    second = talks + copies
    batch += second
    drops = dropping(ws, staging, second, chunks=max(2, kills_2 // 2))
    fleet.kill_cycles(kills_2, drops)
    while drops:
        drops.pop(0)()
    fleet.settle(ws, batch)
    account(ws, batch, talk_cases={t.case: t.sha for t in talks})
    return fleet.kills


SIZES = {"valid": 36, "member": 20, "invalid": 24, "duplicate": 30, "junk": 10, "in_folder": 12}


def test_watcher_killed_at_random_moments_loses_nothing_and_applies_nothing_twice(tmp_path):
    kills = run_crash_test(tmp_path, kills_1=14, kills_2=8, seed=7, sizes=SIZES)
    assert kills >= 20


@pytest.mark.soak
@pytest.mark.usefixtures("soak_enabled")
def test_soak_a_hundred_kills(tmp_path):
    sizes = {"valid": 120, "member": 60, "invalid": 80, "duplicate": 100, "junk": 30, "in_folder": 40}
    kills = run_crash_test(tmp_path, kills_1=70, kills_2=30, seed=11, sizes=sizes)
    assert kills >= 100
