"""A department's reports across the committees that share its PostgreSQL server (``docflow report … --all``): every
tenant's cases (``engine.store.tenants``) read from its own schema, each committee in the place a branch has in a
committee's report, and each person counted once — a person whose case moved from one committee to another (the
same 公民身份号码 in two tenants) is counted where their case went on most recently."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from ..errors import WorkspaceError
from .people import Person, check_pack, load

if TYPE_CHECKING:
    from ..engine import Engine
    from .build import Inputs

ALL = "*"            # the branch a report across tenants is recorded with (``reports_made``)
FOLDER = "汇总"       # its files: outbox/报表/<year>年/汇总/


def inputs_all(eng: Engine) -> Inputs:
    from ..store.postgres import PostgresStore
    from ..store.tenants import tenants
    from .build import inputs

    check_pack(eng.pack)
    found = [t for t in tenants(eng.store) if t.pack == eng.pack.pack.id]
    if not found:
        raise WorkspaceError("汇总报表（--all）需要各基层党委共用的 PostgreSQL 数据库（docflow.toml 的 [store] url），"
                             "且其中已有用同一流程包的工作区登记（各工作区运行过一次 docflow 即登记）")
    chosen: dict[str, tuple[date, Person]] = {}
    committees: list[str] = []
    for t in found:
        own = t.schema == getattr(eng.store, "schema", None)
        store = eng.store if own else PostgresStore(eng.store.db.url, t.schema)   # type: ignore[attr-defined]
        try:
            keys = {c.case_id: c.person_key for c in store.cases()}
            records = store.records(None)
        finally:
            if not own:
                store.close()
        if records and t.organisation not in committees:
            committees.append(t.organisation)
        for rec in records:
            p = load(rec)
            p = replace(p, case_id=f"{p.case_id}（{t.organisation}）", branch=t.organisation)
            key = keys.get(rec.case_id) or f"{t.schema}/{rec.case_id}"
            last = max((m.on for m in p.moves), default=p.registered or date.min)
            if key not in chosen or last > chosen[key][0]:
                chosen[key] = (last, p)
    inp = inputs(eng)
    return replace(inp, people=[p for _, p in chosen.values()], branches=committees)
