"""The store: small interfaces by job (``base``), the SQLite backend (the embedded default) and an
in-memory one for tests. ``open_store(path)`` opens a workspace's SQLite database."""
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


def open_store(path: object) -> SqliteStore:
    """The store of a workspace (its database file)."""
    return SqliteStore(str(path))
