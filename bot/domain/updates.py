"""Progress updates: "nodes 1–4 done, 5–8 in progress", told to everyone following a maintenance without a
change of state.

Rules, stated once here:
- Only the announcement's managers (and admins) post, and only while it is Scheduled or In progress
  (`POSTABLE`): a draft has no audience yet, and finished maintenance has nothing left to report.
- The text is stripped, must say something, and is at most UPDATE_MAX characters (a Slack section's limit,
  so one update is one readable reply).
- An announcement holds at most UPDATES_MAX updates: every view reads the latest one, and a calendar all.
- Posting is one unit of work: the update, its audit event, a new version of the announcement (so every
  copy of its card is re-rendered with the update on it) and one `progress` notice per channel of the
  audience (the provider's channel, subscribed channels, channels that show its card). The notice's key
  names the update, so it is queued once; the dispatcher delivers it after everything queued before it in
  that channel (the card, if not posted yet), as a thread reply under the card.
- Who sees updates: whoever may see the announcement while it is in a public state (Scheduled, In progress,
  Completed); once withdrawn to Draft or cancelled, its managers only. A `progress` notice still queued when
  the announcement leaves the public states is dropped, not delivered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import lookup, notices, published
from bot.domain.actors import Actor, Reach
from bot.domain.context import Context
from bot.domain.enums import PUBLIC_STATES, State
from bot.domain.errors import Invalid, InvalidState, NotFound
from bot.domain.views import AnnouncementView, UpdateView
from storage.models import Announcement, AnnouncementUpdate
from storage.transaction import locked

#: The notice a posted update sends to each channel: the card updated in place, and a reply in its thread.
PROGRESS = "progress"
POSTABLE = (State.SCHEDULED, State.IN_PROGRESS)
UPDATE_MAX = 3000
UPDATES_MAX = 200
EMPTY = "Write what has happened, e.g. “Storage nodes 1–4 done, 5–8 in progress”."
TOO_LONG = f"An update is at most {UPDATE_MAX:,} characters; this one has {{length:,}}. Shorten it, or post two."
TOO_MANY = f"This announcement already has {UPDATES_MAX} updates, the most one can hold."


def checked_message(message: object) -> str:
    """The update's text as it is stored, or Invalid (field `message`) saying what to change."""
    if not isinstance(message, str) or not message.strip():
        raise Invalid.one("message", EMPTY)
    text = message.strip()
    if "\x00" in text:
        raise Invalid.one("message", "An update cannot contain NUL characters.")
    if len(text) > UPDATE_MAX:
        raise Invalid.one("message", TOO_LONG.format(length=len(text)))
    return text


def require_postable(state: State) -> None:
    if state not in POSTABLE:
        raise InvalidState([s.label for s in POSTABLE], state.label)


def shown(view: AnnouncementView) -> bool:
    """Whether the viewer of `view` may see its updates: managers always, everyone else while it is public."""
    return view.can_manage or view.state in PUBLIC_STATES


def update_view(row: AnnouncementUpdate, announcement_uuid: UUID) -> UpdateView:
    return UpdateView(row.uuid, announcement_uuid, row.message, row.author, row.interface, row.created)


def latest(session: Session, announcement_uuids: Iterable[UUID]) -> dict[UUID, UpdateView]:
    """The latest update of each announcement that has one, in two index lookups (no rule about who sees it)."""
    uuids = list(dict.fromkeys(announcement_uuids))
    if not uuids:
        return {}
    newest = (
        select(func.max(AnnouncementUpdate.id))
        .join(Announcement, Announcement.id == AnnouncementUpdate.announcement_id)
        .where(Announcement.uuid.in_(uuids))
        .group_by(AnnouncementUpdate.announcement_id)
    )
    rows = session.execute(
        select(AnnouncementUpdate, Announcement.uuid)
        .join(Announcement, Announcement.id == AnnouncementUpdate.announcement_id)
        .where(AnnouncementUpdate.id.in_(newest))
    )
    return {uuid: update_view(row, uuid) for row, uuid in rows}


def with_latest(session: Session, views: Sequence[AnnouncementView]) -> list[AnnouncementView]:
    """`views` with their latest update filled in, where each one's viewer may see it."""
    found = latest(session, (view.uuid for view in views if shown(view)))
    return [replace(view, latest_update=found[view.uuid]) if view.uuid in found and shown(view) else view
            for view in views]


def published_updates(session: Session, announcement_uuids: Iterable[UUID]) -> dict[UUID, list[UpdateView]]:
    """Every update of the given announcements that the public may see (their announcement in a public state),
    oldest first, by announcement: what a calendar feed or a public page lists. One query."""
    uuids = list(dict.fromkeys(announcement_uuids))
    if not uuids:
        return {}
    rows = session.execute(
        select(AnnouncementUpdate, Announcement.uuid)
        .join(Announcement, Announcement.id == AnnouncementUpdate.announcement_id)
        .where(Announcement.uuid.in_(uuids), Announcement.state.in_([int(s) for s in PUBLIC_STATES]))
        .order_by(AnnouncementUpdate.announcement_id, AnnouncementUpdate.id)
    )
    found: dict[UUID, list[UpdateView]] = {}
    for row, uuid in rows:
        found.setdefault(uuid, []).append(update_view(row, uuid))
    return found


class Updates:
    """The progress-update service: `/maint update`, the card's Post update form and the HTTP API call it."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def post(self, actor: Actor, reference: object, message: object) -> UpdateView:
        """Post an update: checks in the seed's order (not visible, not a manager, wrong state), then the text."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            row = _visible(session, reach, reference, lock=True)
            reach.require_manager(row.provider_id)
            require_postable(State(row.state))
            text = checked_message(message)
            count = session.scalar(
                select(func.count()).select_from(AnnouncementUpdate).where(AnnouncementUpdate.announcement_id == row.id)
            )
            if (count or 0) >= UPDATES_MAX:
                raise Invalid.one("message", TOO_MANY)
            update = AnnouncementUpdate(announcement_id=row.id, message=text, author=actor.id,
                                        interface=actor.interface.value, created=now)
            session.add(update)
            row.sequence += 1  # the card changes (it shows the update): a new version for every copy
            published.record(row)
            session.flush()
            uow.record(actor, "given an update", f"Maintenance announcement {row.name}",
                       announcement_uuid=row.uuid, provider_uuid=row.provider.uuid, changes={"update": ("", text)})
            details = {"update": update.uuid.hex, "message": text, "created": notices.iso_time(now)}
            notices.queue(session, row, PROGRESS, now, refers_to=update.uuid.hex, actor=actor, details=details,
                          known_new=True)
            view = update_view(update, row.uuid)
            uow.commit()
            return view

    def check_postable(self, actor: Actor, reference: object) -> tuple[UUID, str]:
        """Refused as `post` would refuse it, before anyone types an update into a form that could not be posted;
        otherwise the announcement's uuid and name (as its managers see it)."""
        with self.context.reading() as uow:
            reach = uow.reach(actor)
            row = _visible(uow.session, reach, reference)
            reach.require_manager(row.provider_id)
            require_postable(State(row.state))
            return row.uuid, row.name

    def list(self, actor: Actor, reference: object) -> list[UpdateView]:
        """The updates of an announcement the actor may see, oldest first (managers: in every state)."""
        with self.context.reading() as uow:
            session = uow.session
            reach = uow.reach(actor)
            row = _visible(session, reach, reference)
            if not reach.manages(row.provider_id) and State(row.state) not in PUBLIC_STATES:
                return []
            rows = session.scalars(
                select(AnnouncementUpdate).where(AnnouncementUpdate.announcement_id == row.id)
                .order_by(AnnouncementUpdate.id)
            )
            return [update_view(update, row.uuid) for update in rows]

    def published(self, announcement_uuids: Iterable[UUID]) -> dict[UUID, list[UpdateView]]:
        """For calendar feeds: every published update of these announcements, oldest first, by announcement.
        Announcements not in a public state (drafts, cancelled) get none."""
        with self.context.reading() as uow:
            return published_updates(uow.session, announcement_uuids)


def _visible(session: Session, reach: Reach, reference: object, *, lock: bool = False) -> Announcement:
    """The announcement `reference` names, if `reach` may see it (NotFound otherwise)."""
    condition = lookup.uuid_condition(Announcement.uuid, reference)
    if condition is None:
        raise NotFound(f"{str(reference)!r} is not an announcement id (a uuid, or at least 6 of its first hex digits).")
    candidates = select(Announcement.id).where(condition).limit(50).scalar_subquery()
    query = select(Announcement).where(Announcement.id.in_(candidates), reach.visible_announcements())
    if lock:
        query = locked(query, Announcement)
    return lookup.one(session, query, reference, "announcement", lambda r: f"{r.uuid.hex[:8]} {r.name}")
