"""The data a template sees: ``org``, ``branch``, ``settings``, ``doc`` and ``case`` — every key the pack
declares is present (empty string when not yet known), so a template that names anything else fails loudly.

Nothing here depends on the day a document is rendered: every date a document prints comes from the case's
events, so the same store renders the same documents on any day (regeneration, ``docflow lint``)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .dates import years_between, zh_date, zh_month
from .due import due_date
from .pack import ArchiveItem, DocumentDef, Pack
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


def case_context(pack: Pack, cs: CaseState, full_id: bool = False) -> dict[str, Any]:
    """``case``: person fields, facts, and each one-off step's data (``case.<step>.<field>``). The ID number
    is masked unless the document is one that must carry it (``full_id`` in the pack)."""
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
    masked = mask_id(str(cs.facts.get("id_number") or ""))
    case.update(
        id=cs.case_id,
        birth_month=zh_month(birth) if isinstance(birth, date) else "",
        id_number=str(cs.facts.get("id_number") or "") if full_id else masked,
        id_number_masked=masked,
        age=years_between(birth, applied) if isinstance(birth, date) and isinstance(applied, date) else "",
        state=pack.state_label(cs.state),
        registered_date=zh_date(registered(cs)),
    )
    for name, d in pack.derived.items():
        value = cs.facts.get(d.fact)
        case[name] = d.unknown if not isinstance(value, int) else d.then if value >= d.at_least else d.else_
    return case


def registered(cs: CaseState) -> date | None:
    """The day the case was registered (its first event was stored)."""
    if not cs.history or not cs.history[0][0]:
        return None
    try:
        return datetime.fromisoformat(cs.history[0][0]).date()
    except ValueError:
        return None


def _tally(data: dict[str, Any]) -> dict[str, Any]:
    from .vote import EXCLUDED_SLOTS, vote_summary

    summary = dict(vote_summary(data))
    summary["excluded_list"] = [{"name": data.get(f"excluded_{i}_name"), "reason": data.get(f"excluded_{i}_reason") or ""}
                                for i in range(1, EXCLUDED_SLOTS + 1) if data.get(f"excluded_{i}_name")]
    return summary


def dossier(pack: Pack, cs: CaseState) -> list[dict[str, Any]]:
    """The dossier in archive order (the archive index lists it), each item dated by the thing it is."""
    return [{"no": i, "title": item.title, "date": _item_date(item, cs), "core": item.core}
            for i, item in enumerate(pack.archive, 1)]


def _item_date(item: ArchiveItem, cs: CaseState) -> str:
    if item.span is not None:  # material formed over a repeat step: first to last
        days = sorted(d for d in (p.get(item.span.field) for p in cs.periods.get(item.span.step, {}).values())
                      if isinstance(d, date))
        if not days:
            return ""
        return fmt(days[0]) if len(days) == 1 else f"{fmt(days[0])}至{fmt(days[-1])}"
    return fmt(cs.facts.get(item.date.partition(".")[2])) if item.date else ""


def document_context(pack: Pack, org: str, cs: CaseState, doc: DocumentDef, period: int | None,
                     feedback: str = "") -> dict[str, Any]:
    """``doc.due_date``: when an issued form is due back — or, for a step with an earliest date (e.g. one
    year as an activist), the earliest day it may be taken (the form's label says which)."""
    return {
        "org": {"name": org, "feedback": feedback},
        "branch": str(cs.facts.get("branch") or ""),
        "settings": dict(pack.settings),
        "doc": {"title": doc.title, "due_date": zh_date(due_date(pack, doc, cs, period)),
                "period": period, "period_label": f"第{period}次" if period else "", "text": dict(doc.text)},
        "case": case_context(pack, cs, doc.full_id),
        "dossier": dossier(pack, cs),
    }
