"""A maintenance series as one recurring VEVENT, for calendar programs: `/api/maintenance-series/<uuid>/calendar.ics`.

Which feed holds which occurrence, so that someone subscribed to both sees each one once:

- the announcement feeds (`bot/api/calendar.py`) hold an occurrence once it is **published** (Scheduled,
  In progress, Completed, or Cancelled after publishing), as the ordinary announcement it is;
- the series feed holds the rest: one VEVENT whose `RRULE` is the series' rule, `DTSTART;TZID=…` its first
  local start, `DURATION` its length, with `EXDATE` for every occurrence that is skipped, moved or
  announced beyond Draft, and `RDATE` for the new time of a moved one not yet published. Its `VTIMEZONE`
  is written by icalendar from the zone database (`Calendar.add_missing_timezones`).

The rule is expanded in the series' zone, so 02:00 Europe/Tallinn stays 02:00 across DST changes in every
calendar program, as it does in the domain (`bot/domain/recurrence.py`). RFC 5545 wants `UNTIL` in UTC when
`DTSTART` has a zone: a rule ending on a date ends at that local day's last second, in UTC.

Series are their provider's managers' (drafts included), so this feed takes a token like the series API:
calendar programs that cannot send one import the file instead of subscribing to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from fastapi import APIRouter, Response

from bot.api.auth import Caller
from bot.api.calendar import FEED, MEDIA_TYPE, UID_DOMAIN, calendar, text, utc
from bot.api.deps import DomainServices
from bot.api.links import path_uuid
from bot.api.schemas import refusals
from bot.domain.enums import State
from bot.domain.feeds import feed_since
from bot.domain.views import OccurrenceView, SeriesView

router = APIRouter(tags=["maintenance-series"])
#: How far ahead occurrences are read to leave out the published ones: beyond the longest horizon.
AHEAD = timedelta(days=367)


def in_feeds(state: State | None) -> bool:
    """Whether an occurrence's announcement is in the announcement feeds (published at some time), so the
    series feed leaves it out. A Cancelled one may never have been published: it is left out all the same,
    since it will not take place."""
    return state is not None and state is not State.DRAFT


def rule_of(series: SeriesView) -> icalendar.vRecur:
    """The series' RRULE as icalendar holds it, with a date UNTIL turned into that local day's end in UTC."""
    rule = icalendar.vRecur.from_ical(series.rrule)
    until = rule.get("UNTIL")
    if until:
        [value] = until
        if not isinstance(value, datetime):
            local = datetime.combine(value, time(23, 59, 59), tzinfo=ZoneInfo(series.timezone))
            rule["UNTIL"] = [local.astimezone(UTC)]
    return rule


def local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None)).replace(tzinfo=zone)


def describe_series(series: SeriesView) -> str:
    lines = [series.message] if series.message else []
    if series.offerings:
        lines.append("Affected: " + "; ".join(f"{item.offering.name} ({item.impact_level.label})"
                                               for item in series.offerings))
    lines.append(f"Repeats {series.description}, {series.start_time:%H:%M} {series.timezone}, "
                 f"{series.duration_minutes} minutes")
    if series.external_reference_url:
        lines.append(series.external_reference_url)
    return "\n".join(lines)


def series_event(series: SeriesView, occurrences: Iterable[OccurrenceView]) -> icalendar.Event:
    """The series as one VEVENT: its rule, less what the announcement feeds hold or what will not happen."""
    zone = ZoneInfo(series.timezone)
    event = icalendar.Event()
    event.add("UID", f"{series.uuid.hex}-series@{UID_DOMAIN}")
    event.add("DTSTAMP", utc(series.modified))
    event.add("CREATED", utc(series.created))
    event.add("LAST-MODIFIED", utc(series.modified))
    event.add("DTSTART", local(series.first_day, series.start_time, zone))
    event.add("DURATION", timedelta(minutes=series.duration_minutes))
    event.add("RRULE", rule_of(series))
    left_out = {exception.day for exception in series.exceptions}
    moved = {exception.day: exception.start for exception in series.exceptions if exception.start is not None}
    for occurrence in occurrences:
        if in_feeds(occurrence.state):
            left_out.add(occurrence.day)
            moved.pop(occurrence.day, None)
    for day in sorted(left_out):
        event.add("EXDATE", local(day, series.start_time, zone))
    for start in sorted(moved.values()):
        event.add("RDATE", start.replace(tzinfo=zone))
    event.add("SUMMARY", text(f"[{series.provider_name}] {series.name}"))
    event.add("DESCRIPTION", text(describe_series(series)))
    event.add("CATEGORIES", [series.maintenance_type.label])
    event.add("STATUS", "CONFIRMED")
    event.add("TRANSP", "TRANSPARENT")
    return event


def render_series(series: SeriesView, occurrences: Iterable[OccurrenceView]) -> str:
    title = f"Maintenance series: {series.provider_name} / {series.name}"
    return calendar(title, [series_event(series, occurrences)]).to_ical().decode()


@router.get(
    "/api/maintenance-series/{uuid}/calendar.ics",
    operation_id="maintenance_series_calendar",
    summary="iCalendar feed of one maintenance series: its rule, less the occurrences already announced",
    response_class=Response,
    responses={**FEED, **refusals(401, 404)},
)
def calendar_of_series(uuid: str, actor: Caller, services: DomainServices) -> Response:
    series = services.series.get(actor, path_uuid(uuid))
    now = services.context.clock.now()
    # The announcement feeds reach back to `feed_since`; published occurrences from then on are theirs.
    occurrences = services.series.occurrences(actor, series.uuid, feed_since(now), now + AHEAD)
    return Response(render_series(series, occurrences), media_type=MEDIA_TYPE,
                    headers={"Cache-Control": "private, max-age=300"})
