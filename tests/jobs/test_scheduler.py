"""`start_jobs` wires the tick and the weekly cron job into APScheduler as configured, and stops cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import load_settings
from bot.jobs import start_jobs
from bot.slack.delivery import dispatcher_for


def test_start_jobs_runs_the_tick_and_the_weekly_summary_as_configured(services, slack_client):
    settings = load_settings(
        MAINTBOT_TICK_SECONDS=45, MAINTBOT_SUMMARY_AT="fri 16:30", MAINTBOT_TIMEZONE="Europe/Tallinn",
        MAINTBOT_SUMMARY_CHANNEL="CSUMMARY01", MAINTBOT_DELIVERY_WORKERS=2,
    )

    jobs = start_jobs(services, settings, dispatcher_for(services, slack_client, settings))
    try:
        tick, weekly = jobs.scheduler.get_job("tick"), jobs.scheduler.get_job("weekly-summary")
        assert tick.trigger.interval.total_seconds() == 45
        friday = weekly.trigger.get_next_fire_time(None, datetime(2026, 3, 25, tzinfo=UTC))
        assert friday == datetime(2026, 3, 27, 14, 30, tzinfo=UTC)  # 16:30 EET
        assert jobs.scheduler.get_job("planner-statistics").trigger.interval.total_seconds() == 3600
        assert jobs.ticker.summary_channel == "CSUMMARY01"
        assert jobs.dispatcher.workers == 2
        assert jobs.scheduler.running
    finally:
        jobs.stop()
    assert not jobs.scheduler.running
