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

overrun_minutes = cast(func.round(_end_delta / 60.0), Integer).label("overrun_minutes")
start_delta_minutes = cast(func.round(_start_delta / 60.0), Integer).label("start_delta_minutes")

timing_bucket = case(
    (Announcement.actual_start.is_(None), TimingBucket.PENDING.value),
    (and_(Announcement.actual_end.is_not(None), _end_delta > TOLERANCE_SECONDS), TimingBucket.OVERRUN.value),
    (_start_delta > TOLERANCE_SECONDS, TimingBucket.LATE_START.value),
    (and_(Announcement.actual_end.is_not(None), _end_delta < -TOLERANCE_SECONDS), TimingBucket.EARLY.value),
    else_=TimingBucket.ON_TIME.value,
).label("timing_bucket")

COMPUTED = (overrun_minutes, start_delta_minutes, timing_bucket)
