"""Every bundled pack's walkthrough (templates/<pack>/walkthrough.toml) drives one case through the road from
the first roster to the last step, with the forms the engine issued, filled the way staff fill them
(engine.testing.walk): every file is processed, and at the end nothing is due."""
from __future__ import annotations

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.outcomes import Processed
from engine.procedure.due import next_due
from engine.procedure.state import fold
from engine.testing import load_walkthrough, walk, walkthrough_workspace
from engine.workspace import BUNDLED_PACKS

PACKS = sorted(d.name for d in BUNDLED_PACKS.iterdir() if (d / "walkthrough.toml").is_file())


def test_the_flagship_pack_has_a_walkthrough():
    assert "party" in PACKS


@pytest.mark.parametrize("name", PACKS)
def test_the_walkthrough_runs_to_the_end(name, tmp_path):
    wt = load_walkthrough(name)
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    seen = []
    try:
        case_id = walk(eng, wt, tmp_path / "src", on_outcome=lambda label, out: seen.append((label, out)))
        assert all(isinstance(out, Processed) for _, out in seen)
        assert [label for label, _ in seen][-len(wt.submissions):] == [f for f, _ in wt.submissions]
        cs = fold(eng.pack, case_id, eng.store.events(case_id))
        assert next_due(eng.pack, cs) == [], [d.step_id for d in next_due(eng.pack, cs)]
        assert cs.state == eng.pack.step(wt.submissions[-1][0]).to
    finally:
        eng.store.close()


def test_walk_stops_at_a_file_that_is_not_processed(tmp_path):
    wt = load_walkthrough("party")
    talk = dict(wt.submissions[0][1], talk_date=wt.person["apply_date"].replace(year=2020))
    broken = wt.__class__(**{**wt.__dict__, "submissions": [("talk", talk)]})
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    try:
        with pytest.raises(AssertionError, match="talk"):
            walk(eng, broken, tmp_path / "src")
    finally:
        eng.store.close()
