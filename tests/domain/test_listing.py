"""Listing announcements: every filter, every ordering key, the pagination edges, and the timing fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.enums import Action, MaintenanceType, State, TimingBucket
from bot.domain.errors import Invalid, NotFound
from bot.domain.listing import ListQuery, ordering
from tests.factories import announce

BOUNDARY = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def listed(services, actor, **query) -> list[str]:
    """The names a reader sees, in the order they see them."""
    return [a.name for a in services.announcements.list(actor, ListQuery(**query)).items]


def held(services, actor, clock, name, *, started=None, finished=None, **fields):
    """A published announcement, started `started` after its scheduled start and completed `finished`
    after its scheduled end (negative: early), with the clock moved to each moment before pressing."""
    announcement = announce(services, actor, State.SCHEDULED, name=name, **fields)
    if started is not None:
        clock.set(announcement.scheduled_start + started)
        announcement = services.announcements.transition(actor, announcement.uuid, Action.START)
    if finished is not None:
        clock.set(announcement.scheduled_end + finished)
        announcement = services.announcements.transition(actor, announcement.uuid, Action.COMPLETE)
    return announcement


# -- filters ----------------------------------------------------------------------------------------


def test_filtering_by_maintenance_type_lists_only_that_type(services, world, cloud_manager):
    announce(services, cloud_manager, name="Routine reboot", maintenance_type=int(MaintenanceType.SCHEDULED))
    announce(services, cloud_manager, name="Hotfix", maintenance_type=int(MaintenanceType.EMERGENCY))
    announce(services, cloud_manager, name="CVE patch", maintenance_type=int(MaintenanceType.SECURITY))

    assert listed(services, cloud_manager, maintenance_type=int(MaintenanceType.EMERGENCY)) == ["Hotfix"]


def test_asking_for_several_states_lists_announcements_in_any_of_them(services, world, cloud_manager):
    for state in State:
        announce(services, cloud_manager, state, name=state.label)

    shown = listed(services, cloud_manager, states=[State.DRAFT, State.COMPLETED])

    assert sorted(shown) == ["Completed", "Draft"]


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("scheduled_start_after", ["A minute after", "On the boundary"]),
        ("scheduled_start_before", ["A minute before", "On the boundary"]),
        ("scheduled_end_after", ["A minute after", "On the boundary"]),
        ("scheduled_end_before", ["A minute before", "On the boundary"]),
    ],
)
def test_a_scheduled_time_bound_includes_an_announcement_exactly_on_it(services, world, cloud_manager, bound,
                                                                       expected):
    for name, offset in [("A minute before", -MINUTE), ("On the boundary", timedelta()), ("A minute after", MINUTE)]:
        moment = BOUNDARY + offset
        if bound.startswith("scheduled_start"):
            window = {"scheduled_start": moment, "scheduled_end": moment + timedelta(hours=2)}
        else:
            window = {"scheduled_start": moment - timedelta(hours=2), "scheduled_end": moment}
        announce(services, cloud_manager, name=name, **window)

    assert sorted(listed(services, cloud_manager, **{bound: BOUNDARY})) == expected


def test_filtering_by_provider_lists_only_that_providers_announcements(services, world, admin):
    announce(services, admin, name="Hypervisor patching", provider="Cloud")
    announce(services, admin, name="Tape rotation", provider="Storage")

    assert listed(services, admin, provider_uuid=world["storage"].uuid) == ["Tape rotation"]


def test_filtering_by_author_lists_only_what_they_created(services, world, admin, cloud_manager):
    announce(services, cloud_manager, name="Written by the manager")
    announce(services, admin, name="Written by the admin")

    assert listed(services, admin, created_by=cloud_manager.id) == ["Written by the manager"]


@pytest.fixture
def one_of_each_bucket(services, world, cloud_manager, clock):
    """Five published announcements, one in each timing bucket."""
    held(services, cloud_manager, clock, "Pending")
    held(services, cloud_manager, clock, "Overrun", started=timedelta(), finished=timedelta(minutes=40))
    held(services, cloud_manager, clock, "Late start", started=timedelta(minutes=30), finished=timedelta())
    held(services, cloud_manager, clock, "Early", started=timedelta(), finished=timedelta(minutes=-40))
    held(services, cloud_manager, clock, "On time", started=timedelta(), finished=timedelta())


def test_asking_for_several_timing_buckets_lists_announcements_in_any_of_them(services, one_of_each_bucket,
                                                                             cloud_manager):
    shown = listed(services, cloud_manager, timing_buckets=["overrun", "early"])

    assert sorted(shown) == ["Early", "Overrun"]


def test_an_unknown_timing_bucket_is_ignored_next_to_a_known_one(services, one_of_each_bucket, cloud_manager):
    assert listed(services, cloud_manager, timing_buckets=["late", "late_start"]) == ["Late start"]


def test_asking_only_for_unknown_timing_buckets_lists_nothing(services, one_of_each_bucket, cloud_manager):
    page = services.announcements.list(cloud_manager, ListQuery(timing_buckets=["late", "slow"]))

    assert (page.items, page.count) == ([], 0)


def test_without_a_timing_bucket_filter_every_bucket_is_listed(services, one_of_each_bucket, cloud_manager):
    shown = listed(services, cloud_manager, timing_buckets=None)

    assert sorted(shown) == ["Early", "Late start", "On time", "Overrun", "Pending"]


# -- ordering ---------------------------------------------------------------------------------------


@pytest.fixture
def schedule_board(services, world, cloud_manager, clock):
    """Four announcements that every ordering key sorts differently (scheduled on 10 Nov):

    name     created  scheduled     started        finished
    Charlie  1st      12:00-13:00   20 min late    30 min late
    Alpha    2nd      11:00-15:00   5 min early    25 min early
    Delta    3rd      10:00-14:00   not yet
    Bravo    4th      13:00-13:30   3 min late     still running
    """
    plan = [
        ("Charlie", 2, 60, timedelta(minutes=20), timedelta(minutes=30)),
        ("Alpha", 1, 240, timedelta(minutes=-5), timedelta(minutes=-25)),
        ("Delta", 0, 240, None, None),
        ("Bravo", 3, 30, timedelta(minutes=3), None),
    ]
    created = []
    for name, start_hour, minutes, _, _ in plan:
        start = BOUNDARY + timedelta(hours=start_hour)
        created.append(announce(services, cloud_manager, State.SCHEDULED, name=name, scheduled_start=start,
                                scheduled_end=start + timedelta(minutes=minutes)))
        clock.advance(MINUTE)
    for announcement, (_, _, _, started, finished) in zip(created, plan, strict=True):
        if started is not None:
            clock.set(announcement.scheduled_start + started)
            services.announcements.transition(cloud_manager, announcement.uuid, Action.START)
        if finished is not None:
            clock.set(announcement.scheduled_end + finished)
            services.announcements.transition(cloud_manager, announcement.uuid, Action.COMPLETE)


@pytest.mark.parametrize(
    ("key", "ascending"),
    [
        ("created", ["Charlie", "Alpha", "Delta", "Bravo"]),
        ("name", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("scheduled_start", ["Delta", "Alpha", "Charlie", "Bravo"]),
        ("scheduled_end", ["Charlie", "Bravo", "Delta", "Alpha"]),
    ],
)
def test_ordering_by_a_field_sorts_ascending_and_with_a_minus_descending(services, schedule_board, cloud_manager,
                                                                         key, ascending):
    assert listed(services, cloud_manager, ordering=(key,)) == ascending
    assert listed(services, cloud_manager, ordering=(f"-{key}",)) == ascending[::-1]


@pytest.mark.parametrize(
    ("key", "ascending", "without_value"),
    [
        ("overrun_minutes", ["Alpha", "Charlie"], {"Bravo", "Delta"}),
        ("start_delta_minutes", ["Alpha", "Bravo", "Charlie"], {"Delta"}),
    ],
)
def test_ordering_by_a_timing_delta_puts_announcements_without_one_last_both_ways(services, schedule_board,
                                                                                  cloud_manager, key, ascending,
                                                                                  without_value):
    upward = listed(services, cloud_manager, ordering=(key,))
    downward = listed(services, cloud_manager, ordering=(f"-{key}",))

    assert upward[: len(ascending)] == ascending
    assert downward[: len(ascending)] == ascending[::-1]
    assert set(upward[len(ascending):]) == set(downward[len(ascending):]) == without_value


def test_without_an_ordering_the_newest_announcement_comes_first(services, schedule_board, cloud_manager):
    assert listed(services, cloud_manager) == ["Bravo", "Delta", "Alpha", "Charlie"]


def test_an_unknown_ordering_key_is_refused_on_the_o_field(services, world, cloud_manager):
    with pytest.raises(Invalid) as refused:
        services.announcements.list(cloud_manager, ListQuery(ordering=("duration",)))

    assert list(refused.value.fields) == ["o"]
    assert "duration is not one of the available choices" in refused.value.fields["o"][0]


# -- pagination -------------------------------------------------------------------------------------


def announce_many(services, actor, clock, how_many: int) -> None:
    """`how_many` drafts named "Window 001" upwards, the later ones created later."""
    for number in range(1, how_many + 1):
        announce(services, actor, name=f"Window {number:03d}")
        clock.advance(MINUTE)


def test_an_empty_listing_is_page_one_with_nothing_on_it(services, world, cloud_manager):
    page = services.announcements.list(cloud_manager, ListQuery())

    assert (page.items, page.count, page.page, page.has_next, page.has_previous) == ([], 0, 1, False, False)


def test_the_last_page_holds_only_what_is_left(services, world, cloud_manager, clock):
    announce_many(services, cloud_manager, clock, 12)

    page = services.announcements.list(cloud_manager, ListQuery(ordering=("name",), page=3, page_size=5))

    assert [a.name for a in page.items] == ["Window 011", "Window 012"]
    assert (page.count, page.page, page.pages, page.has_next, page.has_previous) == (12, 3, 3, False, True)


def test_a_page_past_the_end_is_not_found(services, world, cloud_manager, clock):
    announce_many(services, cloud_manager, clock, 12)

    with pytest.raises(NotFound) as refused:
        services.announcements.list(cloud_manager, ListQuery(page=4, page_size=5))

    assert refused.value.message == "Invalid page."


def test_a_page_size_above_300_is_cut_to_300(services, world, cloud_manager, clock):
    announce_many(services, cloud_manager, clock, 301)

    page = services.announcements.list(cloud_manager, ListQuery(page_size=1000))

    assert (len(page.items), page.page_size, page.count, page.pages) == (300, 300, 301, 2)


def test_a_page_size_of_zero_falls_back_to_ten(services, world, cloud_manager, clock):
    announce_many(services, cloud_manager, clock, 11)

    page = services.announcements.list(cloud_manager, ListQuery(page_size=0))

    assert (len(page.items), page.page_size, page.pages) == (10, 10, 2)


# -- how each announcement kept to its schedule ----------------------------------------------------

TIMINGS = [
    # story, started late by, finished late by -> timing_bucket, start_delta_minutes, overrun_minutes
    ("published, not started", None, None, TimingBucket.PENDING, None, None),
    ("running, started on the dot", 0 * MINUTE, None, TimingBucket.ON_TIME, 0, None),
    ("running, started exactly 15 min late", 15 * MINUTE, None, TimingBucket.ON_TIME, 15, None),
    ("running, started 16 min late", 16 * MINUTE, None, TimingBucket.LATE_START, 16, None),
    ("finished on the dot", 0 * MINUTE, 0 * MINUTE, TimingBucket.ON_TIME, 0, 0),
    ("finished 16 min late", 0 * MINUTE, 16 * MINUTE, TimingBucket.OVERRUN, 0, 16),
    ("started 16 min late, finished on the dot", 16 * MINUTE, 0 * MINUTE, TimingBucket.LATE_START, 16, 0),
    ("started and finished 30 min late", 30 * MINUTE, 30 * MINUTE, TimingBucket.OVERRUN, 30, 30),
    ("finished 16 min early", 0 * MINUTE, -16 * MINUTE, TimingBucket.EARLY, 0, -16),
    ("started late, finished early", 20 * MINUTE, -20 * MINUTE, TimingBucket.LATE_START, 20, -20),
    ("finished exactly 15 min late", 0 * MINUTE, 15 * MINUTE, TimingBucket.ON_TIME, 0, 15),
    ("finished exactly 15 min early", 0 * MINUTE, -15 * MINUTE, TimingBucket.ON_TIME, 0, -15),
    ("started 10 min early", -10 * MINUTE, 0 * MINUTE, TimingBucket.ON_TIME, -10, 0),
]


@pytest.mark.parametrize(
    ("started", "finished", "bucket", "start_delta", "overrun"),
    [story[1:] for story in TIMINGS],
    ids=[story[0] for story in TIMINGS],
)
def test_the_listing_shows_how_an_announcement_kept_to_its_schedule(services, world, cloud_manager, clock, started,
                                                                    finished, bucket, start_delta, overrun):
    held(services, cloud_manager, clock, "Kernel upgrade", started=started, finished=finished)

    (shown,) = services.announcements.list(cloud_manager, ListQuery()).items

    assert (shown.timing_bucket, shown.start_delta_minutes, shown.overrun_minutes) == (bucket, start_delta, overrun)


@pytest.mark.parametrize(
    ("late", "minutes"),
    [
        (timedelta(minutes=7, seconds=20), 7),
        (timedelta(minutes=7, seconds=40), 8),
        (timedelta(minutes=2, seconds=30), 2),
        (timedelta(minutes=3, seconds=30), 4),
        (timedelta(minutes=-2, seconds=-30), -2),
    ],
    ids=["7m20s", "7m40s", "2m30s", "3m30s", "-2m30s"],
)
def test_minutes_past_schedule_are_rounded_as_the_seed_rounds_them(services, world, cloud_manager, clock, late,
                                                                   minutes):
    held(services, cloud_manager, clock, "Kernel upgrade", started=late, finished=late)

    (shown,) = services.announcements.list(cloud_manager, ListQuery()).items

    assert (shown.start_delta_minutes, shown.overrun_minutes) == (minutes, minutes)


# -- ordering keys: repeated or comma-separated, folded, at most three ----------------------------------


@pytest.mark.parametrize("terms, keys", [
    (["name", "-created"], ("name", "-created")),
    (["name,-created"], ("name", "-created")),
    (["name, -created", "scheduled_start"], ("name", "-created", "scheduled_start")),
    (["name", "name", "-name,name"], ("name",)),
    (["name"] * 2000, ("name",)),
    (["", ",", " , "], ()),
])
def test_ordering_reads_repeated_and_comma_separated_keys_and_folds_repeats(terms, keys):
    assert ordering(terms) == keys


@pytest.mark.parametrize("terms", [["name,created,scheduled_end,overrun_minutes"], ["name", "-created", "o", "x"],
                                   ["a,b,c,d,e"], ["name"] * 3 + ["created", "scheduled_start", "scheduled_end"]])
def test_more_than_three_ordering_keys_are_refused_on_the_o_field(terms):
    with pytest.raises(Invalid) as refused:
        ordering(terms)

    assert list(refused.value.fields) == ["o"]
    message = refused.value.fields["o"][0]
    assert "at most 3" in message or "not one of the available choices" in message


def test_four_distinct_keys_say_at_most_three(services, world, cloud_manager):
    with pytest.raises(Invalid) as refused:
        services.announcements.list(cloud_manager, ListQuery(ordering=("name", "created", "-scheduled_end", "name",
                                                                        "scheduled_start")))

    assert refused.value.fields == {"o": ["Order by at most 3 different keys (e.g. o=name,-created)."]}


def test_a_comma_ordering_sorts_as_the_same_keys_repeated(services, schedule_board, cloud_manager):
    assert listed(services, cloud_manager, ordering=("overrun_minutes,-name",)) == listed(
        services, cloud_manager, ordering=("overrun_minutes", "-name"))
    assert listed(services, cloud_manager, ordering=("name", "name", "-name")) == listed(
        services, cloud_manager, ordering=("name",))
