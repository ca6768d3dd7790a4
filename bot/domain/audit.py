"""The audit trail: one event per change, saying who did what through which interface.

The interface is where the action really came from. `maintbot console` runs Slack's own listeners, but from
a terminal, against a stand-in for Slack, as any user id typed there (`/as U…`), and it may be pointed at a
shared database: its actions are recorded as `console`, never as `slack`, so that the trail never claims that
someone did in Slack what was typed in a console.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.actors import Actor
from bot.domain.views import EventView
from storage.models import Event


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject: str,
    now: datetime,
    *,
    announcement_uuid: UUID | None = None,
    provider_uuid: UUID | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Write one audit event in the caller's transaction (so it exists exactly when the change does)."""
    details = ""
    if changes:
        details = ". Details: " + ", ".join(f"{name}: {old} -> {new}" for name, (old, new) in changes.items())
    session.add(
        Event(
            announcement_uuid=announcement_uuid,
            provider_uuid=provider_uuid,
            actor=actor.id,
            interface=actor.interface.value,
            action=action,
            message=f"{subject} has been {action}{details}",
            changes={name: [str(old), str(new)] for name, (old, new) in (changes or {}).items()},
            created=now,
        )
    )


def history(session: Session, announcement_uuid: UUID) -> list[EventView]:
    rows = session.scalars(select(Event).where(Event.announcement_uuid == announcement_uuid).order_by(Event.id))
    return [EventView(e.created, e.actor, e.interface, e.action, e.message, e.changes) for e in rows]
