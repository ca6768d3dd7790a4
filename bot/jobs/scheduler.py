"""`maintbot run`'s jobs: an APScheduler 3 BackgroundScheduler with three jobs, started with the notice delivery.

    jobs = start_jobs(services, settings, dispatcher)  # dispatcher: bot.slack.delivery.dispatcher_for(…), built
                                                       # by bot/runner.py; skipped by --no-scheduler
    …
    jobs.stop()                                       # on shutdown: finish in-flight deliveries

- `tick` every MAINTBOT_TICK_SECONDS (default 30): auto-start, due nudges, overrun alerts, summary catch-up;
  timed (`maintbot_tick_seconds`, `maintbot_tick_last_success_timestamp_seconds` in bot/metrics.py).
- `weekly-summary` at MAINTBOT_SUMMARY_AT (default 'mon 09:00') in MAINTBOT_TIMEZONE, to every provider's
  stats channel and to MAINTBOT_SUMMARY_CHANNEL.
- the silence worker (bot/jobs/silencer.py), when MAINTBOT_ALERTMANAGER_URLS is set: keeps Alertmanager's
  silences in step with maintenance.
- `planner-statistics` hourly: ANALYZE on SQLite, so lists and stats keep using the right indexes.

Every process may run them: the database arbitrates (see bot/domain/timers.py and bot/domain/outbox.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.domain.service import Services
from bot.jobs.silencer import silencer_for
from bot.jobs.tick import SummarySchedule, Ticker
from bot.metrics import metrics_for, timed_tick

log = logging.getLogger(__name__)


class Delivery(Protocol):
    """What delivers the outbox's notices in the background (bot.slack.delivery.Dispatcher)."""

    def start(self) -> object: ...

    def stop(self) -> None: ...


@dataclass
class Jobs:
    dispatcher: Delivery
    ticker: Ticker
    scheduler: BackgroundScheduler
    silencer: Delivery | None = None  # Alertmanager silences (bot/jobs/silencer.py); None when off

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.dispatcher.stop()
        if self.silencer is not None:
            self.silencer.stop()


def build_scheduler(ticker: Ticker, settings: Settings) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=settings.zone)
    scheduler.add_job(
        timed_tick(metrics_for(ticker.services), ticker.tick),  # its duration and last success (alert on it)
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


def start_jobs(services: Services, settings: Settings, dispatcher: Delivery) -> Jobs:
    """Start `dispatcher` delivering notices and the scheduled jobs running, in background threads."""
    ticker = Ticker(
        services,
        schedule=SummarySchedule.parse(settings.summary_at, settings.zone),
        summary_channel=settings.summary_channel,
        chart=settings.summary_chart,
    )
    scheduler = build_scheduler(ticker, settings)
    silencer = silencer_for(services, settings)
    dispatcher.start()
    if silencer is not None:
        silencer.start()
    scheduler.start()
    log.info(
        "jobs started: tick every %d s, weekly summary %s %s, %d delivery workers",
        settings.tick_seconds,
        settings.summary_at,
        settings.timezone,
        settings.delivery_workers,
    )
    return Jobs(dispatcher, ticker, scheduler, silencer)
