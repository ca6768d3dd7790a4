"""Overruns stay overruns: maintenance that ran past its end, was extended with the overrun alert's button and
then completed still counts as an overrun, in the API, in statistics, in lists and on its card.

The end it is measured against is the one in force when the maintenance started (`planned_end`); the
timing twin (SQL and Python agree) holds with an extension in place, and the migration gives announcements
that started before it the end their audit trail says was in force at their start.
"""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.domain.enums import Action, State, TimingBucket
from bot.domain.listing import ListQuery
from bot.domain.timing import COMPUTED, computed_of
from bot.jobs.tick import SummarySchedule, Ticker
from storage.models import Announcement
from tests.factories import announce

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)

MANAGER, READER, CHANNEL = "UCLOUDMGR1", "UREADER001", "CCLOUD0001"


def tick(services) -> None:
    Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC"))).tick()


@pytest.fixture
def overran(slack, services, world, cloud_manager, clock):
    """The found story: running past its end, extended by 1 h with the alert's button, completed 30 min late."""
    running = announce(services, cloud_manager, State.IN_PROGRESS)
    slack.deliver()
    clock.set(running.scheduled_end + timedelta(minutes=5))
    tick(services)
    slack.deliver()
    [alert] = [m for m in slack.thread(slack.card_in(CHANNEL)) if "still in progress" in m.text]
    slack.press(alert, "Extend 1 h", user=MANAGER)
    slack.deliver()
    clock.set(running.scheduled_end + timedelta(minutes=30))
    slack.command(f"complete {running.short_id}", user=MANAGER)
    slack.deliver()
    return running


def test_an_extended_overrun_is_an_overrun_to_the_domain(services, overran, cloud_manager):
    shown = services.announcements.get(cloud_manager, overran.uuid)

    assert shown.state is State.COMPLETED
    assert shown.scheduled_end == overran.scheduled_end + timedelta(minutes=65)  # the extension stands
    assert shown.planned_end == overran.scheduled_end
    assert (shown.overrun_minutes, shown.timing_bucket) == (30, TimingBucket.OVERRUN)
    listed = services.announcements.list(cloud_manager, ListQuery(timing_buckets=["overrun"]))
    assert [view.uuid for view in listed.items] == [overran.uuid]
    assert services.announcements.list(cloud_manager, ListQuery(timing_buckets=["early", "on_time"])).count == 0


def test_the_api_and_its_statistics_show_the_overrun(api, overran):
    http = api.http()

    body = http.get(f"/api/maintenance-announcements/{overran.uuid.hex}/").json()
    stats = http.get("/api/maintenance-announcements/maintenance_stats/").json()["summary"]
    overrun_only = http.get("/api/maintenance-announcements/", params={"timing_bucket": "overrun"}).json()

    assert (body["overrun_minutes"], body["timing_bucket"]) == (30, "overrun")
    assert body["planned_end"] == overran.scheduled_end.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["scheduled_end"] == (overran.scheduled_end + timedelta(minutes=65)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stats["completed"] == 1
    assert stats["on_time_completion_rate"] == 0.0 and stats["on_time_rate_15min"] == 0.0
    assert stats["avg_overrun_hours"] == pytest.approx(0.5)
    assert [item["uuid"] for item in overrun_only] == [overran.uuid.hex]


def test_slack_lists_it_as_an_overrun_and_its_card_shows_both_ends(slack, overran):
    listed = slack.command("list timing=overrun", user=MANAGER).text
    early = slack.command("list timing=early", user=MANAGER).text
    card = slack.command(f"show {overran.short_id}", user=READER).last.content

    assert overran.short_id in listed and overran.short_id not in early
    planned = int(overran.scheduled_end.timestamp())
    extended = int((overran.scheduled_end + timedelta(minutes=65)).timestamp())
    assert "Planned end:" in card and "extended to" in card
    assert f"<!date^{planned}^" in card.split("Planned end:")[1].split("extended to")[0]
    assert f"<!date^{extended}^" in card.split("extended to")[1]


def test_an_edit_before_the_start_moves_the_plan_and_is_no_extension(services, world, cloud_manager, clock):
    scheduled = announce(services, cloud_manager, State.SCHEDULED)
    later = scheduled.scheduled_end + timedelta(hours=1)
    services.announcements.update(cloud_manager, scheduled.uuid, {"scheduled_end": later})
    clock.set(scheduled.scheduled_start)
    services.announcements.transition(cloud_manager, scheduled.uuid, Action.START)
    clock.set(later + timedelta(minutes=5))

    done = services.announcements.transition(cloud_manager, scheduled.uuid, Action.COMPLETE)

    assert done.planned_end == later
    assert (done.overrun_minutes, done.timing_bucket) == (5, TimingBucket.ON_TIME)


def test_sql_and_python_agree_on_timing_against_a_planned_end(services, db, world, cloud_manager):
    made = announce(services, cloud_manager, State.SCHEDULED)
    start, end = made.scheduled_start, made.scheduled_end
    rng = random.Random(20306)
    differences = []
    with db.transaction() as transaction:  # never committed: the row is only borrowed
        session = transaction.session
        for _ in range(150):
            planned = end + timedelta(seconds=rng.choice([0, -900, 900, rng.randint(-7200, 7200)]))
            actual_start = start + timedelta(seconds=rng.randint(-3600, 3600))
            actual_end = planned + timedelta(seconds=rng.choice([-901, -900, 899, 900, 901, rng.randint(-7200, 7200)]))
            actual_end = actual_end if rng.random() < 0.85 else None
            extended = end + timedelta(seconds=rng.randint(0, 7200))
            session.execute(
                update(Announcement).where(Announcement.uuid == made.uuid)
                .values(scheduled_end=extended, planned_end=planned, actual_start=actual_start, actual_end=actual_end)
            )
            in_sql = tuple(session.execute(select(*COMPUTED).where(Announcement.uuid == made.uuid)).one())
            in_python = computed_of(start, extended, actual_start, actual_end, planned)
            if in_sql != (in_python[0], in_python[1], in_python[2].value):
                differences.append((planned, actual_start, actual_end, in_sql, in_python))
    assert differences == []


def test_the_migration_gives_started_announcements_the_end_in_force_at_their_start(
    db, services, world, cloud_manager, clock
):
    from alembic import command

    from storage import migrate

    extended = announce(services, cloud_manager, State.IN_PROGRESS, name="Extended")
    clock.set(extended.scheduled_end + timedelta(minutes=5))
    services.announcements.extend(cloud_manager, extended.uuid, extended.scheduled_end, timedelta(hours=1))
    clock.set(extended.scheduled_end + timedelta(minutes=30))
    services.announcements.transition(cloud_manager, extended.uuid, Action.COMPLETE)
    plain = announce(services, cloud_manager, State.COMPLETED, name="Plain")
    waiting = announce(services, cloud_manager, State.SCHEDULED, name="Waiting")
    with db.engine.begin() as connection:  # as a database of the version before planned ends
        command.downgrade(migrate._config(db.engine, connection), "0004_alert_silences")
        command.upgrade(migrate._config(db.engine, connection), "head")

    seen = {view.name: view for view in services.announcements.list(cloud_manager).items}
    assert seen["Extended"].planned_end == extended.scheduled_end
    assert (seen["Extended"].overrun_minutes, seen["Extended"].timing_bucket) == (30, TimingBucket.OVERRUN)
    assert seen["Plain"].planned_end == plain.scheduled_end
    assert seen["Waiting"].planned_end is None and waiting.planned_end is None
