"""Statistics are added up from a rollup the database keeps (bot/domain/stats.py, migration 0008). Property: after
any sequence of creates, transitions, edits, extensions, impact changes and deletes, by anyone, the statistics
every reader gets, for any window and filter, are exactly those of counting the announcements one by one as
DESIGN §2 says (`naive`, below, written from the rules and not from the service); and rebuilding the rollup
from the rows (the migration's backfill) gives the groups the triggers kept."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Impact, MaintenanceType, State, TimingBucket
from bot.domain.errors import DomainError
from bot.domain.lifecycle import EXTENSIONS
from bot.domain.listing import ListQuery
from bot.domain.timing import bucket_of
from bot.domain.views import Stats
from storage import migrate
from storage.models import AffectedOffering, Announcement, Offering, Provider, StatsRollup, StatsRollupMonthly
from storage.rollup import fold
from tests.stats_oracle import counted

READERS = ["admin", "cloud_manager", "storage_manager", "anyone"]
OFFERINGS = ["VMs", "Kubernetes", "Object store", "Backup"]
PROVIDER_OF = {"VMs": "Cloud", "Kubernetes": "Cloud", "Object store": "Storage", "Backup": "Storage"}

creates = st.tuples(
    st.just("create"),
    st.sampled_from(["cloud_manager", "storage_manager", "admin"]),
    st.integers(min_value=-40 * 24 * 60, max_value=40 * 24 * 60),  # start, minutes from now
    st.sampled_from([30, 60, 120, 600, 1500, 4 * 24 * 60]),  # minutes long: some cross midnight, or a month's end
    st.sampled_from(list(MaintenanceType)),
    st.lists(st.tuples(st.sampled_from(OFFERINGS), st.sampled_from(list(Impact))), max_size=2),
)
changes = st.tuples(
    st.sampled_from([*Action, "edit", "extend", "impact", "delete"]),
    st.sampled_from(["cloud_manager", "storage_manager", "admin"]),
    st.integers(min_value=0, max_value=50),  # which announcement
    st.integers(min_value=-20 * 60, max_value=20 * 60),  # seconds the clock moves first / the window moves
    st.sampled_from(list(MaintenanceType)),
    st.sampled_from(list(Impact)),
)
scripts = st.lists(st.one_of(creates, changes), min_size=1, max_size=14)


def queries(world) -> list[ListQuery]:
    cloud = world["cloud"].uuid
    return [
        ListQuery(),
        ListQuery(provider_uuid=cloud),
        ListQuery(states=[State.COMPLETED, State.IN_PROGRESS]),
        ListQuery(maintenance_type=int(MaintenanceType.EMERGENCY)),
        ListQuery(timing_buckets=[TimingBucket.OVERRUN.value]),
        ListQuery(timing_buckets=[TimingBucket.EARLY.value, TimingBucket.LATE_START.value], provider_uuid=cloud),
        ListQuery(timing_buckets=["nonsense"]),
        ListQuery(words=("work",)),  # not held by the rollup: the scan answers, and must agree too
        ListQuery(offering_uuid=world["offerings"]["VMs"].uuid),
    ]


def naive(rows, affected, providers, reach, query: ListQuery, start: date, end: date, offering_id) -> Stats:
    """DESIGN §2, one announcement at a time."""
    offerings: dict[int, set[int]] = defaultdict(set)
    for a in affected:
        offerings[a.announcement_id].add(a.offering_id)

    def bucket(r) -> str:
        return bucket_of(r.scheduled_start, r.scheduled_end, r.actual_start, r.actual_end, r.planned_end).value

    chosen = [
        r for r in rows
        if reach.may_see(State(r.state), r.provider_id)
        and start <= r.scheduled_start.date() and r.scheduled_end.date() <= end
        and (query.maintenance_type is None or r.maintenance_type == query.maintenance_type)
        and (not query.states or r.state in query.states)
        and (query.provider_uuid is None or providers[r.provider_id].uuid == query.provider_uuid)
        and (query.timing_buckets is None or bucket(r) in query.timing_buckets)
        and all(word in r.name.lower() or word in r.message.lower() for word in query.words)
        and (query.offering_uuid is None or offering_id in offerings[r.id])
    ]
    return counted(chosen, affected, providers, start, end)


def assert_same(ours: Stats, theirs: Stats) -> None:
    for name in ("by_state", "by_type", "by_impact_level", "daily", "providers", "start", "end"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.summary.keys() == theirs.summary.keys()
    for name, value in theirs.summary.items():
        mine = ours.summary[name]
        if value is None or mine is None:
            assert mine is None and value is None, name
        else:
            assert math.isclose(mine, value, rel_tol=1e-12, abs_tol=1e-12), (name, mine, value)


def play(services, actors, world, clock, script, made: list) -> None:
    """Do each step as its actor; a refusal (not allowed, wrong state, invalid) changes nothing and is skipped."""
    announcements = services.announcements
    for step in script:
        try:
            if step[0] == "create":
                _, who, start, minutes, kind, marked = step
                begins = clock.now() + timedelta(minutes=start)
                provider = "Storage" if who == "storage_manager" else "Cloud"
                made.append(announcements.create(actors[who], {
                    "name": f"Work {len(made)}", "provider": provider, "maintenance_type": int(kind),
                    "scheduled_start": begins, "scheduled_end": begins + timedelta(minutes=minutes),
                    "affected": [AffectedInput(name, int(impact)) for name, impact in dict(marked).items()
                                 if PROVIDER_OF[name] == provider],
                }).uuid)
                continue
            action, who, which, seconds, kind, impact = step
            if not made:
                continue
            target, actor = made[which % len(made)], actors[who]
            clock.advance(timedelta(seconds=abs(seconds)))
            if action == "edit":
                view = announcements.get(actor, target)
                moved = timedelta(seconds=seconds * 30)
                announcements.update(actor, target, {
                    "maintenance_type": int(kind), "scheduled_start": view.scheduled_start + moved,
                    "scheduled_end": view.scheduled_end + moved,
                })
            elif action == "extend":
                view = announcements.get(actor, target)
                announcements.extend(actor, target, view.scheduled_end, EXTENSIONS[which % len(EXTENSIONS)])
            elif action == "impact":
                view = announcements.get(actor, target)
                offerings = [name for name, provider in PROVIDER_OF.items() if provider == view.provider_name]
                announcements.update(actor, target, {"affected": [AffectedInput(offerings[which % 2], int(impact))]})
            elif action == "delete":
                announcements.delete(actor, target)
                made.remove(target)
            else:
                announcements.transition(actor, target, Action(action))
        except DomainError:
            pass


def rollup_rows(db) -> set[tuple]:
    """The non-empty groups, every change folded in first (as statistics do before they read)."""
    with Session(db.engine) as session, session.begin():
        fold(session)
        return {(table.__tablename__, *row) for table in (StatsRollup, StatsRollupMonthly)
                for row in session.execute(select(table.__table__).where(table.n != 0))}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=scripts, reader=st.sampled_from(READERS), days=st.tuples(st.integers(-45, 45), st.integers(-45, 45)))
def test_statistics_from_the_rollup_are_those_of_counting_each_announcement(
    request, db, services, world, clock, script, reader, days
):
    actors = {name: request.getfixturevalue(name) for name in ["admin", "cloud_manager", "storage_manager", "anyone"]}
    made = request.node.__dict__.setdefault("made", [])
    play(services, actors, world, clock, script, made)

    today = clock.now().date()
    month = today.replace(day=1)
    windows = [  # any days; whole months, with and without partial edges; the default's end
        (today + timedelta(days=min(days)), today + timedelta(days=max(days))),
        (month - timedelta(days=31), month - timedelta(days=1)),
        (month - timedelta(days=40), month + timedelta(days=40)),
        (date(2000, 1, 1), None),
    ]
    with db.read() as session:
        rows = session.scalars(select(Announcement)).all()
        affected = session.scalars(select(AffectedOffering)).all()
        providers = {p.id: p for p in session.scalars(select(Provider))}
        vms = session.scalar(select(Offering.id).where(Offering.uuid == world["offerings"]["VMs"].uuid))
    with services.context.reading() as uow:
        reach = uow.reach(actors[reader])
    for query in queries(world):
        for start, end in windows:
            ours = services.statistics.compute(actors[reader], start, end, query)
            assert_same(ours, naive(rows, affected, providers, reach, query, ours.start, ours.end, vms))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=scripts)
def test_rebuilding_the_rollup_from_the_rows_gives_the_groups_the_triggers_kept(
    request, db, services, world, clock, script
):
    actors = {name: request.getfixturevalue(name) for name in ["admin", "cloud_manager", "storage_manager"]}
    play(services, actors, world, clock, script, request.node.__dict__.setdefault("made", []))
    kept = rollup_rows(db)

    with db.engine.begin() as connection:  # as a database of the version before the rollup, then upgraded
        command.downgrade(migrate._config(db.engine, connection), "0007_series")
        command.upgrade(migrate._config(db.engine, connection), "head")

    assert rollup_rows(db) == kept
