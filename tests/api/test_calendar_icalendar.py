"""Calendar feeds are written by `icalendar`: whatever text was stored, a calendar app reads it back as shown,
line by line the feed is valid iCalendar, and zones are described by icalendar's own VTIMEZONE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from bot.api.calendar import calendar, plain, text
from bot.domain.enums import State
from storage.models import Announcement
from tests.api.helpers import published
from tests.factories import announce

#: Everything that ever broke a hand-made writer: Unicode line and paragraph separators, NEL, CR, LF and CRLF,
#: the TEXT separators, a backslash before `N` and `n`, emoji joined by ZWJ; as long as a message column holds.
HOSTILE_NAME = "Kernel; upgrade, phase 2 \\N C:\\New \\n 🛠️👩‍🔧 ümlauts\u2028END:VEVENT\u2029X-INJECTED:1"
HOSTILE_MESSAGE = ("first\r\nsecond\rthird\nfourth\x85fifth\u2028sixth\u2029seventh;a,b\\c\\N"
                   + "🧑🏽‍💻 Supercalifragilistic" * 70)


def feed_bytes(api, path: str = "/api/maintenance-calendar.ics") -> bytes:
    response = api.http(None).get(path)
    assert response.status_code == 200
    return response.content


def only_event(raw: bytes) -> icalendar.Event:
    [event] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    return event


def assert_well_formed(raw: bytes) -> None:
    """Content lines as RFC 5545 3.1 has them: CRLF-ended, at most 75 octets, no character split across a fold,
    no line break of any kind inside a line."""
    assert raw.endswith(b"\r\n")
    lines = raw[:-2].split(b"\r\n")
    for line in lines:
        assert len(line) <= 75, line
        decoded = line.decode()  # raises if a fold split a character
        assert not any(mark in decoded for mark in "\r\n\x85\u2028\u2029"), decoded
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"


def test_hostile_text_stored_long_ago_reads_back_as_shown_and_breaks_no_line(api, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)
    with services.context.db.write() as session:  # saved before the domain refused such characters and lengths
        session.execute(update(Announcement).where(Announcement.uuid == view.uuid)
                        .values(name=HOSTILE_NAME, message=HOSTILE_MESSAGE))

    raw = feed_bytes(api)
    event = only_event(raw)

    assert_well_formed(raw)
    assert str(event["SUMMARY"]) == f"[Cloud] {HOSTILE_NAME}".replace("\u2028", "\n").replace("\u2029", "\n")
    description = str(event["DESCRIPTION"])
    assert description.startswith("first\nsecond\nthird\nfourth\nfifth\nsixth\nseventh;a,b\\c\\N🧑🏽‍💻 ")
    assert description.count("Supercalifragilistic") == 70
    assert "X-INJECTED" not in event and "END:VEVENT" in str(event["SUMMARY"])
    assert len(icalendar.Calendar.from_ical(raw).walk("VEVENT")) == 1


def test_text_typed_today_reads_back_exactly(api, world):
    name = "DB; failover, step 1 \\N not a break 🛠️"
    message = "Line one\nLine two; with, separators\\n and \\N kept\n\n" + "ü" * 1900
    published(api, world["cloud"], name=name, message=message)

    raw = feed_bytes(api)
    event = only_event(raw)

    assert_well_formed(raw)
    assert str(event["SUMMARY"]) == f"[Cloud] {name}"
    assert str(event["DESCRIPTION"]).startswith(message + "\n")


def test_the_feed_is_a_valid_calendar_that_calendar_apps_accept(api, world):
    start = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    published(api, world["cloud"], name="One", scheduled_start=start, scheduled_end=start + timedelta(hours=1))
    published(api, world["storage"], name="Two")

    raw = feed_bytes(api)
    feed = icalendar.Calendar.from_ical(raw)

    assert_well_formed(raw)
    assert feed["VERSION"] == "2.0" and str(feed["PRODID"]) and feed["METHOD"] == "PUBLISH"
    assert feed.get_missing_tzids() == set()  # every zone named is described
    events = feed.walk("VEVENT")
    assert len(events) == 2
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "STATUS"):
            assert required in event, required
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event["TRANSP"] == "TRANSPARENT"
    assert {str(event["SUMMARY"]) for event in events} == {"[Cloud] One", "[Storage] Two"}


def test_a_zoned_event_gets_its_vtimezone_from_icalendar():
    tallinn = ZoneInfo("Europe/Tallinn")
    event = icalendar.Event()
    event.add("UID", "x@maintbot")
    event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("DTSTART", datetime(2026, 3, 29, 2, 0, tzinfo=tallinn))

    parsed = icalendar.Calendar.from_ical(calendar("Zoned", [event]).to_ical())

    [zone] = parsed.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Tallinn"
    assert {part.name for part in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    start = parsed.walk("VEVENT")[0].decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)


def test_ten_thousand_characters_of_everything_fold_and_read_back():
    value = (HOSTILE_NAME + "\r\n" + HOSTILE_MESSAGE) * 6
    assert len(value) > 10_000
    event = icalendar.Event()
    event.add("DESCRIPTION", text(value))

    raw = calendar("Long", [event]).to_ical()

    assert_well_formed(raw)
    read = str(icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]["DESCRIPTION"])
    assert read == plain(value) and "\u2028" not in read and "\r" not in read and read.count("🧑🏽‍💻") == 6 * 70


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_round_trips_as_its_plain_form(value):
    event = icalendar.Event()
    event.add("SUMMARY", text(value))
    raw = calendar("T", [event]).to_ical()

    assert_well_formed(raw)
    assert str(icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]["SUMMARY"]) == plain(value)
