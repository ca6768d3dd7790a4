"""`maintbot run`'s jobs: an APScheduler 3 BackgroundScheduler with three jobs, started with the notice delivery.

    jobs = start_jobs(services, settings, dispatcher)  # dispatcher: bot.slack.delivery.dispatcher_for(…), built
                                                       # by bot/runner.py; skipped by --no-scheduler
    …
    jobs.stop(timeout)                                # on shutdown (SIGTERM): no new run, the running one and
                                                      # the deliveries in flight finished within `timeout`

- `tick` every MAINTBOT_TICK_SECONDS (default 30): auto-start, due nudges, overrun alerts, summary catch-up;
  timed (`maintbot_tick_seconds`, `maintbot_tick_last_success_timestamp_seconds` in bot/metrics.py).
- `weekly-summary` at MAINTBOT_SUMMARY_AT (default 'mon 09:00') in MAINTBOT_TIMEZONE, to every provider's
  stats channel and to MAINTBOT_SUMMARY_CHANNEL.
- the silence worker (bot/jobs/silencer.py), when MAINTBOT_ALERTMANAGER_URLS is set: keeps Alertmanager's
  silences in step with maintenance.
- `planner-statistics` hourly: ANALYZE on SQLite, so lists and stats keep using the right indexes.

Every process may run them: the database arbitrates (see bot/domain/timers.py and bot/domain/outbox.py).
Each run is logged as one unit of work (`bot.logs`: a fresh request id, interface `scheduler`, its outcome);
a run that fails is logged with its traceback and counted (`maintbot_tick_failures_total`, and
`maintbot_database_errors_total{interface="scheduler"}` when the database did not answer).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import logs
from bot.config import Settings
from bot.domain.service import Services
from bot.jobs.silencer import silencer_for
from bot.jobs.tick import SummarySchedule, Ticker
from bot.metrics import Metrics, metrics_for, timed_tick
from storage.db import UNAVAILABLE

log = logging.getLogger(__name__)


class Delivery(Protocol):
    """What delivers the outbox's notices in the background (bot.slack.delivery.Dispatcher)."""

    def start(self) -> object: ...

    def stop(self, timeout: float = ...) -> bool | None: ...


class Runs:
    """The jobs' runs in progress, so that stopping can wait for them (APScheduler's own wait has no timeout)."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        self.metrics = metrics
        self._running = 0
        self._idle = threading.Condition()

    def logged(self, name: str, job: Callable[..., Any]) -> Callable[..., None]:
        """`job` counted while it runs and logged as one unit of work; a failure is logged, never raised."""

        def run(*args: Any, **kwargs: Any) -> None:
            with self._idle:
                self._running += 1
            try:
                with logs.request(None, "scheduler"):
                    try:
                        job(*args, **kwargs)
                    except Exception as error:
                        if self.metrics is not None and isinstance(error, UNAVAILABLE):
                            self.metrics.database_errors.labels("scheduler").inc()
                        logs.bind(outcome="error")
                        log.exception("%s failed; it runs again at its next time", name)
                    else:
                        logs.bind(outcome="ok")
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        run.__name__ = run.__qualname__ = name
        return run

    def wait(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)


@dataclass
class Jobs:
    dispatcher: Delivery
    ticker: Ticker
    scheduler: BackgroundScheduler
    runs: Runs = field(default_factory=Runs)
    silencer: Delivery | None = None  # Alertmanager silences (bot/jobs/silencer.py); None when off

    def stop(self, timeout: float = 30.0) -> bool:
        """No job starts again; the dispatcher and the silencer claim nothing more (releasing what they had not
        started); the run and the work in progress get `timeout` seconds. False when one was still going then."""
        deadline = time.monotonic() + timeout
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        delivered = self.dispatcher.stop(timeout) is not False
        if self.silencer is not None:
            delivered = self.silencer.stop(max(0.0, deadline - time.monotonic())) is not False and delivered
        finished = self.runs.wait(max(0.0, deadline - time.monotonic()))
        return delivered and finished


def build_scheduler(ticker: Ticker, settings: Settings, runs: Runs | None = None) -> BackgroundScheduler:
    runs = runs or Runs(metrics_for(ticker.services))
    scheduler = BackgroundScheduler(timezone=settings.zone)
    scheduler.add_job(
        # its duration and last success (alert on them)
        runs.logged("tick", timed_tick(metrics_for(ticker.services), ticker.tick)),
        IntervalTrigger(seconds=settings.tick_seconds, timezone=settings.zone),
        id="tick",
        name="maintbot tick",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        runs.logged("weekly summary", ticker.summarise),
        ticker.schedule.trigger(),
        id="weekly-summary",
        name="maintbot weekly summary",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        runs.logged("planner statistics", ticker.services.context.db.analyze),
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
    runs = Runs(metrics_for(services))
    scheduler = build_scheduler(ticker, settings, runs)
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
    return Jobs(dispatcher, ticker, scheduler, runs, silencer)
