"""A series' life as its managers and the scheduler live it: created, materialised by the tick as time passes,
published by itself, edited, skipped, moved, ended and deleted — on SQLite and PostgreSQL.

The test clock starts Monday 2026-11-02 09:00 UTC (tests/factories.py); Europe/Tallinn is then UTC+2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.domain.enums import Action, State
from bot.domain.errors import Invalid, NotFound
from bot.domain.listing import ListQuery
from bot.domain.recurrence import Rule, occurrences
from bot.jobs.tick import SummarySchedule, Ticker
from storage.models import Announcement
from tests.jobs.helpers import notices

TALLINN = ZoneInfo("Europe/Tallinn")


def ticker(services) -> Ticker:
    return Ticker(services, schedule=SummarySchedule.parse("mon 09:00", ZoneInfo("UTC")))


def weekly(services, actor, **fields):
    """Every Tuesday 02:00–04:00 Europe/Tallinn, three weeks ahead, affecting VMs."""
    values = {
        "name": "Patch window", "provider": "Cloud", "message": "Hypervisor patches.",
        "rrule": "FREQ=WEEKLY;BYDAY=TU", "timezone": "Europe/Tallinn", "start_time": "02:00",
        "duration_minutes": 120, "horizon_days": 21,
        "offerings": [{"offering": "VMs", "impact_level": 3, "impact_description": "Reboots"}],
    } | fields
    return services.series.create(actor, values)


def occurrences_of(services, actor, series):
    page = services.announcements.list(actor, ListQuery(page_size=100, ordering=("scheduled_start",)))
    return [a for a in page.items if a.series_uuid == series.uuid]


def test_a_new_series_creates_its_first_occurrences_as_drafts_at_the_local_time(
    services, world, cloud_manager, anyone
):
    series = weekly(services, cloud_manager)

    made = occurrences_of(services, cloud_manager, series)
    assert [a.scheduled_start for a in made] == [datetime(2026, 11, d, 0, 0, tzinfo=UTC) for d in (3, 10, 17)]
    assert {a.scheduled_start.astimezone(TALLINN).strftime("%a %H:%M") for a in made} == {"Tue 02:00"}
    assert {a.state for a in made} == {State.DRAFT}
    assert [a.series_occurrence for a in made] == [date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 17)]
    assert made[0].name == "Patch window" and made[0].message == "Hypervisor patches."
    assert [(x.offering.name, int(x.impact_level), x.impact_description) for x in made[0].affected] == [
        ("VMs", 3, "Reboots")]
    assert occurrences_of(services, anyone, series) == []  # drafts are the managers' alone
    with pytest.raises(NotFound):
        services.series.get(anyone, series.uuid)
    assert series.description == "every week on Tuesday"


def test_the_tick_creates_each_occurrence_once_as_time_passes_and_an_idle_tick_creates_nothing(
    services, world, cloud_manager, clock
):
    series = weekly(services, cloud_manager)
    jobs = ticker(services)

    assert jobs.tick().series_created == 0  # nothing new is due yet
    clock.advance(timedelta(days=7))
    first = jobs.tick()
    again = jobs.tick()

    assert first.series_created == 1 and again.series_created == 0
    days = [a.series_occurrence for a in occurrences_of(services, cloud_manager, series)]
    assert days == [date(2026, 11, d) for d in (3, 10, 17, 24)]


def test_after_downtime_the_tick_catches_up_without_creating_the_past(services, world, cloud_manager, clock):
    series = weekly(services, cloud_manager)
    clock.advance(timedelta(days=30))  # the process was down for a month

    ticker(services).tick()

    days = [a.series_occurrence for a in occurrences_of(services, cloud_manager, series)]
    assert days == [date(2026, 11, d) for d in (3, 10, 17)] + [date(2026, 12, d) for d in (8, 15, 22)]


def test_publish_automatically_publishes_each_occurrence_days_before_with_the_normal_notice(
    services, world, cloud_manager, clock, anyone
):
    series = weekly(services, cloud_manager, publish_days_before=3)

    made = occurrences_of(services, cloud_manager, series)
    assert [a.state for a in made] == [State.SCHEDULED, State.DRAFT, State.DRAFT]  # Nov 3 is within 3 days
    assert [n.announcement_uuid for n in notices(services.context.db, "published")] == [made[0].uuid]
    clock.set(datetime(2026, 11, 6, 23, 59, tzinfo=UTC))
    assert ticker(services).tick().series_published == 0
    clock.set(datetime(2026, 11, 7, 0, 0, tzinfo=UTC))  # three days before Nov 10 02:00 EET

    assert ticker(services).tick().series_published == 1
    seen = occurrences_of(services, anyone, series)
    assert [a.series_occurrence for a in seen] == [date(2026, 11, 3), date(2026, 11, 10)]
    assert len(notices(services.context.db, "published")) == 2


def test_editing_a_series_rewrites_future_untouched_occurrences_and_leaves_hand_edited_ones(
    services, world, cloud_manager
):
    series = weekly(services, cloud_manager, publish_days_before=3)
    scheduled, hand, draft = occurrences_of(services, cloud_manager, series)
    services.announcements.update(cloud_manager, hand.uuid, {"message": "Also the switches."})

    change = services.series.update(cloud_manager, series.uuid, {"start_time": "03:00", "name": "Patch night"})

    after = {a.uuid: a for a in occurrences_of(services, cloud_manager, series)}
    assert set(change.updated) == {scheduled.uuid, draft.uuid}
    assert after[scheduled.uuid].name == "Patch night" and after[draft.uuid].name == "Patch night"
    assert after[draft.uuid].scheduled_start.astimezone(TALLINN).strftime("%H:%M") == "03:00"
    assert after[scheduled.uuid].state is State.SCHEDULED
    assert (after[hand.uuid].name, after[hand.uuid].message) == ("Patch window", "Also the switches.")
    assert after[hand.uuid].scheduled_start == hand.scheduled_start
    kinds = {n.kind for n in notices(services.context.db) if n.announcement_uuid == scheduled.uuid}
    assert "rescheduled" in kinds  # its audience is told, as for any edit of a published announcement


def test_a_new_rule_withdraws_drafts_it_no_longer_has_and_asks_about_published_ones(
    services, world, cloud_manager
):
    series = weekly(services, cloud_manager, publish_days_before=3)
    published, *_ = occurrences_of(services, cloud_manager, series)

    change = services.series.update(cloud_manager, series.uuid, {"rrule": "FREQ=WEEKLY;BYDAY=TH"})

    assert len(change.withdrawn) == 2
    assert [a.uuid for a in change.published_left] == [published.uuid]
    days = [a.series_occurrence for a in occurrences_of(services, cloud_manager, series)]
    assert days == [date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19)]


def test_skipping_withdraws_a_draft_and_cancels_a_published_one_only_when_told(
    services, world, cloud_manager, clock
):
    series = weekly(services, cloud_manager, publish_days_before=3)
    published, draft, _ = occurrences_of(services, cloud_manager, series)

    skipped = services.series.skip(cloud_manager, series.uuid, draft.series_occurrence)
    asked = services.series.skip(cloud_manager, series.uuid, published.series_occurrence)
    assert skipped.withdrawn == (draft.uuid,)
    assert [a.uuid for a in asked.published_left] == [published.uuid]
    assert services.announcements.get(cloud_manager, published.uuid).state is State.SCHEDULED
    told = services.series.skip(cloud_manager, series.uuid, published.series_occurrence, cancel_published=True)

    assert told.cancelled == (published.uuid,)
    assert services.announcements.get(cloud_manager, published.uuid).state is State.CANCELLED
    assert [n.announcement_uuid for n in notices(services.context.db, "cancelled")] == [published.uuid]
    clock.advance(timedelta(days=1))
    ticker(services).tick()
    days = [a.series_occurrence for a in occurrences_of(services, cloud_manager, series)
            if a.state is not State.CANCELLED]
    assert date(2026, 11, 10) not in days  # a skipped occurrence is not created again
    with pytest.raises(Invalid) as refused:
        services.series.skip(cloud_manager, series.uuid, date(2026, 11, 11))  # a Wednesday
    assert "not an occurrence" in refused.value.fields["day"][0]


def test_moving_an_occurrence_moves_its_announcement_by_local_time(services, world, cloud_manager):
    series = weekly(services, cloud_manager)
    _, draft, _ = occurrences_of(services, cloud_manager, series)

    change = services.series.move(cloud_manager, series.uuid, date(2026, 11, 10), datetime(2026, 11, 11, 22, 30))

    moved = services.announcements.get(cloud_manager, draft.uuid)
    assert change.updated == (draft.uuid,)
    assert moved.scheduled_start == datetime(2026, 11, 11, 20, 30, tzinfo=UTC)
    assert moved.scheduled_end - moved.scheduled_start == timedelta(hours=2)
    (found,) = [o for o in services.series.upcoming(cloud_manager, series.uuid) if o.day == date(2026, 11, 10)]
    assert found.moved and found.announcement_uuid == draft.uuid
    # Still untouched by hand: a later edit of the series still reaches it (at its moved time).
    services.series.update(cloud_manager, series.uuid, {"name": "Patch night"})
    assert services.announcements.get(cloud_manager, draft.uuid).name == "Patch night"
    assert services.announcements.get(cloud_manager, draft.uuid).scheduled_start == moved.scheduled_start


def test_ending_withdraws_future_drafts_and_asks_before_cancelling_published_ones(
    services, world, cloud_manager, clock
):
    series = weekly(services, cloud_manager, publish_days_before=3)
    published, *_ = occurrences_of(services, cloud_manager, series)
    assert [a.uuid for a in services.series.published_ahead(cloud_manager, series.uuid)] == [published.uuid]

    first = services.series.end(cloud_manager, series.uuid)
    assert len(first.withdrawn) == 2 and [a.uuid for a in first.published_left] == [published.uuid]
    assert "UNTIL=20261102T090000Z" in first.series.rrule and first.series.ended == clock.now()
    second = services.series.end(cloud_manager, series.uuid, cancel_published=True)

    assert second.cancelled == (published.uuid,)
    clock.advance(timedelta(days=30))
    assert ticker(services).tick().series_created == 0
    assert [a.state for a in occurrences_of(services, cloud_manager, series)] == [State.CANCELLED]


def test_deleting_a_series_keeps_what_was_published_as_plain_announcements(services, world, cloud_manager):
    series = weekly(services, cloud_manager, publish_days_before=3)
    published, *_ = occurrences_of(services, cloud_manager, series)

    change = services.series.delete(cloud_manager, series.uuid)

    assert len(change.withdrawn) == 2
    kept = services.announcements.get(cloud_manager, published.uuid)
    assert kept.state is State.SCHEDULED and kept.series_uuid is None
    with pytest.raises(NotFound):
        services.series.get(cloud_manager, series.uuid)


def test_started_and_past_occurrences_are_left_alone(services, world, cloud_manager, clock):
    series = weekly(services, cloud_manager, publish_days_before=3)
    first, *_ = occurrences_of(services, cloud_manager, series)
    clock.set(datetime(2026, 11, 3, 0, 5, tzinfo=UTC))
    services.announcements.transition(cloud_manager, first.uuid, Action.START)

    services.series.update(cloud_manager, series.uuid, {"name": "Patch night"})
    services.series.end(cloud_manager, series.uuid, cancel_published=True)

    kept = services.announcements.get(cloud_manager, first.uuid)
    assert (kept.name, kept.state) == ("Patch window", State.IN_PROGRESS)


def test_only_the_providers_managers_manage_its_series(services, world, cloud_manager, storage_manager):
    series = weekly(services, cloud_manager)

    with pytest.raises(NotFound):
        services.series.update(storage_manager, series.uuid, {"name": "Mine"})
    with pytest.raises(NotFound):
        services.series.end(storage_manager, series.uuid)
    assert services.series.list(storage_manager).count == 0
    assert services.series.list(cloud_manager).count == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"start_time": "25:00"}, "start_time"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"horizon_days": 5000}, "horizon_days"),
        ({"name": " "}, "name"),
        ({"offerings": [{"offering": "Nope"}]}, "offerings.0.offering"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_created(services, world, cloud_manager, fields, field):
    with pytest.raises(Invalid) as refused:
        weekly(services, cloud_manager, **fields)

    assert field in refused.value.fields
    assert services.series.list(cloud_manager).count == 0
    with services.context.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Announcement)) == 0


RULES = st.sampled_from(["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=-1SU",
                         "FREQ=MONTHLY;BYMONTHDAY=1,15", "FREQ=DAILY;INTERVAL=3;COUNT=9"])


@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=RULES, zone=st.sampled_from(["Europe/Tallinn", "America/New_York", "Australia/Lord_Howe"]),
       hour=st.sampled_from(["01:30", "02:30", "03:00", "23:45"]), steps=st.lists(st.integers(0, 20), max_size=4))
def test_materialising_twice_at_any_moments_creates_each_occurrence_once(
    services, world, cloud_manager, clock, rule, zone, hour, steps
):
    series = services.series.create(cloud_manager, {
        "name": "Job", "provider": "Cloud", "rrule": rule, "timezone": zone, "start_time": hour,
        "duration_minutes": 30, "horizon_days": 14})
    moments = [clock.now()]
    for step in steps:
        moments.append(clock.advance(timedelta(days=step)))
        services.series.materialise()
        services.series.materialise()

    with services.context.db.read() as session:
        rows = session.execute(select(Announcement.series_occurrence, Announcement.scheduled_start)
                               .where(Announcement.series.has(uuid=series.uuid))).all()
    days = [day for day, _ in rows]
    assert len(days) == len(set(days))  # each once
    # Each moment the job ran, it owed the occurrences still to come within the horizon: all of those, no other.
    hours, minutes = map(int, hour.split(":"))
    owed = {o.day: o.start for moment in moments for o in occurrences(
        Rule.parse(rule), series.first_day, time(hours, minutes), timedelta(minutes=30), ZoneInfo(zone), moment,
        moment + timedelta(days=14)) if o.start > moment}
    assert dict(rows) == owed
