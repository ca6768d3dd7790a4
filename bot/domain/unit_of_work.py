"""The unit of work: one operation, one transaction, committed once, when the operation says so.

Every domain operation that changes something opens one and ends with `uow.commit()`:

    with self.context.unit_of_work() as uow:
        reach = uow.reach(actor)              # who may do what, looked up once
        row = ...                             # the change, written to uow.session
        uow.record(actor, "updated", ...)     # its audit event
        notices.queue(uow.session, ...)       # its notices for channels
        view = ...                            # the answer, read before the commit
        uow.commit()                          # all of it, or (any refusal or error before this) none of it

The change, its audit event and its notices share one session, so they commit together by construction.
An operation made of others (extend is an update; a new announcement from a template reads the template and
creates) passes its unit of work down instead of opening a second one. Reads open one too
(`context.reading()`) and simply never commit. How the transaction begins, whether it must reach the disk
before it is acknowledged and which writers take turns are storage's business (storage/transaction.py).

There is no repository per table in front of the session: SQLAlchemy's session already is one (an identity
map that tracks what changed), and the queries that are storage mechanics rather than rules — row locks,
leases, dialect spellings — are in storage/ (transaction.py, queue.py, cards.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from sqlalchemy.orm import Session

from bot.domain import audit
from bot.domain.actors import Actor, Reach
from storage.transaction import Transaction


class UnitOfWork:
    """A transaction plus what the domain records in it: the moment it happens, who may act, the audit trail."""

    def __init__(self, transaction: Transaction, now: datetime, admins: frozenset[str]) -> None:
        self._transaction = transaction
        self._admins = admins
        self._reaches: dict[Actor, Reach] = {}
        #: The moment of this operation, read from the clock once: every timestamp it writes is this one.
        self.now = now

    def __enter__(self) -> Self:
        self._transaction.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._transaction.__exit__(*exc)

    @property
    def session(self) -> Session:
        """What the operation reads and writes through; nothing of it lasts without `commit()`."""
        return self._transaction.session

    def commit(self) -> None:
        """Write the change, its audit events and its notices at once."""
        self._transaction.commit()

    def reach(self, actor: Actor) -> Reach:
        """The providers `actor` manages, looked up once per unit of work."""
        if actor not in self._reaches:
            self._reaches[actor] = Reach.of(self.session, actor, self._admins)
        return self._reaches[actor]

    def require_admin(self, actor: Actor, refusal: str) -> None:
        """Refuse (NotAllowed, saying `refusal`) anyone but a maintbot admin."""
        self.reach(actor).require_admin(refusal)

    def record(
        self,
        actor: Actor,
        action: str,
        subject: str,
        *,
        announcement_uuid: UUID | None = None,
        provider_uuid: UUID | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """The audit event of this change, in this transaction: it exists exactly when the change does."""
        audit.record(
            self.session,
            actor,
            action,
            subject,
            self.now,
            announcement_uuid=announcement_uuid,
            provider_uuid=provider_uuid,
            changes=changes,
        )
