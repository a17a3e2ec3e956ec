"""Several writers on one store (PostgreSQL shared by several machines, or anything else that writes between
this engine's planning and storing): a plan is stored only if what it rests on — the case's events, whether a
roster's people have cases — is as it was when it was made; otherwise the file is planned again on the store as
it is now, so no decision is taken on a stale case and no event is applied twice."""
from __future__ import annotations

from datetime import date

import pytest
from conftest import TODAY
from e2e import start, talk

import engine.road as road
from engine import Engine, Processed
from engine.clock import FixedClock
from engine.outcomes import Event, EventKind
from engine.testing import applicant, workspace, write_roster


def meanwhile(monkeypatch, action, times: int = 1) -> list[int]:
    """Run ``action(eng)`` right after the advance stage (as another machine would, between plan and store)."""
    calls = []
    real = road.advance_file

    def advance(eng, checked):
        plan = real(eng, checked)
        calls.append(1)
        if len(calls) <= times:
            with eng.store.transaction():
                action(eng)
        return plan
    monkeypatch.setattr(road, "advance_file", advance)
    return calls


@pytest.fixture(params=["sqlite", "postgres"])
def shared(request, tmp_path):
    store = None
    if request.param == "postgres":
        from engine.store.postgres import PostgresStore

        server = request.getfixturevalue("pg_server")
        store = PostgresStore(server.url, server.schema())
    e = Engine.open(workspace(tmp_path / "ws"), clock=FixedClock(TODAY), store=store)
    yield e
    e.store.close()


def test_a_case_changed_between_plan_and_store_is_planned_again(shared, tmp_path, monkeypatch):
    eng = shared
    start(eng, tmp_path)
    other = Event(EventKind.STEP_DONE, "talk", {"values": {"talk_date": "2026-01-18", "talker": "周三",
                                                            "talker_post": "组织委员", "summary": "另一台电脑先办了"}})
    calls = meanwhile(monkeypatch, lambda e: e.store.append("2026-0001", [other], at="2026-11-28T09:00:00",
                                                             sha256="x" * 64, file_name="别处.docx",
                                                             pack_version=e.pack.version))
    out = talk(eng, tmp_path, "2026-0001")
    assert isinstance(out, Processed) and len(calls) == 2          # planned twice: the first plan was stale
    kinds = [(ev.kind, ev.step) for _, ev in eng.store.events("2026-0001")]
    assert kinds.count((EventKind.STEP_DONE, "talk")) == 1          # the other machine's talk, once
    assert (EventKind.STEP_CORRECTED, "talk") in kinds               # ours, planned on the case as it is now
    assert "更正" in out.receipt


def test_a_person_given_a_case_meanwhile_is_not_given_a_second(shared, tmp_path, monkeypatch):
    """Two machines take in the same applicant at once: one case, not two (and no crash on the unique key)."""
    eng = shared
    person = applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)
    roster = write_roster(tmp_path / "申请人名册.xlsx", [person], title="入党申请人名册")
    start(eng, tmp_path / "elsewhere", people=[applicant("李四", date(1996, 3, 7), date(2026, 1, 6), seq=12)])
    key = person["公民身份号码"]

    def other_machine(e):                   # the same person taken in by the other machine, meanwhile
        case_id = e.store.new_case(2026, key, "张三", "第一党支部", e.pack.version, "2026-11-28T09:00:00")
        e.store.append(case_id, [Event(EventKind.CASE_CREATED, "", {"person": {}})], at="2026-11-28T09:00:00",
                       sha256="y" * 64, file_name="别处的名册.xlsx", pack_version=e.pack.version)

    calls = meanwhile(monkeypatch, other_machine)
    dst = eng.ws.inbox / roster.name
    dst.write_bytes(roster.read_bytes())
    out = road.process_file(eng, dst)
    assert len(calls) == 2                                   # the first plan would have made a second case
    assert [c.person_key for c in eng.store.cases()].count(key) == 1
    assert out.__class__.__name__ in ("Processed", "Rejected")
