"""What people in Slack would see, read off the stand-in."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.models import Notice


def cards_in(standin, channel: str):
    """Top-level messages of a channel (cards and summaries), oldest first."""
    return standin.posts_in(channel, threads=False)


def replies_in(standin, channel: str, card) -> list[str]:
    return [message.text for message in standin.thread(channel, card.ts)]


def header(message) -> str:
    return message.blocks[0]["text"]["text"]


def notices(db, kind: str | None = None) -> list[Notice]:
    with db.read() as session:
        query = select(Notice).order_by(Notice.id)
        if kind is not None:
            query = query.where(Notice.kind == kind)
        return list(session.scalars(query))


def posts(standin) -> list:
    """Every chat.postMessage call that reached the stand-in."""
    return standin.calls_to("chat.postMessage")


def eventually(condition, within: float) -> bool:
    """For the few tests of real threads and processes: wait until `condition()` holds, at most `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())
