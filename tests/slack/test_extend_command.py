"""`/maint extend ID 30m|2h|until TIME`: the overrun buttons' operation, typed, for Scheduled or In-progress work.

A length counts from the current end (from now when that has passed, as the buttons do); the channel is told
once, through the outbox, as for a button's extension; refusals change nothing and say why.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import State
from tests.factories import announce
from tests.jobs.helpers import notices

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)

MANAGER, READER, STORE, CHANNEL = "UCLOUDMGR1", "UREADER001", "USTOREMGR1", "CCLOUD0001"


def end_of(services, actor, view):
    return services.announcements.get(actor, view.uuid).scheduled_end


@pytest.mark.parametrize(("typed", "by"), [
    ("30m", timedelta(minutes=30)),
    ("2h", timedelta(hours=2)),
    ("1h30m", timedelta(minutes=90)),
    ("2 h 15 min", timedelta(minutes=135)),
    ("1d", timedelta(days=1)),
])
def test_a_length_pushes_back_the_end_of_running_maintenance(slack, services, db, world, cloud_manager, typed, by):
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    slack.deliver()

    reply = slack.command(f"extend {running.short_id} {typed}", user=MANAGER)
    slack.deliver()

    assert end_of(services, cloud_manager, running) == running.scheduled_end + by
    assert "Extended" in reply.text and "Kernel upgrade" in reply.text and running.short_id in reply.text
    assert f"<!date^{int((running.scheduled_end + by).timestamp())}^" in reply.text
    assert len(notices(db, "extended")) == 1
    told = [m.text for m in slack.thread(slack.card_in(CHANNEL)) if "extended the maintenance" in m.text]
    assert len(told) == 1


def test_a_length_after_the_end_has_passed_counts_from_now(slack, services, world, cloud_manager, clock):
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    clock.set(running.scheduled_end + timedelta(minutes=20))

    slack.command(f"extend {running.short_id} 30m", user=MANAGER)

    assert end_of(services, cloud_manager, running) == clock.now() + timedelta(minutes=30)


def test_scheduled_maintenance_extends_until_a_time(slack, services, world, cloud_manager):
    scheduled = announce(services, cloud_manager, State.SCHEDULED)  # 2026-11-03 09:00–11:00 UTC

    reply = slack.command(f"extend {scheduled.short_id} until 2026-11-03T12:15", user=MANAGER)

    assert end_of(services, cloud_manager, scheduled).isoformat() == "2026-11-03T12:15:00+00:00"
    assert "Times read in your Slack time zone, UTC." in reply.text


def test_extending_twice_extends_twice(slack, services, world, cloud_manager):
    running = announce(services, cloud_manager, State.IN_PROGRESS)

    slack.command(f"extend {running.short_id} 30m", user=MANAGER)
    slack.command(f"extend {running.short_id} 30m", user=MANAGER)

    assert end_of(services, cloud_manager, running) == running.scheduled_end + timedelta(hours=1)


def test_the_history_records_who_extended_it(slack, services, world, cloud_manager):
    running = announce(services, cloud_manager, State.IN_PROGRESS)

    slack.command(f"extend {running.short_id} 45m", user=MANAGER)

    [event] = [e for e in services.announcements.history(cloud_manager, running.uuid) if e.action == "updated"]
    assert event.actor == MANAGER and "scheduled_end" in event.changes


def test_readers_and_other_providers_managers_are_refused(slack, services, world, cloud_manager):
    running = announce(services, cloud_manager, State.IN_PROGRESS)

    for user in (READER, STORE):
        reply = slack.command(f"extend {running.short_id} 30m", user=user)

        assert "🚫" in reply.text
    assert end_of(services, cloud_manager, running) == running.scheduled_end


@pytest.mark.parametrize("state", [State.DRAFT, State.COMPLETED, State.CANCELLED])
def test_drafts_and_finished_announcements_are_not_extended(slack, services, world, cloud_manager, state):
    view = announce(services, cloud_manager, state)

    reply = slack.command(f"extend {view.short_id} 30m", user=MANAGER)

    assert "Nothing changed" in reply.text and "*Scheduled* or *In progress*" in reply.text
    assert f"*{state.label}*" in reply.text
    assert end_of(services, cloud_manager, view) == view.scheduled_end


def test_a_reader_cannot_learn_of_a_draft_by_extending_it(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager, State.DRAFT, name="Secret plan")

    reply = slack.command(f"extend {draft.short_id} 30m", user=READER)

    assert "Secret plan" not in reply.text and "Draft" not in reply.text
    assert end_of(services, cloud_manager, draft) == draft.scheduled_end


@pytest.mark.parametrize(("typed", "said"), [
    ("", "Give an announcement id and how long to extend it"),
    ("30", "`30` is not a length"),
    ("-30m", "`-30m` is not a length"),
    ("soon", "`soon` is not a length"),
    ("30x", "`30x` is not a length"),
    ("0m", "Extend by at least 1 minute"),
    ("8d", "Extend by at most 7 days at a time"),
    ("999999h", "Extend by at most 7 days at a time"),
    ("99999999999999999999h", "far too long"),
    ("until", "Until when?"),
    ("until tomorrow", "is not a date or time"),
    ("until 2026-11-03T10:00", "is not after its current end, 2026-11-03 11:00 UTC"),
    ("until 2026-11-20T10:00", "Extend by at most 7 days at a time"),
    ("until 9999-12-31T23:59+00:00", "at most 7 days"),
    ("until 0001-01-01T00:00+14:00", "out of range"),
    ("30m colour=red", "Give an announcement id and how long to extend it"),
    ("<script>&amp;", "`&lt;script&gt;&amp;` is not a length"),
])
def test_bad_lengths_and_times_are_refused_clearly_and_change_nothing(slack, services, db, world, cloud_manager,
                                                                      typed, said):
    scheduled = announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command(f"extend {scheduled.short_id} {typed}".strip(), user=MANAGER)

    assert reply.status == 200
    assert said in reply.text, reply.text
    assert end_of(services, cloud_manager, scheduled) == scheduled.scheduled_end
    assert notices(db, "extended") == []


def test_until_a_moment_already_past_is_refused(slack, services, world, cloud_manager, clock):
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    clock.set(running.scheduled_end + timedelta(hours=1))

    passed = (running.scheduled_end + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")

    reply = slack.command(f"extend {running.short_id} until {passed}", user=MANAGER)

    assert "has already passed" in reply.text
    assert end_of(services, cloud_manager, running) == running.scheduled_end


def test_help_lists_extend(slack):
    assert "/maint extend ID 30m|2h|until TIME" in slack.command("help", user=READER).text
