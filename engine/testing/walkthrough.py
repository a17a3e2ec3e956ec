"""A pack's walkthrough — one case through every step (``templates/<pack>/walkthrough.toml``) — and ``walk``, which
drives it through the road with the forms the engine issues, filled the way staff fill them."""
from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..outcomes import Outcome, Processed
from ..output.documents import doc_path
from ..pack.model import Pack
from ..procedure.state import fold
from ..road import process_file
from ..workspace import BUNDLED_PACKS, Workspace, init_workspace
from .forms import fill_form, roster_row, write_roster


@dataclass(frozen=True)
class Walkthrough:
    """One case through every step of a pack (``templates/<pack>/walkthrough.toml``)."""

    pack_dir: Path
    today: date
    organisation: str
    branches: list[str]
    feedback: str
    branch: str                                    # the case's branch
    members: list[dict[str, Any]]                  # name, status, discipline (bool)
    person: dict[str, Any]                         # the first roster's row, by field key
    submissions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)   # (form id, values by key)


def load_walkthrough(pack: str | Path = "party") -> Walkthrough:
    pack_dir = BUNDLED_PACKS / pack if isinstance(pack, str) else Path(pack)
    raw = tomllib.loads((pack_dir / "walkthrough.toml").read_text(encoding="utf-8"))
    ws = raw["workspace"]
    return Walkthrough(pack_dir, raw["today"], ws["organisation"], list(ws["branches"]), ws["feedback"],
                       ws["branch"], list(ws.get("members", [])), dict(raw["person"]),
                       [(s["form"], dict(s["values"])) for s in raw.get("submissions", [])])


def walkthrough_workspace(root: Path, wt: Walkthrough, **over: Any) -> Workspace:
    """A workspace for the walkthrough's pack, set up the way its committee is."""
    return init_workspace(root, over.pop("org", wt.organisation), branches=over.pop("branches", wt.branches),
                          feedback=over.pop("feedback", wt.feedback), pack=wt.pack_dir.name, **over)


def members_file(pack: Pack, path: Path, members: list[dict[str, Any]], branch: str) -> Path:
    """The branch's member roster as a workbook of the pack's member roster form."""
    m = pack.members
    assert m is not None, "the pack keeps no member roster"
    form = pack.forms[m.form]
    discipline = form.field(m.discipline) if m.discipline else None
    no = next((c for c in (discipline.choices if discipline else ()) if c != m.discipline_yes), "")
    rows = []
    for person in members:
        values = {m.name: person["name"], m.branch: branch, m.status: person["status"]}
        if m.discipline:
            values[m.discipline] = m.discipline_yes if person.get("discipline") else no
        rows.append(roster_row(pack, m.form, values))
    return write_roster(path, rows, title=form.label)


def first_roster_file(pack: Pack, path: Path, people: list[dict[str, Any]]) -> Path:
    """The roster that opens cases (the first step's form), one row per person (values by field key)."""
    form_id = pack.steps[0].form
    return write_roster(path, [roster_row(pack, form_id, p) for p in people], title=pack.forms[form_id].label)


def issued_form(eng: Any, case_id: str, form_id: str, period: int | None = None) -> Path:
    """The latest form the engine issued for ``case_id`` that collects ``form_id`` (for ``period``)."""
    case = fold(eng.pack, case_id, eng.store.events(case_id))
    found = [doc_path(eng, case_id, doc_id, period if doc.period else None, occurrence)
             for doc_id, doc in eng.pack.documents.items() if doc.collects == form_id
             for occurrence in range(1, max(case.issued.get(doc_id, 0), 1) + 1)]
    found = [p for p in found if p.exists()]
    if not found:
        raise LookupError(f"no issued form for {form_id} (period {period}) in case {case_id}")
    return max(found, key=lambda p: p.stat().st_mtime_ns)


def drop(eng: Any, src: Path, name: str | None = None) -> Outcome:
    """Copy a file into the inbox and process it."""
    dst = eng.ws.inbox / (name or src.name)
    shutil.copy2(src, dst)
    return process_file(eng, dst)


def walk(eng: Any, wt: Walkthrough, scratch: Path, upto: int | None = None,
         on_outcome: Callable[[str, Outcome], None] | None = None) -> str:
    """Drive the walkthrough's case through the road: the member roster, the first roster, then each submission
    with the form the engine issued for it, filled as staff fill it. Stops at the first file not processed
    (raises) or after ``upto`` submissions. Returns the case id."""
    def take(label: str, src: Path) -> Processed:
        out = drop(eng, src)
        if on_outcome:
            on_outcome(label, out)
        if not isinstance(out, Processed):
            raise AssertionError(f"{label}: {out}")
        return out

    pack = eng.pack
    if pack.members is not None and wt.members:
        take("members", members_file(pack, scratch / f"{pack.forms[pack.members.form].label}.xlsx", wt.members,
                                     wt.branch))
    first = take("first", first_roster_file(pack, scratch / f"{pack.forms[pack.steps[0].form].label}.xlsx",
                                            [wt.person]))
    case_id = first.cases[0].split(" ")[0]
    for n, (form_id, values) in enumerate(wt.submissions[:upto] if upto is not None else wt.submissions, 1):
        src = issued_form(eng, case_id, form_id, values.get("period"))
        take(form_id, fill_form(src, scratch / f"{n:02d}-{form_id}{src.suffix}",
                                {k: v for k, v in values.items() if k != "period" or src.suffix == ".docx"}))
    return case_id
