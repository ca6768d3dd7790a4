"""Socket Mode for the Slack tests: the same requests as HTTP mode, delivered as envelopes over a websocket.

`connected(bolt, standin)` runs the stand-in's Socket Mode endpoint (bot.console.socket_standin) and the real
handler `maintbot run` uses (bot.slack.socket_mode) connected to it, around the test's own Bolt app.
`SocketTransport` is the workspace's Socket Mode transport: a request is sent as its envelope and the ack
comes back in the shape HTTP mode gives it (200 and the ack's payload as the body), so one scenario runs in
both modes. Signatures do not exist over the socket: a test that forges or replays them is HTTP mode's alone,
and this transport refuses to pretend otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App

from bot.console.socket_standin import SocketModeStandIn
from bot.console.standin import SlackStandIn
from bot.slack.socket_mode import EnvelopeHandler, socket_mode_handler
from tests.slack.workspace import SECRET

APP_TOKEN = "xapp-1-test-socket-mode"


class SocketTransport:
    def __init__(self, sockets: SocketModeStandIn) -> None:
        self.sockets = sockets

    def send(self, body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None
             ) -> tuple[int, str]:
        if secret != SECRET or timestamp is not None:
            raise ValueError("Socket Mode has no signatures: a forged or replayed request is an HTTP-mode test")
        envelope = self.sockets.request(content_type, body)
        return 200, _body(envelope.answer)

    def send_together(self, bodies: list[str], content_type: str) -> list[tuple[int, str]]:
        """Every envelope out before any ack is awaited: the app handles them at once, as Slack sends them."""
        envelopes = [self.sockets.send(content_type, body) for body in bodies]
        for envelope in envelopes:
            self.sockets.wait_acked(envelope)
        return [(200, _body(envelope.answer)) for envelope in envelopes]

    def close(self) -> None:
        pass


def _body(answer: dict | None) -> str:
    """An ack's payload as HTTP mode's response body (empty for a bare ack)."""
    return json.dumps(answer) if answer else ""


@contextmanager
def connected(bolt: App, standin: SlackStandIn) -> Iterator[tuple[SocketModeStandIn, EnvelopeHandler]]:
    """Slack's Socket Mode endpoint on `standin`, and `bolt` connected to it as `maintbot run` connects."""
    with SocketModeStandIn(standin) as sockets:
        handler = socket_mode_handler(bolt, APP_TOKEN)
        try:
            handler.connect()
            sockets.wait_connected()
            yield sockets, handler
        finally:
            handler.close()
