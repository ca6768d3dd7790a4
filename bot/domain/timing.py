"""How an announcement kept to its schedule: the computed fields of DESIGN §2, stated once in SQL.

They are SQL expressions so that listing can filter and sort by them in the database; single
announcements are read through the same expressions.
"""

from __future__ import annotations

from sqlalchemy import Integer, and_, case, cast, func

from bot.domain.enums import TimingBucket
from storage.models import Announcement
from storage.types import epoch

TOLERANCE_SECONDS = 15 * 60

_end_delta = epoch(Announcement.actual_end) - epoch(Announcement.scheduled_end)
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
