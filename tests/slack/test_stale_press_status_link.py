"""A stale press on a channel card refreshes the card as the dispatcher posts it: with its status page link."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.domain.enums import Action, State
from bot.slack.delivery import Dispatcher
from tests.factories import ADMIN_ID, announce
from tests.slack.workspace import SECRET

MANAGER, CHANNEL = "UCLOUDMGR1", "CCLOUD0001"
BASE_URL = "https://maintbot.example.org"


@pytest.fixture
def settings(standin) -> Settings:
    """The tests' Slack settings, with a public address: cards link to the status page."""
    return Settings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=standin.api_url,
                    admins=[ADMIN_ID], timezone="UTC", base_url=BASE_URL, _env_file=None)


@pytest.fixture
def dispatcher(services, slack_client, clock, settings) -> Iterator[Dispatcher]:
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=0, rng=random.Random(4),
                            page=settings.status_page)
    yield dispatcher
    dispatcher.stop()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_a_stale_press_on_a_channel_card_keeps_its_status_page_link(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)
    slack.deliver()
    card = slack.card_in(CHANNEL)
    link = f"{BASE_URL}/status/{view.provider_uuid.hex}#{view.uuid.hex}"
    assert link in json.dumps(slack.standin.message(CHANNEL, card.ts).blocks)
    services.announcements.transition(cloud_manager, view.uuid, Action.START)  # the card still offers Start

    slack.press(card, "Start", user=MANAGER)  # refused: the card is refreshed as it is, not yet by the dispatcher

    refreshed = slack.standin.message(CHANNEL, card.ts)
    assert "In progress" in refreshed.text
    assert link in json.dumps(refreshed.blocks)
