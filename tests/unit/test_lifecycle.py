"""The lifecycle's answers (what an actor may do in each state) follow from the transition table alone."""

from __future__ import annotations

import pytest

from bot.domain.enums import EDITABLE_STATES, Action, State
from bot.domain.lifecycle import (
    DEEDS,
    DELETE,
    EDIT,
    OUTCOMES,
    PAST_TENSE,
    TRANSITIONS,
    allows,
    available,
    next_steps,
    outcome,
)
from bot.domain.notices import CHANGES, TRANSITION_NOTICES, for_transition


@pytest.mark.parametrize("state", list(State))
def test_a_manager_may_take_every_transition_from_its_source_states_and_no_other(state):
    offered = available(state, manager=True)

    assert {verb for verb in offered if verb in set(Action)} == {
        action for action, (sources, _) in TRANSITIONS.items() if state in sources
    }


@pytest.mark.parametrize("state", list(State))
def test_edit_is_offered_in_the_editable_states_and_delete_in_every_state(state):
    offered = available(state, manager=True)

    assert (EDIT in offered) == (state in EDITABLE_STATES)
    assert offered[-1] == DELETE


@pytest.mark.parametrize("state", list(State))
def test_anyone_but_a_manager_may_take_no_action(state):
    assert available(state, manager=False) == ()
    assert next_steps(state, manager=False) == ()


def test_the_final_states_offer_only_delete():
    assert available(State.COMPLETED, manager=True) == (DELETE,)
    assert available(State.CANCELLED, manager=True) == (DELETE,)


def test_actions_come_in_card_order_step_forward_first_then_edit_then_the_ways_back_and_out():
    assert available(State.DRAFT, manager=True) == ("schedule", "edit", "cancel", "delete")
    assert available(State.SCHEDULED, manager=True) == ("start", "edit", "unschedule", "cancel", "delete")
    assert available(State.IN_PROGRESS, manager=True) == ("complete", "edit", "delete")


@pytest.mark.parametrize("state", list(State))
def test_the_safe_next_steps_never_withdraw_cancel_or_delete(state):
    steps = next_steps(state, manager=True)

    assert set(steps) <= set(available(state, manager=True))
    assert not {Action.UNSCHEDULE, Action.CANCEL, DELETE} & set(steps)


def test_allows_refuses_an_unknown_verb():
    assert not allows(State.DRAFT, "teleport")


def test_every_transition_has_the_seed_api_word_and_an_outcome_with_words():
    assert set(PAST_TENSE) == set(OUTCOMES) == set(Action)
    assert str(outcome(Action.UNSCHEDULE)) == "withdrew the announcement"
    assert str(outcome(Action.START)) == "started the maintenance"


def test_notices_speak_the_lifecycle_vocabulary():
    assert TRANSITION_NOTICES == OUTCOMES
    assert set(CHANGES) == set(DEEDS)
    assert for_transition(Action.CANCEL, State.DRAFT) is None  # a draft cancelled unseen tells no one
    assert for_transition(Action.CANCEL, State.SCHEDULED) == "cancelled"
