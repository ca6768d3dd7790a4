"""The schema: migrations from empty build exactly what the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate
from storage.models import Base


def test_migrations_from_empty_match_the_models(db):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_a_migrated_database_has_nothing_pending_and_upgrading_again_changes_nothing(db):
    before = sorted(inspect(db.engine).get_table_names())

    migrate.upgrade(db.engine)

    assert migrate.pending(db.engine) == []
    assert sorted(inspect(db.engine).get_table_names()) == before


def test_an_empty_database_reports_every_revision_as_pending(tmp_path):
    from storage.db import Database

    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")

    assert migrate.pending(empty.engine) == ["0001", "0002_list_indexes"]


def test_sqlite_enforces_foreign_keys_and_uses_wal(db):
    if db.dialect != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_the_queried_columns_are_indexed(db):
    indexed = {tuple(ix["column_names"]) for ix in inspect(db.engine).get_indexes("announcements")}

    assert {("state", "scheduled_start"), ("state", "scheduled_end"), ("provider_id", "state")} <= indexed
    assert ("status", "next_attempt") in {tuple(ix["column_names"]) for ix in inspect(db.engine).get_indexes("notices")}


def test_analyze_leaves_planner_statistics_on_sqlite(db, services, world, cloud_manager):
    from tests.factories import announce

    announce(services, cloud_manager)
    db.analyze()

    if db.dialect == "sqlite":
        with db.engine.connect() as connection:
            tables = {row[0] for row in connection.execute(text("SELECT tbl FROM sqlite_stat1"))}
        assert "announcements" in tables
