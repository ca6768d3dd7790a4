"""Maintenance statistics: a hand-counted fortnight, the window rule, the breakdowns, and who sees what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Impact, MaintenanceType, State
from bot.domain.listing import ListQuery
from bot.domain.views import DailyStats, ProviderStats
from tests.factories import announce

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
MINUTE = timedelta(minutes=1)
EMPTY_SUMMARY = {
    "total": 0,
    "active": 0,
    "scheduled": 0,
    "completed": 0,
    "average_duration_hours": None,
    "on_time_completion_rate": None,
    "on_time_rate_15min": None,
    "avg_overrun_hours": None,
    "emergency_count": 0,
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def planned(services, actor, clock, name, start, end, *, state=State.SCHEDULED, started=None, finished=None,
            **fields):
    """An announcement scheduled for start–end and walked into `state`; when it is started or completed,
    the clock is first moved to `started`/`finished` minutes off its scheduled start/end."""
    announcement = announce(services, actor, State.SCHEDULED if started is not None else state, name=name,
                            scheduled_start=start, scheduled_end=end, **fields)
    if started is not None:
        clock.set(start + started * MINUTE)
        announcement = services.announcements.transition(actor, announcement.uuid, Action.START)
    if finished is not None:
        clock.set(end + finished * MINUTE)
        announcement = services.announcements.transition(actor, announcement.uuid, Action.COMPLETE)
    return announcement


def november(services, actor, **query):
    return services.statistics.compute(actor, *NOVEMBER, ListQuery(**query))


@pytest.fixture
def fortnight(services, world, admin, clock):
    """Eight announcements of Cloud and Storage, counted by hand:

    name               provider  type       state        scheduled       ran          finished
    Kernel upgrade     Cloud     scheduled  Completed    10 Nov 10-12    2 h          on the dot
    Database failover  Cloud     emergency  Completed    10 Nov 14-15    2 h          60 min late
    Network patch      Storage   patch      Completed    11 Nov 09-10    1 h          12 min late
    Disk swap          Storage   upgrade    Completed    11 Nov 12-14    1 h          60 min early
    Firewall rules     Cloud     security   In progress  12 Nov 08-09    started 5 min late
    Emergency reboot   Cloud     emergency  Scheduled    12 Nov 10-11
    Array expansion    Storage   scheduled  Draft        12 Nov 16-18
    Rack move          Cloud     emergency  Cancelled    11 Nov 20-22
    """
    kinds = MaintenanceType
    planned(services, admin, clock, "Kernel upgrade", at(10, 10), at(10, 12), started=0, finished=0,
            maintenance_type=int(kinds.SCHEDULED))
    planned(services, admin, clock, "Database failover", at(10, 14), at(10, 15), started=0, finished=60,
            maintenance_type=int(kinds.EMERGENCY))
    planned(services, admin, clock, "Network patch", at(11, 9), at(11, 10), started=12, finished=12,
            maintenance_type=int(kinds.PATCH), provider="Storage")
    planned(services, admin, clock, "Disk swap", at(11, 12), at(11, 14), started=0, finished=-60,
            maintenance_type=int(kinds.UPGRADE), provider="Storage")
    planned(services, admin, clock, "Firewall rules", at(12, 8), at(12, 9), started=5,
            maintenance_type=int(kinds.SECURITY))
    planned(services, admin, clock, "Emergency reboot", at(12, 10), at(12, 11), maintenance_type=int(kinds.EMERGENCY))
    planned(services, admin, clock, "Array expansion", at(12, 16), at(12, 18), state=State.DRAFT,
            maintenance_type=int(kinds.SCHEDULED), provider="Storage")
    planned(services, admin, clock, "Rack move", at(11, 20), at(11, 22), state=State.CANCELLED,
            maintenance_type=int(kinds.EMERGENCY))


# -- the summary ------------------------------------------------------------------------------------


def test_the_summary_of_a_fortnight_matches_the_hand_count(services, fortnight, admin):
    stats = november(services, admin)

    assert stats.summary == {
        "total": 8,
        "active": 1,
        "scheduled": 1,
        "completed": 4,
        "average_duration_hours": pytest.approx(1.5),  # (2 + 2 + 1 + 1) / 4
        "on_time_completion_rate": pytest.approx(50.0),  # Kernel upgrade and Disk swap, of 4
        "on_time_rate_15min": pytest.approx(0.75),  # and Network patch, 12 min late
        "avg_overrun_hours": pytest.approx(0.6),  # (1 h + 12 min) / the 2 that ran past
        "emergency_count": 3,  # completed, scheduled and cancelled alike
    }


def test_with_nothing_in_the_window_the_counts_are_zero_and_the_averages_empty(services, fortnight, admin):
    stats = services.statistics.compute(admin, date(2027, 1, 1), date(2027, 1, 31), ListQuery())

    assert stats.summary == EMPTY_SUMMARY
    assert (stats.by_state, stats.by_type, stats.daily, stats.providers) == ({}, {}, [], [])
    assert stats.by_impact_level == {impact.label: 0 for impact in Impact}


def test_finishing_exactly_15_minutes_late_is_on_time_within_tolerance_only(services, world, admin, clock):
    planned(services, admin, clock, "Kernel upgrade", at(10, 10), at(10, 12), started=0, finished=15)

    summary = november(services, admin).summary

    assert summary["on_time_completion_rate"] == 0
    assert summary["on_time_rate_15min"] == 1
    assert summary["avg_overrun_hours"] == pytest.approx(0.25)


def test_the_average_overrun_leaves_out_announcements_that_finished_in_time(services, world, admin, clock):
    planned(services, admin, clock, "Late", at(10, 10), at(10, 12), started=0, finished=90)
    planned(services, admin, clock, "On the dot", at(11, 10), at(11, 12), started=0, finished=0)
    planned(services, admin, clock, "Early", at(12, 10), at(12, 12), started=0, finished=-30)

    assert november(services, admin).summary["avg_overrun_hours"] == pytest.approx(1.5)


# -- breakdowns -------------------------------------------------------------------------------------


def test_the_fortnight_is_broken_down_by_state_and_by_type(services, fortnight, admin):
    stats = november(services, admin)

    assert stats.by_state == {"Draft": 1, "Scheduled": 1, "In progress": 1, "Completed": 4, "Cancelled": 1}
    assert stats.by_type == {
        "Scheduled maintenance": 2,
        "Emergency maintenance": 3,
        "Security maintenance": 1,
        "System upgrade": 1,
        "Patch deployment": 1,
    }


def test_by_state_and_by_type_name_only_what_occurs(services, world, admin, clock):
    planned(services, admin, clock, "Kernel upgrade", at(10, 10), at(10, 12))
    planned(services, admin, clock, "OS upgrade", at(11, 10), at(11, 12))
    planned(services, admin, clock, "CVE patch", at(12, 10), at(12, 12), started=0, finished=0,
            maintenance_type=int(MaintenanceType.SECURITY))

    stats = november(services, admin)

    assert stats.by_state == {"Scheduled": 2, "Completed": 1}
    assert stats.by_type == {"Scheduled maintenance": 2, "Security maintenance": 1}


def test_each_announcement_counts_once_under_its_highest_impact(services, world, admin, clock):
    def affecting(*offerings):
        return [AffectedInput(name, impact_level=int(level)) for name, level in offerings]

    planned(services, admin, clock, "Full outage of VMs", at(10, 10), at(10, 12),
            affected=affecting(("VMs", Impact.FULL), ("Kubernetes", Impact.DEGRADED)))
    planned(services, admin, clock, "Slow everywhere", at(10, 14), at(10, 16),
            affected=affecting(("VMs", Impact.DEGRADED), ("Kubernetes", Impact.DEGRADED)))
    planned(services, admin, clock, "Harmless", at(11, 10), at(11, 12), provider="Storage",
            affected=affecting(("Backup", Impact.NONE)))
    planned(services, admin, clock, "Nothing named", at(11, 14), at(11, 16))

    stats = november(services, admin)

    assert stats.by_impact_level == {
        "No impact": 2,
        "Degraded performance": 1,
        "Partial outage": 0,
        "Full outage": 1,
    }


def test_daily_lists_only_days_with_maintenance_in_date_order(services, world, admin, clock):
    planned(services, admin, clock, "Late on the 14th", at(14, 22), at(15, 2))
    planned(services, admin, clock, "Draft on the 12th", at(12, 10), at(12, 12), state=State.DRAFT)
    planned(services, admin, clock, "Done on the 10th", at(10, 10), at(10, 12), started=0, finished=0)
    planned(services, admin, clock, "Published on the 12th", at(12, 14), at(12, 16))

    stats = november(services, admin)

    assert stats.daily == [
        DailyStats(date(2026, 11, 10), 1, {"Completed": 1}),
        DailyStats(date(2026, 11, 12), 2, {"Draft": 1, "Scheduled": 1}),
        DailyStats(date(2026, 11, 14), 1, {"Scheduled": 1}),
    ]


def test_providers_are_listed_busiest_first_with_their_counts(services, world, admin, clock):
    planned(services, admin, clock, "Hypervisor patching", at(10, 10), at(10, 12), state=State.DRAFT)
    planned(services, admin, clock, "Tape rotation", at(10, 10), at(10, 12), provider="Storage")
    planned(services, admin, clock, "Disk swap", at(11, 10), at(11, 12), provider="Storage", started=0)
    planned(services, admin, clock, "Array rebuild", at(12, 10), at(12, 12), provider="Storage", started=0,
            finished=0)

    stats = november(services, admin)

    assert stats.providers == [
        ProviderStats(world["storage"].uuid, "Storage", total=3, active=1, scheduled=1, completed=1),
        ProviderStats(world["cloud"].uuid, "Cloud", total=1, active=0, scheduled=0, completed=0),
    ]


# -- the window -------------------------------------------------------------------------------------


def test_an_announcement_starting_on_the_first_day_of_the_window_counts(services, world, admin, clock):
    planned(services, admin, clock, "Starts at midnight", at(10, 0), at(10, 2))
    planned(services, admin, clock, "Starts a minute before", at(9, 23, 59), at(10, 2))

    stats = services.statistics.compute(admin, date(2026, 11, 10), date(2026, 11, 30), ListQuery())

    assert stats.summary["total"] == 1
    assert stats.daily == [DailyStats(date(2026, 11, 10), 1, {"Scheduled": 1})]


def test_an_announcement_ending_on_the_last_day_of_the_window_counts(services, world, admin, clock):
    planned(services, admin, clock, "Ends a minute before midnight", at(20, 22), at(20, 23, 59))
    planned(services, admin, clock, "Ends at midnight", at(20, 22), at(21, 0))

    stats = services.statistics.compute(admin, date(2026, 11, 1), date(2026, 11, 20), ListQuery())

    assert stats.summary["total"] == 1


def test_without_dates_the_window_runs_from_90_days_back_to_30_days_ahead(services, world, admin, clock):
    now = clock.now()
    for name, start in [
        ("90 days ago", now - timedelta(days=90)),
        ("91 days ago", now - timedelta(days=91)),
        ("30 days ahead", now + timedelta(days=30)),
        ("31 days ahead", now + timedelta(days=31)),
    ]:
        planned(services, admin, clock, name, start, start + timedelta(hours=1))

    stats = services.statistics.compute(admin)

    assert [day.date for day in stats.daily] == [date(2026, 8, 4), date(2026, 12, 2)]


# -- narrowing and visibility -----------------------------------------------------------------------


def test_filtering_stats_to_one_provider_counts_only_its_announcements(services, fortnight, admin, world):
    stats = november(services, admin, provider_uuid=world["storage"].uuid)

    assert (stats.summary["total"], stats.summary["completed"]) == (3, 2)
    assert [p.name for p in stats.providers] == ["Storage"]


def test_the_list_filters_narrow_the_statistics_too(services, fortnight, admin):
    stats = november(services, admin, maintenance_type=int(MaintenanceType.EMERGENCY),
                     states=[State.COMPLETED, State.SCHEDULED])

    assert stats.summary["total"] == 2
    assert stats.by_state == {"Scheduled": 1, "Completed": 1}
    assert stats.summary["avg_overrun_hours"] == pytest.approx(1.0)


def test_someone_who_manages_nothing_sees_no_drafts_or_cancelled_in_the_statistics(services, fortnight, anyone):
    stats = november(services, anyone)

    assert stats.summary["total"] == 6
    assert stats.by_state == {"Scheduled": 1, "In progress": 1, "Completed": 4}
    assert stats.summary["emergency_count"] == 2


def test_a_manager_sees_their_own_drafts_in_the_statistics_but_not_other_providers(services, fortnight,
                                                                                  cloud_manager):
    stats = november(services, cloud_manager)

    assert stats.by_state == {"Scheduled": 1, "In progress": 1, "Completed": 4, "Cancelled": 1}
