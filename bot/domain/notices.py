"""Notices: what channels are told about an announcement, queued in the outbox with the change.

A notice is a row in `notices`, written in the same transaction as the change that causes it, one per
channel; delivery is the dispatcher's job alone (bot/slack/delivery.py). Its unique key names the
announcement, the kind, and the version or scheduled time it refers to, so the same notice can never be
queued twice. Only published announcements are told to channels: drafts are private to their managers.

Kinds: the state changes of TRANSITION_NOTICES and `for_update` (each updates the card in place and
adds a thread reply), and the ones the clock causes: `reminder` (queued at publication for each lead
time still ahead, due at start − lead; re-armed when the start moves), `due` (the provider channel is
nudged when a Scheduled announcement reaches its start), `overrun` (In progress past its end, once per
end time), `summary` (the weekly summary, bound to no announcement) and `summary_chart` (its picture,
queued with it, so it follows it in the channel and is retried on its own).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from bot.domain.actors import Actor
from bot.domain.context import NOTICES_QUEUED, QUEUED_KINDS
from bot.domain.enums import Action, State
from bot.domain.lifecycle import DEEDS, OUTCOMES
from bot.domain.validation import parse_lead_times
from storage.models import AffectedOffering, Announcement, Notice, PostedCard, Provider, Subscription

#: The notice each transition sends: its outcome (`withdrawn`), in the lifecycle's words.
TRANSITION_NOTICES: dict[Action, str] = OUTCOMES
LIVE = (State.SCHEDULED, State.IN_PROGRESS)
REMINDER, DUE, OVERRUN, SUMMARY = "reminder", "due", "overrun", "summary"
#: The weekly summary's chart: a notice of its own, right behind the summary in the same channel.
SUMMARY_CHART = "summary_chart"
#: Kinds that change what the card shows: it is re-rendered and updated in place before the thread reply.
CHANGES = tuple(DEEDS)
PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"


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


def audience(session: Session, announcement: Announcement, *, with_cards: bool = False) -> list[str]:
    """The provider's channel, then every channel subscribed to an affected offering or to the provider.

    `with_cards` adds the channels that already show the announcement's card (one that unsubscribed since
    still has a card to keep current). One query.
    """
    return audiences(session, [announcement.id], with_cards=with_cards).get(announcement.id, [])


def audiences(session: Session, ids: list[int], *, with_cards: bool = False) -> dict[int, list[str]]:
    """`audience` of each of these announcements (by id), in one query for them all: the tick's overrun alerts
    go to several announcements' audiences at once."""
    if not ids:
        return {}
    chosen = Announcement.id.in_(ids)
    offerings = select(AffectedOffering.offering_id).where(AffectedOffering.announcement_id == Announcement.id)
    parts = [
        select(Announcement.id, Provider.channel_id, literal(0).label("part"), literal(0).label("position"))
        .join(Provider, Provider.id == Announcement.provider_id)
        .where(chosen),
        select(Announcement.id, Subscription.channel_id, literal(1), Subscription.id)
        .join(
            Subscription,
            or_(Subscription.provider_id == Announcement.provider_id, Subscription.offering_id.in_(offerings)),
        )
        .where(chosen),
    ]
    if with_cards:
        parts.append(
            select(Announcement.id, PostedCard.channel_id, literal(2), PostedCard.id)
            .join(PostedCard, PostedCard.announcement_uuid == Announcement.uuid)
            .where(chosen)
        )
    everyone = union_all(*parts).subquery()
    found: dict[int, dict[str, None]] = {}
    for announcement_id, channel in session.execute(
        select(everyone.c.id, everyone.c.channel_id).order_by(everyone.c.id, everyone.c.part, everyone.c.position)
    ):
        found.setdefault(announcement_id, {})[channel] = None
    return {announcement_id: list(channels) for announcement_id, channels in found.items()}


def key_of(subject: str, kind: str, refers_to: str, channel: str) -> str:
    return f"{subject}:{kind}:{refers_to}:{channel}"


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
    known_new: bool = False,
) -> int:
    """Queue `kind` for every channel of the audience; a key already queued is skipped. Returns how many.

    `known_new`: the caller checked, holding the announcement, that none of these is queued yet.
    """
    if channels is not None and not channels:
        return 0
    existing = set() if known_new else set(
        session.scalars(select(Notice.key).where(Notice.announcement_uuid == announcement.uuid, Notice.kind == kind))
    )
    payload = {"name": announcement.name, **(details or {})}
    if actor is not None:
        payload |= {"actor": actor.id, "interface": actor.interface.value}
    rows = [
        notice_row(key, announcement.uuid, kind, channel, payload, due or now, now)
        for channel in (channels if channels is not None else audience(session, announcement, with_cards=True))
        if (key := key_of(announcement.uuid.hex, kind, refers_to, channel)) not in existing
    ]
    return insert_all(session, rows)


def insert_all(session: Session, rows: list[dict[str, Any]]) -> int:
    """Queue these notices (`notice_row`s) with one INSERT of many rows, in their order (a channel's notices go out in
    the order of their ids). Returns how many. A key already taken raises IntegrityError here."""
    if not rows:
        return 0
    session.execute(insert(Notice), rows)
    queued = session.info.setdefault(QUEUED_KINDS, {})
    for row in rows:
        queued[row["kind"]] = queued.get(row["kind"], 0) + 1
    session.info[NOTICES_QUEUED] = True
    return len(rows)


def queue_summary(
    session: Session, channel: str, refers_to: str, figures: dict[str, Any], now: datetime, *, chart: bool = True
) -> bool:
    """Queue one weekly summary for `channel`, and its chart right behind it (`chart`); False when that summary
    was queued already. Two notices, so that a chart Slack refuses (no `files:write` yet) never holds the words
    back, and each goes out once: the channel's order delivers the summary first."""
    key = key_of(SUMMARY, SUMMARY, refers_to, channel)
    if session.scalar(select(Notice.id).where(Notice.key == key)) is not None:
        return False
    rows = [notice_row(key, None, SUMMARY, channel, figures, now, now)]
    if chart:  # right behind it: a channel's notices go out in the order of their ids
        rows.append(notice_row(key_of(SUMMARY, SUMMARY_CHART, refers_to, channel), None, SUMMARY_CHART, channel,
                               figures, now, now))
    insert_all(session, rows)
    return True


def notice_row(
    key: str, subject, kind: str, channel: str, payload: dict, due: datetime, now: datetime
) -> dict[str, Any]:
    """A notice's columns, pending and never tried."""
    return {
        "key": key,
        "announcement_uuid": subject,
        "kind": kind,
        "channel_id": channel,
        "payload": payload,
        "status": PENDING,
        "attempts": 0,
        "due": due,
        "next_attempt": due,
        "last_error": "",
        "created": now,
    }


# -- reminders -------------------------------------------------------------------------------------


def lead_times(session: Session, announcement: Announcement, default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
    """The provider's own lead times when it has them, else the configured ones (also when the stored ones
    break today's rule, e.g. longer than LEAD_MAX: saved before the rule was)."""
    own = session.scalar(select(Provider.reminders).where(Provider.id == announcement.provider_id))
    try:
        return parse_lead_times(own) if own else default
    except ValueError:
        return default


def lead_label(lead: timedelta) -> str:
    """'72h', '30m', '2d' — how a lead time is written into keys (stable, human-readable)."""
    minutes = int(lead.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def arm_reminders(session: Session, announcement: Announcement, now: datetime, leads: tuple[timedelta, ...]) -> int:
    """Queue a reminder for every lead time still ahead of the scheduled start; returns how many are armed.

    Reminders of any other start are dropped first. A lead time already reached now gets none: a reminder
    says something only when it comes later than the news. A reminder dropped earlier for this same start
    (withdrawn, then published again) is revived rather than queued anew, since its key is taken.
    """
    drop_reminders(session, announcement.uuid)
    start = announcement.scheduled_start
    channels = audience(session, announcement, with_cards=True)
    armed = 0
    for lead in leads:
        due = start - lead
        if due <= now:
            continue
        refers_to = f"{lead_label(lead)}@{iso_time(start)}"
        keys = [key_of(announcement.uuid.hex, REMINDER, refers_to, channel) for channel in channels]
        session.execute(
            update(Notice)
            .where(Notice.key.in_(keys), Notice.status == DROPPED)
            .values(status=PENDING, attempts=0, due=due, next_attempt=due, claim_token=None, last_error="")
            .execution_options(synchronize_session=False)
        )
        details = {"lead_minutes": int(lead.total_seconds() // 60), "scheduled_start": iso_time(start)}
        queue(session, announcement, REMINDER, now, refers_to=refers_to, channels=channels, due=due, details=details)
        armed += 1
    return armed


def drop_reminders(session: Session, announcement_uuid) -> int:
    """Reminders not yet sent are dropped: the announcement left Scheduled, moved, or is gone."""
    return session.execute(
        update(Notice)
        .where(Notice.announcement_uuid == announcement_uuid, Notice.kind == REMINDER, Notice.status == PENDING)
        .values(status=DROPPED, last_error="no longer due: the announcement changed")
        .execution_options(synchronize_session=False)
    ).rowcount


def after_transition(session: Session, announcement: Announcement, action: Action, now: datetime, leads) -> None:
    """Publishing arms the reminders; leaving Scheduled in any other way drops them."""
    if action is Action.SCHEDULE:
        arm_reminders(session, announcement, now, lead_times(session, announcement, leads))
    elif action in (Action.UNSCHEDULE, Action.START, Action.CANCEL):
        drop_reminders(session, announcement.uuid)


def after_update(session: Session, announcement: Announcement, changes: dict, now: datetime, leads) -> None:
    """Moving the start of a published announcement re-arms its reminders for the new start."""
    if State(announcement.state) is State.SCHEDULED and "scheduled_start" in changes:
        arm_reminders(session, announcement, now, lead_times(session, announcement, leads))


def iso_time(value: datetime) -> str:
    """How a time is written into notice keys and payloads (and compared with them)."""
    return value.isoformat()


#: The name announcements.py still calls it by.
moment = iso_time
