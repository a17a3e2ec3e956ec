"""The rule library: each kind tested once, on both sides of its boundary."""
from datetime import date

import pytest

from engine.pack import RuleDef, Terms
from engine.procedure.rules import Member, RuleContext, id_check_char, id_problem, run_rules
from engine.procedure.rules.base import MemberPolicy
from engine.testing import id_number

POLICY = MemberPolicy("正式党员", Terms(organisation="党委", branch="党支部", member="党员", full_member="正式党员",
                                       member_roster="党员名册", discipline="留党察看"))


def ctx(form=None, case=None, members=None, today=date(2026, 11, 28)):
    return RuleContext(form=form or {}, case=case or {}, today=today, labels={}, members=members, policy=POLICY)


def rule(**kw):
    return RuleDef(**kw)


def test_id_check_digit():
    assert id_check_char("11010519491231002") == "X"  # the GB 11643 example
    assert id_problem("11010519491231002X") == ""
    assert "校验位" in id_problem("110105194912310021")
    assert "18位" in id_problem("11010519491231002")


def test_id_number_birth_date_must_agree():
    r = rule(kind="id_number", field="form.id", birth="form.birth")
    good = id_number(date(1990, 3, 7))
    assert run_rules((r,), ctx({"id": good, "birth": date(1990, 3, 7)})) == []
    [f] = run_rules((r,), ctx({"id": good, "birth": date(1990, 3, 8)}))
    assert f.code == "id_birth_mismatch" and f.field == "birth"


@pytest.mark.parametrize(("birth", "refused"), [
    ((1990, 3), False),          # 出生年月 1990-03 against an ID born 1990-03-07: the month agrees
    ((1990, 4), True),           # the next month
    ((1990, 2), True),           # the month before
    ((1991, 3), True),           # another year
])
def test_a_year_month_birth_date_is_checked_against_the_ids_year_and_month(birth, refused):
    from engine.check.values import MonthDate

    r = rule(kind="id_number", field="form.id", birth="form.birth")
    found = run_rules((r,), ctx({"id": id_number(date(1990, 3, 7)), "birth": MonthDate(*birth, 1)}))
    assert bool(found) is refused
    if found:
        assert "出生年月" in found[0].message and "1990-03" in found[0].message


def test_id_with_impossible_birth_date():
    first = "110101" + "19900230" + "123"
    value = first + id_check_char(first)
    assert "不是有效日期" in id_problem(value)


@pytest.mark.parametrize("applied, refused", [(date(2026, 3, 5), False), (date(2026, 3, 4), True)])
def test_min_age_boundary_is_the_18th_birthday(applied, refused):
    r = rule(kind="min_age", birth="form.b", on="form.a", years="18")
    out = run_rules((r,), ctx({"b": date(2008, 3, 5), "a": applied}))
    assert bool(out) is refused
    if refused:
        assert out[0].code == "under_age" and "2026-03-05" in out[0].fix


@pytest.mark.parametrize("talk, late", [(date(2026, 2, 28), False), (date(2026, 3, 1), True)])
def test_interval_max_one_calendar_month_from_31_january(talk, late):
    r = rule(kind="interval", start="case.apply", end="form.talk", max="1 month", severity="warn")
    out = run_rules((r,), ctx({"talk": talk}, {"apply": date(2026, 1, 31)}))
    assert bool(out) is late
    if late:
        assert out[0].severity == "warn" and out[0].code == "interval_too_long" and "2026-02-28" in out[0].message


@pytest.mark.parametrize("decided, refused", [(date(2026, 1, 10), False), (date(2026, 1, 9), True)])
def test_interval_min_zero_days_means_not_before(decided, refused):
    r = rule(kind="interval", start="case.apply", end="form.d", min="0 day")
    assert bool(run_rules((r,), ctx({"d": decided}, {"apply": date(2026, 1, 10)}))) is refused


@pytest.mark.parametrize("decided, refused", [(date(2026, 7, 10), False), (date(2026, 7, 9), True)])
def test_interval_min_months_local_setting(decided, refused):
    r = rule(kind="interval", start="case.apply", end="form.d", min="6 month")
    assert bool(run_rules((r,), ctx({"d": decided}, {"apply": date(2026, 1, 10)}))) is refused


def test_interval_against_today():
    r = rule(kind="interval", start="form.d", end="today", min="0 day")
    assert run_rules((r,), ctx({"d": date(2026, 11, 28)})) == []
    assert run_rules((r,), ctx({"d": date(2026, 11, 29)}))[0].field == "d"


def test_interval_skips_missing_values():
    r = rule(kind="interval", start="case.x", end="form.y", max="1 month")
    assert run_rules((r,), ctx({}, {})) == []


@pytest.mark.parametrize("names, ok", [(["甲"], True), (["甲", "乙"], True), ([], False), (["甲", "甲"], False)])
def test_count_range_one_or_two_distinct(names, ok):
    r = rule(kind="count_range", fields=["form.c1", "form.c2"], min=1, max=2)
    form = {f"c{i + 1}": n for i, n in enumerate(names)}
    assert (run_rules((r,), ctx(form)) == []) is ok


MEMBERS = {"甲": Member("甲", "正式党员"), "乙": Member("乙", "预备党员"), "丙": Member("丙", "正式党员", True)}


@pytest.mark.parametrize("name, code", [("甲", None), ("乙", "not_full_member"), ("丙", "not_full_member"),
                                        ("丁", "not_full_member")])
def test_full_members(name, code):
    r = rule(kind="full_members", fields=["form.c1"])
    out = run_rules((r,), ctx({"c1": name}, members=MEMBERS))
    assert (out[0].code if out else None) == code


def test_full_members_needs_a_member_roster():
    r = rule(kind="full_members", fields=["form.c1"])
    [f] = run_rules((r,), ctx({"c1": "甲"}, members=None))
    assert f.code == "no_member_roster" and "党员名册" in f.fix


@pytest.mark.parametrize("assessed, late", [(date(2027, 2, 28), False), (date(2027, 3, 1), True)])
def test_period_due_every_six_months(assessed, late):
    r = rule(kind="period_due", start="case.activist", field="form.d", every="6 month", period="form.period",
             severity="warn")
    out = run_rules((r,), ctx({"d": assessed, "period": 1}, {"activist": date(2026, 8, 31)}))
    assert bool(out) is late


def test_second_period_counts_from_the_activist_date():
    r = rule(kind="period_due", start="case.activist", field="form.d", every="6 month", period="form.period",
             severity="warn")
    assert run_rules((r,), ctx({"d": date(2027, 6, 1), "period": 2}, {"activist": date(2026, 6, 1)})) == []
    assert run_rules((r,), ctx({"d": date(2027, 6, 2), "period": 2}, {"activist": date(2026, 6, 1)}))


# ---------------------------------------------------------------- rule kinds of stages 2–5
@pytest.mark.parametrize("end, n_ok", [(date(2025, 3, 7), True), (date(2025, 3, 6), False)])
def test_span_in_working_days(end, n_ok):
    r = rule(kind="span", start="form.s", end="form.e", min="5 working_day")
    out = run_rules((r,), ctx({"s": date(2025, 3, 3), "e": end}))
    assert (out == []) is n_ok
    if not n_ok:
        assert "4个工作日" in out[0].message and "2025-03-07" in out[0].fix


@pytest.mark.parametrize("end, n_ok", [(date(2025, 3, 9), True), (date(2025, 3, 8), False)])
def test_span_in_calendar_days_counts_both_ends(end, n_ok):
    r = rule(kind="span", start="form.s", end="form.e", min="7 day")
    assert (run_rules((r,), ctx({"s": date(2025, 3, 3), "e": end})) == []) is n_ok


@pytest.mark.parametrize("days, hours, n_ok", [(3, 0, True), (2, 24, True), (2, 23, False), (1, 30, True)])
def test_training_length(days, hours, n_ok):
    r = rule(kind="training_length", start="form.s", end="form.e", hours="form.h", min_days="3", min_hours="24")
    form = {"s": date(2025, 3, 1), "e": date(2025, 3, days), "h": hours}
    assert (run_rules((r,), ctx(form)) == []) is n_ok


@pytest.mark.parametrize("have, decided, n_ok", [(2, date(2025, 3, 1), True), (1, date(2025, 3, 1), False),
                                                 (1, date(2025, 2, 28), True)])
def test_periods_on_file(have, decided, n_ok):
    r = rule(kind="periods_on_file", step="a", start="case.act", end="form.d", every="6 month")
    c = RuleContext(form={"d": decided}, case={"act": date(2024, 3, 1)}, today=date(2026, 1, 1), labels={},
                    periods={"a": have})
    assert (run_rules((r,), c) == []) is n_ok


def test_value_in_and_number_range():
    r = rule(kind="value_in", field="case.c", values=["通过"], code="review_not_passed")
    assert run_rules((r,), ctx(case={"c": "通过"})) == []
    assert run_rules((r,), ctx(case={"c": "不通过"}))[0].code == "review_not_passed"
    n = rule(kind="number_range", field="form.m", min=6, max=12)
    assert [run_rules((n,), ctx({"m": m})) == [] for m in (5, 6, 12, 13)] == [False, True, True, False]


def test_a_rule_with_when_applies_only_when_the_condition_holds():
    n = RuleDef(kind="number_range", field="form.m", min=6, max=12, when={"field": "form.o", "in": ["延长预备期"]})
    assert run_rules((n,), ctx({"m": None, "o": "按期转正"})) == []
    assert run_rules((n,), ctx({"m": None, "o": "延长预备期"}))[0].code == "number_out_of_range"


def _today_rules():
    from engine.pack import load_pack
    from engine.workspace import BUNDLED_PACKS

    pack = load_pack(BUNDLED_PACKS / "party")
    out = [(s.id, r) for s in pack.steps for r in s.rules if r.kind == "interval" and r.params["end"] == "today"]
    out += [(k, r) for k, imp in pack.imports.items() for r in imp.rules
            if r.kind == "interval" and r.params["end"] == "today"]
    return out


@pytest.mark.parametrize("where, r", _today_rules(), ids=[f"{w}-{r.params['start']}" for w, r in _today_rules()])
def test_every_no_future_date_check_says_the_date_is_after_today(where, r):
    key = r.params["start"].partition(".")[2]
    labels = {r.params["start"]: "某日期"}
    today = date(2026, 11, 28)
    at = lambda d: RuleContext(form={key: d}, case={key: d}, today=today, labels=labels)  # noqa: E731
    assert run_rules((r,), at(today)) == []                       # today itself is fine
    [f] = run_rules((r,), at(date(2027, 3, 1)))
    assert f.code == "date_in_future"
    assert "某日期为 2027-03-01，晚于今天（2026-11-28）" in f.message
    assert "不能早于" not in f.message.split("：", 1)[1] and "须待" not in f.fix and "今后的日期" in f.fix


@pytest.mark.parametrize("start, end, min_, message, fix", [
    ("form.a", "form.b", "0 day", "乙（2026-01-04）早于甲（2026-01-05）", "乙应在甲当天或之后"),
    ("case.a", "form.b", "1 year", "乙 2026-01-04 距甲 2026-01-05 不足1年，最早应为 2027-01-05",
     "2027-01-05 或以后办理"),
])
def test_too_early_messages_read_in_the_order_things_happen(start, end, min_, message, fix):
    r = rule(kind="interval", start=start, end=end, min=min_, label="")
    c = RuleContext(form={"a": date(2026, 1, 5), "b": date(2026, 1, 4)}, case={"a": date(2026, 1, 5)},
                    today=date(2026, 11, 28), labels={start: "甲", end: "乙"})
    [f] = run_rules((r,), c)
    assert message in f.message and fix in f.fix
