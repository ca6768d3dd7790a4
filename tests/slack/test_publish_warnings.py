"""Warnings before a mistake reaches an audience, in Slack: overlaps told to the publisher, questions before
publishing an ended window or starting early, and `/maint delete` asking first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import State
from tests.factories import announce

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
CHANNEL = "CCLOUD0001"
HOUR = timedelta(hours=1)


def on(*offerings: str) -> list[AffectedInput]:
    return [AffectedInput(name) for name in offerings]


def token(moment) -> str:
    return f"<!date^{int(moment.timestamp())}^"


@pytest.fixture
def firmware(services, world, cloud_manager, clock):
    """Published maintenance on VMs, tomorrow 00:00–04:00 (from the clock's start)."""
    start = clock.now() + timedelta(days=1)
    return announce(services, cloud_manager, State.SCHEDULED, name="Hypervisor firmware", affected=on("VMs"),
                    scheduled_start=start, scheduled_end=start + 4 * HOUR)


def kernel(services, manager, clock, *offerings: str, start=None, hours: float = 4, **fields):
    start = start or clock.now() + timedelta(days=1, hours=2)
    values = {"name": "Kernel upgrade", "scheduled_start": start, "scheduled_end": start + hours * HOUR} | fields
    return announce(services, manager, State.DRAFT, affected=on(*offerings), **values)


def state_of(services, actor, view) -> State:
    return services.announcements.get(actor, view.uuid).state


# -- overlaps ----------------------------------------------------------------------------------------


def test_publishing_by_command_names_the_overlapping_maintenance(slack, services, world, cloud_manager, clock,
                                                                firmware):
    draft = kernel(services, cloud_manager, clock, "VMs", "Kubernetes")

    reply = slack.command(f"schedule {draft.short_id}", user=MANAGER)

    assert state_of(services, cloud_manager, draft) is State.SCHEDULED  # warned, not refused
    told = reply.ack["text"]
    assert "Overlaps" in told and firmware.short_id in told and "Hypervisor firmware" in told
    assert token(firmware.scheduled_start) in told and "Scheduled" in told
    assert "⚠️ Overlaps" in reply.last.content  # the publisher's own card says so too


def test_publishing_with_the_cards_button_names_the_overlap(slack, services, world, cloud_manager, clock, firmware):
    draft = kernel(services, cloud_manager, clock, "VMs")
    card = slack.command(f"show {draft.short_id}", user=MANAGER).last

    reply = slack.press(card, "Schedule", user=MANAGER)

    assert state_of(services, cloud_manager, draft) is State.SCHEDULED
    assert "Overlaps" in reply.text and firmware.short_id in reply.text and "Hypervisor firmware" in reply.text
    assert all(seen.ephemeral for seen in reply.seen)


def test_channel_cards_never_name_other_maintenance(slack, services, world, cloud_manager, clock, firmware):
    kernel(services, cloud_manager, clock, "VMs", name="Secret draft")  # overlapping, but a draft
    draft = kernel(services, cloud_manager, clock, "VMs", start=firmware.scheduled_start + HOUR)
    slack.command(f"schedule {draft.short_id}", user=MANAGER)
    slack.deliver()

    posted = "\n".join(post.content for post in slack.posts(CHANNEL, threads=True))
    assert "Kernel upgrade" in posted and "Hypervisor firmware" in posted
    assert "Overlaps" not in posted and "Secret draft" not in posted
    shown = slack.command(f"show {firmware.short_id}", user=READER).last.content
    assert "Overlaps" not in shown and "Kernel upgrade" not in shown  # a reader's card has no overlap line
    managed = slack.command(f"show {firmware.short_id}", user=MANAGER).last.content
    assert "Overlaps" in managed and "Kernel upgrade" in managed and "Secret draft" not in managed


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_no_overlap_no_warning(slack, services, world, cloud_manager, clock, firmware):
    after = kernel(services, cloud_manager, clock, "VMs", start=firmware.scheduled_end)  # starts as it ends
    elsewhere = kernel(services, cloud_manager, clock, "Kubernetes")

    for draft in (after, elsewhere):
        reply = slack.command(f"schedule {draft.short_id}", user=MANAGER)
        assert "Published" in reply.ack["text"] and "Overlaps" not in reply.text


# -- questions before publishing an ended window or starting early ------------------------------------


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_publishing_a_window_that_has_ended_asks_first(slack, services, world, cloud_manager, clock):
    late = kernel(services, cloud_manager, clock, "VMs", start=clock.now() - 5 * HOUR, hours=2)

    asked = slack.command(f"schedule {late.short_id}", user=MANAGER)

    assert state_of(services, cloud_manager, late) is State.DRAFT
    assert "already over" in asked.ack["text"] and asked.last.buttons == ["Publish anyway", "Keep as draft"]
    kept = slack.press(asked.last, "Keep as draft", user=MANAGER)
    assert "Kept as a draft" in kept.text and "Nothing changed" in kept.text
    assert state_of(services, cloud_manager, late) is State.DRAFT

    asked = slack.command(f"schedule {late.short_id}", user=MANAGER)
    done = slack.press(asked.last, "Publish anyway", user=MANAGER)
    assert "Published" in done.text
    assert state_of(services, cloud_manager, late) is State.SCHEDULED


def test_starting_more_than_an_hour_early_asks_first(slack, services, world, cloud_manager, clock, firmware):
    asked = slack.command(f"start {firmware.short_id}", user=MANAGER)

    assert state_of(services, cloud_manager, firmware) is State.SCHEDULED
    assert "more than an hour" in asked.ack["text"] and asked.last.buttons == ["Start now anyway", "Not yet"]
    done = slack.press(asked.last, "Start now anyway", user=MANAGER)
    assert "Started" in done.text and "In progress" in done.text
    assert state_of(services, cloud_manager, firmware) is State.IN_PROGRESS


def test_starting_within_the_hour_asks_nothing(slack, services, world, cloud_manager, clock, firmware):
    clock.set(firmware.scheduled_start - HOUR)

    reply = slack.command(f"start {firmware.short_id}", user=MANAGER)

    assert "Started" in reply.ack["text"]
    assert state_of(services, cloud_manager, firmware) is State.IN_PROGRESS


def test_a_reader_is_refused_not_asked(slack, services, world, cloud_manager, clock, firmware):
    reply = slack.command(f"start {firmware.short_id}", user=READER)

    assert "🚫" in reply.ack["text"] and not reply.last.buttons


# -- /maint delete asks first -----------------------------------------------------------------------------


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_delete_by_command_asks_and_keep_changes_nothing(slack, services, world, cloud_manager, clock):
    draft = kernel(services, cloud_manager, clock, "VMs")

    asked = slack.command(f"delete {draft.short_id}", user=MANAGER)

    assert "Delete" in asked.ack["text"] and asked.last.buttons == ["Delete", "Keep"]
    assert services.announcements.count(cloud_manager) == 1
    kept = slack.press(asked.last, "Keep", user=MANAGER)
    assert "Kept" in kept.text and services.announcements.count(cloud_manager) == 1

    asked = slack.command(f"delete {draft.short_id}", user=MANAGER)
    gone = slack.press(asked.last, "Delete", user=MANAGER)
    assert "Deleted" in gone.text and services.announcements.count(cloud_manager) == 0


def test_delete_by_a_reader_is_refused_at_once(slack, services, world, cloud_manager, clock, firmware):
    reply = slack.command(f"delete {firmware.short_id}", user=READER)

    assert "🚫" in reply.ack["text"] and not reply.last.buttons
    assert services.announcements.count(cloud_manager) == 1


# -- stale answers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_a_confirmation_after_the_announcement_changed_does_nothing(slack, services, world, cloud_manager, clock):
    draft = kernel(services, cloud_manager, clock, "VMs")
    asked = slack.command(f"delete {draft.short_id}", user=MANAGER)
    services.announcements.update(cloud_manager, draft.uuid, {"name": "Kernel upgrade, round two"})

    reply = slack.press(asked.last, "Delete", user=MANAGER)

    assert "Nothing changed" in reply.text and "changed since you were asked" in reply.text
    assert services.announcements.count(cloud_manager) == 1


def test_a_confirmation_after_the_announcement_was_deleted_says_so(slack, services, world, cloud_manager, clock):
    late = kernel(services, cloud_manager, clock, "VMs", start=clock.now() - 5 * HOUR, hours=2)
    questions = [slack.command(f"schedule {late.short_id}", user=MANAGER).last for _ in range(2)]
    services.announcements.delete(cloud_manager, late.uuid)

    for question, label in zip(questions, ("Publish anyway", "Keep as draft"), strict=True):
        reply = slack.press(question, label, user=MANAGER)
        assert "deleted meanwhile" in reply.text, reply.text
        assert not question.buttons  # the question is replaced: nothing left to press


def test_a_start_confirmed_after_someone_else_started_it_starts_it_once(slack, services, world, cloud_manager,
                                                                        clock, firmware):
    asked = slack.command(f"start {firmware.short_id}", user=MANAGER)
    slack.command(f"start {firmware.short_id}", user="UGROUPIE01")
    second = slack.command(f"start {firmware.short_id}", user="UGROUPIE01")
    slack.press(second.last, "Start now anyway", user="UGROUPIE01")

    reply = slack.press(asked.last, "Start now anyway", user=MANAGER)

    assert "Nothing changed" in reply.text
    events = [e.action for e in services.announcements.history(cloud_manager, firmware.uuid)]
    assert events.count("started") == 1
