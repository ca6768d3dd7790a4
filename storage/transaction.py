"""One transaction that the code opening it can see, and the row locks taken inside one.

`Transaction` is the storage half of the domain's unit of work: it opens a session of the right kind, and
nothing it holds reaches the database until `commit()` is called; leaving the block any other way (an
error, a refusal, a plain read) rolls everything back. Its options are storage mechanics the domain asks
for by name, not by dialect:

- `writes`: a transaction that may write. On SQLite it begins with BEGIN IMMEDIATE (see storage/db.py), so
  writers queue for the lock instead of failing when they upgrade a read snapshot.
- `durable=False`: PostgreSQL may acknowledge the commit before it reaches the disk (`synchronous_commit =
  off`, for this transaction only); used where losing a commit in a server crash only repeats work.
- `serialised`: writers of this process take turns on the database's writer lock first (SQLite has one
  writer at a time: threads then queue here, not in SQLite's busy handler, which sleeps in millisecond steps).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Self, TypeVar

from sqlalchemy import Select, text
from sqlalchemy.orm import Session, sessionmaker

Query = TypeVar("Query", bound=Select)


class Transaction:
    """A session whose one transaction commits only when `commit()` is called."""

    def __init__(
        self, sessions: sessionmaker, *, dialect: str, durable: bool = True, turn: AbstractContextManager
    ) -> None:
        self._sessions = sessions
        self._durable = durable
        self._turn = turn
        self.dialect = dialect
        self.session: Session
        self.committed = False

    def __enter__(self) -> Self:
        self._turn.__enter__()
        try:
            self.session = self._sessions()
            self.session.begin()
            if not self._durable and self.dialect == "postgresql":
                self.session.execute(text("SET LOCAL synchronous_commit = off"))
        except BaseException:
            self._turn.__exit__(None, None, None)
            raise
        return self

    def commit(self) -> None:
        """Write everything the transaction holds, at once."""
        self.session.commit()
        self.committed = True

    def rollback(self) -> None:
        self.session.rollback()

    def __exit__(self, *_exc: object) -> None:
        try:
            if not self.committed:
                self.session.rollback()
            self.session.close()
        finally:
            self._turn.__exit__(None, None, None)


def locked(query: Query, *of) -> Query:
    """`query` taking the rows it reads for this transaction (SELECT … FOR UPDATE on PostgreSQL; SQLite's write
    transaction holds the whole database already): a racer waits until this transaction ends."""
    return query.with_for_update(of=of or None)


def locked_skipping(session: Session, query: Query, *of) -> Query:
    """`query` taking the rows it reads, skipping rows another transaction holds instead of waiting for them
    (FOR UPDATE SKIP LOCKED on PostgreSQL). On SQLite a write transaction holds every row already."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True, of=of or None)
    return query
