"""The unit layer: tests of pure rules, run without any database, server or Slack stand-in.

Its promise is checked, not only stated: a test here that asks for a database fixture (directly or through
another fixture, such as `services`, `world`, `api` or `slack`) fails before it starts, and one that opens
an engine itself fails at that call. Rules that need SQL are tested in the folders above.
"""

from __future__ import annotations

import pytest

import storage.db

#: Fixtures that are, or set up, a database; every fixture that touches one depends on one of these.
DATABASE_FIXTURES = frozenset({
    "db", "sqlite_template", "sqlite_engine_database", "postgres_schema", "postgres_engine_database",
})


def database_fixtures(item: pytest.Item) -> list[str]:
    """The database fixtures `item` would set up, directly or through the fixtures it asks for."""
    return sorted(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_runtest_setup(item: pytest.Item) -> None:
    used = database_fixtures(item)
    if used:
        pytest.fail(f"{item.nodeid}: a unit test runs without a database, and this one asks for {', '.join(used)}"
                    " (move it beside the storage or domain tests)", pytrace=False)


def _refused(*_args, **_kwargs):
    raise AssertionError("a unit test runs without a database: it may not open an engine")


@pytest.fixture(autouse=True)
def no_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening an engine (storage.db.make_engine, Database(…)) fails inside a unit test."""
    monkeypatch.setattr(storage.db, "create_engine", _refused)
