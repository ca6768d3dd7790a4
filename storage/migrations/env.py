"""Alembic environment: migrates the engine handed over by storage.migrate, or the configured URL."""

from alembic import context

from storage.db import make_engine
from storage.models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with make_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        _run(conn)
