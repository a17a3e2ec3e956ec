"""Workflow packs: a declarative TOML file plus templates. Loaded once, validated, bound to settings.

A mistake in a pack is reported as a ``PackError`` naming the file and the entry
(e.g. ``pack.toml: steps[2] (activist).rules[1]``).
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import PackError

KEY_RE = r"^[a-z][a-z0-9_]*$"
FieldType = Literal["text", "date", "choice", "int", "id_number"]


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

    def field(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)


class RuleDef(BaseModel):
    """A named check from the engine's rule library; the other keys are its parameters."""

    model_config = ConfigDict(extra="allow", frozen=True)
    kind: str
    severity: Literal["refuse", "warn"] = "refuse"
    label: str = ""
    article: str = ""

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class StepDef(_Strict):
    id: str = Field(pattern=KEY_RE)
    numbers: tuple[int, ...]
    label: str
    form: str
    from_: tuple[str, ...] = Field(alias="from")
    to: str
    after: tuple[str, ...] = ()
    sets: dict[str, str] = {}
    repeat: bool = False
    period_field: str = ""
    rules: tuple[RuleDef, ...] = ()


class DueDef(_Strict):
    from_: str = Field(alias="from")
    add: str
    times: str = ""


class DocumentDef(_Strict):
    number: int
    title: str
    template: str
    after: tuple[str, ...]
    collects: str = ""
    due: DueDef | None = None
    period: Literal["", "next"] = ""

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v


class StateDef(_Strict):
    id: str = Field(pattern=KEY_RE)
    label: str


class PackInfo(_Strict):
    id: str = Field(pattern=KEY_RE)
    name: str
    version: str
    basis: str = ""


class Pack(_Strict):
    pack: PackInfo
    settings: dict[str, Any] = {}
    facts: dict[str, str] = {}
    states: tuple[StateDef, ...]
    forms: dict[str, FormDef]
    steps: tuple[StepDef, ...]
    documents: dict[str, DocumentDef]
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


def load_pack(folder: Path, overrides: dict[str, Any] | None = None) -> Pack:
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
    _check_references(pack, path)
    return pack


def _bind(raw: dict, settings: dict, path: Path) -> dict:
    """Fill "{setting}" placeholders in rule parameters, step facts and due dates."""

    def fill(value: Any, where: str) -> Any:
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
    return out


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


def _check_references(pack: Pack, path: Path) -> None:
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
        for fact, ref in step.sets.items():
            if not re.fullmatch(KEY_RE, fact) or not _ref_ok(ref, form):
                problems.append(f"{where}.sets.{fact}：无效的引用 {ref!r}")
        for j, rule in enumerate(step.rules):
            for msg in check_rule_params(rule, form):
                problems.append(f"{where}.rules[{j}] ({rule.kind})：{msg}")
    for key, doc in pack.documents.items():
        where = f"documents.{key}"
        problems += [f"{where}.after：未定义的步骤 {a!r}" for a in doc.after if a not in step_ids]
        if doc.collects and doc.collects not in pack.forms:
            problems.append(f"{where}.collects：未定义的表单 {doc.collects!r}")
        if not (pack.root / doc.template).is_file():
            problems.append(f"{where}.template：模板文件不存在 {doc.template}")
        if not doc.template.endswith((".docx", ".xlsx")):
            problems.append(f"{where}.template：模板须为 .docx 或 .xlsx")
    if problems:
        raise PackError("流程包内容有误：\n  " + "\n  ".join(problems), place=str(path))


def _ref_ok(ref: str, form: FormDef | None) -> bool:
    ns, _, key = ref.partition(".")
    if ns == "form":
        return form is not None and form.field(key) is not None
    return ns == "case" and bool(re.fullmatch(KEY_RE, key))
