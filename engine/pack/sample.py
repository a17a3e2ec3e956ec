"""A complete sample case of a pack — what ``docflow lint`` renders every template with.

Every step is taken once (each repeat step once), every field is filled, and every date is a different day,
later steps later, so a document that prints the wrong date or leaves a blank is visible. For a document
that is only due on one path (a vote that failed, an extension approved), the choices its ``when`` names are
taken, and the facts follow through the pack's own transitions (the case is a real fold of events)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..outcomes import Event, EventKind
from ..procedure.rules.people import id_check_char
from ..procedure.state import CaseState, encode, fold
from .model import DocumentDef, FieldDef, Pack

SAMPLE_BIRTH = date(1995, 3, 7)
FIRST_DAY = date(2024, 1, 8)
SAMPLE_ID = "110101" + SAMPLE_BIRTH.strftime("%Y%m%d") + "123"
SAMPLE_ID += id_check_char(SAMPLE_ID)


def preferences(pack: Pack, doc: DocumentDef | None) -> dict[tuple[str, str], str]:
    """(form, field) -> the choice that makes ``doc`` due: its ``when`` on the form of the step that makes it
    due, or on a case fact that a step sets from one of its fields."""
    out: dict[tuple[str, str], str] = {}
    if doc is None or doc.when is None:
        return out
    for cond in doc.when.all:
        if not cond.in_:
            continue
        ns, _, key = cond.field.partition(".")
        if ns == "form":
            out.update({(pack.step(a).form, key): cond.in_[0] for a in doc.after})
            continue
        for step in pack.steps:
            sets = {**step.sets, **{k: v for t in step.to_when for k, v in t.sets.items()}}
            if sets.get(key, "").startswith("form."):
                out[(step.form, sets[key].partition(".")[2])] = cond.in_[0]
    return out


def sample_case(pack: Pack, doc: DocumentDef | None = None, case_id: str = "2026-0001") -> CaseState:
    """Every step taken once with sample values (each field's ``example`` where the pack gives one)."""
    prefer = preferences(pack, doc)
    day = iter(FIRST_DAY + timedelta(days=9 * i) for i in range(10_000))
    events: list[tuple[str, Event]] = []
    person: dict[str, Any] = {}
    for step in pack.steps:
        form = pack.forms[step.form]
        values = {f.key: _value(pack, f, form_id=step.form, prefer=prefer, day=day) for f in form.fields}
        if step.repeat:
            values[step.period_field] = 1
        if not events:
            person = dict(values)
            events.append((f"{FIRST_DAY.isoformat()}T09:00:00+08:00",
                           Event(EventKind.CASE_CREATED, "", {"pack_version": pack.version, "person": encode(person)})))
        at = f"{FIRST_DAY.isoformat()}T09:00:00+08:00"
        events.append((at, Event(EventKind.STEP_DONE, step.id, {"values": encode(values)})))
    return fold(pack, case_id, events)


def _value(pack: Pack, f: FieldDef, *, form_id: str, prefer: dict, day: Any) -> Any:
    if f.choices:
        return prefer.get((form_id, f.key), f.choices[0])
    if f.type == "date":
        return SAMPLE_BIRTH if f.key == pack.case.birth else next(day)
    if f.type == "int":
        return max(f.min or 1, 1)
    if f.type == "id_number":
        return SAMPLE_ID
    return f.example or f"示例{f.label}"
