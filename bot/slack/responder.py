"""Talking back to Slack from listeners: Web API calls whose failure is logged, and replies to one person.

A reply to the person who acted goes where they acted (`Origin`): through `response_url` (ephemeral, or
replacing the ephemeral card they pressed), as `chat.postEphemeral` in a channel, or on top of their App
Home when neither exists. A failed call is logged and never raised into a listener: the domain change it
follows is already committed, and Slack's own retries (`bot.slack.app.make_client`) have been spent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient

from bot.slack.origin import Origin

log = logging.getLogger(__name__)


class HomePublisher(Protocol):
    def publish(self, user: str, notice: str | None = None) -> None: ...


def as_dicts(blocks: list[Block] | list[dict] | None) -> list[dict] | None:
    if blocks is None:
        return None
    return [block.to_dict() if isinstance(block, Block) else block for block in blocks]


class Responder:
    """The Web API client as listeners use it; `homes` (set by the app builder) shows notices in the Home."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self.homes: HomePublisher | None = None

    def tell(self, origin: Origin, text: str, blocks: list | None = None) -> None:
        """An ephemeral message to the user who acted, wherever they acted."""
        if origin.response_url:
            self.respond(origin.response_url, text, blocks, replace_original=False)
        elif origin.channel:
            self.call(self.client.chat_postEphemeral, channel=origin.channel, user=origin.user, text=text,
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
            response = WebhookClient(url, retry_handlers=self.client.retry_handlers).send_dict(body)
            if response.status_code >= 400:
                log.warning("response_url answered %s: %s", response.status_code, response.body)
        except (SlackClientError, OSError) as error:
            log.warning("response_url post failed: %s", error)

    def share_privately(self, user: str, *, file: bytes, filename: str, title: str, alt_txt: str) -> bool:
        """A file for `user` alone, in their direct messages with maintbot; False if Slack did not take it.

        An ephemeral message cannot carry a file, and files.completeUploadExternal takes only conversation ids
        (C…, G…, D…), never a user id: the direct message's id comes from conversations.open (`im:write`).
        """
        opened = self.call(self.client.conversations_open, users=user)
        channel = ((opened or {}).get("channel") or {}).get("id")
        if not channel:
            return False
        shared = self.call(self.client.files_upload_v2, channel=channel, file=file, filename=filename, title=title,
                           alt_txt=alt_txt)
        return shared is not None

    def call(self, method: Callable[..., Any], **kwargs: Any) -> dict | None:
        """A Web API call whose failure is logged, never raised into a listener; None arguments are left out."""
        try:
            return method(**{key: value for key, value in kwargs.items() if value is not None}).data
        except (SlackApiError, SlackClientError) as error:
            log.warning("%s failed: %s", getattr(method, "__name__", method), error)
            return None
