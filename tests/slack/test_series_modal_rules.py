"""The "Repeats" choices of the series modal say the RFC 5545 rules people mean, and the domain accepts each."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.recurrence import Rule
from bot.slack.series_modal import ORDINALS, REPEATS, WEEKDAYS, FormProblem, rule_text

TUESDAY = date(2026, 12, 8)


@pytest.mark.parametrize(("values", "rule"), [
    ({"repeats": "daily"}, "FREQ=DAILY"),
    ({"repeats": "weekdays"}, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ({"repeats": "weekly", "days": ["TH", "MO"]}, "FREQ=WEEKLY;BYDAY=MO,TH"),
    ({"repeats": "weekly", "days": []}, "FREQ=WEEKLY;BYDAY=TU"),  # the first day's weekday
    ({"repeats": "fortnightly", "days": ["SU"]}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU"),
    ({"repeats": "monthday", "monthday": "15"}, "FREQ=MONTHLY;BYMONTHDAY=15"),
    ({"repeats": "monthday", "monthday": "-1"}, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ({"repeats": "ordinal", "ordinal": "2", "days": ["TU"]}, "FREQ=MONTHLY;BYDAY=2TU"),  # patch Tuesday
    ({"repeats": "ordinal", "ordinal": "-1", "days": ["SU"]}, "FREQ=MONTHLY;BYDAY=-1SU"),  # last Sunday
    ({"repeats": "rule", "rule": " FREQ=MONTHLY;BYDAY=1SA;COUNT=6 "}, "FREQ=MONTHLY;BYDAY=1SA;COUNT=6"),
])
def test_each_choice_says_the_rule_people_mean(values, rule):
    assert rule_text(values, TUESDAY) == rule
    assert Rule.parse(rule).text() == rule


@pytest.mark.parametrize(("values", "block"), [
    ({"repeats": "monthday", "monthday": ""}, "monthday"),
    ({"repeats": "monthday", "monthday": "0"}, "monthday"),
    ({"repeats": "monthday", "monthday": "32"}, "monthday"),
    ({"repeats": "monthday", "monthday": "x"}, "monthday"),
    ({"repeats": "ordinal", "days": ["TU"]}, "ordinal"),
    ({"repeats": "ordinal", "ordinal": "2", "days": ["TU", "TH"]}, "days"),
    ({"repeats": "rule", "rule": "  "}, "rule"),
    ({"repeats": "hourly"}, "repeats"),
    ({}, "repeats"),
])
def test_a_choice_missing_its_details_is_refused_beside_the_field_to_fill(values, block):
    with pytest.raises(FormProblem) as refused:
        rule_text(values, TUESDAY)

    assert refused.value.block == block


@given(st.sampled_from([key for key in REPEATS if key != "rule"]), st.lists(st.sampled_from(list(WEEKDAYS)),
       max_size=7, unique=True), st.sampled_from(list(ORDINALS)), st.integers(-1, 31).filter(bool))
def test_every_rule_the_form_can_say_is_one_the_domain_accepts(repeats, days, ordinal, monthday):
    values = {"repeats": repeats, "days": days, "ordinal": ordinal, "monthday": str(monthday)}
    try:
        rule = rule_text(values, TUESDAY)
    except FormProblem:
        assert repeats == "ordinal" and len(days) != 1
        return
    assert Rule.parse(rule).text() == rule
