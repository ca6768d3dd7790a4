"""Fixtures shared by every test: a real database (SQLite and PostgreSQL), a clock, actors, a small world,
the Slack stand-in with the outbox dispatcher, the Slack workspace and the served HTTP API.

Each test that takes `db` runs twice, once per backend (tests/slack runs on SQLite unless a test names
both). PostgreSQL comes from MAINTBOT_TEST_POSTGRES_URL; without it the PostgreSQL half is skipped and
summed up in one line at the end, unless MAINTBOT_REQUIRE_POSTGRES is set (as `.ci/run` does), when it
fails instead.

Cost: each test process keeps one engine per backend for the whole run and gives every test a fresh,
migrated database behind it (a copy of a migrated SQLite file; a truncated PostgreSQL schema). An engine
per test compiled every SQL statement again in every test, which was about a third of the run.
"""

from __future__ import annotations

import gc
import os
import random
import shutil
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings
from slack_sdk import WebClient
from sqlalchemy import text

from bot.config import Settings
from bot.console.standin import SlackStandIn
from bot.domain.actors import Actor
from bot.domain.clock import ManualClock
from bot.domain.enums import Interface
from bot.domain.service import Services, build_services
from bot.slack.app import build_app
from bot.slack.delivery import Dispatcher
from bot.slack.http import standalone
from bot.web import create_app
from storage import migrate
from storage.db import Database, make_engine
from storage.models import Base
from tests.api.helpers import Api, Tokens
from tests.factories import ADMIN_ID, NOW
from tests.helpers import Plug, loopback
from tests.slack.workspace import SECRET, Workspace

#: CI tries the same examples every run; a local run explores new ones (and keeps what fails in .hypothesis/),
#: so a property that breaks is found at a desk, never by chance in a landing. No deadline: a busy 2-core
#: machine is slow, not wrong.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

__all__ = ["ADMIN_ID", "NOW", "POSTGRES_URL", "REQUIRE_POSTGRES", "postgres_database"]

pytest_plugins = ["pytester"]  # tests/unit checks its own guard in a pytest run of its own

POSTGRES_URL = os.environ.get("MAINTBOT_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = bool(os.environ.get("MAINTBOT_REQUIRE_POSTGRES"))
NO_POSTGRES = "PostgreSQL tests need MAINTBOT_TEST_POSTGRES_URL (set by .ci/run)"


# -- the PostgreSQL half, when there is no PostgreSQL ---------------------------------------------------


def needs_postgres(item: pytest.Item) -> bool:
    """A test of the PostgreSQL half: a `db` (or CLI backend) parameter of "postgresql", or marked `postgres`."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "postgresql" in (params.get("db"), params.get("any_backend")) or item.get_closest_marker("postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without PostgreSQL, its half is skipped before any fixture is set up (unless it is required)."""
    if POSTGRES_URL or REQUIRE_POSTGRES:
        return
    skip = pytest.mark.skip(reason=NO_POSTGRES)
    for item in items:
        if needs_postgres(item):
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(terminalreporter) -> None:
    """One line for the skipped PostgreSQL half instead of a SKIPPED line per test function."""
    skipped = terminalreporter.stats.get("skipped", [])
    half = [report for report in skipped if NO_POSTGRES in str(report.longrepr)]
    if not half:
        return
    terminalreporter.stats["skipped"] = [report for report in skipped if report not in half]
    terminalreporter.stats["skipped: no PostgreSQL"] = half
    terminalreporter.write_sep("-", "PostgreSQL", yellow=True)
    terminalreporter.write_line(f"PostgreSQL half skipped ({len(half)} tests): {NO_POSTGRES}")


# -- databases ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file; each test gets a copy (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "maintbot.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    database.dispose()
    return str(path)


@pytest.fixture(scope="session")
def sqlite_engine_database(tmp_path_factory) -> Iterator[Database]:
    """The test process's SQLite Database: one engine (and SQL cache) for the run, a fresh file per test."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('live') / 'maintbot.db'}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> str:
    """A fresh, migrated schema on the test PostgreSQL server, dropped at the end of the run."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    schema = f"maintbot_test_{os.urandom(5).hex()}"
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


@pytest.fixture(scope="session")
def postgres_engine_database(postgres_schema) -> Iterator[Database]:
    """The test process's PostgreSQL Database on its schema, emptied for each test."""
    database = postgres_database(postgres_schema)
    yield database
    database.dispose()


def postgres_database(schema: str, **kwargs) -> Database:
    """The test server on `schema`. Commits do not wait for the WAL to reach the disk (synchronous_commit=off):
    what other sessions see, locks and isolation are unchanged, and a test cannot tell, but each commit costs
    a fraction of a millisecond instead of a disk flush (8 ms on a busy machine)."""
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    return Database(POSTGRES_URL, connect_args={"options": options}, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request) -> Iterator[Database]:
    """A migrated, empty database on each backend. Disposing it at the end closes its connections and
    forgets the commit callbacks the test's services registered."""
    if request.param == "sqlite":
        database = request.getfixturevalue("sqlite_engine_database")
        fresh_sqlite_file(database, request.getfixturevalue("sqlite_template"))
    else:
        database = request.getfixturevalue("postgres_engine_database")
        emptied_postgres(database)
    yield database
    database.dispose()


def emptied_postgres(database: Database) -> None:
    """Delete every row, children first, and restart the id sequences, as a fresh schema would have them.
    DELETE, not TRUNCATE: on a handful of rows it takes milliseconds, where TRUNCATE's new files and their
    sync cost half a second per test on a busy machine."""
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.scalars(text(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = current_schema()")).all()
        if sequences:
            connection.execute(text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)))


def fresh_sqlite_file(database: Database, template: str) -> None:
    """Put a copy of the migrated template where `database` points. The copy replaces the file (a new inode),
    so a connection some earlier test's thread or process still holds keeps its own file and cannot
    touch this one; the old write-ahead log goes with it."""
    database.dispose()
    path = database.engine.url.database
    shutil.copyfile(template, path + ".next")
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    os.replace(path + ".next", path)


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


# -- Slack: the stand-in for its Web API, the outbox dispatcher, the workspace people act in -------------


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """The Slack Web API on loopback, recording what people would see. Its user group SCLOUDOPS1 holds
    UGROUPIE01, as `world` and `cloud_group_member` say."""
    fake = SlackStandIn().start(poll_interval=0.02)
    fake.user_groups["SCLOUDOPS1"] = ["UGROUPIE01"]
    yield fake
    fake.stop()


@pytest.fixture
def slack_client(standin) -> WebClient:
    """A Web API client on the stand-in that never retries by itself (the dispatcher's way). Its timeout is
    generous, so that only the faults a test sets fail a call, never a busy machine; lost answers are
    dropped connections, which the client notices at once."""
    return WebClient(token="xoxb-test", base_url=standin.api_url, timeout=10, retry_handlers=[])


@pytest.fixture
def dispatcher(services, slack_client, clock) -> Iterator[Dispatcher]:
    """Delivers the outbox to the stand-in on the test clock; the per-channel pace is off unless a test is
    about it, and its back-off jitter is seeded."""
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=0, rng=random.Random(4))
    yield dispatcher
    dispatcher.stop()


@pytest.fixture
def settings(standin) -> Settings:
    """The Slack app's settings: the stand-in's Web API, the tests' signing secret, ADMIN_ID as admin."""
    return Settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=standin.api_url,
        admins=[ADMIN_ID],
        timezone="UTC",
        _env_file=None,
    )


@pytest.fixture
def slack_app(services, settings):
    """The Bolt app over the test's services, its Web API calls going to the stand-in."""
    app = build_app(services, settings)
    yield app
    app.close()


@pytest.fixture(scope="session")
def slack_server() -> Iterator[tuple[Plug, str]]:
    """The test process's loopback server for Slack's requests; each test plugs its own Bolt app in."""
    yield from plugged_server()


@pytest.fixture
def slack(slack_server, slack_app, standin, dispatcher) -> Iterator[Workspace]:
    """The Slack workspace people act in: commands, buttons, modals and the App Home reach the Bolt app over
    HTTP on loopback; what the app shows lands in the stand-in; `slack.deliver()` runs the dispatcher."""
    plug, url = slack_server
    plug.app = standalone(slack_app.bolt)
    workspace = Workspace(url, slack_app, standin, dispatcher)
    yield workspace
    workspace.close()
    plug.app = None


# -- the HTTP API ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server() -> Iterator[tuple[Plug, str]]:
    """The test process's loopback server for the HTTP API; each test plugs its own app in."""
    yield from plugged_server()


def plugged_server() -> Iterator[tuple[Plug, str]]:
    """A loopback server that lasts the test process, with nothing plugged in yet."""
    plug = Plug()
    with loopback(plug) as url:
        yield plug, url


@pytest.fixture
def api(live_server, services, world, admin) -> Iterator[Api]:
    """The API over this test's database; tokens for every role of the permission matrix on demand."""
    plug, base_url = live_server
    # One test client makes many anonymous requests; the rate limit has tests of its own (test_bounded_cost.py).
    plug.app = create_app(services, Settings(base_url=base_url, public_rate=0))
    served = Api(base_url, services, Tokens(services, admin))
    yield served
    served.close()
    plug.app = None


def pytest_sessionfinish(session, exitstatus):
    """Skip the interpreter's last full garbage collection over everything the run created: the
    results are in, and on a 2-core machine that sweep alone took tens of seconds."""
    gc.freeze()
