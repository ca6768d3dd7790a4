"""The `maintbot` command line, run as an operator runs it, against a real database.

Most commands run in this process through `bot.cli.main` with the operator's environment, working directory,
stdout and stderr in place (a new interpreter costs more than the command itself); a few run as a real
`python -m bot.cli` process, to show that the entry point, its exit status and its output hold there too.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot import cli
from bot.demo import CLOUD, STORAGE, load_demo
from bot.domain.actors import Actor
from bot.domain.enums import Interface, State, TimingBucket
from bot.domain.listing import ListQuery
from bot.domain.service import build_services
from storage import migrate
from storage.db import Database, make_engine
from tests.conftest import NO_POSTGRES, NOW, POSTGRES_URL, REQUIRE_POSTGRES, postgres_database

ROOT = Path(__file__).resolve().parents[1]
UUID_LINE = re.compile(r"^[0-9a-f]{32}$")
SECRET_LINE = re.compile(r"^[0-9a-f]{40}$")
NOT_UP_TO_DATE = "database schema is not up to date: run `maintbot db upgrade`"
ADMIN = Actor.system(Interface.CLI)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def last_line(self) -> str:
        return self.stdout.rstrip("\n").splitlines()[-1]


@dataclass
class Maintbot:
    """Runs `maintbot …` with DATABASE_URL set, in a directory of its own (no stray .env).

    A PostgreSQL schema is chosen with libpq's PGOPTIONS, as an operator could do too.
    """

    database_url: str
    cwd: Path
    schema: str | None = None
    _opened: list[Database] = field(default_factory=list)

    def environment(self, variables: dict[str, str]) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("MAINTBOT_", "SLACK_")) and name not in ("DATABASE_URL", "PGOPTIONS")
        }
        env["DATABASE_URL"] = self.database_url
        if self.schema:
            env["PGOPTIONS"] = f"-csearch_path={self.schema}"
        return env | variables

    def __call__(self, *args: str, **variables: str) -> Result:
        """`maintbot ARGS` in this process: its environment and directory in place, its output captured."""
        stdout, stderr = io.StringIO(), io.StringIO()
        with operator_environment(self.environment(variables), self.cwd), \
                contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = cli.main(list(args))
            except SystemExit as exit:  # argparse: --help, bad arguments
                status = exit.code if isinstance(exit.code, int) else 1
        return Result(status, stdout.getvalue(), stderr.getvalue())

    def process(self, *args: str, **variables: str) -> Result:
        """`python -m bot.cli ARGS` as a process of its own."""
        env = self.environment(variables) | {"PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], cwd=self.cwd, env=env, capture_output=True, text=True,
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def services(self):
        database = postgres_database(self.schema) if self.schema else Database(self.database_url)
        self._opened.append(database)
        return build_services(database)

    def close(self) -> None:
        for database in self._opened:
            database.dispose()


@contextlib.contextmanager
def operator_environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """The process's environment and working directory replaced for the block, as a shell would start it."""
    saved, where = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(where)
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def fresh_postgres():
    """A new, empty PostgreSQL schema (dropped afterwards)."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    schema = f"maintbot_cli_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def maintbot(tmp_path, sqlite_template) -> Iterator[Maintbot]:
    """The CLI on a migrated, empty SQLite file."""
    shutil.copy(sqlite_template, tmp_path / "maintbot.db")
    yield (cli_on := Maintbot(f"sqlite:///{tmp_path / 'maintbot.db'}", tmp_path))
    cli_on.close()


@pytest.fixture
def unmigrated(tmp_path) -> Maintbot:
    """The CLI on a SQLite file that does not exist yet: nothing migrated."""
    return Maintbot(f"sqlite:///{tmp_path / 'maintbot.db'}", tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend(request, tmp_path) -> Iterator[Maintbot]:
    """The CLI on an empty database of each backend."""
    if request.param == "sqlite":
        cli_on = Maintbot(f"sqlite:///{tmp_path / 'maintbot.db'}", tmp_path)
    else:
        cli_on = Maintbot(POSTGRES_URL, tmp_path, schema=request.getfixturevalue("fresh_postgres"))
    yield cli_on
    cli_on.close()


def assert_one_error_line(result: Result, *fragments: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# -- db ------------------------------------------------------------------------------------------


def test_db_upgrade_applies_the_migrations_and_status_then_shows_nothing_pending(any_backend):
    before = any_backend("db", "status")
    upgraded = any_backend("db", "upgrade")
    after = any_backend("db", "status")

    assert before.returncode == 0
    assert "pending" in before.stdout and "0001" in before.stdout
    assert upgraded.returncode == 0, upgraded.stderr
    revisions = len(list((migrate.MIGRATIONS / "versions").glob("0*.py")))
    assert f"applied {revisions} migration(s)" in upgraded.stdout
    assert after.returncode == 0
    assert "no migrations pending" in after.stdout
    assert "0001" not in after.stdout


def test_db_upgrade_twice_changes_nothing_the_second_time(unmigrated):
    unmigrated("db", "upgrade")

    again = unmigrated("db", "upgrade")

    assert again.returncode == 0
    assert "applied" not in again.stdout
    assert "up to date" in again.stdout


def test_other_commands_migrate_an_empty_database_by_default(unmigrated):
    listed = unmigrated("provider", "list")

    assert listed.returncode == 0, listed.stderr
    assert "no service providers yet" in listed.stdout
    assert "applied database migration(s): 0001, 0002_published, 0003_list_indexes" in listed.stderr
    assert "no migrations pending" in unmigrated("db", "status").stdout


def test_with_auto_migrate_off_an_out_of_date_database_is_refused_with_one_clear_line(unmigrated):
    refused = unmigrated("provider", "list", MAINTBOT_AUTO_MIGRATE="false")

    assert_one_error_line(refused, NOT_UP_TO_DATE)
    assert refused.stdout == ""
    assert "0001" in unmigrated("db", "status").stdout  # nothing was migrated


def test_with_auto_migrate_off_an_upgraded_database_is_used(unmigrated):
    unmigrated("db", "upgrade")

    listed = unmigrated("provider", "list", MAINTBOT_AUTO_MIGRATE="false")

    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == ""


# -- providers and offerings ---------------------------------------------------------------------


def test_provider_add_prints_the_new_uuid_on_its_last_line_and_list_shows_it(maintbot):
    added = maintbot(
        "provider", "add", "Cloud Platform", "--channel", "C0CLOUD01", "--stats-channel", "C0STATS01",
        "--managers", "U0ALICE1,U0BOB002", "--manager-groups", "S0CLOUDOPS", "--auto-start",
    )

    assert added.returncode == 0, added.stderr
    assert UUID_LINE.match(added.last_line)
    provider = maintbot.services().catalog.provider(added.last_line)
    assert provider.name == "Cloud Platform"
    assert provider.manager_users == ("U0ALICE1", "U0BOB002")
    assert provider.manager_groups == ("S0CLOUDOPS",)
    assert provider.auto_start is True
    listed = maintbot("provider", "list")
    row = next(line for line in listed.stdout.splitlines() if "Cloud Platform" in line)
    assert row.startswith(added.last_line[:8])
    assert "C0CLOUD01" in row and "C0STATS01" in row and "U0ALICE1, U0BOB002, S0CLOUDOPS" in row


def test_provider_add_with_a_bad_channel_id_is_refused_in_one_line(maintbot):
    refused = maintbot("provider", "add", "Cloud", "--channel", "general")

    assert_one_error_line(refused, "error: ", "channel_id", "'general' is not a Slack channel id")
    assert maintbot.services().catalog.providers() == []


def test_offering_add_prints_the_new_uuid_and_list_shows_it_under_its_provider(maintbot):
    provider = maintbot("provider", "add", "Storage", "--channel", "C0STORE01").last_line

    added = maintbot("offering", "add", "Object storage", "--provider", provider[:8])
    maintbot("provider", "add", "Cloud", "--channel", "C0CLOUD01")
    maintbot("offering", "add", "Virtual machines", "--provider", "cloud")

    assert added.returncode == 0, added.stderr
    assert UUID_LINE.match(added.last_line)
    assert maintbot.services().catalog.offering(added.last_line).provider_name == "Storage"
    only_storage = maintbot("offering", "list", "--provider", "Storage").stdout
    assert "Object storage" in only_storage and "Virtual machines" not in only_storage
    everything = maintbot("offering", "list").stdout
    assert "Object storage" in everything and "Virtual machines" in everything


def test_an_unknown_provider_is_one_error_line_and_exit_status_1(maintbot):
    refused = maintbot("offering", "add", "Backup", "--provider", "Nope")

    assert_one_error_line(refused, "error: ", "'Nope'")


# -- API tokens ----------------------------------------------------------------------------------


def test_token_create_prints_a_secret_the_api_accepts_and_list_never_shows(any_backend):
    created = any_backend("token", "create", "--admin", "--name", "ci-deploy")

    assert created.returncode == 0, created.stderr
    secret = created.last_line
    assert SECRET_LINE.match(secret)
    actor = any_backend.services().tokens.authenticate(secret)
    assert actor is not None and actor.admin
    listed = any_backend("token", "list")
    assert "ci-deploy" in listed.stdout and "admin" in listed.stdout
    assert secret not in listed.stdout


def test_a_provider_token_manages_that_provider_only(maintbot):
    provider = maintbot("provider", "add", "Storage", "--channel", "C0STORE01").last_line

    secret = maintbot("token", "create", "--provider", "Storage").last_line

    actor = maintbot.services().tokens.authenticate(secret)
    assert actor is not None and not actor.admin
    assert {p.hex for p in actor.providers} == {provider}


def test_a_revoked_token_no_longer_authenticates(maintbot):
    secret = maintbot("token", "create", "--read-only", "--name", "dashboard").last_line
    token_id = maintbot.services().tokens.list(ADMIN)[0].uuid.hex

    revoked = maintbot("token", "revoke", token_id[:8])

    assert revoked.returncode == 0, revoked.stderr
    assert "'dashboard'" in revoked.stdout and "revoked" in revoked.stdout
    assert maintbot.services().tokens.authenticate(secret) is None
    assert "UTC" in maintbot("token", "list").stdout.splitlines()[1].split("dashboard", 1)[1]


def test_revoking_an_unknown_token_is_one_error_line(maintbot):
    assert_one_error_line(maintbot("token", "revoke", "abcdef12"), "error: ", "abcdef12")


# -- bad arguments and settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        (),
        ("frobnicate",),
        ("provider", "add", "Cloud"),  # --channel is required
        ("token", "create", "--name", "ci"),  # a role is required
        ("token", "create", "--admin", "--read-only"),
        ("db",),
    ],
    ids=["nothing", "unknown-command", "missing-channel", "missing-role", "two-roles", "missing-subcommand"],
)
def test_bad_arguments_print_the_usage_and_exit_2(maintbot, arguments):
    result = maintbot(*arguments)

    assert result.returncode == 2
    assert result.stderr.startswith("usage: maintbot")
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands(maintbot):
    result = maintbot.process("--help")

    assert result.returncode == 0
    for command in ("db", "provider", "offering", "token", "demo"):
        assert command in result.stdout


def test_an_invalid_setting_is_one_line_naming_it_and_no_traceback(maintbot):
    result = maintbot("provider", "list", MAINTBOT_TIMEZONE="Mars/Olympus")

    assert_one_error_line(result, "MAINTBOT_TIMEZONE", "Mars/Olympus")
    assert result.stdout == ""


def test_an_unreachable_database_is_one_error_line(maintbot, tmp_path):
    result = maintbot.process("provider", "list", DATABASE_URL=f"sqlite:///{tmp_path}/missing/directory/maintbot.db")

    assert_one_error_line(result, "error: cannot use the database")


# -- demo ----------------------------------------------------------------------------------------


def test_demo_loads_every_state_and_if_empty_then_does_nothing(any_backend):
    loaded = any_backend("demo")
    again = any_backend("demo", "--if-empty")

    assert loaded.returncode == 0, loaded.stderr
    assert "2 service providers" in loaded.stdout
    assert again.returncode == 0, again.stderr
    assert "not loaded" in again.stdout
    services = any_backend.services()
    assert {p.name for p in services.catalog.providers()} == {CLOUD, STORAGE}
    announcements = services.announcements.list(ADMIN, ListQuery(page_size=100))
    assert announcements.count == 12  # the second run added nothing
    assert {a.state for a in announcements.items} == set(State)


def test_demo_without_if_empty_refuses_to_load_twice(maintbot):
    maintbot("demo")

    refused = maintbot("demo")

    assert_one_error_line(refused, "error: ", "demo data", "already")


def test_demo_if_empty_loads_into_an_empty_database(maintbot):
    loaded = maintbot("demo", "--if-empty")

    assert loaded.returncode == 0, loaded.stderr
    assert "loaded demo data" in loaded.stdout


def test_demo_if_empty_leaves_a_database_with_providers_alone(maintbot):
    maintbot("provider", "add", "Ours", "--channel", "C0OURS001")

    skipped = maintbot("demo", "--if-empty")

    assert skipped.returncode == 0
    assert [p.name for p in maintbot.services().catalog.providers()] == ["Ours"]


def test_demo_history_is_realistic_relative_to_the_time_of_loading(db):
    summary = load_demo(db, now=NOW)
    services = build_services(db)
    announcements = services.announcements.list(ADMIN, ListQuery(page_size=100)).items

    assert summary is not None
    assert summary.states == {
        State.DRAFT: 2, State.SCHEDULED: 3, State.IN_PROGRESS: 1, State.COMPLETED: 4, State.CANCELLED: 2
    }
    completed = [a for a in announcements if a.state is State.COMPLETED]
    assert {a.timing_bucket for a in completed} == {
        TimingBucket.ON_TIME, TimingBucket.OVERRUN, TimingBucket.LATE_START, TimingBucket.EARLY
    }
    assert all(a.actual_start <= a.actual_end <= NOW for a in completed)
    (running,) = [a for a in announcements if a.state is State.IN_PROGRESS]
    assert running.actual_start <= NOW < running.scheduled_end
    assert NOW - running.actual_start < timedelta(hours=2)
    upcoming = [a for a in announcements if a.state in (State.SCHEDULED, State.DRAFT)]
    assert all(a.scheduled_start > NOW and a.actual_start is None for a in upcoming)
    assert all(a.created <= NOW for a in announcements)
    assert any(a.scheduled_end < NOW for a in announcements if a.state is State.CANCELLED)
    assert all(a.affected for a in announcements)
    assert {level for a in announcements for level in (x.impact_level for x in a.affected)} == {1, 2, 3, 4}
    assert services.templates.list(ADMIN).count == 2
