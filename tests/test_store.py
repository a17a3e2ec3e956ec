"""The store's contract, run against every backend (SQLite in a file, SQLite in memory, the in-memory store):
what each job's interface promises, one transaction being all or nothing, case numbers past 9,999. Then the
schema: a database made by the previous release (tests/data/release-0.3) is migrated on opening, copied aside
first, and its cases go on; a database from a later release is refused; the road runs on the in-memory store
with the same result as on SQLite."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY
from e2e import activist, case_dir, start, talk

from engine import Engine, Processed, process_file
from engine.clock import FixedClock
from engine.errors import WorkspaceError
from engine.outcomes import Event, EventKind, JournalStage, Member
from engine.status import report
from engine.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    CaseRecord,
    CaseView,
    DueDocument,
    DueLine,
    DueRow,
    MemoryStore,
    SqliteStore,
    Store,
)
from engine.testing import fill_docx, workspace
from engine.workspace import load_workspace

RELEASE_03 = Path(__file__).parent / "data" / "release-0.3"


@pytest.fixture(params=["sqlite", "sqlite-memory", "memory", "postgres"])
def store(request, tmp_path):
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    s: Store = {"sqlite": lambda: SqliteStore(tmp_path / "t.db"), "sqlite-memory": lambda: SqliteStore(":memory:"),
                "memory": MemoryStore}[request.param]()
    yield s
    s.close()


def add_case(store: Store, key: str, year: int = 2026, branch: str = "第一党支部") -> str:
    return store.new_case(year, key, f"名{key}", branch, "party@1", "2026-11-28T09:00:00")


# ---------------------------------------------------------------- event log
def test_cases_are_numbered_per_year_in_order(store):
    with store.transaction():
        ids = [add_case(store, "a"), add_case(store, "b"), add_case(store, "c", 2025), add_case(store, "d")]
    assert ids == ["2026-0001", "2026-0002", "2025-0001", "2026-0003"]
    assert [c.case_id for c in store.cases()] == ["2025-0001", "2026-0001", "2026-0002", "2026-0003"]
    assert store.case_by_key("b").case_id == "2026-0002" and store.case("2025-0001").person_key == "c"
    assert store.case_by_key("zz") is None and store.case("2026-0009") is None


def test_events_keep_their_submitter_and_are_listed_since_a_time(store):
    with store.transaction():
        cid = add_case(store, "a")
        store.append(cid, [Event(EventKind.CASE_CREATED, "", {})], at="2026-11-28T09:00:00", sha256="s1",
                     file_name="名册.xlsx", pack_version="party@1", submitter='{"owner": "wang"}')
        store.append(cid, [Event(EventKind.STEP_DONE, "talk", {})], at="2026-11-29T09:00:00", sha256="s2",
                     file_name="谈话.docx", pack_version="party@1")
    assert [a["submitter"] for a in store.audit(cid)] == ['{"owner": "wang"}', ""]
    assert [a["case_id"] for a in store.audit(cid)] == [cid, cid]
    assert [a["file"] for a in store.audit_since("2026-11-29")] == ["谈话.docx"]
    assert len(store.audit_since()) == 2


def test_the_event_log_comes_in_one_read_case_by_case_in_order(store):
    with store.transaction():
        b, a = add_case(store, "b"), add_case(store, "a")
        for cid, step in ((a, "x"), (b, "y"), (a, "z")):
            store.append(cid, [Event(EventKind.STEP_DONE, step, {"v": step})], at="2026-11-28T09:00:00", sha256=step,
                         file_name=f"{step}.xlsx", pack_version="party@1")
    log = list(store.event_log())
    assert b < a and [(row["case_id"], ev.step, ev.data) for row, ev in log] == [
        (b, "y", {"v": "y"}), (a, "x", {"v": "x"}), (a, "z", {"v": "z"})]
    assert [row["file"] for row, _ in log if row["case_id"] == a] == ["x.xlsx", "z.xlsx"]


def test_a_secret_is_made_once_and_kept(store):
    with store.transaction():
        first = store.secret("form_key", "aa")
    with store.transaction():
        assert store.secret("form_key", "bb") == first == "aa"
    assert store.secret("other", "cc") == "cc"


def test_purge_case_rewrites_the_case_its_events_and_files(store):
    with store.transaction():
        cid = add_case(store, "110101199003071234")
        store.append(cid, [Event(EventKind.CASE_CREATED, "", {"person": {"name": "张三"}})], at="2026-11-28T09:00:00",
                     sha256="s1", file_name="名册.xlsx", pack_version="party@1")
        store.record_file("s1", "名册.xlsx", "processed", {"receipt": "张三"}, [], None, "2026-11-28T09:00:00")
        store.record_output("第一党支部/2026-0001-张三/01.docx", "h", "t")
        store.record_output("第一党支部/2026-0002-李四/01.docx", "h", "t")
    [event] = store.audit(cid)
    [f] = store.files()
    with store.transaction():
        store.purge_case(cid, "（已清除）", "purged:" + cid, [(event["id"], {"person": {"name": "（已清除）"}})],
                         [(f.id, {"receipt": "（已清除）"})], "第一党支部/2026-0001-张三/")
    assert store.case(cid).name == "（已清除）" and store.case_by_key("110101199003071234") is None
    assert store.events(cid)[0][1].data == {"person": {"name": "（已清除）"}}
    assert store.files()[0].detail == {"receipt": "（已清除）"}
    assert store.output_hash("第一党支部/2026-0001-张三/01.docx") is None
    assert store.output_hash("第一党支部/2026-0002-李四/01.docx") == "h"


def test_the_ten_thousand_and_first_case_of_a_year_gets_a_number_of_its_own(store):
    with store.transaction():
        ids = [add_case(store, str(i)) for i in range(10_001)]
    assert ids[9_998:] == ["2026-9999", "2026-10000", "2026-10001"]
    assert len(set(ids)) == 10_001
    assert [c.case_id for c in store.cases()][-3:] == ["2026-9999", "2026-10000", "2026-10001"]


def test_events_come_back_in_order_with_their_audit(store):
    with store.transaction():
        cid = add_case(store, "a")
        store.append(cid, [Event(EventKind.CASE_CREATED, "", {"person": {"name": "张三"}}),
                           Event(EventKind.STEP_DONE, "application", {"values": {"d": "2026-01-05"}})],
                     at="2026-11-28T09:00:00", sha256="s1", file_name="名册.xlsx", pack_version="party@1")
        store.append(cid, [Event(EventKind.STEP_DONE, "talk", {"values": {}})], at="2026-11-29T09:00:00",
                     sha256="s2", file_name="谈话.docx", pack_version="party@1")
    events = store.events(cid)
    assert [(at[:10], e.kind, e.step) for at, e in events] == [
        ("2026-11-28", "case_created", ""), ("2026-11-28", "step_done", "application"),
        ("2026-11-29", "step_done", "talk")]
    assert events[0][1].data == {"person": {"name": "张三"}} and isinstance(events[1][1].kind, EventKind)
    audit = store.audit(cid)
    assert [(a["file"], a["sha256"], a["step"]) for a in audit] == [
        ("名册.xlsx", "s1", ""), ("名册.xlsx", "s1", "application"), ("谈话.docx", "s2", "talk")]
    assert audit[0]["id"] < audit[1]["id"] < audit[2]["id"]
    assert store.events("2026-0099") == [] and store.audit("2026-0099") == []


# ---------------------------------------------------------------- one transaction: all or nothing
def test_a_failed_transaction_leaves_nothing_of_its_writes(store):
    with store.transaction():
        kept = add_case(store, "kept")
    jid = store.journal_open("a.xlsx", "t")
    with pytest.raises(RuntimeError), store.transaction():
        cid = add_case(store, "lost")
        store.append(cid, [Event(EventKind.STEP_DONE, "x")], at="t", sha256="s", file_name="f", pack_version="p")
        store.record_file("s", "f", "processed", {"receipt": "r"}, [DueDocument(cid, "d")], jid, "t")
        store.replace_members("第一党支部", [Member("刘一", "正式党员")], "s")
        store.retry_failed("b.xlsx", "锁定", "t")
        store.journal_set(jid, JournalStage.STORED)
        store.journal_close(jid)
        raise RuntimeError("killed")
    assert [c.case_id for c in store.cases()] == [kept] and store.case_by_key("lost") is None
    assert store.files() == [] and store.members("第一党支部") is None and store.retries() == []
    assert store.journal_open_rows() == [(jid, "a.xlsx", "", JournalStage.CLAIMING, "")]
    with store.transaction():                      # and the store goes on
        assert add_case(store, "next") == "2026-0002"


# ---------------------------------------------------------------- file ledger
def test_the_file_ledger(store):
    with store.transaction():
        store.record_file("s1", "名册.xlsx", "rejected", {"receipt": "r1", "identity": "roster|x"}, [], 1, "t1")
        store.record_file("s1", "名册(1).xlsx", "processed", {"receipt": "r2"},
                          [DueDocument("2026-0001", "talk_form"), DueDocument("2026-0001", "assess", 2, 3)], 2, "t2")
        store.record_file("s1", "名册(2).xlsx", "duplicate", {"receipt": "r3"}, [], 3, "t3")
    first = store.processed("s1")
    assert first.name == "名册(1).xlsx" and first.documents == [("2026-0001", "talk_form", None, 1),
                                                                ("2026-0001", "assess", 2, 3)]
    assert isinstance(first.documents[1], DueDocument) and first.documents[1].occurrence == 3
    assert store.processed("nope") is None
    assert store.file_for_journal(3).outcome == "duplicate" and store.file_for_journal(9) is None
    assert [f.name for f in store.files()] == ["名册(2).xlsx", "名册(1).xlsx", "名册.xlsx"]
    assert [f.name for f in store.files(limit=1)] == ["名册(2).xlsx"]
    # a rejection put in the rejected place is superseded by a later file of the same identity, then retired
    with store.transaction():
        store.set_routed(1, ["退回/名册.xlsx", "退回/名册.xlsx.退回说明.txt"])
    [(fid, routed)] = store.superseded("roster|x", journal_id=4)
    assert routed == ["退回/名册.xlsx", "退回/名册.xlsx.退回说明.txt"]
    assert store.superseded("roster|x", journal_id=1) == []       # not the file itself
    assert store.superseded("roster|y", journal_id=4) == []
    with store.transaction():
        store.set_retired([fid])
    assert store.superseded("roster|x", journal_id=4) == []
    assert store.file_for_journal(1).detail == {"receipt": "r1", "identity": "roster|x", "retired": True,
                                                "routed": ["退回/名册.xlsx", "退回/名册.xlsx.退回说明.txt"]}


# ---------------------------------------------------------------- journal, members, retries
def test_the_journal(store):
    a = store.journal_open("a.xlsx", "t")
    b = store.journal_open("子/b.docx", "t")
    store.journal_set(a, JournalStage.CLAIMING, ".docflow/work/1__a.xlsx")
    store.journal_set(a, JournalStage.CLAIMED)
    assert store.journal_open_rows() == [(a, "a.xlsx", ".docflow/work/1__a.xlsx", "claimed", ""),
                                         (b, "子/b.docx", "", "claiming", "")]
    store.journal_close(a)
    [row] = store.journal_open_rows()
    assert row.id == b and row.original == "子/b.docx" and a < b


def test_a_file_has_one_claim_at_a_time(store):
    with store.transaction():
        a = store.journal_open("a.xlsx", "t", "h1")
    with store.transaction():
        assert store.journal_open("a.xlsx", "t", "h2") is None          # held: the second claim fails
    assert [(r.id, r.holder) for r in store.journal_open_rows()] == [(a, "h1")]
    with store.transaction():
        assert not store.journal_take(a, "h3", "h2")                     # compare-and-set: not from h2
        assert store.journal_take(a, "h2", "h1") and store.journal_holder(a) == "h2"
        assert not store.journal_take(a, "h3", "h1")                     # a second taker loses
        store.journal_close(a)
        assert store.journal_holder(a) is None
        b = store.journal_open("a.xlsx", "t", "h3")                      # closed: the path may be claimed again
    assert b is not None and b != a


def test_holders_beat(store):
    with store.transaction():
        store.holder_beat("h1", "pc1", 11, "watch", "2026-12-01T09:00:00")
        store.holder_beat("h2", "pc2", 22, "work", "2026-12-01T09:00:01")
        store.holder_beat("h1", "pc1", 11, "watch", "2026-12-01T09:00:00")
    rows = store.holders()
    assert [(h.id, h.host, h.pid, h.role) for h in rows] == [("h1", "pc1", 11, "watch"), ("h2", "pc2", 22, "work")]
    assert all(0 <= h.age < 60 and h.beat > 1.7e9 for h in rows)
    with store.transaction():
        store.holder_gone("h1")
    assert [h.id for h in store.holders()] == ["h2"]


def test_the_render_queue(store):
    docs = [DueDocument("2026-0001", f"d{i}", None, 1) for i in range(5)]
    with store.transaction():
        for h in ("h1", "h2", "h3"):
            store.holder_beat(h, "pc", 1, "watch", "t")
    with store.transaction(exclusive=False):
        ids = store.queue_put("b1", "regenerate", docs[:3]) + store.queue_put("", "due", docs[3:], 7)
    assert ids == sorted(ids) and len(set(ids)) == 5
    with store.transaction(exclusive=False):
        got = store.queue_take("h1", [], 30, 2, batch="b1")
    assert [q.id for q in got] == ids[:2] and all(q.attempts == 1 and q.mode == "regenerate" for q in got)
    with store.transaction(exclusive=False):
        assert [q.id for q in store.queue_take("h2", [], 30, 5, batch="b1")] == [ids[2]]
    assert store.queue_left("b1") == 3
    with store.transaction(exclusive=False):    # h1's items are not taken while h1 beats …
        assert store.queue_take("h3", [], 30, 5, batch="b1") == []
        again = store.queue_take("h3", ["h1"], 30, 5, batch="b1")   # … and are once it is known gone
    assert [(q.id, q.attempts) for q in again] == [(ids[0], 2), (ids[1], 2)]
    with store.transaction(exclusive=False):
        assert store.queue_take("h1", [], 30, 5, batch="b1") == []    # h3 holds them now
        assert [q.id for q in store.queue_take("h3", [], 30, 5, batch="b1")] == ids[:2]   # its own: again
        assert not store.queue_done(ids[0], "h1", "written", "a.docx", "s0", "t")   # h1 lost it: fenced
        assert store.queue_done(ids[0], "h3", "written", "a.docx", "s0", "t")
        assert not store.queue_done(ids[0], "h3", "written", "a.docx", "s0", "t")   # done once
        assert store.queue_done(ids[1], "h3", "kept", "b.docx", "s1", "t")
    assert store.queue_left("b1") == 1
    assert store.queue_results("b1") == [("a.docx", "written", "s0"), ("b.docx", "kept", "s1")]
    log = store.render_log()
    assert [(r["item"], r["holder"], r["attempts"], r["status"]) for r in log] == [(ids[0], "h3", 3, "written"),
                                                                                  (ids[1], "h3", 3, "kept")]
    with store.transaction(exclusive=False):
        assert [(q.id, q.journal_id) for q in store.queue_take("h9", [], 30, 9, ids=ids[3:4])] == [(ids[3], 7)]
        # h2 beats: its item stays; h9 never beat (not a holder on record): its item is taken
        assert [q.id for q in store.queue_take("h1", [], 30, 9, ids=ids[2:4])] == [ids[3]]
        store.queue_drop("b1")
    assert store.queue_left("b1") == 0 and len(store.render_log()) == 2


def test_a_holder_silent_for_its_lease_loses_its_items(store):
    with store.transaction():
        store.holder_beat("h1", "pc", 1, "watch", "t")
        [item] = store.queue_put("", "due", [DueDocument("2026-0001", "d", None, 1)])
        store.queue_take("h1", [], 30, 1)
    with store.transaction():
        assert store.queue_take("h2", [], 30, 1) == []                      # h1 beat just now
        assert [q.id for q in store.queue_take("h2", [], 0.0, 1)] == [item]  # a lease of 0 s: h1 is late


def test_the_member_roster(store):
    assert store.members("第一党支部") is None and store.branches() == set()
    with store.transaction():
        store.replace_members("第一党支部", [Member("刘一", "正式党员"), Member("周三", "正式党员", True)], "s1")
        store.set_member("第一党支部", Member("张三", "预备党员"), "张三", "s2")
        add_case(store, "k", branch="第三党支部")
    assert store.members("第一党支部") == {"刘一": Member("刘一", "正式党员"), "周三": Member("周三", "正式党员", True),
                                          "张三": Member("张三", "预备党员")}
    with store.transaction():
        store.set_member("第一党支部", Member("张三", "正式党员"), "张三", "s3")     # converted
        store.set_member("第一党支部", None, "周三", "s3")                         # leaves
    assert store.members("第一党支部") == {"刘一": Member("刘一", "正式党员"), "张三": Member("张三", "正式党员")}
    with store.transaction():
        store.replace_members("第二党支部", [Member("王五", "正式党员")], "s4")
        store.replace_members("第一党支部", [Member("刘一", "正式党员")], "s4")
    assert store.members("第一党支部") == {"刘一": Member("刘一", "正式党员")}
    assert store.branches() == {"第一党支部", "第二党支部", "第三党支部"}


def test_case_views(store):
    a, b = add_case(store, "a"), add_case(store, "b", branch="第二党支部")
    assert store.views() == [] and store.view_count() == 0 and store.view(a) is None and store.case_count() == 2
    talk = DueLine("talk", "谈话", None, "2026-12-01", False, "一个月内")
    later = DueLine("assessment", "考察", 2, "2027-03-01", False, "每半年")
    undated = DueLine("oath", "入党宣誓", None, "", False, "")
    visit = DueLine("visit", "走访", None, "2026-12-01", True, "之后", b"<c/>")
    with store.transaction():
        store.append(a, [Event(EventKind.CASE_CREATED, "", {})], at="t", sha256="s", file_name="f", pack_version="p")
        store.put_view(a, CaseView("applicant", 1, "m1", {"state_label": "入党申请人", "due": []}, "text a", "",
                                   (visit,), "", b"<row/>", "{}"))
        store.put_view(b, CaseView("activist", 0, "m1", {"x": [1, "二"]}, "text b", "D2026-12-01\t谈话",
                                   (talk, later, undated),
                                   "2026-01-05", "<row>乙</row>".encode(), '{"b": 1}'))
    assert store.event_count(a) == 1 and store.event_count(b) == 0
    va = store.view(a)
    assert va is not None and (va.name, va.branch, va.state, va.events, va.made_with) == (
        "名a", "第一党支部", "applicant", 1, "m1")
    assert va.summary == {"state_label": "入党申请人", "due": []}
    assert [v.case_id for v in store.views()] == [a, b] and store.view_count() == 2
    assert store.ledger_rows() == [("第一党支部", b"<row/>"), ("第二党支部", "<row>乙</row>".encode())]
    assert store.view_texts() == [(a, "text a", ""), (b, "text b", "D2026-12-01\t谈话")]
    assert store.due_rows() == [DueRow(b, "名b", "第二党支部", "2026-01-05", *undated),      # soonest first
                                DueRow(a, "名a", "第一党支部", "", *visit),                 # a day: by case
                                DueRow(b, "名b", "第二党支部", "2026-01-05", *talk),
                                DueRow(b, "名b", "第二党支部", "2026-01-05", *later)]
    assert store.due_rows("2026-11-30") == []
    assert [r.step for r in store.due_rows("2026-12-01")] == ["visit", "talk"]
    assert [r.step for r in store.due_rows("2027-12-31")] == ["visit", "talk", "assessment"]   # never the undated
    assert [r.step for r in store.due_rows(today="2026-11-30")] == ["visit", "talk", "assessment"]
    assert [r.step for r in store.due_rows(today="2026-12-01")] == ["talk", "assessment"]   # visit: may be done
    early = DueLine("talk", "谈话", None, "2026-01-04", False, "")                         # before the import
    with store.transaction():
        store.put_view(b, CaseView("activist", 0, "m1", {}, since="2026-01-05", due=(early, later),
                                   record='{"b": 1}'))
    assert [r.step for r in store.due_rows(today="2026-11-30")] == ["visit", "assessment"]
    assert [r.step for r in store.due_rows()] == ["talk", "visit", "assessment"]
    assert store.records() == [CaseRecord(a, "名a", "第一党支部", "{}"), CaseRecord(b, "名b", "第二党支部", '{"b": 1}')]
    assert store.records("第二党支部") == [CaseRecord(b, "名b", "第二党支部", '{"b": 1}')]
    assert store.views_made_otherwise("m1") == 0 and store.views_made_otherwise("m2") == 2
    with store.transaction():
        store.put_view(a, CaseView("activist", 2, "m2", {}, row=b"<row>new</row>"))     # replaced, not added
        store.put_view(b, CaseView("activist", 0, "m1", {}, "text b", "", (later,), "2026-01-05"))   # replaced
    assert store.ledger_rows()[0] == ("第一党支部", b"<row>new</row>") and store.view_count() == 2
    assert [r.step for r in store.due_rows()] == ["assessment"] and store.views_made_otherwise("m1") == 1
    store.put_view(a, CaseView("activist", 2, "m2", {}, due=(visit,)))       # outside a transaction too
    assert [r.step for r in store.due_rows()] == ["visit", "assessment"]
    with pytest.raises(RuntimeError), store.transaction():
        store.put_view(b, CaseView("full", 9, "m1", {}))
        raise RuntimeError
    assert store.view(b).state == "activist"                        # rolled back with the transaction
    assert [r.step for r in store.due_rows()] == ["visit", "assessment"]
    with pytest.raises(KeyError), store.transaction():
        store.put_view("2099-0001", CaseView("full", 0, "m1", {}))   # no such case


def test_retries_count_and_clear(store):
    assert store.retry_failed("b.xlsx", "被占用", "t1") == 1
    assert store.retry_failed("b.xlsx", "仍被占用", "t2") == 2
    assert store.retry_failed("a.xlsx", "无法读取", "t3") == 1
    assert [r.original for r in store.retries()] == ["a.xlsx", "b.xlsx"]
    row = store.retry("b.xlsx")
    assert (row.failures, row.reason, row.first_at, row.last_at) == (2, "仍被占用", "t1", "t2")
    store.retry_clear("b.xlsx")
    assert store.retry("b.xlsx") is None and [r.original for r in store.retries()] == ["a.xlsx"]


# ---------------------------------------------------------------- schema versions and migrations
def test_a_new_database_has_the_current_schema_version(tmp_path):
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    s = SqliteStore(tmp_path / "new.db")
    assert s.schema_version == SCHEMA_VERSION
    s.close()
    assert not list(tmp_path.glob("*.bak"))        # nothing to copy aside
    con = sqlite3.connect(tmp_path / "new.db")
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    con.close()


def old_workspace(tmp_path: Path):
    """The workspace of release 0.3 (its docflow.toml and database) in a fresh folder."""
    root = tmp_path / "ws"
    (root / ".docflow").mkdir(parents=True)
    shutil.copy(RELEASE_03 / "docflow.toml", root)
    shutil.copy(RELEASE_03 / "docflow.db", root / ".docflow" / "docflow.db")
    return load_workspace(root)


def test_a_database_of_the_previous_release_is_migrated_on_opening(tmp_path):
    ws = old_workspace(tmp_path)
    before = (RELEASE_03 / "docflow.db").read_bytes()
    con = sqlite3.connect(ws.database)
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name='meta'").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM meta").fetchone() == (0,)    # 0.3 recorded no version
    old_cases = con.execute("SELECT case_id, name FROM cases ORDER BY case_id").fetchall()
    old_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()

    s = SqliteStore(ws.database)
    assert s.schema_version == SCHEMA_VERSION
    assert [(c.case_id, c.name) for c in s.cases()] == old_cases and len(old_cases) == 5
    assert sum(len(s.events(c.case_id)) for c in s.cases()) == old_events
    assert all(isinstance(d, DueDocument) for f in s.files(limit=100) for d in f.documents)
    with s.transaction():                          # numbering goes on from the old cases
        assert add_case(s, "新人") == "2026-0006"
    s.close()
    backup = ws.database.parent / "docflow.db.v1.bak"
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
    con = sqlite3.connect(backup)
    assert con.execute("SELECT case_id, name FROM cases ORDER BY case_id").fetchall() == old_cases
    con.close()
    assert (RELEASE_03 / "docflow.db").read_bytes() == before

    again = SqliteStore(ws.database)               # opened again: nothing left to migrate
    assert again.schema_version == SCHEMA_VERSION and len(again.cases()) == 6
    again.close()
    assert [p.name for p in ws.database.parent.glob("*.bak")] == ["docflow.db.v1.bak"]


def test_the_cases_of_the_previous_release_go_on_with_its_forms(tmp_path):
    ws = old_workspace(tmp_path)
    eng = Engine.open(ws, clock=FixedClock(TODAY))
    try:
        form = fill_docx(RELEASE_03 / "02-入党申请人谈话记录.docx", ws.inbox / "谈话记录-赵雨桐.docx",
                         {"talk_date": "2026-04-10", "talker": "刘一", "talker_post": "支部书记",
                          "summary": "谈入党动机"})
        out = process_file(eng, form)
        assert isinstance(out, Processed), getattr(out, "receipt", out)
        assert out.cases == ("2026-0004 赵雨桐（第一党支部）",)
        [row] = report(eng, "2026-0004")["cases"]
        assert row["last_step"].startswith("党组织派人谈话") and "2026-04-10" in str(row["dates"])
    finally:
        eng.store.close()


def test_a_database_of_a_later_release_is_refused(tmp_path):
    path = tmp_path / "later.db"
    SqliteStore(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="更新版本的 docflow"):
        SqliteStore(path)


# ---------------------------------------------------------------- the road on the in-memory store
def walk(eng, tmp: Path) -> None:
    start(eng, tmp)
    talk(eng, tmp, "2026-0001")
    activist(eng, tmp, "2026-0001", decided=date(2026, 3, 1))


def snapshot(store: Store) -> dict:
    return {"cases": store.cases(),
            "events": {c.case_id: [(e.kind, e.step, e.data) for _, e in store.events(c.case_id)]
                       for c in store.cases()},
            "files": [(f.name, f.outcome, f.documents) for f in store.files()],
            "members": {b: store.members(b) for b in sorted(store.branches())},
            "journal": store.journal_open_rows(), "retries": store.retries()}


def test_the_road_runs_on_the_in_memory_store_as_on_sqlite(tmp_path):
    on_disk = Engine.open(workspace(tmp_path / "a"), clock=FixedClock(TODAY))
    in_memory = Engine.open(workspace(tmp_path / "b"), clock=FixedClock(TODAY), store=MemoryStore())
    walk(on_disk, tmp_path / "fa")
    walk(in_memory, tmp_path / "fb")
    a, b = snapshot(on_disk.store), snapshot(in_memory.store)
    assert len(a["events"]["2026-0001"]) == 4 and a["files"][0][1] == "processed"
    assert a == b
    names = sorted(p.relative_to(case_dir(on_disk, "2026-0001")).as_posix()
                   for p in case_dir(on_disk, "2026-0001").rglob("*"))
    assert names == sorted(p.relative_to(case_dir(in_memory, "2026-0001")).as_posix()
                           for p in case_dir(in_memory, "2026-0001").rglob("*"))
    assert not (in_memory.ws.database).exists()
    on_disk.store.close()


def test_the_road_runs_on_postgresql_as_on_sqlite(tmp_path, pg_server, monkeypatch):
    """The whole party walkthrough on a PostgreSQL store chosen the way staff choose it (DOCFLOW_DATABASE_URL and
    [store] schema): the same events, files, members and views as on SQLite, and the same documents, byte for
    byte."""
    from dataclasses import replace

    from engine.store.postgres import PostgresStore
    from engine.testing import load_walkthrough, walkthrough_workspace
    from engine.testing import walk as walk_through
    from engine.workspace import StoreSettings

    wt = load_walkthrough("party")
    lite = Engine.open(walkthrough_workspace(tmp_path / "a", wt), clock=FixedClock(wt.today))
    ws = walkthrough_workspace(tmp_path / "b", wt)
    ws = replace(ws, config=ws.config.model_copy(update={"store": StoreSettings(schema=pg_server.schema())}))
    monkeypatch.setenv("DOCFLOW_DATABASE_URL", pg_server.url)
    pg = Engine.open(ws, clock=FixedClock(wt.today))
    try:
        assert isinstance(pg.store, PostgresStore) and not ws.database.exists()
        pg.store.secret("form_key", lite.signer.key.hex())   # one workspace's key: its forms sign alike
        walk_through(lite, wt, tmp_path / "fa")
        walk_through(pg, wt, tmp_path / "fb")
        a, b = snapshot(lite.store), snapshot(pg.store)
        assert a == b and len(a["events"]["2024-0001"]) > 20
        assert [(v.case_id, v.state, v.summary) for v in lite.store.views()] == \
            [(v.case_id, v.state, v.summary) for v in pg.store.views()]
        assert lite.store.ledger_rows() == pg.store.ledger_rows()
        assert lite.store.due_rows() == pg.store.due_rows()
        assert [n.text for n in lite.store.numbers()] == [n.text for n in pg.store.numbers()]
        docs_a = {p.relative_to(lite.ws.outbox).as_posix(): p.read_bytes() for p in lite.ws.outbox.rglob("*.docx")}
        docs_b = {p.relative_to(pg.ws.outbox).as_posix(): p.read_bytes() for p in pg.ws.outbox.rglob("*.docx")}
        assert docs_a == docs_b and len(docs_a) > 20
    finally:
        lite.store.close()
        pg.store.close()


def test_a_server_that_cannot_be_reached_is_said_in_chinese(tmp_path):
    from engine.store.postgres import PostgresStore, StoreUnavailable

    with pytest.raises(StoreUnavailable) as exc:
        PostgresStore("postgresql://docflow:secret@127.0.0.1:1/none")
    assert "无法连接数据库服务器" in exc.value.message and "inbox" in exc.value.message
    assert "secret" not in exc.value.message


def test_store_copy_moves_a_workspace_into_postgresql_intact(tmp_path, pg_server, capsys):
    """docflow store copy --to URL: every event, file record, member, view and number, compared by a full export
    of both; the workspace then runs on the copy (the sequences go on after the copied ids)."""
    from engine.cli import main
    from engine.store.copy import export
    from engine.store.postgres import PostgresStore
    from engine.testing import load_walkthrough, walkthrough_workspace
    from engine.testing import walk as walk_through

    wt = load_walkthrough("party")
    names = [f for f, _ in wt.submissions]
    half = wt.__class__(**{**wt.__dict__, "submissions": wt.submissions[:names.index("review")]})
    ws = walkthrough_workspace(tmp_path / "ws", wt)
    lite = Engine.open(ws, clock=FixedClock(wt.today))
    walk_through(lite, half, tmp_path / "src")
    before = export(lite.store)
    lite.store.close()
    schema = pg_server.schema()
    assert main(["store", "copy", "--to", pg_server.url, "--schema", schema, "-w", str(ws.root)]) == 0
    assert "逐表核对：一致" in capsys.readouterr().out
    pg = PostgresStore(pg_server.url, schema)
    try:
        assert export(pg) == before and len(before["events"]) > 5 and before["views"] and before["numbers"]
        assert before["render_queue"] and len(before["render_log"]) == len(before["render_queue"])
        journal = pg.journal_open("x.xlsx", "2026-11-28T09:00:00")
        assert journal > max(r[0] for r in before["journal"] or [(0,)])
    finally:
        pg.close()
    capsys.readouterr()
    assert main(["store", "copy", "--to", pg_server.url, "--schema", schema, "-w", str(ws.root)]) != 0
    assert "已有案卷" in capsys.readouterr().err       # a store is never copied over another
    pg = PostgresStore(pg_server.url, schema)
    try:
        assert export(pg)["events"] == before["events"]
    finally:
        pg.close()
