"""The 发展团员 (league) pack: a workspace made with ``docflow init --pack league`` works, and the league's own
boundaries hold on both sides, through the road with the forms the engine issues (engine.testing).

The walkthrough itself (templates/league/walkthrough.toml, one case through every step) is run by
tests/test_walkthrough.py, which takes every pack that has one; here a case is walked up to the step under test.

Age (团章第一条 "十四周岁以上，二十八周岁以下"): 以上/以下 include the number itself, so full years on the
application date must be 14 ≤ age ≤ 28 — from the 14th birthday to the day before the 29th birthday."""
from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from engine import Engine
from engine.cli import main
from engine.clock import FixedClock
from engine.outcomes import Outcome, Processed, Rejected
from engine.pack import load_pack
from engine.pack.lint import docx_paragraphs, lint_pack
from engine.procedure.dates import add_months
from engine.procedure.state import fold
from engine.testing import drop, fill_form, id_number, issued_form, load_walkthrough, walk, walkthrough_workspace
from engine.testing.walkthrough import first_roster_file
from engine.workspace import BUNDLED_PACKS, load_workspace

WT = load_walkthrough("league")
FORMS = [form for form, _ in WT.submissions]
VALUES = dict(WT.submissions)          # form -> the walkthrough's values (each form is submitted once)
APPLIED: date = WT.person["apply_date"]


def codes(out: Outcome) -> set[str]:
    """The reasons a file (or a roster's only row) was refused."""
    if isinstance(out, Rejected):
        return set(out.codes)
    return {f.code for f in getattr(out, "row_problems", ())}


def messages(out: Outcome) -> str:
    return " ".join(r.message for r in getattr(out, "reasons", ()))


def open_engine(root: Path) -> Engine:
    return Engine.open(load_workspace(root), clock=FixedClock(WT.today))


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """``walked(form)``: a workspace whose case has taken every step before ``form`` (walked once per module and
    copied per test, so a refused and an accepted submission can each start from the same place)."""
    made: dict[str, Path] = {}

    def at(form: str) -> Path:
        if form not in made:
            base = tmp_path_factory.mktemp(f"walk-{form}")
            eng = Engine.open(walkthrough_workspace(base / "ws", WT), clock=FixedClock(WT.today))
            try:
                walk(eng, WT, base / "src", upto=FORMS.index(form) if form in FORMS else None)
            finally:
                eng.store.close()
            made[form] = base / "ws"
        return made[form]

    return at


@pytest.fixture
def case_at(walked, tmp_path):
    """An engine on a fresh copy of a workspace walked up to a form, the case id, and a folder for filled forms."""
    engines: list[Engine] = []

    def make(form: str) -> tuple[Engine, str]:
        root = tmp_path / "ws"
        shutil.copytree(walked(form), root)
        eng = open_engine(root)
        engines.append(eng)
        [case_id] = [c.case_id for c in eng.store.cases()]
        return eng, case_id

    yield make
    for eng in engines:
        eng.store.close()


def submit(eng: Engine, case_id: str, form: str, folder: Path, name: str, **changes) -> Outcome:
    """The form the engine issued for ``form``, filled with the walkthrough's values and ``changes``
    (a value of None leaves the cell empty)."""
    values = {k: v for k, v in {**VALUES[form], **changes}.items() if v is not None}
    src = issued_form(eng, case_id, form)
    return drop(eng, fill_form(src, folder / f"{name}{src.suffix}", values))


def state(eng: Engine, case_id: str):
    return fold(eng.pack, case_id, eng.store.events(case_id))


# ---------------------------------------------------------------- the pack and a new workspace

def test_the_pack_lints_clean_and_names_the_league_words():
    pack = load_pack(BUNDLED_PACKS / "league")
    assert lint_pack(pack) == []
    assert (pack.terms.branch, pack.terms.full_member, pack.terms.discipline) == ("团支部", "团员", "留团察看")
    assert [s.member for s in pack.states if s.member] == ["团员"]       # no probation in the league
    assert sorted({n for s in pack.steps for n in s.numbers}) == list(range(1, 11))


def test_settings_are_bound_into_the_league_rules():
    pack = load_pack(BUNDLED_PACKS / "league", {"training_min_hours": 10, "activist_min_months": 6})
    [hours] = [r for r in pack.step("education").rules if r.kind == "training_length"]
    [months] = [r for r in pack.step("target").rules if r.kind == "interval" and r.params.get("min") != "0 day"]
    assert hours.params["min_hours"] == 10 and months.params["min"] == "6 month"


def test_init_with_the_league_pack_makes_a_workspace_that_takes_its_blank_roster(tmp_path, capsys):
    root = tmp_path / "ws"
    assert main(["init", str(root), "--pack", "league", "--org", "XX中学团委", "--branches",
                 "初三（1）班团支部,初三（2）班团支部", "--feedback", "XX中学团委组织委员（电话：0571-86001234）"]) == 0
    ws = load_workspace(root)
    assert ws.config.pack.name == "league" and ws.pack_dir == BUNDLED_PACKS / "league"
    text = (root / "docflow.toml").read_text(encoding="utf-8")
    assert "本团委的各团支部" in text and "training_min_hours = 8" in text and "talk_deadline_months = 1" in text
    blank = root / "空白表格" / "入团申请人名册.xlsx"
    assert blank.is_file() and (root / "空白表格" / "团员名册.xlsx").is_file()
    assert main(["lint", "-w", str(root)]) == 0
    capsys.readouterr()

    # staff fill the blank roster the workspace ships (header row 3, an example on row 4, people from row 5)
    applied = date.today() - timedelta(days=30)
    born = date(applied.year - 15, 3, 7)
    person = {"姓名": "李小红", "性别": "女", "民族": "汉族", "出生日期": born, "公民身份号码": id_number(born, 124),
              "学校或工作单位": "XX中学", "所在团支部": "初三（1）班团支部", "申请入团日期": applied}
    wb = openpyxl.load_workbook(blank)
    sheet = wb.active
    headers = {sheet.cell(3, c).value: c for c in range(1, sheet.max_column + 1)}
    for header, value in person.items():
        sheet.cell(5, headers[header]).value = value
    wb.save(root / "inbox" / "入团申请人名册.xlsx")
    assert main(["process", "-w", str(root)]) == 0
    [talk] = list((root / "outbox").rglob("02-入团申请人谈话记录.docx"))
    text = "".join(docx_paragraphs(talk.read_bytes()))
    assert "李小红" in text and "所在团支部" in text and "初三" in text
    assert "党" not in text


# ---------------------------------------------------------------- step 1: age 14 to 28, both ends included

def birthday(years: int, days: int = 0) -> date:
    """The birth date of someone whose ``years``-th birthday is the application date, moved by ``days``."""
    return date(APPLIED.year - years, APPLIED.month, APPLIED.day) + timedelta(days=days)


@pytest.mark.parametrize("birth, refused", [
    (birthday(14, +1), "under_age"),   # 14 the day after applying: 13 on the day
    (birthday(14), None),              # applies on the 14th birthday
    (birthday(29, +1), None),          # 29 the day after applying: still 28 on the day
    (birthday(29), "over_age"),        # applies on the 29th birthday: 29
], ids=["13-refused", "14-accepted", "28-accepted", "29-refused"])
def test_an_applicant_is_14_to_28_on_the_application_date(birth, refused, tmp_path):
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", WT), clock=FixedClock(WT.today))
    try:
        person = dict(WT.person, birth_date=birth, id_number=id_number(birth, 123))
        out = drop(eng, first_roster_file(eng.pack, tmp_path / "入团申请人名册.xlsx", [person]))
        if refused is None:
            assert isinstance(out, Processed) and len(out.cases) == 1, codes(out)
        else:
            assert codes(out) == {refused}
            assert not eng.store.cases()
    finally:
        eng.store.close()


# ---------------------------------------------------------------- steps 4 and 5: 8 class hours, 3 months

def test_the_league_course_needs_8_class_hours(case_at, tmp_path):
    eng, case_id = case_at("education")
    out = submit(eng, case_id, "education", tmp_path, "7学时", course_hours=7)
    assert isinstance(out, Rejected) and codes(out) == {"training_too_short"} and "8学时" in messages(out)
    assert isinstance(submit(eng, case_id, "education", tmp_path, "8学时", course_hours=8), Processed)
    assert state(eng, case_id).facts["course_hours"] == 8


def test_a_development_target_needs_3_months_as_an_activist(case_at, tmp_path):
    eng, case_id = case_at("target")
    activist = state(eng, case_id).facts["activist_date"]
    three = add_months(activist, 3)
    out = submit(eng, case_id, "target", tmp_path, "差一天", decision_date=three - timedelta(days=1))
    assert isinstance(out, Rejected) and codes(out) == {"interval_too_short"}
    assert three.isoformat() in messages(out)
    assert isinstance(submit(eng, case_id, "target", tmp_path, "满三个月", decision_date=three), Processed)
    assert state(eng, case_id).state == "target"


def test_a_failed_assessment_stops_the_target_decision(case_at, tmp_path):
    eng, case_id = case_at("education")
    assert isinstance(submit(eng, case_id, "education", tmp_path, "不合格", result="不合格"), Processed)
    out = submit(eng, case_id, "target", tmp_path, "确定发展对象")
    assert isinstance(out, Rejected) and codes(out) == {"education_not_passed"}


# ---------------------------------------------------------------- step 6: two sponsors, 团员 of the branch

@pytest.mark.parametrize("sponsor_2, refused", [
    (None, "missing_required"),        # one sponsor only
    ("王晓", "duplicate_person"),       # the same 团员 twice
    ("路人甲", "not_full_member"),      # not on the branch's 团员名册
    ("赵六", "not_full_member"),        # on it, but under 留团察看
], ids=["one", "same-twice", "not-a-member", "under-discipline"])
def test_two_sponsors_who_are_members_of_the_branch(sponsor_2, refused, case_at, tmp_path):
    eng, case_id = case_at("volunteer")
    out = submit(eng, case_id, "volunteer", tmp_path, "介绍人", sponsor_1="王晓", sponsor_2=sponsor_2)
    assert isinstance(out, Rejected) and refused in codes(out), codes(out)
    if sponsor_2 == "赵六":
        assert "留团察看" in messages(out)
    assert isinstance(submit(eng, case_id, "volunteer", tmp_path, "两名团员", sponsor_1="王晓", sponsor_2="李明"),
                      Processed)


# ---------------------------------------------------------------- step 7: the branch meeting's vote
# The walkthrough's branch: 12 团员, one under 留团察看 → N = 11; quorum: present × 2 > 11, i.e. at least 6;
# pass: yes × 2 > present (a majority of those present, not of N).

def vote(present: int, yes: int, no: int, **over) -> dict:
    return dict(present_voting=present, ballots_issued=present, ballots_returned=present, yes=yes, no=no, abstain=0,
                **over)


@pytest.mark.parametrize("changes, refused", [
    (vote(5, 5, 0), "vote_no_quorum"),                         # 5 of 11: not more than half
    (vote(9, 4, 5), "vote_outcome_mismatch"),                  # 4 of 9 present is no majority, yet "通过"
    (vote(6, 3, 3), "vote_outcome_mismatch"),                  # a tie is no majority
    (vote(9, 8, 1, due_voting=12), "vote_due_wrong"),          # the member under 留团察看 counted as voting
    (vote(9, 8, 1, members_discipline=0), "vote_members_mismatch"),
], ids=["no-quorum", "minority", "tie", "discipline-counted", "roster-mismatch"])
def test_the_vote_is_refused_when_the_arithmetic_says_no(changes, refused, case_at, tmp_path):
    eng, case_id = case_at("admission_vote")
    out = submit(eng, case_id, "admission_vote", tmp_path, "表决", **changes)
    assert isinstance(out, Rejected) and refused in codes(out), codes(out)
    assert state(eng, case_id).state == "target"


def test_six_present_is_a_quorum_and_the_majority_is_of_those_present(case_at, tmp_path):
    eng, case_id = case_at("admission_vote")
    # 4 yes of 6 present passes, though 4 is not more than half of the 11 due (the party's rule would refuse it)
    out = submit(eng, case_id, "admission_vote", tmp_path, "六人到会", **vote(6, 4, 2))
    assert isinstance(out, Processed), codes(out)
    cs = state(eng, case_id)
    assert cs.state == "voted" and cs.steps["admission_vote"]["due_voting"] == 11


def test_a_vote_not_passed_leaves_a_target_with_a_new_vote_form(case_at, tmp_path):
    eng, case_id = case_at("admission_vote")
    out = submit(eng, case_id, "admission_vote", tmp_path, "未通过", **vote(6, 3, 3, outcome="不通过"))
    assert isinstance(out, Processed), codes(out)
    assert state(eng, case_id).state == "target"
    assert any("团支部大会讨论接收新团员表决情况表(第2次办理)" in d for d in out.documents)


# ---------------------------------------------------------------- steps 8–10: a 团员, on the 团员名册

def test_the_approved_applicant_is_a_member_from_the_day_of_the_meeting(case_at):
    eng, case_id = case_at("end")
    cs = state(eng, case_id)
    meeting = VALUES["admission_vote"]["meeting_date"]
    assert cs.state == "member" and cs.facts["join_date"] == meeting
    assert cs.facts["approval_date"] == VALUES["approval"]["approval_date"]
    roster = eng.store.members(cs.facts["branch"])
    assert roster is not None and roster[WT.person["name"]].status == "团员"
    docs = sorted(eng.ws.outbox.rglob("*.docx"))
    assert len(docs) >= 7
    for doc in docs:
        text = "".join(docx_paragraphs(doc.read_bytes()))
        assert "党" not in text and "{{" not in text and "{%" not in text, doc.name
