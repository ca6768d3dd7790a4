"""The iCalendar feeds parse with `icalendar`, keep times and zones, and version events for calendar apps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from waldur_api_client.api.maintenance_announcements import (
    maintenance_announcements_cancel_maintenance,
    maintenance_announcements_partial_update,
)
from waldur_api_client.models.patched_maintenance_announcement_request import PatchedMaintenanceAnnouncementRequest

from bot.domain.enums import Action
from tests.api.helpers import create, published

TALLINN = ZoneInfo("Europe/Tallinn")


def feed(api, path: str = "/api/maintenance-calendar.ics") -> icalendar.Calendar:
    response = api.http(None).get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


def test_the_feed_parses_and_keeps_times_whatever_zone_they_were_sent_in(api, world):
    start = datetime(2026, 11, 20, 23, 30, tzinfo=TALLINN)  # 21:30 UTC, winter time
    summer = datetime(2027, 7, 1, 1, 15, tzinfo=TALLINN)  # 22:15 UTC the day before, summer time
    published(api, world["cloud"], name="Winter", scheduled_start=start, scheduled_end=start + timedelta(hours=2))
    published(api, world["cloud"], name="Summer", scheduled_start=summer, scheduled_end=summer + timedelta(minutes=45))

    found = events(feed(api))

    winter = found["[Cloud] Winter"]
    assert winter.decoded("DTSTART") == start
    assert winter.decoded("DTEND") == start + timedelta(hours=2)
    assert winter.decoded("DTSTART").utcoffset() == timedelta(0)
    assert found["[Cloud] Summer"].decoded("DTSTART") == summer
    assert found["[Cloud] Summer"].decoded("DTSTART").astimezone(UTC).day == 30


def test_only_published_announcements_appear(api, world):
    published(api, world["cloud"], name="Published")
    create(api, world["cloud"], name="Draft")

    assert list(events(feed(api))) == ["[Cloud] Published"]


def test_a_rescheduled_announcement_keeps_its_uid_with_a_higher_sequence(api, world):
    announcement = published(api, world["cloud"], name="Moving")
    before = events(feed(api))["[Cloud] Moving"]

    maintenance_announcements_partial_update.sync(
        uuid=announcement.uuid, client=api.client(),
        body=PatchedMaintenanceAnnouncementRequest(scheduled_start=announcement.scheduled_start + timedelta(days=1),
                                                   scheduled_end=announcement.scheduled_end + timedelta(days=1)),
    )
    after = events(feed(api))["[Cloud] Moving"]

    assert after["UID"] == before["UID"] == f"{announcement.uuid.hex}@maintbot"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(days=1)


def test_cancelling_a_published_announcement_marks_the_event_cancelled(api, world):
    announcement = published(api, world["cloud"], name="Called off")
    never_published = create(api, world["cloud"], name="Never published")
    for cancelled in (announcement, never_published):
        maintenance_announcements_cancel_maintenance.sync(uuid=cancelled.uuid, client=api.client())

    found = events(feed(api))

    assert list(found) == ["[Cloud] Called off"]
    assert found["[Cloud] Called off"]["STATUS"] == "CANCELLED"


def test_provider_and_offering_feeds(api, world, admin):
    from bot.domain.announcements import AffectedInput

    vms = published(api, world["cloud"], name="VMs only")
    published(api, world["cloud"], name="Cloud wide")
    published(api, world["storage"], name="Storage")
    api.services.announcements.add_affected(admin, vms.uuid, AffectedInput(world["offerings"]["VMs"].uuid))

    cloud = feed(api, f"/api/marketplace-service-providers/{world['cloud'].uuid.hex}/maintenance-calendar.ics")
    offering = feed(api, f"/api/marketplace-provider-offerings/{world['offerings']['VMs'].uuid.hex}/"
                         "maintenance-calendar.ics")

    assert sorted(events(cloud)) == ["[Cloud] Cloud wide", "[Cloud] VMs only"]
    assert list(events(offering)) == ["[Cloud] VMs only"]
    assert "VMs (Degraded performance)" in str(events(offering)["[Cloud] VMs only"]["DESCRIPTION"])
    assert api.http(None).get("/api/marketplace-provider-offerings/" + "0" * 32 + "/maintenance-calendar.ics") \
        .status_code == 404


def test_text_is_escaped_and_long_lines_are_folded(api, world):
    name = "Kernel; upgrade, phase 2 — ümlauts " + "x" * 100
    published(api, world["cloud"], name=name, message="Line one\nLine two")

    raw = api.http(None).get("/api/maintenance-calendar.ics").content
    event = next(iter(events(icalendar.Calendar.from_ical(raw)).values()))

    assert str(event["SUMMARY"]) == f"[Cloud] {name}"
    assert str(event["DESCRIPTION"]).startswith("Line one\nLine two\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75


def test_a_cancellation_after_withdrawal_stays_in_the_feeds_that_published_it_as_published(api, services, world, admin):
    announcements, offerings = services.announcements, world["offerings"]
    start = services.context.clock.now() + timedelta(days=1)
    shown = announcements.create(admin, {"name": "Public name", "message": "Public words.", "provider": "Cloud",
                                         "scheduled_start": start, "scheduled_end": start + timedelta(hours=2),
                                         "affected": [{"offering": "VMs"}]})
    announcements.transition(admin, shown.uuid, Action.SCHEDULE)
    before = by_uid(feed(api))[shown.uuid.hex]
    announcements.transition(admin, shown.uuid, Action.UNSCHEDULE)
    for number in range(3):  # edits nobody outside the managers may learn of, not even how many
        announcements.update(admin, shown.uuid, {
            "name": f"SECRET draft {number}", "message": "Secret words.", "provider": "Storage",
            "affected": [{"offering": "Backup"}], "scheduled_start": start + timedelta(days=4 + number),
            "scheduled_end": start + timedelta(days=4 + number, hours=1)})
    announcements.transition(admin, shown.uuid, Action.CANCEL)

    def feed_of(kind: str, uuid) -> str:
        return api.http(None).get(f"/api/{kind}/{uuid.hex}/maintenance-calendar.ics").text

    published_in = [feed(api).to_ical().decode(), feed_of("marketplace-service-providers", world["cloud"].uuid),
                    feed_of("marketplace-provider-offerings", offerings["VMs"].uuid)]
    never_in = [feed_of("marketplace-service-providers", world["storage"].uuid),
                feed_of("marketplace-provider-offerings", offerings["Backup"].uuid)]
    for text in published_in:
        assert "Public name" in text and "STATUS:CANCELLED" in text and "SECRET" not in text and "Secret" not in text
    for text in never_in:
        assert shown.uuid.hex not in text and "SECRET" not in text
    after = by_uid(feed(api))[shown.uuid.hex]
    assert after["DTSTART"].dt == before["DTSTART"].dt
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1  # cancelled: one change, however many edits were typed
