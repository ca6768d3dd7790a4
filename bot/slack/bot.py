"""What every listener shares: the services, the Web API client, who people are, and where replies go.

`Origin` says where an interaction came from (a channel, an ephemeral card, a channel card, the App
Home), so a reply goes back to the same place and only to the person who acted: an ephemeral message
through `response_url` or `chat.postEphemeral`, or a notice at the top of their App Home.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient

from bot.config import Settings
from bot.domain.actors import Actor
from bot.domain.enums import Interface
from bot.domain.service import Services
from bot.slack.followups import Followups
from bot.slack.payloads import Command, Container, Interaction, ViewRef
from bot.slack.people import People

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where an interaction came from and who made it."""

    user: str
    channel: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    message_ts: str | None = None  # a button on a message everyone in the channel sees
    ephemeral: bool = False  # a button on a message only this user sees (replaced via response_url)
    home: bool = False  # a button in the App Home (no response_url there)

    @classmethod
    def of(cls, payload: Command | Interaction) -> Origin:
        """Where a command or an interaction (as `bot.slack.payloads` read it) came from."""
        if isinstance(payload, Command):
            return cls(user=payload.user_id, channel=payload.channel_id, response_url=payload.response_url,
                       trigger_id=payload.trigger_id)
        container = payload.container or Container()
        channel = payload.channel.id if payload.channel else container.channel_id
        response_url = payload.response_url or (payload.response_urls[0].response_url if payload.response_urls
                                                 else None)
        view = getattr(payload, "view", None)
        message_ts = None
        if container.type == "message" and not container.is_ephemeral:
            message_ts = container.message_ts
        return cls(
            user=payload.user.id,
            channel=channel,
            response_url=response_url,
            trigger_id=payload.trigger_id,
            message_ts=message_ts,
            ephemeral=container.is_ephemeral,
            home=isinstance(view, ViewRef) and view.type == "home",
        )


def as_dicts(blocks: list[Block] | list[dict] | None) -> list[dict] | None:
    if blocks is None:
        return None
    return [block.to_dict() if isinstance(block, Block) else block for block in blocks]


class Bot:
    def __init__(self, services: Services, settings: Settings, client: WebClient, followups: Followups) -> None:
        self.services = services
        self.settings = settings
        self.client = client
        self.followups = followups
        self.people = People(client, settings.zone)
        self.retry_handlers = client.retry_handlers
        self.homes = None  # set by the app builder (bot.slack.home.Homes)
        self.interface = Interface.SLACK  # recorded in the audit trail; the console's is Interface.CONSOLE

    def actor(self, user_id: str) -> Actor:
        return Actor(user_id, self.interface, groups=self.people.groups_of(user_id))

    # -- replies to the acting user only -----------------------------------------------------------

    def tell(self, origin: Origin, text: str, blocks: list | None = None) -> None:
        """An ephemeral message to the user who acted, wherever they acted."""
        if origin.response_url:
            self.respond(origin.response_url, text, blocks, replace_original=False)
        elif origin.channel:
            self._call(self.client.chat_postEphemeral, channel=origin.channel, user=origin.user, text=text,
                       blocks=as_dicts(blocks))
        elif self.homes is not None:
            self.homes.publish(origin.user, notice=text)

    def replace(self, origin: Origin, text: str, blocks: list | None = None) -> None:
        """Replace the ephemeral message the user pressed a button on."""
        if origin.response_url:
            self.respond(origin.response_url, text, blocks, replace_original=True)

    def respond(self, url: str, text: str, blocks: list | None, *, replace_original: bool) -> None:
        body: dict[str, Any] = {"text": text, "response_type": "ephemeral", "replace_original": replace_original}
        if blocks is not None:
            body["blocks"] = as_dicts(blocks)
        try:
            response = WebhookClient(url, retry_handlers=self.retry_handlers).send_dict(body)
            if response.status_code >= 400:
                log.warning("response_url answered %s: %s", response.status_code, response.body)
        except (SlackClientError, OSError) as error:
            log.warning("response_url post failed: %s", error)

    def _call(self, method, **kwargs) -> dict | None:
        try:
            return method(**{key: value for key, value in kwargs.items() if value is not None}).data
        except (SlackApiError, SlackClientError) as error:
            log.warning("%s failed: %s", getattr(method, "__name__", method), error)
            return None

    def call(self, method, **kwargs) -> dict | None:
        """A Web API call whose failure is logged, never raised into a listener."""
        return self._call(method, **kwargs)

