"""A series' calendar feed: one VEVENT with RRULE, EXDATE and icalendar's VTIMEZONE that calendar programs expand
to exactly the occurrences the domain computes — less those the announcement feeds already hold, so that
someone subscribed to both sees every occurrence once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil import rrule as du

from bot.domain.enums import State
from bot.domain.feeds import feed_since

TALLINN = ZoneInfo("Europe/Tallinn")


def series_feed(api, uuid, role: str | None = "cloud"):
    return api.http(role).get(f"/api/maintenance-series/{uuid.hex}/calendar.ics")


def parsed(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def expand(event: icalendar.Event, zone: ZoneInfo, start: datetime, end: datetime) -> set[datetime]:
    """What a calendar program shows: the RRULE from DTSTART in wall-clock time, plus RDATE, less EXDATE, each
    placed in the zone (dateutil here, independent of the domain's expansion)."""
    first = event.decoded("DTSTART").replace(tzinfo=None)
    rules = du.rruleset()
    rules.rrule(du.rrulestr(event["RRULE"].to_ical().decode(), dtstart=first, ignoretz=True))
    for prop in ("EXDATE", "RDATE"):
        values = event.get(prop, [])
        for entry in values if isinstance(values, list) else [values]:
            for moment in entry.dts:
                naive = moment.dt.astimezone(zone).replace(tzinfo=None) if moment.dt.tzinfo else moment.dt
                (rules.exdate if prop == "EXDATE" else rules.rdate)(naive)
    local_start, local_end = start.astimezone(zone).replace(tzinfo=None), end.astimezone(zone).replace(tzinfo=None)
    return {moment.replace(tzinfo=zone).astimezone(UTC) for moment in rules.between(local_start, local_end, inc=True)}


def make_series(services, actor, **fields):
    values = {"name": "Patch window", "message": "Rolling reboots.", "provider": "Cloud",
              "rrule": "FREQ=WEEKLY;BYDAY=TU", "timezone": "Europe/Tallinn", "start_time": "02:00",
              "first_day": "2026-11-03", "duration_minutes": 120, "horizon_days": 30, "publish_days_before": 7,
              "offerings": [{"offering": "VMs"}]} | fields
    return services.series.create(actor, values)


def test_the_feed_is_one_recurring_event_in_the_series_zone_with_icalendars_vtimezone(api, services, world,
                                                                                       cloud_manager):
    series = make_series(services, cloud_manager)

    feed = parsed(series_feed(api, series.uuid))

    [event] = feed.walk("VEVENT")
    [zone] = feed.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Tallinn" and {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert event["DTSTART"].params["TZID"] == "Europe/Tallinn"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 11, 3, 2, 0)
    assert event.decoded("DURATION") == timedelta(hours=2)
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert str(event["SUMMARY"]) == "[Cloud] Patch window"
    assert "VMs" in str(event["DESCRIPTION"])
    assert feed.get_missing_tzids() == set()


def test_expanding_the_rule_gives_the_domains_occurrences_across_dst_each_once_with_the_announcement_feed(
        api, services, world, cloud_manager, clock):
    series = make_series(services, cloud_manager)
    services.series.skip(cloud_manager, series.uuid, datetime(2026, 11, 17).date())
    services.series.move(cloud_manager, series.uuid, datetime(2026, 11, 24).date(), datetime(2026, 11, 25, 4, 30))
    now = clock.now()
    start, end = feed_since(now), now + timedelta(days=700)  # two DST changes in Tallinn

    [event] = parsed(series_feed(api, series.uuid)).walk("VEVENT")
    shown = expand(event, TALLINN, start, end)
    public = icalendar.Calendar.from_ical(api.http(None).get("/api/maintenance-calendar.ics").content)
    announced = {event.decoded("DTSTART") for event in public.walk("VEVENT") if "Patch window" in str(event["SUMMARY"])}
    domain = services.series.occurrences(cloud_manager, series.uuid, start, end)

    assert {o.scheduled_start for o in domain if o.state not in (None, State.DRAFT)} == announced
    assert shown.isdisjoint(announced)  # nobody subscribed to both sees one twice
    assert shown | announced == {o.scheduled_start for o in domain}
    assert datetime(2026, 11, 3, 0, 0, tzinfo=UTC) in announced  # published: the announcement feed's
    assert datetime(2026, 11, 17, 0, 0, tzinfo=UTC) not in shown  # skipped
    assert datetime(2026, 11, 25, 2, 30, tzinfo=UTC) in shown  # moved (a draft still)
    summer = [moment.astimezone(TALLINN) for moment in shown if moment.astimezone(TALLINN).utcoffset() ==
              timedelta(hours=3)]
    assert summer and all((moment.hour, moment.minute) == (2, 0) for moment in summer)  # 02:00 local in EEST too
    assert datetime(2027, 4, 5, 23, 0, tzinfo=UTC) in shown  # Tue 6 Apr 02:00 EEST is Mon 5 Apr 23:00 UTC


@pytest.mark.parametrize(("rule", "zone", "first_day", "at"), [
    ("FREQ=MONTHLY;BYDAY=1SU", "America/New_York", "2026-11-01", "01:30"),  # 1 Nov: 01:30 happens twice
    ("FREQ=MONTHLY;BYDAY=2SU", "America/New_York", "2026-11-08", "02:30"),  # 14 Mar 2027: 02:30 never happens
    ("FREQ=MONTHLY;BYDAY=1SU;UNTIL=20280101", "Australia/Lord_Howe", "2026-11-01", "02:15"),  # 30-minute gap in Oct
    ("FREQ=DAILY;INTERVAL=3;COUNT=40", "Asia/Tokyo", "2026-11-02", "23:45"),  # no DST at all
])
def test_calendar_programs_and_the_domain_agree_on_other_zones(api, services, world, cloud_manager, clock,
                                                               rule, zone, first_day, at):
    series = make_series(services, cloud_manager, rrule=rule, timezone=zone, first_day=first_day, start_time=at,
                         publish_days_before=None)
    now = clock.now()
    start, end = feed_since(now), now + timedelta(days=700)

    [event] = parsed(series_feed(api, series.uuid)).walk("VEVENT")
    shown = expand(event, ZoneInfo(zone), start, end)
    domain = {o.scheduled_start for o in services.series.occurrences(cloud_manager, series.uuid, start, end)}

    # RFC 5545 3.3.5 reads a time in a gap with the offset before it and a doubled time as its first instant:
    # what the domain documents, so a calendar program shows the very same instants.
    assert shown == domain
    assert len(domain) > 10


def test_the_feed_is_for_the_series_managers(api, services, world, cloud_manager):
    series = make_series(services, cloud_manager, publish_days_before=None)

    assert series_feed(api, series.uuid, None).status_code == 401
    assert series_feed(api, series.uuid, "read_only").status_code == 404
    assert series_feed(api, series.uuid, "storage").status_code == 404
    assert series_feed(api, series.uuid, "admin").status_code == 200
    assert api.http("cloud").get("/api/maintenance-series/nope/calendar.ics").status_code == 404
    assert "Patch window" not in api.http(None).get("/api/maintenance-calendar.ics").text  # drafts stay hidden
