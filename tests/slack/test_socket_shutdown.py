"""Socket Mode while `maintbot run` stops: an envelope in hand is acked before the socket closes; one arriving
after SIGTERM is left unacknowledged, so Slack delivers it again on another connection, and nothing runs for it.

Driven at Bolt's Socket Mode handler (`bot.runner.socket_mode_handler`) with a socket client that records the
acks; the end-to-end SIGTERM test over the stand-in's websocket is tests/test_shutdown.py's Socket Mode case.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qs

from slack_sdk.socket_mode.request import SocketModeRequest

from bot.console import simulator
from bot.runner import Shutdown, socket_mode_handler

APP_TOKEN = "xapp-1-A0123456789-1234567890-socketshutdown"
MANAGER, CHANNEL = "UCLOUDMGR1", "CCLOUD0001"


class Socket:
    """Records the acks sent; the first waits until `release` is set (an ack on its way out when SIGTERM comes)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.sending = threading.Event()
        self.release = threading.Event()
        self.logger = logging.getLogger("slack_sdk.socket_mode")

    def send_socket_mode_response(self, response) -> None:
        self.sending.set()
        assert self.release.wait(10)
        self.sent.append(response.envelope_id)


def command(envelope_id: str, text: str) -> SocketModeRequest:
    body = simulator.slash_command(MANAGER, CHANNEL, text, "https://hooks.slack.com/commands/T1/1/x")
    return SocketModeRequest(type="slash_commands", envelope_id=envelope_id,
                             payload={key: value[0] for key, value in parse_qs(body).items()})


def test_the_envelope_in_hand_is_acked_before_the_socket_closes_and_a_later_one_is_left_to_slack(
    slack_app, world
):
    shutdown = Shutdown(10)
    handler = socket_mode_handler(slack_app.bolt, APP_TOKEN, shutdown)
    socket = Socket()
    in_hand = threading.Thread(target=handler.handle, args=(socket, command("env-in-hand", "help")))
    in_hand.start()
    assert socket.sending.wait(10)  # its ack is on its way when the signal comes

    shutdown.begin("SIGTERM")
    handler.handle(socket, command("env-after", "providers"))
    closed: list[bool] = []
    closer = threading.Thread(target=lambda: closed.append(handler.close_when_quiet()))
    closer.start()
    closer.join(0.2)
    assert closer.is_alive() and not handler.client.closed  # still waiting for the ack in hand
    socket.release.set()
    in_hand.join(10)
    closer.join(10)

    assert closed == [True]  # it closed after the ack in hand went out, not on the grace period's end
    assert socket.sent == ["env-in-hand"]
    assert handler.client.closed
    assert slack_app.drain(5)


def test_without_shutdown_every_envelope_is_acked(slack_app, world):
    handler = socket_mode_handler(slack_app.bolt, APP_TOKEN, Shutdown(10))
    socket = Socket()
    socket.release.set()
    try:
        handler.handle(socket, command("env-1", "help"))
        handler.handle(socket, command("env-2", "providers"))
    finally:
        handler.client.close()

    assert socket.sent == ["env-1", "env-2"]
