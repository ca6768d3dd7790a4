"""Maintenance statistics (DESIGN §2), computed with SQL aggregates over the visible set.

An announcement counts when the date of its scheduled start is on or after `start` and the date of its
scheduled end is on or before `end`.

They are added up from `stats_rollup` (storage/models.py): the announcements' counts and sums kept per
(start day, end day, provider, state, type, timing bucket), with counts by highest impact, by triggers in the
same transaction as every change (migration 0008). The window is whole days of start and end, visibility is by state and
provider, and the filters it serves (type, state, provider, timing bucket) are columns of the groups, so the
answer is exactly that of counting the rows; a window of all 100,000 announcements adds up a few tens of
thousands of narrow groups instead of parsing every row's timestamps. The filters the groups do not hold —
words anywhere in the text, an affected offering, the author, bounds finer than a day — fall back to the
scan of the rows themselves (`_scan`), which gives the same figures more slowly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import and_, case, false, func, select

from bot.domain.actors import Actor
from bot.domain.context import Context
from bot.domain.enums import IMPACT_LABELS, STATE_LABELS, TYPE_LABELS, Impact, MaintenanceType, State, TimingBucket
from bot.domain.listing import ListQuery, filter_conditions
from bot.domain.timing import TOLERANCE_SECONDS, planned_end
from bot.domain.views import DailyStats, ProviderStats, Stats
from storage.models import Announcement, Provider, StatsRollup, StatsRollupMonthly
from storage.rollup import fold
from storage.types import epoch, utc_date

HOUR = 3600.0
MICROSECOND = 1e-6
#: The list filters the rollup's groups can answer; any other one set sends statistics to the scan.
ROLLUP_FILTERS = frozenset({"maintenance_type", "states", "provider_uuid", "timing_buckets"})
#: ListQuery fields that say how to page a list, not what to count.
PAGING = frozenset({"ordering", "page", "page_size", "soonest_first"})


class Group(NamedTuple):
    """The count and sums of the announcements of one (state, type, provider) in the window, durations in seconds,
    and how many of them have each highest impact (`impacts[level - 1]`)."""

    state: int
    maintenance_type: int
    provider_id: int
    n: int
    duration: float
    timed: int
    on_time: int
    on_time_15: int
    overrun: float
    overran: int
    impacts: tuple[int, ...]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


#: The days statistics cover when not told: this many back and this many ahead of today (UTC).
DAYS_BACK, DAYS_AHEAD = 90, 30


def default_window(today: date) -> tuple[date, date]:
    """The days statistics cover when not told: the last DAYS_BACK and the next DAYS_AHEAD."""
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def window(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """The first and last day statistics cover: the ones asked for, else the default's."""
    default_start, default_end = default_window(today)
    return start or default_start, end or default_end


@dataclass(frozen=True)
class DayTally:
    """One day of a window, for a chart: announcements by state label, and how many of them overran their end."""

    day: date
    by_state: dict[str, int]
    overran: int


def days_of(stats: Stats, overran: Stats) -> list[DayTally]:
    """Every day of `stats`' window, days without maintenance included, with `overran` (the same statistics
    narrowed to the overrun timing bucket) counted per day."""
    by_day = {row.date: row.by_state for row in stats.daily}
    late = {row.date: row.count for row in overran.daily}
    days = (stats.start + timedelta(days=i) for i in range((stats.end - stats.start).days + 1))
    return [DayTally(day, dict(by_day.get(day, {})), late.get(day, 0)) for day in days]


def overrun_only(query: ListQuery | None) -> ListQuery:
    """`query` narrowed to what overran its scheduled end (the timing rule of bot/domain/timing.py)."""
    return replace(query or ListQuery(), timing_buckets=[TimingBucket.OVERRUN.value])


def whole_months(start: date, last: date) -> tuple[date, date] | None:
    """(first day of the first, last day of the last) of the calendar months wholly inside start..last, or None."""
    first = start if start.day == 1 else _next_month(start)
    after = last + timedelta(days=1)
    final = (after if after.day == 1 else after.replace(day=1)) - timedelta(days=1)
    if first is None or final < first:
        return None
    return first, final


def _next_month(day: date) -> date | None:
    """The first day of the month after `day`'s (None past the calendar's end)."""
    if day.month < 12:
        return date(day.year, day.month + 1, 1)
    return date(day.year + 1, 1, 1) if day.year < date.max.year else None


def rollup_serves(query: ListQuery) -> bool:
    """Whether the rollup's groups can answer `query`: it sets no filter but those they hold."""
    default = ListQuery()
    return all(getattr(query, name) == getattr(default, name)
               for name in vars(default) if name not in ROLLUP_FILTERS | PAGING)


def rollup_conditions(query: ListQuery, r=StatsRollup) -> list:
    """The WHERE conditions of the filters the rollup serves, on the groups of `r` (as `filter_conditions` on rows)."""
    conditions = []
    if query.maintenance_type is not None:
        conditions.append(r.maintenance_type == query.maintenance_type)
    if query.states:
        conditions.append(r.state.in_([int(s) for s in query.states]))
    if query.provider_uuid is not None:
        conditions.append(r.provider_id.in_(select(Provider.id).where(Provider.uuid == query.provider_uuid)))
    if query.timing_buckets is not None:
        known = [name for name in query.timing_buckets if name in TimingBucket.__members__.values()]
        conditions.append(r.bucket.in_(known) if known else false())
    return conditions


class Statistics:
    def __init__(self, context: Context) -> None:
        self.context = context

    def per_day(
        self, actor: Actor, start: date | None = None, end: date | None = None, query: ListQuery | None = None
    ) -> tuple[Stats, list[DayTally]]:
        """The statistics and, for a chart, every day of their window by state with its overruns."""
        stats = self.compute(actor, start, end, query)
        overran = self.compute(actor, stats.start, stats.end, overrun_only(query))
        return stats, days_of(stats, overran)

    def compute(
        self, actor: Actor, start: date | None = None, end: date | None = None, query: ListQuery | None = None
    ) -> Stats:
        """Statistics of what `actor` may see, in the window, narrowed by the list filters of `query`."""
        start, end = window(self.context.clock.now().date(), start, end)
        last = min(end, date.max - timedelta(days=1))  # the last day of scheduled ends counted
        query = query or ListQuery()
        from_rollup = rollup_serves(query)
        # The rollup is read after folding the changes in, in the same transaction (storage/rollup.py); a commit
        # that cannot reach the disk is lost harmlessly, with its deltas still there to fold.
        with self.context.unit_of_work(durable=False) if from_rollup else self.context.reading() as uow:
            session, reach = uow.session, uow.reach(actor)
            if from_rollup:
                fold(session)
            read = self._rollup if from_rollup else self._scan
            groups, daily = read(session, reach, query, start, last)
            providers = {row.id: row for row in session.execute(select(Provider.id, Provider.uuid, Provider.name))}
            if from_rollup:
                uow.commit()
        return Stats(
            summary=self._summary(groups),
            by_state=self._labelled(groups, 0, STATE_LABELS, State),
            by_type=self._labelled(groups, 1, TYPE_LABELS, MaintenanceType),
            by_impact_level={IMPACT_LABELS[impact]: sum(g.impacts[impact - 1] for g in groups) for impact in Impact},
            daily=self._daily_rows(daily),
            providers=self._providers(groups, providers),
            start=start,
            end=end,
        )

    # -- the rollup: groups kept by the database -----------------------------------------------------

    @staticmethod
    def _rollup(session, reach, query: ListQuery, start: date, last: date) -> tuple[list[Group], list]:
        """The window's whole months from the monthly groups, its partial edges from the daily ones; the days
        for the chart from the daily ones."""

        def where(r, low: date, high: date, *bounds) -> list:
            return [
                r.n > 0,  # a group emptied by later changes stays, holding zeros
                r.start_day >= low,
                r.start_day <= high,  # implied by the end day; it closes the key's range
                r.end_day <= high,
                *bounds,
                reach.visible_announcements(r.state, r.provider_id),
                *rollup_conditions(query, r),
            ]

        d, m = StatsRollup, StatsRollupMonthly
        months = whole_months(start, last)
        if months is None:
            parts = [(d, where(d, start, last))]
        else:
            first, final = months  # the first day of the first whole month, the last day of the last one
            parts = [
                (m, where(m, first, final.replace(day=1))),  # starting and ending in whole months
                (d, where(d, start, last, d.start_day < first)),  # starting before them
                (d, where(d, first, last, d.end_day > final)),  # starting in them, ending after them
            ]
        totals: dict[tuple, list[int]] = {}
        for r, conditions in parts:
            keys = (r.state, r.maintenance_type, r.provider_id)
            sums = (r.n, r.duration_us, r.timed, r.on_time, r.on_time_15, r.overrun_us, r.overran,
                    r.impact_none, r.impact_degraded, r.impact_partial, r.impact_full)
            rows = session.execute(select(*keys, *map(func.sum, sums)).where(*conditions).group_by(*keys))
            for row in rows:
                total = totals.setdefault(tuple(row[:3]), [0] * len(sums))
                for i, value in enumerate(row[3:]):
                    total[i] += int(value)
        groups = [
            Group(state, kind, provider, n, duration * MICROSECOND, timed, on_time, on_time_15,
                  overrun * MICROSECOND, overran, tuple(impacts))
            for (state, kind, provider), (n, duration, timed, on_time, on_time_15, overrun, overran, *impacts)
            in totals.items()
        ]
        days = where(d, start, last)
        daily = session.execute(
            select(d.start_day, d.state, func.sum(d.n)).where(*days).group_by(d.start_day, d.state)
            .order_by(d.start_day)
        ).all()
        return groups, [(day, state, int(count)) for day, state, count in daily]

    # -- the scan: the rows themselves, for filters the rollup does not hold ----------------------------

    @classmethod
    def _scan(cls, session, reach, query: ListQuery, start: date, last: date) -> tuple[list[Group], list]:
        high = _midnight(last + timedelta(days=1))
        where = [
            reach.visible_announcements(),
            *filter_conditions(query),
            Announcement.scheduled_start >= _midnight(start),
            Announcement.scheduled_start < high,  # implied by the end bound; it closes the index range
            Announcement.scheduled_end < high,
        ]
        groups = [
            Group(state, kind, provider, n, *sums, tuple(n if level == impact else 0 for level in Impact))
            for state, kind, provider, impact, n, *sums in session.execute(cls._groups(where))
        ]
        return groups, session.execute(cls._daily(where)).all()

    @staticmethod
    def _groups(where):
        """One pass over the window: per (state, type, provider, highest impact), the count and the sums
        every summary figure is made of. The inner select is fenced (OFFSET 0) so that the time arithmetic
        runs once per row and the planner picks its index by the WHERE alone."""
        completed = Announcement.state == int(State.COMPLETED)
        timed = and_(completed, Announcement.actual_start.is_not(None), Announcement.actual_end.is_not(None))
        rows = (
            select(
                Announcement.state,
                Announcement.maintenance_type,
                Announcement.provider_id,
                Announcement.highest_impact.label("impact"),
                case((timed, epoch(Announcement.actual_end) - epoch(Announcement.actual_start))).label("duration"),
                # Measured against the planned end (bot/domain/timing.py): an extension does not hide an overrun.
                case((completed, epoch(Announcement.actual_end) - epoch(planned_end))).label("late"),
                case((and_(completed, Announcement.actual_end <= planned_end), 1), else_=0).label("on_time"),
                case((and_(completed, Announcement.actual_end > planned_end), 1), else_=0).label("overran"),
            )
            .where(*where)
            .offset(0)
            .subquery()
        )
        c = rows.c
        return select(
            c.state,
            c.maintenance_type,
            c.provider_id,
            c.impact,
            func.count().label("n"),
            func.sum(func.coalesce(c.duration, 0.0)).label("duration"),
            func.count(c.duration).label("timed"),
            func.sum(c.on_time).label("on_time"),
            _count_if(c.late <= TOLERANCE_SECONDS).label("on_time_15"),
            func.sum(case((c.overran == 1, c.late), else_=0.0)).label("overrun"),
            func.sum(c.overran).label("overran"),
        ).group_by(c.state, c.maintenance_type, c.provider_id, c.impact)

    @staticmethod
    def _daily(where):
        day = utc_date(Announcement.scheduled_start).label("day")
        return (
            select(day, Announcement.state, func.count()).where(*where).group_by(day, Announcement.state).order_by(day)
        )

    # -- folding the few aggregate rows into the wire shape -----------------------------------------

    @staticmethod
    def _summary(groups) -> dict[str, float | int | None]:
        def total(column: str, rows=groups) -> float:
            return sum(float(getattr(row, column) or 0) for row in rows)

        completed_rows = [row for row in groups if row.state == int(State.COMPLETED)]
        completed = int(total("n", completed_rows))
        timed, overran = total("timed"), total("overran")
        return {
            "total": int(total("n")),
            "active": int(total("n", [r for r in groups if r.state == int(State.IN_PROGRESS)])),
            "scheduled": int(total("n", [r for r in groups if r.state == int(State.SCHEDULED)])),
            "completed": completed,
            "average_duration_hours": total("duration") / timed / HOUR if timed else None,
            "on_time_completion_rate": total("on_time") / completed * 100 if completed else None,
            "on_time_rate_15min": total("on_time_15") / completed if completed else None,
            "avg_overrun_hours": total("overrun") / overran / HOUR if overran else None,
            "emergency_count": int(total("n", [r for r in groups if r.maintenance_type == MaintenanceType.EMERGENCY])),
        }

    @staticmethod
    def _labelled(groups, position: int, names: dict, kind) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in sorted(groups, key=lambda r: r[position]):
            label = names[kind(row[position])]
            counts[label] = counts.get(label, 0) + row.n
        return counts

    @staticmethod
    def _providers(groups, providers) -> list[ProviderStats]:
        counts: dict[int, list[int]] = {}
        for row in groups:
            total = counts.setdefault(row.provider_id, [0, 0, 0, 0])
            total[0] += row.n
            total[1] += row.n if row.state == State.IN_PROGRESS else 0
            total[2] += row.n if row.state == State.SCHEDULED else 0
            total[3] += row.n if row.state == State.COMPLETED else 0
        rows = [ProviderStats(providers[pid].uuid, providers[pid].name, *total) for pid, total in counts.items()]
        return sorted(rows, key=lambda p: (-p.total, p.name))

    @staticmethod
    def _daily_rows(rows) -> list[DailyStats]:
        days: dict[date, dict[str, int]] = {}
        for day, state, count in rows:
            day = day if isinstance(day, date) else date.fromisoformat(day)
            days.setdefault(day, {})[State(state).label] = count
        return [DailyStats(day, sum(by_state.values()), by_state) for day, by_state in sorted(days.items())]


__all__ = ["Statistics"]
