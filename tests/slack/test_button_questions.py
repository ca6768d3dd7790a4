"""A card's Schedule and Start buttons ask first when the domain has second thoughts (an ended window, a start
more than an hour early), as the commands do; otherwise a press acts at once. The question goes to the presser
alone, nothing changes until they answer, and an answer to a question that has gone stale changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import State
from tests.factories import announce, starting_soon

MANAGER, GROUPIE, READER = "UCLOUDMGR1", "UGROUPIE01", "UREADER001"
CHANNEL = "CCLOUD0001"
HOUR = timedelta(hours=1)

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def state_of(services, actor, view) -> State:
    return services.announcements.get(actor, view.uuid).state


def starts(services, actor, view) -> int:
    return [event.action for event in services.announcements.history(actor, view.uuid)].count("started")


def tomorrow(clock) -> dict:
    now = clock.now()
    return {"scheduled_start": now + timedelta(days=1), "scheduled_end": now + timedelta(days=1, hours=2)}


def early_card(slack, services, manager, clock):
    """Published maintenance starting tomorrow, and its card in the channel."""
    view = announce(services, manager, State.SCHEDULED, **tomorrow(clock))
    slack.deliver()
    return view, slack.card_in(CHANNEL)


def test_start_on_a_channel_card_a_day_early_asks_the_presser_alone(slack, services, world, cloud_manager, clock):
    view, card = early_card(slack, services, cloud_manager, clock)

    asked = slack.press(card, "Start", user=MANAGER)
    slack.deliver()

    assert state_of(services, cloud_manager, view) is State.SCHEDULED
    assert "more than an hour" in asked.text and asked.last.ephemeral and asked.last.user == MANAGER
    assert asked.last.buttons == ["Start now anyway", "Not yet"]
    [still] = slack.posts(CHANNEL)
    assert still.content == card.content and slack.thread(still) == []  # the channel saw nothing happen

    done = slack.press(asked.last, "Start now anyway", user=MANAGER)
    slack.deliver()

    assert "Started" in done.text
    assert state_of(services, cloud_manager, view) is State.IN_PROGRESS
    [updated] = slack.posts(CHANNEL)
    assert updated.ts == card.ts and "In progress" in updated.content  # the card itself follows
    assert [m for m in slack.thread(updated) if "started" in m.content.lower()]


def test_not_yet_changes_nothing(slack, services, world, cloud_manager, clock):
    view, card = early_card(slack, services, cloud_manager, clock)
    asked = slack.press(card, "Start", user=MANAGER)

    kept = slack.press(asked.last, "Not yet", user=MANAGER)
    slack.deliver()

    assert "Not started" in kept.text and "Nothing changed" in kept.text
    assert not kept.last.buttons  # the question is replaced: nothing left to press
    assert state_of(services, cloud_manager, view) is State.SCHEDULED and starts(services, cloud_manager, view) == 0
    [still] = slack.posts(CHANNEL)
    assert still.content == card.content and slack.thread(still) == []


def test_a_go_ahead_after_someone_else_edited_it_changes_nothing_and_says_so(slack, services, world,
                                                                            cloud_manager, clock):
    view, card = early_card(slack, services, cloud_manager, clock)
    asked = slack.press(card, "Start", user=MANAGER)
    services.announcements.update(cloud_manager, view.uuid, {"name": "Kernel upgrade, round two"})

    reply = slack.press(asked.last, "Start now anyway", user=MANAGER)
    slack.deliver()

    assert "Nothing changed" in reply.text and "changed since you were asked" in reply.text
    assert state_of(services, cloud_manager, view) is State.SCHEDULED and starts(services, cloud_manager, view) == 0
    assert "Scheduled" in slack.card_in(CHANNEL).content


def test_a_go_ahead_after_someone_else_started_it_starts_it_once(slack, services, world, cloud_manager, clock):
    view, card = early_card(slack, services, cloud_manager, clock)
    asked = slack.press(card, "Start", user=MANAGER)
    other = slack.press(card, "Start", user=GROUPIE)
    slack.press(other.last, "Start now anyway", user=GROUPIE)

    reply = slack.press(asked.last, "Start now anyway", user=MANAGER)
    slack.deliver()

    assert "Nothing changed" in reply.text
    assert starts(services, cloud_manager, view) == 1
    started = [m for m in slack.thread(slack.card_in(CHANNEL)) if "started" in m.content.lower()]
    assert len(started) == 1 and "<@UGROUPIE01>" in started[0].content


def test_schedule_on_a_managers_card_for_an_ended_window_asks_and_keep_changes_nothing(
        slack, services, world, cloud_manager, clock):
    draft = announce(services, cloud_manager, State.DRAFT, scheduled_start=clock.now() - 5 * HOUR,
                     scheduled_end=clock.now() - 3 * HOUR)
    card = slack.command(f"show {draft.short_id}", user=MANAGER).last

    asked = slack.press(card, "Schedule", user=MANAGER)
    slack.deliver()

    assert "already over" in asked.text and asked.last.buttons == ["Publish anyway", "Keep as draft"]
    assert slack.posts(CHANNEL) == []  # nobody was told
    kept = slack.press(asked.last, "Keep as draft", user=MANAGER)
    slack.deliver()
    assert "Nothing changed" in kept.text
    assert state_of(services, cloud_manager, draft) is State.DRAFT and slack.posts(CHANNEL) == []


def test_publish_anyway_on_an_ended_window_publishes_it(slack, services, world, cloud_manager, clock):
    draft = announce(services, cloud_manager, State.DRAFT, scheduled_start=clock.now() - 5 * HOUR,
                     scheduled_end=clock.now() - 3 * HOUR)
    card = slack.command(f"show {draft.short_id}", user=MANAGER).last
    asked = slack.press(card, "Schedule", user=MANAGER)

    published = slack.press(asked.last, "Publish anyway", user=MANAGER)
    slack.deliver()

    assert "Scheduled" in published.text
    assert state_of(services, cloud_manager, draft) is State.SCHEDULED
    assert "Scheduled" in slack.card_in(CHANNEL).content


def test_an_early_start_in_the_app_home_says_how_to_answer_and_changes_nothing(slack, services, world,
                                                                              cloud_manager, clock):
    view = announce(services, cloud_manager, State.SCHEDULED, name="Tomorrow's work", **tomorrow(clock))
    home = slack.open_home(MANAGER)

    reply = slack.press(home, "Start", user=MANAGER)

    assert state_of(services, cloud_manager, view) is State.SCHEDULED
    shown = slack.home(MANAGER).content
    assert "more than an hour" in shown and "/maint start" in shown and view.short_id in shown, reply.text


def test_a_non_manager_is_refused_not_asked(slack, services, world, cloud_manager, clock):
    view, card = early_card(slack, services, cloud_manager, clock)

    reply = slack.press(card, "Start", user=READER)

    assert "🚫" in reply.text and "Start now anyway" not in reply.text
    assert state_of(services, cloud_manager, view) is State.SCHEDULED


def test_a_press_with_nothing_to_doubt_acts_at_once(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED, **starting_soon(services))
    slack.deliver()

    reply = slack.press(slack.card_in(CHANNEL), "Start", user=MANAGER)

    assert state_of(services, cloud_manager, view) is State.IN_PROGRESS
    assert not any("Start now anyway" in seen.buttons for seen in reply.seen)


def test_a_start_an_hour_early_is_not_asked_about_but_one_minute_more_is(slack, services, world, cloud_manager,
                                                                           clock):
    edge = announce(services, cloud_manager, State.SCHEDULED, name="At the edge",
                    scheduled_start=clock.now() + HOUR, scheduled_end=clock.now() + 2 * HOUR)
    beyond = announce(services, cloud_manager, State.SCHEDULED, name="Just beyond",
                      scheduled_start=clock.now() + HOUR + timedelta(minutes=1), scheduled_end=clock.now() + 2 * HOUR)
    for view in (edge, beyond):
        card = slack.command(f"show {view.short_id}", user=MANAGER).last
        slack.press(card, "Start", user=MANAGER)

    assert state_of(services, cloud_manager, edge) is State.IN_PROGRESS
    assert state_of(services, cloud_manager, beyond) is State.SCHEDULED
