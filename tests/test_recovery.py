"""A crash at any point of the road loses nothing and applies nothing twice: the next start finishes or
rolls back what was in flight (simulated here by an exception that escapes like a kill would)."""
from datetime import date

import pytest

from engine import Engine, road
from engine.clock import FixedClock
from engine.outcomes import Processed
from engine.store import SqliteStore
from engine.testing import applicant, write_roster


class Crash(BaseException):
    """Escapes every handler, as SIGKILL would stop the process."""


def reopen(ws, crash_at: str = "", store=None):
    """The engine of ``ws``; with ``crash_at``, one that is killed (as SIGKILL would) at that stage of the road."""
    def checkpoint(stage: str) -> None:
        if stage == crash_at:
            raise Crash()
    return Engine.open(ws, clock=FixedClock(date(2026, 11, 28)), store=store or SqliteStore(ws.database),
                       checkpoint=checkpoint)


def roster(tmp_path, ws):
    path = write_roster(ws.inbox / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    return path, path.read_bytes()


def test_crash_after_store_before_render_is_finished_at_start(ws, tmp_path):
    eng = reopen(ws, crash_at="stored")
    path, data = roster(tmp_path, ws)
    with pytest.raises(Crash):
        road.process_file(eng, path)
    assert not path.exists() and eng.store.journal_open_rows()
    eng2 = reopen(ws)
    done = road.recover(eng2)
    assert done and not eng2.store.journal_open_rows()
    assert sorted(p.name for p in ws.outbox.rglob("*.docx")) == [
        "00-发展党员全程纪实表.docx", "01-入党申请人基本情况登记表.docx", "02-入党申请人谈话记录.docx"]
    [kept] = list(ws.processed.rglob("名册.xlsx"))
    assert kept.read_bytes() == data
    assert len(eng2.store.events("2026-0001")) == 2  # applied once


def test_crash_after_claim_before_store_rolls_back(ws, tmp_path):
    eng = reopen(ws, crash_at="claimed")
    path, data = roster(tmp_path, ws)
    with pytest.raises(Crash):
        road.process_file(eng, path)
    assert not path.exists()
    eng2 = reopen(ws)
    road.recover(eng2)
    assert path.read_bytes() == data and not eng2.store.cases()
    out = road.process_file(eng2, path)
    assert isinstance(out, Processed) and len(eng2.store.events("2026-0001")) == 2


class StoreKilledAt(SqliteStore):
    """A store through which the engine is killed at one journal stage (between the rename and its record)."""

    def __init__(self, path, stage: str) -> None:
        super().__init__(path)
        self.kill_stage = stage

    def journal_set(self, journal_id, stage, work=None):
        if stage == self.kill_stage:
            raise Crash()
        return super().journal_set(journal_id, stage, work)


def test_crash_between_rename_and_journal_update(ws, tmp_path):
    eng = reopen(ws, store=StoreKilledAt(ws.database, "claimed"))
    path, data = roster(tmp_path, ws)
    with pytest.raises(Crash):
        road.process_file(eng, path)
    eng2 = reopen(ws)
    road.recover(eng2)
    assert path.read_bytes() == data and not any(ws.work.iterdir())


def test_crash_while_routing_does_not_duplicate_the_receipt(ws, tmp_path):
    eng = reopen(ws, crash_at="rendered")
    path, _ = roster(tmp_path, ws)
    with pytest.raises(Crash):
        road.process_file(eng, path)
    eng2 = reopen(ws)
    road.recover(eng2)
    assert len(list(ws.processed.rglob("名册*.xlsx"))) == 1
    assert len(list(ws.processed.rglob("*.回执.txt"))) == 1
    assert len(eng2.store.events("2026-0001")) == 2


def test_orphan_work_file_goes_back_to_the_inbox(ws):
    eng = reopen(ws)
    (ws.work / "00000099__遗留.xlsx").write_bytes(b"x")
    road.recover(eng)
    assert (ws.inbox / "遗留.xlsx").read_bytes() == b"x"
