"""Second thoughts: transitions that are allowed but are probably a mistake, so an interface asks first.

Publishing a window that has already ended tells everyone about maintenance that is over; starting more
than EARLY_START before the scheduled start tells everyone the work began hours early (and stamps that
start into statistics). Both are sometimes right (a late record, an early window agreed with users), so the
domain only names the doubt; Slack asks the person to confirm, the HTTP API (automation, the seed's
client) never asks. Pure functions: no database, no clock of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.enums import Action, State
from bot.domain.views import AnnouncementView

#: Starting earlier than this before the scheduled start is worth a second thought.
EARLY_START = timedelta(hours=1)
ENDED, EARLY = "ended", "early"
#: The transitions that may deserve a question at all.
DOUBTED = frozenset({Action.SCHEDULE, Action.START})


@dataclass(frozen=True)
class Doubt:
    """Why a transition deserves a confirmation: `kind` (ENDED, EARLY) and the moment it is about."""

    kind: str
    moment: datetime


def doubt(action: Action, state: State, start: datetime, end: datetime, now: datetime) -> Doubt | None:
    """The reason to ask before `action` on an announcement in `state` with window `start`–`end`, at `now`;
    None when there is nothing to ask (including when the transition is not allowed at all: the domain's
    refusal says so better than a question would)."""
    if action is Action.SCHEDULE and state is State.DRAFT and end < now:
        return Doubt(ENDED, end)
    if action is Action.START and state is State.SCHEDULED and now < start - EARLY_START:
        return Doubt(EARLY, start)
    return None


def doubt_about(action: Action, view: AnnouncementView, now: datetime) -> Doubt | None:
    """`doubt` for a view its reader manages (anyone else is refused by the transition, not asked)."""
    if not view.can_manage:
        return None
    return doubt(action, view.state, view.scheduled_start, view.scheduled_end, now)
