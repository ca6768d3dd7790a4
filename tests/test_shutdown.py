"""`maintbot run` stopped the way Kubernetes and systemd stop it: SIGTERM in the middle of a burst of button
presses and notices.

What an operator and the people pressing buttons must see: every press that was acked is acted on exactly once
(its announcement started, one "started" in its audit trail), no press is acted on twice, every notice reaches
its channel exactly once (by this process before it exits, or by the next one started on the same database),
and the process exits 0 within MAINTBOT_SHUTDOWN_GRACE, even when Slack holds a delivery past it.

The presses travel the way Slack sends them in each mode (`MODES`): signed POSTs to /slack/events in HTTP mode
(`HttpPresser`); in Socket Mode (`SocketPresser`) envelopes over the websocket of the stand-in's Socket Mode
endpoint (bot.console.socket_standin), which `maintbot run` opens with SLACK_APP_TOKEN set. There, an envelope
the stopping process did not ack (it refused it, or its socket had closed) is held by Slack and delivered again
on the next connection: to the second process, which acts on it once.
Waiting is on what can be observed (an ack, the exit, the outbox, a call at the stand-in), with a deadline.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.console import simulator
from bot.console.socket_standin import Envelope, SocketModeStandIn
from bot.console.standin import SlackStandIn
from bot.domain.enums import State
from bot.slack.delivery import CARD_EVENT, NOTICE_EVENT
from storage.models import Event, Notice
from tests.factories import announce
from tests.jobs.helpers import eventually, notices, posts
from tests.test_run import Running

SECRET = "shutdown-signing-secret"
MANAGER = "UCLOUDMGR1"
GRACE = 15.0
#: Past the grace period: the interpreter's own exit (flushing, closing) on a busy 2-core machine.
EXIT_MARGIN = 3.0
CHANNELS = 8
PER_CHANNEL = 3
SIGNAL_AFTER_ACKS = 10
DELIVERED_WITHIN = 60.0

MODES = ["http", "socket"]
APP_TOKEN = "xapp-1-shutdown"


@dataclass
class Press:
    """One button press and what its presser saw: acked (200), or never answered (None)."""

    announcement: str
    status: int | None = None
    error: str | None = None
    envelope: Envelope | None = None  # Socket Mode: the envelope it travelled in
    delivered_to_first: int = 0  # Socket Mode: how often it went out while the first process was connected


def press_body(press: Press, channel: str) -> str:
    """Start pressed on the announcement's card in its channel, as Slack sends a `block_actions`."""
    button = {"action_id": "maint.start", "value": press.announcement,
              "text": {"type": "plain_text", "text": "Start"}}
    return simulator.block_actions(MANAGER, button, block_id="card", channel=channel, message_ts="1700000000.1")


@dataclass
class Presser:
    """Presses Start on channel cards; `acked` is set after `after` acks."""

    after: int
    acked: threading.Event = field(default_factory=threading.Event)
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def press(self, press: Press, channel: str) -> Press:
        raise NotImplementedError

    def _counted(self, press: Press) -> Press:
        if press.status == 200:
            with self._lock:
                self._count += 1
                if self._count >= self.after:
                    self.acked.set()
        return press


@dataclass
class HttpPresser(Presser):
    """HTTP mode: signed, to /slack/events, a connection per press, as Slack's are."""

    url: str = ""

    def press(self, press: Press, channel: str) -> Press:
        signed = simulator.sign(press_body(press, channel), simulator.FORM, SECRET)
        try:
            with httpx.Client(timeout=10) as client:
                response = client.post(f"{self.url}/slack/events", content=signed.body.encode(),
                                       headers=signed.headers)
        except httpx.TransportError as error:  # refused (no longer listening) or cut: never acked
            press.error = type(error).__name__
            return press
        press.status = response.status_code
        return self._counted(press)


@dataclass
class SocketPresser(Presser):
    """Socket Mode: an `interactive` envelope over the open connection; acked (200), or left without an ack
    when the connection it went out on ended (None: Slack holds it for the next connection)."""

    sockets: SocketModeStandIn | None = None

    def press(self, press: Press, channel: str) -> Press:
        assert self.sockets is not None
        press.envelope = self.sockets.send(simulator.FORM, press_body(press, channel))
        if self.sockets.wait_answered(press.envelope, timeout=10):
            press.status = 200
        return self._counted(press)


@pytest.fixture
def sockets(standin) -> Iterator[SocketModeStandIn]:
    with SocketModeStandIn(standin) as endpoint:
        yield endpoint


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


@pytest.fixture
def channels(services, admin, world) -> list[str]:
    """Providers of their own channels (the dispatcher paces each channel at one message a second), each
    managed by MANAGER, with announcements published whose cards are queued."""
    names = []
    for number in range(CHANNELS):
        channel = f"CSHUT{number:05d}"
        services.catalog.add_provider(admin, f"Provider {number}", channel, manager_users=(MANAGER,))
        names.append(channel)
    return names


@pytest.fixture
def announcements(services, cloud_manager, channels) -> dict[str, str]:
    """Scheduled announcements (uuid hex → their channel); their "published" notices wait in the outbox."""
    made = {}
    for number, channel in enumerate(channels):
        for copy in range(PER_CHANNEL):
            view = announce(services, cloud_manager, State.SCHEDULED, provider=f"Provider {number}",
                            name=f"Maintenance {number}.{copy}")
            made[view.uuid.hex] = channel
    return made


def start_bot(db, tmp_path: Path, standin: SlackStandIn, name: str, grace: float = GRACE, mode: str = "http"
              ) -> Running:
    """`maintbot run` on the stand-in: in Socket Mode when the app token is set, as in production."""
    where = tmp_path / name
    where.mkdir()
    slack = {"SLACK_APP_TOKEN": APP_TOKEN} if mode == "socket" else {"SLACK_SIGNING_SECRET": SECRET}
    return Running(db, where, SLACK_BOT_TOKEN="xoxb-shutdown", SLACK_API_URL=standin.api_url,
                   MAINTBOT_SHUTDOWN_GRACE=f"{grace:g}", **slack)


def presser_for(bot: Running, sockets: SocketModeStandIn | None) -> Presser:
    """Once the first `bot` serves Slack: over its socket (connected) in Socket Mode, over HTTP otherwise."""
    if sockets is not None:
        sockets.wait_connected(1, timeout=30)
        return SocketPresser(after=SIGNAL_AFTER_ACKS, sockets=sockets)
    return HttpPresser(after=SIGNAL_AFTER_ACKS, url=bot.url)


def terminate(bot: Running, grace: float) -> tuple[int, float]:
    """SIGTERM; (exit code, seconds until the process was gone)."""
    sent = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    try:
        code = bot.process.wait(grace + EXIT_MARGIN + 30)
    except subprocess.TimeoutExpired:
        bot.process.kill()
        bot.process.wait(10)
        pytest.fail(f"maintbot run did not exit after SIGTERM:\n{bot.output()}")
    return code, time.monotonic() - sent


def starts_recorded(db) -> Counter:
    """Announcement uuid hex → how many times its audit trail says it was started."""
    with db.read() as session:
        rows = session.scalars(select(Event.announcement_uuid).where(Event.action == "started"))
        return Counter(uuid.hex for uuid in rows)


def outbox_settled(db) -> bool:
    with db.read() as session:
        return session.scalar(select(Notice.id).where(Notice.status == "pending").limit(1)) is None


def markers_posted(standin: SlackStandIn) -> tuple[Counter, Counter]:
    """What reached Slack's channels: (notice key → messages posted for it, announcement → cards posted)."""
    messages, cards = Counter(), Counter()
    for call in posts(standin):
        metadata = call.args.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == CARD_EVENT:
            cards[payload["announcement"]] += 1
        elif metadata.get("event_type") == NOTICE_EVENT:
            messages[payload["key"]] += 1
    return messages, cards


def test_sigterm_in_a_burst_of_presses_acts_on_every_acked_press_once_and_delivers_every_notice_once(
    mode, db, services, announcements, standin, tmp_path, request
):
    sockets = request.getfixturevalue("sockets") if mode == "socket" else None
    # Every App Home refresh after a press answers late: the work after the acks queues up behind it.
    standin.fail(method="views.publish", delay=0.3, times=None)
    first = start_bot(db, tmp_path, standin, "first", mode=mode)
    presses = [Press(uuid) for uuid in announcements]
    second = None
    try:
        first.wait_until_serving()
        presser = presser_for(first, sockets)
        with ThreadPoolExecutor(6) as burst:
            pressed = [burst.submit(presser.press, press, announcements[press.announcement]) for press in presses]
            assert presser.acked.wait(30), first.output()
            code, took = terminate(first, GRACE)
            [future.result() for future in pressed]
        if sockets is not None:  # an ack may come after its connection ended (on the one reconnected)
            for press in presses:
                press.status = 200 if press.envelope.acked else None
                press.delivered_to_first = press.envelope.deliveries

        assert code == 0, first.output()
        assert took < GRACE + EXIT_MARGIN, f"exit took {took:.1f} s\n{first.output()}"
        assert "stopping (SIGTERM)" in first.output() and "maintbot: stopped" in first.output()
        acked = [press.announcement for press in presses if press.status == 200]
        assert len(acked) >= SIGNAL_AFTER_ACKS
        assert all(press.status in (200, None) for press in presses), presses
        starts = starts_recorded(db)
        assert {uuid: starts[uuid] for uuid in acked} == {uuid: 1 for uuid in acked}, first.output()
        assert max(starts.values(), default=0) <= 1
        if sockets is not None:  # what the first process did not ack, it did not act on either
            assert not {press.announcement for press in presses if press.status is None} & set(starts), (
                [(p.announcement, p.envelope) for p in presses if p.status is None], first.output())
            # some reached it after the signal: left unacked (refused, or unread when its socket closed)
            assert any(press.delivered_to_first for press in presses if press.status is None), first.output()

        second = start_bot(db, tmp_path, standin, "second", mode=mode)
        second.wait_until_serving()
        if sockets is not None:  # Slack delivers what the first left unacked to the new connection
            assert eventually(lambda: sockets.connections_opened >= 2, within=30), second.output()
            for press in presses:
                sockets.wait_acked(press.envelope, timeout=30)
        assert eventually(lambda: outbox_settled(db), within=DELIVERED_WITHIN), second.output()
        code, _ = terminate(second, GRACE)
        assert code == 0, second.output()
    finally:
        for bot in (first, second):
            if bot is not None and bot.process.poll() is None:
                bot.process.kill()
                bot.process.wait(10)
    standin.settled()

    if sockets is not None:  # every press acted on exactly once: by the process that acked it
        assert starts_recorded(db) == Counter(dict.fromkeys(announcements, 1))
        for press in presses:
            if press.status == 200:  # acked by the first: never delivered again
                assert press.envelope.deliveries == press.delivered_to_first, press
            else:  # out to the first without an ack (it had stopped): delivered again, `retry_attempt` raised
                assert press.envelope.deliveries == press.delivered_to_first + 1, press
                assert press.envelope.retry_attempt == press.delivered_to_first, press
                assert len(press.envelope.acks) == 1, press
    queued = notices(db)
    assert {notice.status for notice in queued} <= {"sent", "dropped"}
    started = [notice for notice in queued if notice.kind == "started"]
    assert {notice.announcement_uuid.hex for notice in started} == set(starts_recorded(db))
    messages, cards = markers_posted(standin)
    assert cards == Counter(dict.fromkeys(announcements, 1))  # each channel got its cards once
    replies = [notice.key for notice in queued
               if notice.status == "sent" and notice.kind not in ("published", "summary_chart")]
    assert messages == Counter(dict.fromkeys(replies, 1))  # and each notice's message once
    charts = Counter(notice.channel_id for notice in queued if notice.kind == "summary_chart")
    assert {channel: len(standin.uploads_in(channel)) for channel in charts} == charts  # each chart shared once


def test_a_delivery_slack_holds_past_the_grace_period_does_not_hold_the_exit(db, announcements, standin, tmp_path):
    # Slack takes each card and answers far later than the grace period (and than the client's 10 s timeout).
    standin.fail(method="chat.postMessage", delay=30, times=None)
    bot = start_bot(db, tmp_path, standin, "stuck", grace=2)
    try:
        bot.wait_until_serving()
        assert eventually(lambda: standin.calls_to("chat.postMessage"), within=30), bot.output()
        code, took = terminate(bot, 2)
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait(10)

    assert code == 0, bot.output()
    assert took < 2 + EXIT_MARGIN, f"exit took {took:.1f} s\n{bot.output()}"
    assert "grace period (2 s) ended before stopping the jobs and the dispatcher" in bot.output()
    in_slack = {call.args["metadata"]["event_payload"]["key"] for call in posts(standin)}
    for notice in notices(db):  # a card in Slack's hands keeps its lease: it is looked for before a second post
        assert notice.status == "pending"
        assert (notice.claim_token is not None) == (notice.key in in_slack), notice.key
