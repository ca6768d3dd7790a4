"""Slack fixtures: the Bolt app served by uvicorn on loopback, the Web API answered by SlackStandIn.

Slack tests run on SQLite; the ones where the database arbitrates (two presses racing) also run on
PostgreSQL, by parametrizing `db` indirectly.
"""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.console.standin import SlackStandIn
from bot.slack.app import build_app
from bot.slack.http import standalone
from storage.db import Database
from tests.conftest import ADMIN_ID, open_test_database
from tests.slack.workspace import SECRET, Server, Workspace


@pytest.fixture(params=["sqlite"])
def db(request, tmp_path) -> Database:
    database = open_test_database(request, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def standin():
    fake = SlackStandIn().start(poll_interval=0.02)
    fake.user_groups["SCLOUDOPS1"] = ["UGROUPIE01"]
    yield fake
    fake.stop()


@pytest.fixture
def settings(standin) -> Settings:
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
    app = build_app(services, settings)
    yield app
    app.close()


@pytest.fixture
def dispatcher(services, standin, slack_app, clock):
    from bot.slack.delivery import Dispatcher

    dispatcher = Dispatcher(services, slack_app.client, clock=clock, pace=0.0)
    yield dispatcher
    dispatcher.stop()


@pytest.fixture
def slack(slack_app, standin, dispatcher):
    server = Server(standalone(slack_app.bolt))
    url = server.start()
    workspace = Workspace(url, slack_app, standin, dispatcher)
    yield workspace
    workspace.close()
    server.stop()
