"""Extend on an overrun alert: one press, or ten at once, moves the end once and posts one "extended".

The alert's Extend buttons carry the end the alert showed; the domain extends only from that end (a
compare-and-set under the row's lock), so every press after the first is told the maintenance was already
extended, and changes nothing. These run on both backends: the database arbitrates.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from zoneinfo import ZoneInfo

import pytest

from bot.domain.enums import State
from bot.domain.errors import Invalid, Stale
from bot.jobs.tick import SummarySchedule, Ticker
from tests.factories import announce
from tests.jobs.helpers import notices

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)

MANAGER, OTHER_MANAGER = "UCLOUDMGR1", "UGROUPIE01"
CHANNEL = "CCLOUD0001"
PRESSES = 10


@pytest.fixture
def alert(slack, services, world, cloud_manager, clock):
    """Maintenance running past its end, and the overrun alert in its card's thread, with Extend buttons."""
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    slack.deliver()
    clock.set(running.scheduled_end + timedelta(minutes=5))
    Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC"))).tick()
    slack.deliver()
    [shown] = [m for m in slack.thread(slack.card_in(CHANNEL)) if "still in progress" in m.text]
    return running, shown


def extended_notices(db) -> list:
    return [n for n in notices(db, "extended")]


def extended_replies(slack) -> list[str]:
    return [m.text for m in slack.thread(slack.card_in(CHANNEL)) if "extended the maintenance" in m.text]


def test_ten_presses_at_once_extend_once_and_post_one_notice(slack, services, db, alert, cloud_manager, clock):
    running, shown = alert

    replies = slack.press_together(shown, "Extend 30 min", users=[MANAGER] * PRESSES)
    slack.deliver()

    assert services.announcements.get(cloud_manager, running.uuid).scheduled_end == clock.now() + timedelta(minutes=30)
    assert len(extended_notices(db)) == 1
    assert len(extended_replies(slack)) == 1
    told = [seen.content for seen in replies[0].seen]  # every presser is the same person here
    assert sum("already extended" in text for text in told) == PRESSES - 1
    assert all(reply.status == 200 for reply in replies)


def test_a_second_press_on_the_same_alert_extends_nothing_and_says_so(slack, services, db, alert, cloud_manager,
                                                                      clock):
    running, shown = alert
    slack.press(shown, "Extend 1 h", user=MANAGER)
    slack.deliver()
    end = services.announcements.get(cloud_manager, running.uuid).scheduled_end

    second = slack.press(shown, "Extend 30 min", user=OTHER_MANAGER)
    slack.deliver()

    assert end == clock.now() + timedelta(hours=1)
    assert services.announcements.get(cloud_manager, running.uuid).scheduled_end == end
    assert "Nothing changed" in second.text and "already extended" in second.text
    assert all(seen.user == OTHER_MANAGER for seen in second.seen)
    assert len(extended_notices(db)) == 1 and len(extended_replies(slack)) == 1


def test_the_new_alert_after_an_extension_extends_again(slack, services, alert, cloud_manager, clock):
    running, shown = alert
    slack.press(shown, "Extend 30 min", user=MANAGER)
    slack.deliver()
    clock.set(clock.now() + timedelta(minutes=31))
    Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC"))).tick()
    slack.deliver()
    newest = [m for m in slack.thread(slack.card_in(CHANNEL)) if "still in progress" in m.text][-1]

    slack.press(newest, "Extend 30 min", user=MANAGER)
    slack.deliver()

    assert services.announcements.get(cloud_manager, running.uuid).scheduled_end == clock.now() + timedelta(minutes=30)
    assert len(extended_replies(slack)) == 2


def test_a_button_that_carries_no_end_is_refused(slack, services, alert, cloud_manager):
    running, shown = alert
    blocks = [{**block, "elements": [{**e, "value": running.uuid.hex} for e in block["elements"]]}
              if block.get("type") == "actions" else block for block in shown.blocks]
    stale = type(shown)(shown.text, blocks, channel=shown.channel, ts=shown.ts)

    reply = slack.press(stale, "Extend 30 min", user=MANAGER)

    assert "out of date" in reply.text
    assert services.announcements.get(cloud_manager, running.uuid).scheduled_end == running.scheduled_end


def test_presses_racing_in_the_domain_extend_once(services, db, world, cloud_manager, clock):
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    start = Barrier(PRESSES)

    def press(_):
        start.wait()
        try:
            return services.announcements.extend(cloud_manager, running.uuid, running.scheduled_end,
                                                 timedelta(minutes=30)).scheduled_end
        except Stale as refused:
            return refused

    with ThreadPoolExecutor(PRESSES) as pool:
        outcomes = list(pool.map(press, range(PRESSES)))

    assert [o for o in outcomes if not isinstance(o, Stale)] == [running.scheduled_end + timedelta(minutes=30)]
    assert len(extended_notices(db)) == 1


@pytest.mark.parametrize("by", [timedelta(0), timedelta(minutes=-30), timedelta(days=9999), timedelta(minutes=31)])
def test_only_the_offered_extensions_are_accepted(services, world, cloud_manager, by):
    running = announce(services, cloud_manager, State.IN_PROGRESS)

    with pytest.raises(Invalid):
        services.announcements.extend(cloud_manager, running.uuid, running.scheduled_end, by)

    assert services.announcements.get(cloud_manager, running.uuid).scheduled_end == running.scheduled_end
