"""The scenario suite: each scenario is a sequence of forms with dates and figures, dropped as real files
into one workspace (one person per scenario), with the expected final state, documents and refusals.

Forms are the ones the engine issued into outbox, filled the way staff fill them (engine.testing)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pytest
from e2e import case_dir, drop
from procedure import HAPPY, ROSTER, TODAY, D, person, step_values, until, vote

from engine import Engine, status
from engine.clock import FixedClock
from engine.outcomes import Processed, Rejected
from engine.output.render import output_name
from engine.procedure.state import fold
from engine.testing import fill_docx, fill_xlsx, id_number, member_roster, workspace, write_roster


@dataclass
class S:
    name: str
    subs: list
    state: str | None = None                  # expected final state
    refused: str | None = None                # reason code of the last file's refusal
    warned: str | None = None                 # a warning code seen on the way
    docs: list[str] = field(default_factory=list)     # documents expected in outbox (ids)
    no_docs: list[str] = field(default_factory=list)  # documents that must not be there


def w(form_id, nth=1, **over):
    return until(form_id, nth) + [(form_id, {**step_values(form_id, nth), **over})]


def after(form_id, nth=1, *more):
    """The happy path through the nth ``form_id`` (inclusive), then ``more``."""
    return until(form_id, nth) + [(form_id, step_values(form_id, nth))] + list(more)


EXT = w("conversion_vote", **vote(D(2026, 4, 27), "延长预备期", extend_months=6))
APPROVED = ("conversion_approval", dict(approval_date=D(2026, 5, 20), result="批准"))
REFUSED = ("conversion_approval", dict(approval_date=D(2026, 5, 20), result="不批准"))
LEDGER_TARGET = [("ledger", person(stage="发展对象", activist_date=D(2024, 3, 1), target_date=D(2025, 3, 1)))]

SCENARIOS = [
    # the happy path and its milestones
    S("完整流程：申请到归档", HAPPY, "full", docs=["archive_index", "conversion_notice", "oath_record",
                                             "admission_resolution", "approval_notice"]),
    S("递交申请后", HAPPY[:1], "applicant", docs=["case_file", "talk_form"]),
    S("谈话后", HAPPY[:2], "applicant", docs=["activist_form"]),
    S("确定积极分子后", HAPPY[:3], "activist", docs=["activist_filing", "contact_register", "assessment_form"]),
    S("确定发展对象后", after("target"), "target", docs=["target_filing", "notice_target", "enquiry_letter",
                                                    "review_form", "training_form", "publicity_target_form"]),
    S("公示后出介绍人表", after("publicity_target"), "target", docs=["sponsors_form"]),
    S("三项齐全出预审请示", after("training"), "target", docs=["prereview_request", "prereview_form", "review_report"]),
    S("支部大会通过待审批", after("admission_vote"), "voted", docs=["admission_minutes", "admission_resolution",
                                                           "approval_request", "committee_talk_form"]),
    S("批准为预备党员", after("admission_approval"), "probationary", docs=["approval_notice", "oath_form",
                                                                      "conversion_apply_form"]),
    S("转正待审批", after("conversion_vote"), "conversion_voted", docs=["conversion_minutes", "conversion_resolution",
                                                                     "conversion_request", "conversion_approval_form"]),
    # boundaries
    S("年满18周岁当天申请", [("applicant_roster", person(birth_date=D(2008, 1, 5), id_number=id_number(D(2008, 1, 5)),
                                                        apply_date=D(2026, 1, 5)))], "applicant"),
    S("差一天满18周岁", [("applicant_roster", person(birth_date=D(2008, 1, 6), id_number=id_number(D(2008, 1, 6)),
                                                   apply_date=D(2026, 1, 5)))], refused="under_age"),
    S("身份证校验位错误", [("applicant_roster", person(id_number=id_number(D(1995, 3, 7))[:17] + "0"))],
      refused="id_number_invalid"),
    S("出生日期与身份证不符", [("applicant_roster", person(birth_date=D(1995, 3, 8)))], refused="id_birth_mismatch"),
    S("一个月内谈话", w("talk", talk_date=D(2024, 2, 5)), "applicant"),
    S("谈话晚于一个月只提醒", w("talk", talk_date=D(2024, 2, 6)), "applicant", warned="interval_too_long"),
    S("培养联系人是预备党员", w("activist", contact_2="陈二"), refused="not_full_member"),
    S("培养联系人受留党察看", w("activist", contact_2="钱六"), refused="not_full_member"),
    S("只有一名培养联系人", w("activist", contact_2=""), "activist"),
    S("积极分子满一周年当天确定发展对象", w("target", decision_date=D(2025, 3, 1)), "target"),
    S("积极分子不满一年", w("target", decision_date=D(2025, 2, 28), filing_date=D(2025, 3, 3)),
      refused="interval_too_short"),
    S("考察晚于半年只提醒", w("assessment", 1, assess_date=D(2024, 9, 2)), "activist", warned="period_overdue"),
    S("公示不足5个工作日", w("publicity_target", end=D(2025, 3, 6)), refused="span_too_short"),
    S("入党介绍人只有一名", w("sponsors", sponsor_2=""), refused="count_out_of_range"),
    S("政审不通过不能预审", w("review", conclusion="不通过") + [("training", step_values("training")),
                                                        ("prereview", step_values("prereview"))],
      refused="review_not_passed"),
    S("培训2天23学时", w("training", end=D(2025, 3, 25), hours=23), refused="training_too_short"),
    S("培训2天24学时", w("training", end=D(2025, 3, 25), hours=24), "target"),
    S("三个月内离开单位提醒", w("prereview", leaving_soon="是"), "target", warned="leaving_soon"),
    S("到会不过半", w("admission_vote", **vote(D(2025, 4, 25), "通过", present=8, yes=8, no=0)),
      refused="vote_no_quorum"),
    S("赞成票按应到会人数计未过半", w("admission_vote", **vote(D(2025, 4, 25), "通过", present=14, yes=8, no=6)),
      refused="vote_outcome_mismatch"),
    S("收回票多于发出票", w("admission_vote", **vote(D(2025, 4, 25), "通过", ballots_issued=13)),
      refused="vote_ballots_void"),
    S("票数合计不符", w("admission_vote", **vote(D(2025, 4, 25), "通过", ballots_returned=13)),
      refused="vote_count_mismatch"),
    S("应到人数算上了预备党员", w("admission_vote", **vote(D(2025, 4, 25), "通过", due_voting=18)),
      refused="vote_due_wrong"),
    S("审批满三个月提醒", w("admission_approval", approval_date=D(2025, 7, 26)), "probationary",
      warned="interval_too_long"),
    S("审批超过六个月", w("admission_approval", approval_date=D(2025, 10, 26)), refused="interval_too_long"),
    S("宣誓早于批准", w("oath", oath_date=D(2025, 6, 19)), refused="interval_too_short"),
    S("延长预备期13个月", w("conversion_vote", **vote(D(2026, 4, 27), "延长预备期", extend_months=13)),
      refused="number_out_of_range"),
    # side paths
    S("表决未通过退回发展对象", w("admission_vote", **vote(D(2025, 4, 25), "不通过", present=14, yes=8, no=6)),
      "target", docs=["admission_resolution"], no_docs=["approval_request"]),
    S("上级党委不批准", w("admission_approval", result="不批准"), "target", no_docs=["approval_notice"]),
    S("延长预备期待审批", EXT, "extension_voted",
      docs=["conversion_resolution", "extension_request", "conversion_approval_form"],
      no_docs=["conversion_vote_form_ext"]),
    S("延长预备期获批准", EXT + [APPROVED], "extended", docs=["extension_notice", "conversion_vote_form_ext"],
      no_docs=["conversion_notice", "archive_form"]),
    S("延长后再延长", EXT + [APPROVED, ("conversion_vote", vote(D(2026, 10, 26), "延长预备期", extend_months=6))],
      refused="extension_only_once"),
    S("延长期满转正", EXT + [APPROVED, ("conversion_vote", vote(D(2026, 10, 26), "按期转正")),
                         ("conversion_approval", dict(approval_date=D(2026, 11, 20), result="批准"))], "full",
      docs=["conversion_notice", "archive_form"]),
    S("取消预备党员资格待审批", w("conversion_vote", **vote(D(2026, 4, 27), "取消预备党员资格")), "cancellation_voted",
      docs=["cancellation_request", "conversion_approval_form"]),
    S("取消预备党员资格获批准", w("conversion_vote", **vote(D(2026, 4, 27), "取消预备党员资格")) + [APPROVED],
      "cancelled", docs=["cancellation_notice"]),
    S("转正决议未获批准", after("conversion_vote", 1, REFUSED), "probationary", docs=["conversion_refusal_notice"]),
    S("未获批准后重新讨论转正", after("conversion_vote", 1, REFUSED,
                                  ("conversion_vote", vote(D(2026, 6, 29), "按期转正")),
                                  ("conversion_approval", dict(approval_date=D(2026, 7, 10), result="批准"))), "full"),
    S("表决未通过后再次表决", w("admission_vote", **vote(D(2025, 4, 25), "不通过", present=14, yes=8, no=6))
      + [("admission_vote", vote(D(2025, 5, 23), "通过"))], "voted", docs=["approval_request"]),
    S("转出", after("sponsors", 1, ("transfer_out", dict(transfer_date=D(2025, 3, 10), to_org="YY学区党委"))),
      "transferred_out", docs=["transfer_list"]),
    S("终止发展", HAPPY[:3] + [("withdraw", dict(withdraw_date=D(2024, 6, 1), reason="本人申请"))], "withdrawn"),
    S("终止后再交表", HAPPY[:3] + [("withdraw", dict(withdraw_date=D(2024, 6, 1), reason="本人申请")),
                              ("assessment", step_values("assessment"))], refused="wrong_step"),
    S("公示发现问题退回积极分子", w("publicity_target", outcome="反映问题属实，暂缓发展"), "activist"),
    # late, out of order, corrections
    S("重复提交同一步骤为更正", after("sponsors", 1, ("sponsors", dict(sponsor_1="孙五", sponsor_2="周三"))), "target",
      warned="correction"),
    S("第2次考察先于第1次", HAPPY[:3] + [("assessment", dict(step_values("assessment", 2), period=2))],
      refused="period_out_of_order"),
    S("谈话日期早于申请", w("talk", talk_date=D(2024, 1, 4)), refused="interval_too_short"),
    S("日期晚于今天", w("talk", talk_date=D(2026, 11, 29)), refused="date_in_future"),
    # adopting mid-year
    S("台账导入发展对象", LEDGER_TARGET, "target", docs=["review_form", "training_form"]),
    S("台账导入后继续流程", LEDGER_TARGET + [("publicity_target", step_values("publicity_target")),
                                     ("sponsors", step_values("sponsors"))], "target", docs=["sponsors_form"]),
    S("台账积极分子不满一年就成发展对象", [("ledger", person(stage="发展对象", activist_date=D(2024, 3, 2),
                                                    target_date=D(2025, 3, 1)))], refused="interval_too_short"),
    S("台账阶段与时间不符", [("ledger", person(stage="预备党员", activist_date=D(2024, 3, 1),
                                               target_date=D(2025, 3, 1)))], refused="ledger_stage_unsupported"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request, tmp_path_factory):
    """Every scenario in one committee, on each backend (PostgreSQL: a private server, engine/testing/pgserver.py)."""
    ws = workspace(tmp_path_factory.mktemp("scenarios") / "ws",
                   branches=[branch_of(i) for i in range(1, len(SCENARIOS) + 1)])
    store = None
    if request.param == "postgres":
        from engine.store.postgres import PostgresStore

        server = request.getfixturevalue("pg_server")
        store = PostgresStore(server.url, server.schema())
    eng = Engine.open(ws, clock=FixedClock(TODAY), store=store)
    yield eng, tmp_path_factory.mktemp("files")
    eng.store.close()


def submit(eng, tmp, case_id, n, form_id, values):
    """Fill the form the engine issued for this case (the one for the submitted period) and drop it."""
    pack = eng.pack
    docs = [d for d in pack.documents.values() if d.collects == form_id]
    period = values.get("period")
    folder = case_dir(eng, case_id)
    issued = [folder / output_name(d, period if d.period else None) for d in docs]
    issued = [p for p in issued if p.exists()] or sorted(folder.glob(f"*{docs[0].title}*"))
    assert issued, f"the engine did not issue a form for {form_id}"
    src = issued[-1]
    dst = tmp / f"{case_id}-{n:02d}-{form_id}{src.suffix}"
    if src.suffix == ".docx":
        fill_docx(src, dst, {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items()})
    else:  # the period is prefilled; staff who overwrite it (or copy a sheet) are what some scenarios test
        fill_xlsx(src, dst, {k: v for k, v in values.items() if k != "period" or f"第{v}次" not in src.name})
    return drop(eng, dst)


def branch_of(seq: int) -> str:
    """Each scenario runs in a branch of its own, so members who join (or leave) in one scenario do not change
    the counts another one checks."""
    return f"第{seq:02d}党支部"


def roster_row(values: dict, seq: int) -> dict:
    labels = {"name": "姓名", "gender": "性别", "ethnicity": "民族", "birth_date": "出生日期",
              "id_number": "公民身份号码", "education": "学历", "unit": "工作单位", "post": "职务/岗位",
              "frontline": "是否一线", "phone": "联系电话", "branch": "所在党支部", "apply_date": "申请入党日期",
              "activist_date": "确定为入党积极分子时间", "target_date": "确定为发展对象时间", "join_date": "入党时间",
              "full_date": "转正时间", "stage": "当前发展阶段"}
    values = dict(values, name=f"{values['name']}{seq}", branch=branch_of(seq))
    if values["id_number"] == id_number(values["birth_date"]):
        values["id_number"] = id_number(values["birth_date"], seq)
    return {labels[k]: v for k, v in values.items() if k in labels}


def read_status(eng, case_id: str) -> dict:
    """``docflow status`` as staff run it, every way: all cases and one case, as text and as JSON.
    Facts of every type (dates, a year-month, numbers, text) must go through all four."""
    whole, one = status.report(eng), status.report(eng, case_id)
    for rep in (whole, one):
        assert status.report_text(rep)
        json.loads(json.dumps(rep, ensure_ascii=False))
    [mine] = [c for c in whole["cases"] if c["case"] == case_id]
    assert mine == {k: v for k, v in one["cases"][0].items() if k not in ("history", "controls")}
    assert len(one["cases"][0]["history"]) == len(eng.store.events(case_id))
    return one["cases"][0]


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(world, sc):
    eng, tmp = world
    seq = SCENARIOS.index(sc) + 1
    first_form, first_values = sc.subs[0]
    drop(eng, member_roster(tmp / f"{seq:02d}-members.xlsx", [(n, branch_of(seq), st) for n, st, _ in ROSTER],
                            discipline={n: "是" for n, _, d in ROSTER if d}))
    roster = write_roster(tmp / f"{seq:02d}-{first_form}.xlsx", [roster_row(first_values, seq)])
    outcome = drop(eng, roster)
    warnings = [w.code for w in getattr(outcome, "warnings", ())]
    if not getattr(outcome, "cases", None):  # the only row refused
        found = getattr(outcome, "reasons", ()) + getattr(outcome, "row_problems", ())
        assert sc.refused and sc.refused in [f.code for f in found], [f.message for f in found]
        return
    case_id = outcome.cases[0].split()[0]
    read_status(eng, case_id)
    for n, (form_id, values) in enumerate(sc.subs[1:], 1):
        outcome = submit(eng, tmp, case_id, n, form_id, values)
        read_status(eng, case_id)
        warnings += [w.code for w in getattr(outcome, "warnings", ())]
        if isinstance(outcome, Rejected):
            assert n == len(sc.subs) - 1, f"step {n} ({form_id}) refused: {[r.message for r in outcome.reasons]}"
            assert sc.refused in outcome.codes, [r.message for r in outcome.reasons]
            return
        assert isinstance(outcome, Processed)
    assert sc.refused is None, "expected a refusal"
    cs = fold(eng.pack, case_id, eng.store.events(case_id))
    assert cs.state == sc.state
    shown = read_status(eng, case_id)  # state and key facts as staff read them
    assert shown["state"] == eng.pack.state_label(sc.state)
    for key, fact in eng.pack.facts.items():
        value = cs.facts.get(key)
        if key != "birth_date" and value not in (None, ""):
            assert shown["dates"][fact.label] == status.fact_value(value, fact)
            assert isinstance(shown["dates"][fact.label], int if fact.type == "number" else str)
    member = (eng.store.members(cs.facts["branch"]) or {}).get(cs.facts["name"])
    joined = {"probationary": "预备党员", "extended": "预备党员", "conversion_voted": "预备党员",
              "extension_voted": "预备党员", "cancellation_voted": "预备党员", "full": "正式党员"}.get(cs.state)
    assert (member.status if member else None) == joined  # a case that reaches membership joins the roster
    if sc.warned:
        assert sc.warned in warnings
    folder = case_dir(eng, case_id)
    names = {p.name for p in folder.iterdir()}
    def issued(doc_id):
        stem = output_name(eng.pack.documents[doc_id], None).rsplit(".", 1)[0]
        return any(n.startswith(stem) for n in names)

    for doc_id in sc.docs:
        assert issued(doc_id), (doc_id, sorted(names))
    for doc_id in sc.no_docs:
        assert not issued(doc_id), doc_id


def test_there_are_at_least_forty_scenarios():
    assert len(SCENARIOS) >= 40
