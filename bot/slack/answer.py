"""`Answer`: what a slash command carries back in its ack (the subcommands build it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block

from bot.slack.responder import as_dicts


@dataclass
class Answer:
    """What the ack carries back: ephemeral unless `in_channel`."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    in_channel: bool = False

    def ack_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"text": self.text, "response_type": "in_channel" if self.in_channel else "ephemeral"}
        if self.blocks:
            kwargs["blocks"] = as_dicts(self.blocks)
        return kwargs
