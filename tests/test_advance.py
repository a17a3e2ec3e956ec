"""advance is pure: case state + submission + world → decision or refusal (no I/O anywhere)."""
from datetime import date

import pytest

from engine.check.validate import Submission
from engine.outcomes import Decision, Refusal
from engine.procedure.advance import World, advance
from engine.procedure.rules import Member
from engine.procedure.state import fold
from engine.procedure.workdays import WorkdayCalendar
from engine.testing import id_number

TODAY = date(2026, 11, 28)
MEMBERS = {"刘一": Member("刘一", "正式党员"), "陈二": Member("陈二", "预备党员"), "周三": Member("周三", "正式党员")}


def world(members=MEMBERS, today=TODAY):
    return World(today, WorkdayCalendar(), members)


def sub(form_id, **values):
    return Submission(form_id, values, {k: f"位置-{k}" for k in values}, {})


def person(birth=date(1995, 3, 7), applied=date(2026, 1, 31), **over):
    v = dict(name="张三", gender="男", ethnicity="汉族", birth_date=birth, id_number=id_number(birth),
             education="大学本科", unit="中心小学", post="教师", frontline="是", phone="", branch="第一党支部",
             apply_date=applied)
    v.update(over)
    return sub("applicant_roster", **v)


def run(pack, *subs, w=None):
    """Apply submissions one after another; returns (case state, last verdict)."""
    events, verdict = [], None
    for s in subs:
        cs = fold(pack, "2026-0001", events) if events else None
        verdict = advance(pack, cs, s, w or world())
        if isinstance(verdict, Refusal):
            return fold(pack, "2026-0001", events) if events else None, verdict
        events += [("t", e) for e in verdict.events]
    return fold(pack, "2026-0001", events), verdict


def talk(d=date(2026, 2, 20)):
    return sub("talk", talk_date=d, talker="刘一", talker_post="书记", summary="谈话内容")


def activist(decided=date(2026, 4, 1), c1="刘一", c2=""):
    return sub("activist", decision_date=decided, method="党员推荐", filing_date=decided, contact_1=c1, contact_2=c2)


def assessment(period, d, result="合格"):
    return sub("assessment", period=period, assess_date=d, assessor="刘一", opinion="表现良好", result=result)


def test_application_creates_the_case_and_issues_the_talk_form(pack):
    cs, v = run(pack, person())
    assert isinstance(v, Decision)
    assert [e.kind for e in v.events] == ["case_created", "step_done"]
    assert cs.state == "applicant" and cs.facts["apply_date"] == date(2026, 1, 31)
    assert {d.doc_id for d in v.documents} == {"case_file", "case_record", "talk_form", "transfer_out_form",
                                             "withdraw_form"}
    assert cs.pack_version == pack.version


@pytest.mark.parametrize("applied, ok", [(date(2026, 3, 7), True), (date(2026, 3, 6), False)])
def test_application_age_boundary(pack, applied, ok):
    _, v = run(pack, person(birth=date(2008, 3, 7), applied=applied))
    assert isinstance(v, Decision) is ok


def test_application_id_and_birth_date_must_agree(pack):
    _, v = run(pack, person(birth=date(1995, 3, 7), id_number=id_number(date(1995, 3, 8))))
    assert isinstance(v, Refusal) and v.reasons[0].code == "id_birth_mismatch"


def test_application_in_the_future_is_refused(pack):
    _, v = run(pack, person(applied=date(2026, 11, 29)))
    assert isinstance(v, Refusal)


@pytest.mark.parametrize("talk_date, warned", [(date(2026, 2, 28), False), (date(2026, 3, 1), True)])
def test_talk_within_one_calendar_month_warns_not_blocks(pack, talk_date, warned):
    cs, v = run(pack, person(applied=date(2026, 1, 31)), talk(talk_date))
    assert isinstance(v, Decision) and cs.facts["talk_date"] == talk_date
    assert bool(v.warnings) is warned
    if warned:
        assert v.warnings[0].place == "位置-talk_date"
        assert cs.warnings


def test_talk_before_the_application_is_refused(pack):
    _, v = run(pack, person(applied=date(2026, 1, 31)), talk(date(2026, 1, 30)))
    assert isinstance(v, Refusal) and v.reasons[0].field == "talk_date"


def test_activist_needs_the_talk_first(pack):
    _, v = run(pack, person(), activist())
    assert isinstance(v, Refusal) and v.reasons[0].code == "missing_earlier_step"


def test_activist_with_one_or_two_full_member_contacts(pack):
    cs, v = run(pack, person(), talk(), activist(c1="刘一", c2="周三"))
    assert isinstance(v, Decision) and cs.state == "activist"
    assert cs.facts["activist_date"] == date(2026, 4, 1)
    assert {(d.doc_id, d.period) for d in v.documents} == {("activist_filing", None), ("contact_register", None),
                                                          ("assessment_form", 1), ("target_form", None)}


@pytest.mark.parametrize("c1, c2, code", [("陈二", "", "not_full_member"), ("刘一", "无名氏", "not_full_member"),
                                          ("刘一", "刘一", "duplicate_person")])
def test_activist_contacts_refused(pack, c1, c2, code):
    _, v = run(pack, person(), talk(), activist(c1=c1, c2=c2))
    assert isinstance(v, Refusal) and code in [r.code for r in v.reasons]


def test_activist_without_a_member_roster_is_refused_with_the_fix(pack):
    _, v = run(pack, person(), talk(), activist(), w=world(members=None))
    assert isinstance(v, Refusal) and v.reasons[0].code == "no_member_roster"


def test_activist_date_can_be_the_filing_date(tmp_path):
    from engine.pack import load_pack
    from engine.workspace import BUNDLED_PACKS

    p = load_pack(BUNDLED_PACKS / "party", {"activist_date_source": "filing"})
    a = sub("activist", decision_date=date(2026, 4, 1), method="党员推荐", filing_date=date(2026, 4, 9),
            contact_1="刘一", contact_2="")
    cs, _ = run(p, person(), talk(), a)
    assert cs.facts["activist_date"] == date(2026, 4, 9)


@pytest.mark.parametrize("wait, decided, ok", [(3, date(2026, 4, 30), True), (3, date(2026, 4, 29), False)])
def test_local_minimum_wait_before_activist(wait, decided, ok):
    from engine.pack import load_pack
    from engine.workspace import BUNDLED_PACKS

    p = load_pack(BUNDLED_PACKS / "party", {"activist_min_wait_months": wait})
    _, v = run(p, person(applied=date(2026, 1, 30)), talk(date(2026, 2, 1)), activist(decided))
    assert isinstance(v, Decision) is ok


def test_assessments_in_order_issue_the_next_period(pack):
    cs, v = run(pack, person(), talk(), activist(), assessment(1, date(2026, 9, 30)))
    assert isinstance(v, Decision) and v.warnings == ()
    assert [(d.doc_id, d.period) for d in v.documents] == [("assessment_form", 2)]
    assert list(cs.periods["assessment"]) == [1]


def test_assessment_late_is_a_warning(pack):
    _, v = run(pack, person(), talk(), activist(decided=date(2026, 4, 1)), assessment(1, date(2026, 10, 2)))
    assert isinstance(v, Decision) and v.warnings[0].code == "period_overdue"


def test_assessment_out_of_order_is_refused(pack):
    _, v = run(pack, person(), talk(), activist(), assessment(2, date(2026, 9, 30)))
    assert isinstance(v, Refusal) and v.reasons[0].code == "period_out_of_order"


def test_assessment_before_activist_stage_is_a_wrong_step(pack):
    _, v = run(pack, person(), talk(), assessment(1, date(2026, 9, 30)))
    assert isinstance(v, Refusal) and v.reasons[0].code == "wrong_step"


def test_a_resubmitted_step_is_recorded_as_a_correction(pack):
    cs, v = run(pack, person(), talk(date(2026, 2, 20)), talk(date(2026, 2, 21)))
    assert isinstance(v, Decision) and v.events[0].kind == "step_corrected"
    assert cs.facts["talk_date"] == date(2026, 2, 21) and cs.state == "applicant"


def test_resubmitted_assessment_period_is_a_correction(pack):
    cs, v = run(pack, person(), talk(), activist(), assessment(1, date(2026, 9, 30)),
                assessment(1, date(2026, 9, 29), result="基本合格"))
    assert v.events[0].kind == "step_corrected"
    assert cs.periods["assessment"][1]["result"] == "基本合格" and len(cs.periods["assessment"]) == 1
