"""`Origin`: where an interaction came from and who made it, so a reply goes back to the same place.

A channel (a slash command), an ephemeral card only the presser sees, a card everyone in a channel sees,
or the App Home: each is answered differently (`bot.slack.responder`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.payloads import Command, Container, Interaction, ViewRef


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
