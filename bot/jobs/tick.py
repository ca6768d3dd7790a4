"""The scheduler's periodic tick and the weekly summary's timing.

`Ticker.tick(now)` does one tick's work and returns what it did; the scheduler calls it every
MAINTBOT_TICK_SECONDS, tests call it with the time they want. A tick:
1. starts announcements due now whose provider has auto-start on (through the same transition a person
   makes, by the scheduler's system actor),
2. nudges the provider channel of those still Scheduled at their start (once per start time),
3. raises an overrun alert for those In progress past their end (once per end time),
3a. with alert silences on: queues silence work for announcements of providers that silence from the
   scheduled start once it has come, and for any silence still held that should not be (a crash's leftover),
3b. materialises recurring series (bot/domain/series.py): creates the occurrences coming within their horizon and
   publishes the drafts whose moment has come (one read of two index minimums, on the connection the timers
   read on; nothing else when nothing is due),
4. queues the weekly summary if its moment has passed and it is not queued yet (a moment missed while the
   process was down is caught up as long as the domain's `relevance.within_catch_up` says, like 1–3).
Reminders need no tick: they wait in the outbox until due, and the dispatcher delivers them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from bot.config import parse_summary_at
from bot.domain.relevance import within_catch_up
from bot.domain.service import Services
from bot.domain.timers import TimersReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummarySchedule:
    """A weekday and local time, like 'mon 09:00' in Europe/Tallinn."""

    weekday: str
    hour: int
    minute: int
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> SummarySchedule:
        return cls(*parse_summary_at(text), zone)

    def trigger(self) -> CronTrigger:
        return CronTrigger(day_of_week=self.weekday, hour=self.hour, minute=self.minute, timezone=self.zone)

    def latest(self, now: datetime) -> datetime | None:
        """The last moment of the schedule at or before `now` (within the past week)."""
        trigger = self.trigger()
        fire = trigger.get_next_fire_time(None, now - timedelta(days=7, hours=1))
        latest = None
        while fire is not None and fire <= now:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        return latest


@dataclass
class TickReport:
    started: list[UUID] = field(default_factory=list)
    nudged: int = 0
    overruns: int = 0
    summaries: int = 0
    silence_work: int = 0
    series_created: int = 0  # occurrences of recurring series created
    series_published: int = 0  # and published by their series' publish_days_before


class Ticker:
    def __init__(
        self,
        services: Services,
        *,
        schedule: SummarySchedule,
        summary_channel: str | None = None,
        chart: bool = True,
        since: datetime | None = None,
        series: bool = True,
    ) -> None:
        self.services = services
        self.schedule = schedule
        self.summary_channel = summary_channel
        self.chart = chart  # the summary's chart image too (MAINTBOT_SUMMARY_CHART)
        # The summary moment handled last. `since`: the summaries due at or before it are not caught up (the
        # console's scheduler, which starts with the console, sends only those its clock then passes).
        self._summarised: datetime | None = schedule.latest(since) if since is not None else None
        self.series = series  # materialise recurring series (off only to measure a tick without them: bench/series.py)

    def tick(self, now: datetime | None = None) -> TickReport:
        """One tick at `now` (default: the services' clock, which also stamps auto-starts)."""
        now = now or self.services.context.clock.now()
        # The tick's plain reads (what is due for the timers, and for the series) share one connection: one
        # pool checkout instead of two.
        with self.services.context.db.single_statements() as reads:
            try:
                timers = self.services.timers.run(now, reads=reads)
            except IntegrityError:
                log.info("another process queued the same notices first")
                timers = TimersReport()
            silences = self.services.silences
            work = _once(lambda: silences.start_due(now)) + _once(lambda: silences.sweep(now))
            report = TickReport(timers.started, timers.nudged, timers.overruns, self.summarise(now), work)
            if self.series:
                try:
                    made = self.services.series.materialise(now, reads=reads)
                    report.series_created, report.series_published = len(made.created), len(made.published)
                except IntegrityError:
                    log.info("another process created the same occurrences first")
        if (report.started or report.nudged or report.overruns or report.summaries or report.silence_work
                or report.series_created or report.series_published):
            log.info("tick at %s: %s", now.isoformat(), report)
        return report

    def summarise(self, now: datetime | None = None) -> int:
        """Queue the weekly summary whose moment is the latest one passed, unless it is queued already."""
        now = now or self.services.context.clock.now()
        moment = self.schedule.latest(now)
        if moment is None or not within_catch_up(moment, now) or moment == self._summarised:
            return 0
        day = moment.astimezone(self.schedule.zone).date()
        queued = _once(lambda: self.services.digest.queue_weekly(day, self.summary_channel, now,
                                                                      chart=self.chart))
        self._summarised = moment
        return queued


def _once(work) -> int:
    """Run `work`; a unique key taken by another process in the meantime means it is done already."""
    try:
        return work()
    except IntegrityError:
        log.info("another process queued the same notices first")
        return 0
