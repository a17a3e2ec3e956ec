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
  back-off and ``docflow status`` survive a restart;
- ``Holders``: the processes taking work (watchers, render workers), with a heartbeat each;
- ``RenderQueue``: documents to render as work items any process may take, done once, logged.

``Store`` is all of them plus one transaction per file (``transaction``: all of its writes or none). The
backends: SQLite (``engine.store.sqlite``, the embedded default) and an in-memory one for tests
(``engine.store.memory``); both pass the same contract tests (tests/test_store.py).
"""
from __future__ import annotations

from collections.abc import Iterator
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
    holder: str = ""      # the process that claimed it ('' before schema 8: anyone's)


class HolderRow(NamedTuple):
    """A process that takes work from the store (a watcher, a render worker), and when it last said it was alive
    (``beat``, seconds since the epoch by the store's clock, and ``age``, seconds since then, ditto)."""
    id: str
    host: str
    pid: int
    role: str
    started: str
    beat: float
    age: float


class QueueItem(NamedTuple):
    """A document to render, as a work item any process may take: ``mode`` says how (``due``: a document a file
    made due; ``regenerate`` / ``force`` / ``dry``: a batch of ``docflow regenerate``)."""
    id: int
    batch: str
    mode: str
    case_id: str
    doc_id: str
    period: int | None
    occurrence: int
    journal_id: int | None
    attempts: int

    @property
    def due(self) -> DueDocument:
        return DueDocument(self.case_id, self.doc_id, self.period, self.occurrence)


@dataclass(frozen=True)
class RetryRow:
    original: str         # path inside the inbox
    failures: int
    reason: str           # the last failure (Chinese)
    first_at: str
    last_at: str


class DueLine(NamedTuple):
    """One item due of a case (a step it may take now, or a reminder), as the case's view keeps it."""

    step: str
    label: str
    period: int | None
    date: str             # ISO; "" when the step has no date
    earliest: bool        # ``date`` is the earliest day it may be taken, not a deadline
    rule: str             # the rule behind the date, in words
    cells: bytes = b""    # its row of the due list, as far as it does not depend on the day (opaque to the store)


@dataclass(frozen=True)
class CaseView:
    """What the engine keeps of a case beside its events (made by engine.views, opaque to the store but for
    ``due`` and ``since``): its state, how many events it was made from (current when that equals the log's),
    what it was made with (pack version and settings), its summary (status --json), its lines of status and
    what is due (as status lists them, and as items for the due list), its ledger row (XML, UTF-8) and its
    record for the reports (JSON, "" for a pack without reports)."""

    state: str
    events: int
    made_with: str
    summary: dict[str, Any]
    text: str = ""
    due_text: str = ""    # what is due, as status lists it (opaque to the store)
    due: tuple[DueLine, ...] = ()
    since: str = ""       # an imported case: the day it was imported ("" otherwise)
    row: bytes = b""
    record: str = ""


@dataclass(frozen=True)
class ViewRow:
    case_id: str
    name: str
    branch: str
    state: str            # the state id
    events: int
    made_with: str
    summary: dict[str, Any]


class DueRow(NamedTuple):
    """An item due with its case, for the due list and status (see ``CaseViews.due_rows``)."""

    case_id: str
    name: str
    branch: str
    since: str
    step: str
    label: str
    period: int | None
    date: str
    earliest: bool
    rule: str
    cells: bytes


class ReportRun(NamedTuple):
    kind: str
    year: int
    quarter: int | None
    half: int | None
    branch: str | None
    at: str


class DocNumber(NamedTuple):
    """A 发文字号 docflow allocated: ``prefix``〔``year``〕``serial``号, for one document of one case."""

    prefix: str
    year: int
    serial: int
    case_id: str
    doc_id: str
    period: int | None
    occurrence: int
    at: str

    @property
    def text(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


class CaseRecord(NamedTuple):
    case_id: str
    name: str
    branch: str
    record: str


class Transactional(Protocol):
    def transaction(self, exclusive: bool = True) -> AbstractContextManager[None]:
        """All writes inside happen together or not at all (one per file). Not re-entrant. ``exclusive``: writers
        of the workspace one at a time (a file's changes); False for work items that lock their own rows."""


class EventLog(Protocol):
    def case_by_key(self, person_key: str) -> CaseRow | None: ...
    def case(self, case_id: str) -> CaseRow | None: ...
    def cases(self) -> list[CaseRow]:
        """Every case, in case-number order."""
    def case_count(self) -> int: ...
    def new_case(self, year: int, person_key: str, name: str, branch: str, pack_version: str, at: str) -> str:
        """Number a new case in ``year`` (YYYY-NNNN, counting on past 9999) and record it; returns its id."""
    def append(self, case_id: str, events: list[Event], *, at: str, sha256: str, file_name: str,
               pack_version: str, submitter: str = "") -> None:
        """``submitter``: who handed the file in (engine.inbox.submitter's JSON)."""
    def events(self, case_id: str) -> list[tuple[str, Event]]:
        """(when, event) in the order appended."""
    def audit(self, case_id: str) -> list[dict[str, Any]]:
        """id, at, kind, step, file, sha256, submitter, case_id of each event, in order."""
    def event_log(self) -> Iterator[tuple[dict[str, Any], Event]]:
        """Every event with its audit row, case by case (in case-id order), each case's in order: one read."""
    def audit_since(self, since: str = "") -> list[dict[str, Any]]:
        """The same for every event of every case stored at or after ``since`` (ISO), in order."""
    def purge_case(self, case_id: str, name: str, person_key: str, events: list[tuple[int, dict[str, Any]]],
                   files: list[tuple[int, dict[str, Any]]], paths: str) -> None:
        """``docflow purge``: the case's name and person key, its events' data (by event id) and its files' details
        (by file id) replaced; what the stores kept of the documents under ``paths`` (an outbox prefix) forgotten."""
    def secret(self, name: str, make: str) -> str:
        """The workspace's secret ``name``; ``make`` is stored when there is none yet (the first caller's wins)."""


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
    def record_report(self, made: ReportRun) -> None:
        """A report that was made (``regenerate`` makes each again); the same report again replaces it."""
    def reports_made(self) -> list[ReportRun]:
        """In the order first made."""
    def number(self, prefix: str, year: int, case_id: str, doc_id: str, period: int | None, occurrence: int,
               at: str) -> DocNumber:
        """The 发文字号 of one document: the one it was given before, else the next serial of ``prefix`` in
        ``year`` (sequential, never reused: numbers are never deleted)."""
    def numbers(self, case_id: str | None = None) -> list[DocNumber]:
        """Every number allocated (of one case, or all), in the order allocated."""


class Journal(Protocol):
    def journal_open(self, original: str, at: str, holder: str = "") -> int | None:
        """The claim row of a file in the inbox; None when an open row for ``original`` exists already (another
        process holds that file: one row per inbox path, a unique key, so two claims of one file cannot both
        succeed)."""
    def journal_set(self, journal_id: int, stage: str, work: str | None = None) -> None: ...
    def journal_close(self, journal_id: int) -> None: ...
    def journal_open_rows(self) -> list[JournalRow]: ...
    def journal_take(self, journal_id: int, holder: str, was: str) -> bool:
        """Take over a row from ``was`` (a holder found dead): compare-and-set, so of two takers one wins."""
    def journal_holder(self, journal_id: int) -> str | None:
        """Who holds the row now (None: closed)."""


class Holders(Protocol):
    """The processes taking work from the store, each beating (``holder_beat``) while alive; a claim or a work item
    whose holder stopped beating is taken over (see ``engine.work.holder``)."""

    def holder_beat(self, holder: str, host: str, pid: int, role: str, started: str) -> None: ...
    def holders(self) -> list[HolderRow]: ...
    def holder_gone(self, holder: str) -> None: ...


class RenderQueue(Protocol):
    """Documents to render as work items: put in the same transaction as what makes them due, taken by any
    process (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: takers never wait for each other), done once — marking one
    done is fenced by its holder and logged in ``render_log`` (one row per item at most: a unique key)."""

    def queue_put(self, batch: str, mode: str, items: list[DueDocument], journal_id: int | None = None) -> list[int]:
        """The new items' ids, in order."""
    def queue_batch(self, batch: str, mode: str, items: list[DueDocument]) -> None:
        """Many items at once (a regeneration's), in order."""
    def queue_take(self, holder: str, dead: list[str], lease: float, limit: int, *, ids: list[int] | None = None,
                   batch: str | None = None) -> list[QueueItem]:
        """Up to ``limit`` items not done and not held by a live holder, now held by ``holder``; only ``ids`` or one
        ``batch`` when given. An item's holder is dead when it is in ``dead`` (known gone, e.g. its process is not
        running here) or has not beaten for ``lease`` seconds — judged in the same statement, so a holder that
        started a moment ago is never taken for dead. Items ``holder`` holds already (an engine of this process
        that stopped midway) are taken again."""
    def queue_done(self, item_id: int, holder: str, status: str, path: str, sha256: str, at: str) -> bool:
        """Mark an item done (``status``: written / unchanged / kept) and log it; False when ``holder`` no longer
        holds it (taken over meanwhile): nothing is marked."""
    def queue_left(self, batch: str) -> int:
        """Items of ``batch`` not done."""
    def queue_results(self, batch: str) -> list[tuple[str, str, str]]:
        """(path, status, sha256) of every done item of ``batch``, in item order."""
    def queue_drop(self, batch: str) -> None:
        """Forget a finished batch's items (its log stays)."""
    def render_log(self) -> list[dict[str, Any]]:
        """Every render done, in order: item, case, document, period, occurrence, mode, holder, status, at."""


class MemberRoster(Protocol):
    def members(self, branch: str) -> dict[str, Member] | None:
        """The branch's roster by name; None when the branch never had one."""
    def set_member(self, branch: str, member: Member | None, name: str, sha256: str) -> None:
        """A case that becomes a (probationary) member joins its branch roster; None removes it."""
    def replace_members(self, branch: str, members: list[Member], sha256: str) -> None: ...
    def branches(self) -> set[str]:
        """Every branch the store knows (of a case or of a member roster)."""


class CaseViews(Protocol):
    """Each part of a view is read by what needs it, in case-number order, without decoding the rest: status the
    texts and what is due, the due list what is due by a day, the ledger the rows, the reports the records."""

    def put_view(self, case_id: str, view: CaseView) -> None: ...
    def view(self, case_id: str) -> ViewRow | None: ...
    def views(self) -> list[ViewRow]:
        """Every case's view (cases without one are left out)."""
    def view_texts(self) -> list[tuple[str, str, str]]:
        """(case id, its lines of status, what is due as status lists it) of every case."""
    def due_rows(self, until: str | None = None, today: str | None = None) -> list[DueRow]:
        """What is due, soonest first (then by case, in the view's order; undated first). With ``until``, only
        what has a date on or before it; with ``today``, not what may be taken already (an earliest day on or
        before today) nor a deadline from before the case was imported (``since``)."""
    def ledger_rows(self) -> list[tuple[str, bytes]]:
        """(branch, ledger row) of every case."""
    def records(self, branch: str | None = None) -> list[CaseRecord]:
        """The reports' record of every case (of one branch)."""
    def view_count(self) -> int: ...
    def views_made_otherwise(self, made_with: str) -> int:
        """How many views were made with something other than ``made_with``."""
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


class Store(Transactional, EventLog, FileLedger, Journal, MemberRoster, CaseViews, Outputs, Retries, Holders,
            RenderQueue, Protocol):
    schema_version: int

    def close(self) -> None: ...
    def section(self, name: str) -> AbstractContextManager[None]:
        """One process at a time inside (across machines on a shared server), without a transaction."""
    @property
    def shareable(self) -> bool:
        """Can other connections (threads, processes, machines) open this store (``locator``)?"""
    def locator(self) -> tuple[str, str]:
        """What ``open_store`` takes to open this store again (in another process)."""
