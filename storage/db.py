"""Engines and sessions: SQLite with foreign keys and WAL, PostgreSQL through psycopg 3.

`Database.transaction()` opens the transaction of one unit of work, committed only when told
(storage/transaction.py); `write()` and `read()` are the same two kinds of session as plain blocks, for
tools and tests. A transaction that may write begins, on SQLite, with BEGIN IMMEDIATE, so two writers
queue for the lock instead of one failing when it upgrades a read snapshot; reads keep plain deferred
transactions and never block each other.

`query_timeout` (seconds) ends any statement that runs longer: PostgreSQL's own `statement_timeout`, set
for every connection; on SQLite a progress handler that interrupts the statement once its deadline has
passed (SQLite has no timeout of its own). A statement ended so raises `StatementTimeout`, and one the
database refuses as too large to run (SQLite's "too many terms", an expression tree too deep) raises
`StatementTooLarge`: neither is a sign that the database is down, so neither is in `UNAVAILABLE`.

`Database.interrupt()` stops the statements running on this process's connections at once (a PostgreSQL
cancel request, SQLite's `interrupt()`): `maintbot run` uses it when its shutdown grace has run out, so no
long query holds the exit (they end as `StatementTimeout`, their transactions rolled back).
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.transaction import Transaction

_WRITE = "maintbot_write"
_UNTIMED = "maintbot_untimed"

#: What the database raises when it cannot do the work right now rather than because the work is wrong: the
#: server is down, restarting or refusing connections, a connection dropped mid-transaction, a serialization
#: failure or deadlock, SQLite's "database is locked". The request may simply be tried again in a moment; the
#: pool's pre-ping replaces dead connections, so the process recovers by itself once the server is back.
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

#: How many SQLite virtual-machine steps run between two looks at the clock (tens of microseconds of work).
PROGRESS_STEPS = 1_000
_QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout (or a cancel request) ended the statement
_PROGRAM_LIMIT = "54"  # PostgreSQL's class "program limit exceeded": too complex, too many columns, ...
_SQLITE_TOO_LARGE = ("too many terms", "too large", "too many sql variables", "stack overflow", "too complex")


class StatementTimeout(Exception):
    """The database ended a statement that ran longer than `query_timeout`."""


class StatementTooLarge(Exception):
    """The database refused a statement as too large to run (too many terms, an expression too deep)."""


def normalise_url(url: str) -> str:
    """Accept the postgres:// spellings operators paste and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, *, query_timeout: float | None = None, **kwargs) -> Engine:
    """An engine for `url`; `query_timeout` (seconds) ends statements that run longer (see the module)."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
        if query_timeout:
            event.listen(engine, "connect", _postgresql_timeout(query_timeout))
    else:
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        if query_timeout:
            _sqlite_deadlines(engine, query_timeout)
    event.listen(engine, "handle_error", _statement_refused)
    return engine


def _postgresql_timeout(seconds: float) -> Callable:
    """Every new connection's `statement_timeout` (a `SET`: the URL's options and PGOPTIONS stay as given)."""

    def connect(connection, _record) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {max(1, round(seconds * 1000))}")
        connection.commit()

    return connect


def _sqlite_connect(connection, _record) -> None:
    connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, see _sqlite_begin
    cursor = connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    # SQLite's lower() folds A–Z only; searches fold every letter, as PostgreSQL's lower() does (bot.domain.listing).
    connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def _sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _Deadline:
    """When the running statement of one SQLite connection must end; its progress handler asks."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = math.inf

    def start(self) -> None:
        self.at = time.monotonic() + self.seconds

    def clear(self) -> None:
        self.at = math.inf

    def passed(self) -> bool:
        return time.monotonic() > self.at


def _sqlite_deadlines(engine: Engine, seconds: float) -> None:
    """Each statement gets `seconds` from its execution to its last row; COMMIT and ROLLBACK never end early."""

    def connect(connection, record) -> None:
        deadline = record.info["deadline"] = _Deadline(seconds)
        connection.set_progress_handler(deadline.passed, PROGRESS_STEPS)

    def deadline_of(connection) -> _Deadline | None:
        return connection.info.get("deadline")

    def before_statement(connection, *_args) -> None:
        if deadline := deadline_of(connection):
            deadline.clear() if connection.get_execution_options().get(_UNTIMED) else deadline.start()

    def after_transaction(connection) -> None:
        if deadline := deadline_of(connection):
            deadline.clear()

    event.listen(engine, "connect", connect)
    event.listen(engine, "before_cursor_execute", before_statement)
    for moment in ("commit", "rollback"):
        event.listen(engine, moment, after_transaction)


def untimed(connection: Connection) -> Connection:
    """Lift the query timeout for the rest of `connection`'s transaction: migrations, ANALYZE and waiting
    for the migration lock are slow by nature, and run by operators, not by requests."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        return connection
    return connection.execution_options(**{_UNTIMED: True})


def _statement_refused(context) -> None:
    """Tell a statement ended for its cost from a database that cannot answer (see the module)."""
    error = context.original_exception
    if isinstance(error, sqlite3.OperationalError):
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT:
            raise StatementTimeout(str(error)) from error
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_TOOBIG or any(
            words in str(error).lower() for words in _SQLITE_TOO_LARGE
        ):
            raise StatementTooLarge(str(error)) from error
    sqlstate = getattr(error, "sqlstate", None) or ""
    if sqlstate == _QUERY_CANCELED:
        raise StatementTimeout(str(error)) from error
    if sqlstate.startswith(_PROGRAM_LIMIT):
        raise StatementTooLarge(str(error)) from error


class Database:
    """One engine and its two kinds of session: read-only and read-write."""

    def __init__(self, url: str, *, query_timeout: float | None = None, **engine_kwargs) -> None:
        self.engine = make_engine(url, query_timeout=query_timeout, **engine_kwargs)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        #: SQLite has one writer at a time: serialised transactions of this process take turns here.
        self._writer: AbstractContextManager = threading.Lock() if self.dialect == "sqlite" else nullcontext()
        self._on_commit: list[Callable[[Session], None]] = []
        #: The DBAPI connections checked out of the pool right now (what `interrupt` reaches).
        self._busy: set = set()
        self._busy_lock = threading.Lock()
        event.listen(self.engine, "checkout", self._checked_out)
        event.listen(self.engine, "checkin", self._checked_in)

    def _checked_out(self, connection, _record, _proxy) -> None:
        with self._busy_lock:
            self._busy.add(connection)

    def _checked_in(self, connection, _record) -> None:
        with self._busy_lock:
            self._busy.discard(connection)

    def interrupt(self) -> int:
        """Stop every statement running on this engine's connections now; returns how many connections were
        told. Thread-safe: called from another thread than the ones waiting on their statements."""
        with self._busy_lock:
            busy = list(self._busy)
        for connection in busy:
            try:
                if isinstance(connection, sqlite3.Connection):
                    connection.interrupt()
                else:
                    connection.cancel_safe(timeout=1.0)  # psycopg 3: a cancel request on its own connection
            except Exception:  # closing, or closed meanwhile: nothing left to stop
                continue
        return len(busy)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def transaction(self, *, writes: bool = True, durable: bool = True, serialised: bool = False) -> Transaction:
        """A transaction committed only when told (storage/transaction.py says what each option does)."""
        return Transaction(
            self._writes if writes else self._reads,
            dialect=self.dialect,
            durable=durable,
            turn=self._writer if serialised and writes else nullcontext(),
        )

    @contextmanager
    def single_statements(self) -> Iterator[Connection]:
        """A connection outside any transaction, for reads of one statement each: one round trip apiece on
        PostgreSQL instead of three (BEGIN, the statement, COMMIT)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

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
                untimed(connection).exec_driver_sql("ANALYZE")

    def on_commit(self, callback: Callable[[Session], None]) -> None:
        """Call `callback(session)` after every committed write transaction."""
        event.listen(self._writes, "after_commit", callback)
        self._on_commit.append(callback)

    def dispose(self) -> None:
        """Close the pooled connections and forget the commit callbacks. SQLAlchemy keeps session listeners
        in a process-wide registry, so until they are removed a disposed Database, its engine and whatever
        the callbacks hold are never freed (a test run that opens a database per test grew by hundreds of megabytes)."""
        for callback in self._on_commit:
            event.remove(self._writes, "after_commit", callback)
        self._on_commit.clear()
        self.engine.dispose()
