"""Slack cards and the App Home link to the announcement's place on the public page (with MAINTBOT_BASE_URL set),
and the place exists: the provider's page, anchored at the announcement's uuid."""

from __future__ import annotations

import random
import re

import pytest

from bot.config import Settings
from bot.domain.enums import State
from bot.slack.delivery import Dispatcher, dispatcher_for
from tests.factories import ADMIN_ID, announce
from tests.slack.workspace import SECRET

BASE = "https://maint.example.org"
READER = "UREADER001"
LINK = re.compile(r"<(https://maint\.example\.org/status/[0-9a-f]{32}#[0-9a-f]{32})\|Status page>")


@pytest.fixture
def settings(standin) -> Settings:
    """The Slack app's settings with a public address, so that Slack can link to the page."""
    return Settings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=standin.api_url,
                    admins=[ADMIN_ID], timezone="UTC", base_url=BASE, _env_file=None)


@pytest.fixture
def dispatcher(services, slack_client, clock, settings):
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=0, rng=random.Random(4),
                            page=settings.status_page)
    yield dispatcher
    dispatcher.stop()


def links_in(seen) -> list[str]:
    return LINK.findall(str(seen.blocks))


def test_a_channel_card_links_to_its_place_on_the_page(slack, services, world, cloud_manager, api):
    view = announce(services, cloud_manager, State.SCHEDULED, name="Switch firmware")
    slack.deliver()

    [link] = links_in(slack.card_in("CCLOUD0001"))

    assert link == f"{BASE}/status/{world['cloud'].uuid.hex}#{view.uuid.hex}"
    page = api.http(None).get(link.removeprefix(BASE).split("#")[0]).text
    assert f'id="{view.uuid.hex}"' in page  # the anchor is there


def test_the_app_home_links_each_published_item(slack, services, cloud_manager, world):
    running = announce(services, cloud_manager, State.IN_PROGRESS, name="Running now")
    announce(services, cloud_manager, name="Secret draft")

    home = slack.open_home(READER)

    assert links_in(home) == [f"{BASE}/status/{world['cloud'].uuid.hex}#{running.uuid.hex}"]


def test_a_managers_draft_has_no_page_link(slack, services, cloud_manager, world):
    announce(services, cloud_manager, name="My draft")

    assert links_in(slack.open_home("UCLOUDMGR1")) == []


def test_without_a_public_address_there_is_no_link(services, slack_client):
    plain = Settings(_env_file=None)

    assert plain.status_page is None
    assert dispatcher_for(services, slack_client, plain).page is None
    assert dispatcher_for(services, slack_client, Settings(base_url=BASE, _env_file=None)).page == f"{BASE}/status"
