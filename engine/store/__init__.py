"""The store: small interfaces by job (``base``), the SQLite backend (the embedded default), the PostgreSQL one
(``postgres``: a server several machines share) and an in-memory one for tests. ``open_store(where)`` opens a
workspace's store: its SQLite file, or a ``postgresql://`` URL."""
from __future__ import annotations

from .base import (
    CaseRecord,
    CaseRow,
    CaseView,
    DocNumber,
    DueDocument,
    DueLine,
    DueRow,
    EventLog,
    FileLedger,
    FileRow,
    InboxStore,
    Journal,
    JournalRow,
    MemberRoster,
    ReportRun,
    Retries,
    RetryRow,
    Store,
    Transactional,
    ViewRow,
)
from .memory import MemoryStore
from .sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CaseRecord",
    "CaseRow",
    "CaseView",
    "DocNumber",
    "DueDocument",
    "DueLine",
    "DueRow",
    "EventLog",
    "FileLedger",
    "FileRow",
    "InboxStore",
    "Journal",
    "JournalRow",
    "MemberRoster",
    "MemoryStore",
    "ReportRun",
    "Retries",
    "RetryRow",
    "SqliteStore",
    "Store",
    "Transactional",
    "ViewRow",
    "open_store",
]


def open_store(path: object, schema: str = "docflow") -> SqliteStore:
    """The store of a workspace: its SQLite file, or a PostgreSQL server when ``path`` is a ``postgresql://`` URL
    (the workspace in ``schema``)."""
    text = str(path)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(text, schema)
    return SqliteStore(text)
