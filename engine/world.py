"""The advance stage of the road: load from the store what the procedure may know of the world (``Known``),
then apply the checked file to it — the planning itself is pure (``engine.procedure.apply``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .check.validate import Checked
from .outcomes import Refused, Seen
from .procedure.apply import Branches, CaseRef, Known, Plan, apply, person_key
from .procedure.state import fold

if TYPE_CHECKING:
    from .engine import Engine


def known(eng: Engine, checked: Checked) -> Known:
    org = eng.ws.config.organisation
    base = Known(eng.clock.today(), eng.calendar, Branches(tuple(org.branches), org.accept_new_branches))
    if checked.form is not None:  # an issued form: its case, the case's state, its branch's members
        row = eng.store.case(checked.reading.identity.case_id)
        if row is None:
            return base
        state = fold(eng.pack, row.case_id, eng.store.events(row.case_id))
        return Known(base.today, base.calendar, base.branches, case=CaseRef(row.case_id, row.person_key, row.name,
                     row.branch), state=state, members=eng.store.members(row.branch))
    form = eng.pack.forms[checked.form_id]
    keys = {k for k in (person_key(eng.pack, form, r.sub) for r in checked.rows) if k and not form.members}
    people = {k: c.case_id for k in keys if (c := eng.store.case_by_key(k)) is not None}
    return Known(base.today, base.calendar, base.branches, frozenset(eng.store.branches()), people=people)


def advance_file(eng: Engine, checked: Checked | Refused | Seen) -> Plan | Refused | Seen:
    if isinstance(checked, (Refused, Seen)):
        return checked
    world = known(eng, checked)
    plan = apply(eng.pack, checked, world)
    if isinstance(plan, Plan):
        plan.basis = basis(eng, world, plan)
    return plan


def basis(eng: Engine, world: Known, plan: Plan) -> dict[str, int | str]:
    """What the plan rests on: the events of the case it advances (by count), and for the people a roster
    names whether each has a case yet — checked again when the plan is stored (``store.commit``)."""
    out: dict[str, int | str] = {}
    if world.case is not None and world.state is not None:
        out["case:" + world.case.case_id] = len(world.state.history)
    for ch in plan.changes:
        if ch.person_key and f"case:{ch.case_id}" not in out:
            out["person:" + ch.person_key] = ch.case_id
        if ch.case_id and f"case:{ch.case_id}" not in out:   # a roster row for a case on file: its events now
            out["case:" + ch.case_id] = eng.store.event_count(ch.case_id)
    return out


def still_holds(eng: Engine, basis: dict[str, int | str]) -> bool:
    """Inside the store's transaction: nothing the plan rests on has changed since it was made."""
    for key, value in basis.items():
        kind, _, name = key.partition(":")
        if kind == "case" and eng.store.event_count(name) != value:
            return False
        if kind == "person":
            row = eng.store.case_by_key(name)
            if (row.case_id if row is not None else "") != value:
                return False
    return True
