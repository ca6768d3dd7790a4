"""The card registry: which message in each channel is an announcement's card (`posted_cards`).

One card per announcement and channel: the first one recorded stays (INSERT … ON CONFLICT DO NOTHING, in
each dialect's spelling), so two deliveries racing to post a card agree on one.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, and_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Announcement, PostedCard


def card(session: Session, announcement_uuid: UUID, channel_id: str) -> str | None:
    """The ts of the announcement's card in the channel, if it has one."""
    return session.scalar(
        select(PostedCard.ts).where(
            PostedCard.announcement_uuid == announcement_uuid, PostedCard.channel_id == channel_id
        )
    )


def keep_first(session: Session, announcement_uuid: UUID, channel_id: str, ts: str | None, now: datetime) -> None:
    """Record `ts` as the card in the channel unless one is on record already (which then stays)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"announcement_uuid": announcement_uuid, "channel_id": channel_id, "ts": ts, "created": now}
    session.execute(insert(PostedCard).values(**values).on_conflict_do_nothing())


def forget(session: Session, announcement_uuid: UUID, channel_id: str, ts: str) -> None:
    """That message is no card any more (it was deleted in Slack)."""
    session.execute(
        PostedCard.__table__.delete().where(
            and_(
                PostedCard.announcement_uuid == announcement_uuid,
                PostedCard.channel_id == channel_id,
                PostedCard.ts == ts,
            )
        )
    )


def version_and_card(connection: Connection, announcement_uuid: UUID, channel_id: str) -> tuple[int | None, str | None]:
    """In one statement: the announcement's version (`sequence`; None once deleted) and its card's ts there."""
    version = select(Announcement.sequence).where(Announcement.uuid == announcement_uuid).scalar_subquery()
    ts = (
        select(PostedCard.ts)
        .where(PostedCard.announcement_uuid == announcement_uuid, PostedCard.channel_id == channel_id)
        .scalar_subquery()
    )
    return tuple(connection.execute(select(version, ts)).one())
