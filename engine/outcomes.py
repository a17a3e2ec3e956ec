"""Typed values that flow along the road: findings, decisions and the outcome of one file."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

Severity = Literal["refuse", "warn"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a submission. ``place`` is where staff find it (sheet!cell, table row...)."""

    code: str
    message: str                  # what is wrong (Chinese)
    fix: str = ""                 # how to fix it (Chinese)
    field: str = ""               # field key
    label: str = ""               # field label (Chinese)
    place: str = ""               # sheet!cell, bookmark, row number...
    severity: Severity = "refuse"
    article: str = ""
    ref: str = ""                 # machine reference for marking: "sheet!A1"

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
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
    kind: str                     # case_created | step_done | step_corrected | warning | members_updated
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentDue:
    doc_id: str
    period: int | None = None
    occurrence: int = 1           # 2, 3...: the step that made it due was taken again (after a reopen)


@dataclass(frozen=True)
class Decision:
    """What ``advance`` decided: events to append, documents due, warnings to tell staff."""

    events: tuple[Event, ...]
    documents: tuple[DocumentDue, ...] = ()
    warnings: tuple[Finding, ...] = ()
    joins_members: str = ""       # the person joins the branch's member roster with this status


@dataclass(frozen=True)
class Refusal:
    reasons: tuple[Finding, ...]


Verdict = Union[Decision, Refusal]


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
class Processed:
    file: str
    sha256: str
    cases: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    warnings: tuple[Finding, ...] = ()
    row_problems: tuple[Finding, ...] = ()   # roster rows refused while the others were taken
    receipt: str = ""
    kind: Literal["processed"] = "processed"


@dataclass(frozen=True)
class Rejected:
    file: str
    sha256: str
    reasons: tuple[Finding, ...]
    receipt: str = ""
    kind: Literal["rejected"] = "rejected"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.code for r in self.reasons))


@dataclass(frozen=True)
class Duplicate:
    file: str
    sha256: str
    first_seen: str = ""
    receipt: str = ""
    kind: Literal["duplicate"] = "duplicate"


@dataclass(frozen=True)
class NotReady:
    file: str
    why: str
    kind: Literal["not_ready"] = "not_ready"


Outcome = Union[Processed, Rejected, Duplicate, NotReady]
