"""The database going away while the bot serves: people are told to try again, and nothing is lost.

The bot is served for real on loopback: the HTTP API and Slack's `/slack/events` on one uvicorn (as
`maintbot run` serves them), the Web API on the SlackStandIn, the outbox dispatcher in its background
thread.

- A database that does not answer at all: every interface says "try again in a moment" (HTTP 503 with
  `{"detail": …}`; an ephemeral note in Slack), never a 500 or Slack's generic failure. Fast, harmless.
- PostgreSQL stopped and started, then restarted under traffic (marked `disruptive`: it cuts off every
  other user of the server, so it runs only in `make reliability`): the same answers during the outage,
  recovery without restarting the bot, and every notice delivered exactly once, with the cards right.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from bot.config import Settings
from bot.console.standin import SlackStandIn
from bot.domain.clock import ManualClock
from bot.domain.enums import State
from bot.domain.service import build_services
from bot.slack.app import build_app
from bot.slack.delivery import Dispatcher
from bot.slack.http import routes
from bot.slack.replies import TRY_AGAIN
from bot.web import create_app
from storage.db import Database
from tests.conftest import ADMIN_ID, NOW, emptied_postgres, postgres_database
from tests.factories import announce
from tests.reliability.faults_support import (
    delivered,
    notices,
    out_of_order,
    postgres,
    postgres_controllable,
    postgres_down,
    stale_cards,
)
from tests.slack.workspace import SECRET, Seen, Server, Workspace

MANAGER, CHANNEL = "UCLOUDMGR1", "CCLOUD0001"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1
API_TRY_AGAIN = "The database is not answering right now; please try again in a moment."


class Serving:
    """maintbot serving over loopback: the API and Slack's endpoint on one server, the dispatcher running."""

    def __init__(self, services, standin: SlackStandIn) -> None:
        self.services, self.standin = services, standin
        settings = Settings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=standin.api_url,
                            admins=[ADMIN_ID], timezone="UTC", _env_file=None)
        self.slack_app = build_app(services, settings)
        self.dispatcher = Dispatcher(services, self.slack_app.client, pace=0, poll=0.2,
                                     backoff=(timedelta(seconds=1), timedelta(seconds=5)))
        self.server = Server(create_app(services, settings, slack=routes(self.slack_app.bolt)))
        self.url = self.server.start()
        self.slack = Workspace(self.url, self.slack_app, standin, self.dispatcher)
        self.api = httpx.Client(base_url=self.url, timeout=30)

    def authorise(self, token: str) -> None:
        self.api.headers["Authorization"] = f"Token {token}"

    def close(self) -> None:
        self.dispatcher.stop()
        self.api.close()
        self.slack.close()
        self.server.stop()
        self.slack_app.close()


def card_with_start_button(uuid_hex: str) -> Seen:
    """A card as a channel shows it, with its Start button (what a press carries is all that matters here)."""
    button = {"type": "button", "action_id": "maint.start", "value": uuid_hex,
              "text": {"type": "plain_text", "text": "Start"}}
    return Seen("Kernel upgrade", [{"type": "actions", "block_id": f"card:{uuid_hex}", "elements": [button]}],
                channel=CHANNEL, ts="1700000001.000100")


def assert_try_again_everywhere(bot: Serving, announcement_hex: str) -> Counter:
    """Every interface, asked while the database is away, answers "try again in a moment"; returns what it tried."""
    tried: Counter = Counter()
    for method, path in [
        ("GET", "/api/maintenance-announcements/"),
        ("HEAD", "/api/maintenance-announcements/"),
        ("GET", f"/api/maintenance-announcements/{announcement_hex}/"),
        ("POST", f"/api/maintenance-announcements/{announcement_hex}/start_maintenance/"),
        ("GET", "/api/maintenance-announcements/maintenance_stats/"),
        ("GET", "/api/public-maintenance-announcements/"),
        ("GET", "/api/maintenance-calendar.ics"),
    ]:
        response = bot.api.request(method, path)
        assert response.status_code == 503, f"{method} {path}: {response.status_code} {response.text[:200]}"
        assert response.headers["Retry-After"] == "5"
        if method != "HEAD":
            assert response.json() == {"detail": API_TRY_AGAIN}
        tried["api"] += 1

    for words in ("list", f"show {announcement_hex[:8]}", f"start {announcement_hex[:8]}", "stats", "providers"):
        reply = bot.slack.command(words, user=MANAGER)
        assert reply.status == 200 and reply.text == TRY_AGAIN, f"/maint {words}: {reply.status} {reply.body[:200]}"
        assert reply.ack["response_type"] == "ephemeral"
        tried["slack"] += 1

    reply = bot.slack.press(card_with_start_button(announcement_hex), "Start", user=MANAGER)
    assert reply.status == 200 and [seen.content for seen in reply.seen] == [TRY_AGAIN]
    assert reply.seen[0].ephemeral  # only the presser is told
    tried["slack"] += 1
    return tried


def test_while_the_database_does_not_answer_every_interface_says_try_again(standin):
    services = build_services(Database(UNREACHABLE), ManualClock(NOW), admins={ADMIN_ID})
    bot = Serving(services, standin)
    bot.authorise("0" * 40)
    try:
        assert_try_again_everywhere(bot, "ab" * 16)
    finally:
        bot.close()
        services.context.db.dispose()
    assert standin.posts_in(CHANNEL) == []


# -- PostgreSQL restarted under the bot ------------------------------------------------------------


@pytest.fixture
def db(postgres_schema) -> Database:
    """PostgreSQL only: this is about the server going away."""
    reason = postgres_controllable()
    if reason:
        pytest.skip(f"cannot restart PostgreSQL here: {reason}")
    database = postgres_database(postgres_schema)
    emptied_postgres(database)
    yield database
    database.dispose()


@pytest.fixture
def bot(services, world, admin, standin):
    served = Serving(services, standin)
    served.authorise(services.tokens.create(admin, "admin", name="reliability").secret)
    served.dispatcher.start()
    yield served
    served.close()


class Traffic:
    """People and scripts using the bot while PostgreSQL restarts: reads over the API and Slack, and each of a
    few drafts published over the API, retried after a 503 as a careful client does. Records every answer."""

    def __init__(self, bot: Serving, drafts: list[str]) -> None:
        self.bot, self.drafts = bot, list(drafts)
        self.answers: Counter = Counter()
        self.published: dict[str, int] = {}  # draft → the status that settled it (200, or 409 after a lost answer)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        next_publish = 0.0
        with httpx.Client(base_url=self.bot.url, headers=dict(self.bot.api.headers), timeout=30) as api:
            while not self._stop.is_set():
                self.answers[f"api list {api.get('/api/maintenance-announcements/').status_code}"] += 1
                reply = self.bot.slack.command("list", user=MANAGER)
                self.answers["slack try again" if reply.text == TRY_AGAIN else f"slack {reply.status}"] += 1
                if self.drafts and time.monotonic() >= next_publish:  # one every 0.2 s: across the restart
                    next_publish = time.monotonic() + 0.2
                    status = api.post(f"/api/maintenance-announcements/{self.drafts[0]}/schedule/").status_code
                    self.answers[f"api schedule {status}"] += 1
                    if status != 503:
                        self.published[self.drafts.pop(0)] = status
                time.sleep(0.02)


@pytest.mark.disruptive
def test_postgresql_restarted_while_serving_loses_and_duplicates_nothing(
    db, services, world, cloud_manager, bot, standin, clock, capsys
):
    kernel = announce(services, cloud_manager, State.SCHEDULED, name="Kernel upgrade")
    drafts = [announce(services, cloud_manager, name=f"Patch {number}").uuid.hex for number in range(6)]
    assert bot.slack.command("list", user=MANAGER).text != TRY_AGAIN
    settled_before = wait_until_delivered(db, standin, clock)
    card = bot.slack.card_in(CHANNEL)

    with postgres_down():  # 1. stopped: every answer is "try again"
        tried = assert_try_again_everywhere(bot, kernel.uuid.hex)
        time.sleep(0.5)  # the dispatcher polls meanwhile, and fails, and carries on

    # 2. back: the same requests work at once, without restarting anything
    assert bot.api.get("/api/maintenance-announcements/").status_code == 200
    assert bot.slack.command("list", user=MANAGER).text != TRY_AGAIN
    pressed = bot.slack.press(card, "Start", user=MANAGER)
    assert pressed.status == 200 and pressed.seen == []  # the card itself is the answer
    assert services.announcements.get(cloud_manager, kernel.uuid).state is State.IN_PROGRESS

    # 3. restarted while traffic flows
    with Traffic(bot, drafts) as traffic:
        time.sleep(0.3)
        postgres("restart")
        deadline = time.monotonic() + 20
        while traffic.drafts and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)

    assert traffic.drafts == [], f"not published after the restart: {traffic.drafts} ({traffic.answers})"
    assert set(traffic.published.values()) <= {200, 409}
    assert not [answer for answer in traffic.answers if answer.endswith(" 500")]
    assert {services.announcements.get(cloud_manager, uuid).state for uuid in drafts} == {State.SCHEDULED}
    for uuid in [kernel.uuid.hex, *drafts]:  # each state change happened once, whatever the retries
        changes = [event.changes["state"] for event in services.announcements.history(cloud_manager, uuid)
                   if "state" in event.changes]
        assert len(changes) == len({tuple(change) for change in changes}), changes

    wait_until_delivered(db, standin, clock)
    result = delivered(db, standin, clock.now())
    assert result.lost == [] and result.duplicated == {}
    assert result.sent > settled_before.sent
    assert out_of_order(db, standin) == []
    assert stale_cards(services, standin) == []
    with capsys.disabled():
        print_figures(tried, traffic, result)


def wait_until_delivered(db, standin, clock, within: float = 30.0):
    """Let the background dispatcher finish (moving the clock past leases and backoffs); returns the outcome."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = delivered(db, standin, clock.now())
        if not result.lost and not [n for n in notices(db) if n.status == "pending" and n.next_attempt <= clock.now()]:
            return result
        clock.advance(timedelta(minutes=1))
        time.sleep(0.3)
    return delivered(db, standin, clock.now())


def print_figures(tried: Counter, traffic: Traffic, result) -> None:
    during = sum(tried.values())
    flowing = sum(traffic.answers.values())
    print(f"\ndatabase faults: 1 stop/start + 1 restart under traffic; {during} requests during the outage "
          f"(all 'try again'), {flowing} during the restart {dict(traffic.answers)}; "
          f"{result.notices} notices, lost {len(result.lost)}, duplicated {len(result.duplicated)}")
