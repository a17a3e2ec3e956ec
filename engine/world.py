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
    return apply(eng.pack, checked, known(eng, checked))
