"""What the engine asks of a store, split by job — each a small interface a backend implements:

- ``EventLog``: the cases (identity of each: id, person key, branch, pack version) and their append-only
  events (the audit trail and the source of truth);
- ``FileLedger``: every file's outcome, by sha256 (what was decided, its receipt, the documents it made due,
  where its rejection was put);
- ``Journal``: files in flight (claimed but not yet routed), for recovery after a crash;
- ``MemberRoster``: the branches' member rosters (who may vote);
- ``CaseViews``: each case's current state as a projection of its events (stage, summary, its ledger row),
  written in the same transaction as the events and rebuildable from them (``docflow rebuild``), so status, the
  due list and the ledger cost what the number of cases costs, not the number of events;
- ``Outputs``: the sha256 of every document docflow wrote, so one staff edited is not overwritten;
- ``Retries``: inbox files that could not be taken yet (locked, unreadable) with their failure count, so the
  back-off and ``docflow status`` survive a restart.

``Store`` is all of them plus one transaction per file (``transaction``: all of its writes or none). The
backends: SQLite (``engine.store.sqlite``, the embedded default) and an in-memory one for tests
(``engine.store.memory``); both pass the same contract tests (tests/test_store.py).
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ..outcomes import DueDocument, Event, Member


class CaseRow(NamedTuple):
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
    documents: list[DueDocument]
    journal_id: int | None
    at: str


class JournalRow(NamedTuple):
    id: int
    original: str         # path inside the inbox
    work: str             # where the claimed file is (relative to the workspace)
    stage: str            # a JournalStage


@dataclass(frozen=True)
class RetryRow:
    original: str         # path inside the inbox
    failures: int
    reason: str           # the last failure (Chinese)
    first_at: str
    last_at: str


@dataclass(frozen=True)
class ViewRow:
    case_id: str
    name: str
    branch: str
    state: str            # the state id
    events: int           # how many events it was made from (a view is current when this equals the log's)
    summary: dict[str, Any]
    row: str              # the case's row of the ledger, as the ledger writer made it (opaque to the store)


class ViewLine(NamedTuple):
    """The light part of a view, for listing every case quickly (no summary to decode)."""

    case_id: str
    name: str
    branch: str
    text: str             # what status prints of it before what is due (opaque to the store)
    due: list[dict[str, Any]]
    since: str            # an imported case: the day it was imported ("" otherwise)


class Transactional(Protocol):
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside happen together or not at all (one per file). Not re-entrant."""


class EventLog(Protocol):
    def case_by_key(self, person_key: str) -> CaseRow | None: ...
    def case(self, case_id: str) -> CaseRow | None: ...
    def cases(self) -> list[CaseRow]:
        """Every case, in case-number order."""
    def new_case(self, year: int, person_key: str, name: str, branch: str, pack_version: str, at: str) -> str:
        """Number a new case in ``year`` (YYYY-NNNN, counting on past 9999) and record it; returns its id."""
    def append(self, case_id: str, events: list[Event], *, at: str, sha256: str, file_name: str,
               pack_version: str) -> None: ...
    def events(self, case_id: str) -> list[tuple[str, Event]]:
        """(when, event) in the order appended."""
    def audit(self, case_id: str) -> list[dict[str, Any]]:
        """id, at, kind, step, file, sha256 of each event, in order."""


class FileLedger(Protocol):
    def processed(self, sha256: str) -> FileRow | None:
        """The first file of this content that was processed (a later copy is a duplicate)."""
    def file_for_journal(self, journal_id: int) -> FileRow | None: ...
    def record_file(self, sha256: str, name: str, outcome: str, detail: dict[str, Any],
                    documents: list[DueDocument], journal_id: int | None, at: str) -> None: ...
    def set_routed(self, journal_id: int, paths: list[str]) -> None:
        """Where a file's rejection (or marked copy) was put in the rejected place."""
    def superseded(self, identity: str, journal_id: int) -> list[tuple[int, list[str]]]:
        """Earlier files of the same identity whose rejection is still in the rejected place."""
    def set_retired(self, file_ids: list[int]) -> None: ...
    def files(self, limit: int = 50) -> list[FileRow]:
        """The latest files, newest first."""
    def issued(self, case_id: str | None = None) -> list[DueDocument]:
        """Every document processed files made due (of one case, or all), in the order they were."""


class Outputs(Protocol):
    """What docflow wrote into outbox/ (by path relative to it) and the sha256 of what it wrote, so a file staff
    edited since is recognised (and not overwritten by a regeneration)."""

    def record_output(self, path: str, sha256: str, at: str) -> None: ...
    def output_hash(self, path: str) -> str | None: ...


class Journal(Protocol):
    def journal_open(self, original: str, at: str) -> int: ...
    def journal_set(self, journal_id: int, stage: str, work: str | None = None) -> None: ...
    def journal_close(self, journal_id: int) -> None: ...
    def journal_open_rows(self) -> list[JournalRow]: ...


class MemberRoster(Protocol):
    def members(self, branch: str) -> dict[str, Member] | None:
        """The branch's roster by name; None when the branch never had one."""
    def set_member(self, branch: str, member: Member | None, name: str, sha256: str) -> None:
        """A case that becomes a (probationary) member joins its branch roster; None removes it."""
    def replace_members(self, branch: str, members: list[Member], sha256: str) -> None: ...
    def branches(self) -> set[str]:
        """Every branch the store knows (of a case or of a member roster)."""


class CaseViews(Protocol):
    def put_view(self, case_id: str, state: str, events: int, summary: dict[str, Any], row: str, text: str = "",
                 soonest: str = "") -> None:
        """``text``: the case's lines of status; ``soonest``: the first date of what is due ("" none)."""
    def view_lines(self, until: str | None = None) -> list[ViewLine]:
        """Every case's light view, in case-number order; with ``until``, only cases with something due by then."""
    def ledger_rows(self) -> list[tuple[str, str]]:
        """(branch, ledger row) of every case, in case-number order."""
    def view(self, case_id: str) -> ViewRow | None: ...
    def views(self) -> list[ViewRow]:
        """Every case's view, in case-number order (cases without one are left out)."""
    def view_count(self) -> int: ...
    def event_count(self, case_id: str) -> int: ...


class Retries(Protocol):
    def retry_failed(self, original: str, reason: str, at: str) -> int:
        """Count one more failure to take ``original``; returns the count so far."""
    def retry_clear(self, original: str) -> None: ...
    def retries(self) -> list[RetryRow]:
        """In path order."""
    def retry(self, original: str) -> RetryRow | None: ...


class InboxStore(Transactional, Journal, Retries, Protocol):
    """What taking files out of the inbox and putting them back needs."""


class Store(Transactional, EventLog, FileLedger, Journal, MemberRoster, CaseViews, Outputs, Retries, Protocol):
    schema_version: int

    def close(self) -> None: ...
