"""How an announcement kept to its schedule, decided from its times alone (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.enums import TimingBucket
from bot.domain.timing import bucket_of, computed_of, minutes_of

START = datetime(2030, 1, 1, 22, 0, tzinfo=UTC)
END = START + timedelta(hours=2)
MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("actual_start", "actual_end", "bucket"),
    [
        (None, None, TimingBucket.PENDING),
        (START, None, TimingBucket.ON_TIME),
        (START + 15 * MIN, None, TimingBucket.ON_TIME),  # the tolerance itself is on time
        (START + 15 * MIN + timedelta(seconds=1), None, TimingBucket.LATE_START),
        (START, END + 15 * MIN, TimingBucket.ON_TIME),
        (START, END + 16 * MIN, TimingBucket.OVERRUN),
        (START + 30 * MIN, END + 16 * MIN, TimingBucket.OVERRUN),  # an overrun outweighs a late start
        (START + 30 * MIN, END, TimingBucket.LATE_START),
        (START, END - 15 * MIN, TimingBucket.ON_TIME),
        (START, END - 16 * MIN, TimingBucket.EARLY),
        (START + 30 * MIN, END - 16 * MIN, TimingBucket.LATE_START),  # a late start outweighs an early end
        (START - 60 * MIN, END, TimingBucket.ON_TIME),  # starting early is never late
    ],
)
def test_the_bucket_follows_the_tolerance_in_order_overrun_late_start_early(actual_start, actual_end, bucket):
    assert bucket_of(START, END, actual_start, actual_end) is bucket


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 0), (29, 0), (30, 0), (31, 1), (90, 2), (150, 2), (-30, 0), (-90, -2), (-91, -2), (3600, 60)],
)
def test_minutes_round_halves_to_even(seconds, minutes):
    assert minutes_of(timedelta(seconds=seconds)) == minutes


def test_computed_fields_are_empty_until_the_maintenance_starts_and_ends():
    assert computed_of(START, END, None, None) == (None, None, TimingBucket.PENDING)
    assert computed_of(START, END, START + 20 * MIN, None) == (None, 20, TimingBucket.LATE_START)
    assert computed_of(START, END, START, END + 45 * MIN) == (45, 0, TimingBucket.OVERRUN)
