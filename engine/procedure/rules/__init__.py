"""The engine's rule library. A pack names a rule kind and gives its parameters; each kind declares them as a
typed model (references, durations, numbers, texts), checked once when the pack is loaded, and is a small pure
check, tested once. Checks never raise on missing values: required-ness is validated before them.

    kind              module      what it checks
    id_number         people      an 18-character citizen ID (GB 11643) agrees with the birth date
    min_age, max_age  calendar    full years on a date (a birthday on 29 Feb counts from 28 Feb)
    interval          calendar    a date at least min / at most max after another (calendar months)
    span              calendar    a period lasts at least so many days or working days
    period_due        calendar    a repeat step's n-th period within n × every of the start
    periods_on_file   calendar    every complete period up to a date has its period on file
    count_range       people      how many of some fields are filled
    full_members      people      the names are full members of the branch's roster, not under discipline
    value_in          values      a value is one of some values
    number_range      values      a number between two bounds
    training_length   values      a training lasted enough days or class hours
    branch_vote       vote        the branch general meeting: N, quorum, majority, ballots
    evaluation_tally  evaluation  the democratic evaluation (测评制): counts add up, agree ÷ returned ≥ threshold
    evaluation_passed evaluation  the decision it precedes: an evaluation on file and passed
"""
from __future__ import annotations

from ...outcomes import Finding
from ...pack.model import RuleDef
from .base import Kind, Member, RuleContext, finding, typed_params
from .base import run_rules as _run_rules
from .calendar import KINDS as _CALENDAR
from .evaluation import KINDS as _EVALUATION
from .people import KINDS as _PEOPLE
from .people import id_birth_date, id_check_char, id_problem
from .values import KINDS as _VALUES
from .vote import KINDS as _VOTE

RULES: dict[str, Kind] = {k.name: k for k in (*_CALENDAR, *_PEOPLE, *_VALUES, *_VOTE, *_EVALUATION)}


def run_rules(rules: tuple[RuleDef, ...], ctx: RuleContext) -> list[Finding]:
    """Every enabled rule whose condition holds, checked against the context; their findings in order."""
    return _run_rules(RULES, rules, ctx)

__all__ = ["RULES", "Kind", "Member", "RuleContext", "finding", "id_birth_date", "id_check_char", "id_problem",
           "run_rules", "typed_params"]
