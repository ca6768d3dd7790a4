"""What the fault tests and the load bench share: Slack outages on the stand-in, PostgreSQL restarts, and
the checks that nothing was lost, duplicated, reordered or left stale.

- `SlackOutage` cycles the SlackStandIn through failure modes (5xx, answers lost after Slack did the work,
  connections dropped where it did nothing, history reads failing while post answers are lost).
- `postgres(...)` stops, starts or restarts the local PostgreSQL cluster (`pg_ctlcluster`, cluster
  `MAINTBOT_TEST_POSTGRES_CLUSTER`, default "15 main"), for the disruptive test only; `postgres_down()`
  guarantees it is started again whatever happens.
- `delivered(...)`, `out_of_order(...)` and `stale_cards(...)` read what people in Slack see off the
  stand-in and compare it with the outbox and the announcements in the database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.console.standin import Fault, Message, SlackStandIn
from bot.domain.actors import Actor
from bot.domain.enums import Interface
from bot.domain.errors import NotFound
from bot.domain.service import Services
from bot.slack.delivery import CARD_EVENT, NOTICE_EVENT
from bot.slack.notices import card as channel_card
from storage.db import Database
from storage.models import Notice, PostedCard

SYSTEM = Actor.system(Interface.SCHEDULER)

# -- Slack failing ---------------------------------------------------------------------------------

READS = ("conversations.history", "conversations.replies")


@dataclass(frozen=True)
class Mode:
    """One way for the Web API to fail: the stand-in's faults while it lasts (first match wins)."""

    name: str
    faults: tuple[Fault, ...]


def _everything(**kwargs) -> Fault:
    return Fault(times=None, **kwargs)


MODES = (
    Mode("HTTP 500 internal_error", (_everything(status=500, error="internal_error"),)),
    Mode("answers lost; Slack did the work", (_everything(drop=True),)),
    Mode("history reads 503; post answers lost after Slack did the work",
         (*(Fault(method=method, status=503, error="service_unavailable", times=None) for method in READS),
          _everything(drop=True))),
    Mode("HTTP 502", (_everything(status=502, error="fatal_error"),)),
    Mode("connections dropped; Slack did nothing", (_everything(status=503, error="service_unavailable", drop=True),)),
    Mode("HTTP 503 service_unavailable", (_everything(status=503, error="service_unavailable"),)),
)


class SlackOutage:
    """The stand-in failing in every call, switching failure mode at each step of simulated time."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self.mode: Mode | None = None
        self.steps: Counter[str] = Counter()

    def step(self, number: int) -> Mode:
        self.mode = MODES[number % len(MODES)]
        self.standin.clear_faults()
        for fault in self.mode.faults:
            self.standin.fail(**vars(fault))
        self.steps[self.mode.name] += 1
        return self.mode

    def settle(self) -> None:
        """Wait until the stand-in has finished the slow answers the client gave up on."""
        self.standin.settled()

    def end(self) -> None:
        self.settle()
        self.standin.clear_faults()
        self.mode = None


# -- PostgreSQL restarting -------------------------------------------------------------------------

PG_CTL = ("pg_ctlcluster", "--skip-systemctl-redirect",
          *os.environ.get("MAINTBOT_TEST_POSTGRES_CLUSTER", "15 main").split())


def postgres_controllable() -> str | None:
    """Why the local PostgreSQL cannot be stopped and started from here, or None when it can."""
    if shutil.which(PG_CTL[0]) is None:
        return f"{PG_CTL[0]} is not installed"
    status = subprocess.run([*PG_CTL, "status"], capture_output=True, text=True, timeout=30)
    if status.returncode != 0:
        return f"{' '.join(PG_CTL)} status: {(status.stdout + status.stderr).strip()}"
    return None


def postgres(action: str) -> None:
    """`stop` (fast: sessions are terminated), `start` or `restart` the cluster; waits until it is done."""
    extra = ["-m", "fast"] if action in ("stop", "restart") else []
    subprocess.run([*PG_CTL, action, *extra], check=True, capture_output=True, timeout=120)


@contextmanager
def postgres_down() -> Iterator[None]:
    """PostgreSQL stopped inside the block, and started again afterwards, whatever happened inside."""
    postgres("stop")
    try:
        yield
    finally:
        postgres("start")


# -- what reached Slack ----------------------------------------------------------------------------


def marker(message: Message) -> tuple[str, str] | None:
    """(event type, notice key) of a message maintbot posted: cards carry the key of the notice that posted them."""
    metadata = message.metadata or {}
    key = (metadata.get("event_payload") or {}).get("key")
    if metadata.get("event_type") in (CARD_EVENT, NOTICE_EVENT) and key:
        return metadata["event_type"], key
    return None


def public_messages(standin: SlackStandIn) -> list[Message]:
    with standin._lock:
        return [message for message in standin.messages if message.user is None]


def notices(db: Database) -> list[Notice]:
    with db.read() as session:
        return list(session.scalars(select(Notice).order_by(Notice.id)))


@dataclass
class Delivery:
    """How the outbox compares with what the stand-in holds."""

    notices: int  # rows in the outbox
    sent: int
    lost: list[str]  # keys of notices due by now and not in Slack: failed, still pending, or "sent" unseen
    duplicated: dict[tuple[str, str], int]  # (event type, key) seen more than once in Slack
    statuses: Counter

    @property
    def ok(self) -> bool:
        return not self.lost and not self.duplicated


def delivered(db: Database, standin: SlackStandIn, now: datetime) -> Delivery:
    """Every notice due by `now` sent exactly once: its message is in Slack once (a card it posted counts apart).

    Notices not due yet (reminders of later starts) are not counted as lost; dropped ones (no longer true when
    their turn came, like a reminder of a start that moved) are not either: the outbox says why.
    """
    rows = notices(db)
    seen = Counter(filter(None, (marker(message) for message in public_messages(standin))))
    keys_seen = {key for _kind, key in seen}
    lost = [
        row.key for row in rows
        if row.status == "failed"
        or (row.status == "pending" and row.next_attempt <= now)
        or (row.status == "sent" and row.key not in keys_seen)
    ]
    return Delivery(
        notices=len(rows),
        sent=sum(1 for row in rows if row.status == "sent"),
        lost=lost,
        duplicated={marked: count for marked, count in seen.items() if count > 1},
        statuses=Counter(row.status for row in rows),
    )


def out_of_order(db: Database, standin: SlackStandIn) -> list[str]:
    """Announcements whose messages in a channel (card and thread) did not arrive in the order they were queued."""
    order = {row.key: (row.id, row.announcement_uuid) for row in notices(db)}
    arrived: dict[tuple[str, object], list[int]] = defaultdict(list)
    for message in public_messages(standin):  # the stand-in keeps them in the order Slack received them
        marked = marker(message)
        if marked and marked[1] in order:
            notice_id, announcement = order[marked[1]]
            arrived[(message.channel, announcement)].append(notice_id)
    return [f"{channel} {announcement}: {ids}" for (channel, announcement), ids in arrived.items()
            if ids != sorted(ids)]


def stale_cards(services: Services, standin: SlackStandIn, page: str | None = None) -> list[str]:
    """Cards in Slack that do not show their announcement as the database has it now (`page`: the status page
    the cards link to, when the process posting them has MAINTBOT_BASE_URL)."""
    with services.context.db.read() as session:
        posted = list(session.scalars(select(PostedCard)))
    stale = []
    for card in posted:
        try:
            view = services.announcements.get(SYSTEM, card.announcement_uuid)
        except NotFound:
            view = None
        message = standin.message(card.channel_id, card.ts)
        if message is None:
            stale.append(f"{card.channel_id} {card.ts}: no such message in Slack")
            continue
        if view is None:  # deleted: the short card names it as it was, which the database no longer knows
            if not message.text.startswith("🗑️"):
                stale.append(f"{card.channel_id} {card.ts}: shows {message.text[:80]!r}, database says deleted")
            continue
        text, blocks = channel_card(view, view.name, view.short_id, page)
        if message.text != text or message.blocks != [block.to_dict() for block in blocks]:
            stale.append(f"{card.channel_id} {card.ts}: shows {message.text[:80]!r}, database says {view.state.label}")
    return stale
