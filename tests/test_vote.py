"""The branch general meeting vote (§2): N, quorum, majority, ballots — both sides of every boundary."""
from datetime import date

import pytest

from engine.pack import RuleDef, load_pack
from engine.procedure.rules import RULES, Member, RuleContext, run_rules, typed_params
from engine.procedure.rules.base import MemberPolicy
from engine.procedure.rules.vote import vote_summary as _summary
from engine.workspace import BUNDLED_PACKS

PARTY = load_pack(BUNDLED_PACKS / "party")
POLICY = MemberPolicy("正式党员", PARTY.terms)


def vote_rule(**over) -> RuleDef:
    """The party pack's admission vote rule (its fields as the pack declares them), with ``over`` applied."""
    base = next(r for r in PARTY.step("admission_vote").rules if r.kind == "branch_vote")
    rule = RuleDef(kind="branch_vote", **{**base.params, **over})
    return rule.model_copy(update={"typed": typed_params(RULES, rule)})


RULE = vote_rule()


def vote_summary(f):
    return _summary(RULE.typed, f)


def tally(full=16, prob=2, present=None, yes=None, no=0, abstain=0, written_yes=0, written_no=0, excluded=(),
          due=None, issued=None, returned=None, outcome=None, total=None, discipline=0):
    n = full - discipline - len(excluded)
    present = n if present is None else present
    yes = present - no - abstain if yes is None else yes
    issued = present if issued is None else issued
    returned = yes + no + abstain if returned is None else returned
    if outcome is None:
        outcome = "通过" if (yes + written_yes) * 2 > n else "不通过"
    f = dict(members_total=full + prob if total is None else total, members_full=full, members_probationary=prob,
             members_discipline=discipline, due_voting=n if due is None else due, present_voting=present,
             written_yes=written_yes, written_no=written_no, written_abstain=0, ballots_issued=issued,
             ballots_returned=returned, yes=yes, no=no, abstain=abstain, outcome=outcome)
    for i, (name, reason) in enumerate(excluded, 1):
        f[f"excluded_{i}_name"], f[f"excluded_{i}_reason"] = name, reason
    return f


def roster(full=16, prob=2, discipline=0, names=()):
    """A branch roster: ``full`` full members (the first ``discipline`` of them under 留党察看, ``names`` among
    the others) and ``prob`` probationary members."""
    out = {f"正式{i}": Member(f"正式{i}", "正式党员", i < discipline) for i in range(full - len(names))}
    out.update({n: Member(n, "正式党员") for n in names})
    out.update({f"预备{i}": Member(f"预备{i}", "预备党员") for i in range(prob)})
    return out


def findings(form, rule=RULE, members=None):
    if members is None:  # the roster the form's own figures describe
        names = [form[k] for k in form if k.startswith("excluded_") and k.endswith("_name")]
        members = roster(form["members_full"], form["members_probationary"], form.get("members_discipline", 0), names)
    return run_rules((rule,), RuleContext(form=form, case={"branch": "第一党支部"}, today=date(2026, 11, 28),
                                          labels={}, members=members, policy=POLICY))


def check(form, rule=RULE, members=None):
    return [x.code for x in findings(form, rule, members)]


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
    [finding] = findings(tally(full=16, due=18))
    assert finding.code == "vote_due_wrong" and "= 16人" in finding.message and finding.fix == "请填写16"


# ---------------------------------------------------------------- 留党察看 and the member roster (党章第四十条)
def branch_of_17():
    """17 full members, one of them under 留党察看, and 2 probationary members: N = 16."""
    return roster(full=17, prob=2, discipline=1, names=["甲"])


@pytest.mark.parametrize("present, yes, codes", [(9, 9, []), (16, 9, []), (8, 8, ["vote_no_quorum"]),
                                                 (16, 8, ["vote_outcome_mismatch"])])
def test_worked_example_n16_with_a_member_under_discipline_and_probationary_members(present, yes, codes):
    f = tally(full=17, prob=2, discipline=1, present=present, yes=yes, no=present - yes, outcome="通过")
    assert f["due_voting"] == 16 and check(f, members=branch_of_17()) == codes


@pytest.mark.parametrize("present, yes, codes", [(8, 8, []), (7, 7, ["vote_no_quorum"]),
                                                 (15, 7, ["vote_outcome_mismatch"])])
def test_worked_example_n15_one_excluded_besides(present, yes, codes):
    f = tally(full=17, prob=2, discipline=1, excluded=[("甲", "自费出国半年以上")], present=present, yes=yes,
              no=present - yes, outcome="通过")
    assert f["due_voting"] == 15 and check(f, members=branch_of_17()) == codes


def test_the_correct_tally_of_a_branch_with_a_member_under_discipline_is_accepted():
    # the bug: N taken as full − excluded = 17 refused every correct tally of this branch
    f = tally(full=17, prob=2, discipline=1, present=14, yes=13, no=1)
    assert check(f, members=branch_of_17()) == []


def test_counting_the_member_under_discipline_in_n_is_refused_naming_the_number():
    f = tally(full=17, prob=2, discipline=1, present=14, yes=13, no=1, due=17)
    [finding] = findings(f, members=branch_of_17())
    assert finding.code == "vote_due_wrong" and finding.field == "due_voting" and finding.fix == "请填写16"
    assert ("受留党察看处分1人" in finding.message and "= 16人" in finding.message
            and "表中填写为17人" in finding.message)


def test_each_count_of_the_form_is_checked_against_the_roster():
    f = tally(full=17, prob=2, discipline=1)
    assert check(dict(f, members_discipline=0, due_voting=17), members=branch_of_17()) == [
        "vote_members_mismatch", "vote_due_wrong"]
    wrong = findings(dict(f, members_full=18, members_total=20), members=branch_of_17())
    assert [(x.code, x.field) for x in wrong] == [("vote_members_mismatch", "members_full"),
                                                  ("vote_members_mismatch", "members_total")]
    assert "党员名册中为17人" in wrong[0].message
    assert check(dict(f, members_probationary=1, members_total=18),
                 members=branch_of_17())[0] == "vote_members_mismatch"


@pytest.mark.parametrize("name, code", [("正式0", "vote_excluded_not_voting"), ("预备0", "vote_excluded_not_voting"),
                                        ("无此人", "vote_excluded_unknown"), ("甲", None)])
def test_only_voting_full_members_of_the_roster_can_be_excluded(name, code):
    f = tally(full=17, prob=2, discipline=1, excluded=[(name, "卧床不起")])
    codes = check(f, members=branch_of_17())
    assert (code in codes) if code else codes == []


def test_without_a_member_roster_n_cannot_be_checked():
    f = tally(full=16)
    assert check(f, members={}) != [] and run_rules((RULE,), RuleContext(
        form=f, case={}, today=date(2026, 1, 1), labels={}, policy=POLICY))[0].code == "no_member_roster"


@pytest.mark.parametrize("issued, returned, code", [(10, 10, None), (10, 11, "vote_ballots_void"),
                                                    (11, 11, "vote_issued_exceeds")])
def test_ballots(issued, returned, code):
    f = tally(full=12, present=10, yes=returned, issued=issued, returned=returned)
    codes = check(f)
    assert (code in codes) if code else codes == []


def test_counts_must_add_up():
    f = tally(full=12, present=10, yes=6, no=2, abstain=1, returned=10)
    assert check(f) == ["vote_count_mismatch"]


def test_total_must_be_full_plus_probationary():
    assert check(tally(full=12, prob=3, total=14)) == ["vote_members_mismatch"]
    assert "共15人" in findings(tally(full=12, prob=3, total=14))[0].message


def test_written_opinions_only_from_absent_members():
    f = tally(full=12, present=11, yes=11, written_yes=2)
    assert "vote_written_exceeds" in check(f)


def test_conversion_outcomes_all_need_the_majority():
    rule = vote_rule(pass_outcomes=["按期转正", "延长预备期", "取消预备党员资格"], fail_outcomes=[])
    assert check(tally(full=10, present=10, yes=6, no=4, outcome="延长预备期"), rule) == []
    assert check(tally(full=10, present=10, yes=5, no=5, outcome="按期转正"), rule) == ["vote_outcome_mismatch"]
