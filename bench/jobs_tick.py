#!/usr/bin/env python
"""Benchmark: the scheduler's tick over 100,000 stored announcements, and one notice fanned out to 200 channels.

Tick. Announcements, their affected offerings and a history of notices (sent ones, and the reminders
still waiting for their lead time) are bulk-loaded through SQLAlchemy Core into the real tables. A stream
of due work is added as well: for every tick, 30 s apart, two announcements reach their start at a provider
with auto-start (they are started), two at a provider without (their channel is nudged) and two running ones
pass their end (overrun alerts). Each measured tick is the real `Ticker.tick(now)`, with that handful due;
an idle tick (the same moment again, nothing new) and the dispatcher's claim are measured too. The same is
run over 1,000 stored announcements: the tick's cost should not grow with what is stored.

Fan-out. One published announcement goes to the provider channel and 199 subscribed ones through the real
Dispatcher and WebClient, against the Slack stand-in answering every call after 50 ms. The ideal time for
the configured concurrency is ceil(200 / workers) × 50 ms. A second announcement is then published, started
and completed in 20 channels, and the time between two messages in one channel, as the stand-in received
them, is checked against the pace (one per second).

    .venv/bin/python bench/jobs_tick.py [--count 100000] [--runs 40] [--workers 4] [--backend both]

Prints the target beside each figure that has one and exits non-zero when one is missed: the busy tick's median
(<= TICK_TARGET_MS), the fan-out ratio (<= FANOUT_TARGET_RATIO), one card per channel, and the pace kept.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from databases import move_sequences, planner_statistics, postgres_version, scratch_database
from slack_sdk import WebClient
from sqlalchemy import event, insert, select

from bot.console.standin import SlackStandIn
from bot.domain.actors import Actor
from bot.domain.clock import ManualClock
from bot.domain.enums import Action, Interface, State
from bot.domain.service import Services, build_services
from bot.jobs.tick import SummarySchedule, Ticker
from bot.slack.delivery import Dispatcher
from storage.db import Database
from storage.models import AffectedOffering, Announcement, Notice, Offering, Provider

TICK_TARGET_MS = 10.0
FANOUT_TARGET_RATIO = 1.3
TICK_EVERY = timedelta(seconds=30)
ADMIN = Actor("UBENCHADM1", Interface.SLACK)
PROVIDERS = {  # name: (auto-start, offerings)
    "Cloud": (False, ["VMs", "Kubernetes", "Block storage"]),
    "Storage": (False, ["Object store", "Backup"]),
    "Network": (True, ["DNS", "Load balancers"]),
    "HPC": (True, ["Batch", "Scratch"]),
}
CHUNK = 5_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


# -- the stored world ------------------------------------------------------------------------------


def catalog(services: Services) -> dict[str, tuple[int, bool, list[int]]]:
    for name, (auto_start, offerings) in PROVIDERS.items():
        services.catalog.add_provider(ADMIN, name, f"C{name.upper()[:6]}01", auto_start=auto_start)
        for offering in offerings:
            services.catalog.add_offering(ADMIN, offering, name)
        services.subscriptions.subscribe(ADMIN, f"CSUB{name.upper()[:6]}", name)
    with services.context.db.read() as session:
        providers = session.execute(select(Provider.name, Provider.id, Provider.auto_start)).all()
        offerings = session.execute(select(Offering.provider_id, Offering.id)).all()
    by_provider = defaultdict(list)
    for provider_id, offering_id in offerings:
        by_provider[provider_id].append(offering_id)
    return {name: (pid, auto, by_provider[pid]) for name, pid, auto in providers}


def state_for(rng: random.Random, start: datetime, end: datetime, now: datetime):
    """(state, actual_start, actual_end); nothing stored is due in the last day (the stream brings that)."""
    if end <= now - timedelta(days=1) or (start <= now and end <= now):
        r = rng.random()
        if r < 0.85:
            return State.COMPLETED, start + timedelta(minutes=rng.randint(-10, 20)), end + timedelta(
                minutes=rng.randint(-20, 60))
        return (State.CANCELLED if r < 0.95 else State.DRAFT), None, None
    if start <= now:
        return State.IN_PROGRESS, start, None  # running now, within its window
    r = rng.random()
    return (State.SCHEDULED if r < 0.65 else State.DRAFT if r < 0.9 else State.CANCELLED), None, None


def row(ident: int, rng: random.Random, provider_id: int, state: State, start, end, actual_start, actual_end, now):
    return {
        "id": ident,
        "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
        "name": f"Maintenance #{ident}",
        "message": "Rolling reboot of the hosts.",
        "internal_notes": "",
        "maintenance_type": rng.choice([1, 1, 1, 2, 3, 4, 5]),
        "external_reference_url": "",
        "state": int(state),
        "scheduled_start": start,
        "scheduled_end": end,
        "actual_start": actual_start,
        "actual_end": actual_end,
        "provider_id": provider_id,
        "created_by": "UBENCHADM1",
        "backend_id": "",
        "sequence": 1,
        "created": min(start, now) - timedelta(days=3),
        "modified": min(start, now) - timedelta(days=1),
    }


def load(db: Database, providers, count: int, stream_ticks: int, now: datetime, seed: int) -> dict[str, int]:
    """Bulk-load `count` announcements (spread over a year around now), their notices, and the due stream."""
    rng = random.Random(seed)
    names = list(providers)
    first = now - timedelta(days=275)
    announcements, affected, notices = [], [], []
    sizes = defaultdict(int)
    ident = affected_id = 0

    def flush(connection) -> None:
        for table, rows in ((Announcement, announcements), (AffectedOffering, affected), (Notice, notices)):
            if rows:
                connection.execute(insert(table.__table__), rows)
                sizes[table.__tablename__] += len(rows)
                rows.clear()

    def add(provider: str, state: State, start, end, actual_start=None, actual_end=None) -> None:
        nonlocal ident, affected_id
        ident += 1
        provider_id, _, offerings = providers[provider]
        record = row(ident, rng, provider_id, state, start, end, actual_start, actual_end, now)
        announcements.append(record)
        for offering in rng.sample(offerings, rng.randint(0, min(2, len(offerings)))):
            affected_id += 1
            affected.append({"id": affected_id, "uuid": uuid.uuid4(), "announcement_id": ident,
                             "offering_id": offering, "impact_level": 2, "impact_description": "",
                             "created": record["created"], "modified": record["created"]})
        if state is State.DRAFT:
            return
        channel = f"C{provider.upper()[:6]}01"
        hex_id = record["uuid"].hex
        if start > now and state is State.SCHEDULED:  # reminders waiting for their lead time
            for lead in (72, 24, 1):
                due = start - timedelta(hours=lead)
                if due > now:
                    notices.append(notice(f"{hex_id}:reminder:{lead}h@{start.isoformat()}:{channel}", record,
                                          "reminder", channel, due, "pending", now))
        notices.append(notice(f"{hex_id}:published:1:{channel}", record, "published", channel,
                              record["created"], "sent", now))

    with db.engine.begin() as connection:
        for number in range(count):
            provider = rng.choice(names)
            start = first + timedelta(minutes=rng.randrange(0, 365 * 24 * 60, 15))
            end = start + timedelta(minutes=rng.choice([30, 60, 120, 240]))
            add(provider, *(lambda s, a, b: (s, start, end, a, b))(*state_for(rng, start, end, now)))
            if number % CHUNK == CHUNK - 1:
                flush(connection)
        # The due stream: for tick i at now + i·30 s, one auto-start, two nudges, two overruns (five: a handful).
        for tick in range(1, stream_ticks + 1):
            moment = now + tick * TICK_EVERY - timedelta(seconds=rng.randint(1, 29))
            add(rng.choice(["Network", "HPC"]), State.SCHEDULED, moment, moment + timedelta(hours=2))
            for provider in ("Cloud", "Storage"):
                add(provider, State.SCHEDULED, moment, moment + timedelta(hours=2))
                add(provider, State.IN_PROGRESS, moment - timedelta(hours=2), moment, moment - timedelta(hours=2))
        flush(connection)
        move_sequences(db, connection, ("announcements", "affected_offerings", "notices"))
    planner_statistics(db, ("announcements", "affected_offerings", "notices", "providers"))
    return dict(sizes)


def notice(key, record, kind, channel, due, status, now) -> dict:
    return {"key": key, "announcement_uuid": record["uuid"], "kind": kind, "channel_id": channel,
            "payload": {"name": record["name"]}, "status": status, "attempts": 1 if status == "sent" else 0,
            "due": due, "next_attempt": due, "claim_token": None, "last_error": "", "ts": None,
            "created": min(due, now), "sent": due if status == "sent" else None}


# -- tick --------------------------------------------------------------------------------------------


class Meter:
    """Wall time, CPU time of this process, and SQL statements sent, of one call."""

    def __init__(self, db: Database) -> None:
        self.statements = 0
        event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.statements += 1

    def __call__(self, work):
        self.statements, wall, cpu = 0, time.perf_counter(), time.process_time()
        result = work()
        return result, ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, self.statements)


def measure_ticks(db: Database, count: int, args, now: datetime) -> dict:
    clock = ManualClock(now)
    services = build_services(db, clock, admins={ADMIN.id})
    providers = catalog(services)
    began = time.perf_counter()
    sizes = load(db, providers, count, args.warmup + args.runs, now, args.seed)
    loaded = time.perf_counter() - began
    ticker = Ticker(services, schedule=SummarySchedule.parse("mon 09:00", UTC), summary_channel=None)
    ticker._summarised = ticker.schedule.latest(now)  # the week's summary is out; measured ticks do timers
    transitions = []  # wall ms of each auto-start, the domain's full transition
    transition = services.announcements.transition

    def timed_transition(*args_, **kwargs):
        t0 = time.perf_counter()
        try:
            return transition(*args_, **kwargs)
        finally:
            transitions.append((time.perf_counter() - t0) * 1000)

    services.announcements.transition = timed_transition
    meter = Meter(db)
    figures = defaultdict(list)
    for _ in range(10):
        figures["claim_idle"].append(meter(lambda: services.outbox.claim(now, 8, timedelta(minutes=2)))[1])
    work = defaultdict(int)
    for tick in range(1, args.warmup + args.runs + 1):
        moment = now + tick * TICK_EVERY
        clock.set(moment)
        transitions.clear()
        report, busy = meter(lambda moment=moment: ticker.tick(moment))
        again, idle = meter(lambda moment=moment: ticker.tick(moment))
        claimed, claim = meter(lambda moment=moment: services.outbox.claim(moment, 64, timedelta(minutes=2)))
        for notice_claimed in claimed:  # as if delivered, so the next tick starts clean
            services.outbox.sent(notice_claimed, "1.0", moment)
        assert not (again.started or again.nudged or again.overruns), "a second tick at the same moment did work"
        if tick > args.warmup:
            figures["busy"].append(busy)
            figures["idle"].append(idle)
            figures["claims"].append(claim)
            figures["transition"] += [(ms, 0.0, 0) for ms in transitions]
            work["started"] += len(report.started)
            work["nudged"] += report.nudged
            work["overruns"] += report.overruns
            work["claimed"] += len(claimed)
    return {"sizes": sizes, "loaded": loaded, **figures, "work": {k: v / args.runs for k, v in work.items()}}


def report_ticks(label: str, big: dict, small: dict, args) -> bool:
    """Print the tick's table; True when every target in it is met."""
    sizes = big["sizes"]
    print(f"\n== {label}: tick")
    print(f"   stored: {sizes['announcements']:,} announcements, {sizes['affected_offerings']:,} affected offerings, "
          f"{sizes['notices']:,} notices (loaded in {big['loaded']:.1f} s)")
    work = big["work"]
    print(f"   each measured tick handled on average {work['started']:.1f} auto-starts, {work['nudged']:.1f} nudges "
          f"and {work['overruns']:.1f} overrun notices; the claim after it took {work['claimed']:.1f} notices")
    print(f"   {'':<34} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'SQL':>4} {'1k: ms':>7} {'SQL':>4} {'ratio':>6}"
          "  target")
    rows = [
        ("tick with a handful due", "busy", f"<= {TICK_TARGET_MS:.0f} ms"),
        ("  of which each auto-start", "transition", ""),
        ("tick with nothing new due", "idle", ""),
        ("dispatcher claim, handful due", "claims", ""),
        ("dispatcher claim, nothing due", "claim_idle", ""),
    ]
    met_all = True
    for name, key, target in rows:
        walls, cpus, statements = zip(*big[key], strict=True)
        small_walls, _, small_statements = zip(*small[key], strict=True)
        median, base = percentile(list(walls), 0.5), percentile(list(small_walls), 0.5)
        met = ("met" if median <= TICK_TARGET_MS else "NOT MET") if target else ""
        met_all &= met != "NOT MET"
        sql = f"{statistics.median(statements):>4.0f}" if any(statements) else f"{'':>4}"
        small_sql = f"{statistics.median(small_statements):>4.0f}" if any(small_statements) else f"{'':>4}"
        print(f"   {name:<34} {median:>10.2f} {percentile(list(walls), 0.95):>8.2f} "
              f"{statistics.median(cpus) if any(cpus) else 0:>7.2f} {sql} {base:>7.2f} {small_sql} "
              f"{median / base:>6.2f}  {target} {met}")
    print(f"   ({args.runs} ticks after {args.warmup} warm-ups, 30 s apart; CPU = this process's; SQL = statements "
          f"sent; '1k' = the same over {small['sizes']['announcements']:,} stored announcements; "
          "ratio = wall, 100k / 1k)")
    return met_all


# -- fan-out -------------------------------------------------------------------------------------------


class RemoteStandIn:
    """The Slack stand-in in a process of its own: its work is Slack's, not counted as the dispatcher's."""

    def __init__(self, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-standin", str(latency)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True,
        )
        self.api_url = self.process.stdout.readline().strip()

    def _ask(self, command: str):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def posts(self) -> list[tuple[str, float]]:
        """(channel, when the stand-in received it) of every chat.postMessage since the last clear."""
        return [tuple(post) for post in self._ask("posts")]

    def clear(self) -> None:
        self._ask("clear")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def serve_standin(latency: float) -> int:
    with SlackStandIn(latency=latency) as slack:
        print(slack.api_url, flush=True)
        for line in sys.stdin:
            if line.strip() == "posts":
                print(json.dumps([[c.args["channel"], c.at] for c in slack.calls_to("chat.postMessage")]), flush=True)
            elif line.strip() == "clear":
                slack.calls.clear()
                print("true", flush=True)
    return 0


def measure_fanout(db: Database, args, now: datetime) -> bool:
    """Fan-out and pace; True when their targets are met."""
    clock = ManualClock(now)
    services = build_services(db, clock, admins={ADMIN.id})
    services.catalog.add_provider(ADMIN, "Fan", "CFAN000000")
    services.catalog.add_provider(ADMIN, "Pace", "CPACE00000")
    services.catalog.add_provider(ADMIN, "Warm", "CWARM00000")
    for number in range(1, args.channels):
        services.subscriptions.subscribe(ADMIN, f"CFAN{number:06d}", "Fan")
    for number in range(1, args.pace_channels):
        services.subscriptions.subscribe(ADMIN, f"CPACE{number:05d}", "Pace")
    window = {"scheduled_start": now + timedelta(days=1), "scheduled_end": now + timedelta(days=1, hours=2)}
    slack = RemoteStandIn(args.latency)
    try:
        client = WebClient(token="xoxb-bench", base_url=slack.api_url, timeout=10, retry_handlers=[])
        dispatcher = Dispatcher(services, client, clock=clock, workers=args.workers, pace=1.0)
        warm = services.announcements.create(ADMIN, {"name": "Warm-up", "provider": "Warm", **window})
        services.announcements.transition(ADMIN, warm.uuid, Action.SCHEDULE)
        dispatcher.deliver_due()
        slack.clear()

        fan = services.announcements.create(ADMIN, {"name": "Fan-out", "provider": "Fan", **window})
        services.announcements.transition(ADMIN, fan.uuid, Action.SCHEDULE)
        t0 = time.perf_counter()
        delivered = dispatcher.deliver_due()
        elapsed = time.perf_counter() - t0
        posted = defaultdict(list)
        for channel, at in slack.posts():
            posted[channel].append(at)
        ideal = math.ceil(args.channels / args.workers) * args.latency
        print(f"   one notice to {args.channels} channels, {args.latency * 1000:.0f} ms per call, "
              f"{args.workers} workers: {elapsed:.2f} s; ideal {ideal:.2f} s; ratio {elapsed / ideal:.2f} "
              f"(target <= {FANOUT_TARGET_RATIO}: {'met' if elapsed / ideal <= FANOUT_TARGET_RATIO else 'NOT MET'})")
        once = sum(1 for times in posted.values() if len(times) == 1)
        print(f"   delivered {delivered}; channels with exactly one card: {once} of {args.channels} "
              f"(target: all: {'met' if once == args.channels else 'NOT MET'})")
        met = elapsed / ideal <= FANOUT_TARGET_RATIO and once == args.channels

        slack.clear()
        pace = services.announcements.create(ADMIN, {"name": "Paced", "provider": "Pace", **window})
        t0 = time.perf_counter()
        for action in (Action.SCHEDULE, Action.START, Action.COMPLETE):
            services.announcements.transition(ADMIN, pace.uuid, action)
        delivered = dispatcher.deliver_due()
        elapsed = time.perf_counter() - t0
        gaps, per_channel = [], defaultdict(list)
        for channel, at in slack.posts():
            per_channel[channel].append(at)
        for times in per_channel.values():
            gaps += [later - earlier for earlier, later in pairwise(times)]
        shortest = min(gaps)
        print(f"   {args.pace_channels} channels × (card, started, completed): {delivered} notices, "
              f"{sum(len(t) for t in per_channel.values())} messages in {elapsed:.2f} s; shortest gap between two "
              f"messages in one channel {shortest:.3f} s (pace 1.000 s: {'kept' if shortest >= 1.0 else 'EXCEEDED'}),"
              f" median {statistics.median(gaps):.3f} s")
        dispatcher.stop()
        return met and shortest >= 1.0
    finally:
        slack.close()


# -- backends ------------------------------------------------------------------------------------------


def with_sqlite(work):
    with scratch_database("sqlite") as scratch:
        return work(scratch.db)


def with_postgres(work):
    with scratch_database("postgresql") as scratch:
        return work(scratch.db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="stored announcements (default 100000)")
    parser.add_argument("--small", type=int, default=1_000, help="the small comparison (default 1000)")
    parser.add_argument("--runs", type=int, default=40, help="measured ticks (default 40)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--pace-channels", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the stand-in takes per call")
    parser.add_argument("--workers", type=int, default=4, help="delivery workers (MAINTBOT_DELIVERY_WORKERS)")
    parser.add_argument("--seed", type=int, default=20261102)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--serve-standin", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_standin is not None:
        return serve_standin(args.serve_standin)
    now = datetime.now(UTC).replace(microsecond=0)
    print(f"maintbot jobs benchmark: now = {now:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
          f"(load average {os.getloadavg()[0]:.1f})")
    backends = []
    if args.backend in ("sqlite", "both"):
        import sqlite3

        backends.append((f"SQLite {sqlite3.sqlite_version}", with_sqlite))
    if args.backend in ("postgresql", "both") and (version := postgres_version()):
        backends.append((f"PostgreSQL {version}", with_postgres))
    met = True
    for label, backend in backends:
        big = backend(lambda db: measure_ticks(db, args.count, args, now))
        small = backend(lambda db: measure_ticks(db, args.small, args, now))
        met = report_ticks(label, big, small, args) and met
        print(f"\n== {label}: fan-out")
        met = backend(lambda db: measure_fanout(db, args, now)) and met
    print(f"\n{'all targets met' if met else 'a target was NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
