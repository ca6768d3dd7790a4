"""The announcement's lifecycle as plain data and pure functions: no database, no clock, no interface.

The transition table (DESIGN §2), what an actor may do in each state, how far Extend pushes an end, and
the words for what was done. Interfaces render these answers (card buttons, the App Home's next step,
confirmations, thread replies, the HTTP API's `detail`) and never restate them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from bot.domain.enums import EDITABLE_STATES, Action, State

#: action → (the states it may leave, the state it enters). Everything else is refused.
TRANSITIONS: dict[Action, tuple[frozenset[State], State]] = {
    Action.SCHEDULE: (frozenset({State.DRAFT}), State.SCHEDULED),
    Action.UNSCHEDULE: (frozenset({State.SCHEDULED}), State.DRAFT),
    Action.START: (frozenset({State.SCHEDULED}), State.IN_PROGRESS),
    Action.COMPLETE: (frozenset({State.IN_PROGRESS}), State.COMPLETED),
    Action.CANCEL: (frozenset({State.DRAFT, State.SCHEDULED}), State.CANCELLED),
}
#: What Extend offers (the overrun alert's buttons): how far one press pushes back the scheduled end.
EXTENSIONS = (timedelta(minutes=30), timedelta(hours=1))

#: The two things a manager may do that are not transitions: edit (in EDITABLE_STATES) and delete (always).
EDIT, DELETE = "edit", "delete"
#: The order actions are offered in: the step forward, then editing, then the ways back and out.
OFFERED = (Action.SCHEDULE, Action.START, Action.COMPLETE, EDIT, Action.UNSCHEDULE, Action.CANCEL, DELETE)
#: Steps that take an announcement forward and lose nothing: safe to offer without a confirm dialog.
FORWARD = frozenset({Action.SCHEDULE, Action.START, Action.COMPLETE})


def allows(state: State, verb: str) -> bool:
    """Whether an announcement in `state` can take `verb` (a transition, edit or delete) at all."""
    if verb == DELETE:
        return True
    if verb == EDIT:
        return state in EDITABLE_STATES
    return verb in TRANSITIONS and state in TRANSITIONS[Action(verb)][0]


def available(state: State, *, manager: bool) -> tuple[str, ...]:
    """The actions an actor may take on an announcement in `state`, in the order they are offered.

    Only the announcement's managers (and admins) change it; everyone else may only read.
    """
    if not manager:
        return ()
    return tuple(verb for verb in OFFERED if allows(state, verb))


def next_steps(state: State, *, manager: bool) -> tuple[str, ...]:
    """The safe part of `available`: the step forward and Edit, nothing that withdraws or removes."""
    return tuple(verb for verb in available(state, manager=manager) if verb in FORWARD or verb == EDIT)


# -- the words for what was done -------------------------------------------------------------------

#: The seed API's words for a finished action ("Maintenance announcement has been unscheduled"), which the
#: audit trail records as the event's action too.
PAST_TENSE: dict[Action, str] = {
    Action.SCHEDULE: "scheduled",
    Action.UNSCHEDULE: "unscheduled",
    Action.START: "started",
    Action.COMPLETE: "completed",
    Action.CANCEL: "cancelled",
}
#: What each transition is called once done; it is also the kind of the notice it sends.
OUTCOMES: dict[Action, str] = {
    Action.SCHEDULE: "published",
    Action.UNSCHEDULE: "withdrawn",
    Action.START: "started",
    Action.COMPLETE: "completed",
    Action.CANCEL: "cancelled",
}


class Deed(NamedTuple):
    """Someone did something to an announcement: the verb in the simple past, and what it was done to."""

    verb: str
    what: str

    def __str__(self) -> str:
        return f"{self.verb} {self.what}"


#: Every change people are told about, by outcome: confirmations and thread replies say these words.
DEEDS: dict[str, Deed] = {
    "published": Deed("published", "the announcement"),
    "withdrawn": Deed("withdrew", "the announcement"),
    "started": Deed("started", "the maintenance"),
    "completed": Deed("completed", "the maintenance"),
    "cancelled": Deed("cancelled", "the maintenance"),
    "rescheduled": Deed("rescheduled", "the maintenance"),
    "extended": Deed("extended", "the maintenance"),
    "updated": Deed("updated", "the announcement"),
    "deleted": Deed("deleted", "the announcement"),
}


def outcome(action: Action) -> Deed:
    """The words for a transition once done (`withdrew the announcement`)."""
    return DEEDS[OUTCOMES[action]]
