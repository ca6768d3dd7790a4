"""Schema migrations: apply them, and tell whether any are pending."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.db import untimed

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(engine: Engine, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's config interpolates '%'; URL-encoded passwords and options contain it.
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (idempotent)."""
    with engine.begin() as connection:
        command.upgrade(_config(engine, untimed(connection)), "head")


def pending(engine: Engine) -> list[str]:
    """Revisions not yet applied to this database, oldest first."""
    script = ScriptDirectory.from_config(_config(engine))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    todo = []
    for revision in script.walk_revisions():
        if revision.revision in current:
            break
        todo.append(revision.revision)
    return list(reversed(todo))
