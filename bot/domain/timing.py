"""How an announcement kept to its schedule: the computed fields of DESIGN §2, stated once in SQL.

They are SQL expressions so that listing can filter and sort by them in the database; single
announcements are read through the same expressions.

The end they measure against is the *planned end*: the scheduled end in force when the maintenance started
(`Announcement.planned_end`, stamped by the Start transition), or the scheduled end while it has not started.
Extending a running maintenance moves `scheduled_end` but not the plan, so an overrun stays an overrun.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, case, cast, func

from bot.domain.enums import TimingBucket
from storage.models import Announcement
from storage.types import epoch

TOLERANCE_SECONDS = 15 * 60

#: The end overruns are measured against: the one in force at the start (an extension does not move it).
planned_end = func.coalesce(Announcement.planned_end, Announcement.scheduled_end)
_end_delta = epoch(Announcement.actual_end) - epoch(planned_end)
_start_delta = epoch(Announcement.actual_start) - epoch(Announcement.scheduled_start)


def whole_minutes(seconds):
    """Minutes rounded as Python's round() does, halves to even, on every backend (SQLite's round()
    takes halves away from zero, PostgreSQL's goes to even; a half halved is never a half again)."""
    minutes = seconds / 60.0
    nearest = func.round(minutes)
    return cast(case((func.abs(minutes - nearest) == 0.5, func.round(minutes / 2) * 2), else_=nearest), Integer)


overrun_minutes = whole_minutes(_end_delta).label("overrun_minutes")
start_delta_minutes = whole_minutes(_start_delta).label("start_delta_minutes")

#: The seconds each computed field is rounded from: a query that needs a field for many rows can work
#: them out once a row and round them afterwards (`whole_minutes`), instead of parsing timestamps six times.
SECONDS = {"overrun_minutes": _end_delta, "start_delta_minutes": _start_delta}

timing_bucket = case(
    (Announcement.actual_start.is_(None), TimingBucket.PENDING.value),
    (and_(Announcement.actual_end.is_not(None), _end_delta > TOLERANCE_SECONDS), TimingBucket.OVERRUN.value),
    (_start_delta > TOLERANCE_SECONDS, TimingBucket.LATE_START.value),
    (and_(Announcement.actual_end.is_not(None), _end_delta < -TOLERANCE_SECONDS), TimingBucket.EARLY.value),
    else_=TimingBucket.ON_TIME.value,
).label("timing_bucket")

COMPUTED = (overrun_minutes, start_delta_minutes, timing_bucket)


# -- the same rules for an announcement in hand ----------------------------------------------------------
# Pure twins of the SQL above, for code and tests that hold the times rather than the row; the database tests
# (tests/domain/test_timing_twin.py) hold the two to the same answers.


def minutes_of(delta: timedelta) -> int:
    """Whole minutes of `delta`, halves to even: what `whole_minutes` computes in SQL."""
    return round(delta.total_seconds() / 60)


def bucket_of(
    scheduled_start: datetime, scheduled_end: datetime, actual_start: datetime | None, actual_end: datetime | None,
    planned_end: datetime | None = None,
) -> TimingBucket:
    """How the maintenance kept to its schedule (`timing_bucket`): pending until it starts; then an end more than
    the tolerance late is an overrun, else a start that late is a late start, else an end that early is early.
    Ends are measured against `planned_end` when there is one (the end in force at the start)."""
    tolerance = timedelta(seconds=TOLERANCE_SECONDS)
    scheduled_end = planned_end or scheduled_end
    if actual_start is None:
        return TimingBucket.PENDING
    if actual_end is not None and actual_end - scheduled_end > tolerance:
        return TimingBucket.OVERRUN
    if actual_start - scheduled_start > tolerance:
        return TimingBucket.LATE_START
    if actual_end is not None and actual_end - scheduled_end < -tolerance:
        return TimingBucket.EARLY
    return TimingBucket.ON_TIME


def computed_of(
    scheduled_start: datetime, scheduled_end: datetime, actual_start: datetime | None, actual_end: datetime | None,
    planned_end: datetime | None = None,
) -> tuple[int | None, int | None, TimingBucket]:
    """(overrun_minutes, start_delta_minutes, timing_bucket), as `COMPUTED` selects them."""
    end = planned_end or scheduled_end
    return (
        minutes_of(actual_end - end) if actual_end is not None else None,
        minutes_of(actual_start - scheduled_start) if actual_start is not None else None,
        bucket_of(scheduled_start, end, actual_start, actual_end),
    )
