"""Property: any sequence of actions by any actors leaves announcements in states the table allows,
every refused action changes nothing, and the audience only ever sees wording that was published.

The model is the transition table and the permission rule, stated independently of the service:
an action succeeds exactly when the actor manages the provider and the state is a valid source.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import published
from bot.domain.enums import Action, State
from bot.domain.errors import DomainError, InvalidState, NotAllowed, NotFound
from tests.factories import announce

SOURCES = {
    Action.SCHEDULE: {State.DRAFT},
    Action.UNSCHEDULE: {State.SCHEDULED},
    Action.START: {State.SCHEDULED},
    Action.COMPLETE: {State.IN_PROGRESS},
    Action.CANCEL: {State.DRAFT, State.SCHEDULED},
}
TARGET = {
    Action.SCHEDULE: State.SCHEDULED,
    Action.UNSCHEDULE: State.DRAFT,
    Action.START: State.IN_PROGRESS,
    Action.COMPLETE: State.COMPLETED,
    Action.CANCEL: State.CANCELLED,
}
PUBLIC = {State.SCHEDULED, State.IN_PROGRESS, State.COMPLETED}
ACTORS = ["admin", "cloud_manager", "cloud_group_member", "storage_manager", "anyone"]
MANAGES_CLOUD = {"admin", "cloud_manager", "cloud_group_member"}

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTORS),
        st.sampled_from([*Action, "edit"]),
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=0, max_value=90),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps)
def test_any_sequence_of_actions_keeps_the_state_machine(request, services, world, clock, script):
    actors = {name: request.getfixturevalue(name) for name in ACTORS}
    manager = actors["cloud_manager"]
    announcements = [announce(services, manager).uuid for _ in range(3)]
    expected = {uuid: State.DRAFT for uuid in announcements}
    last_published: dict = {uuid: None for uuid in announcements}  # (name, message) when last in a public state

    for actor_name, action, target, minutes in script:
        clock.advance(timedelta(minutes=minutes))
        uuid = announcements[target]
        actor = actors[actor_name]
        before = services.announcements.get(manager, uuid)
        allowed = actor_name in MANAGES_CLOUD
        try:
            if action == "edit":
                services.announcements.update(actor, uuid, {"name": f"Renamed {minutes}",
                                                            "message": f"edited at {clock.now()}"})
                succeeded = True
            else:
                after = services.announcements.transition(actor, uuid, action)
                succeeded = True
                assert after.state == TARGET[action]
        except DomainError as error:
            succeeded = False
            if not allowed:
                visible = expected[uuid] in PUBLIC
                assert isinstance(error, NotAllowed if visible else NotFound)
            else:
                assert isinstance(error, InvalidState)
            assert services.announcements.get(manager, uuid) == before  # a refusal changes nothing

        if action == "edit":
            editable = expected[uuid] in (State.DRAFT, State.SCHEDULED, State.IN_PROGRESS)
            assert succeeded == (allowed and editable)
        else:
            assert succeeded == (allowed and expected[uuid] in SOURCES[action])
            if succeeded:
                expected[uuid] = TARGET[action]
        now = services.announcements.get(manager, uuid)
        assert now.state == expected[uuid]
        assert (now.actual_start is not None) == (now.state in (State.IN_PROGRESS, State.COMPLETED))
        assert (now.actual_end is not None) == (now.state == State.COMPLETED)
        if now.state in PUBLIC:
            last_published[uuid] = (now.name, now.message)
        shown = services.announcements.as_published(uuid)
        assert (shown.name, shown.message) == (last_published[uuid] or (published.NEUTRAL_NAME, ""))
