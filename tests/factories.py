"""Building announcements the way users do: through the service, never by writing rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.actors import Actor
from bot.domain.enums import Action, State
from bot.domain.service import Services
from bot.domain.views import AnnouncementView

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the test clock starts here, on a Monday
ADMIN_ID = "UADMIN0001"  # the one Slack admin of the test world

PATH_TO = {
    State.DRAFT: [],
    State.SCHEDULED: [Action.SCHEDULE],
    State.IN_PROGRESS: [Action.SCHEDULE, Action.START],
    State.COMPLETED: [Action.SCHEDULE, Action.START, Action.COMPLETE],
    State.CANCELLED: [Action.CANCEL],
}


def announce(services: Services, actor: Actor, state: State = State.DRAFT, **fields: Any) -> AnnouncementView:
    """An announcement of the Cloud provider (unless told otherwise), walked into `state`."""
    now = services.context.clock.now()
    values = {
        "name": "Kernel upgrade",
        "message": "Rolling reboot of the hypervisors.",
        "internal_notes": "Runbook: wiki/kernel",
        "provider": "Cloud",
        "scheduled_start": now + timedelta(days=1),
        "scheduled_end": now + timedelta(days=1, hours=2),
    } | fields
    announcement = services.announcements.create(actor, values)
    for action in PATH_TO[state]:
        announcement = services.announcements.transition(actor, announcement.uuid, action)
    return announcement


def starting_soon(services: Services) -> dict[str, Any]:
    """A window starting within the hour, so that `/maint start` asks nothing first (bot/domain/confirmations.py)."""
    now = services.context.clock.now()
    return {"scheduled_start": now + timedelta(minutes=30), "scheduled_end": now + timedelta(hours=2)}
