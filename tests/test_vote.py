"""The branch general meeting vote (§2): N, quorum, majority, ballots — both sides of every boundary."""
from datetime import date

import pytest

from engine.pack import RuleDef
from engine.rules import RuleContext, run_rules
from engine.vote import vote_summary

RULE = RuleDef(kind="branch_vote", pass_outcomes=["通过"], fail_outcomes=["不通过"])


def tally(full=16, prob=2, present=None, yes=None, no=0, abstain=0, written_yes=0, written_no=0, excluded=(),
          due=None, issued=None, returned=None, outcome=None, total=None):
    present = full - len(excluded) if present is None else present
    yes = present - no - abstain if yes is None else yes
    issued = present if issued is None else issued
    returned = yes + no + abstain if returned is None else returned
    n = full - len(excluded)
    if outcome is None:
        outcome = "通过" if (yes + written_yes) * 2 > n else "不通过"
    f = dict(members_total=full + prob if total is None else total, members_full=full, members_probationary=prob,
             due_voting=n if due is None else due, present_voting=present, written_yes=written_yes,
             written_no=written_no, written_abstain=0, ballots_issued=issued, ballots_returned=returned,
             yes=yes, no=no, abstain=abstain, outcome=outcome)
    for i, (name, reason) in enumerate(excluded, 1):
        f[f"excluded_{i}_name"], f[f"excluded_{i}_reason"] = name, reason
    return f


def check(form, rule=RULE):
    return [x.code for x in run_rules((rule,), RuleContext(form=form, case={}, today=date(2026, 11, 28), labels={}))]


@pytest.mark.parametrize("n, present, ok", [(16, 9, True), (16, 8, False), (15, 8, True), (15, 7, False)])
def test_quorum_is_more_than_half_of_n(n, present, ok):
    codes = check(tally(full=n, present=present, yes=present))
    assert ("vote_no_quorum" not in codes) is ok


@pytest.mark.parametrize("n, yes, passed", [(16, 9, True), (16, 8, False), (15, 8, True), (15, 7, False)])
def test_pass_needs_more_than_half_of_n_not_of_those_present(n, yes, passed):
    f = tally(full=n, present=n - 2, yes=yes, no=n - 2 - yes)
    assert vote_summary(f)["passed"] is passed and check(f) == []
    wrong = dict(f, outcome="不通过" if passed else "通过")
    assert check(wrong) == ["vote_outcome_mismatch"]


def test_written_yes_counts_for_the_majority_but_not_for_the_quorum():
    f = tally(full=16, present=9, yes=7, no=2, written_yes=2)
    assert vote_summary(f)["passed"] and check(f) == []
    f = tally(full=16, present=8, yes=8, written_yes=5)
    assert "vote_no_quorum" in check(f)


def test_probationary_members_never_count_in_n():
    f = tally(full=10, prob=6, present=6, yes=6)
    assert vote_summary(f)["due"] == 10 and check(f) == []
    assert check(dict(f, due_voting=16)) == ["vote_due_wrong"]


def test_excluded_members_lower_n_and_need_a_reason():
    f = tally(full=16, excluded=[("甲", "出国半年以上"), ("乙", "卧床不起")], present=8, yes=8)
    assert vote_summary(f)["due"] == 14 and check(f) == []   # 8 × 2 > 14
    f = tally(full=16, excluded=[("甲", "")], present=9, yes=9)
    assert "vote_excluded_reason" in check(f)


def test_due_voting_typed_wrong_says_what_it_should_be():
    [finding] = run_rules((RULE,), RuleContext(form=tally(full=16, due=18), case={}, today=date(2026, 1, 1), labels={}))
    assert finding.code == "vote_due_wrong" and "= 16人" in finding.message and finding.fix == "请填写16"


@pytest.mark.parametrize("issued, returned, code", [(10, 10, None), (10, 11, "vote_ballots_void"), (11, 11, "vote_issued_exceeds")])
def test_ballots(issued, returned, code):
    f = tally(full=12, present=10, yes=returned, issued=issued, returned=returned)
    codes = check(f)
    assert (code in codes) if code else codes == []


def test_counts_must_add_up():
    f = tally(full=12, present=10, yes=6, no=2, abstain=1, returned=10)
    assert check(f) == ["vote_count_mismatch"]


def test_total_must_be_full_plus_probationary():
    assert check(tally(full=12, prob=3, total=14)) == ["vote_members_mismatch"]


def test_written_opinions_only_from_absent_members():
    f = tally(full=12, present=11, yes=11, written_yes=2)
    assert "vote_written_exceeds" in check(f)


def test_conversion_outcomes_all_need_the_majority():
    rule = RuleDef(kind="branch_vote", pass_outcomes=["按期转正", "延长预备期", "取消预备党员资格"])
    assert check(tally(full=10, present=10, yes=6, no=4, outcome="延长预备期"), rule) == []
    assert check(tally(full=10, present=10, yes=5, no=5, outcome="按期转正"), rule) == ["vote_outcome_mismatch"]
