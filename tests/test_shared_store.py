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


def test_a_copy_processed_meanwhile_makes_this_one_a_duplicate(shared, tmp_path, monkeypatch):
    """The same file in two inboxes (or twice in one), taken by two machines at once: the one that stores second
    is a duplicate of the first, not a second case and not a refusal."""
    import hashlib

    from engine.outcomes import Duplicate

    eng = shared
    start(eng, tmp_path / "elsewhere")
    roster = write_roster(tmp_path / "名册.xlsx", [applicant("王五", date(1994, 3, 7), date(2026, 1, 5), seq=13)],
                          title="入党申请人名册")
    sha = hashlib.sha256(roster.read_bytes()).hexdigest()

    def other_machine(e):                   # the other machine stored its copy between our plan and our store
        e.store.record_file(sha, "副本-名册.xlsx", "processed", {"receipt": "r"}, [], None, "2026-11-28T09:00:00")
    calls = meanwhile(monkeypatch, other_machine)
    dst = eng.ws.inbox / roster.name
    dst.write_bytes(roster.read_bytes())
    before = len(eng.store.cases())
    out = road.process_file(eng, dst)
    assert isinstance(out, Duplicate) and len(calls) == 1 and "副本-名册.xlsx" in out.receipt   # not planned again
    assert len(eng.store.cases()) == before                          # no case from our plan


def test_a_server_that_goes_away_loses_nothing_and_the_work_goes_on_when_it_is_back(tmp_path):
    """The PostgreSQL server stops mid-batch: the file in hand is neither refused nor lost (it stays in the
    inbox, or is finished by the recovery), the engine goes on once the server is back — every file exactly
    once."""
    from inbox_batch import account

    from engine.errors import StoreUnavailable
    from engine.store.postgres import PostgresStore
    from engine.testing.batch import Dropped
    from engine.testing.pgserver import Server

    server = Server()
    if server.url:                         # a server given from outside cannot be stopped by the test
        pytest.skip("DOCFLOW_TEST_DATABASE_URL 指定的服务器不能被测试停止")
    server.start()
    if not server.url:
        pytest.skip(server.reason)
    try:
        ws = workspace(tmp_path / "ws")
        eng = Engine.open(ws, clock=FixedClock(TODAY), store=PostgresStore(server.url, "outage"))
        people = [applicant(f"同志{i}", date(1990 + i, 3, 7), date(2026, 1, 5), seq=20 + i) for i in range(3)]
        files = [write_roster(tmp_path / "staging" / f"名册{i}.xlsx", [p], title="入党申请人名册")
                 for i, p in enumerate(people)]
        batch = [Dropped(f.name, f.read_bytes(), "valid", person=p["公民身份号码"])
                 for f, p in zip(files, people, strict=True)]
        first = ws.inbox / files[0].name
        first.write_bytes(files[0].read_bytes())
        assert isinstance(road.process_file(eng, first), Processed)
        server.pause()
        second = ws.inbox / files[1].name
        second.write_bytes(files[1].read_bytes())
        with pytest.raises(StoreUnavailable) as exc:
            road.process_file(eng, second)
        assert "稍后自动重试" in exc.value.message
        assert second.exists() and not list(ws.rejected.rglob("*.xlsx"))      # kept, never refused for it
        server.resume()
        (ws.inbox / files[2].name).write_bytes(files[2].read_bytes())
        road.recover(eng)
        road.process_inbox(eng)
        account(ws, batch, db=eng.store.db)
        eng.store.close()
    finally:
        server.stop()


def test_watch_waits_for_a_server_that_is_down_and_then_works(tmp_path):
    """docflow watch started while the PostgreSQL server is down: it says so and tries again; a file dropped
    meanwhile waits in the inbox and is processed once the server answers."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from engine.testing.pgserver import Server

    server = Server()
    if server.url:
        pytest.skip("DOCFLOW_TEST_DATABASE_URL 指定的服务器不能被测试停止")
    server.start()
    if not server.url:
        pytest.skip(server.reason)
    ws = workspace(tmp_path / "ws")
    with open(ws.root / "docflow.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[store]\nschema = "waits"\n')
    env = dict(os.environ, DOCFLOW_DATABASE_URL=server.url, DOCFLOW_SERVER_WAIT_SECONDS="0.5",
               PYTHONUNBUFFERED="1")
    server.pause()
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "watch", "-w", str(ws.root), "--poll", "0.3"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        seen = []
        deadline = time.monotonic() + 60
        while not any("再试" in line for line in seen) and time.monotonic() < deadline:
            seen.append(proc.stdout.readline())
        assert any("数据库服务器" in line and "再试" in line for line in seen), seen
        roster = write_roster(tmp_path / "申请人名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))],
                              title="入党申请人名册")
        (ws.inbox / roster.name).write_bytes(roster.read_bytes())
        time.sleep(1.5)
        assert (ws.inbox / roster.name).exists()          # waits in the inbox while the server is down
        server.resume()
        deadline = time.monotonic() + 90
        while not list(ws.processed.rglob("申请人名册*.xlsx")) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert list(ws.processed.rglob("申请人名册*.xlsx")), "not processed after the server came back"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            server.stop()
