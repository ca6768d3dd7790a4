"""At the start and past the end: auto-start or a nudge, and one overrun alert per end time. Nothing is faked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.enums import Action, State
from bot.jobs.tick import SummarySchedule, Ticker
from tests.factories import announce
from tests.jobs.helpers import notices


@pytest.fixture
def ticker(services):
    from zoneinfo import ZoneInfo

    return Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC")))


def thread_replies(standin, channel: str) -> list:
    (card,) = standin.posts_in(channel, threads=False)
    return standin.thread(channel, card.ts)


def buttons(message) -> list[tuple[str, str, str]]:
    actions = [block for block in message.blocks if block["type"] == "actions"]
    return [(e["action_id"], e["text"]["text"], e["value"]) for block in actions for e in block["elements"]]


def test_auto_start_starts_at_the_real_moment_of_the_tick_and_tells_slack(
    services, world, admin, cloud_manager, ticker, dispatcher, standin, clock
):
    services.catalog.update_provider(admin, "Cloud", auto_start=True)
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()

    clock.set(announcement.scheduled_start - timedelta(seconds=1))
    assert ticker.tick().started == []
    clock.set(announcement.scheduled_start + timedelta(seconds=20))  # the first tick after the start
    assert ticker.tick().started == [announcement.uuid]
    dispatcher.deliver_due()

    started = services.announcements.get(admin, announcement.uuid)
    assert started.state is State.IN_PROGRESS
    assert started.actual_start == announcement.scheduled_start + timedelta(seconds=20)
    replies = [m.text for m in thread_replies(standin, "CCLOUD0001")]
    assert replies == ["maintbot (on schedule) started the maintenance."]
    assert services.announcements.history(admin, announcement.uuid)[-1].interface == "scheduler"


def test_without_auto_start_the_provider_channel_is_nudged_once_with_a_start_button(
    services, world, admin, cloud_manager, anyone, ticker, dispatcher, standin, clock
):
    services.subscriptions.subscribe(anyone, "CTEAMVMS01", "VMs")
    announcement = announce(services, cloud_manager, State.SCHEDULED, affected=[{"offering": "VMs"}])
    dispatcher.deliver_due()

    clock.set(announcement.scheduled_start)
    assert ticker.tick().nudged == 1
    for minutes in (1, 10, 60):
        clock.set(announcement.scheduled_start + timedelta(minutes=minutes))
        assert ticker.tick().nudged == 0
    dispatcher.deliver_due()

    (nudge,) = thread_replies(standin, "CCLOUD0001")
    assert "was due to start" in nudge.text
    assert buttons(nudge) == [("maint.start", "Start", announcement.uuid.hex)]
    assert thread_replies(standin, "CTEAMVMS01") == []
    still = services.announcements.get(admin, announcement.uuid)
    assert (still.state, still.actual_start) == (State.SCHEDULED, None)


def test_a_nudge_overtaken_by_a_person_starting_is_not_sent(
    db, services, world, cloud_manager, ticker, dispatcher, standin, clock
):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    clock.set(announcement.scheduled_start)
    ticker.tick()
    services.announcements.transition(cloud_manager, announcement.uuid, Action.START)

    dispatcher.deliver_due()

    assert [m.text for m in thread_replies(standin, "CCLOUD0001")] == ["<@UCLOUDMGR1> started the maintenance."]
    assert [n.status for n in notices(db, "due")] == ["dropped"]


def test_auto_start_does_not_start_what_should_already_have_ended(
    services, world, admin, cloud_manager, ticker, clock
):
    services.catalog.update_provider(admin, "Cloud", auto_start=True)
    announcement = announce(services, cloud_manager, State.SCHEDULED)

    clock.set(announcement.scheduled_end + timedelta(minutes=1))  # the scheduler was down all along
    report = ticker.tick()

    assert (report.started, report.nudged) == ([], 1)


def test_one_overrun_alert_per_end_time_with_complete_and_extend_buttons(
    services, world, admin, cloud_manager, anyone, ticker, dispatcher, standin, clock
):
    services.subscriptions.subscribe(anyone, "CTEAMVMS01", "VMs")
    announcement = announce(services, cloud_manager, State.IN_PROGRESS, affected=[{"offering": "VMs"}])
    end = announcement.scheduled_end

    clock.set(end)
    assert ticker.tick().overruns == 0
    clock.set(end + timedelta(seconds=30))
    assert ticker.tick().overruns == 2  # the provider channel and the subscribed one
    clock.set(end + timedelta(minutes=20))
    assert ticker.tick().overruns == 0
    dispatcher.deliver_due()

    (alert,) = [m for m in thread_replies(standin, "CCLOUD0001") if "still in progress" in m.text]
    uuid, seen = announcement.uuid.hex, f"{announcement.uuid.hex}:{end.isoformat()}"
    assert buttons(alert) == [("maint.complete", "Complete", uuid), ("maint.extend30", "Extend 30 min", seen),
                              ("maint.extend60", "Extend 1 h", seen)]
    (subscriber_alert,) = [m for m in thread_replies(standin, "CTEAMVMS01") if "still in progress" in m.text]
    assert buttons(subscriber_alert) == []
    running = services.announcements.get(admin, announcement.uuid)
    assert (running.state, running.actual_end) == (State.IN_PROGRESS, None)


def test_extending_gives_a_new_end_time_and_its_own_overrun_alert(
    services, world, cloud_manager, ticker, dispatcher, standin, clock
):
    announcement = announce(services, cloud_manager, State.IN_PROGRESS)
    clock.set(announcement.scheduled_end + timedelta(minutes=1))
    ticker.tick()
    dispatcher.deliver_due()

    new_end = clock.now() + timedelta(minutes=30)
    services.announcements.update(cloud_manager, announcement.uuid, {"scheduled_end": new_end})
    clock.set(new_end - timedelta(minutes=1))
    assert ticker.tick().overruns == 0
    clock.set(new_end + timedelta(minutes=1))
    assert ticker.tick().overruns == 1
    dispatcher.deliver_due()

    texts = [m.text for m in thread_replies(standin, "CCLOUD0001")]
    assert [t for t in texts if "still in progress" in t] == [texts[1], texts[3]]
    assert texts[2].startswith("<@UCLOUDMGR1> extended the maintenance until")


def test_an_alert_overtaken_by_completion_is_not_sent(db, services, world, cloud_manager, ticker, dispatcher, clock):
    announcement = announce(services, cloud_manager, State.IN_PROGRESS)
    clock.set(announcement.scheduled_end + timedelta(minutes=1))
    ticker.tick()
    services.announcements.transition(cloud_manager, announcement.uuid, Action.COMPLETE)

    dispatcher.deliver_due()

    assert [n.status for n in notices(db, "overrun")] == ["dropped"]


def test_schedulers_ticking_at_the_same_moment_queue_each_alert_once(db, services, world, cloud_manager, clock):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier
    from zoneinfo import ZoneInfo

    end = clock.now() + timedelta(hours=1)
    for number in range(10):
        announce(services, cloud_manager, State.IN_PROGRESS, name=f"Job {number}", scheduled_start=clock.now(),
                 scheduled_end=end)
    tickers = [Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC"))) for _ in range(4)]
    clock.set(end + timedelta(minutes=1))
    barrier = Barrier(len(tickers))

    def tick(ticker):
        barrier.wait()
        return ticker.tick().overruns

    with ThreadPoolExecutor(len(tickers)) as pool:
        queued = list(pool.map(tick, tickers))

    assert sum(queued) == 10
    assert len(notices(db, "overrun")) == 10
