"""Typed values that flow along the road: findings, decisions and the outcome of one file."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal, NamedTuple


class Severity(StrEnum):
    REFUSE = "refuse"          # the file (or the roster row) is refused
    WARN = "warn"              # recorded and told, nothing refused


class OutcomeKind(StrEnum):
    PROCESSED = "processed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    NOT_READY = "not_ready"


class EventKind(StrEnum):
    CASE_CREATED = "case_created"
    STEP_DONE = "step_done"
    STEP_CORRECTED = "step_corrected"


class JournalStage(StrEnum):
    """Where a file in flight is (see ``claim``): in the work folder being read, read, or stored."""

    CLAIMING = "claiming"
    CLAIMED = "claimed"
    STORED = "stored"


class Code(StrEnum):
    """The reason codes the engine gives a finding (a pack's own rules may add codes of their own)."""

    BRANCH_NEW = "branch_new"
    BRANCH_UNKNOWN = "branch_unknown"
    CALENDAR_FALLBACK = "calendar_fallback"
    CORRECTION = "correction"
    CORRUPT_XLSX = "corrupt_xlsx"
    CORRUPT_ZIP = "corrupt_zip"
    COUNT_OUT_OF_RANGE = "count_out_of_range"
    DATE_IN_FUTURE = "date_in_future"
    DUPLICATE_PERSON = "duplicate_person"
    DUPLICATE_ROW = "duplicate_row"
    EMPTY_FILE = "empty_file"
    EMPTY_ROSTER = "empty_roster"
    FORM_PERSON_MISMATCH = "form_person_mismatch"
    FORMULA_IN_INPUT = "formula_in_input"
    ID_BIRTH_MISMATCH = "id_birth_mismatch"
    ID_NUMBER_INVALID = "id_number_invalid"
    INTERNAL_ERROR = "internal_error"
    INTERVAL_TOO_LONG = "interval_too_long"
    INTERVAL_TOO_SHORT = "interval_too_short"
    INVALID_VALUE = "invalid_value"
    LEDGER_GAP = "ledger_gap"
    LEDGER_STAGE_UNSUPPORTED = "ledger_stage_unsupported"
    MISSING_COLUMN = "missing_column"
    MISSING_EARLIER_STEP = "missing_earlier_step"
    MISSING_REQUIRED = "missing_required"
    NO_CASE = "no_case"
    NO_MEMBER_ROSTER = "no_member_roster"
    NO_STEP = "no_step"
    NOT_FULL_MEMBER = "not_full_member"
    NOT_OFFICE = "not_office"
    NUMBER_OUT_OF_RANGE = "number_out_of_range"
    OLD_OR_ENCRYPTED = "old_or_encrypted"
    OVER_AGE = "over_age"
    PERIOD_ON_PAPER = "period_on_paper"
    PERIOD_OUT_OF_ORDER = "period_out_of_order"
    PERIOD_OVERDUE = "period_overdue"
    PERIODS_MISSING = "periods_missing"
    SIGNATURE_INVALID = "signature_invalid"
    SPAN_TOO_SHORT = "span_too_short"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    TRAINING_TOO_SHORT = "training_too_short"
    UNDER_AGE = "under_age"
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_FORM = "unknown_form"
    VALUE_NOT_ALLOWED = "value_not_allowed"
    VOTE_BALLOTS_VOID = "vote_ballots_void"
    VOTE_COUNT_MISMATCH = "vote_count_mismatch"
    VOTE_DUE_WRONG = "vote_due_wrong"
    VOTE_EXCLUDED_NOT_VOTING = "vote_excluded_not_voting"
    VOTE_EXCLUDED_REASON = "vote_excluded_reason"
    VOTE_EXCLUDED_UNKNOWN = "vote_excluded_unknown"
    VOTE_ISSUED_EXCEEDS = "vote_issued_exceeds"
    VOTE_MEMBERS_MISMATCH = "vote_members_mismatch"
    VOTE_NO_QUORUM = "vote_no_quorum"
    VOTE_OUTCOME_MISMATCH = "vote_outcome_mismatch"
    VOTE_PRESENT_EXCEEDS = "vote_present_exceeds"
    VOTE_WRITTEN_EXCEEDS = "vote_written_exceeds"
    WRONG_BRANCH_FOLDER = "wrong_branch_folder"
    WRONG_PACK = "wrong_pack"
    WRONG_STEP = "wrong_step"
    XML_ENTITIES = "xml_entities"
    ZIP_BOMB = "zip_bomb"


@dataclass(frozen=True)
class Finding:
    """One problem found in a submission. ``place`` is where staff find it (sheet!cell, table row...)."""

    code: str
    message: str                  # what is wrong (Chinese)
    fix: str = ""                 # how to fix it (Chinese)
    field: str = ""               # field key
    label: str = ""               # field label (Chinese)
    place: str = ""               # sheet!cell, bookmark, row number...
    severity: Severity = Severity.REFUSE
    article: str = ""
    ref: str = ""                 # machine reference for marking: "sheet!A1"

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        return cls(**d)


@dataclass(frozen=True)
class Member:
    """A member of a branch, as its member roster has them."""

    name: str
    status: str                          # one of the pack's member statuses (e.g. 正式党员 / 预备党员)
    on_probation_discipline: bool = False  # under discipline (留党察看 / 留团察看): no vote meanwhile


@dataclass(frozen=True)
class Identity:
    """Which form (and which case) a file holds, as identification found it."""

    form_id: str
    kind: str                      # "form" | "roster"
    case_id: str = ""
    pack_version: str = ""
    period: int | None = None
    how: str = ""                  # properties | marks | headers
    sheet: str = ""                # a roster: the sheet its header was found on
    signature: str = ""            # a form: verified | unverified (engine.signing); "" not checked

    def key(self, name: str) -> str:
        """What the file is, for retiring earlier refusals of it: an issued form of a case, else the file's name."""
        if self.kind != "form":
            return f"file|{name}"
        return f"form|{self.form_id}|{self.case_id}|{self.period or ''}"


@dataclass(frozen=True)
class RawValue:
    """A value as read from a file, before it is typed: where it came from, and whether it was a formula."""

    value: Any
    place: str = ""            # sheet!cell, a Word table's column, "第5行「姓名」列"...
    formula: bool = False      # the cell holds a formula typed by staff
    ref: str = ""              # "sheet!A1" when it came from a worksheet cell


@dataclass(frozen=True)
class Event:
    kind: EventKind
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentDue:
    doc_id: str
    period: int | None = None
    occurrence: int = 1           # 2, 3...: the step that made it due was taken again (after a reopen)


class DueDocument(NamedTuple):
    """A document a file made due: stored with the file, rendered (again, after a crash) from it."""

    case_id: str
    doc_id: str
    period: int | None = None
    occurrence: int = 1

    @classmethod
    def from_row(cls, row: list[Any]) -> DueDocument:
        return cls(*row)   # rows stored before occurrences existed have three items


@dataclass
class Stored:
    """What the store stage recorded, for the render and route stages (and for recovery, from the file row)."""

    outcome: OutcomeKind
    receipt: str
    due: list[DueDocument] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)      # the due documents, relative to outbox
    cases: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)   # refusals, or a roster's rows not taken
    warnings: list[Finding] = field(default_factory=list)
    first_seen: str = ""
    changed: list[str] = field(default_factory=list)         # the cases the file changed (their ids)
    queued: list[int] | None = None      # its documents' work items (None: stored before there was a queue)


@dataclass(frozen=True)
class Decision:
    """What ``advance`` decided: events to append, documents due, warnings to tell staff."""

    events: tuple[Event, ...]
    documents: tuple[DocumentDue, ...] = ()
    warnings: tuple[Finding, ...] = ()
    joins_members: str = ""       # the person joins the branch's member roster with this status
    leaves_members: bool = False  # the person leaves it (a probationary membership cancelled)


@dataclass(frozen=True)
class Refusal:
    reasons: tuple[Finding, ...]


Verdict = Decision | Refusal


@dataclass(frozen=True)
class Refused:
    """A file refused before anything is stored: why (every problem found), and notes for the receipt."""

    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    identity: str = ""            # what the file is, as far as known (an earlier refusal of it is retired)


@dataclass(frozen=True)
class Seen:
    """A file whose exact bytes were processed before."""

    name: str
    at: str


@dataclass(frozen=True)
class Stale:
    """A plan the store would not take: what it rested on (a case's events, whether a person has a case) changed
    after it was made — another writer on a shared store. Nothing was written; the road plans the file again."""

    what: str


@dataclass(frozen=True)
class Processed:
    file: str
    sha256: str
    cases: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    warnings: tuple[Finding, ...] = ()
    row_problems: tuple[Finding, ...] = ()   # roster rows refused while the others were taken
    receipt: str = ""
    kind: Literal[OutcomeKind.PROCESSED] = OutcomeKind.PROCESSED


@dataclass(frozen=True)
class Rejected:
    file: str
    sha256: str
    reasons: tuple[Finding, ...]
    receipt: str = ""
    kind: Literal[OutcomeKind.REJECTED] = OutcomeKind.REJECTED

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.code for r in self.reasons))


@dataclass(frozen=True)
class Duplicate:
    file: str
    sha256: str
    first_seen: str = ""
    receipt: str = ""
    kind: Literal[OutcomeKind.DUPLICATE] = OutcomeKind.DUPLICATE


@dataclass(frozen=True)
class NotReady:
    file: str
    why: str
    kind: Literal[OutcomeKind.NOT_READY] = OutcomeKind.NOT_READY


Outcome = Processed | Rejected | Duplicate | NotReady


# what the signature check found (see engine.signing)
VERIFIED, UNVERIFIED, UNSIGNED = "verified", "unverified", ""
SIGNATURE_WORDS = {VERIFIED: "已验证（本工作区签发）", UNVERIFIED: "未验证（表格的文档属性已丢失，按表内标记识别）"}


@dataclass(frozen=True)
class Submitter:
    """Who handed a file in, as far as the system can tell (engine.inbox.submitter finds it out)."""

    owner: str = ""          # the file's owner on the share
    author: str = ""         # the document's creator, as the office program recorded it
    modified_by: str = ""    # the document's last editor, ditto
    folder: str = ""         # the branch inbox it came through ("" = the committee's own inbox)
    signature: str = UNSIGNED

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v}, ensure_ascii=False) if self.any else ""

    @property
    def any(self) -> bool:
        return bool(self.owner or self.author or self.modified_by or self.folder or self.signature)

    @classmethod
    def from_json(cls, text: str | dict[str, Any] | None) -> Submitter:
        if not text:
            return cls()
        try:
            data = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            return cls()
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in data.items() if k in names}) if isinstance(data, dict) else cls()

    def words(self) -> str:
        """In the words staff read: 文件所有者 zhang；文档作者 张三；最后修改 李四；经 第一党支部 文件夹."""
        parts = []
        if self.owner:
            parts.append(f"文件所有者 {self.owner}")
        if self.author:
            parts.append(f"文档作者 {self.author}")
        if self.modified_by and self.modified_by != self.author:
            parts.append(f"最后修改 {self.modified_by}")
        if self.folder:
            parts.append(f"经“{self.folder}”文件夹")
        if self.signature == UNVERIFIED:
            parts.append("表格身份未验证")
        return "；".join(parts) or "无法判断"
