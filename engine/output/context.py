"""The data a template sees: ``org``, ``branch``, ``settings``, ``doc`` and ``case`` — every key the pack
declares is present (empty string when not yet known), so a template that names anything else fails loudly.

Nothing here depends on the day a document is rendered: every date a document prints comes from the case's
events, so the same store renders the same documents on any day (regeneration, ``docflow lint``)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..check.values import MonthDate
from ..pack.model import ArchiveItem, DocumentDef, Pack, StepDef
from ..procedure.dates import years_between, zh_date, zh_month
from ..procedure.due import due_date
from ..procedure.state import CaseState


def fmt(value: Any) -> Any:
    if isinstance(value, MonthDate):
        return zh_month(value)
    if isinstance(value, date):
        return zh_date(value)
    return "" if value is None else value


def mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) >= 8 else ""


def case_context(pack: Pack, cs: CaseState, full_id: bool = False) -> dict[str, Any]:
    """``case``: its number (``id``), name, state, person fields, facts, each one-off step's data
    (``case.<step>.<field>``, with what its rule kinds add, e.g. a vote's ``tally``), and the wording the pack
    derives. The ID number is masked unless the document
    is one that must carry it (``full_id`` in the pack)."""
    keys = {f.key for f in pack.person_fields} | set(pack.facts)
    keys |= {fact for step in pack.steps for fact in step.sets}
    case: dict[str, Any] = {k: fmt(cs.facts.get(k)) for k in sorted(keys)}
    for step in pack.steps:
        if not step.repeat:
            case[step.id] = _step_data(pack, step, cs.steps.get(step.id, {}))
    case.update(_person(pack, cs, full_id), id=cs.case_id, state=pack.state_label(cs.state),
                registered_date=zh_date(registered(cs)))
    case.setdefault("name", case.get(pack.case.name, ""))   # case.name whatever the pack's name field is
    for name, d in pack.derived.items():
        value = cs.facts.get(d.fact)
        case[name] = d.unknown if not isinstance(value, int) else d.then if value >= d.at_least else d.else_
    return case


def _step_data(pack: Pack, step: StepDef, data: dict[str, Any]) -> dict[str, Any]:
    from ..procedure.rules import RULES

    out: dict[str, Any] = {f.key: fmt(data.get(f.key)) for f in pack.forms[step.form].fields}
    for rule in step.rules:
        summary = RULES[rule.kind].summary
        if summary is not None and rule.typed is not None and data:
            out["tally"] = summary(rule.typed, data)
    return out


def _person(pack: Pack, cs: CaseState, full_id: bool) -> dict[str, Any]:
    """What templates print of the person besides the fields: birth month, age, the ID number masked."""
    c = pack.case
    birth = cs.facts.get(c.birth) if c.birth else None
    on = cs.facts.get(c.age_on) if c.age_on else None
    number = str(cs.facts.get(c.id_number) or "") if c.id_number else ""
    out: dict[str, Any] = {
        "birth_month": zh_month(birth) if isinstance(birth, date) else "",
        "age": years_between(birth, on) if isinstance(birth, date) and isinstance(on, date) else "",
        "id_number_masked": mask_id(number),
    }
    if c.id_number:
        out[c.id_number] = number if full_id else mask_id(number)
    return out


def registered(cs: CaseState) -> date | None:
    """The day the case was registered (its first event was stored)."""
    if not cs.history or not cs.history[0][0]:
        return None
    try:
        return datetime.fromisoformat(cs.history[0][0]).date()
    except ValueError:
        return None


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
    return fmt(cs.facts.get(item.date.key)) if item.date else ""


def record(pack: Pack, events: list[tuple[str, Any]], audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The full record of a case (全程纪实): each event — what was done (a step, or a correction), the date it
    carries, the people its form names (the fields that hold names), the file it came from and when that was
    processed."""
    from ..outcomes import Submitter
    from ..procedure.refs import Expr
    from ..procedure.state import decode

    words = {"case_created": "建立案卷", "step_done": "完成", "step_corrected": "更正"}
    rows = []
    for n, ((_, ev), row) in enumerate(zip(events, audit, strict=True), start=1):
        step = next((s for s in pack.steps if s.id == ev.step), None)
        form = pack.forms.get(step.form) if step else next((f for f in pack.forms.values() if f.creates_case), None)
        values = decode(ev.data.get("values") or ev.data.get("person") or {})
        fields = form.fields if form else ()
        # the date the event carries: the date fact its step sets (e.g. 申请入党日期), else its form's first date
        sets = [e.base.key for e in map(Expr.parse, step.sets.values() if step else ()) if e.base.ns == "form"]
        keys = ([pack.case.year] if step is None else []) + sets + [f.key for f in fields if f.type == "date"]
        when = next((values[k] for k in keys if isinstance(values.get(k), date)), None)
        people = "、".join(f"{f.label}：{values[f.key]}" for f in fields
                          if f.compact and values.get(f.key) and f.key != pack.case.name)
        period = values.get(step.period_field) if step and step.repeat else None
        what = words.get(str(ev.kind), str(ev.kind)) + (f"：{step.label}" if step else "")
        who = Submitter.from_json(row.get("submitter"))
        rows.append({"no": n, "what": what + (f"（第{period}次）" if period else ""),
                     "date": when.isoformat() if when else "",
                     "people": people, "file": row["file"], "at": str(row["at"]).replace("T", " ")[:16],
                     "who": who.words() if who.any else "", "imported": bool(ev.data.get("imported"))})
    return rows


def document_context(pack: Pack, org: str, cs: CaseState, doc: DocumentDef, period: int | None,
                     feedback: str = "", record: list[dict[str, Any]] | None = None,
                     official: dict[str, Any] | None = None,
                     controls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``doc.due_date``: when an issued form is due back — or, for a step with an earliest date (e.g. one
    year as an activist), the earliest day it may be taken (the form's label says which). ``record``: the case's
    full record (see ``record``), for the documents that list it."""
    branch = str(cs.facts.get(pack.case.branch) or "")
    if official is None and doc.profile == "official":   # lint, tests, benches: the defaults and a sample number
        from ..pack.organs import SAMPLE, dated, official_context, prefix

        year = (dated(doc, cs) or date(2026, 1, 1)).year
        number = f"{prefix(SAMPLE, org, doc.issuer, branch)}〔{year}〕1号"
        official = official_context(SAMPLE, org, doc, cs, branch, number)
    return {
        "official": official or {},
        "record": record or [],
        "controls": controls or [],
        "org": {"name": org, "feedback": feedback},
        "branch": branch,
        "settings": dict(pack.settings),
        "doc": {"title": doc.title, "due_date": zh_date(due_date(pack, doc, cs, period)),
                "period": period, "period_label": f"第{period}次" if period else "", "text": dict(doc.text)},
        "case": case_context(pack, cs, doc.full_id),
        "dossier": dossier(pack, cs),
    }
