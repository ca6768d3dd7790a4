"""`maintbot run`'s jobs: the dispatcher thread and an APScheduler 3 BackgroundScheduler with three jobs.

    jobs = start_jobs(services, client, settings)   # after the Slack app is built; skipped by --no-scheduler
    …
    jobs.stop()                                       # on shutdown: finish in-flight deliveries

- `tick` every MAINTBOT_TICK_SECONDS (default 30): auto-start, due nudges, overrun alerts, summary catch-up.
- `weekly-summary` at MAINTBOT_SUMMARY_AT (default 'mon 09:00') in MAINTBOT_TIMEZONE, to every provider's
  stats channel and to MAINTBOT_SUMMARY_CHANNEL.
- `planner-statistics` hourly: ANALYZE on SQLite, so lists and stats keep using the right indexes.

Every process may run them: the database arbitrates (see bot/domain/timers.py and bot/domain/outbox.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.config import Settings
from bot.domain.service import Services
from bot.jobs.dispatcher import Dispatcher
from bot.jobs.tick import SummarySchedule, Ticker

log = logging.getLogger(__name__)

#: The dispatcher looks for notices queued by other processes at least this often (seconds).
POLL_SECONDS = 5.0


@dataclass
class Jobs:
    dispatcher: Dispatcher
    ticker: Ticker
    scheduler: BackgroundScheduler

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.dispatcher.stop()


def build_scheduler(ticker: Ticker, settings: Settings) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=settings.zone)
    scheduler.add_job(
        ticker.tick,
        IntervalTrigger(seconds=settings.tick_seconds, timezone=settings.zone),
        id="tick",
        name="maintbot tick",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        ticker.summarise,
        ticker.schedule.trigger(),
        id="weekly-summary",
        name="maintbot weekly summary",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        ticker.services.context.db.analyze,
        IntervalTrigger(hours=1, timezone=settings.zone),
        id="planner-statistics",
        name="refresh the database's planner statistics (SQLite)",
        max_instances=1,
        coalesce=True,
    )
    return scheduler


def start_jobs(services: Services, client: WebClient, settings: Settings) -> Jobs:
    """Start delivering notices and running the scheduled jobs in background threads."""
    dispatcher = Dispatcher(
        services,
        client,
        workers=settings.delivery_workers,
        max_age=settings.max_delivery_age,
        poll=min(POLL_SECONDS, float(settings.tick_seconds)),
    )
    ticker = Ticker(
        services,
        schedule=SummarySchedule.parse(settings.summary_at, settings.zone),
        summary_channel=settings.summary_channel,
    )
    scheduler = build_scheduler(ticker, settings)
    dispatcher.start()
    scheduler.start()
    log.info(
        "jobs started: tick every %d s, weekly summary %s %s, %d delivery workers",
        settings.tick_seconds,
        settings.summary_at,
        settings.timezone,
        settings.delivery_workers,
    )
    return Jobs(dispatcher, ticker, scheduler)
