"""What every rule kind shares: the context a check sees, its typed parameters, and how a finding is made."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ...outcomes import Finding, Member
from ...pack.model import RuleDef, Terms
from ..refs import Ref
from ..workdays import WorkdayCalendar


class Params(BaseModel):
    """A rule kind's parameters (references are ``RefField``, durations ``DurationField``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def refs(self) -> list[Ref]:
        out: list[Ref] = []
        for value in self.__dict__.values():
            for v in (value if isinstance(value, (tuple, list)) else (value,)):
                if isinstance(v, Ref):
                    out.append(v)
                elif isinstance(v, Params):
                    out += v.refs()
        return out


@dataclass(frozen=True)
class Kind:
    """A rule kind: its name, its parameters, its check, what it adds to a step's template data, and what the
    user guide says beside the rule's label (the part its parameters decide, e.g. 不少于5个工作日)."""

    name: str
    params: type[Params]
    check: Callable[[RuleDef, Any, RuleContext], list[Finding]]
    summary: Callable[[Any, Mapping[str, Any]], dict[str, Any]] | None = None
    describe: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class MemberPolicy:
    """What the member roster's statuses mean (from the pack's [members] and [terms])."""

    full: str = ""
    terms: Terms | None = None
    branch_key: str = "branch"                      # the case fact naming its branch ([case] branch)


@dataclass(frozen=True)
class RuleContext:
    form: Mapping[str, Any]
    case: Mapping[str, Any]
    today: date
    labels: Mapping[str, str]                       # "form.x"/"case.x" -> Chinese label
    members: Mapping[str, Member] | None = None     # the case's branch, by name; None = no roster yet
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    periods: Mapping[str, int] = field(default_factory=dict)   # repeat step -> periods on file
    policy: MemberPolicy = field(default_factory=MemberPolicy)

    def get(self, ref: str) -> Any:
        return Ref.parse(ref).get(self.form, self.case, self.today)

    def label(self, ref: str) -> str:
        return "今天" if ref == "today" else self.labels.get(ref, Ref.parse(ref).key)

    def field_of(self, ref: str) -> str:
        """The form field a finding points at (the form side of a comparison)."""
        r = Ref.parse(ref)
        return r.key if r.ns == "form" else ""

    def term(self, name: str, default: str = "") -> str:
        return getattr(self.policy.terms, name, default) if self.policy.terms else default

    @property
    def branch(self) -> str:
        """The case's branch by name, for messages ("本党支部" when it is not known)."""
        return str(self.case.get(self.policy.branch_key) or f"本{self.term('branch', '支部')}")


def finding(rule: RuleDef, ctx: RuleContext, ref: str, code: str, message: str, fix: str) -> Finding:
    return Finding(code=code, message=message, fix=fix, field=ctx.field_of(ref), label=ctx.label(ref),
                   severity=rule.severity, article=rule.article)


def typed_params(kinds: Mapping[str, Kind], rule: RuleDef) -> Params:
    """The rule's parameters as its kind declares them; a ValueError says what is wrong (Chinese)."""
    kind = kinds.get(rule.kind)
    if kind is None:
        raise ValueError(f"未知的规则类型 {rule.kind!r}（可用：{', '.join(kinds)}）")
    try:
        return kind.params.model_validate(rule.params)
    except ValidationError as exc:
        lines = [f"参数 {'.'.join(map(str, e['loc'])) or '?'}：{e.get('ctx', {}).get('error', e['msg'])}"
                 for e in exc.errors()]
        raise ValueError("；".join(lines)) from None


def run_rules(kinds: Mapping[str, Kind], rules: tuple[RuleDef, ...], ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules:
        if rule.enabled and (rule.when is None or rule.when.holds(ctx.get)):
            kind = kinds[rule.kind]
            out += kind.check(rule, rule.typed if rule.typed is not None else typed_params(kinds, rule), ctx)
    return out
