"""How far a typed extension moves an end, and how an extended overrun is measured (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.enums import TimingBucket
from bot.domain.errors import Invalid
from bot.domain.extending import LONGEST, end_after, end_until
from bot.domain.timing import computed_of

END = datetime(2030, 1, 1, 4, 0, tzinfo=UTC)
BEFORE, AFTER = END - timedelta(hours=1), END + timedelta(minutes=20)  # two "now"s: before and after the end
MIN = timedelta(minutes=1)


def test_a_length_counts_from_the_end_or_from_now_once_it_has_passed():
    assert end_after(END, BEFORE, 30 * MIN) == END + 30 * MIN
    assert end_after(END, AFTER, 30 * MIN) == AFTER + 30 * MIN
    assert end_after(END, BEFORE, LONGEST) == END + LONGEST


@pytest.mark.parametrize("by", [timedelta(0), -30 * MIN, timedelta(seconds=59), LONGEST + MIN, timedelta(days=9999)])
def test_lengths_out_of_bounds_are_refused(by):
    with pytest.raises(Invalid):
        end_after(END, BEFORE, by)


def test_until_must_be_later_than_the_end_and_now_and_within_the_longest():
    assert end_until(END, BEFORE, END + 90 * MIN) == END + 90 * MIN
    assert end_until(END, AFTER, AFTER + MIN) == AFTER + MIN
    for until, now in [(END, BEFORE), (END - MIN, BEFORE), (AFTER - MIN, AFTER), (END + LONGEST + MIN, BEFORE)]:
        with pytest.raises(Invalid):
            end_until(END, now, until)


def test_an_extended_overrun_is_measured_against_the_planned_end():
    start, extended = END - timedelta(hours=2), END + timedelta(hours=1)

    assert computed_of(start, extended, start, END + 30 * MIN) == (-30, 0, TimingBucket.EARLY)  # the found bug
    assert computed_of(start, extended, start, END + 30 * MIN, END) == (30, 0, TimingBucket.OVERRUN)
