"""Slack tests run on SQLite: the workspace, stand-in and dispatcher fixtures are in tests/conftest.py.

The scenarios of SOCKET_SCENARIOS run twice, in HTTP mode and in Socket Mode (`slack_mode`): the same test,
with the workspace's requests delivered as envelopes to Bolt's Socket Mode handler (tests/slack/sockets.py).

The tests where the database arbitrates (two presses racing) also run on PostgreSQL, by naming both
backends (`@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slack.sockets import SocketTransport, connected
from tests.slack.workspace import Workspace

SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A Slack test that does not name its backends gets SQLite alone (instead of `db`'s two); scenarios get
    their modes."""
    both_modes(metafunc)
    if "db" not in metafunc.fixturenames:
        return
    named = any("db" in _names(mark) for mark in metafunc.definition.iter_markers("parametrize"))
    if not named:
        metafunc.definition.add_marker(SQLITE_ONLY, append=False)


def _names(mark: pytest.Mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
    return [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)


# -- the same scenarios over Socket Mode ----------------------------------------------------------------

#: Test modules whose scenarios also run over Socket Mode: commands, buttons (stale presses among them),
#: modals, the App Home, cards and the Extend race. The rest of tests/slack is about HTTP itself (signatures,
#: body limits, the endpoint), the console, the manifest or pure parsing.
SOCKET_SCENARIOS = frozenset({"test_commands", "test_buttons", "test_modals", "test_home", "test_cards",
                              "test_extend"})


@pytest.fixture
def slack_mode() -> str:
    """How Slack reaches the app: "http" (signed POSTs), or "socket" (envelopes over Socket Mode)."""
    return "http"


@pytest.fixture
def slack(slack: Workspace, slack_mode: str, slack_app, standin) -> Iterator[Workspace]:
    """The workspace of tests/conftest.py; in Socket Mode its requests travel as envelopes instead."""
    if slack_mode == "http":
        yield slack
        return
    with connected(slack_app.bolt, standin) as (sockets, _handler):
        slack.transport = SocketTransport(sockets)
        yield slack


def both_modes(metafunc: pytest.Metafunc) -> None:
    """The scenarios of SOCKET_SCENARIOS in both modes; every other Slack test in HTTP mode alone."""
    if "slack_mode" in metafunc.fixturenames and metafunc.module.__name__.rpartition(".")[2] in SOCKET_SCENARIOS:
        metafunc.parametrize("slack_mode", ["http", "socket"])
