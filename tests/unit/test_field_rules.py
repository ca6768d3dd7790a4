"""The field rules of an announcement and the reminder lead times, as pure checks (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import Invalid
from bot.domain.listing import MAX_ORDER_KEYS, ordering
from bot.domain.validation import LEAD_MAX, NAME_MAX, check_fields, check_window, parse_lead_times

START = datetime(2026, 11, 3, 22, 0, tzinfo=UTC)


def test_lead_times_are_read_longest_first_once_each():
    assert parse_lead_times("1h, 72h,24h,,1h") == (timedelta(hours=72), timedelta(hours=24), timedelta(hours=1))
    assert parse_lead_times("30m,2d") == (timedelta(days=2), timedelta(minutes=30))


@pytest.mark.parametrize("text", ["1w", "h", "-1h", "1.5h", f"{LEAD_MAX.days + 1}d", "99999999d"])
def test_lead_times_that_are_not_minutes_hours_or_days_within_the_limit_are_refused(text):
    with pytest.raises(ValueError):
        parse_lead_times(text)


def test_required_fields_that_are_missing_are_each_named():
    errors = check_fields({"message": "Rolling reboot."}, required=("name", "scheduled_start"))

    assert set(errors) == {"name", "scheduled_start"}


@pytest.mark.parametrize(("name", "broken"), [
    ("Kernel upgrade", False),
    ("x" * NAME_MAX, False),
    ("x" * (NAME_MAX + 1), True),
    ("   ", True),
    ("two\nlines", True),
    ("a\x00b", True),
    ("right-to-left \u202e override", True),
])
def test_a_name_is_one_visible_line_of_at_most_150_characters(name, broken):
    assert ("name" in check_fields({"name": name})) is broken


def test_times_need_a_zone_and_an_end_not_before_the_start():
    assert "scheduled_start" in check_fields({"scheduled_start": START.replace(tzinfo=None)})
    assert check_window(START, START) == {}
    assert "scheduled_end" in check_window(START, START - timedelta(minutes=1))


def test_an_ordering_keeps_each_key_once_where_it_first_came():
    assert ordering(["name,-created", "", "-name", " scheduled_start "]) == ("name", "-created", "scheduled_start")


def test_an_unknown_ordering_key_or_too_many_keys_are_refused():
    with pytest.raises(Invalid) as unknown:
        ordering(["colour"])
    assert "colour is not one of the available choices" in unknown.value.fields["o"][0]
    with pytest.raises(Invalid) as too_many:
        ordering(["name,-created,scheduled_start,scheduled_end"])
    assert f"at most {MAX_ORDER_KEYS}" in too_many.value.fields["o"][0]
