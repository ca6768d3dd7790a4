"""Two people pressing at once: of two racing transitions exactly one wins, on both backends."""

from __future__ import annotations

import threading

import pytest

from bot.domain.enums import Action, State
from bot.domain.errors import InvalidState
from tests.factories import announce

ROUNDS = 10


def race(services, actor, announcement_uuid, actions):
    """Run the actions in parallel threads released together; return each outcome (state or error)."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def press(index, action):
        barrier.wait()
        try:
            outcomes[index] = services.announcements.transition(actor, announcement_uuid, action).state
        except InvalidState as error:
            outcomes[index] = error

    threads = [threading.Thread(target=press, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.parametrize("actions", [(Action.START, Action.START), (Action.START, Action.CANCEL)],
                         ids=["start-start", "start-cancel"])
def test_of_two_concurrent_transitions_exactly_one_wins(services, world, cloud_manager, actions):
    for _ in range(ROUNDS):
        announcement = announce(services, cloud_manager, State.SCHEDULED)

        outcomes = race(services, cloud_manager, announcement.uuid, actions)

        winners = [o for o in outcomes if isinstance(o, State)]
        losers = [o for o in outcomes if isinstance(o, InvalidState)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        final = services.announcements.get(cloud_manager, announcement.uuid)
        assert final.state == winners[0]
        events = [e.action for e in services.announcements.history(cloud_manager, announcement.uuid)]
        assert len([e for e in events if e in ("started", "cancelled")]) == 1
