"""store — SQLite from the standard library.

Tables: ``events`` (append-only, per case: the audit trail and the source of truth), ``cases`` (identity
of each case: id, person key, branch, pack version), ``files`` (every file's outcome, by sha256),
``journal`` (files in flight: claimed but not yet routed), ``members`` (the branches' member rosters),
``retries`` (inbox files that could not be taken yet — locked, unreadable — with their failure count, so
the back-off and ``docflow status`` survive a restart). One transaction per file.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .outcomes import Event, JournalStage, Member

SCHEMA = """
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


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    person_key: str
    name: str
    branch: str
    pack_version: str


@dataclass(frozen=True)
class FileRow:
    id: int
    sha256: str
    name: str
    outcome: str
    detail: dict[str, Any]
    documents: list[list[Any]]
    journal_id: int | None
    at: str


@dataclass(frozen=True)
class RetryRow:
    original: str         # path inside the inbox
    failures: int
    reason: str           # the last failure (Chinese)
    first_at: str
    last_at: str


class Store:
    def __init__(self, path: Path | str = ":memory:") -> None:
        # one engine thread uses the store at a time; it may not be the thread that opened it (tests, services)
        self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL" if str(path) != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ cases and events
    def case_by_key(self, person_key: str) -> CaseRow | None:
        row = self.db.execute("SELECT case_id, person_key, name, branch, pack_version FROM cases WHERE person_key=?",
                              (person_key,)).fetchone()
        return CaseRow(*row) if row else None

    def case(self, case_id: str) -> CaseRow | None:
        row = self.db.execute("SELECT case_id, person_key, name, branch, pack_version FROM cases WHERE case_id=?",
                              (case_id,)).fetchone()
        return CaseRow(*row) if row else None

    def cases(self) -> list[CaseRow]:
        rows = self.db.execute("SELECT case_id, person_key, name, branch, pack_version FROM cases ORDER BY case_id")
        return [CaseRow(*r) for r in rows]

    def new_case(self, year: int, person_key: str, name: str, branch: str, pack_version: str, at: str) -> str:
        prefix = f"{year}-"
        last = self.db.execute("SELECT max(case_id) FROM cases WHERE case_id LIKE ?", (prefix + "%",)).fetchone()[0]
        seq = int(last.split("-")[1]) + 1 if last else 1
        case_id = f"{prefix}{seq:04d}"
        self.db.execute("INSERT INTO cases VALUES (?,?,?,?,?,?)", (case_id, person_key, name, branch, pack_version, at))
        return case_id

    def append(self, case_id: str, events: list[Event], *, at: str, sha256: str, file_name: str,
               pack_version: str) -> None:
        self.db.executemany(
            "INSERT INTO events (case_id, kind, step, data, at, file_sha256, file_name, pack_version) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(case_id, e.kind, e.step, json.dumps(e.data, ensure_ascii=False), at, sha256, file_name, pack_version)
             for e in events])

    def events(self, case_id: str) -> list[tuple[str, Event]]:
        rows = self.db.execute("SELECT at, kind, step, data FROM events WHERE case_id=? ORDER BY id", (case_id,))
        return [(at, Event(kind, step, json.loads(data))) for at, kind, step, data in rows]

    def audit(self, case_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, at, kind, step, file_name, file_sha256 FROM events WHERE case_id=? ORDER BY id",
                               (case_id,))
        return [dict(zip(("id", "at", "kind", "step", "file", "sha256"), r)) for r in rows]

    # ------------------------------------------------------------ files
    def processed(self, sha256: str) -> FileRow | None:
        row = self.db.execute(f"SELECT {_FILE_COLS} FROM files WHERE sha256=? AND outcome='processed' ORDER BY id LIMIT 1",
                              (sha256,)).fetchone()
        return _file_row(row) if row else None

    def file_for_journal(self, journal_id: int) -> FileRow | None:
        row = self.db.execute(f"SELECT {_FILE_COLS} FROM files WHERE journal_id=?", (journal_id,)).fetchone()
        return _file_row(row) if row else None

    def record_file(self, sha256: str, name: str, outcome: str, detail: dict[str, Any],
                    documents: list[list[Any]], journal_id: int | None, at: str) -> None:
        self.db.execute("INSERT INTO files (sha256, name, outcome, detail, documents, journal_id, at) VALUES (?,?,?,?,?,?,?)",
                        (sha256, name, outcome, json.dumps(detail, ensure_ascii=False),
                         json.dumps(documents, ensure_ascii=False), journal_id, at))

    def set_routed(self, journal_id: int, paths: list[str]) -> None:
        """Where a file's rejection (or marked copy) was put in the rejected place."""
        self.db.execute("UPDATE files SET detail=json_set(detail, '$.routed', json(?)) WHERE journal_id=?",
                        (json.dumps(paths, ensure_ascii=False), journal_id))

    def superseded(self, identity: str, journal_id: int) -> list[tuple[int, list[str]]]:
        """Earlier files of the same identity whose rejection is still in the rejected place."""
        rows = self.db.execute(
            "SELECT id, json_extract(detail, '$.routed') FROM files WHERE json_extract(detail, '$.identity')=? "
            "AND (journal_id IS NULL OR journal_id != ?) AND json_extract(detail, '$.retired') IS NULL "
            "AND json_extract(detail, '$.routed') IS NOT NULL", (identity, journal_id))
        return [(i, json.loads(r)) for i, r in rows]

    def set_retired(self, file_ids: list[int]) -> None:
        self.db.executemany("UPDATE files SET detail=json_set(detail, '$.retired', json('true')) WHERE id=?",
                            [(i,) for i in file_ids])

    def files(self, limit: int = 50) -> list[FileRow]:
        rows = self.db.execute(f"SELECT {_FILE_COLS} FROM files ORDER BY id DESC LIMIT ?", (limit,))
        return [_file_row(r) for r in rows]

    # ------------------------------------------------------------ journal
    def journal_open(self, original: str, at: str) -> int:
        cur = self.db.execute("INSERT INTO journal (original, work, stage, at) VALUES (?,?,?,?)",
                              (original, "", JournalStage.CLAIMING, at))
        return int(cur.lastrowid)

    def journal_set(self, journal_id: int, stage: str, work: str | None = None) -> None:
        if work is None:
            self.db.execute("UPDATE journal SET stage=? WHERE id=?", (stage, journal_id))
        else:
            self.db.execute("UPDATE journal SET stage=?, work=? WHERE id=?", (stage, work, journal_id))

    def journal_close(self, journal_id: int) -> None:
        self.db.execute("DELETE FROM journal WHERE id=?", (journal_id,))

    def journal_open_rows(self) -> list[tuple[int, str, str, str]]:
        return list(self.db.execute("SELECT id, original, work, stage FROM journal ORDER BY id"))

    def branches(self) -> set[str]:
        """Every branch the store knows (of a case or of a member roster)."""
        rows = self.db.execute("SELECT branch FROM cases UNION SELECT branch FROM members")
        return {r[0] for r in rows}

    # ------------------------------------------------------------ members
    def members(self, branch: str) -> dict[str, Member] | None:
        rows = list(self.db.execute("SELECT name, status, discipline FROM members WHERE branch=?", (branch,)))
        return {n: Member(n, s, bool(d)) for n, s, d in rows} if rows else None

    def set_member(self, branch: str, member: Member | None, name: str, sha256: str) -> None:
        """A case that becomes a (probationary) member joins its branch roster; None removes it."""
        self.db.execute("DELETE FROM members WHERE branch=? AND name=?", (branch, name))
        if member is not None:
            self.db.execute("INSERT INTO members VALUES (?,?,?,?,?)",
                            (branch, member.name, member.status, int(member.on_probation_discipline), sha256))

    def replace_members(self, branch: str, members: list[Member], sha256: str) -> None:
        self.db.execute("DELETE FROM members WHERE branch=?", (branch,))
        self.db.executemany("INSERT OR REPLACE INTO members VALUES (?,?,?,?,?)",
                            [(branch, m.name, m.status, int(m.on_probation_discipline), sha256) for m in members])

    # ------------------------------------------------------------ retries (files that could not be taken yet)
    def retry_failed(self, original: str, reason: str, at: str) -> int:
        """Count one more failure to take ``original``; returns the count so far."""
        self.db.execute("INSERT INTO retries VALUES (?,1,?,?,?) ON CONFLICT(original) DO UPDATE SET "
                        "failures=failures+1, reason=excluded.reason, last_at=excluded.last_at",
                        (original, reason, at, at))
        return int(self.db.execute("SELECT failures FROM retries WHERE original=?", (original,)).fetchone()[0])

    def retry_clear(self, original: str) -> None:
        self.db.execute("DELETE FROM retries WHERE original=?", (original,))

    def retries(self) -> list[RetryRow]:
        rows = self.db.execute("SELECT original, failures, reason, first_at, last_at FROM retries ORDER BY original")
        return [RetryRow(*r) for r in rows]

    def retry(self, original: str) -> RetryRow | None:
        row = self.db.execute("SELECT original, failures, reason, first_at, last_at FROM retries WHERE original=?",
                              (original,)).fetchone()
        return RetryRow(*row) if row else None


_FILE_COLS = "id, sha256, name, outcome, detail, documents, journal_id, at"


def _file_row(row: tuple) -> FileRow:
    return FileRow(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), row[6], row[7])
