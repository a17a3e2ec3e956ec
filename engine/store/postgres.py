"""The PostgreSQL store (psycopg 3): the same interfaces and the same schema as SQLite's, for a store several
machines share. Chosen by ``[store] url = "postgresql://…"`` in docflow.toml or ``DOCFLOW_DATABASE_URL``.

A workspace lives in its own PostgreSQL schema (``[store] schema``, default ``docflow``), so one server holds
many committees' workspaces side by side. The SQL is SQLite's wherever the two agree (this class reuses
``SqliteStore``'s methods through a connection that speaks ``?`` placeholders); the methods below are the ones
where the dialects differ (upserts, JSON, insertion order, returned ids).

A transaction is taken with ``pg_advisory_xact_lock`` on the workspace: writers to one workspace go one at a time
(the same guarantee SQLite's ``BEGIN IMMEDIATE`` gives), across processes and machines; readers never wait.
A server that cannot be reached is a ``StoreUnavailable`` (Chinese message): the inbox is left as it is.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import StoreUnavailable, WorkspaceError
from .base import DueDocument, ReportRun
from .sqlite import SCHEMA_VERSION, SqliteStore

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY, person_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, branch TEXT NOT NULL,
    pack_version TEXT NOT NULL, created_at TEXT NOT NULL, year INTEGER, seq INTEGER);
CREATE INDEX IF NOT EXISTS cases_number ON cases(year, seq);
CREATE TABLE IF NOT EXISTS events (
    id BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(case_id),
    kind TEXT NOT NULL, step TEXT NOT NULL, data TEXT NOT NULL, at TEXT NOT NULL,
    file_sha256 TEXT NOT NULL, file_name TEXT NOT NULL, pack_version TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_case ON events(case_id, id);
CREATE TABLE IF NOT EXISTS files (
    id BIGSERIAL PRIMARY KEY, sha256 TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
    detail JSONB NOT NULL, documents TEXT NOT NULL, journal_id BIGINT, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
CREATE INDEX IF NOT EXISTS files_journal ON files(journal_id);
CREATE INDEX IF NOT EXISTS files_identity ON files((detail->>'identity'));
CREATE TABLE IF NOT EXISTS journal (
    id BIGSERIAL PRIMARY KEY, original TEXT NOT NULL, work TEXT NOT NULL, stage TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    branch TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, discipline INTEGER NOT NULL,
    file_sha256 TEXT NOT NULL, PRIMARY KEY (branch, name));
CREATE TABLE IF NOT EXISTS retries (
    original TEXT PRIMARY KEY, failures INTEGER NOT NULL, reason TEXT NOT NULL,
    first_at TEXT NOT NULL, last_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS issued (
    id BIGSERIAL PRIMARY KEY, file_id BIGINT NOT NULL REFERENCES files(id), case_id TEXT NOT NULL,
    doc_id TEXT NOT NULL, period INTEGER, occurrence INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS issued_case ON issued(case_id, file_id);
CREATE TABLE IF NOT EXISTS views (
    case_id TEXT PRIMARY KEY REFERENCES cases(case_id), ord BIGINT NOT NULL UNIQUE, state TEXT NOT NULL,
    events INTEGER NOT NULL, made_with TEXT NOT NULL, summary TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS views_made ON views(made_with);
CREATE TABLE IF NOT EXISTS view_texts (
    ord BIGINT PRIMARY KEY, case_id TEXT NOT NULL, name TEXT NOT NULL, branch TEXT NOT NULL, since TEXT NOT NULL,
    text TEXT NOT NULL, due_text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS view_due (
    date TEXT NOT NULL, ord BIGINT NOT NULL, n INTEGER NOT NULL, case_id TEXT NOT NULL, name TEXT NOT NULL,
    branch TEXT NOT NULL, since TEXT NOT NULL, step TEXT NOT NULL, label TEXT NOT NULL, period INTEGER,
    earliest INTEGER NOT NULL, rule TEXT NOT NULL, cells BYTEA NOT NULL, PRIMARY KEY (date, ord, n));
CREATE INDEX IF NOT EXISTS view_due_case ON view_due(ord);
CREATE TABLE IF NOT EXISTS view_rows (ord BIGINT PRIMARY KEY, branch TEXT NOT NULL, row BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS view_records (
    ord BIGINT PRIMARY KEY, case_id TEXT NOT NULL, name TEXT NOT NULL, branch TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS view_records_branch ON view_records(branch, ord);
CREATE TABLE IF NOT EXISTS reports (
    id BIGSERIAL, kind TEXT NOT NULL, year INTEGER NOT NULL, quarter INTEGER NOT NULL, half INTEGER NOT NULL,
    branch TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (kind, year, quarter, half, branch));
ALTER TABLE journal ADD COLUMN IF NOT EXISTS holder TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN IF NOT EXISTS submitter TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS events_at ON events(at, id);
CREATE UNIQUE INDEX IF NOT EXISTS journal_original ON journal(original);
CREATE TABLE IF NOT EXISTS holders (id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, role TEXT NOT NULL,
    started TEXT NOT NULL, beat DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS render_queue (
    id BIGSERIAL PRIMARY KEY, batch TEXT NOT NULL, mode TEXT NOT NULL, case_id TEXT NOT NULL,
    doc_id TEXT NOT NULL, period INTEGER, occurrence INTEGER NOT NULL, journal_id BIGINT,
    state TEXT NOT NULL DEFAULT 'queued', holder TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT, path TEXT, sha256 TEXT);
CREATE INDEX IF NOT EXISTS render_queue_state ON render_queue(state, id);
CREATE INDEX IF NOT EXISTS render_queue_batch ON render_queue(batch, state);
CREATE INDEX IF NOT EXISTS render_queue_journal ON render_queue(journal_id);
CREATE TABLE IF NOT EXISTS render_log (
    id BIGSERIAL PRIMARY KEY, item BIGINT NOT NULL UNIQUE, batch TEXT NOT NULL, mode TEXT NOT NULL,
    case_id TEXT NOT NULL, doc_id TEXT NOT NULL, period INTEGER, occurrence INTEGER NOT NULL, holder TEXT NOT NULL,
    attempts INTEGER NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS numbers (
    id BIGSERIAL, prefix TEXT NOT NULL, year INTEGER NOT NULL, serial INTEGER NOT NULL, case_id TEXT NOT NULL,
    doc_id TEXT NOT NULL, period INTEGER NOT NULL, occurrence INTEGER NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (prefix, year, serial), UNIQUE (case_id, doc_id, period, occurrence));
"""

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class _Cursor:
    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def fetchone(self) -> Any:
        return self.cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self.cur.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.cur.fetchall() if self.cur.description else [])


def _dropped(exc: BaseException, url: str) -> StoreUnavailable:
    return StoreUnavailable(f"与数据库服务器的连接断开了（{_first_line(exc)}），文件留在原处，稍后自动重试",
                            place=_safe_url(url))


class _Connection:
    """psycopg behind the few calls the SQLite store makes: ``execute`` / ``executemany`` with ``?`` placeholders
    (none of the store's SQL has a literal question mark). A connection the server dropped (restarted, network)
    is opened again at the next call outside a transaction (never inside one: what the transaction wrote is
    gone with the old connection, and the transaction fails); until the server answers, each call raises
    ``StoreUnavailable`` — the watcher keeps the file and tries again later."""

    def __init__(self, conn: Any, url: str, schema: str) -> None:
        self.conn, self.url, self.schema = conn, url, schema
        self.in_transaction = False

    def ensure(self) -> None:
        import psycopg

        if not self.conn.closed and not self.conn.broken:
            return
        if self.in_transaction:
            raise _dropped(ConnectionError("事务进行中"), self.url)
        try:
            self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            self.conn.execute(f'SET search_path TO "{self.schema}"')
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"数据库服务器暂时连不上（{_first_line(exc)}），文件留在原处，稍后自动重试",
                                   place=_safe_url(self.url)) from None

    def execute(self, sql: str, args: Any = ()) -> _Cursor:
        sql, params = sql.replace("?", "%s"), tuple(args)
        return _Cursor(self._call(lambda: self.conn.execute(sql, params)))

    def executemany(self, sql: str, rows: Any) -> None:
        sql, rows = sql.replace("?", "%s"), list(rows)

        def run() -> None:
            with self.conn.cursor() as cur:
                cur.executemany(sql, rows)
        if rows:
            self._call(run)

    def _call(self, fn: Any) -> Any:
        import psycopg

        self.ensure()
        try:
            return fn()
        except psycopg.OperationalError as exc:
            raise _dropped(exc, self.url) from None

    def close(self) -> None:
        self.conn.close()


class PostgresStore(SqliteStore):
    def __init__(self, url: str, schema: str = "docflow") -> None:
        import psycopg

        if not _SCHEMA_NAME.fullmatch(schema):
            raise WorkspaceError(f"[store] schema 只能用小写字母、数字和下划线（“{schema}”不行）", place="docflow.toml")
        self.path = _safe_url(url)
        self.schema = schema
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"无法连接数据库服务器 {self.path}（{_first_line(exc)}）。收到的文件留在 inbox 中，"
                                   "服务器恢复后会照常处理", place=self.path) from None
        self.db = _Connection(conn, url, schema)   # type: ignore[assignment]
        self._lock_key = f"docflow:{schema}"
        try:
            self.schema_version = self._create()
        except BaseException:
            conn.close()
            raise

    def _create(self) -> int:
        with self.transaction():
            self.db.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self.db.execute(f'SET search_path TO "{self.schema}"')
            found = self.db.execute("SELECT to_regclass('meta')").fetchone()[0]
            version = 0
            if found is not None:
                row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise WorkspaceError(f"数据库由更新版本的 docflow 创建（结构版本 {version}，本程序只认识到 "
                                     f"{SCHEMA_VERSION}），请升级 docflow 后再打开", place=self.path)
            if version < SCHEMA_VERSION:
                for statement in DDL.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET "
                                "value = excluded.value", (str(SCHEMA_VERSION),))
        self.db.execute(f'SET search_path TO "{self.schema}"')
        return SCHEMA_VERSION

    def close(self) -> None:
        self.db.close()

    def locator(self) -> tuple[str, str]:
        return (self.db.url, self.schema)   # type: ignore[attr-defined]

    def reopen(self) -> PostgresStore:
        return PostgresStore(self.db.url, self.schema)   # type: ignore[attr-defined]

    @contextmanager
    def transaction(self, exclusive: bool = True) -> Iterator[None]:
        """``exclusive``: one writer of the workspace at a time (what a file's transaction needs); work items are
        taken without it, each row locked on its own (``FOR UPDATE SKIP LOCKED``)."""
        import psycopg

        db: _Connection = self.db   # type: ignore[assignment]
        db.ensure()
        try:
            with db.conn.transaction():
                db.in_transaction = True
                if exclusive:
                    db.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._lock_key,))
                yield
        except psycopg.OperationalError as exc:     # the server went away: nothing of this transaction stays
            raise _dropped(exc, self.path) from None
        finally:
            db.in_transaction = False

    # ------------------------------------------------------------ where the dialects differ
    def record_output(self, path: str, sha256: str, at: str) -> None:
        self.db.execute("INSERT INTO outputs VALUES (?,?,?) ON CONFLICT (path) DO UPDATE SET sha256=excluded.sha256, "
                        "at=excluded.at", (path, sha256, at))

    def record_report(self, made: ReportRun) -> None:
        self.db.execute("INSERT INTO reports (kind, year, quarter, half, branch, at) VALUES (?,?,?,?,?,?) "
                        "ON CONFLICT (kind, year, quarter, half, branch) DO UPDATE SET at=excluded.at",
                        (made.kind, made.year, made.quarter or 0, made.half or 0, made.branch or "", made.at))

    _ORDER = "id"
    _JSON_PARAM = "?::jsonb"

    def record_file(self, sha256: str, name: str, outcome: str, detail: dict[str, Any],
                    documents: list[DueDocument], journal_id: int | None, at: str) -> None:
        file_id = self.db.execute(
            "INSERT INTO files (sha256, name, outcome, detail, documents, journal_id, at) VALUES (?,?,?,?,?,?,?) "
            "RETURNING id", (sha256, name, outcome, json.dumps(detail, ensure_ascii=False),
                             json.dumps([list(d) for d in documents], ensure_ascii=False), journal_id, at)
        ).fetchone()[0]
        if outcome == "processed" and documents:
            self.db.executemany("INSERT INTO issued (file_id, case_id, doc_id, period, occurrence) "
                                "VALUES (%s,%s,%s,%s,%s)",
                                [(file_id, d.case_id, d.doc_id, d.period, d.occurrence) for d in documents])

    _FILE = "SELECT id, sha256, name, outcome, detail::text, documents, journal_id, at FROM files"

    def set_routed(self, journal_id: int, paths: list[str]) -> None:
        self.db.execute("UPDATE files SET detail = jsonb_set(detail, '{routed}', ?::jsonb) WHERE journal_id=?",
                        (json.dumps(paths, ensure_ascii=False), journal_id))

    def superseded(self, identity: str, journal_id: int) -> list[tuple[int, list[str]]]:
        rows = self.db.execute(
            "SELECT id, detail->'routed' FROM files WHERE detail->>'identity' = ? "
            "AND (journal_id IS NULL OR journal_id != ?) AND detail->'retired' IS NULL "
            "AND detail->'routed' IS NOT NULL AND jsonb_typeof(detail->'routed') != 'null' ORDER BY id",
            (identity, journal_id))
        return [(int(i), list(r)) for i, r in rows]

    def set_retired(self, file_ids: list[int]) -> None:
        self.db.executemany("UPDATE files SET detail = jsonb_set(detail, '{retired}', 'true'::jsonb) WHERE id=%s",
                            [(i,) for i in file_ids])

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """One process at a time in ``name`` across every machine on the workspace (a session advisory lock)."""
        key = f"{self._lock_key}:{name}"
        self.db.execute("SELECT pg_advisory_lock(hashtext(?))", (key,))
        try:
            yield
        finally:
            self.db.execute("SELECT pg_advisory_unlock(hashtext(?))", (key,))

    _NOW = "extract(epoch from clock_timestamp())"
    _LOCK = " FOR UPDATE SKIP LOCKED"

    def replace_members(self, branch: str, members: list[Any], sha256: str) -> None:
        self.db.execute("DELETE FROM members WHERE branch=?", (branch,))
        self.db.executemany("INSERT INTO members VALUES (%s,%s,%s,%s,%s) ON CONFLICT (branch, name) DO UPDATE SET "
                            "status=excluded.status, discipline=excluded.discipline, file_sha256=excluded.file_sha256",
                            [(branch, m.name, m.status, int(m.on_probation_discipline), sha256) for m in members])

    def retry_failed(self, original: str, reason: str, at: str) -> int:
        return int(self.db.execute(
            "INSERT INTO retries VALUES (?,1,?,?,?) ON CONFLICT (original) DO UPDATE SET "
            "failures=retries.failures+1, reason=excluded.reason, last_at=excluded.last_at RETURNING failures",
            (original, reason, at, at)).fetchone()[0])


def _safe_url(url: str) -> str:
    """The URL without its password (for messages)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
