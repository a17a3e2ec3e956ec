"""Every rule of the procedure, on both sides of its boundary (pure: advance and imports, no files)."""

import pytest
from procedure import HAPPY, D, codes, ok, person, run, step_values, until, vote

from engine.pack import load_pack
from engine.workspace import BUNDLED_PACKS


def with_(form_id, nth=1, **over):
    """The happy path up to the nth ``form_id``, then that submission with ``over`` applied."""
    return until(form_id, nth) + [(form_id, {**step_values(form_id, nth), **over})]


def test_the_happy_path_reaches_full_membership(pack):
    r = run(pack, HAPPY)
    assert ok(r.verdict) and r.case.state == "full" and r.warnings == []
    f = r.case.facts
    # 入党时间 = the admission meeting; probation 1 year from it; 转正时间 = end of probation
    assert (f["join_date"] == D(2025, 4, 25) and f["probation_end"] == D(2026, 4, 25)
            and f["full_date"] == D(2026, 4, 25))
    assert ("archive_index", None) in r.documents and ("approval_notice", None) in r.documents


# ---------------------------------------------------------------- step 7: 确定发展对象
@pytest.mark.parametrize("decided, passes", [(D(2025, 3, 1), True), (D(2025, 2, 28), False)])
def test_one_year_as_activist_the_anniversary_qualifies(pack, decided, passes):
    r = run(pack, with_("target", decision_date=decided, filing_date=D(2025, 3, 3)))
    assert ok(r.verdict) is passes
    if not passes:
        assert codes(r.verdict) == ["interval_too_short"]


def test_half_year_assessments_must_be_on_file(pack):
    subs = [s for s in until("target") if not (s[0] == "assessment" and s[1]["period"] == 2)]
    r = run(pack, subs + [("target", step_values("target"))])
    assert codes(r.verdict) == ["periods_missing"]


# ---------------------------------------------------------------- publicity [L]
@pytest.mark.parametrize("end, passes", [(D(2025, 3, 7), True), (D(2025, 3, 6), False)])
def test_publicity_five_working_days(pack, end, passes):
    r = run(pack, with_("publicity_target", end=end))
    assert ok(r.verdict) is passes


def test_publicity_working_days_skip_the_national_day_holiday(pack):
    subs = [(f, dict(v)) for f, v in until("publicity_target")]
    # 2025-09-29 (Mon) .. 2025-10-09 (Thu): working days 9-29, 9-30, 10-09 only
    r = run(pack, subs + [("publicity_target", dict(start=D(2025, 9, 29), end=D(2025, 10, 9), feedback="",
                                                    outcome="无异议"))])
    assert codes(r.verdict) == ["span_too_short"]
    r = run(pack, subs + [("publicity_target", dict(start=D(2025, 9, 29), end=D(2025, 10, 11), feedback="",
                                                    outcome="无异议"))])
    assert ok(r.verdict)  # 10-11 (Sat) was a make-up working day: 5 working days


def test_publicity_in_calendar_days_is_a_setting():
    p = load_pack(BUNDLED_PACKS / "party", {"publicity_unit": "day", "publicity_length": 7})
    assert codes(run(p, with_("publicity_target", end=D(2025, 3, 8))).verdict) == ["span_too_short"]
    assert ok(run(p, with_("publicity_target", end=D(2025, 3, 9))).verdict)


def test_publicity_can_be_switched_off():
    p = load_pack(BUNDLED_PACKS / "party", {"publicity_target": False, "publicity_admission": False,
                                            "publicity_conversion": False})
    subs = [s for s in HAPPY if not s[0].startswith("publicity")]
    r = run(p, subs)
    assert ok(r.verdict) and r.case.state == "full"
    assert not any(d.startswith("notice_") for d, _ in r.documents)


def test_a_publicity_that_finds_a_real_problem_sends_the_case_back(pack):
    r = run(pack, with_("publicity_target", outcome="反映问题属实，暂缓发展"))
    assert r.case.state == "activist"


# ---------------------------------------------------------------- step 9: sponsors
@pytest.mark.parametrize("s1, s2, code", [("刘一", "周三", None), ("刘一", "", "count_out_of_range"),
                                          ("刘一", "陈二", "not_full_member"), ("刘一", "钱六", "not_full_member"),
                                          ("刘一", "刘一", "duplicate_person")])
def test_exactly_two_full_member_sponsors_not_under_discipline(pack, s1, s2, code):
    r = run(pack, with_("sponsors", sponsor_1=s1, sponsor_2=s2))
    assert (code in codes(r.verdict)) if code else ok(r.verdict)


# ---------------------------------------------------------------- steps 10–14
def test_no_prereview_or_admission_without_a_passed_review(pack):
    subs = with_("review", conclusion="不通过") + [("training", step_values("training")),
                                                  ("prereview", step_values("prereview"))]
    assert codes(run(pack, subs).verdict) == ["review_not_passed"]


@pytest.mark.parametrize("start, end, hours, passes", [
    (D(2025, 3, 24), D(2025, 3, 26), 10, True),    # 3 days
    (D(2025, 3, 24), D(2025, 3, 25), 24, True),    # 24 hours
    (D(2025, 3, 24), D(2025, 3, 25), 23, False),   # 2 days and 23 hours
])
def test_training_three_days_or_24_hours(pack, start, end, hours, passes):
    r = run(pack, with_("training", start=start, end=end, hours=hours))
    assert ok(r.verdict) is passes
    if not passes:
        assert codes(r.verdict) == ["training_too_short"]


def test_local_training_floor_may_be_higher():
    p = load_pack(BUNDLED_PACKS / "party", {"training_min_days": 5, "training_min_hours": 40})
    assert codes(run(p, with_("training")).verdict) == ["training_too_short"]


def test_leaving_the_unit_soon_is_a_warning(pack):
    r = run(pack, with_("prereview", leaving_soon="是"))
    assert ok(r.verdict) and r.warnings == ["leaving_soon"]


def test_prereview_refused_blocks(pack):
    assert codes(run(pack, with_("prereview", result="不同意")).verdict) == ["prereview_refused"]


# ---------------------------------------------------------------- step 15: admission vote
def test_failed_vote_goes_back_to_development_target(pack):
    r = run(pack, with_("admission_vote", **vote(D(2025, 4, 25), "不通过", present=14, yes=8, no=6)))
    assert ok(r.verdict) and r.case.state == "target"
    assert ("admission_minutes", None) in r.documents and ("approval_request", None) not in r.documents


def test_after_a_failed_vote_a_later_meeting_votes_again(pack):
    failed = with_("admission_vote", **vote(D(2025, 4, 25), "不通过", present=14, yes=8, no=6))
    r = run(pack, failed)
    assert ("admission_vote_form", None) in r.documents   # the form for the next meeting
    r = run(pack, failed + [("admission_vote", vote(D(2025, 5, 23), "通过"))])
    assert r.verdict.events[0].kind == "step_done" and r.case.state == "voted"
    assert r.case.facts["admission_meeting_date"] == D(2025, 5, 23) and r.case.occurrences["admission_vote"] == 2


def test_vote_without_quorum_is_refused(pack):
    r = run(pack, with_("admission_vote", **vote(D(2025, 4, 25), "通过", present=8, yes=8, no=0)))
    assert codes(r.verdict) == ["vote_no_quorum"]


@pytest.mark.parametrize("meeting, passes", [(D(2026, 3, 20), True), (D(2026, 3, 21), False)])
def test_political_review_valid_one_year(pack, meeting, passes):
    subs = with_("admission_vote", **vote(meeting, "通过"))
    r = run(pack, subs, today=D(2026, 11, 28))
    assert ("interval_too_long" not in codes(r.verdict)) is passes


def test_meeting_more_than_a_month_after_prereview_is_a_warning(pack):
    r = run(pack, with_("admission_vote", **vote(D(2025, 5, 9), "通过")))
    assert ok(r.verdict) and r.warnings == ["interval_too_long"]


# ---------------------------------------------------------------- step 17: approval within 3 (warn) / 6 (refuse) months
@pytest.mark.parametrize("approved, warned, refused", [
    (D(2025, 7, 25), False, False), (D(2025, 7, 26), True, False),
    (D(2025, 10, 25), True, False), (D(2025, 10, 26), True, True),
])
def test_approval_three_and_six_months(pack, approved, warned, refused):
    r = run(pack, with_("admission_approval", approval_date=approved))
    assert (not ok(r.verdict)) is refused
    if not refused:
        assert ("interval_too_long" in r.warnings) is warned


def test_approval_refused_goes_back_to_development_target(pack):
    r = run(pack, with_("admission_approval", result="不批准"))
    assert r.case.state == "target" and "join_date" not in r.case.facts
    assert ("admission_refusal_notice", None) in r.documents and ("approval_notice", None) not in r.documents
    redo = with_("admission_approval", result="不批准") + [
        ("admission_vote", vote(D(2025, 9, 26), "通过")),
        ("committee_talk", dict(talk_date=D(2025, 10, 9), talker="王书记", summary="再次谈话")),
        ("admission_approval", dict(approval_date=D(2025, 11, 20), result="批准"))]
    r = run(pack, redo)
    assert r.case.state == "probationary" and r.case.facts["join_date"] == D(2025, 9, 26)


def test_a_publicity_that_finds_a_real_problem_means_a_new_target_decision_later(pack):
    back = with_("publicity_target", outcome="反映问题属实，暂缓发展")
    r = run(pack, back)
    assert r.case.state == "activist" and ("target_form", None) in r.documents
    third = ("assessment", dict(period=3, assess_date=D(2025, 8, 29), assessor="刘一", opinion="良好", result="合格"))
    r = run(pack, back + [third,
                          ("target", dict(step_values("target"), decision_date=D(2025, 9, 1),
                                          filing_date=D(2025, 9, 2))),
                          ("publicity_target", dict(start=D(2025, 9, 3), end=D(2025, 9, 9), feedback="",
                                                    outcome="无异议"))])
    assert r.verdict.events[0].kind == "step_done" and r.case.state == "target"
    assert r.case.facts["target_date"] == D(2025, 9, 1) and ("sponsors_form", None) in r.documents


def test_probation_counts_from_the_meeting_not_the_approval_or_the_oath(pack):
    r = run(pack, until("probation_assessment"))
    f = r.case.facts
    assert f["approval_date"] == D(2025, 6, 20) and r.case.steps["oath"]["oath_date"] == D(2025, 7, 1)
    assert f["probation_end"] == D(2026, 4, 25)


def test_oath_only_after_approval(pack):
    assert codes(run(pack, with_("oath", oath_date=D(2025, 6, 19))).verdict) == ["interval_too_short"]


# ---------------------------------------------------------------- steps 23–24: 转正, extension, cancellation
APPROVE = ("conversion_approval", dict(approval_date=D(2026, 5, 20), result="批准"))
REFUSE = ("conversion_approval", dict(approval_date=D(2026, 5, 20), result="不批准"))


def conversion(outcome, **over):
    return with_("conversion_vote", **vote(D(2026, 4, 27), outcome, **over))


@pytest.mark.parametrize("months, passes", [(6, True), (12, True), (5, False), (13, False)])
def test_extension_is_six_to_twelve_months(pack, months, passes):
    r = run(pack, conversion("延长预备期", extend_months=months))
    assert ok(r.verdict) is passes
    if passes:  # decided by the meeting, not yet in effect
        assert r.case.state == "extension_voted" and r.case.facts["probation_end"] == D(2026, 4, 25)
        end = D(2026, 4 + months, 25) if months < 9 else D(2027, months - 8, 25)
        assert r.case.facts["proposed_probation_end"] == end
        r = run(pack, conversion("延长预备期", extend_months=months) + [APPROVE])
        assert r.case.state == "extended" and r.case.facts["probation_end"] == end
        assert r.case.facts["extended_months"] == months and r.case.facts["extension_approval_date"] == D(2026, 5, 20)


@pytest.mark.parametrize("outcome, waiting, approved", [("按期转正", "conversion_voted", "full"),
                                                        ("延长预备期", "extension_voted", "extended"),
                                                        ("取消预备党员资格", "cancellation_voted", "cancelled")])
def test_every_outcome_of_the_conversion_vote_takes_effect_only_with_the_committee_approval(
        pack, outcome, waiting, approved):
    over = {"extend_months": 6} if outcome == "延长预备期" else {}
    voted = run(pack, conversion(outcome, **over))
    assert voted.case.state == waiting and voted.case.facts["conversion_outcome"] == outcome
    assert voted.members["张三"].status == "预备党员"              # still a probationary member meanwhile
    assert ("conversion_approval_form", None) in voted.documents  # the approval form for every outcome
    request = {"按期转正": "conversion_request", "延长预备期": "extension_request",
               "取消预备党员资格": "cancellation_request"}
    assert (request[outcome], None) in voted.documents             # the branch's 请示 for every outcome
    done = run(pack, conversion(outcome, **over) + [APPROVE])
    assert done.case.state == approved
    notice = {"按期转正": "conversion_notice", "延长预备期": "extension_notice",
              "取消预备党员资格": "cancellation_notice"}
    assert (notice[outcome], None) in done.documents and ("conversion_refusal_notice", None) not in done.documents
    assert ("full_date" in done.case.facts) is (approved == "full")
    member = done.members.get("张三")
    assert (member.status if member else None) == {"full": "正式党员", "extended": "预备党员",
                                                   "cancelled": None}[approved]


@pytest.mark.parametrize("outcome", ["按期转正", "延长预备期", "取消预备党员资格"])
def test_a_refused_approval_sends_the_case_back_for_another_branch_meeting(pack, outcome):
    over = {"extend_months": 6} if outcome == "延长预备期" else {}
    refused = run(pack, conversion(outcome, **over) + [REFUSE])
    assert refused.case.state == "probationary" and "full_date" not in refused.case.facts
    assert "extended_months" not in refused.case.facts
    assert ("conversion_refusal_notice", None) in refused.documents
    assert ("conversion_vote_form", None) in refused.documents      # issued again for the next meeting
    again = run(pack, conversion(outcome, **over) + [REFUSE, ("conversion_vote", vote(D(2026, 6, 29), "按期转正")),
                                                      ("conversion_approval",
                                                       dict(approval_date=D(2026, 7, 10), result="批准"))])
    assert [e.kind for e in again.verdict.events] == ["step_done"]   # a new meeting and approval, not corrections
    assert again.case.state == "full" and again.case.occurrences["conversion_vote"] == 2
    assert again.case.facts["conversion_meeting_date"] == D(2026, 6, 29)


def test_extension_only_once_and_full_date_is_the_end_of_the_extended_probation(pack):
    extended = conversion("延长预备期", extend_months=6) + [APPROVE]
    again = run(pack, extended + [("conversion_vote", vote(D(2026, 10, 26), "延长预备期", extend_months=6))])
    assert "extension_only_once" in codes(again.verdict)
    voted = run(pack, extended + [("conversion_vote", vote(D(2026, 10, 26), "按期转正"))])
    assert voted.case.state == "conversion_voted" and ("conversion_approval_form", None) in voted.documents
    done = run(pack, extended + [("conversion_vote", vote(D(2026, 10, 26), "按期转正")),
                                 ("conversion_approval", dict(approval_date=D(2026, 11, 20), result="批准"))])
    assert ok(done.verdict) and done.case.state == "full" and done.case.facts["full_date"] == D(2026, 10, 25)
    assert done.verdict.events[0].kind == "step_done"   # the second approval is an approval, not a correction


def test_refused_approval_after_the_extension_goes_back_to_extended(pack):
    extended = conversion("延长预备期", extend_months=6) + [APPROVE]
    r = run(pack, extended + [("conversion_vote", vote(D(2026, 10, 26), "按期转正")),
                              ("conversion_approval", dict(approval_date=D(2026, 11, 20), result="不批准"))])
    assert r.case.state == "extended" and ("conversion_vote_form_ext", None) in r.documents


def test_cancellation_of_probationary_membership(pack):
    r = run(pack, conversion("取消预备党员资格") + [APPROVE])
    assert ok(r.verdict) and r.case.state == "cancelled" and "张三" not in r.members
    assert r.case.facts["cancellation_date"] == D(2026, 5, 20)


def test_conversion_meeting_before_probation_ends_is_a_warning(pack):
    r = run(pack, with_("conversion_vote", **vote(D(2026, 4, 24), "按期转正")))
    assert ok(r.verdict) and "interval_too_short" in r.warnings


def test_full_date_is_the_end_of_probation_not_the_approval(pack):
    r = run(pack, until("archive"))
    assert r.case.facts["full_date"] == D(2026, 4, 25) and r.case.facts["conversion_approval_date"] == D(2026, 5, 20)


@pytest.mark.parametrize("archived, warned", [(D(2026, 5, 27), False), (D(2026, 5, 28), True)])
def test_archive_within_a_week(pack, archived, warned):
    r = run(pack, with_("archive", archive_date=archived))
    assert ok(r.verdict) and ("interval_too_long" in r.warnings) is warned


# ---------------------------------------------------------------- side paths
def test_transfer_out_and_withdraw(pack):
    t = run(pack, until("sponsors") + [("transfer_out", dict(transfer_date=D(2025, 3, 10), to_org="YY学区党委"))])
    assert t.case.state == "transferred_out" and ("transfer_list", None) in t.documents
    w = run(pack, until("target") + [("withdraw", dict(withdraw_date=D(2025, 1, 10), reason="本人申请"))])
    assert w.case.state == "withdrawn"
    late = run(pack, HAPPY + [("withdraw", dict(withdraw_date=D(2026, 6, 1), reason="x"))])
    assert codes(late.verdict) == ["wrong_step"]


def test_nothing_moves_after_a_terminal_state(pack):
    subs = until("sponsors") + [("withdraw", dict(withdraw_date=D(2025, 3, 10), reason="本人申请")),
                                ("sponsors", step_values("sponsors"))]
    assert codes(run(pack, subs).verdict) == ["wrong_step"]


def test_resubmitted_form_is_a_correction(pack):
    subs = until("review") + [("sponsors", dict(sponsor_1="孙五", sponsor_2="周三"))]
    r = run(pack, subs)
    assert r.verdict.events[0].kind == "step_corrected" and r.case.steps["sponsors"]["sponsor_1"] == "孙五"


# ---------------------------------------------------------------- adopting mid-year: the ledger
def ledger(**over):
    row = person(stage="发展对象", activist_date=D(2024, 3, 1), target_date=D(2025, 3, 1))
    row.update(over)
    return [("ledger", row)]


def test_ledger_row_becomes_a_case_at_its_stage_with_imported_history(pack):
    r = run(pack, ledger())
    assert ok(r.verdict) and r.case.state == "target" and r.case.imported
    assert r.case.facts["activist_date"] == D(2024, 3, 1) and r.case.facts["target_date"] == D(2025, 3, 1)
    assert all(e.data.get("imported") for e in r.verdict.events)
    assert r.case.assumed == {"assessment": 2}   # two half-years kept on paper before the target decision
    assert {d for d, _ in r.documents} == {"publicity_target_form", "review_form", "training_form",
                                           "transfer_out_form", "withdraw_form"}


def test_imported_activist_needs_only_the_assessments_since_adoption(pack):
    r = run(pack, ledger(stage="入党积极分子", target_date=None, activist_date=D(2025, 9, 1)), today=D(2026, 11, 28))
    assert r.case.state == "activist" and r.case.assumed == {"assessment": 2}
    r = run(pack, ledger(stage="入党积极分子", target_date=None, activist_date=D(2025, 9, 1)) +
            [("target", dict(decision_date=D(2026, 11, 20), opinions_summary="同意", filing_date=D(2026, 11, 21)))])
    assert ok(r.verdict) and r.case.state == "target"


def test_ledger_probationary_member_gets_join_and_probation_dates(pack):
    r = run(pack, ledger(stage="预备党员", join_date=D(2026, 5, 10)))
    assert r.case.state == "probationary" and r.case.facts["probation_end"] == D(2027, 5, 10)
    assert r.verdict.joins_members == "预备党员"


@pytest.mark.parametrize("over, code", [
    (dict(target_date=D(2025, 2, 28)), "interval_too_short"),                 # activist < 1 year before target
    (dict(stage="预备党员"), "ledger_stage_unsupported"),                       # no 入党时间 for that stage
    (dict(stage="入党积极分子"), "ledger_stage_unsupported"),                    # dates say 发展对象 already
    (dict(activist_date=None), "ledger_gap"),                                 # a later date without an earlier one
    (dict(apply_date=D(2024, 4, 1)), "interval_too_short"),                    # activist before the application
])
def test_ledger_rows_that_contradict_the_rules(pack, over, code):
    r = run(pack, ledger(**over))
    assert code in codes(r.verdict)


def test_a_year_the_holiday_calendar_does_not_cover_falls_back_to_weekdays_and_says_so(pack):
    from engine.procedure.workdays import WorkdayCalendar

    cal = WorkdayCalendar()
    from engine.procedure.rules import RuleContext, run_rules
    rule = next(r for r in pack.step("publicity_target").rules if r.kind == "span")
    ctx = RuleContext(form={"start": D(2099, 3, 2), "end": D(2099, 3, 6)}, case={}, today=D(2099, 12, 1), labels={},
                      calendar=cal)
    [note] = run_rules((rule,), ctx)              # Mon..Fri = 5 working days by the fallback: passes...
    assert note.severity == "warn" and note.code == "calendar_fallback"    # ... with a warning in the result
    assert "2099" in note.message and "周一至周五" in note.message
    covered = RuleContext(form={"start": D(2025, 3, 3), "end": D(2025, 3, 7)}, case={}, today=D(2025, 12, 1),
                          labels={}, calendar=cal)
    assert run_rules((rule,), covered) == []      # a covered year: nothing to say
    again = run_rules((rule,), ctx)               # every receipt says so, not only the first of a process
    assert [f.code for f in again] == ["calendar_fallback"]


def test_what_is_due_next_deadlines_and_earliest_dates(pack):
    from engine.procedure.due import next_due

    r = run(pack, HAPPY[:3])
    due = {d.step_id: d for d in next_due(pack, r.case)}
    assert set(due) == {"assessment", "target"}          # side paths are never "due"
    assert due["assessment"].deadline == D(2024, 9, 1) and due["assessment"].period == 1
    assert due["target"].earliest and due["target"].deadline is None and due["target"].due == D(2025, 3, 1)
    assert "最早可于 2025-03-01" in due["target"].describe(D(2024, 6, 1))
    assert "已逾期" in due["assessment"].describe(D(2024, 9, 2))
    assert "已逾期" not in due["assessment"].describe(D(2024, 9, 1))


def test_approval_needs_the_committee_talk_first(pack):
    subs = until("committee_talk") + [("admission_approval", step_values("admission_approval"))]
    assert codes(run(pack, subs).verdict) == ["missing_earlier_step"]


@pytest.mark.parametrize("assessed, warned", [(D(2025, 10, 25), False), (D(2025, 10, 26), True)])
def test_probation_assessment_every_six_months_from_joining(pack, assessed, warned):
    r = run(pack, with_("probation_assessment", 1, assess_date=assessed))
    assert ok(r.verdict) and ("period_overdue" in r.warnings) is warned


@pytest.mark.parametrize("approved, warned", [(D(2026, 7, 27), False), (D(2026, 7, 28), True)])
def test_conversion_approval_within_three_months_of_the_resolution(pack, approved, warned):
    r = run(pack, with_("conversion_approval", approval_date=approved), today=D(2026, 11, 28))
    assert ok(r.verdict) and ("interval_too_long" in r.warnings) is warned


# ---------------------------------------------------------------- 团组织推优 (中青发〔2019〕9号)
# a setting on by default
@pytest.mark.parametrize("birth, league, method, warned", [
    (D(1995, 3, 2), "是", "党员推荐", True),     # 29 the day after the decision: 28 on the decision day
    (D(1995, 3, 1), "是", "党员推荐", False),    # 29 on the decision day (2024-03-01)
    (D(1995, 3, 2), "是", "群团推优", False),
    (D(1995, 3, 2), "否", "党员推荐", False),
    (D(1995, 3, 2), "", "党员推荐", False),
])
def test_league_members_aged_28_or_under_come_through_the_league(pack, birth, league, method, warned):
    from engine.testing import id_number

    subs = [("applicant_roster", person(birth_date=birth, id_number=id_number(birth), league_member=league))]
    subs += [(f, dict(v)) for f, v in HAPPY[1:2]]
    subs.append(("activist", dict(step_values("activist"), decision_date=D(2024, 3, 1), filing_date=D(2024, 3, 1),
                                  method=method, league_member=league)))
    r = run(pack, subs)
    assert ok(r.verdict) and (r.warnings == ["league_recommendation"]) is warned


def test_the_league_rule_is_a_local_setting():
    from engine.testing import id_number

    off = load_pack(BUNDLED_PACKS / "party", {"league_recommendation": False})
    subs = [("applicant_roster", person(birth_date=D(2000, 1, 1), id_number=id_number(D(2000, 1, 1)),
                                        league_member="是"))]
    subs += [(f, dict(v)) for f, v in HAPPY[1:2]]
    subs.append(("activist", dict(step_values("activist"), league_member="是")))
    assert run(off, subs).warnings == []


def test_a_document_is_numbered_by_its_own_earlier_issues_not_by_its_step(pack):
    """（第N次办理） keeps an earlier file from being overwritten; a document issued for the first time has none."""
    extended = conversion("延长预备期", extend_months=6) + [
        APPROVE, ("conversion_vote", vote(D(2026, 10, 26), "按期转正"))]
    final = run(pack, extended + [("conversion_approval", dict(approval_date=D(2026, 11, 20), result="批准"))])
    issued = {d.doc_id: d.occurrence for d in final.verdict.documents}
    assert issued == {"conversion_notice": 1, "archive_form": 1}   # the step's second approval, their first issue
    redo = run(pack, conversion("按期转正") + [REFUSE, ("conversion_vote", vote(D(2026, 6, 29), "按期转正"))])
    issued = {d.doc_id: d.occurrence for d in redo.verdict.documents}
    assert (issued["conversion_minutes"] == 2 and issued["conversion_resolution"] == 2
            and issued["conversion_request"] == 2)
