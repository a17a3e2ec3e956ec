"""The model of a workflow pack: what pack.toml declares, as frozen pydantic models (pure: no I/O here)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..outcomes import Severity
from ..procedure.refs import ExprField, RefField

KEY_RE = r"^[a-z][a-z0-9_]*$"
FieldType = Literal["text", "date", "choice", "int", "id_number"]
FactType = Literal["date", "month", "number", "text"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldDef(_Strict):
    key: str = Field(pattern=KEY_RE)
    label: str
    type: FieldType = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: dict[str, str] = {}
    synonyms: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int = 200
    compact: bool = False          # remove every space (names padded like "张　三")
    prefill: RefField | None = None  # an issued form's input cell starts with this case fact ("case.x")
    example: str = ""              # what the example row of a blank roster shows

    @field_validator("aliases", mode="after")
    @classmethod
    def _aliases_in_normal_form(cls, v: dict[str, str]) -> dict[str, str]:
        """Keys as values are compared (check.values.to_choice): full-width made half-width, spaces removed."""
        from ..check.values import clean_text

        return {clean_text(k, compact=True): t for k, t in v.items()}

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


class FormDef(_Strict):
    label: str
    kind: Literal["roster", "form"]
    fields: tuple[FieldDef, ...]
    creates_case: bool = False
    members: bool = False
    key_field: str = ""
    blank_title: str = ""            # file name of its blank workbook in 空白表格/ (default: the label)

    def field(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)

    def label_of(self, key: str) -> str:
        """The label of a field the pack's check made sure is declared."""
        found = self.field(key)
        if found is None:
            raise KeyError(f"{self.label}: no field {key!r}")
        return found.label


class Condition(_Strict):
    """``field`` (a reference such as "form.outcome") equals one of ``in_``; or, with ``filled``, the field
    has a value (true) or is empty (false); or, with ``age_max``, the field is a birth date and the person is
    at most that many full years old on the date ``age_on`` refers to."""

    field: RefField
    in_: tuple[str, ...] = Field((), alias="in")
    filled: bool | None = None
    age_on: RefField | None = None
    age_max: int | None = None

    def holds(self, get: Any) -> bool:
        value = get(self.field)
        if self.filled is not None:
            return (value not in (None, "")) is self.filled
        if self.age_max is not None:
            from ..procedure.dates import years_between

            on = get(self.age_on) if self.age_on else None
            return isinstance(value, date) and isinstance(on, date) and years_between(value, on) <= self.age_max
        return str(value if value is not None else "") in self.in_

    @property
    def refs(self) -> tuple[str, ...]:
        return (self.field, self.age_on) if self.age_on else (self.field,)


class When(_Strict):
    """Conditions that must all hold: one table, or a list of tables, in pack.toml."""

    all: tuple[Condition, ...]

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        if isinstance(v, dict) and "all" not in v:
            return {"all": (v,)}
        if isinstance(v, (list, tuple)):
            return {"all": tuple(v)}
        return v

    def holds(self, get: Any) -> bool:
        return all(c.holds(get) for c in self.all)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(ref for c in self.all for ref in c.refs)


class RuleDef(BaseModel):
    """A named check from the engine's rule library; the other keys are its parameters."""

    model_config = ConfigDict(extra="allow", frozen=True)
    kind: str
    severity: Severity = Severity.REFUSE
    label: str = ""
    article: str = ""
    when: When | None = None
    enabled: bool = True             # a local setting may switch the rule off
    typed: Any = Field(default=None, exclude=True)   # the parameters as the rule kind types them (at load)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Transition(_Strict):
    """Where a step leads when a field of its form has one of some values (e.g. a vote's outcome).

    ``reopen``: steps that must be taken again from here (a failed vote, a refused approval, a public notice
    that found a real problem): they no longer count as done, and their next submission is a new occurrence of
    the step rather than a correction. ``reissue`` names the forms issued again for them."""

    when: When
    to: str
    sets: dict[str, ExprField] = {}
    joins_members: str = ""
    leaves_members: bool = False
    reopen: tuple[str, ...] = ()
    reissue: tuple[str, ...] = ()    # documents (forms) issued again for the reopened steps


class StepDef(_Strict):
    id: str = Field(pattern=KEY_RE)
    numbers: tuple[int, ...]
    label: str
    stage: str = ""                  # the stage of the procedure it belongs to (the guide groups steps by it)
    form: str
    from_: tuple[str, ...] = Field(alias="from")
    to: str
    to_when: tuple[Transition, ...] = ()
    after: tuple[str, ...] = ()
    sets: dict[str, ExprField] = {}
    repeat: bool = False
    period_field: str = ""
    enabled: bool = True
    joins_members: str = ""          # the case joins the member roster with this status
    leaves_members: bool = False     # the case leaves it
    side: bool = False               # a side path (transfer, withdrawal): possible, never "due"
    rules: tuple[RuleDef, ...] = ()

    def transition(self, get: Any) -> Transition | None:
        return next((t for t in self.to_when if t.when.holds(get)), None)


class DueDef(_Strict):
    from_: RefField = Field(alias="from")
    add: str
    times: str = ""
    earliest: bool = False           # the date is the earliest the step may happen, not a deadline


class DocumentDef(_Strict):
    number: int
    title: str
    template: str
    after: tuple[str, ...]
    after_all: bool = False          # due only once every step of ``after`` is on file
    when: When | None = None         # due only when the submission that made it due satisfies this
    needs_step: str = ""             # dropped when that (switchable) step is switched off
    collects: str = ""
    due: DueDef | None = None
    period: Literal["", "next"] = ""
    text: dict[str, str] = {}        # wording a shared template needs (doc.text.X)
    full_id: bool = False            # one of the documents that must carry the full ID number
    refresh: bool = False            # made again whenever the case changes (its content follows the case)
    record: bool = False             # it lists the case's full record (``record``: every event, file and person)
    profile: Literal["official", "record"] = "record"   # 公文 (GB/T 9704) or a record/register (table layout)
    issuer: Literal["committee", "branch"] = "committee"  # whose 发文字号 an official document takes
    dated: str = ""                  # the step field (step.field) or fact whose date is its 成文日期 and number year
    pages: int = 0                   # the most pages it may print on (0: not checked); ``docflow pdf`` checks it

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v


class StateDef(_Strict):
    id: str = Field(pattern=KEY_RE)
    label: str
    member: str = ""                 # in this state the person is on the member roster with this status


class Terms(_Strict):
    """The words the engine's own messages use for this procedure's organisation and people."""

    organisation: str                # 党委 / 团委: the committee that keeps the workspace
    branch: str                      # 党支部 / 团支部
    member: str                      # 党员 / 团员
    full_member: str                 # 正式党员 / 团员: who votes, sponsors, and may be a contact
    member_roster: str               # 党员名册 / 团员名册
    discipline: str = ""             # 留党察看 / 留团察看: a member under it has no vote


class CaseDef(_Strict):
    """How a case is named and filed: fields of the forms that create cases."""

    name: str                        # the person's name
    branch: str                      # the branch the case belongs to
    year: str                        # the date whose year the case number carries (e.g. the application)
    birth: str = ""                  # the birth date (templates get birth_month and age)
    age_on: str = ""                 # the age templates show is the age on this date
    id_number: str = ""              # masked in documents unless a document must carry it (full_id)
    number_label: str = "案卷编号"    # the label of the case number on an issued form


class PrivacyDef(_Strict):
    """What ``docflow purge`` may remove of a person who left the procedure (PIPL: kept no longer than needed):
    the cases in ``left`` states since the date fact ``left_date``; of them, the values of the ``personal`` fields
    (and every other occurrence of the person's name, ID number and phone) — what the statistics count by
    (gender, ethnicity, birth date, education, branch, the dates of the steps) stays."""

    left: tuple[str, ...] = ()
    left_date: str = ""
    personal: tuple[str, ...] = ()
    cleared: str = "（已清除）"


class ControlItem(_Strict):
    """One application of a control: a step whose form proves it, the step by which it must have happened (``gate``),
    and which of its form's fields say when, how it came out and what else proves it."""

    step: str
    gate: str                        # once this step is done, the control should have been applied
    setting: str = ""                # the on/off setting of its step (off: "未开展（设置关闭）")
    date: str = ""                   # the form field of its date
    end: str = ""                    # ... of its end (a publicity: its length in working days is shown)
    result: str = ""                 # the form field of its outcome
    failed: tuple[str, ...] = ()     # outcomes that mean the control was not passed
    show: tuple[str, ...] = ()       # further fields shown as proof (a tally: 同意 17、收回 19 ...)
    optional: bool = False           # shown only when taken (a vote after an extended probation)


class ControlDef(_Strict):
    """A control of the plan (测评制、预审制、公示制、票决制、责任追究制) and what proves it case by case
    (engine.controls); ``kind = "record"``: every step's submitter and time (责任追究制)."""

    id: str
    label: str                       # 测评制
    what: str                        # 民主测评 (in "导入，无民主测评记录")
    kind: Literal["items", "record"] = "items"
    setting: str = ""                # the control's own on/off setting (its items' steps vanish when off)
    items: tuple[ControlItem, ...] = ()


class MembersDef(_Strict):
    """The branches' member rosters: which form carries them and what its fields mean."""

    form: str
    name: str
    branch: str
    status: str
    full: str                        # the status of a full member
    discipline: str = ""             # a field saying the member is under discipline (no vote)
    discipline_yes: str = "是"


class Span(_Strict):
    """The dates of a repeat step's periods (material formed over time: first to last)."""

    step: str
    field: str


class ArchiveItem(_Strict):
    """One entry of the dossier, in archive order (the archive index lists them), dated by the thing it is."""

    title: str
    date: RefField | None = None     # a case fact, e.g. "case.apply_date"
    span: Span | None = None         # or the dates of a repeat step's periods
    core: bool = False               # one of the core materials that go into the personnel file


class FactDef(_Strict):
    """A fact of a case that steps set (a key date, a result): its label and its type."""

    label: str
    type: FactType


class Derived(_Strict):
    """A wording templates need that follows from a fact: ``then`` when the fact is at least ``at_least``,
    ``else`` when below, ``unknown`` when the fact is not known (e.g. whether a branch has a committee)."""

    fact: str
    at_least: int
    then: str
    else_: str = Field(alias="else")
    unknown: str


class ReminderDef(_Strict):
    """A date to watch that is not a form's due date (listed with what is due): e.g. the political review's
    validity running out before the admission meeting. Shown once every step of ``after`` is on file and until
    ``until`` is; ``earliest``: the date is when something becomes possible, not a deadline."""

    label: str
    from_: RefField = Field(alias="from")
    add: str
    after: tuple[str, ...] = ()
    until: str
    earliest: bool = False
    span: bool = False               # the last day of a period of ``add`` that begins on the date (a public notice)
    rule: str = ""                   # the rule in words (default: 自<fact>起<length>内)

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v


class LedgerColumn(_Strict):
    """A column of the ledger (台账): facts or person fields (``apply_date``) or a step's data (``activist.contact_1``),
    several joined with 、; or, with ``count``, how many periods of a repeat step are on file."""

    label: str
    value: tuple[str, ...] = ()
    count: str = ""
    width: float = 0

    @field_validator("value", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v


class PackInfo(_Strict):
    id: str = Field(pattern=KEY_RE)
    name: str
    version: str
    basis: str = ""


class Pack(_Strict):
    pack: PackInfo
    settings: dict[str, Any] = {}
    terms: Terms
    case: CaseDef
    members: MembersDef | None = None
    privacy: PrivacyDef = PrivacyDef()
    controls: tuple[ControlDef, ...] = ()
    switched_off: dict[str, tuple[str, ...]] = {}   # a form whose steps a setting switched off -> those settings
    facts: dict[str, FactDef] = {}
    derived: dict[str, Derived] = {}
    states: tuple[StateDef, ...]
    forms: dict[str, FormDef]
    steps: tuple[StepDef, ...]
    documents: dict[str, DocumentDef]
    archive: tuple[ArchiveItem, ...] = ()
    ledger: tuple[LedgerColumn, ...] = ()
    reminders: tuple[ReminderDef, ...] = ()
    imports: dict[str, ImportDef] = {}
    root: Path = Path(".")

    @property
    def version(self) -> str:
        return f"{self.pack.id}@{self.pack.version}"

    def step(self, step_id: str) -> StepDef:
        return next(s for s in self.steps if s.id == step_id)

    def steps_for_form(self, form_id: str) -> list[StepDef]:
        return [s for s in self.steps if s.form == form_id]

    def state_label(self, state_id: str) -> str:
        return next((s.label for s in self.states if s.id == state_id), state_id)

    def state_member(self, state_id: str) -> str:
        return next((s.member for s in self.states if s.id == state_id), "")

    @property
    def person_fields(self) -> list[FieldDef]:
        """The fields of the forms that create cases (what a case knows of its person)."""
        seen: dict[str, FieldDef] = {}
        for form in self.forms.values():
            if form.creates_case:
                for f in form.fields:
                    seen.setdefault(f.key, f)
        return list(seen.values())

    def person_label(self, key: str) -> str:
        return next((f.label for f in self.person_fields if f.key == key), key)

    def documents_after(self, step_id: str) -> list[tuple[str, DocumentDef]]:
        return [(k, d) for k, d in self.documents.items() if step_id in d.after]

    def document_collecting(self, form_id: str) -> tuple[str, DocumentDef] | None:
        return next(((k, d) for k, d in self.documents.items() if d.collects == form_id), None)


class Milestone(_Strict):
    """An imported history step: recorded when its columns are filled (all of ``values``, or ``required``)."""

    step: str
    values: dict[str, RefField] = {}  # field of the step's form -> "form.<ledger column key>"
    literals: dict[str, str] = {}    # field of the step's form -> a fixed value (e.g. result = "批准")
    facts: dict[str, RefField] = {}  # case facts taken from the ledger as they are (e.g. 转正时间)
    fallback: dict[str, RefField] = {}  # field -> the column used when its own is empty (审批时间, else 入党时间)
    split: dict[str, tuple[str, ...]] = {}  # ledger column key -> fields: several names in one cell (刘一、周三)
    required: tuple[str, ...] | None = None  # the fields that must be filled for it to count (default: values')
    optional: bool = False           # a step a ledger need not keep: never a gap, never moves the stage
    state: str = ""                  # the state a case is in once this milestone is passed (not optional ones)

    @model_validator(mode="after")
    def _stated(self) -> Milestone:
        if not self.optional and not self.state:
            raise ValueError(f"milestone {self.step!r}: state is required unless it is optional")
        return self


class ImportDef(_Strict):
    """Adopting docflow mid-year: a ledger row becomes a case whose history events are marked imported."""

    form: str
    stage_field: str
    milestones: tuple[Milestone, ...]
    rules: tuple[RuleDef, ...] = ()


Pack.model_rebuild()


