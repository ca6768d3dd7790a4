"""The weekly summary: at the configured local weekday and time, across daylight-saving changes, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.enums import Action, State
from bot.jobs.tick import SummarySchedule, Ticker
from tests.factories import announce
from tests.jobs.helpers import notices

TALLINN = ZoneInfo("Europe/Tallinn")


def ticker_for(services, at: str = "mon 09:00", zone: ZoneInfo = TALLINN, channel: str | None = "CSUMMARY01"):
    return Ticker(services, schedule=SummarySchedule.parse(at, zone), summary_channel=channel)


@pytest.mark.parametrize(
    ("monday", "nine_local_in_utc"),
    [
        (datetime(2026, 3, 23, tzinfo=UTC), 7),  # EET, UTC+2
        (datetime(2026, 3, 30, tzinfo=UTC), 6),  # the day after clocks went forward: EEST, UTC+3
        (datetime(2026, 10, 26, tzinfo=UTC), 7),  # the day after clocks went back: EET again
    ],
)
def test_the_summary_goes_out_at_nine_local_time_whatever_the_offset(
    db, services, world, clock, monday, nine_local_in_utc
):
    ticker = ticker_for(services)
    nine = monday + timedelta(hours=nine_local_in_utc)

    clock.set(nine - timedelta(seconds=1))
    assert ticker.tick().summaries == 0
    clock.set(nine)
    assert ticker.tick().summaries == 2  # Cloud's stats channel and the global one

    assert sorted(n.channel_id for n in notices(db, "summary")) == ["CSTATS0001", "CSUMMARY01"]
    assert ticker.schedule.trigger().get_next_fire_time(None, nine - timedelta(seconds=1)) == nine


def test_a_week_of_ticks_sends_one_summary_per_channel(db, services, world, clock):
    ticker = ticker_for(services)
    clock.set(datetime(2026, 3, 26, tzinfo=UTC))

    while clock.now() < datetime(2026, 4, 2, tzinfo=UTC):
        ticker.tick()
        clock.advance(timedelta(minutes=30))

    moments = {n.created for n in notices(db, "summary")}
    assert moments == {datetime(2026, 3, 30, 6, 0, tzinfo=UTC)}
    assert len(notices(db, "summary")) == 2


def test_another_process_does_not_queue_the_same_summary_again(db, services, world, clock):
    clock.set(datetime(2026, 3, 30, 6, 0, tzinfo=UTC))

    assert ticker_for(services).tick().summaries == 2
    assert ticker_for(services).tick().summaries == 0


def test_a_missed_summary_is_caught_up_the_same_morning_but_not_days_later(db, services, world, clock):
    clock.set(datetime(2026, 3, 30, 9, 30, tzinfo=UTC))  # the process was down at 06:00 UTC
    assert ticker_for(services).tick().summaries == 2

    clock.set(datetime(2026, 4, 8, 9, 0, tzinfo=UTC))  # down from Monday 6 April until Wednesday
    assert ticker_for(services).tick().summaries == 0


def test_the_summary_tells_last_weeks_figures_and_the_week_ahead(
    services, world, cloud_manager, dispatcher, standin, clock
):
    monday = clock.now()  # 2 November 2026, 09:00 UTC
    clock.set(monday - timedelta(days=6, hours=2))  # Tuesday of last week
    overran = announce(services, cloud_manager, State.SCHEDULED, name="DB failover", affected=[{"offering": "VMs"}],
                       scheduled_start=clock.now() + timedelta(hours=1), scheduled_end=clock.now() + timedelta(hours=2))
    clock.advance(timedelta(hours=1))
    services.announcements.transition(cloud_manager, overran.uuid, Action.START)
    clock.advance(timedelta(hours=2))  # an hour late
    services.announcements.transition(cloud_manager, overran.uuid, Action.COMPLETE)
    clock.set(monday - timedelta(days=4))  # Thursday
    urgent = announce(services, cloud_manager, State.SCHEDULED, name="CVE patch", maintenance_type=2,
                      affected=[{"offering": "VMs"}, {"offering": "Kubernetes"}],
                      scheduled_start=clock.now(), scheduled_end=clock.now() + timedelta(hours=1))
    services.announcements.transition(cloud_manager, urgent.uuid, Action.START)
    clock.advance(timedelta(hours=1))
    services.announcements.transition(cloud_manager, urgent.uuid, Action.COMPLETE)
    clock.set(monday)
    announce(services, cloud_manager, State.SCHEDULED, name="Next week's upgrade",
             scheduled_start=monday + timedelta(days=2), scheduled_end=monday + timedelta(days=2, hours=1))
    announce(services, cloud_manager, State.DRAFT, name="Secret draft")
    ticker = ticker_for(services, zone=ZoneInfo("UTC"))

    ticker.tick()
    dispatcher.deliver_due()

    (summary,) = [m for m in standin.posts_in("CSTATS0001") if m.blocks[0]["type"] == "header"]
    body = str(summary.blocks)
    assert summary.blocks[0]["text"]["text"] == "📊 Maintenance, week of 26 Oct – 01 Nov 2026: Cloud"
    assert "*2* announcements (Completed 2) · 50% on time (±15 min)" in body
    assert "Overruns: *1* · Emergencies: *1*" in body
    assert "Busiest: VMs (2), Kubernetes (1)" in body
    chart = summary.blocks[2]["text"]["text"]
    assert "Tue ████████████ 1" in chart and "Thu ████████████ 1" in chart and "Mon              0" in chart
    assert "*Next 7 days:* 1 planned" in body and "Next week's upgrade" in body
    assert "Secret draft" not in body
    (overall,) = [m for m in standin.posts_in("CSUMMARY01") if m.blocks[0]["type"] == "header"]
    assert overall.blocks[0]["text"]["text"].endswith("all providers")
