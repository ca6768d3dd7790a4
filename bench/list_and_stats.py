#!/usr/bin/env python
"""Benchmark: statistics and list pages over 100,000 announcements, on SQLite and PostgreSQL.

Fixtures are bulk-loaded through SQLAlchemy Core into the real tables (after `storage.migrate.upgrade`);
every measured operation goes through the real domain services (`build_services(db, clock, admins)`).
The baseline in the same run is the naive floor: load the actor's whole visible set (announcements and
their affected offerings) and compute the same statistics / the same filtered, sorted page in Python.
Its results are also checked against the services' results. Statistics are measured for every kind of reader
(an admin, a provider's manager, a provider token, a read-only token, someone who manages nothing), over the
default window and over one holding every row. Exits non-zero when a median misses its target or a result
differs from the baseline's.

    .venv/bin/python bench/list_and_stats.py [--count 100000] [--runs 30] [--explain]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from databases import move_sequences, planner_statistics, postgres_version, scratch_database
from sqlalchemy import event, func, insert, or_, select

from bot.domain.actors import Actor
from bot.domain.clock import ManualClock
from bot.domain.enums import PUBLIC_STATES, Interface, State
from bot.domain.listing import ListQuery
from bot.domain.service import Services, build_services
from bot.domain.stats import default_window
from bot.domain.views import Stats
from storage.db import Database
from storage.models import AffectedOffering, Announcement, Offering, Provider
from tests.stats_oracle import counted

STATS_TARGET_MS = 50.0
LIST_TARGET_MS = 20.0

ADMIN = Actor("UBENCHADM1", Interface.SLACK)
ANYONE = Actor("UREADER001", Interface.SLACK)  # manages nothing: sees published announcements only
MANAGER = Actor("UCLOUDMGR1", Interface.SLACK)  # manages Cloud: sees its drafts and cancelled ones too
READ_ONLY = Actor("token:bench-read", Interface.API)  # a read-only API token: published announcements only

# Scheduled starts are spread over a year around now: 275 days back, 90 ahead. The default stats window
# (today-90 .. today+30) then holds about a third of them.
PAST = timedelta(days=275)
FUTURE = timedelta(days=90)
CHUNK = 5_000

CATALOG = {
    "Cloud": ("UCLOUDMGR1", ["VMs", "Kubernetes", "Block storage", "Load balancers", "DNS"]),
    "Storage": ("USTOREMGR1", ["Object store", "Backup", "NFS", "Archive"]),
}
PROVIDER_WEIGHTS = {"Cloud": 0.6, "Storage": 0.4}
TYPE_WEIGHTS = {1: 55, 2: 10, 3: 15, 4: 12, 5: 8}
AFFECTED_COUNT_WEIGHTS = {0: 15, 1: 45, 2: 28, 3: 12}
IMPACT_WEIGHTS = {1: 10, 2: 45, 3: 30, 4: 15}
DURATIONS_MIN = [30, 60, 60, 90, 120, 120, 120, 180, 240, 360, 480]
VERBS = [
    "Kernel upgrade",
    "Firmware update",
    "Network change",
    "Database failover test",
    "Security patching",
    "Hardware replacement",
    "Certificate rotation",
    "Storage expansion",
    "Version upgrade",
    "Power work",
]
MESSAGES = [
    "We will apply updates to the underlying hosts. Running workloads may be migrated live; brief pauses of a "
    "few seconds are possible.",
    "The service will be unavailable while the cluster is upgraded. Please plan your jobs around the window.",
    "Connections may be reset once during the window. Clients that retry will not notice anything else.",
    "Performance may be degraded while data is rebalanced across the new nodes.",
]


# -- fixtures --------------------------------------------------------------------------------------


@dataclass
class World:
    provider_ids: dict[str, int]
    provider_uuids: dict[str, uuid.UUID]
    offering_ids: dict[str, list[int]]
    announcements: int = 0
    affected: int = 0
    load_seconds: float = 0.0


def create_catalog(services: Services) -> World:
    """Providers and offerings through the real catalog service (a handful of rows)."""
    for name, (manager, offerings) in CATALOG.items():
        services.catalog.add_provider(ADMIN, name, f"C{name.upper()[:6]}01", manager_users=(manager,))
        for offering in offerings:
            services.catalog.add_offering(ADMIN, offering, name)
    with services.context.db.read() as session:
        providers = session.execute(select(Provider.name, Provider.id, Provider.uuid)).all()
        offerings = session.execute(select(Offering.provider_id, Offering.id).order_by(Offering.id)).all()
    by_provider: dict[int, list[int]] = defaultdict(list)
    for provider_id, offering_id in offerings:
        by_provider[provider_id].append(offering_id)
    return World(
        provider_ids={name: pid for name, pid, _ in providers},
        provider_uuids={name: puuid for name, _, puuid in providers},
        offering_ids={name: by_provider[pid] for name, pid, _ in providers},
    )


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(low, high) * 60))


def _start_delta(rng: random.Random) -> timedelta:
    r = rng.random()
    if r < 0.75:
        return _minutes(rng, -10, 12)  # on time
    if r < 0.92:
        return _minutes(rng, 16, 90)  # late start
    return _minutes(rng, -30, -16)  # early start


def _end_delta(rng: random.Random) -> timedelta:
    r = rng.random()
    if r < 0.60:
        return _minutes(rng, -14, 14)  # on time
    if r < 0.80:
        return _minutes(rng, 16, 180)  # overrun
    if r < 0.95:
        return _minutes(rng, -90, -16)  # finished early
    return _minutes(rng, 1, 14)  # a little late, within tolerance


def lifecycle(rng: random.Random, start: datetime, end: datetime, now: datetime):
    """(state, actual_start, actual_end) that make sense for a window relative to now."""
    r = rng.random()
    if end <= now:  # the window is over
        if r < 0.80:
            state = State.COMPLETED
        elif r < 0.92:
            state = State.CANCELLED
        elif r < 0.96:
            state = State.DRAFT  # abandoned draft
        elif r < 0.99:
            state = State.SCHEDULED  # never started
        else:
            state = State.IN_PROGRESS  # forgotten / long overrun
    elif start <= now:  # the window is open now
        state = (
            State.IN_PROGRESS
            if r < 0.75
            else State.SCHEDULED
            if r < 0.85
            else State.COMPLETED
            if r < 0.92
            else State.CANCELLED
        )
    else:  # future
        state = State.SCHEDULED if r < 0.65 else State.DRAFT if r < 0.90 else State.CANCELLED
    if state not in (State.IN_PROGRESS, State.COMPLETED):
        return state, None, None
    actual_start = min(start + _start_delta(rng), now - timedelta(minutes=1))
    if state is State.IN_PROGRESS:
        return state, actual_start, None
    actual_end = end + _end_delta(rng)
    actual_end = max(actual_end, actual_start + timedelta(minutes=5))
    if actual_end > now:
        actual_end = actual_start + (now - actual_start) * rng.uniform(0.3, 1.0)
    return state, actual_start, actual_end.replace(microsecond=0)


def generate(count: int, now: datetime, world: World, seed: int) -> Iterator[tuple[list[dict], list[dict]]]:
    """Chunks of (announcement rows, affected-offering rows) for Core inserts; ids are assigned here."""
    rng = random.Random(seed)
    span_minutes = int((PAST + FUTURE).total_seconds() // 60)
    first = now.replace(second=0, microsecond=0) - PAST
    offering_names = {}
    for name, (_, names) in CATALOG.items():
        offering_names.update(zip(world.offering_ids[name], names, strict=True))
    providers = list(PROVIDER_WEIGHTS)
    provider_weights = list(PROVIDER_WEIGHTS.values())
    managers = {name: manager for name, (manager, _) in CATALOG.items()}
    affected_id = 0
    for chunk_start in range(0, count, CHUNK):
        announcements, affected = [], []
        for ident in range(chunk_start + 1, min(count, chunk_start + CHUNK) + 1):
            provider = rng.choices(providers, weights=provider_weights)[0]
            start = first + timedelta(minutes=rng.randrange(0, span_minutes, 15))
            end = start + timedelta(minutes=rng.choice(DURATIONS_MIN))
            state, actual_start, actual_end = lifecycle(rng, start, end, now)
            created = start - timedelta(seconds=rng.randrange(3600, 60 * 86400))
            if created > now:
                created = now - timedelta(seconds=rng.randrange(60, 30 * 86400))
            modified = min(now, max(t for t in (created, actual_start, actual_end) if t is not None))
            chosen = rng.sample(world.offering_ids[provider], _pick(rng, AFFECTED_COUNT_WEIGHTS))
            announcements.append(
                {
                    "id": ident,
                    "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "name": f"{rng.choice(VERBS)}: {', '.join(offering_names[o] for o in chosen) or provider}"
                    f" (#{ident})",
                    "message": rng.choice(MESSAGES),
                    "internal_notes": f"Change ticket CHG-{ident:06d}" if rng.random() < 0.5 else "",
                    "maintenance_type": _pick(rng, TYPE_WEIGHTS),
                    "external_reference_url": "",
                    "state": int(state),
                    "scheduled_start": start,
                    "scheduled_end": end,
                    "actual_start": actual_start,
                    "actual_end": actual_end,
                    "provider_id": world.provider_ids[provider],
                    "created_by": managers[provider],
                    "backend_id": "",
                    "created": created,
                    "modified": modified,
                }
            )
            for offering in chosen:
                affected_id += 1
                affected.append(
                    {
                        "id": affected_id,
                        "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "announcement_id": ident,
                        "offering_id": offering,
                        "impact_level": _pick(rng, IMPACT_WEIGHTS),
                        "impact_description": "",
                        "created": created,
                        "modified": created,
                    }
                )
            levels = [row["impact_level"] for row in affected if row["announcement_id"] == ident]
            announcements[-1]["highest_impact"] = max(levels, default=1)  # what the domain keeps
        yield announcements, affected


def load(db: Database, world: World, count: int, now: datetime, seed: int, analyze: bool = False) -> None:
    """Bulk insert through SQLAlchemy Core (benchmark fixtures only), then bring statistics up to date."""
    began = time.perf_counter()
    with db.engine.begin() as connection:
        for announcements, affected in generate(count, now, world, seed):
            connection.execute(insert(Announcement.__table__), announcements)
            if affected:
                connection.execute(insert(AffectedOffering.__table__), affected)
            world.announcements += len(announcements)
            world.affected += len(affected)
        move_sequences(db, connection, ("announcements", "affected_offerings"))
    # A benchmark of a long-running deployment has the planner statistics it would have after such a load.
    planner_statistics(db, ("announcements", "affected_offerings", "providers", "offerings", "stats_rollup"),
                       analyze=analyze)
    if db.dialect == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    world.load_seconds = time.perf_counter() - began


# -- the baseline: load the visible set, compute in Python ------------------------------------------


def load_visible(db: Database, sees: str, world: World):
    """All visible announcements (every column) and their affected offerings, as the naive code would.
    `sees`: "all" (an admin), "cloud" (published ones and all of Cloud's), "public" (published ones)."""
    table = Announcement.__table__
    public = Announcement.state.in_([int(s) for s in PUBLIC_STATES])
    cloud = Announcement.provider_id == world.provider_ids["Cloud"]
    visible = {"all": [], "public": [public], "cloud": [or_(public, cloud)]}[sees]
    with db.engine.connect() as connection:
        rows = connection.execute(select(table).where(*visible)).all()
        affected = connection.execute(
            select(AffectedOffering.__table__)
            .join(Announcement, AffectedOffering.announcement_id == Announcement.id)
            .where(*visible)
        ).all()
        providers = {row.id: row for row in connection.execute(select(Provider.id, Provider.uuid, Provider.name))}
    return rows, affected, providers


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def python_stats(rows, affected, providers, start: date, end: date) -> Stats:
    """The naive statistics: the window's rows picked in Python, then counted one at a time (tests/stats_oracle)."""
    low, high = _midnight(start), _midnight(end + timedelta(days=1))
    chosen = [r for r in rows if r.scheduled_start >= low and r.scheduled_end < high]
    return counted(chosen, affected, providers, start, end)


def python_page(rows, affected, query: ListQuery, provider_id: int | None):
    """(count, uuids of the page): filter, sort (key then id, as the service does), slice."""
    key = query.ordering[0]
    column = key.lstrip("-")
    states = {int(s) for s in query.states}
    chosen = [
        r for r in rows if (not states or r.state in states) and (provider_id is None or r.provider_id == provider_id)
    ]
    chosen.sort(key=lambda r: (getattr(r, column), r.id), reverse=key.startswith("-"))
    page = chosen[(query.page - 1) * query.page_size : query.page * query.page_size]
    ids = {r.id for r in page}
    _ = [a for a in affected if a.announcement_id in ids]  # the page's affected offerings
    return len(chosen), [r.uuid for r in page]


def diff_stats(ours: Stats, theirs: Stats) -> list[str]:
    problems = []
    for name in ("by_state", "by_type", "by_impact_level", "daily", "providers"):
        if getattr(ours, name) != getattr(theirs, name):
            problems.append(name)
    for name, value in theirs.summary.items():
        mine = ours.summary.get(name)
        if value is None or mine is None:
            same = value is None and mine is None
        else:
            same = math.isclose(float(mine), float(value), rel_tol=1e-9, abs_tol=1e-9)
        if not same:
            problems.append(f"summary.{name}: {mine} != {value}")
    return problems


# -- measuring -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(fn: Callable[[], object], runs: int, warmup: int, budget: float | None = None):
    """(milliseconds of each measured run, last result). With a budget (seconds), fewer runs (at least 10)
    are made when the warm-ups show that `runs` would not fit, so that the whole benchmark stays short."""
    result = None
    began = time.perf_counter()
    for _ in range(warmup):
        result = fn()
    if budget is not None and warmup:
        each = (time.perf_counter() - began) / warmup
        runs = max(min(runs, 10), min(runs, int(budget / max(each, 1e-9))))
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


@dataclass
class Operation:
    name: str
    kind: str  # "stats" or "list"
    sees: str  # whose visible set the baseline loads (see `load_visible`)
    run: Callable[[], object]
    baseline: Callable[[tuple], object]  # computes from the loaded visible set
    check: Callable[[object, object], list[str]]
    rows: Callable[[object], int]  # how many announcements the result covers

    @property
    def target(self) -> float:
        return STATS_TARGET_MS if self.kind == "stats" else LIST_TARGET_MS


def operations(services: Services, world: World, now: datetime) -> list[Operation]:
    default_start, default_end = default_window(now.date())
    full_start, full_end = (now - PAST).date() - timedelta(days=1), (now + FUTURE).date() + timedelta(days=2)
    cloud_uuid, cloud_id = world.provider_uuids["Cloud"], world.provider_ids["Cloud"]
    filtered = ListQuery(
        states=[State.SCHEDULED, State.IN_PROGRESS], provider_uuid=cloud_uuid, ordering=("-scheduled_start",), page=3
    )
    default = ListQuery()
    full = (full_start, full_end)
    provider_token = Actor("token:bench-cloud", Interface.API, providers=frozenset({cloud_uuid}))

    def stats_op(label: str, actor: Actor, sees: str, start: date, end: date,
                 window: tuple[date, date] | None) -> Operation:
        def run():
            if window is None:
                return services.statistics.compute(actor)
            return services.statistics.compute(actor, start=window[0], end=window[1])

        def baseline(visible):
            rows, affected, providers = visible
            return python_stats(rows, affected, providers, start, end)

        return Operation(label, "stats", sees, run, baseline, diff_stats, lambda r: r.summary["total"])

    def list_op(label: str, actor: Actor, query: ListQuery, provider_id: int | None) -> Operation:
        def run():
            return services.announcements.list(actor, query)

        def baseline(visible):
            rows, affected, _ = visible
            return python_page(rows, affected, query, provider_id)

        def check(page, expected) -> list[str]:
            count, uuids = expected
            got = [item.uuid for item in page.items]
            problems = [] if page.count == count else [f"count {page.count} != {count}"]
            return problems + ([] if got == uuids else ["page items differ"])

        return Operation(label, "list", "all" if actor is ADMIN else "public", run, baseline, check,
                         lambda page: page.count)

    return [
        stats_op("stats, default window, admin", ADMIN, "all", default_start, default_end, None),
        stats_op("stats, full window, admin", ADMIN, "all", full_start, full_end, full),
        stats_op("stats, full window, manager", MANAGER, "cloud", full_start, full_end, full),
        stats_op("stats, full window, provider token", provider_token, "cloud", full_start, full_end, full),
        stats_op("stats, full window, read-only", READ_ONLY, "public", full_start, full_end, full),
        stats_op("stats, default window, anyone", ANYONE, "public", default_start, default_end, None),
        stats_op("stats, full window, anyone", ANYONE, "public", full_start, full_end, full),
        list_op("list filtered p3, admin", ADMIN, filtered, cloud_id),
        list_op("list filtered p3, anyone", ANYONE, filtered, cloud_id),
        list_op("list default p1, admin", ADMIN, default, None),
        list_op("list default p1, anyone", ANYONE, default, None),
    ]


class StatementLog:
    """Records the SQL an operation sends (text, parameters, milliseconds), for --explain."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.active = False
        self.entries: list[tuple[str, object, float]] = []
        event.listen(db.engine, "before_cursor_execute", self._before)
        event.listen(db.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_began"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            ms = (time.perf_counter() - conn.info.pop("bench_began", time.perf_counter())) * 1000
            self.entries.append((statement, parameters, ms))

    def close(self) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self._before)
        event.remove(self.db.engine, "after_cursor_execute", self._after)

    def capture(self, fn: Callable[[], object]) -> list[tuple[str, object, float]]:
        self.entries, self.active = [], True
        try:
            fn()
        finally:
            self.active = False
        return self.entries

    def explain(self, statement: str, parameters) -> list[str]:
        prefix = "EXPLAIN QUERY PLAN " if self.db.dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        with self.db.engine.connect() as connection:
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        if self.db.dialect == "sqlite":
            return [f"{row[0]:>3} {row[1]:>3}  {row[3]}" for row in rows]
        return [row[0] for row in rows]


# -- one backend -----------------------------------------------------------------------------------


def run_backend(label: str, db: Database, args, now: datetime) -> bool:
    """Load, measure, print; True when every median met its target and every result was the baseline's."""
    services = build_services(db, ManualClock(now), admins={ADMIN.id})
    world = create_catalog(services)
    load(db, world, args.count, now, args.seed, analyze=not args.no_sqlite_analyze)
    default_start, default_end = default_window(now.date())
    with db.engine.connect() as connection:
        in_window = connection.scalar(
            select(func.count())
            .select_from(Announcement)
            .where(
                Announcement.scheduled_start >= _midnight(default_start),
                Announcement.scheduled_end < _midnight(default_end + timedelta(days=1)),
            )
        )
        by_state = dict(connection.execute(select(Announcement.state, func.count()).group_by(Announcement.state)).all())
    states = ", ".join(f"{State(s).label} {n:,}" for s, n in sorted(by_state.items()))
    print(f"\n== {label}")
    print(
        f"   loaded {world.announcements:,} announcements and {world.affected:,} affected offerings "
        f"in {world.load_seconds:.1f} s; default window {default_start}..{default_end} holds {in_window:,} "
        f"({in_window / max(1, world.announcements):.0%}); states: {states}"
    )
    visible: dict[str, tuple[float, tuple]] = {}  # whose -> (median load ms, loaded visible set)
    results = []
    for op in operations(services, world, now):
        if args.only and args.only not in op.name:
            continue
        times, ours = timed(op.run, args.runs, args.warmup, args.budget)
        if op.sees not in visible:
            load_times, loaded = timed(lambda op=op: load_visible(db, op.sees, world), args.baseline_runs, 1)
            visible[op.sees] = percentile(load_times, 0.5), loaded
        load_ms, loaded = visible[op.sees]
        compute_times, expected = timed(lambda op=op, loaded=loaded: op.baseline(loaded), args.baseline_runs, 1)
        problems = op.check(ours, expected)
        results.append((op, times, load_ms + percentile(compute_times, 0.5), problems, op.rows(ours)))
    visible.clear()

    print()
    header = (
        f"   {'operation':<34} {'rows':>7} {'runs':>4} {'median ms':>9} {'p95 ms':>8} {'baseline ms':>11}"
        f" {'ratio':>6} {'target':>9}  {'met':<3}  check"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    missed, differs = [], []
    for op, times, base, problems, rows in results:
        median, p95 = percentile(times, 0.5), percentile(times, 0.95)
        if median > op.target:
            missed.append(op)
        if problems:
            differs.append(op)
        check = "same as baseline" if not problems else "DIFFERS: " + "; ".join(problems)
        target, met = f"<={op.target:.0f} ms", "yes" if median <= op.target else "NO"
        print(
            f"   {op.name:<34} {rows:>7,} {len(times):>4} {median:>9.1f} {p95:>8.1f} {base:>11.1f}"
            f" {median / base:>6.3f} {target:>9}  {met:<3}  {check}"
        )
    print(
        f"   (median/p95 over `runs` runs after {args.warmup} warm-ups; baseline = median of {args.baseline_runs} "
        f"loads of the actor's whole visible set + median of {args.baseline_runs} computations in Python;\n"
        "    ratio = median / baseline; target judged on the median)"
    )

    explain = results if args.explain else [r for r in results if r[0] in missed]
    if explain:
        log = StatementLog(db)
        title = "plans" if args.explain else "where the time goes in the operations that miss their target"
        print(f"\n   -- {title} (one run each; add --explain for every operation with its plan)")
        for op, *_ in explain:
            print(f"   {op.name}:")
            for statement, parameters, ms in log.capture(op.run):
                print(f"   {ms:9.2f} ms  {' '.join(statement.split())[:110]}")
                if args.explain:
                    for line in log.explain(statement, parameters):
                        print(f"                 {line}")
        log.close()
    for op in missed:
        print(f"   MISSED: {op.name} (target {op.target:.0f} ms)")
    for op in differs:
        print(f"   DIFFERS from the baseline: {op.name}")
    return not missed and not differs


def run_sqlite(args, now: datetime) -> bool:
    import sqlite3

    with scratch_database("sqlite") as scratch:
        return run_backend(f"SQLite {sqlite3.sqlite_version} ({scratch.label})", scratch.db, args, now)


def run_postgres(args, now: datetime) -> bool:
    if version := postgres_version():
        with scratch_database("postgresql", name="maintbot_bench_ls") as scratch:
            return run_backend(f"PostgreSQL {version} ({scratch.label})", scratch.db, args, now)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="announcements to load (default 100000)")
    parser.add_argument("--runs", type=int, default=30, help="measured runs per operation (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up runs per operation (default 3)")
    parser.add_argument("--baseline-runs", type=int, default=3, help="measured baseline runs (default 3)")
    parser.add_argument(
        "--budget",
        type=float,
        default=15.0,
        help="seconds of measured runs per operation; slower operations get fewer runs, at least 10 "
        "(default 15; 0 = always --runs)",
    )
    parser.add_argument("--seed", type=int, default=20261102, help="random seed of the generated data")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--no-sqlite-analyze",
        action="store_true",
        help="skip SQLite's ANALYZE after loading (the application runs it at start-up and hourly)",
    )
    parser.add_argument("--only", default="", help="run only the operations whose name contains this text")
    parser.add_argument(
        "--explain", action="store_true", help="print each SQL statement the services send, its time and its plan"
    )
    args = parser.parse_args(argv)
    args.budget = args.budget or None
    now = datetime.now(UTC).replace(microsecond=0)
    began = time.perf_counter()
    print(
        f"maintbot list/stats benchmark: {args.count:,} announcements, now = {now:%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}), "
        f"targets: stats <= {STATS_TARGET_MS:.0f} ms, list page <= {LIST_TARGET_MS:.0f} ms"
    )
    met = True
    if args.backend in ("sqlite", "both"):
        met = run_sqlite(args, now) and met
    if args.backend in ("postgresql", "both"):
        met = run_postgres(args, now) and met
    print(f"\ntotal {time.perf_counter() - began:.0f} s, load average now {os.getloadavg()[0]:.1f}")
    print("every target met, every result the baseline's" if met else "TARGET MISSED or RESULT DIFFERS (see above)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
