"""Fixtures for the jobs: the fake Slack Web API, a client pointed at it, a dispatcher on the test clock."""

from __future__ import annotations

import random

import pytest
from slack_sdk import WebClient

from bot.console.standin import SlackStandIn
from bot.slack.delivery import Dispatcher


@pytest.fixture
def slack():
    standin = SlackStandIn().start(poll_interval=0.02)
    yield standin
    standin.stop()


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url, timeout=5, retry_handlers=[])


@pytest.fixture
def dispatcher(services, client, clock):
    """Delivers on the test clock; the per-channel pace is off unless a test is about it."""
    dispatcher = Dispatcher(services, client, clock=clock, pace=0, rng=random.Random(4))
    yield dispatcher
    dispatcher.stop()
