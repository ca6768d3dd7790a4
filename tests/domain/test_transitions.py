"""The state machine: every legal move, every illegal one refused with the valid states, nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.announcements import TRANSITIONS
from bot.domain.enums import Action, State
from bot.domain.errors import InvalidState
from tests.factories import announce

LEGAL = [(action, source) for action, (sources, _) in TRANSITIONS.items() for source in sources]
ILLEGAL = [(action, state) for action, (sources, _) in TRANSITIONS.items() for state in State if state not in sources]
EXPECTED_VALID = {
    Action.SCHEDULE: "Valid states for operation: Draft.",
    Action.UNSCHEDULE: "Valid states for operation: Scheduled.",
    Action.START: "Valid states for operation: Scheduled.",
    Action.COMPLETE: "Valid states for operation: In progress.",
    Action.CANCEL: "Valid states for operation: Draft, Scheduled.",
}


@pytest.mark.parametrize(("action", "source"), LEGAL, ids=lambda v: str(getattr(v, "name", v)))
def test_a_manager_moves_an_announcement_along_every_legal_transition(services, world, cloud_manager, action, source):
    announcement = announce(services, cloud_manager, source)

    moved = services.announcements.transition(cloud_manager, announcement.uuid, action)

    assert moved.state == TRANSITIONS[action][1]
    assert services.announcements.get(cloud_manager, announcement.uuid).state == TRANSITIONS[action][1]


@pytest.mark.parametrize(("action", "state"), ILLEGAL, ids=lambda v: str(getattr(v, "name", v)))
def test_an_illegal_transition_names_the_valid_states_and_changes_nothing(services, world, cloud_manager, action,
                                                                         state):
    announcement = announce(services, cloud_manager, state)
    before = services.announcements.get(cloud_manager, announcement.uuid)

    with pytest.raises(InvalidState) as refused:
        services.announcements.transition(cloud_manager, announcement.uuid, action)

    assert refused.value.message == EXPECTED_VALID[action]
    assert refused.value.current == state.label
    assert services.announcements.get(cloud_manager, announcement.uuid) == before


def test_starting_records_the_real_start_time_not_the_scheduled_one(services, world, cloud_manager, clock):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    clock.advance(timedelta(days=1, minutes=7))

    started = services.announcements.transition(cloud_manager, announcement.uuid, Action.START)

    assert started.actual_start == clock.now()
    assert started.actual_start != started.scheduled_start
    assert started.actual_end is None
    assert started.start_delta_minutes == 7


def test_completing_records_the_real_end_time_and_keeps_the_start(services, world, cloud_manager, clock):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    clock.advance(timedelta(days=1))
    started = services.announcements.transition(cloud_manager, announcement.uuid, Action.START)
    clock.advance(timedelta(hours=3))

    completed = services.announcements.transition(cloud_manager, announcement.uuid, Action.COMPLETE)

    assert completed.actual_start == started.actual_start
    assert completed.actual_end == clock.now()
    assert completed.overrun_minutes == 60
    assert completed.timing_bucket == "overrun"


def test_unscheduling_and_cancelling_leave_the_actual_times_empty(services, world, cloud_manager):
    withdrawn = services.announcements.transition(
        cloud_manager, announce(services, cloud_manager, State.SCHEDULED).uuid, Action.UNSCHEDULE
    )
    cancelled = announce(services, cloud_manager, State.CANCELLED)

    assert (withdrawn.state, withdrawn.actual_start, withdrawn.actual_end) == (State.DRAFT, None, None)
    assert (cancelled.state, cancelled.actual_start, cancelled.actual_end) == (State.CANCELLED, None, None)


def test_every_transition_is_in_the_audit_trail_with_actor_and_interface(services, world, cloud_manager):
    announcement = announce(services, cloud_manager, State.COMPLETED)

    events = services.announcements.history(cloud_manager, announcement.uuid)

    assert [e.action for e in events] == ["created", "scheduled", "started", "completed"]
    assert {(e.actor, e.interface) for e in events} == {(cloud_manager.id, "slack")}
    assert events[-1].message == "Maintenance announcement Kernel upgrade has been completed. Details: state: " \
                                 "In progress -> Completed"
