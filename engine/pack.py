"""Workflow packs: a declarative TOML file plus templates. Loaded once, validated, bound to settings.

A mistake in a pack is reported as a ``PackError`` naming the file and the entry
(e.g. ``pack.toml: steps[2] (activist).rules[1]``).
"""
from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import PackError

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
    prefill: str = ""              # an issued form's input cell starts with this case fact ("case.x")

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


class Condition(_Strict):
    """``field`` (a reference such as "form.outcome") equals one of ``in_``; or, with ``filled``, the field
    has a value (true) or is empty (false); or, with ``age_max``, the field is a birth date and the person is
    at most that many full years old on the date ``age_on`` refers to."""

    field: str
    in_: tuple[str, ...] = Field((), alias="in")
    filled: bool | None = None
    age_on: str = ""
    age_max: int | None = None

    def holds(self, get: Any) -> bool:
        value = get(self.field)
        if self.filled is not None:
            return (value not in (None, "")) is self.filled
        if self.age_max is not None:
            from .dates import years_between

            on = get(self.age_on)
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
    severity: Literal["refuse", "warn"] = "refuse"
    label: str = ""
    article: str = ""
    when: When | None = None
    enabled: bool = True             # a local setting may switch the rule off

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
    sets: dict[str, str] = {}
    joins_members: str = ""
    reopen: tuple[str, ...] = ()
    reissue: tuple[str, ...] = ()    # documents (forms) issued again for the reopened steps


class StepDef(_Strict):
    id: str = Field(pattern=KEY_RE)
    numbers: tuple[int, ...]
    label: str
    form: str
    from_: tuple[str, ...] = Field(alias="from")
    to: str
    to_when: tuple[Transition, ...] = ()
    after: tuple[str, ...] = ()
    sets: dict[str, str] = {}
    repeat: bool = False
    period_field: str = ""
    enabled: bool = True
    joins_members: str = ""          # the case joins the member roster with this status
    side: bool = False               # a side path (transfer, withdrawal): possible, never "due"
    rules: tuple[RuleDef, ...] = ()

    def transition(self, get: Any) -> Transition | None:
        return next((t for t in self.to_when if t.when.holds(get)), None)


class DueDef(_Strict):
    from_: str = Field(alias="from")
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

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v


class StateDef(_Strict):
    id: str = Field(pattern=KEY_RE)
    label: str


class Span(_Strict):
    """The dates of a repeat step's periods (material formed over time: first to last)."""

    step: str
    field: str


class ArchiveItem(_Strict):
    """One entry of the dossier, in archive order (the archive index lists them), dated by the thing it is."""

    title: str
    date: str = ""                   # a case fact, e.g. "case.apply_date"
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


class PackInfo(_Strict):
    id: str = Field(pattern=KEY_RE)
    name: str
    version: str
    basis: str = ""


class Pack(_Strict):
    pack: PackInfo
    settings: dict[str, Any] = {}
    facts: dict[str, FactDef] = {}
    derived: dict[str, Derived] = {}
    states: tuple[StateDef, ...]
    forms: dict[str, FormDef]
    steps: tuple[StepDef, ...]
    documents: dict[str, DocumentDef]
    archive: tuple[ArchiveItem, ...] = ()
    imports: dict[str, "ImportDef"] = {}
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

    def documents_after(self, step_id: str) -> list[tuple[str, DocumentDef]]:
        return [(k, d) for k, d in self.documents.items() if step_id in d.after]

    def document_collecting(self, form_id: str) -> tuple[str, DocumentDef] | None:
        return next(((k, d) for k, d in self.documents.items() if d.collects == form_id), None)


class Milestone(_Strict):
    """An imported history step: recorded when its date column is filled."""

    step: str
    values: dict[str, str]           # field of the step's form -> "form.<ledger column key>"
    literals: dict[str, str] = {}    # field of the step's form -> a fixed value (e.g. result = "批准")
    facts: dict[str, str] = {}       # case facts taken from the ledger as they are (e.g. 转正时间)
    state: str                       # the state a case is in once this milestone is passed


class ImportDef(_Strict):
    """Adopting docflow mid-year: a ledger row becomes a case whose history events are marked imported."""

    form: str
    stage_field: str
    milestones: tuple[Milestone, ...]
    rules: tuple[RuleDef, ...] = ()


Pack.model_rebuild()


def load_pack(folder: Path, overrides: dict[str, Any] | None = None, check_templates: bool = True) -> Pack:
    """Read ``folder/pack.toml``, apply local settings, check every cross-reference."""
    path = folder / "pack.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError("找不到流程包文件", place=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"TOML 语法错误：{exc}", place=str(path)) from None
    settings = dict(raw.get("settings", {}))
    for key, value in (overrides or {}).items():
        if key not in settings:
            raise PackError(f"docflow.toml 中的设置 {key!r} 不是本流程包的设置项（可用：{', '.join(settings)}）",
                            place=str(path))
        if type(value) is not type(settings[key]):
            raise PackError(f"设置 {key!r} 的类型应与默认值 {settings[key]!r} 相同", place="docflow.toml")
        settings[key] = value
    raw["settings"] = settings
    bound = _bind(raw, settings, path)
    try:
        pack = Pack.model_validate({**bound, "root": folder})
    except ValidationError as exc:
        raise PackError(_describe(exc, bound), place=str(path)) from None
    _check_references(pack, path, check_templates)
    return pack


def _bind(raw: dict, settings: dict, path: Path) -> dict:
    """Fill "{setting}" placeholders in rule parameters, step facts and due dates."""

    def fill(value: Any, where: str) -> Any:
        whole = re.fullmatch(r"\{(\w+)\}", value) if isinstance(value, str) else None
        if whole and whole.group(1) in settings:
            return settings[whole.group(1)]
        if isinstance(value, str) and "{" in value:
            try:
                return value.format(**settings)
            except (KeyError, IndexError, ValueError) as exc:
                raise PackError(f"{where}：引用了不存在的设置 {exc}", place=str(path)) from None
        if isinstance(value, dict):
            return {k: fill(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return value

    out = dict(raw)
    out["steps"] = [fill(s, f"steps[{i}]") for i, s in enumerate(raw.get("steps", []))]
    out["documents"] = {k: fill(d, f"documents.{k}") for k, d in raw.get("documents", {}).items()}
    out["derived"] = {k: fill(d, f"derived.{k}") for k, d in raw.get("derived", {}).items()}
    out["forms"] = _inherit_fields(raw.get("forms", {}), path)
    return _drop_disabled(out)


def _inherit_fields(forms: dict, path: Path) -> dict:
    """``fields_from = "other"``: a form with the same fields as another (e.g. the three public notices)."""
    out = {}
    for key, form in forms.items():
        form = dict(form)
        source = form.pop("fields_from", "")
        if source:
            if source not in forms or "fields" not in forms[source]:
                raise PackError(f"forms.{key}.fields_from：未定义的表单 {source!r}", place=str(path))
            own = {f.get("key"): f for f in form.get("fields", [])}
            inherited = [own.pop(f.get("key"), f) for f in forms[source]["fields"]]  # same key: the form's own wins
            form["fields"] = inherited + list(own.values())
        out[key] = form
    return out


def _drop_disabled(raw: dict) -> dict:
    """Steps switched off by a local setting vanish, with the documents that only they made due."""
    off = {s.get("id") for s in raw["steps"] if s.get("enabled") is False}
    if not off:
        return raw
    forms_off = {s.get("form") for s in raw["steps"] if s.get("id") in off}
    docs = {}
    for key, doc in raw["documents"].items():
        after = doc.get("after", [])
        after = [after] if isinstance(after, str) else after
        kept = [a for a in after if a not in off]
        if kept and doc.get("collects") not in forms_off and doc.get("needs_step") not in off:
            docs[key] = dict(doc, after=kept)

    def trim(t: dict) -> dict:
        return dict(t, reopen=[r for r in t.get("reopen", []) if r not in off],
                    reissue=[d for d in t.get("reissue", []) if d in docs])

    steps = [dict(s, after=[a for a in s.get("after", []) if a not in off],
                  to_when=[trim(t) for t in s.get("to_when", [])]) for s in raw["steps"] if s.get("id") not in off]
    return {**raw, "steps": steps, "documents": docs}


def _describe(exc: ValidationError, raw: dict) -> str:
    lines = []
    for err in exc.errors()[:8]:
        loc = _entry_name(err["loc"], raw)
        lines.append(f"{loc}：{err['msg']}")
    return "流程包内容有误：\n  " + "\n  ".join(lines)


def _entry_name(loc: tuple, raw: dict) -> str:
    parts, node = [], raw
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            try:
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    parts[-1] += f" ({node['id']})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _check_references(pack: Pack, path: Path, check_templates: bool = True) -> None:
    from .rules import check_rule_params  # the rule library validates its own parameters

    problems: list[str] = []
    states = {s.id for s in pack.states}
    step_ids = [s.id for s in pack.steps]
    if len(set(step_ids)) != len(step_ids):
        problems.append("steps：步骤 id 重复")
    for i, step in enumerate(pack.steps):
        where = f"steps[{i}] ({step.id})"
        form = pack.forms.get(step.form)
        if form is None:
            problems.append(f"{where}.form：未定义的表单 {step.form!r}")
        for st in (*step.from_, step.to):
            if st not in states:
                problems.append(f"{where}：未定义的状态 {st!r}")
        problems += [f"{where}.after：未定义的步骤 {a!r}" for a in step.after if a not in step_ids]
        if step.repeat and form and not form.field(step.period_field):
            problems.append(f"{where}.period_field：表单 {step.form} 中没有字段 {step.period_field!r}")
        sets = [(f"sets.{k}", k, v) for k, v in step.sets.items()]
        for n, t in enumerate(step.to_when):
            sets += [(f"to_when[{n}].sets.{k}", k, v) for k, v in t.sets.items()]
            if t.to not in states:
                problems.append(f"{where}.to_when[{n}]：未定义的状态 {t.to!r}")
            problems += [f"{where}.to_when[{n}].when：无效的引用 {ref!r}" for ref in t.when.fields if not _ref_ok(ref, form)]
            problems += [f"{where}.to_when[{n}].reopen：未定义的步骤 {r!r}" for r in t.reopen if r not in step_ids]
            problems += [f"{where}.to_when[{n}].reissue：{d!r} 不是收集表单的文书"
                         for d in t.reissue if d not in pack.documents or not pack.documents[d].collects]
        for entry, fact, ref in sets:
            if not re.fullmatch(KEY_RE, fact) or not _expr_ok(ref, form):
                problems.append(f"{where}.{entry}：无效的引用 {ref!r}")
            else:
                problems += [f"{where}.{entry}：{p}" for p in _fact_type_problems(pack, fact, ref, form)]
        for j, rule in enumerate(step.rules):
            for msg in check_rule_params(rule, form):
                problems.append(f"{where}.rules[{j}] ({rule.kind})：{msg}")
    for key, d in pack.derived.items():
        if d.fact not in pack.facts or pack.facts[d.fact].type != "number":
            problems.append(f"derived.{key}.fact：{d.fact!r} 须是 [facts] 中声明的 number 类型事实")
    for key, doc in pack.documents.items():
        where = f"documents.{key}"
        problems += [f"{where}.after：未定义的步骤 {a!r}" for a in doc.after if a not in step_ids]
        problems += [f"{where}.when：无效的引用 {ref!r}" for ref in (doc.when.fields if doc.when else ())
                     if not any(_ref_ok(ref, pack.forms.get(pack.step(a).form)) for a in doc.after if a in step_ids)]
        if doc.collects and doc.collects not in pack.forms:
            problems.append(f"{where}.collects：未定义的表单 {doc.collects!r}")
        if check_templates and not (pack.root / doc.template).is_file():
            problems.append(f"{where}.template：模板文件不存在 {doc.template}")
        if not doc.template.endswith((".docx", ".xlsx")):
            problems.append(f"{where}.template：模板须为 .docx 或 .xlsx")
        if doc.period and not (doc.collects and any(s.repeat for s in pack.steps_for_form(doc.collects))):
            problems.append(f"{where}.period：只有收集可重复步骤表单的文书才能按期次生成")
    for key, imp in pack.imports.items():
        where = f"imports.{key}"
        form = pack.forms.get(imp.form)
        if form is None or not form.field(imp.stage_field):
            problems.append(f"{where}：表单 {imp.form!r} 或阶段字段 {imp.stage_field!r} 未定义")
        for n, m in enumerate(imp.milestones):
            if m.step not in step_ids or m.state not in states:
                problems.append(f"{where}.milestones[{n}]：未定义的步骤或状态 {m.step!r}/{m.state!r}")
            elif any(not _ref_ok(v, form) for v in (*m.values.values(), *m.facts.values())):
                problems.append(f"{where}.milestones[{n}].values：无效的引用")
            else:
                for fact, ref in m.facts.items():
                    problems += [f"{where}.milestones[{n}].facts.{fact}：{p}"
                                 for p in _fact_type_problems(pack, fact, ref, form)]
        for j, rule in enumerate(imp.rules):
            problems += [f"{where}.rules[{j}] ({rule.kind})：{msg}" for msg in check_rule_params(rule, form)]
    if problems:
        raise PackError("流程包内容有误：\n  " + "\n  ".join(problems), place=str(path))


_EXPR = re.compile(r"^\s*([a-z]+\.[a-z0-9_]+)\s*(?:\+\s*([a-z]+\.[a-z0-9_]+|-?\d+)\s*([a-z_]+))?\s*$")


def parse_expr(expr: str) -> tuple[str, str, str] | None:
    """``ref`` or ``ref + N unit`` / ``ref + ref unit`` → (ref, amount, unit)."""
    m = _EXPR.match(expr)
    return (m.group(1), m.group(2) or "", m.group(3) or "") if m else None


def _expr_ok(expr: str, form: FormDef | None) -> bool:
    parsed = parse_expr(expr)
    if parsed is None:
        return False
    ref, amount, _ = parsed
    return _ref_ok(ref, form) and (not amount or amount.lstrip("-").isdigit() or _ref_ok(amount, form))


_FIELD_FACT_TYPES = {"date": ("date", "month"), "int": ("number",), "text": ("text",), "choice": ("text",),
                     "id_number": ("text",)}


def expr_type(pack: Pack, expr: str, form: FormDef | None) -> tuple[str, ...]:
    """The fact types a value of ``expr`` may have ("ref + N unit" is a date); () when unknown."""
    parsed = parse_expr(expr)
    if parsed is None:
        return ()
    ref, amount, _ = parsed
    if amount:
        return ("date",)
    ns, _, key = ref.partition(".")
    if ns == "form":
        f = form.field(key) if form else None
        return _FIELD_FACT_TYPES.get(f.type, ()) if f else ()
    if key in pack.facts:
        return (pack.facts[key].type,)
    person = next((f for fm in pack.forms.values() if fm.creates_case for f in fm.fields if f.key == key), None)
    return _FIELD_FACT_TYPES.get(person.type, ()) if person else ()


def _fact_type_problems(pack: Pack, fact: str, expr: str, form: FormDef | None) -> list[str]:
    declared = pack.facts.get(fact)
    if declared is None:
        return [f"事实 {fact!r} 没有在 [facts] 中声明（须写明 label 和 type）"]
    kinds = expr_type(pack, expr, form)
    if kinds and declared.type not in kinds:
        return [f"事实 {fact!r} 声明为 {declared.type}，但 {expr!r} 的值是 {'/'.join(kinds)}"]
    return []


def _ref_ok(ref: str, form: FormDef | None) -> bool:
    ns, _, key = ref.partition(".")
    if ns == "form":
        return form is not None and form.field(key) is not None
    return ns == "case" and bool(re.fullmatch(KEY_RE, key))
