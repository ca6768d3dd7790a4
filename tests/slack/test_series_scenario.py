"""A manager runs a weekly patch window from Slack: creates the series in the modal, sees its first occurrence
published as a card that names its series, gets its reminder, skips one, edits the series, then ends it —
asked before anything published is cancelled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.enums import State
from bot.jobs.tick import SummarySchedule, Ticker
from tests.factories import NOW

MANAGER, READER, CHANNEL = "UCLOUDMGR1", "UREADER001", "CCLOUD0001"
TALLINN = ZoneInfo("Europe/Tallinn")


def modal_block(modal: dict, block_id: str) -> dict:
    return next(block for block in modal["blocks"] if block.get("block_id") == block_id)


def occurrences(services, actor) -> dict[date, object]:
    """The series' announcements by their local date in Tallinn."""
    views = services.announcements.list(actor).items
    return {view.scheduled_start.astimezone(TALLINN).date(): view for view in views}


def reminders(slack, card) -> list[str]:
    return [message.text for message in slack.thread(card) if message.text.startswith("⏰ Reminder")]


def create_series(slack, standin):
    standin.user_timezones[MANAGER] = "Europe/Tallinn"
    reply = slack.command("series new", user=MANAGER)
    modal = slack.modal()
    assert reply.status == 200 and reply.body == ""
    assert modal["title"]["text"] == "New series" and len(modal["blocks"]) <= 100
    assert modal_block(modal, "timezone")["element"]["initial_value"] == "Europe/Tallinn"  # the user's zone
    return slack.submit(modal, user=MANAGER, name="Patch window", message="Hypervisors reboot one by one.",
                        offerings=["VMs"], repeats="weekly", days=["Tuesday"], first_day="2026-11-03",
                        time="02:00", duration="120", horizon="30", publish="auto", publish_days="7")


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_a_weekly_patch_window_from_creation_to_its_end(slack, services, world, standin, clock, cloud_manager):
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC")))

    # Created in the modal: occurrences within 30 days exist, the one within 7 days is published.
    saved = create_series(slack, standin)
    assert saved.status == 200 and saved.body == ""
    assert "Created the series *Patch window*" in saved.text
    [series] = services.series.list(cloud_manager).items
    assert (series.rrule, series.timezone, f"{series.start_time:%H:%M}") == (
        "FREQ=WEEKLY;BYDAY=TU", "Europe/Tallinn", "02:00")
    made = occurrences(services, cloud_manager)
    assert sorted(made) == [date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 17), date(2026, 11, 24),
                            date(2026, 12, 1)]
    assert made[date(2026, 11, 3)].state is State.SCHEDULED
    assert {made[day].state for day in sorted(made)[1:]} == {State.DRAFT}
    assert made[date(2026, 11, 3)].scheduled_start == datetime(2026, 11, 3, 0, 0, tzinfo=UTC)  # 02:00 EET

    # Everyone in the channel sees the published occurrence, and which series it belongs to.
    slack.deliver()
    card = slack.card_in(CHANNEL)
    assert "Patch window" in card.content and f"🔁 Series `{series.uuid.hex[:8]}`" in card.content
    assert [post for post in slack.posts(CHANNEL) if "Patch window" in post.content] == [card]  # drafts unseen

    # `/maint series` lists it with its next occurrences as date tokens: each reader's own time zone.
    listed = slack.command("series", user=MANAGER)
    assert "Patch window" in listed.text and f"`{series.short_id}`" in listed.text
    first = int(datetime(2026, 11, 3, 0, 0, tzinfo=UTC).timestamp())
    assert f"<!date^{first}^" in listed.text

    # Its reminder comes an hour before, under the card.
    clock.set(datetime(2026, 11, 2, 23, 0, tzinfo=UTC))
    slack.deliver()
    assert [text.split(" starts ")[0] for text in reminders(slack, card)] == ["⏰ Reminder: *Patch window*"]

    # A week before the next one, the tick publishes it; skipping it asks before cancelling it.
    clock.set(datetime(2026, 11, 3, 0, 5, tzinfo=UTC))
    ticker.tick(clock.now())
    slack.deliver()
    assert occurrences(services, cloud_manager)[date(2026, 11, 10)].state is State.SCHEDULED
    asked = slack.command(f"series skip {series.short_id} 2026-11-10", user=MANAGER)
    assert "1 published occurrence is still announced" in asked.text and "Cancel them too" in asked.last.buttons
    assert occurrences(services, cloud_manager)[date(2026, 11, 10)].state is State.SCHEDULED  # nothing yet
    confirmed = slack.press(asked.last, "Cancel them too", user=MANAGER)
    assert confirmed.status == 200 and "1 published occurrence cancelled" in confirmed.text
    assert occurrences(services, cloud_manager)[date(2026, 11, 10)].state is State.CANCELLED
    slack.deliver()
    assert any("Cancelled" in post.content for post in slack.posts(CHANNEL) if "Patch window" in post.content)

    # Skipping a draft needs no question: it is withdrawn.
    skipped = slack.command(f"series skip {series.short_id} 2026-11-17", user=MANAGER)
    assert "1 unpublished occurrence withdrawn" in skipped.text and not skipped.last.buttons
    assert date(2026, 11, 17) not in occurrences(services, cloud_manager)

    # Editing the series moves its untouched future occurrences to the new time.
    assert slack.command(f"series edit {series.short_id}", user=MANAGER).body == ""
    modal = slack.modal()
    assert modal["title"]["text"] == "Edit series"
    assert modal_block(modal, "rule")["element"]["initial_value"] == "FREQ=WEEKLY;BYDAY=TU"
    edited = slack.submit(modal, user=MANAGER, time="03:00")
    assert edited.status == 200 and "Saved changes to the series" in edited.text
    later = occurrences(services, cloud_manager)
    assert later[date(2026, 11, 24)].scheduled_start == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 03:00 EET
    assert later[date(2026, 11, 3)].scheduled_start == datetime(2026, 11, 3, 0, 0, tzinfo=UTC)  # past: as it was

    # Ending it: drafts are withdrawn at once, the published one only once the manager says so.
    clock.set(datetime(2026, 11, 17, 1, 5, tzinfo=UTC))
    ticker.tick(clock.now())
    slack.deliver()
    assert occurrences(services, cloud_manager)[date(2026, 11, 24)].state is State.SCHEDULED
    asked = slack.command(f"series end {series.short_id}", user=MANAGER)
    assert "Ended *Patch window*" in asked.text and "Cancel them too" in asked.last.buttons
    left = occurrences(services, cloud_manager)
    assert left[date(2026, 11, 24)].state is State.SCHEDULED
    assert not [day for day, view in left.items() if view.state is State.DRAFT]
    confirmed = slack.press(asked.last, "Cancel them too", user=MANAGER)
    assert "1 published occurrence cancelled" in confirmed.text
    assert occurrences(services, cloud_manager)[date(2026, 11, 24)].state is State.CANCELLED
    assert services.series.get(cloud_manager, series.uuid).ended is not None
    clock.set(NOW + timedelta(days=60))
    ticker.tick(clock.now())
    assert max(occurrences(services, cloud_manager)) == date(2026, 11, 24)  # nothing new after the end


def test_someone_who_manages_nothing_gets_no_form_and_sees_no_series(slack, services, world, standin, cloud_manager):
    services.series.create(cloud_manager, {"name": "Backups", "provider": "Cloud", "rrule": "FREQ=DAILY",
                                           "timezone": "UTC", "start_time": "23:00", "duration_minutes": 30})

    slack.command("series new", user=READER)
    listed = slack.command("series", user=READER)

    assert standin.calls_to("views.open") == []
    assert "Backups" not in listed.text


def test_mistakes_are_explained_and_change_nothing(slack, services, world, cloud_manager):
    series = services.series.create(cloud_manager, {"name": "Backups", "provider": "Cloud", "rrule": "FREQ=DAILY",
                                                    "timezone": "UTC", "start_time": "23:00",
                                                    "duration_minutes": 30})
    before = services.announcements.list(cloud_manager).count

    answers = [slack.command(text, user=MANAGER) for text in (
        "series frobnicate", "series show", "series skip", f"series skip {series.short_id} tomorrow",
        f"series end {series.short_id} please", "series show ffffffff", f"series skip {series.short_id} 1999-01-01",
    )]

    for reply in answers:
        assert reply.status == 200 and reply.text, reply.body
    assert "Say what to do" in answers[0].text
    assert "is not a date" in answers[3].text
    assert services.series.get(cloud_manager, series.uuid).ended is None
    assert services.announcements.list(cloud_manager).count == before
