"""A crash at any point of the road loses nothing and applies nothing twice: the next start finishes or
rolls back what was in flight (simulated here by an exception that escapes like a kill would)."""
from datetime import date

import pytest

from engine import Engine
from engine import road
from engine.clock import FixedClock
from engine.outcomes import Processed
from engine.store import Store
from factory import applicant, write_roster


class Crash(BaseException):
    """Escapes every handler, as SIGKILL would stop the process."""


def reopen(ws):
    return Engine.open(ws, clock=FixedClock(date(2026, 11, 28)), store=Store(ws.database))


def roster(tmp_path, ws):
    path = write_roster(ws.inbox / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    return path, path.read_bytes()


def crash_at(monkeypatch, target, attr):
    def boom(*a, **k):
        raise Crash()
    monkeypatch.setattr(target, attr, boom)


def test_crash_after_store_before_render_is_finished_at_start(ws, tmp_path, monkeypatch):
    eng = reopen(ws)
    path, data = roster(tmp_path, ws)
    crash_at(monkeypatch, road, "_render_due")
    with pytest.raises(Crash):
        road.process_file(eng, path)
    monkeypatch.undo()
    assert not path.exists() and eng.store.journal_open_rows()
    eng2 = reopen(ws)
    done = road.recover(eng2)
    assert done and not eng2.store.journal_open_rows()
    assert len(list(ws.outbox.rglob("*.docx"))) == 2
    [kept] = list(ws.processed.rglob("名册.xlsx"))
    assert kept.read_bytes() == data
    assert len(eng2.store.events("2026-0001")) == 2  # applied once


def test_crash_after_claim_before_store_rolls_back(ws, tmp_path, monkeypatch):
    eng = reopen(ws)
    path, data = roster(tmp_path, ws)
    crash_at(monkeypatch, road, "_decide")
    with pytest.raises(Crash):
        road.process_file(eng, path)
    monkeypatch.undo()
    assert not path.exists()
    eng2 = reopen(ws)
    road.recover(eng2)
    assert path.read_bytes() == data and not eng2.store.cases()
    out = road.process_file(eng2, path)
    assert isinstance(out, Processed) and len(eng2.store.events("2026-0001")) == 2


def test_crash_between_rename_and_journal_update(ws, tmp_path, monkeypatch):
    eng = reopen(ws)
    path, data = roster(tmp_path, ws)
    real = eng.store.journal_set

    def journal_set(jid, stage, work=None):
        if stage == "claimed":
            raise Crash()
        return real(jid, stage, work)

    monkeypatch.setattr(eng.store, "journal_set", journal_set)
    with pytest.raises(Crash):
        road.process_file(eng, path)
    eng2 = reopen(ws)
    road.recover(eng2)
    assert path.read_bytes() == data and not any(ws.work.iterdir())


def test_crash_while_routing_does_not_duplicate_the_receipt(ws, tmp_path, monkeypatch):
    eng = reopen(ws)
    path, _ = roster(tmp_path, ws)
    crash_at(monkeypatch, road, "route")
    with pytest.raises(Crash):
        road.process_file(eng, path)
    monkeypatch.undo()
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
