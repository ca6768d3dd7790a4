"""Slack's Socket Mode side, on loopback: the websocket an app opens instead of receiving HTTP requests.

`SocketModeStandIn` answers `apps.connections.open` on a `SlackStandIn` (the Web API) with the `ws://` URL of
a websocket server it runs (the `websockets` library's threaded server), and then behaves as Slack's
Socket Mode does (https://docs.slack.dev/apis/events-api/using-socket-mode): each connection is greeted
with `hello`; requests travel as envelopes (`slash_commands`, `interactive`, `events_api`) with an
`envelope_id`; the app acks each by sending back that id, with a payload when it answers in the ack (a
command's reply, a modal's `response_action`). It can ask the app to reconnect (`disconnect` with reason
`refresh_requested` or `link_disabled`), drop the connection without a word, lose an ack on the way, and
re-deliver an envelope with `retry_attempt` raised, as Slack does when no ack arrived in time.

Envelopes sent while no connection is open wait for the next one (Slack holds them while the app
reconnects); an envelope whose connection ended before its ack (dropped, or closed by an app shutting down)
is delivered again on the next one, once. Tests wait on acks and connections (`Condition`s), never on sleeps;
`wait_answered` tells an acked envelope from one Slack now holds.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.console.standin import SlackStandIn

#: Envelope types, by how the request would arrive over HTTP.
COMMAND, INTERACTIVE, EVENT = "slash_commands", "interactive", "events_api"
REFRESH, LINK_DISABLED = "refresh_requested", "link_disabled"


@dataclass
class Envelope:
    """One request as Slack wraps it for Socket Mode, and what came back for it."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    retry_attempt: int = 0
    retry_reason: str = ""
    deliveries: int = 0  # how many times it went out over a connection
    acks: list[dict[str, Any]] = field(default_factory=list)  # every ack received for it, in order
    sent_on: Any = field(default=None, repr=False)  # the connection it last went out on

    def message(self) -> dict[str, Any]:
        message = {"envelope_id": self.envelope_id, "type": self.type, "payload": self.payload,
                   "accepts_response_payload": self.type != EVENT}
        if self.type == EVENT:
            message |= {"retry_attempt": self.retry_attempt, "retry_reason": self.retry_reason}
        return message

    @property
    def acked(self) -> bool:
        return bool(self.acks)

    @property
    def answer(self) -> dict[str, Any] | None:
        """The payload of the first ack (None for a bare ack)."""
        return self.acks[0].get("payload") if self.acks else None


def envelope_type(content_type: str, body: str) -> tuple[str, dict[str, Any]]:
    """(envelope type, payload) for a request body as Slack would POST it in HTTP mode."""
    if content_type.startswith("application/json"):
        return EVENT, json.loads(body)
    form = dict(parse_qsl(body, keep_blank_values=True))
    if set(form) == {"payload"}:
        return INTERACTIVE, json.loads(form["payload"])
    return COMMAND, form


class SocketModeStandIn:
    """Slack's Socket Mode endpoint over `standin`; `start()` it, then point an app's SocketModeHandler at the
    stand-in's Web API with any `xapp-` token."""

    def __init__(self, standin: SlackStandIn, host: str = "127.0.0.1") -> None:
        self.standin = standin
        self.host = host
        self.envelopes: dict[str, Envelope] = {}
        self.connections_opened = 0  # connections that were sent `hello`
        self.acks_to_lose = 0  # the next acks that are lost, each with its connection
        self._connection: ServerConnection | None = None
        self._waiting: list[str] = []  # envelope ids to send once a connection is open
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> SocketModeStandIn:
        self._server = serve(self._serve, self.host, 0, compression=None, ping_interval=None)
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-socket-standin", daemon=True)
        self._thread.start()
        self.standin.methods["apps.connections.open"] = self._connections_open
        return self

    def stop(self) -> None:
        self.standin.methods.pop("apps.connections.open", None)
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """`apps.connections.open`: a fresh URL for each connection, as Slack gives one per call."""
        return {"url": f"{self.url}/link/?ticket=ticket-{next(self._ids)}&app_id=AMAINTBOT"}

    # -- what Slack sends --------------------------------------------------------------------------

    def send(self, content_type: str, body: str) -> Envelope:
        """Deliver a request (as Slack would POST it in HTTP mode) as an envelope; returns at once."""
        kind, payload = envelope_type(content_type, body)
        return self.deliver(kind, payload)

    def deliver(self, kind: str, payload: dict[str, Any]) -> Envelope:
        envelope = Envelope(f"env-{next(self._ids):06d}-{time.monotonic_ns() % 10**9:09d}", kind, payload)
        with self._changed:
            self.envelopes[envelope.envelope_id] = envelope
        self._send_or_hold(envelope)
        return envelope

    def redeliver(self, envelope: Envelope, reason: str = "timeout") -> None:
        """Send the same envelope again, `retry_attempt` one higher, as Slack does when its ack was late."""
        with self._changed:
            envelope.retry_attempt += 1
            envelope.retry_reason = reason
        self._send_or_hold(envelope)

    def request(self, content_type: str, body: str, timeout: float = 10.0) -> Envelope:
        """Deliver and wait for the ack."""
        envelope = self.send(content_type, body)
        self.wait_acked(envelope, timeout)
        return envelope

    def disconnect(self, reason: str = REFRESH) -> None:
        """Ask the app to reconnect: a `disconnect` message on the open connection (closed once it reconnects)."""
        connection = self._current()
        connection.send(json.dumps({"type": "disconnect", "reason": reason,
                                    "debug_info": {"host": "applink-standin"}}))

    def drop(self) -> None:
        """End the open connection without a close frame, as a network failure does."""
        connection = self._current()
        with self._changed:
            if self._connection is connection:
                self._connection = None
        connection.close_socket()

    def lose_next_ack(self, count: int = 1) -> None:
        """The next `count` acks never arrive: the connection each travels on drops as it is sent."""
        with self._changed:
            self.acks_to_lose += count

    @property
    def last(self) -> Envelope:
        """The envelope sent last."""
        with self._changed:
            return list(self.envelopes.values())[-1]

    # -- waiting on the app ------------------------------------------------------------------------

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until `count` connections have been greeted in all, the last one still open."""
        self._wait(lambda: self.connections_opened >= count and self._connection is not None, timeout,
                   f"the app did not open connection {count} (opened {self.connections_opened})")

    def wait_acked(self, envelope: Envelope, timeout: float = 10.0, acks: int = 1) -> None:
        self._wait(lambda: len(envelope.acks) >= acks, timeout,
                   f"no ack {acks} for {envelope.type} envelope {envelope.envelope_id}")

    def wait_answered(self, envelope: Envelope, timeout: float = 10.0) -> bool:
        """Wait until `envelope` is acked (True) or no open connection carries it (False): the connection it went
        out on ended without its ack, or none was open, so Slack holds it for the next connection."""
        self._wait(lambda: envelope.acked or envelope.sent_on is None, timeout,
                   f"{envelope.type} envelope {envelope.envelope_id} neither acked nor held")
        with self._changed:
            return envelope.acked

    @property
    def connected(self) -> bool:
        with self._changed:
            return self._connection is not None

    def _wait(self, ready: Callable[[], bool], timeout: float, failure: str) -> None:
        with self._changed:
            if not self._changed.wait_for(ready, timeout):
                raise TimeoutError(f"{failure} after {timeout} s")

    def _current(self) -> ServerConnection:
        with self._changed:
            if self._connection is None:
                raise RuntimeError("no Socket Mode connection is open")
            return self._connection

    # -- the websocket -----------------------------------------------------------------------------

    def _send_or_hold(self, envelope: Envelope) -> None:
        with self._changed:
            connection = self._connection
            if connection is None:
                self._waiting.append(envelope.envelope_id)
                return
            envelope.deliveries += 1
            envelope.sent_on = connection
        try:
            connection.send(json.dumps(envelope.message()))
        except ConnectionClosed:
            with self._changed:
                if envelope.sent_on is connection:  # it never went out; else `_ended` already holds it
                    envelope.sent_on = None
                    envelope.deliveries -= 1
                    self._waiting.append(envelope.envelope_id)
                    self._changed.notify_all()

    def _serve(self, connection: ServerConnection) -> None:
        """One app connection: hello, held envelopes, then acks until it ends."""
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "applink-standin", "approximate_connection_time": 18060},
                                    "connection_info": {"app_id": "AMAINTBOT"}}))
        with self._changed:
            previous, self._connection = self._connection, connection
            self.connections_opened += 1
            held = [self.envelopes[envelope_id] for envelope_id in self._waiting]
            self._waiting.clear()
            self._changed.notify_all()
        if previous is not None:  # Slack closes the old link once the app has a new one (not waiting for it here)
            threading.Thread(target=previous.close, args=(1000, "replaced"), daemon=True).start()
        for envelope in held:
            self._send_or_hold(envelope)
        try:
            for message in connection:
                self._received(connection, json.loads(message))
        except ConnectionClosed:
            pass
        finally:
            self._ended(connection)

    def _received(self, connection: ServerConnection, ack: dict[str, Any]) -> None:
        envelope_id = str(ack.get("envelope_id"))
        with self._changed:
            envelope = self.envelopes.get(envelope_id)
            if envelope is None:
                return
            if self.acks_to_lose:
                self.acks_to_lose -= 1
                lost = True
            else:
                lost = False
                envelope.acks.append(ack)
                self._changed.notify_all()
        if lost:
            with self._changed:
                if self._connection is connection:
                    self._connection = None
            connection.close_socket()

    def _ended(self, connection: ServerConnection) -> None:
        """A connection is gone: what it carried without an ack goes out again on the next one."""
        with self._changed:
            if self._connection is connection:
                self._connection = None
            unacked = [envelope for envelope in self.envelopes.values()
                       if envelope.sent_on is connection and not envelope.acked]
            for envelope in unacked:
                envelope.retry_attempt += 1
                envelope.retry_reason = "timeout"
                envelope.sent_on = None
            self._changed.notify_all()
        for envelope in unacked:
            self._send_or_hold(envelope)  # on the connection open now, or the next one
