"""Claims and work items held by processes: a claim whose holder died is taken over — at once when the holder was a
process of this machine that is gone, after the lease when it was another machine that stopped beating — never while
the holder is alive, and by one taker only; a process taken for dead that comes back stores nothing (fenced). Also
the department's reports across tenants (``report … --all``): every committee's cases, each person counted once."""
from __future__ import annotations

from datetime import date

import pytest
from conftest import TODAY

from engine import Engine, road
from engine.clock import FixedClock
from engine.inbox.claim import claim
from engine.outcomes import NotReady, Processed
from engine.store import SqliteStore
from engine.testing import applicant, workspace, write_roster
from engine.work.holder import this_process


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request, tmp_path):
    opened = []

    def make(ws, schema=None):
        if request.param == "sqlite":
            s = SqliteStore(ws.database)
        else:
            from engine.store.postgres import PostgresStore

            server = request.getfixturevalue("pg_server")
            s = PostgresStore(server.url, schema or server.schema())
        opened.append(s)
        return s
    yield make
    for s in opened:
        s.close()


def engine(ws, store):
    return Engine.open(ws, clock=FixedClock(TODAY), store=store)


def roster(ws, name="名册.xlsx", who="张三"):
    return write_roster(ws.inbox / name, [applicant(who, date(1995, 3, 7), date(2026, 1, 5))],
                        title="入党申请人名册")


def held_by(eng, path, holder: str, host: str, pid: int, age: float = 0.0):
    """``path`` claimed by another process (host, pid), which last beat ``age`` seconds ago."""
    with eng.store.transaction():
        eng.store.holder_beat(holder, host, pid, "watch", "2026-12-01T09:00:00")
    if age:
        eng.store.db.execute("UPDATE holders SET beat = beat - ? WHERE id = ?", (age, holder))
    claimed = claim(eng.ws, eng.store, path, eng.stamp(), holder=holder)
    assert not isinstance(claimed, NotReady)
    return claimed


def test_a_claim_of_a_process_gone_from_this_machine_is_taken_over_at_once(tmp_path, make_store):
    ws = workspace(tmp_path / "ws")
    eng = engine(ws, make_store(ws))
    path = roster(ws)
    me = this_process()
    held_by(eng, path, f"{me.host}:4194999:dead", me.host, 4194999)       # no such pid here
    assert not path.exists()
    assert any("放回" in line for line in road.recover(eng))
    assert path.exists() and eng.store.journal_open_rows() == []
    assert isinstance(road.process_file(eng, path), Processed)


def test_a_claim_of_another_machine_is_left_while_it_beats_and_taken_when_its_lease_ran_out(tmp_path, make_store):
    ws = workspace(tmp_path / "ws")
    eng = engine(ws, make_store(ws))
    path = roster(ws)
    held_by(eng, path, "pc2:77:x", "pc2", 77, age=3.0)                    # beat 3 s ago: alive
    assert road.recover(eng) == [] and not path.exists()
    out = road.process_file(eng, ws.inbox / "名册.xlsx")
    assert isinstance(out, NotReady)                                        # its work folder has it
    eng.store.db.execute("UPDATE holders SET beat = beat - ? WHERE id = 'pc2:77:x'", (eng.lease + 1,))
    assert any("放回" in line for line in road.recover(eng))              # silent longer than the lease
    assert path.exists() and isinstance(road.process_file(eng, path), Processed)


def test_the_same_file_cannot_be_claimed_twice(tmp_path, make_store):
    ws = workspace(tmp_path / "ws")
    eng = engine(ws, make_store(ws))
    path = roster(ws)
    with eng.store.transaction():
        eng.store.journal_open("名册.xlsx", eng.stamp(), "pc2:77:x")          # another process's claim row
        eng.store.holder_beat("pc2:77:x", "pc2", 77, "watch", "t")
    out = road.process_file(eng, path)
    assert isinstance(out, NotReady) and "另一个 docflow 进程" in out.why and path.exists()


def test_a_process_taken_for_dead_stores_nothing_and_the_taker_finishes(tmp_path, make_store):
    ws = workspace(tmp_path / "ws")
    store = make_store(ws)
    taken = {}

    def checkpoint(stage):
        if stage == "claimed" and not taken:     # while this one reads, another takes its claim over
            [row] = store.journal_open_rows()
            with store.transaction():
                taken["ok"] = store.journal_take(row.id, "pc2:77:x", row.holder)
    eng = Engine.open(ws, clock=FixedClock(TODAY), store=store, checkpoint=checkpoint)
    path = roster(ws)
    out = road.process_file(eng, path)
    assert taken["ok"] and isinstance(out, NotReady) and "接手" in out.why
    assert store.files() == [] and store.cases() == []                    # nothing of it stored here
    assert any("放回" in line for line in road.recover(eng))              # pc2 never beat: dead, taken back
    assert isinstance(road.process_file(eng, path), Processed) and len(store.cases()) == 1


def test_reports_across_committees_count_each_person_once(tmp_path, pg_server):
    from engine.report.across import inputs_all
    from engine.report.build import report
    from engine.store.postgres import PostgresStore

    url = pg_server.database()               # this department's server: its tenants only
    engines = []
    for k, (org, people) in enumerate((("一号学区党委", ["张三", "李四"]), ("二号学区党委", ["王五", "张三"]))):
        ws = workspace(tmp_path / f"ws{k}", org=org)
        eng = Engine.open(ws, clock=FixedClock(TODAY), store=PostgresStore(url, f"tenant_{k}"))
        rows = [applicant(n, date(1990 + i, 3, 7), date(2026, 1, 5 + k), seq=100 + 50 * k + i)
                for i, n in enumerate(people)]
        if k == 1:
            rows[1] = applicant("张三", date(1990, 3, 7), date(2026, 3, 1), seq=100)   # moved here: the same ID
        assert isinstance(road.process_file(eng, write_roster(ws.inbox / "名册.xlsx", rows,
                                                              title="入党申请人名册")), Processed)
        engines.append(eng)
    dept = Engine.open(workspace(tmp_path / "dept", org="某县委组织部"), clock=FixedClock(TODAY),
                       store=PostgresStore(url, "department"))
    inp = inputs_all(dept)
    assert sorted(p.name for p in inp.people) == ["张三", "李四", "王五"]       # 张三 once
    assert inp.branches == ["一号学区党委", "二号学区党委"]
    assert {p.name: p.branch for p in inp.people}["张三"] == "二号学区党委"    # where the case went on last
    paths = report(dept, "statistics", TODAY.year, across=True)
    assert paths and all(p.parent.name == "汇总" and p.exists() for p in paths)
    assert [r.branch for r in dept.store.reports_made()] == ["*"]
    for e in [*engines, dept]:
        e.store.close()


def test_docflow_work_elsewhere_takes_a_regeneration_batch(tmp_path, pg_server):
    """A batch put on the render queue is rendered by a ``docflow work`` process (as on another machine): every
    document again, byte for byte, each logged once under that process."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from engine.regenerate import planned
    from engine.store.postgres import PostgresStore
    from engine.workspace import load_workspace

    ws = workspace(tmp_path / "ws")
    schema = pg_server.schema()
    with open(ws.root / "docflow.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[store]\nurl = "{pg_server.url}"\nschema = "{schema}"\n')
    ws = load_workspace(ws.root)
    eng = Engine.open(ws, clock=FixedClock(TODAY), store=PostgresStore(pg_server.url, schema))
    people = [applicant(n, date(1990 + i, 3, 7), date(2026, 1, 5), seq=300 + i) for i, n in enumerate("赵钱孙")]
    assert isinstance(road.process_file(eng, write_roster(ws.inbox / "名册.xlsx", people, title="入党申请人名册")),
                      Processed)
    jobs = planned(eng)
    before = {p.relative_to(ws.outbox): p.read_bytes() for p in ws.outbox.glob("*/*/*")}
    assert len(before) == len(jobs) >= 15
    for folder in [p for p in ws.outbox.iterdir() if p.is_dir()]:
        shutil.rmtree(folder)
    with eng.store.transaction(exclusive=False):
        eng.store.queue_batch("regenerate-test", "regenerate", jobs)
    done = subprocess.run([sys.executable, "-m", "engine.cli", "work", "--once", "-w", str(ws.root)],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"共生成 {len(jobs)} 份" in done.stdout
    assert {p.relative_to(ws.outbox): p.read_bytes() for p in ws.outbox.glob("*/*/*")} == before
    assert eng.store.queue_left("regenerate-test") == 0
    log = [r for r in eng.store.render_log() if r["batch"] == "regenerate-test"]
    assert len(log) == len(jobs) and len({r["holder"] for r in log}) == 1
    assert log[0]["holder"] != eng.holder.id and all(r["status"] == "written" for r in log)
    eng.store.close()


def test_a_command_leaves_no_record_of_itself_and_forgets_holders_gone_for_a_day(tmp_path):
    from engine.cli import main

    ws = workspace(tmp_path / "ws")
    store = SqliteStore(ws.database)
    with store.transaction():
        store.holder_beat("pc2:1:old", "pc2", 1, "watch", "2026-11-01T09:00:00")
        store.holder_beat("pc3:1:new", "pc3", 1, "watch", "2026-12-01T09:00:00")
    store.db.execute("UPDATE holders SET beat = beat - 90000 WHERE id = 'pc2:1:old'")
    assert main(["due", "-w", str(ws.root)]) == 0
    assert [h.id for h in store.holders()] == ["pc3:1:new"]      # its own row gone with it, the old one forgotten
    store.close()
