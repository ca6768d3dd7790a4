"""Socket Mode: Slack's requests over a websocket maintbot opens (`SLACK_APP_TOKEN`), no public URL needed.

Bolt's `SocketModeHandler` opens the connection with `apps.connections.open`, reconnects by itself when Slack
asks (`disconnect`) or the connection ends, and hands each envelope to `EnvelopeHandler.handle`: one logged
request (`bot.logs`, named by its envelope id), dispatched into the same Bolt app as HTTP mode, whose answer
is sent back as the envelope's ack.

**The websocket-client flavour of the handler**, not slack_sdk's built-in one: the built-in client does not
notice a connection that ends without a close frame (a network drop, a load balancer's reset) until its
health check gives up, measured at 60 s of deafness with the default 10 s ping interval, while it spins on
the dead socket; the `websocket-client` library ends the connection at once and Bolt reconnects in about
0.5 s (tests/slack/test_socket_reconnect.py).

**An envelope answered once.** Slack delivers an envelope again when its ack did not arrive in time (the
ack was slow, or lost with a connection that dropped), with the same envelope id and `retry_attempt`
raised. `Redeliveries` remembers each envelope's ack for `KEEP` seconds: a repeat is not dispatched again
but answered with the first ack (waiting for it if the first is still running), so a press, a command or
a form Slack re-delivers is acted on once and its reply is not lost. The memory is per process: on another
replica a re-delivered press meets the domain's compare-and-set (a second transition is refused). Signatures
do not exist here: the websocket itself is authenticated by the app-level token, so `ReplayGuard` and
Bolt's request verification are HTTP mode's alone.

**Stopping.** Once `stopping` is set (SIGTERM, `bot.runner.Shutdown`), a new envelope is left unacknowledged:
Slack delivers it again, to another connection. `close_when_quiet()` waits, within the grace period, for the
envelopes in hand to send their acks, then closes the socket with the closing handshake (`close()`): the
socket is closed only once Slack has answered the close frame, so the acks before it have been read.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode.internals import build_headers, send_response
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketException

from bot import logs
from bot.slack.listening import dispatch_logged

log = logging.getLogger(__name__)

#: How long an envelope's ack is remembered: Slack's retries of an event come within minutes (at once, after
#: 1 minute, after 5 minutes); commands and interactions are only ever answered within 3 seconds.
KEEP = 10 * 60
#: Seconds a ping's pong may take before the connection is given up (and the longest the reader sleeps).
PONG_TIMEOUT = 2
#: At most this many envelopes remembered (a burst of them cannot grow the memory without bound).
MOST = 20_000


class _Answer:
    """The ack of one envelope, once known."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.ready = threading.Event()
        self.response: BoltResponse | None = None


class Redeliveries:
    """Which envelopes were dispatched, and their acks: the first delivery claims an envelope id."""

    def __init__(self, keep: float = KEEP, most: int = MOST) -> None:
        self.keep, self.most = keep, most
        self._answers: OrderedDict[str, _Answer] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, envelope_id: str) -> tuple[_Answer, bool]:
        """(the envelope's answer, True when this delivery is the first and must dispatch it)."""
        now = time.monotonic()
        with self._lock:
            while self._answers and (len(self._answers) >= self.most
                                     or next(iter(self._answers.values())).at < now - self.keep):
                self._answers.popitem(last=False)
            answer = self._answers.get(envelope_id)
            if answer is not None:
                return answer, False
            answer = self._answers[envelope_id] = _Answer(now)
            return answer, True


class _Client(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, reading with a pong deadline.

    Without one, websocket-client's reader waits 10 s at a time for data, and a connection closed under it
    (slack_sdk closes the old connection once the new one exists, on every `disconnect` from Slack) is only
    noticed when that wait ends: the new connection, served by the same thread, waited up to 10 s. With
    `PONG_TIMEOUT` the reader wakes at least that often, and a peer that stops answering pings is given up.
    """

    def _run_current_session(self) -> None:
        if self.current_session is not None:
            try:
                self.current_session.run_forever(ping_interval=self.ping_interval, ping_timeout=PONG_TIMEOUT)
            except Exception:
                self.logger.exception("the Socket Mode connection failed; reconnecting")
                if self.current_session is not None:
                    self.current_session.close()


class EnvelopeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler: each envelope one logged request, dispatched once however often it comes."""

    def __init__(self, app: App, app_token: str, *, stopping: threading.Event | None = None,
                 grace: Callable[[], float] = lambda: 0.0, **kwargs: Any) -> None:
        super().__init__(app, app_token, **kwargs)
        self.client.__class__ = _Client
        self.client.current_session_runner.target = self.client._run_current_session  # bound before the swap
        self.redeliveries = Redeliveries()
        self.stopping = stopping or threading.Event()
        self.grace = grace  # seconds left to finish the envelopes in hand once stopping
        self._handling = 0
        self._quiet = threading.Condition()
        self._ended: set[int] = set()  # ids of the sessions whose connection has ended (`on_close`)
        self._session_ended = threading.Condition()
        self.client.on_close_listeners.append(self._on_close)

    def _on_close(self, session: Any) -> None:
        with self._session_ended:
            self._ended.add(id(session))
            self._session_ended.notify_all()

    def handle(self, client: Any, req: SocketModeRequest) -> None:
        with logs.request(str(req.envelope_id), "slack"):
            with self._quiet:
                if self.stopping.is_set():
                    log.info("shutting down: envelope left for Slack to deliver again", extra={"outcome": "refused"})
                    return
                self._handling += 1
            try:
                self._answer(client, req)
            finally:
                with self._quiet:
                    self._handling -= 1
                    self._quiet.notify_all()

    def _answer(self, client: Any, req: SocketModeRequest) -> None:
        started = time.time()
        answer, first = self.redeliveries.claim(str(req.envelope_id))
        if first:
            try:
                request = BoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req))
                answer.response = dispatch_logged(self.app, request)
            finally:
                answer.ready.set()
        else:
            log.info("envelope delivered again (retry %s, %s): answered as the first time, not acted on again",
                     req.retry_attempt, req.retry_reason or "no reason given")
            answer.ready.wait(KEEP)
        if answer.response is not None:
            send_response(client, req, answer.response, started)

    def close_when_quiet(self) -> bool:
        """Close once the envelopes in hand have sent their acks, or when the grace period ends (False then)."""
        with self._quiet:
            acked = self._quiet.wait_for(lambda: self._handling == 0, self.grace())
        self.close()
        return acked

    def close(self) -> None:
        """Close now, without losing the acks just sent. The connection is told (a close frame, then the end of
        what this side sends), and closed once Slack has answered the close — that is, has read every ack before
        it (at most `PONG_TIMEOUT` for a peer gone silent). A socket closed while envelopes it never read wait in
        it is reset by the kernel, and the peer drops what it had not read yet: the last acks, which Slack then
        delivers again to another replica (found by tests/test_shutdown.py's Socket Mode case; about one close
        in two lost its last ack in a loopback experiment). The shut socket also wakes the thread reading it:
        websocket-client's read loop otherwise sleeps out its 10 s select, and slack_sdk's message loop its
        one-second poll."""
        self.client.closed, self.client.auto_reconnect_enabled = True, False
        session = self.client.current_session
        websocket = getattr(session, "sock", None)
        raw = getattr(websocket, "sock", None)
        if websocket is not None and raw is not None:
            with suppress(OSError, WebSocketException):
                websocket.send_close()
                raw.shutdown(socket.SHUT_WR)
                with self._session_ended:
                    self._session_ended.wait_for(lambda: id(session) in self._ended, PONG_TIMEOUT)
                raw.shutdown(socket.SHUT_RDWR)
        self.client.message_queue.put(None)
        super().close()


def socket_mode_handler(bolt: App, app_token: str, **kwargs: Any) -> EnvelopeHandler:
    """The handler `maintbot run` (and the console's `--socket-mode`) connect with; `connect()` to start."""
    return EnvelopeHandler(bolt, app_token, **kwargs)
