"""The runtime every long-lived command shares: settings, the database at the right schema, the services.

`build_runtime` is the one place that applies the start-up policy for the schema: when migrations
are pending it applies them if MAINTBOT_AUTO_MIGRATE is on (the default), and otherwise refuses with
`SchemaOutOfDate`, telling the operator to run `maintbot db upgrade`. Every command except `db …`
(and later `maintbot run` and `maintbot console`) starts through it.

On PostgreSQL, migrating takes a session-level advisory lock first, so that several replicas
starting at once queue for it: the first one migrates, the others find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text

from bot.config import Settings, load_settings
from bot.domain.clock import Clock
from bot.domain.service import Services, build_services
from storage import migrate
from storage.db import Database, untimed

SCHEMA_OUT_OF_DATE = "database schema is not up to date: run `maintbot db upgrade`"
_MIGRATION_LOCK = 0x6D61696E74626F74  # "maintbot" as a 64-bit key for pg_advisory_lock


class SchemaOutOfDate(Exception):
    """Migrations are pending and automatic migration is off."""

    def __init__(self, revisions: list[str]) -> None:
        super().__init__(SCHEMA_OUT_OF_DATE)
        self.revisions = revisions


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    services: Services
    migrated: tuple[str, ...]  # the revisions applied while starting, oldest first

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


#: PostgreSQL connections a process keeps open, and how many more it may open at a busy moment (15 in all, as
#: `bot.limits` assumes). SQLAlchemy's default keeps 5 and closes the others when they are returned: under
#: 50 users pressing buttons a replica opened and closed a connection (a new server process) for most
#: requests past the fifth at once (profiled in bench/reliability_load.py).
POOL_SIZE, POOL_OVERFLOW = 10, 5


def open_database(settings: Settings) -> Database:
    options = {} if settings.database_url.startswith("sqlite") else {"pool_size": POOL_SIZE,
                                                                     "max_overflow": POOL_OVERFLOW}
    return Database(settings.database_url, query_timeout=settings.query_timeout, **options)


def describe(db: Database) -> str:
    """The database's URL without its password, for messages to operators."""
    return db.engine.url.render_as_string(hide_password=True)


@contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    if db.dialect != "postgresql":
        yield
        return
    with db.engine.connect() as connection:
        untimed(connection).execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
            connection.commit()


def upgrade(db: Database) -> list[str]:
    """Apply every pending migration; returns the revisions applied (none when already up to date)."""
    with _migration_lock(db):
        todo = migrate.pending(db.engine)
        if todo:
            migrate.upgrade(db.engine)
        return todo


def ensure_schema(db: Database, auto_migrate: bool) -> list[str]:
    """The start-up policy: migrate when allowed, refuse when not; returns the revisions applied."""
    todo = migrate.pending(db.engine)
    if not todo:
        return []
    if not auto_migrate:
        raise SchemaOutOfDate(todo)
    return upgrade(db)


def build_runtime(settings: Settings | None = None, *, clock: Clock | None = None) -> Runtime:
    """Settings (loaded from the environment unless given), a database at the newest schema, the services
    (with the configured admins and reminder lead times).

    Raises `SettingsError` for a bad setting and `SchemaOutOfDate` when the policy refuses to start.
    """
    settings = settings or load_settings()
    db = open_database(settings)
    try:
        migrated = ensure_schema(db, settings.auto_migrate)
    except BaseException:
        db.dispose()
        raise
    db.analyze()
    services = build_services(
        db, clock, admins=frozenset(settings.admins), reminder_leads=settings.reminder_leads,
        silences=settings.silence_policy,
    )
    return Runtime(settings, db, services, tuple(migrated))
