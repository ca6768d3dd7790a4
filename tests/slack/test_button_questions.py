"""A card's Schedule and Start buttons ask first when the domain has second thoughts (an ended window, a start
more than an hour early), as the commands do; otherwise a press acts at once. The question goes to the presser
alone, and nothing changes until they answer."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.enums import State
from tests.factories import announce

MANAGER = "UCLOUDMGR1"
CHANNEL = "CCLOUD0001"
HOUR = timedelta(hours=1)


def state_of(services, actor, view) -> State:
    return services.announcements.get(actor, view.uuid).state


def test_start_on_a_channel_card_a_day_early_asks_the_presser_alone(slack, services, world, cloud_manager, clock):
    view = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=clock.now() + timedelta(days=1),
                    scheduled_end=clock.now() + timedelta(days=1, hours=2))
    slack.deliver()
    card = slack.card_in(CHANNEL)

    asked = slack.press(card, "Start", user=MANAGER)
    slack.deliver()

    assert state_of(services, cloud_manager, view) is State.SCHEDULED
    assert "more than an hour" in asked.text and asked.last.ephemeral and asked.last.user == MANAGER
    assert asked.last.buttons == ["Start now anyway", "Not yet"]
    [still] = slack.posts(CHANNEL)
    assert "Scheduled" in still.content  # the channel saw nothing happen

    done = slack.press(asked.last, "Start now anyway", user=MANAGER)

    assert "Started" in done.text
    assert state_of(services, cloud_manager, view) is State.IN_PROGRESS


def test_schedule_on_a_managers_card_for_an_ended_window_asks_and_keep_changes_nothing(
        slack, services, world, cloud_manager, clock):
    draft = announce(services, cloud_manager, State.DRAFT, scheduled_start=clock.now() - 5 * HOUR,
                     scheduled_end=clock.now() - 3 * HOUR)
    card = slack.command(f"show {draft.short_id}", user=MANAGER).last

    asked = slack.press(card, "Schedule", user=MANAGER)

    assert "already over" in asked.text and asked.last.buttons == ["Publish anyway", "Keep as draft"]
    kept = slack.press(asked.last, "Keep as draft", user=MANAGER)
    assert "Nothing changed" in kept.text
    assert state_of(services, cloud_manager, draft) is State.DRAFT


def test_a_press_with_nothing_to_doubt_acts_at_once(slack, services, world, cloud_manager, clock):
    view = announce(services, cloud_manager, State.SCHEDULED, scheduled_start=clock.now() + HOUR / 2,
                    scheduled_end=clock.now() + 2 * HOUR)
    slack.deliver()

    slack.press(slack.card_in(CHANNEL), "Start", user=MANAGER)

    assert state_of(services, cloud_manager, view) is State.IN_PROGRESS
