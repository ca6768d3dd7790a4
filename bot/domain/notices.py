"""Notices: what channels are told about an announcement, queued in the outbox with the change.

A notice is a row in `notices`, written in the same transaction as the change that causes it, one per
channel; delivery is the dispatcher's job alone. Its unique key names the announcement, the kind, and
the version or scheduled time it refers to, so the same notice can never be queued twice.
Only published announcements are told to channels: drafts are private to their managers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.actors import Actor
from bot.domain.context import NOTICES_QUEUED
from bot.domain.enums import Action, State
from storage.models import AffectedOffering, Announcement, Notice, Provider, Subscription

#: The notice each transition sends, by the state it leaves (None: nobody outside managers knew).
TRANSITION_NOTICES: dict[Action, str] = {
    Action.SCHEDULE: "published",
    Action.UNSCHEDULE: "withdrawn",
    Action.START: "started",
    Action.COMPLETE: "completed",
    Action.CANCEL: "cancelled",
}
LIVE = (State.SCHEDULED, State.IN_PROGRESS)


def for_transition(action: Action, source: State) -> str | None:
    """Cancelling a draft tells no one; every other transition is news."""
    if action is Action.CANCEL and source is State.DRAFT:
        return None
    return TRANSITION_NOTICES[action]


def for_update(state: State, changes: dict[str, tuple[Any, Any]]) -> str | None:
    """The notice an edit of a published announcement sends: rescheduled, extended or updated."""
    if state not in LIVE or not changes:
        return None
    moved = {"scheduled_start", "scheduled_end"} & set(changes)
    if not moved:
        return "updated"
    if state is State.IN_PROGRESS and moved == {"scheduled_end"}:
        old_end, new_end = changes["scheduled_end"]
        if new_end > old_end:
            return "extended"
    return "rescheduled"


def audience(session: Session, announcement: Announcement) -> list[str]:
    """The provider's channel, then every channel subscribed to an affected offering or to the provider."""
    offerings = select(AffectedOffering.offering_id).where(AffectedOffering.announcement_id == announcement.id)
    subscribed = session.scalars(
        select(Subscription.channel_id)
        .where(or_(Subscription.offering_id.in_(offerings), Subscription.provider_id == announcement.provider_id))
        .order_by(Subscription.id)
    )
    provider_channel = session.scalar(select(Provider.channel_id).where(Provider.id == announcement.provider_id))
    return list(dict.fromkeys([provider_channel, *subscribed]))


def queue(
    session: Session,
    announcement: Announcement,
    kind: str,
    now: datetime,
    *,
    refers_to: str,
    actor: Actor | None = None,
    channels: list[str] | None = None,
    due: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Queue `kind` for every channel of the audience; a key already queued is skipped. Returns how many."""
    existing = set(
        session.scalars(select(Notice.key).where(Notice.announcement_uuid == announcement.uuid, Notice.kind == kind))
    )
    payload = {"name": announcement.name, **(details or {})}
    if actor is not None:
        payload |= {"actor": actor.id, "interface": actor.interface.value}
    queued = 0
    for channel in channels if channels is not None else audience(session, announcement):
        key = f"{announcement.uuid.hex}:{kind}:{refers_to}:{channel}"
        if key in existing:
            continue
        session.add(
            Notice(
                key=key,
                announcement_uuid=announcement.uuid,
                kind=kind,
                channel_id=channel,
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt=due or now,
                last_error="",
                created=now,
            )
        )
        queued += 1
    session.flush()
    if queued:
        session.info[NOTICES_QUEUED] = True
    return queued


def moment(value: datetime) -> str:
    """How a time is written into keys and payloads."""
    return value.isoformat()
