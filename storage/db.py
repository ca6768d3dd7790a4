"""Engines and sessions: SQLite with foreign keys and WAL, PostgreSQL through psycopg 3.

`Database.write()` opens a transaction that may write. On SQLite it begins with BEGIN IMMEDIATE, so
two writers queue for the lock instead of one failing when it upgrades a read snapshot; reads keep
plain deferred transactions and never block each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

_WRITE = "maintbot_write"

#: What the database raises when it cannot do the work right now rather than because the work is wrong: the
#: server is down, restarting or refusing connections, a connection dropped mid-transaction, a serialization
#: failure or deadlock, SQLite's "database is locked". The request may simply be tried again in a moment; the
#: pool's pre-ping replaces dead connections, so the process recovers by itself once the server is back.
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def normalise_url(url: str) -> str:
    """Accept the postgres:// spellings operators paste and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(connection, _record) -> None:
    connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, see _sqlite_begin
    cursor = connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One engine and its two kinds of session: read-only and read-write."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction committed when the block ends, rolled back if it raises."""
        with self._writes.begin() as session:
            yield session

    def analyze(self) -> None:
        """Refresh the query planner's statistics. PostgreSQL's autovacuum does this by itself; SQLite
        has nothing that does, and without statistics it picks poor indexes for lists and stats."""
        if self.dialect == "sqlite":
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")

    def on_commit(self, callback: Callable[[Session], None]) -> None:
        """Call `callback(session)` after every committed write transaction."""
        event.listen(self._writes, "after_commit", callback)

    def dispose(self) -> None:
        self.engine.dispose()
