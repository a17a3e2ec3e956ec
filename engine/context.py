"""The data a template sees: ``org``, ``branch``, ``doc`` and ``case`` — every key the pack declares is
present (empty string when not yet known), so a template that names anything else fails loudly."""
from __future__ import annotations

from datetime import date
from typing import Any

from .dates import add, Duration, years_between, zh_date, zh_month
from .pack import DocumentDef, Pack
from .state import CaseState
from .values import MonthDate


def fmt(value: Any) -> Any:
    if isinstance(value, MonthDate):
        return zh_month(value)
    if isinstance(value, date):
        return zh_date(value)
    return "" if value is None else value


def mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) >= 8 else ""


def case_context(pack: Pack, cs: CaseState) -> dict[str, Any]:
    keys = {f.key for form in pack.forms.values() if form.creates_case for f in form.fields} | set(pack.facts)
    keys |= {fact for step in pack.steps for fact in step.sets}
    case: dict[str, Any] = {k: fmt(cs.facts.get(k)) for k in sorted(keys)}
    for step in pack.steps:
        if step.repeat:
            continue
        data = cs.steps.get(step.id, {})
        case[step.id] = {f.key: fmt(data.get(f.key)) for f in pack.forms[step.form].fields}
    for step_id, data in cs.steps.items():
        if "due_voting" in data and isinstance(case.get(step_id), dict):
            case[step_id]["tally"] = _tally(data)
    birth, applied = cs.facts.get("birth_date"), cs.facts.get("apply_date")
    case.update(
        id=cs.case_id,
        birth_month=zh_month(birth) if isinstance(birth, date) else "",
        id_number_masked=mask_id(str(cs.facts.get("id_number") or "")),
        age=years_between(birth, applied) if isinstance(birth, date) and isinstance(applied, date) else "",
        state=pack.state_label(cs.state),
    )
    return case


def _tally(data: dict[str, Any]) -> dict[str, Any]:
    from .vote import EXCLUDED_SLOTS, vote_summary

    summary = dict(vote_summary(data))
    summary["excluded_list"] = [{"name": data.get(f"excluded_{i}_name"), "reason": data.get(f"excluded_{i}_reason") or ""}
                                for i in range(1, EXCLUDED_SLOTS + 1) if data.get(f"excluded_{i}_name")]
    return summary


def dossier(pack: Pack, cs: CaseState) -> list[dict[str, Any]]:
    """The dossier in archive order (the archive index lists it)."""
    return [{"no": i, "title": item.title, "date": fmt(cs.facts.get(item.date.partition(".")[2])) if item.date else "",
             "core": item.core} for i, item in enumerate(pack.archive, 1)]


def due_date(pack: Pack, doc: DocumentDef, cs: CaseState, period: int | None) -> date | None:
    if doc.due is None:
        return None
    start = cs.facts.get(doc.due.from_.partition(".")[2])
    if not isinstance(start, date):
        return None
    dur = Duration.parse(doc.due.add)
    return add(start, dur.times(period or 1) if doc.due.times == "period" else dur)


def document_context(pack: Pack, org: str, cs: CaseState, doc: DocumentDef, period: int | None,
                     today: date, feedback: str = "") -> dict[str, Any]:
    due = due_date(pack, doc, cs, period) if doc.due and not doc.due.earliest else None
    return {
        "org": {"name": org, "feedback": feedback},
        "branch": str(cs.facts.get("branch") or ""),
        "doc": {"title": doc.title, "issued_date": zh_date(today), "due_date": zh_date(due),
                "period": period, "period_label": f"第{period}次" if period else "", "text": dict(doc.text)},
        "case": case_context(pack, cs),
        "dossier": dossier(pack, cs),
    }


def sample_case(pack: Pack) -> CaseState:
    """A case with every field filled — what ``docflow lint`` renders each template with."""
    samples = {"date": date(2024, 3, 5), "int": 1, "id_number": "110101199003071234", "text": "示例"}
    cs = CaseState("2026-0001", pack.version, pack.states[-1].id)
    for form in pack.forms.values():
        values = {f.key: f.choices[0] if f.choices else samples.get(f.type, "示例") for f in form.fields}
        if form.creates_case:
            cs.facts.update(values)
    for step in pack.steps:
        values = {f.key: f.choices[0] if f.choices else samples.get(f.type, "示例") for f in pack.forms[step.form].fields}
        if step.repeat:
            cs.periods[step.id] = {1: values}
        else:
            cs.steps[step.id] = values
        cs.facts.update({fact: values.get(ref.partition(".")[2]) for fact, ref in step.sets.items()})
    return cs
