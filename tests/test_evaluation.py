"""民主测评 (the plan's 测评制, issue 15 point 1): a step of the party pack, off by default; its tally adds up and
passes at agree ÷ returned ≥ the threshold (2/3); a failed or missing evaluation blocks the decision it precedes,
before the 发展对象 decision or (a setting) before the admission meeting — both sides of each boundary."""
from __future__ import annotations

from datetime import timedelta

import pytest
from procedure import HAPPY, codes, ok, run, step_values, until

from engine.pack import load_pack
from engine.workspace import BUNDLED_PACKS

ON = load_pack(BUNDLED_PACKS / "party", {"evaluation": True})
AT_ADMISSION = load_pack(BUNDLED_PACKS / "party", {"evaluation": True, "evaluation_before": "admission"})
OFF = load_pack(BUNDLED_PACKS / "party")
DECIDED = step_values("target")["decision_date"]


def evaluation(agree=9, disagree=0, abstain=0, returned=None, issued=None, members=6, masses=6, result=None,
               when=None, threshold=(2, 3)):
    returned = agree + disagree + abstain if returned is None else returned
    issued = returned if issued is None else issued
    if result is None:
        result = "通过" if returned and agree * threshold[1] >= threshold[0] * returned else "未通过"
    return ("evaluation", dict(eval_date=when or DECIDED - timedelta(days=3), members_count=members,
                               masses_count=masses, ballots_issued=issued, ballots_returned=returned, agree=agree,
                               disagree=disagree, abstain=abstain, result=result))


def before_target(*evaluations):
    return until("target") + list(evaluations) + [("target", step_values("target"))]


def test_off_in_the_packs_defaults_and_the_procedure_runs_without_it():
    assert not [s for s in OFF.steps if s.form == "evaluation"] and OFF.settings["evaluation"] is False
    assert ok(run(OFF, until("target") + [("target", step_values("target"))]).verdict)


def test_on_a_passed_evaluation_opens_the_target_decision_and_the_whole_procedure():
    subs = before_target(evaluation())
    r = run(ON, subs)
    assert ok(r.verdict) and r.case.state == "target"
    assert r.case.facts["evaluation_result"] == "通过" and r.case.facts["evaluation_agree"] == 9
    i = len(until("target"))
    r = run(ON, HAPPY[:i] + [evaluation()] + HAPPY[i:])
    assert ok(r.verdict) and r.case.state == "full"
    assert ("evaluation_form_target", None) in run(ON, until("target")).documents   # the form is issued


def test_without_an_evaluation_the_target_decision_is_refused_saying_so():
    r = run(ON, before_target())
    assert codes(r.verdict) == ["evaluation_missing"]
    assert "尚未进行民主测评" in r.verdict.reasons[0].message


@pytest.mark.parametrize(("agree", "disagree", "passed"), [(6, 3, True), (5, 3, False), (7, 2, True), (5, 4, False)])
def test_it_passes_at_two_thirds_of_the_ballots_returned(agree, disagree, passed):
    """6 of 9 is exactly 2/3: passes; 5 of 8 (62.5%) and 5 of 9 fall short."""
    r = run(ON, before_target(evaluation(agree, disagree)))
    assert ok(r.verdict) is passed
    if not passed:
        assert codes(r.verdict) == ["evaluation_failed"]
        need = -(-2 * (agree + disagree) // 3)
        message = r.verdict.reasons[0].message
        assert f"同意 {agree} 票" in message and f"还差 {need - agree} 票" in message


def test_a_failed_evaluation_is_recorded_with_a_warning_and_a_new_one_may_pass():
    subs = until("target") + [evaluation(5, 3)]
    r = run(ON, subs)
    assert ok(r.verdict) and "evaluation_failed" in r.warnings
    assert "evaluation_target" in r.case.reopened                 # held again: a new evaluation, a new form
    assert ("evaluation_form_target", None) in r.documents[-1:]
    r = run(ON, subs + [evaluation(9)] + [("target", step_values("target"))])
    assert ok(r.verdict) and r.case.occurrences["evaluation_target"] == 2


def test_the_threshold_is_a_setting():
    strict = load_pack(BUNDLED_PACKS / "party", {"evaluation": True, "evaluation_threshold": "3/4"})
    assert not ok(run(strict, before_target(evaluation(6, 3, threshold=(3, 4)))).verdict)      # 6/9 < 3/4
    assert ok(run(strict, before_target(evaluation(6, 2, threshold=(3, 4)))).verdict)          # 6/8 = 3/4


@pytest.mark.parametrize(("over", "code"), [
    (dict(returned=10), "evaluation_count_mismatch"),             # 9 + 0 + 0 ≠ 10
    (dict(issued=8), "evaluation_returned_exceeds"),              # 9 returned of 8 issued
    (dict(members=4, masses=4), "evaluation_issued_exceeds"),     # 9 ballots for 8 people
    (dict(result="未通过"), "evaluation_result_mismatch"),         # the numbers say 通过
])
def test_counts_that_do_not_add_up_are_refused(over, code):
    r = run(ON, until("target") + [evaluation(**over)])
    assert code in codes(r.verdict)


@pytest.mark.parametrize("over", [dict(), dict(issued=9, members=5, masses=4), dict(issued=12)])
def test_counts_on_the_boundary_are_taken(over):
    """returned = issued, issued = participants, returned < issued: all fine."""
    assert ok(run(ON, until("target") + [evaluation(**over)]).verdict)


def test_before_the_admission_meeting_when_the_setting_says_so():
    assert ok(run(AT_ADMISSION, until("target") + [("target", step_values("target"))]).verdict)
    i = len(until("admission_vote"))
    r = run(AT_ADMISSION, HAPPY[:i + 1])
    assert codes(r.verdict) == ["evaluation_missing"] and "支部大会讨论接收前" in r.verdict.reasons[0].message
    meeting = step_values("admission_vote")["meeting_date"]
    r = run(AT_ADMISSION, HAPPY[:i] + [evaluation(when=meeting - timedelta(days=2))] + HAPPY[i:])
    assert ok(r.verdict) and r.case.state == "full"
    r = run(AT_ADMISSION, HAPPY[:i] + [evaluation(5, 3, when=meeting - timedelta(days=2)), HAPPY[i]])
    assert codes(r.verdict) == ["evaluation_failed"]


def test_off_in_a_new_workspace_on_in_the_repositorys_sample_workspace_and_the_demo(tmp_path):
    import tomllib
    from pathlib import Path

    from engine.cli import main
    from engine.workspace import load_workspace

    assert main(["init", str(tmp_path / "ws"), "--org", "X党委", "--branches", "一支部", "--feedback", "电话"]) == 0
    new = load_workspace(tmp_path / "ws")
    assert new.config.settings["evaluation"] is False          # written by init, from the pack's defaults
    root = Path(__file__).resolve().parent.parent
    sample = tomllib.loads((root / "docflow.toml").read_text(encoding="utf-8"))["settings"]
    demo = tomllib.loads((root / "samples" / "demo.toml").read_text(encoding="utf-8"))["settings"]
    assert sample["evaluation"] is True and demo["evaluation"] is True
    assert any(p.name.startswith("14-民主测评") for p in (root / "samples").iterdir())


def test_switched_on_for_a_case_already_past_it_regenerate_issues_its_form(tmp_path):
    """An activist of a workspace without 民主测评: the setting turned on, `docflow regenerate` issues the evaluation
    form the case never got; filled in, it is taken, and the target decision then needs it passed."""
    from e2e import activist, case_dir, drop, start, talk

    from engine import Engine, Processed
    from engine.clock import FixedClock
    from engine.regenerate import planned, regenerate
    from engine.testing import fill_xlsx, workspace
    from engine.workspace import load_workspace

    ws = workspace(tmp_path / "ws")
    eng = Engine.open(ws, clock=FixedClock(DECIDED.replace(year=2026, month=11, day=28)))
    start(eng, tmp_path)
    talk(eng, tmp_path, "2026-0001")
    assert isinstance(activist(eng, tmp_path, "2026-0001"), Processed)
    assert not list(case_dir(eng, "2026-0001").glob("07-民主测评*"))
    eng.store.close()
    config = ws.root / "docflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[settings]", "[settings]\nevaluation = true"),
                      encoding="utf-8")
    eng = Engine.open(load_workspace(ws.root), clock=FixedClock(DECIDED.replace(year=2026, month=11, day=28)))
    try:
        regenerate(eng, planned(eng), processes=1)
        [form] = case_dir(eng, "2026-0001").glob("07-民主测评*")
        _, values = evaluation(when=DECIDED.replace(year=2026, month=11, day=20))
        out = drop(eng, fill_xlsx(form, tmp_path / "测评.xlsx", values))
        assert isinstance(out, Processed), out.receipt
        assert "身份未验证" not in out.receipt
    finally:
        eng.store.close()


def test_an_evaluation_form_where_the_step_is_off_is_refused_saying_how_to_switch_it_on():
    from procedure import MEMBERS, TODAY

    from engine.check.validate import Submission
    from engine.procedure.advance import World, advance
    from engine.procedure.workdays import WorkdayCalendar

    assert OFF.switched_off == {"evaluation": ("evaluation",)} and ON.switched_off == {}
    r = run(OFF, until("target"))
    verdict = advance(OFF, r.case, Submission(*evaluation(), {}, {}), World(TODAY, WorkdayCalendar(), MEMBERS))
    assert codes(verdict) == ["no_step"]
    assert "没有开启“民主测评情况表”这一步" in verdict.reasons[0].message
    assert "evaluation = true" in verdict.reasons[0].fix
