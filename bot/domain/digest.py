"""The weekly summary's figures, and queueing it for each provider's stats channel and the global one.

Figures are what everyone may see (published announcements only: drafts and cancellations stay with
the managers), computed by the statistics service plus two small SQL aggregates. They are stored in the
summary notice itself, as they stood when it was due, and rendered when delivered.

The week is the seven local days before the summary's local date; statistics count an announcement by
the UTC dates of its scheduled start and end (DESIGN §2), so near midnight a day may shift by the offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from bot.domain import notices
from bot.domain.actors import Actor
from bot.domain.context import Context
from bot.domain.enums import PUBLIC_STATES, Interface, State
from bot.domain.listing import ListQuery, filter_conditions
from bot.domain.stats import Statistics, days_of, overrun_only
from storage.models import AffectedOffering, Announcement, Notice, Offering, Provider

#: Sees what everyone sees: it manages nothing and is no admin.
READER = Actor("maintbot:summary", Interface.SCHEDULER)
BUSIEST = 3
NEXT_WEEK_SHOWN = 5


def week_before(day: date) -> tuple[date, date]:
    """The seven days before `day`: (first, last)."""
    return day - timedelta(days=7), day - timedelta(days=1)


class Digest:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.statistics = Statistics(context)

    def figures(self, provider_uuid, day: date, now: datetime) -> dict[str, Any]:
        """Last week's figures (the week before local `day`) and the week ahead of `now`, as JSON-able data."""
        first, last = week_before(day)
        scope = ListQuery(provider_uuid=provider_uuid)
        stats = self.statistics.compute(READER, first, last, scope)
        overran = self.statistics.compute(READER, first, last, overrun_only(scope))
        daily = {row.date: row.count for row in stats.daily}
        ahead = ListQuery(
            provider_uuid=provider_uuid,
            states=[State.SCHEDULED],
            scheduled_start_after=now,
            scheduled_start_before=now + timedelta(days=7),
        )
        with self.context.reading() as uow:
            session = uow.session
            busiest = session.execute(self._busiest(first, last, scope)).all()
            upcoming_where = [Announcement.state.in_([int(s) for s in PUBLIC_STATES]), *filter_conditions(ahead)]
            upcoming_count = session.scalar(select(func.count()).select_from(Announcement).where(*upcoming_where))
            upcoming = session.execute(
                select(Announcement.uuid, Announcement.name, Announcement.scheduled_start, Announcement.scheduled_end,
                       Provider.name)
                .join(Provider, Provider.id == Announcement.provider_id)
                .where(*upcoming_where)
                .order_by(Announcement.scheduled_start, Announcement.id)
                .limit(NEXT_WEEK_SHOWN)
            ).all()
        return {
            "week_start": first.isoformat(),
            "week_end": last.isoformat(),
            "total": stats.summary["total"],
            "by_state": stats.by_state,
            "completed": stats.summary["completed"],
            "on_time_rate": stats.summary["on_time_rate_15min"],
            "overruns": overran.summary["total"],
            "emergencies": stats.summary["emergency_count"],
            "busiest": [[name, count] for name, count in busiest],
            "daily": [[(first + timedelta(days=i)).isoformat(), daily.get(first + timedelta(days=i), 0)]
                      for i in range(7)],
            # For the chart: each day by state, and how many overran ([date, {state label: n}, overran]).
            "days": [[t.day.isoformat(), t.by_state, t.overran] for t in days_of(stats, overran)],
            "next_week": {
                "count": upcoming_count or 0,
                "items": [
                    [uuid.hex, name, notices.iso_time(start), notices.iso_time(end), provider]
                    for uuid, name, start, end, provider in upcoming
                ],
            },
        }

    @staticmethod
    def _busiest(first: date, last: date, scope: ListQuery):
        window = [
            Announcement.state.in_([int(s) for s in PUBLIC_STATES]),
            Announcement.scheduled_start >= datetime.combine(first, time.min, tzinfo=UTC),
            Announcement.scheduled_end < datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC),
            *filter_conditions(scope),
        ]
        count = func.count().label("n")
        return (
            select(Offering.name, count)
            .select_from(AffectedOffering)
            .join(Announcement, Announcement.id == AffectedOffering.announcement_id)
            .join(Offering, Offering.id == AffectedOffering.offering_id)
            .where(*window)
            .group_by(Offering.id, Offering.name)
            .order_by(count.desc(), Offering.name)
            .limit(BUSIEST)
        )

    # -- queueing ------------------------------------------------------------------------------------

    def missing(self, day: date, global_channel: str | None) -> list[tuple[str | None, str | None, str]]:
        """The summaries for local `day` not queued yet: (provider uuid hex or None, provider name, channel)."""
        with self.context.reading() as uow:
            session = uow.session
            wanted = [
                (uuid.hex, name, channel)
                for uuid, name, channel in session.execute(
                    select(Provider.uuid, Provider.name, Provider.stats_channel_id)
                    .where(Provider.stats_channel_id.is_not(None))
                    .order_by(Provider.name)
                )
            ]
            if global_channel:
                wanted.append((None, None, global_channel))
            keys = {self._key(day, provider, channel): (provider, name, channel) for provider, name, channel in wanted}
            queued = set(session.scalars(select(Notice.key).where(Notice.key.in_(list(keys)))))
            return [target for key, target in keys.items() if key not in queued]

    def queue_weekly(self, day: date, global_channel: str | None, now: datetime, *, chart: bool = True) -> int:
        """Queue the summaries of local `day` that are not queued yet (each with its chart, when `chart`);
        returns how many summaries were queued."""
        todo = self.missing(day, global_channel)
        if not todo:
            return 0
        prepared = []
        for provider_hex, name, channel in todo:
            figures = self.figures(UUID(provider_hex) if provider_hex else None, day, now)
            prepared.append((provider_hex, channel, figures | {"provider": name, "day": day.isoformat()}))
        with self.context.unit_of_work() as uow:
            queued = sum(
                notices.queue_summary(uow.session, channel, self._refers_to(day, provider), figures, now, chart=chart)
                for provider, channel, figures in prepared
            )
            uow.commit()
            return queued

    @staticmethod
    def _refers_to(day: date, provider_hex: str | None) -> str:
        return f"{day.isoformat()}:{provider_hex or 'all'}"

    def _key(self, day: date, provider_hex: str | None, channel: str) -> str:
        return notices.key_of(notices.SUMMARY, notices.SUMMARY, self._refers_to(day, provider_hex), channel)

