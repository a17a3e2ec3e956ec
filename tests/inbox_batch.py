"""Batches of files dropped into an inbox, and the accounting that proves each was handled exactly once.

A batch mixes valid applicant rosters (each a new case and its documents), member rosters (cheap, no
document), invalid files (not office, text, an under-age roster refused with a marked copy), byte-identical
copies of valid files (must be reported as duplicates, never applied), junk (lock and temporary files: must
stay in the inbox untouched), and a folder of files. ``account`` checks the end state of a workspace against it.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from engine.testing.batch import Dropped

RECEIPT_MARKS = (".回执.txt", ".退回说明.txt", ".已标注问题.xlsx", ".已标注问题.说明.txt")


@pytest.fixture
def soak_enabled(request):
    """Soak tests run only when asked: ``pytest -m soak`` (or DOCFLOW_SOAK=1); the default run skips them."""
    if "soak" not in (request.config.option.markexpr or "") and not os.environ.get("DOCFLOW_SOAK"):
        pytest.skip("soak test: run with `pytest -m soak` (or DOCFLOW_SOAK=1)")


# ---------------------------------------------------------------- accounting
def counts(db: Path) -> tuple[int, int]:
    """(files rows, open journal rows), read without disturbing a running engine."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return (con.execute("SELECT count(*) FROM files").fetchone()[0],
                con.execute("SELECT count(*) FROM journal").fetchone()[0])
    finally:
        con.close()


def settled(ws, batch: list[Dropped], db=None) -> bool:
    """Every file of ``batch`` recorded and nothing in flight. ``db``: a connection to the store when it is not the
    workspace's SQLite file (``PostgresStore.db``)."""
    if db is None and not ws.database.exists():
        return False
    try:
        if db is None:
            files, open_rows = counts(ws.database)
        else:
            files, open_rows = (db.execute("SELECT count(*) FROM files").fetchone()[0],
                                db.execute("SELECT count(*) FROM journal").fetchone()[0])
    except sqlite3.Error:
        return False
    return files >= sum(d.kind != "junk" for d in batch) and open_rows == 0


def wait_settled(ws, batch: list[Dropped], timeout: float, db=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if settled(ws, batch, db):
            return True
        time.sleep(0.2)
    return settled(ws, batch, db)


def originals(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(RECEIPT_MARKS)]


def account(ws, batch: list[Dropped], talk_cases: dict[str, str] | None = None, db=None) -> dict[str, int]:
    """Assert that every dropped file was handled exactly once. ``talk_cases``: case id -> talk form sha.
    ``db``: the store's connection when it is not the workspace's SQLite file (e.g. ``PostgresStore.db``)."""
    real = [d for d in batch if d.kind != "junk"]
    # 1. every file in exactly one place, byte for byte; nothing left in the inbox or in flight
    placed = Counter(p.name for p in originals(ws.processed) + originals(ws.rejected))
    by_name = {p.name: p for p in originals(ws.processed) + originals(ws.rejected)}
    problems = [f"{d.name}: {placed[d.base]} copies" for d in real if placed[d.base] != 1]
    assert not problems, problems[:20]
    assert sum(placed.values()) == len(real), set(placed) - {d.base for d in real}
    assert all(by_name[d.base].read_bytes() == d.data for d in real)
    in_processed = {p.name for p in originals(ws.processed)}
    left = sorted(p.relative_to(ws.inbox).as_posix() for p in ws.inbox.rglob("*") if p.is_file())
    assert left == sorted(d.name for d in batch if d.kind == "junk"), left[:20]
    for d in batch:
        if d.kind == "junk":
            assert (ws.inbox / d.name).read_bytes() == d.data
    assert not [p for p in ws.work.rglob("*") if p.is_file()]
    # a write still in flight (the ledger rewritten after the last file) has its temporary for a moment: a leak stays
    deadline = time.monotonic() + 10
    while (temporaries := [p.relative_to(ws.root).as_posix() for p in ws.root.rglob(".~docflow-*")]) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not temporaries, f"half-written temporary files left: {temporaries[:10]}"

    con = db if db is not None else sqlite3.connect(ws.database)
    try:
        assert con.execute("SELECT count(*) FROM journal").fetchone()[0] == 0
        rows = con.execute("SELECT name, outcome, sha256 FROM files").fetchall()
        # 2. one files row per dropped file, with the right outcome; one 'processed' per distinct content
        names = Counter(r[0] for r in rows)
        assert all(names[d.base] == 1 for d in real), [d.base for d in real if names[d.base] != 1][:20]
        assert len(rows) == len(real)
        outcome = {r[0]: r[1] for r in rows}
        for d in real:
            if d.kind == "invalid":
                assert outcome[d.base] == "rejected", d.name
                assert d.base not in in_processed
            else:
                assert outcome[d.base] in ("processed", "duplicate"), (d.name, outcome[d.base])
        per_sha = defaultdict(Counter)
        for _name, out, sha in rows:
            per_sha[sha][out] += 1
        for d in real:
            if d.kind != "invalid":
                assert per_sha[d.sha]["processed"] == 1, (d.name, per_sha[d.sha])
        # 3. each case's events exactly once
        persons = {d.person for d in real if d.kind == "valid"}
        cases = dict(con.execute("SELECT person_key, case_id FROM cases").fetchall())
        assert set(cases) == persons, (len(cases), len(persons))
        talk_cases = talk_cases or {}
        for _person, case_id in cases.items():
            events = con.execute("SELECT kind, step, file_sha256 FROM events WHERE case_id=? ORDER BY id",
                                 (case_id,)).fetchall()
            expected = [("case_created", ""), ("step_done", "application")]
            if case_id in talk_cases:
                expected.append(("step_done", "talk"))
            assert [(k, s) for k, s, _ in events] == expected, (case_id, events)
            if case_id in talk_cases:
                assert events[-1][2] == talk_cases[case_id]
    finally:
        if db is None:
            con.close()
    return dict(Counter(outcome.values()))
