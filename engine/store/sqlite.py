"""The SQLite store (standard library; the embedded default): one file in the workspace's state folder, WAL.

The schema has a version (``meta.schema_version``) and a list of migrations; opening a database made by an
earlier release migrates it in one transaction, after copying it aside (``docflow.db.v<N>.bak``); a database
from a later release is refused rather than misread.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import WorkspaceError
from ..outcomes import Event, EventKind, JournalStage, Member
from .base import (
    CaseRecord,
    CaseRow,
    CaseView,
    DocNumber,
    DueDocument,
    DueRow,
    FileRow,
    HolderRow,
    JournalRow,
    QueueItem,
    ReportRun,
    RetryRow,
    ViewRow,
)

V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY, person_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, branch TEXT NOT NULL,
    pack_version TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL REFERENCES cases(case_id),
    kind TEXT NOT NULL, step TEXT NOT NULL, data TEXT NOT NULL, at TEXT NOT NULL,
    file_sha256 TEXT NOT NULL, file_name TEXT NOT NULL, pack_version TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_case ON events(case_id, id);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
    detail TEXT NOT NULL, documents TEXT NOT NULL, journal_id INTEGER, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, original TEXT NOT NULL, work TEXT NOT NULL,
    stage TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    branch TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, discipline INTEGER NOT NULL,
    file_sha256 TEXT NOT NULL, PRIMARY KEY (branch, name));
CREATE TABLE IF NOT EXISTS retries (
    original TEXT PRIMARY KEY, failures INTEGER NOT NULL, reason TEXT NOT NULL,
    first_at TEXT NOT NULL, last_at TEXT NOT NULL);
"""


def _v1(db: sqlite3.Connection) -> None:
    for statement in V1.split(";"):
        if statement.strip():
            db.execute(statement)


def _v2(db: sqlite3.Connection) -> None:
    """Case numbers as numbers: the 10,000th case of a year is 2026-10000 and the next one 2026-10001 (the
    text maximum of case ids took 2026-9999 for the last one and numbered 2026-10000 twice)."""
    db.execute("ALTER TABLE cases ADD COLUMN year INTEGER")
    db.execute("ALTER TABLE cases ADD COLUMN seq INTEGER")
    db.execute("UPDATE cases SET year = CAST(substr(case_id, 1, instr(case_id, '-') - 1) AS INTEGER), "
               "seq = CAST(substr(case_id, instr(case_id, '-') + 1) AS INTEGER)")
    db.execute("CREATE INDEX cases_number ON cases(year, seq)")


def _v3(db: sqlite3.Connection) -> None:
    """Documents due carry their occurrence (rows from before occurrences existed had three items)."""
    rows = db.execute("SELECT id, documents FROM files WHERE documents != '[]'").fetchall()
    for file_id, text in rows:
        due = [list(DueDocument.from_row(r)) for r in json.loads(text)]
        db.execute("UPDATE files SET documents=? WHERE id=?", (json.dumps(due, ensure_ascii=False), file_id))


def _v4(db: sqlite3.Connection) -> None:
    """Each case's view (a projection of its events), written with them; filled by the engine on opening."""
    db.execute("CREATE TABLE views (case_id TEXT PRIMARY KEY REFERENCES cases(case_id), state TEXT NOT NULL, "
               "events INTEGER NOT NULL, summary TEXT NOT NULL, row TEXT NOT NULL, text TEXT NOT NULL, "
               "due TEXT NOT NULL, since TEXT NOT NULL, soonest TEXT NOT NULL)")


def _v5(db: sqlite3.Connection) -> None:
    """What docflow wrote into outbox/, with the hash of what it wrote; and the documents each processed file made
    due, by case (so a case's documents are found without reading every file's record)."""
    db.execute("CREATE TABLE outputs (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, at TEXT NOT NULL)")
    db.execute("CREATE TABLE issued (file_id INTEGER NOT NULL REFERENCES files(id), case_id TEXT NOT NULL, "
               "doc_id TEXT NOT NULL, period INTEGER, occurrence INTEGER NOT NULL)")
    db.execute("CREATE INDEX issued_case ON issued(case_id, file_id)")
    # what one processed file looks up, so that it costs the same with 100 cases as with 100,000
    db.execute("CREATE INDEX files_journal ON files(journal_id)")
    db.execute("CREATE INDEX files_identity ON files(json_extract(detail, '$.identity'))")
    db.execute("CREATE INDEX cases_key ON cases(person_key)")
    for file_id, text in db.execute("SELECT id, documents FROM files WHERE outcome='processed' AND documents != '[]'"
                                    ).fetchall():
        db.executemany("INSERT INTO issued VALUES (?,?,?,?,?)",
                       [(file_id, *DueDocument.from_row(r)) for r in json.loads(text)])


def _v6(db: sqlite3.Connection) -> None:
    """A view in parts, each read by what needs it without the rest (status the texts and what is due, the due
    list what is due by a day through an index on the date, the ledger the rows, the reports the records), in
    case-number order by ``ord`` (year × 10⁷ + number). The old views are dropped: the engine makes them again."""
    db.execute("DROP TABLE views")
    db.execute("CREATE TABLE views (case_id TEXT PRIMARY KEY REFERENCES cases(case_id), ord INTEGER NOT NULL UNIQUE, "
               "state TEXT NOT NULL, events INTEGER NOT NULL, made_with TEXT NOT NULL, summary TEXT NOT NULL)")
    db.execute("CREATE INDEX views_made ON views(made_with)")
    db.execute("CREATE TABLE view_texts (ord INTEGER PRIMARY KEY, case_id TEXT NOT NULL, name TEXT NOT NULL, "
               "branch TEXT NOT NULL, since TEXT NOT NULL, text TEXT NOT NULL, due_text TEXT NOT NULL)")
    db.execute("CREATE TABLE view_due (date TEXT NOT NULL, ord INTEGER NOT NULL, n INTEGER NOT NULL, "
               "case_id TEXT NOT NULL, name TEXT NOT NULL, branch TEXT NOT NULL, since TEXT NOT NULL, "
               "step TEXT NOT NULL, label TEXT NOT NULL, period INTEGER, earliest INTEGER NOT NULL, "
               "rule TEXT NOT NULL, cells BLOB NOT NULL, PRIMARY KEY (date, ord, n)) WITHOUT ROWID")
    db.execute("CREATE INDEX view_due_case ON view_due(ord)")
    db.execute("CREATE TABLE view_rows (ord INTEGER PRIMARY KEY, branch TEXT NOT NULL, row BLOB NOT NULL)")
    db.execute("CREATE TABLE view_records (ord INTEGER PRIMARY KEY, case_id TEXT NOT NULL, name TEXT NOT NULL, "
               "branch TEXT NOT NULL, record TEXT NOT NULL)")
    db.execute("CREATE INDEX view_records_branch ON view_records(branch, ord)")
    db.execute("CREATE TABLE reports (kind TEXT NOT NULL, year INTEGER NOT NULL, quarter INTEGER NOT NULL, "
               "half INTEGER NOT NULL, branch TEXT NOT NULL, at TEXT NOT NULL, "
               "PRIMARY KEY (kind, year, quarter, half, branch))")


def _v7(db: sqlite3.Connection) -> None:
    """The 发文字号 allocated to official documents: one per document, sequential per prefix and year, kept for
    ever (a regenerated document prints the number it was given)."""
    db.execute("CREATE TABLE numbers (prefix TEXT NOT NULL, year INTEGER NOT NULL, serial INTEGER NOT NULL, "
               "case_id TEXT NOT NULL, doc_id TEXT NOT NULL, period INTEGER NOT NULL, occurrence INTEGER NOT NULL, "
               "at TEXT NOT NULL, PRIMARY KEY (prefix, year, serial), UNIQUE (case_id, doc_id, period, occurrence))")


V8 = """
ALTER TABLE journal ADD COLUMN holder TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX journal_original ON journal(original);
CREATE TABLE holders (id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, role TEXT NOT NULL,
    started TEXT NOT NULL, beat REAL NOT NULL);
CREATE TABLE render_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, batch TEXT NOT NULL, mode TEXT NOT NULL, case_id TEXT NOT NULL,
    doc_id TEXT NOT NULL, period INTEGER, occurrence INTEGER NOT NULL, journal_id INTEGER,
    state TEXT NOT NULL DEFAULT 'queued', holder TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT, path TEXT, sha256 TEXT);
CREATE INDEX render_queue_state ON render_queue(state, id);
CREATE INDEX render_queue_batch ON render_queue(batch, state);
CREATE INDEX render_queue_journal ON render_queue(journal_id);
CREATE TABLE render_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, item INTEGER NOT NULL UNIQUE, batch TEXT NOT NULL, mode TEXT NOT NULL,
    case_id TEXT NOT NULL, doc_id TEXT NOT NULL, period INTEGER, occurrence INTEGER NOT NULL, holder TEXT NOT NULL,
    attempts INTEGER NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, at TEXT NOT NULL)
"""


def _v8(db: sqlite3.Connection) -> None:
    """Several processes on one store: who holds each claim (one open claim per inbox path), the processes alive,
    the documents to render as work items, and the log of what was rendered."""
    # two open rows for one path (a file dropped again under its name while the first was in flight): keep both
    db.execute("UPDATE journal SET original = original || '#' || id WHERE id NOT IN "
               "(SELECT MIN(id) FROM journal GROUP BY original)")
    for statement in V8.split(";"):
        if statement.strip():
            db.execute(statement)


def _v9(db: sqlite3.Connection) -> None:
    """Who handed in the file each event came from (engine.inbox.submitter, JSON; '' before)."""
    db.execute("ALTER TABLE events ADD COLUMN submitter TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX events_at ON events(at, id)")


@dataclass(frozen=True)
class Migration:
    version: int
    what: str
    run: Callable[[sqlite3.Connection], None]


MIGRATIONS = (
    Migration(1, "the first schema (releases up to 0.3 recorded no version)", _v1),
    Migration(2, "case numbers as numbers (year, seq)", _v2),
    Migration(3, "documents due with their occurrence", _v3),
    Migration(4, "case views (projections of the events)", _v4),
    Migration(5, "the documents docflow wrote, with their hashes", _v5),
    Migration(6, "case views in parts (status, due, ledger, reports); the reports made", _v6),
    Migration(7, "document numbers (发文字号)", _v7),
    Migration(8, "claims held by processes, render work items and their log", _v8),
    Migration(9, "the submitter of each event's file", _v9),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


class SqliteStore:
    def __init__(self, path: Path | str = ":memory:") -> None:
        self.path = str(path)
        # one engine thread uses the store at a time; it may not be the thread that opened it (tests, services)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        try:
            self.schema_version = self._migrate()
        except BaseException:
            self.db.close()
            raise

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """One process at a time in ``name`` (no transaction): on SQLite one engine has the workspace anyway."""
        yield

    @property
    def shareable(self) -> bool:
        """Can another connection (another thread, another process) open this store?"""
        return self.path != ":memory:"

    def locator(self) -> tuple[str, str]:
        """What ``open_store`` takes to open this store again (in another process)."""
        return (self.path, "docflow")

    def reopen(self) -> SqliteStore:
        """Another connection to the same store (a heartbeat's, a worker's)."""
        return SqliteStore(self.path)

    # ------------------------------------------------------------ schema
    def _found_version(self) -> int:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row:
                return int(row[0])
        return 1 if "cases" in tables else 0   # releases before versions: the first schema

    def _migrate(self) -> int:
        with self.transaction():
            found = self._found_version()
        if found > SCHEMA_VERSION:
            raise WorkspaceError(f"数据库由更新版本的 docflow 创建（结构版本 {found}，"
                                 f"本程序只认识到 {SCHEMA_VERSION}），请升级 docflow 后再打开", place=self.path)
        if found == SCHEMA_VERSION:
            return found
        if found > 0 and self.path != ":memory:":
            self._copy_aside(found)
        with self.transaction():
            if self._found_version() < SCHEMA_VERSION:   # another process may have migrated meanwhile
                for m in MIGRATIONS:
                    if m.version > self._found_version():
                        m.run(self.db)
                        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(m.version),))
        return SCHEMA_VERSION

    def _copy_aside(self, version: int) -> None:
        """The database as it was, before a migration changes it (never overwritten)."""
        target = Path(f"{self.path}.v{version}.bak")
        if target.exists():
            return
        copy = sqlite3.connect(str(target))
        try:
            self.db.backup(copy)
        finally:
            copy.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self, exclusive: bool = True) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")           # SQLite: every writer is exclusive
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ cases and events
    _CASE = "SELECT case_id, person_key, name, branch, pack_version FROM cases"

    def case_by_key(self, person_key: str) -> CaseRow | None:
        row = self.db.execute(f"{self._CASE} WHERE person_key=?", (person_key,)).fetchone()
        return CaseRow(*row) if row else None

    def case(self, case_id: str) -> CaseRow | None:
        row = self.db.execute(f"{self._CASE} WHERE case_id=?", (case_id,)).fetchone()
        return CaseRow(*row) if row else None

    def cases(self) -> list[CaseRow]:
        return [CaseRow(*r) for r in self.db.execute(f"{self._CASE} ORDER BY year, seq")]

    def case_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM cases").fetchone()[0])

    def new_case(self, year: int, person_key: str, name: str, branch: str, pack_version: str, at: str) -> str:
        last = self.db.execute("SELECT max(seq) FROM cases WHERE year=?", (year,)).fetchone()[0]
        seq = (last or 0) + 1
        case_id = f"{year}-{seq:04d}"
        self.db.execute("INSERT INTO cases (case_id, person_key, name, branch, pack_version, created_at, year, seq) "
                        "VALUES (?,?,?,?,?,?,?,?)", (case_id, person_key, name, branch, pack_version, at, year, seq))
        return case_id

    def append(self, case_id: str, events: list[Event], *, at: str, sha256: str, file_name: str,
               pack_version: str, submitter: str = "") -> None:
        self.db.executemany(
            "INSERT INTO events (case_id, kind, step, data, at, file_sha256, file_name, pack_version, submitter) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [(case_id, e.kind, e.step, json.dumps(e.data, ensure_ascii=False), at, sha256, file_name, pack_version,
              submitter) for e in events])

    def events(self, case_id: str) -> list[tuple[str, Event]]:
        rows = self.db.execute("SELECT at, kind, step, data FROM events WHERE case_id=? ORDER BY id", (case_id,))
        return [(at, Event(EventKind(kind), step, json.loads(data))) for at, kind, step, data in rows]

    _AUDIT = ("id", "at", "kind", "step", "file", "sha256", "submitter", "case_id")

    def audit(self, case_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, at, kind, step, file_name, file_sha256, submitter, case_id FROM events "
                               "WHERE case_id=? ORDER BY id", (case_id,))
        return [dict(zip(self._AUDIT, r, strict=True)) for r in rows]

    def audit_since(self, since: str = "") -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, at, kind, step, file_name, file_sha256, submitter, case_id FROM events "
                               "WHERE at >= ? ORDER BY id", (since,))
        return [dict(zip(self._AUDIT, r, strict=True)) for r in rows]

    def event_log(self) -> Iterator[tuple[dict[str, Any], Event]]:
        rows = self.db.execute("SELECT id, at, kind, step, file_name, file_sha256, submitter, case_id, data "
                               "FROM events ORDER BY case_id, id")
        for r in rows:
            yield dict(zip(self._AUDIT, r[:8], strict=True)), Event(EventKind(r[2]), r[3], json.loads(r[8]))

    _JSON_PARAM = "?"          # how a JSON document is passed to the files' detail column

    def purge_case(self, case_id: str, name: str, person_key: str, events: list[tuple[int, dict[str, Any]]],
                   files: list[tuple[int, dict[str, Any]]], paths: str) -> None:
        self.db.executemany("UPDATE events SET data=? WHERE id=? AND case_id=?",
                            [(json.dumps(d, ensure_ascii=False), i, case_id) for i, d in events])
        self.db.execute("UPDATE cases SET name=?, person_key=? WHERE case_id=?", (name, person_key, case_id))
        self.db.executemany(f"UPDATE files SET detail={self._JSON_PARAM} WHERE id=?",
                            [(json.dumps(d, ensure_ascii=False), i) for i, d in files])
        like = paths.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for table in ("outputs", "render_log", "render_queue"):
            self.db.execute(f"DELETE FROM {table} WHERE path LIKE ? ESCAPE '\\'"
                            + (" AND state='done'" if table == "render_queue" else ""), (like,))

    def secret(self, name: str, make: str) -> str:
        """The workspace's secret ``name`` (kept in the store, which is not on the share); ``make`` is stored
        when there is none yet (the first caller's wins)."""
        self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (f"secret:{name}", make))
        return str(self.db.execute("SELECT value FROM meta WHERE key=?", (f"secret:{name}",)).fetchone()[0])

    # ------------------------------------------------------------ outputs
    def record_output(self, path: str, sha256: str, at: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO outputs VALUES (?,?,?)", (path, sha256, at))

    def output_hash(self, path: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM outputs WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def record_report(self, made: ReportRun) -> None:
        self.db.execute("INSERT INTO reports VALUES (?,?,?,?,?,?) ON CONFLICT DO UPDATE SET at=excluded.at",
                        (made.kind, made.year, made.quarter or 0, made.half or 0, made.branch or "", made.at))

    def reports_made(self) -> list[ReportRun]:
        return [ReportRun(k, y, q or None, h or None, b or None, at) for k, y, q, h, b, at in self.db.execute(
            f"SELECT kind, year, quarter, half, branch, at FROM reports ORDER BY {self._ORDER}")]

    _NUMBER = "SELECT prefix, year, serial, case_id, doc_id, period, occurrence, at FROM numbers"
    _ORDER = "rowid"           # insertion order (PostgreSQL: an id column)

    def number(self, prefix: str, year: int, case_id: str, doc_id: str, period: int | None, occurrence: int,
               at: str) -> DocNumber:
        key = (case_id, doc_id, -1 if period is None else period, occurrence)
        row = self.db.execute(self._NUMBER + " WHERE case_id=? AND doc_id=? AND period=? AND occurrence=?",
                              key).fetchone()
        if row is None:
            serial = self.db.execute("SELECT COALESCE(MAX(serial), 0) + 1 FROM numbers WHERE prefix=? AND year=?",
                                     (prefix, year)).fetchone()[0]
            self.db.execute("INSERT INTO numbers (prefix, year, serial, case_id, doc_id, period, occurrence, at) "
                            "VALUES (?,?,?,?,?,?,?,?)", (prefix, year, serial, *key, at))
            row = (prefix, year, serial, *key, at)
        return _number_row(row)

    def numbers(self, case_id: str | None = None) -> list[DocNumber]:
        where, args = (" WHERE case_id=?", (case_id,)) if case_id is not None else ("", ())
        return [_number_row(r) for r in self.db.execute(self._NUMBER + where + f" ORDER BY {self._ORDER}", args)]

    def issued(self, case_id: str | None = None) -> list[DueDocument]:
        where, args = ("WHERE case_id=? ", (case_id,)) if case_id is not None else ("", ())
        return [DueDocument(*r) for r in self.db.execute(
            f"SELECT case_id, doc_id, period, occurrence FROM issued {where}ORDER BY file_id, {self._ORDER}", args)]

    # ------------------------------------------------------------ views
    def put_view(self, case_id: str, view: CaseView) -> None:
        found = self.db.execute("SELECT CAST(year AS BIGINT) * 10000000 + seq, name, branch FROM cases WHERE case_id=?",
                                (case_id,)).fetchone()
        if found is None:
            raise KeyError(case_id)
        n, name, branch = found
        self.db.execute("DELETE FROM views WHERE case_id=?", (case_id,))      # (portable SQL: PostgreSQL too)
        for table in ("view_texts", "view_due", "view_rows", "view_records"):
            self.db.execute(f"DELETE FROM {table} WHERE ord=?", (n,))
        self.db.execute("INSERT INTO views VALUES (?,?,?,?,?,?)",
                        (case_id, n, view.state, view.events, view.made_with,
                         json.dumps(view.summary, ensure_ascii=False)))
        self.db.execute("INSERT INTO view_texts VALUES (?,?,?,?,?,?,?)",
                        (n, case_id, name, branch, view.since, view.text, view.due_text))
        self.db.executemany("INSERT INTO view_due VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            [(d.date, n, k, case_id, name, branch, view.since, d.step, d.label, d.period,
                              int(d.earliest), d.rule, d.cells) for k, d in enumerate(view.due)])
        self.db.execute("INSERT INTO view_rows VALUES (?,?,?)", (n, branch, view.row))
        self.db.execute("INSERT INTO view_records VALUES (?,?,?,?,?)", (n, case_id, name, branch, view.record))

    _VIEW = ("SELECT v.case_id, c.name, c.branch, v.state, v.events, v.made_with, v.summary FROM views v "
             "JOIN cases c ON c.case_id = v.case_id")

    def view(self, case_id: str) -> ViewRow | None:
        r = self.db.execute(f"{self._VIEW} WHERE v.case_id=?", (case_id,)).fetchone()
        return _view_row(r) if r else None

    def views(self) -> list[ViewRow]:
        return [_view_row(r) for r in self.db.execute(f"{self._VIEW} ORDER BY v.ord")]

    def view_texts(self) -> list[tuple[str, str, str]]:
        return self.db.execute("SELECT case_id, text, due_text FROM view_texts ORDER BY ord").fetchall()

    def due_rows(self, until: str | None = None, today: str | None = None) -> list[DueRow]:
        where, args = ["1=1"], []
        if until is not None:
            where.append("date != '' AND date <= ?")
            args.append(until)
        if today is not None:
            where.append("(earliest = 0 AND date >= since OR earliest = 1 AND date > ?)")
            args.append(today)
        rows = self.db.execute("SELECT case_id, name, branch, since, step, label, period, date, earliest, rule, cells "
                               f"FROM view_due WHERE {' AND '.join(where)} ORDER BY date, ord, n", args)
        return [DueRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] == 1, r[9], r[10]) for r in rows]

    def ledger_rows(self) -> list[tuple[str, bytes]]:
        return self.db.execute("SELECT branch, row FROM view_rows ORDER BY ord").fetchall()

    def records(self, branch: str | None = None) -> list[CaseRecord]:
        where, args = ("WHERE branch=? ", (branch,)) if branch is not None else ("", ())
        return [CaseRecord(*r) for r in self.db.execute(
            f"SELECT case_id, name, branch, record FROM view_records {where}ORDER BY ord", args)]

    def view_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM views").fetchone()[0])

    def views_made_otherwise(self, made_with: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM views WHERE made_with != ?", (made_with,)).fetchone()[0])

    def event_count(self, case_id: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM events WHERE case_id=?", (case_id,)).fetchone()[0])

    # ------------------------------------------------------------ files
    _FILE = "SELECT id, sha256, name, outcome, detail, documents, journal_id, at FROM files"

    def processed(self, sha256: str) -> FileRow | None:
        row = self.db.execute(f"{self._FILE} WHERE sha256=? AND outcome='processed' ORDER BY id LIMIT 1",
                              (sha256,)).fetchone()
        return _file_row(row) if row else None

    def file_for_journal(self, journal_id: int) -> FileRow | None:
        row = self.db.execute(f"{self._FILE} WHERE journal_id=?", (journal_id,)).fetchone()
        return _file_row(row) if row else None

    def record_file(self, sha256: str, name: str, outcome: str, detail: dict[str, Any],
                    documents: list[DueDocument], journal_id: int | None, at: str) -> None:
        cur = self.db.execute("INSERT INTO files (sha256, name, outcome, detail, documents, journal_id, at) "
                              "VALUES (?,?,?,?,?,?,?)",
                              (sha256, name, outcome, json.dumps(detail, ensure_ascii=False),
                               json.dumps([list(d) for d in documents], ensure_ascii=False), journal_id, at))
        if outcome == "processed" and documents:
            self.db.executemany("INSERT INTO issued VALUES (?,?,?,?,?)",
                                [(cur.lastrowid, d.case_id, d.doc_id, d.period, d.occurrence) for d in documents])

    def set_routed(self, journal_id: int, paths: list[str]) -> None:
        self.db.execute("UPDATE files SET detail=json_set(detail, '$.routed', json(?)) WHERE journal_id=?",
                        (json.dumps(paths, ensure_ascii=False), journal_id))

    def superseded(self, identity: str, journal_id: int) -> list[tuple[int, list[str]]]:
        rows = self.db.execute(
            "SELECT id, json_extract(detail, '$.routed') FROM files WHERE json_extract(detail, '$.identity')=? "
            "AND (journal_id IS NULL OR journal_id != ?) AND json_extract(detail, '$.retired') IS NULL "
            "AND json_extract(detail, '$.routed') IS NOT NULL ORDER BY id", (identity, journal_id))
        return [(i, json.loads(r)) for i, r in rows]

    def set_retired(self, file_ids: list[int]) -> None:
        self.db.executemany("UPDATE files SET detail=json_set(detail, '$.retired', json('true')) WHERE id=?",
                            [(i,) for i in file_ids])

    def files(self, limit: int = 50) -> list[FileRow]:
        return [_file_row(r) for r in self.db.execute(f"{self._FILE} ORDER BY id DESC LIMIT ?", (limit,))]

    # ------------------------------------------------------------ journal
    def journal_open(self, original: str, at: str, holder: str = "") -> int | None:
        row = self.db.execute("INSERT INTO journal (original, work, stage, at, holder) VALUES (?,?,?,?,?) "
                              "ON CONFLICT (original) DO NOTHING RETURNING id",
                              (original, "", JournalStage.CLAIMING, at, holder)).fetchone()
        return int(row[0]) if row else None

    def journal_set(self, journal_id: int, stage: str, work: str | None = None) -> None:
        if work is None:
            self.db.execute("UPDATE journal SET stage=? WHERE id=?", (stage, journal_id))
        else:
            self.db.execute("UPDATE journal SET stage=?, work=? WHERE id=?", (stage, work, journal_id))

    def journal_close(self, journal_id: int) -> None:
        self.db.execute("DELETE FROM journal WHERE id=?", (journal_id,))

    def journal_open_rows(self) -> list[JournalRow]:
        return [JournalRow(*r) for r in self.db.execute("SELECT id, original, work, stage, holder FROM journal "
                                                        "ORDER BY id")]

    def journal_take(self, journal_id: int, holder: str, was: str) -> bool:
        return self.db.execute("UPDATE journal SET holder=? WHERE id=? AND holder=? RETURNING id",
                               (holder, journal_id, was)).fetchone() is not None

    def journal_holder(self, journal_id: int) -> str | None:
        row = self.db.execute("SELECT holder FROM journal WHERE id=?", (journal_id,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ holders
    _NOW = "((julianday('now') - 2440587.5) * 86400.0)"

    def holder_beat(self, holder: str, host: str, pid: int, role: str, started: str) -> None:
        self.db.execute(f"INSERT INTO holders VALUES (?,?,?,?,?,{self._NOW}) ON CONFLICT (id) DO UPDATE SET "
                        f"beat={self._NOW}, role=excluded.role", (holder, host, pid, role, started))

    def holders(self) -> list[HolderRow]:
        return [HolderRow(r[0], r[1], int(r[2]), r[3], r[4], float(r[5]), float(r[6])) for r in self.db.execute(
            f"SELECT id, host, pid, role, started, beat, {self._NOW} - beat FROM holders ORDER BY started, id")]

    def holder_gone(self, holder: str) -> None:
        self.db.execute("DELETE FROM holders WHERE id=?", (holder,))

    # ------------------------------------------------------------ render queue
    _ITEM = "id, batch, mode, case_id, doc_id, period, occurrence, journal_id, attempts"
    _LOCK = ""            # PostgreSQL: FOR UPDATE SKIP LOCKED (SQLite's writers go one at a time anyway)

    def queue_put(self, batch: str, mode: str, items: list[DueDocument], journal_id: int | None = None) -> list[int]:
        return [int(self.db.execute(
            "INSERT INTO render_queue (batch, mode, case_id, doc_id, period, occurrence, journal_id) "
            "VALUES (?,?,?,?,?,?,?) RETURNING id", (batch, mode, d.case_id, d.doc_id, d.period, d.occurrence,
                                                     journal_id)).fetchone()[0]) for d in items]

    def queue_batch(self, batch: str, mode: str, items: list[DueDocument]) -> None:
        self.db.executemany("INSERT INTO render_queue (batch, mode, case_id, doc_id, period, occurrence) "
                            "VALUES (?,?,?,?,?,?)", [(batch, mode, d.case_id, d.doc_id, d.period, d.occurrence)
                                                     for d in items])

    def queue_take(self, holder: str, dead: list[str], lease: float, limit: int, *, ids: list[int] | None = None,
                   batch: str | None = None) -> list[QueueItem]:
        where = ["(state='queued' OR (state='taken' AND (holder = ? OR holder IN "
                 f"({','.join('?' * len(dead)) or chr(39) * 2}) OR holder NOT IN (SELECT id FROM holders WHERE "
                 f"beat > {self._NOW} - ?))))"]
        args: list[Any] = [holder, *dead, lease]
        if ids is not None:
            if not ids:
                return []
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args += ids
        if batch is not None:
            where.append("batch=?")
            args.append(batch)
        rows = self.db.execute(
            f"UPDATE render_queue SET state='taken', holder=?, attempts=attempts+1 WHERE id IN (SELECT id FROM "
            f"render_queue WHERE {' AND '.join(where)} ORDER BY id LIMIT ?{self._LOCK}) RETURNING {self._ITEM}",
            [holder, *args, limit]).fetchall()
        return sorted((QueueItem(*r) for r in rows), key=lambda q: q.id)

    def queue_done(self, item_id: int, holder: str, status: str, path: str, sha256: str, at: str) -> bool:
        row = self.db.execute(f"UPDATE render_queue SET state='done', status=?, path=?, sha256=? WHERE id=? AND "
                              f"holder=? AND state='taken' RETURNING {self._ITEM}",
                              (status, path, sha256, item_id, holder)).fetchone()
        if row is None:
            return False
        q = QueueItem(*row)
        self.db.execute("INSERT INTO render_log (item, batch, mode, case_id, doc_id, period, occurrence, holder, "
                        "attempts, status, path, sha256, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (q.id, q.batch, q.mode, q.case_id, q.doc_id, q.period, q.occurrence, holder, q.attempts,
                         status, path, sha256, at))
        return True

    def queue_left(self, batch: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM render_queue WHERE batch=? AND state != 'done'",
                                   (batch,)).fetchone()[0])

    def queue_results(self, batch: str) -> list[tuple[str, str, str]]:
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT path, status, sha256 FROM render_queue WHERE batch=? AND state='done' ORDER BY id", (batch,))]

    def queue_drop(self, batch: str) -> None:
        self.db.execute("DELETE FROM render_queue WHERE batch=?", (batch,))

    _LOG = ("item", "batch", "mode", "case_id", "doc_id", "period", "occurrence", "holder", "attempts", "status",
            "path", "sha256", "at")

    def render_log(self) -> list[dict[str, Any]]:
        return [dict(zip(self._LOG, r, strict=True)) for r in self.db.execute(
            f"SELECT {', '.join(self._LOG)} FROM render_log ORDER BY id")]

    # ------------------------------------------------------------ members
    def branches(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT branch FROM cases UNION SELECT branch FROM members")}

    def members(self, branch: str) -> dict[str, Member] | None:
        rows = list(self.db.execute("SELECT name, status, discipline FROM members WHERE branch=?", (branch,)))
        return {n: Member(n, s, bool(d)) for n, s, d in rows} if rows else None

    def set_member(self, branch: str, member: Member | None, name: str, sha256: str) -> None:
        self.db.execute("DELETE FROM members WHERE branch=? AND name=?", (branch, name))
        if member is not None:
            self.db.execute("INSERT INTO members VALUES (?,?,?,?,?)",
                            (branch, member.name, member.status, int(member.on_probation_discipline), sha256))

    def replace_members(self, branch: str, members: list[Member], sha256: str) -> None:
        self.db.execute("DELETE FROM members WHERE branch=?", (branch,))
        self.db.executemany("INSERT OR REPLACE INTO members VALUES (?,?,?,?,?)",
                            [(branch, m.name, m.status, int(m.on_probation_discipline), sha256) for m in members])

    # ------------------------------------------------------------ retries
    def retry_failed(self, original: str, reason: str, at: str) -> int:
        self.db.execute("INSERT INTO retries VALUES (?,1,?,?,?) ON CONFLICT(original) DO UPDATE SET "
                        "failures=failures+1, reason=excluded.reason, last_at=excluded.last_at",
                        (original, reason, at, at))
        return int(self.db.execute("SELECT failures FROM retries WHERE original=?", (original,)).fetchone()[0])

    def retry_clear(self, original: str) -> None:
        self.db.execute("DELETE FROM retries WHERE original=?", (original,))

    _RETRY = "SELECT original, failures, reason, first_at, last_at FROM retries"

    def retries(self) -> list[RetryRow]:
        return [RetryRow(*r) for r in self.db.execute(f"{self._RETRY} ORDER BY original")]

    def retry(self, original: str) -> RetryRow | None:
        row = self.db.execute(f"{self._RETRY} WHERE original=?", (original,)).fetchone()
        return RetryRow(*row) if row else None


def _number_row(r: tuple) -> DocNumber:
    return DocNumber(r[0], r[1], r[2], r[3], r[4], None if r[5] == -1 else r[5], r[6], r[7])


def _file_row(row: tuple[Any, ...]) -> FileRow:
    return FileRow(row[0], row[1], row[2], row[3], json.loads(row[4]),
                   [DueDocument.from_row(d) for d in json.loads(row[5])], row[6], row[7])


def _view_row(r: tuple) -> ViewRow:
    return ViewRow(r[0], r[1], r[2], r[3], int(r[4]), r[5], json.loads(r[6]))
