"""A kill between *every* pair of filesystem and database operations of a batch, and again during the
recovery that follows: afterwards each file is either unclaimed (still in the inbox, nothing recorded) or
fully handled (recorded, in its place, documents rendered) — and after processing the rest, exactly once.

The crash is an exception that escapes every handler, raised right after the n-th operation (a rename, a
link, an unlink, a temporary file created, a committed transaction): the states a SIGKILL can leave."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date

import pytest
from conftest import TODAY
from inbox_batch import account, originals

from engine import Engine
from engine.clock import FixedClock
from engine.road import process_inbox, recover
from engine.store import SqliteStore
from engine.testing import applicant, member_roster, workspace, write_roster
from engine.testing.batch import Dropped


class Crash(BaseException):
    """Escapes every handler, as SIGKILL stops the process."""


class Faults:
    def __init__(self, crash_after: int | None = None) -> None:
        self.n, self.crash_after, self.ops = 0, crash_after, []

    def hit(self, what: str) -> None:
        self.n += 1
        self.ops.append(what)
        if self.n == self.crash_after:
            raise Crash(f"#{self.n} {what}")


@contextmanager
def operations_counted(monkeypatch, faults: Faults):
    """Count (and crash after) the operating system's renames, links, unlinks and temporary files."""
    with monkeypatch.context() as m:
        for name in ("replace", "rename", "link", "unlink"):
            real = getattr(os, name)

            def wrapped(*a, _real=real, _name=name, **k):
                result = _real(*a, **k)
                faults.hit(f"{_name} {os.path.basename(str(a[-1] if _name != 'unlink' else a[0]))}")
                return result
            m.setattr(os, name, wrapped)
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*a, **k):
            result = real_mkstemp(*a, **k)
            faults.hit("mkstemp")
            return result
        m.setattr(tempfile, "mkstemp", mkstemp)
        yield


def counted(base: type) -> type:
    """``base`` (a store class) whose committed transactions count (and crash) as operations too."""

    class CountedStore(base):   # type: ignore[misc, valid-type]
        def __init__(self, *args, faults: Faults) -> None:
            self.faults = None            # opening (and migrating) the database is not part of the batch
            super().__init__(*args)
            self.faults = faults

        @contextmanager
        def transaction(self, exclusive=True):
            with super().transaction(exclusive):
                yield
            if self.faults:
                self.faults.hit("commit")

    return CountedStore


class Backend:
    """Where a workspace's store is: its SQLite file, or a schema of its own on the test server."""

    def __init__(self, server=None) -> None:
        self.server, self.schemas = server, {}

    def args(self, ws) -> tuple:
        if self.server is None:
            return (ws.database,)
        return (self.server.url, self.schemas.setdefault(ws.root, self.server.schema()))

    def store(self, ws, faults: Faults | None = None):
        from engine.store.postgres import PostgresStore

        base = SqliteStore if self.server is None else PostgresStore
        return counted(base)(*self.args(ws), faults=faults) if faults else base(*self.args(ws))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> Backend:
    return Backend(request.getfixturevalue("pg_server") if request.param == "postgres" else None)


def scenario(tmp_path, k: int):
    """A workspace whose inbox holds one of each kind of file."""
    ws = workspace(tmp_path / f"ws{k}")
    staging = tmp_path / f"staging{k}"
    roster = write_roster(staging / "申请人名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))],
                          title="入党申请人名册")
    members = member_roster(staging / "党员名册.xlsx", [("刘一", "第一党支部", "正式党员")])
    young = write_roster(staging / "未成年名册.xlsx", [applicant("李四", date(2012, 3, 7), date(2026, 1, 5), seq=5)])
    batch = [Dropped("申请人名册.xlsx", roster.read_bytes(), "valid",
                     person=applicant("张三", date(1995, 3, 7), date(2026, 1, 5))["公民身份号码"]),
             Dropped("党员名册.xlsx", members.read_bytes(), "member"),
             Dropped("未成年名册.xlsx", young.read_bytes(), "invalid"),
             Dropped("说明.txt", "随手放进来的说明".encode(), "invalid"),
             Dropped("材料/副本-申请人名册.xlsx", roster.read_bytes(), "duplicate"),
             Dropped("~$申请人名册.xlsx", b"lock", "junk")]
    for d in batch:
        (ws.inbox / d.name).parent.mkdir(parents=True, exist_ok=True)
        (ws.inbox / d.name).write_bytes(d.data)
    return ws, batch


def engine(backend: Backend, ws, faults: Faults | None = None) -> Engine:
    return Engine.open(ws, clock=FixedClock(TODAY), store=backend.store(ws, faults))


def assert_unclaimed_or_handled(backend: Backend, ws, batch: list[Dropped]) -> None:
    """The promise after any crash and a recovery: nothing half-done, nothing in between."""
    store = backend.store(ws)
    try:
        assert store.journal_open_rows() == []
        recorded = {row.name: row for row in store.files(limit=1000)}
    finally:
        store.close()
    placed = {p.name: p for p in originals(ws.processed) + originals(ws.rejected)}
    assert not [p for p in ws.work.rglob("*") if p.is_file()]
    for d in batch:
        if d.kind == "junk":
            continue
        in_inbox = (ws.inbox / d.name).exists()
        if d.base in recorded:
            assert not in_inbox and placed[d.base].read_bytes() == d.data, d.name
        else:
            assert in_inbox and (ws.inbox / d.name).read_bytes() == d.data and d.base not in placed, d.name


def test_a_kill_between_any_two_operations_leaves_each_file_unclaimed_or_handled(tmp_path, monkeypatch, backend):
    ws, batch = scenario(tmp_path, 0)
    dry = Faults()
    with operations_counted(monkeypatch, dry):
        eng = engine(backend, ws, dry)
        process_inbox(eng)
    account(ws, batch, db=eng.store.db if backend.server else None)
    eng.store.close()
    total = dry.n
    assert total >= 40, dry.ops          # every file goes through several renames and commits
    for k in range(1, total + 1):
        ws, batch = scenario(tmp_path, k)
        faults = Faults(crash_after=k)
        eng = engine(backend, ws, faults)
        with operations_counted(monkeypatch, faults), pytest.raises(Crash):
            process_inbox(eng)
        eng.store.close()
        # the next start crashes too, somewhere in its recovery, then a third start recovers
        faults = Faults(crash_after=1 + k % 4)
        eng = engine(backend, ws, faults)
        with operations_counted(monkeypatch, faults):
            try:
                recover(eng)
            except Crash:
                pass
        eng.store.close()
        eng = engine(backend, ws)
        recover(eng)
        assert_unclaimed_or_handled(backend, ws, batch)
        process_inbox(eng)
        account(ws, batch, db=eng.store.db if backend.server else None)
        eng.store.close()
        shutil.rmtree(ws.root)
