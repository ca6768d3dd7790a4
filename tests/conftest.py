"""Fixtures shared by every test: a real database (SQLite and PostgreSQL), a clock, actors, a small world.

Each test that takes `db` runs twice, once per backend. PostgreSQL comes from
MAINTBOT_TEST_POSTGRES_URL; without it the PostgreSQL half is skipped with that reason, unless
MAINTBOT_REQUIRE_POSTGRES is set (as `.ci/run` does), when it fails instead.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.domain.actors import Actor
from bot.domain.clock import ManualClock
from bot.domain.enums import Interface
from bot.domain.service import Services, build_services
from storage import migrate
from storage.db import Database, make_engine
from storage.models import Base

POSTGRES_URL = os.environ.get("MAINTBOT_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = bool(os.environ.get("MAINTBOT_REQUIRE_POSTGRES"))
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
ADMIN_ID = "UADMIN0001"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file; each test gets a copy (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "maintbot.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    database.dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_schema() -> str:
    """A fresh, migrated schema on the test PostgreSQL server, dropped at the end of the run."""
    if not POSTGRES_URL:
        message = "PostgreSQL tests need MAINTBOT_TEST_POSTGRES_URL (set by .ci/run)"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"maintbot_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    database = postgres_database(schema)
    migrate.upgrade(database.engine)
    database.dispose()
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def postgres_database(schema: str, **kwargs) -> Database:
    return Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"}, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Database:
    """A migrated, empty database on each backend."""
    database = open_test_database(request, tmp_path)
    yield database
    database.dispose()


def open_test_database(request, tmp_path) -> Database:
    """A migrated, empty database on the backend `request.param` names (for `db` fixtures)."""
    if request.param == "sqlite":
        path = tmp_path / "maintbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        database = postgres_database(request.getfixturevalue("postgres_schema"))
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return database


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def services(db, clock) -> Services:
    return build_services(db, clock, admins={ADMIN_ID})


# -- actors ---------------------------------------------------------------------------------------


@pytest.fixture
def admin() -> Actor:
    return Actor(ADMIN_ID, Interface.SLACK)


@pytest.fixture
def cloud_manager() -> Actor:
    return Actor("UCLOUDMGR1", Interface.SLACK)


@pytest.fixture
def cloud_group_member() -> Actor:
    """Manages Cloud only through the user group SCLOUDOPS."""
    return Actor("UGROUPIE01", Interface.SLACK, groups=frozenset({"SCLOUDOPS1"}))


@pytest.fixture
def storage_manager() -> Actor:
    return Actor("USTOREMGR1", Interface.SLACK)


@pytest.fixture
def anyone() -> Actor:
    return Actor("UREADER001", Interface.SLACK)


@pytest.fixture
def world(services, admin):
    """Two providers with their managers, and a few offerings each."""
    catalog = services.catalog
    cloud = catalog.add_provider(admin, "Cloud", "CCLOUD0001", stats_channel_id="CSTATS0001",
                                 manager_users=("UCLOUDMGR1",), manager_groups=("SCLOUDOPS1",))
    storage = catalog.add_provider(admin, "Storage", "CSTORE0001", manager_users=("USTOREMGR1",))
    offerings = {
        name: catalog.add_offering(admin, name, provider.name)
        for name, provider in [("VMs", cloud), ("Kubernetes", cloud), ("Object store", storage), ("Backup", storage)]
    }
    return {"cloud": cloud, "storage": storage, "offerings": offerings}


def pytest_sessionfinish(session, exitstatus):
    """Skip the interpreter's last full garbage collection over everything the run created: the
    results are in, and on a 2-core machine that sweep alone took tens of seconds."""
    gc.freeze()
