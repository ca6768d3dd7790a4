"""What every domain service shares: the database, the clock, the admins, and who to wake on news.

Operations reach the database through `unit_of_work()` (changes) and `reading()` (answers), see
bot/domain/unit_of_work.py. After each commit that queued notices, whoever asked (`when_notices_queued`) is
woken at once: the dispatcher, the App Homes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.domain.actors import Actor, Reach
from bot.domain.clock import Clock
from bot.domain.silence_policy import SilencePolicy
from bot.domain.unit_of_work import UnitOfWork
from storage.db import Database

NOTICES_QUEUED = "maintbot_notices_queued"
#: How many notices of each kind the transaction queued (kind → count), for whoever counts them.
QUEUED_KINDS = "maintbot_queued_kinds"
#: Reminder lead times unless a provider has its own (MAINTBOT_REMINDERS).
DEFAULT_REMINDER_LEADS = (timedelta(hours=72), timedelta(hours=24), timedelta(hours=1))


@dataclass(frozen=True)
class Context:
    db: Database
    clock: Clock
    admins: frozenset[str] = frozenset()
    reminder_leads: tuple[timedelta, ...] = DEFAULT_REMINDER_LEADS
    #: Alert silences (bot/domain/silences.py); None: the feature is off and nothing about it happens.
    silences: SilencePolicy | None = None
    _wakers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _counters: list[Callable[[Mapping[str, int]], None]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.db.on_commit(self._after_commit)

    def unit_of_work(self, *, durable: bool = True, serialised: bool = False) -> UnitOfWork:
        """A write transaction, committed only by its `commit()`: see storage/transaction.py for the options."""
        return UnitOfWork(
            self.db.transaction(durable=durable, serialised=serialised), self.clock.now(), self.admins
        )

    def reading(self) -> UnitOfWork:
        """A read-only transaction: answers read through it; it never commits anything."""
        return UnitOfWork(self.db.transaction(writes=False), self.clock.now(), self.admins)

    def reach(self, session: Session, actor: Actor) -> Reach:
        """`actor`'s reach, for a session opened outside a unit of work (inside one: `uow.reach`)."""
        return Reach.of(session, actor, self.admins)

    def when_notices_queued(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after each commit that queued notices (the dispatcher wakes up at once)."""
        self._wakers.append(callback)

    def when_queued_count(self, callback: Callable[[Mapping[str, int]], None]) -> None:
        """Call `callback({kind: how many})` after each commit that queued new notices (the figures count them)."""
        self._counters.append(callback)

    def _after_commit(self, session: Session) -> None:
        kinds = session.info.pop(QUEUED_KINDS, None)
        if kinds:
            for count in self._counters:
                count(kinds)
        if session.info.pop(NOTICES_QUEUED, False):
            for wake in self._wakers:
                wake()
