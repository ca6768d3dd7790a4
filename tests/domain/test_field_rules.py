"""Properties of the field rules (bot/domain/validation.py), without a database: whatever is typed, a rule
answers (never raises), and what it accepts holds nothing that shows otherwise than it reads, no time a
reminder or an extension could overflow, and no lead time past LEAD_MAX."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import Invalid
from bot.domain.validation import EARLIEST, LATEST, LEAD_MAX, check_fields, extended_end, parse_lead_times

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TEXTS = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\x1b[31mred", "a\u202eb", "a\r\nb", "a\rb", "a\x85b", "a\u2028b", "\t", "x\u2069"])


def shows_otherwise(text: str, *, multiline: bool) -> bool:
    allowed = {"\n", "\t"} if multiline else set()
    text = text.replace("\r\n", "\n") if multiline else text
    return any((unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI or c in "\u2028\u2029"
               for c in text)


@given(name=TEXTS, message=TEXTS, url=TEXTS)
def test_accepted_text_holds_no_control_or_bidi_characters(name, message, url):
    errors = check_fields({"name": name, "message": message, "external_reference_url": f"https://x.example/{url}"})

    if "name" not in errors:
        assert not shows_otherwise(name, multiline=False)
    if "message" not in errors:
        assert not shows_otherwise(message, multiline=True)
    if "external_reference_url" not in errors:
        assert not any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url)


@given(moment=st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)),
                                                      timezone(timedelta(hours=-14))])))
def test_accepted_times_leave_room_for_reminders_and_extensions(moment):
    if "scheduled_start" in check_fields({"scheduled_start": moment}):
        assert not EARLIEST <= moment < LATEST
        return
    assert moment - LEAD_MAX > datetime.min.replace(tzinfo=UTC)  # reminder arithmetic cannot overflow
    try:
        assert extended_end(moment, moment, timedelta(hours=1)) < LATEST
    except Invalid:
        assert moment + timedelta(hours=1) >= LATEST


@given(text=st.text(max_size=30) | st.builds(lambda n, u: f"{n}{u}", st.integers(0, 10**12), st.sampled_from("mhd")))
def test_lead_times_are_parsed_or_refused_and_never_past_the_limit(text):
    try:
        leads = parse_lead_times(text)
    except ValueError:
        return
    assert all(timedelta(0) <= lead <= LEAD_MAX for lead in leads)


@pytest.mark.parametrize("text", ["999999d", "91d", "9" * 5000 + "m", "2161h"])
def test_the_finding_lead_times_too_long_are_refused(text):
    with pytest.raises(ValueError):
        parse_lead_times(text)
