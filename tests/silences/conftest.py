"""Fixtures of the silence tests: the real Alertmanager, and services with silences on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot import cli
from bot.domain.clock import ManualClock
from bot.domain.service import Services, build_services
from bot.domain.silence_policy import SilencePolicy
from tests.factories import ADMIN_ID
from tests.silences.alertmanager import AlertmanagerProcess


@pytest.fixture(scope="session")
def alertmanager(tmp_path_factory) -> Iterator[AlertmanagerProcess]:
    process = AlertmanagerProcess(tmp_path_factory.mktemp("alertmanager")).start()
    yield process
    process.stop()


@pytest.fixture
def clock() -> ManualClock:
    """Alertmanager keeps real time: the test clock starts at the real now (to the second)."""
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def policy(alertmanager) -> SilencePolicy:
    return SilencePolicy((alertmanager.url,), link_base="https://maint.example.org")


@pytest.fixture
def services(db, clock, policy) -> Services:
    return build_services(db, clock, admins={ADMIN_ID}, silences=policy)


@pytest.fixture
def cli_with_an_offering(tmp_path, monkeypatch, capsys) -> None:
    """The command line on its own SQLite file, holding provider Cloud and its offering Virtual machines."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["provider", "add", "Cloud", "--channel", "C0123ABCD"]) == 0
    assert cli.main(["offering", "add", "Virtual machines", "--provider", "Cloud"]) == 0
    capsys.readouterr()
