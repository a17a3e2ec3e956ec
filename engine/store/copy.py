"""``docflow store copy --to URL``: a workspace's store copied into another (its SQLite file into a PostgreSQL
server), every table row for row in the order written — events, file records, members, views, numbers, outputs,
reports, the render queue and its log, the workspace's secrets (not the processes alive: they are the old store's)
— in one transaction on the target; and ``export``, the full content of a store in a form two backends can be
compared by (what the copy is checked against)."""
from __future__ import annotations

from typing import Any

from ..errors import WorkspaceError
from .sqlite import SqliteStore

# table → its columns as both backends have them, and the column that orders its rows (insertion order)
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "cases": (("case_id", "person_key", "name", "branch", "pack_version", "created_at", "year", "seq"), "year, seq"),
    "events": (("id", "case_id", "kind", "step", "data", "at", "file_sha256", "file_name", "pack_version",
                "submitter"), "id"),
    "files": (("id", "sha256", "name", "outcome", "detail", "documents", "journal_id", "at"), "id"),
    "journal": (("id", "original", "work", "stage", "at", "holder"), "id"),
    "members": (("branch", "name", "status", "discipline", "file_sha256"), "branch, name"),
    "retries": (("original", "failures", "reason", "first_at", "last_at"), "original"),
    "outputs": (("path", "sha256", "at"), "path"),
    "issued": (("file_id", "case_id", "doc_id", "period", "occurrence"), "{order}"),
    "views": (("case_id", "ord", "state", "events", "made_with", "summary"), "ord"),
    "view_texts": (("ord", "case_id", "name", "branch", "since", "text", "due_text"), "ord"),
    "view_due": (("date", "ord", "n", "case_id", "name", "branch", "since", "step", "label", "period", "earliest",
                  "rule", "cells"), "date, ord, n"),
    "view_rows": (("ord", "branch", "row"), "ord"),
    "view_records": (("ord", "case_id", "name", "branch", "record"), "ord"),
    "reports": (("kind", "year", "quarter", "half", "branch", "at"), "{order}"),
    "numbers": (("prefix", "year", "serial", "case_id", "doc_id", "period", "occurrence", "at"), "{order}"),
    "render_queue": (("id", "batch", "mode", "case_id", "doc_id", "period", "occurrence", "journal_id", "state",
                      "holder", "attempts", "status", "path", "sha256"), "id"),
    "render_log": (("id", "item", "batch", "mode", "case_id", "doc_id", "period", "occurrence", "holder", "attempts",
                    "status", "path", "sha256", "at"), "id"),
}
# their ids are kept; the target's sequences go on after them
SERIALS = ("events", "files", "journal", "render_queue", "render_log")


def _order(store: SqliteStore, spec: str) -> str:
    """Insertion order: SQLite's rowid, PostgreSQL's id column."""
    from .postgres import PostgresStore

    return spec.replace("{order}", "id" if isinstance(store, PostgresStore) else "rowid")


def _rows(store: SqliteStore, table: str) -> list[tuple[Any, ...]]:
    cols, order = TABLES[table]
    select = ", ".join(f"{c}::text" if c == "detail" and _is_pg(store) else c for c in cols)
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
            for r in store.db.execute(f"SELECT {select} FROM {table} ORDER BY {_order(store, order)}")]


def _is_pg(store: SqliteStore) -> bool:
    from .postgres import PostgresStore

    return isinstance(store, PostgresStore)


def export(store: SqliteStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in insertion order, JSON columns as text in one normal form."""
    import json

    out = {}
    for table in TABLES:
        rows = _rows(store, table)
        if table == "files":      # JSON text: the same document, whatever the backend's spacing and key order
            rows = [(*r[:4], json.dumps(json.loads(r[4]), sort_keys=True, ensure_ascii=False), *r[5:]) for r in rows]
        out[table] = rows
    return out


def copy_store(source: SqliteStore, target: SqliteStore) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``, which must be empty (one transaction; nothing is written
    when anything fails). Returns the rows copied per table."""
    if target.case_count() or target.files(1) or target.journal_open_rows():
        raise WorkspaceError("目标数据库中已有案卷或文件记录，不能复制进去（请指定一个新的空数据库或 schema）",
                             place=getattr(target, "path", ""))
    counts = {}
    with target.transaction():
        for table in TABLES:
            cols, _ = TABLES[table]
            rows = _rows(source, table)
            if table == "files" and _is_pg(target):
                marks = ", ".join("?::jsonb" if c == "detail" else "?" for c in cols)
            else:
                marks = ", ".join("?" for _ in cols)
            target.db.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
            counts[table] = len(rows)
        secrets = list(source.db.execute("SELECT key, value FROM meta WHERE key LIKE 'secret:%' ORDER BY key"))
        target.db.executemany("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                              [tuple(r) for r in secrets])     # the key forms are signed with goes along
        counts["secrets"] = len(secrets)
        if _is_pg(target):
            for table in SERIALS:
                target.db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)")
    return counts
