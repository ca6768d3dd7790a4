"""Statistics counted one announcement at a time, as DESIGN §2 states them: the oracle that the rollup's test
(tests/domain/test_stats_rollup.py) and the statistics bench (bench/list_and_stats.py) hold the domain's
figures against. Deliberately naive: plain Python over rows, nothing shared with bot/domain/stats.py."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from bot.domain.enums import Impact, MaintenanceType, State
from bot.domain.views import DailyStats, ProviderStats, Stats


def counted(chosen, affected, providers, start: date, end: date) -> Stats:
    """The statistics of the announcement rows `chosen` (their affected offerings among `affected`; `providers`
    by id). Ends are measured against the planned end, the one in force at the start."""
    highest: dict[int, int] = {}
    for a in affected:
        highest[a.announcement_id] = max(highest.get(a.announcement_id, 0), a.impact_level)
    completed = [r for r in chosen if r.state == State.COMPLETED]
    timed = [r for r in completed if r.actual_start is not None and r.actual_end is not None]
    late = [(r.actual_end - (r.planned_end or r.scheduled_end)).total_seconds() for r in completed
            if r.actual_end is not None]
    overran = [seconds for seconds in late if seconds > 0]
    states = Counter(r.state for r in chosen)
    types = Counter(r.maintenance_type for r in chosen)
    summary = {
        "total": len(chosen),
        "active": states[State.IN_PROGRESS],
        "scheduled": states[State.SCHEDULED],
        "completed": len(completed),
        "average_duration_hours": (sum((r.actual_end - r.actual_start).total_seconds() for r in timed)
                                   / len(timed) / 3600 if timed else None),
        "on_time_completion_rate": sum(s <= 0 for s in late) / len(completed) * 100 if completed else None,
        "on_time_rate_15min": sum(s <= 900 for s in late) / len(completed) if completed else None,
        "avg_overrun_hours": sum(overran) / len(overran) / 3600 if overran else None,
        "emergency_count": types[MaintenanceType.EMERGENCY],
    }
    impacts = Counter(highest.get(r.id, int(Impact.NONE)) for r in chosen)
    days: dict[date, Counter] = defaultdict(Counter)
    per_provider: dict[int, Counter] = defaultdict(Counter)
    for r in chosen:
        days[r.scheduled_start.date()][State(r.state).label] += 1
        per_provider[r.provider_id][r.state] += 1
    return Stats(
        summary=summary,
        by_state={State(s).label: n for s, n in sorted(states.items())},
        by_type={MaintenanceType(t).label: n for t, n in sorted(types.items())},
        by_impact_level={i.label: impacts[int(i)] for i in Impact},
        daily=[DailyStats(day, sum(c.values()), dict(c)) for day, c in sorted(days.items())],
        providers=sorted(
            (ProviderStats(providers[pid].uuid, providers[pid].name, sum(c.values()), c[State.IN_PROGRESS],
                           c[State.SCHEDULED], c[State.COMPLETED]) for pid, c in per_provider.items()),
            key=lambda p: (-p.total, p.name),
        ),
        start=start,
        end=end,
    )
