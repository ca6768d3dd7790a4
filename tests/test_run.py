"""`maintbot run` as operators run it: a real process in HTTP mode, Slack's Web API on the stand-in.

Slack away at start-up (nothing listening, or answering 503 to everything) does not stop the process: the
HTTP API and the probes answer meanwhile, an announcement published through the API waits, and its card
reaches the channel once Slack answers. `--no-slack` serves the API without any Slack settings.

Waiting is on what can be observed (an HTTP answer, a message at the stand-in), with a deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.console.standin import SlackStandIn
from tests.conftest import POSTGRES_URL
from tests.jobs.helpers import eventually

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = "CCLOUD0001"
STARTED_WITHIN = 60.0
DELIVERED_WITHIN = 45.0  # the watcher asks Slack again at most 15 s apart


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    """`python -m bot.cli run …` on a free port, against the test's database; its output in a file."""

    def __init__(self, db, tmp_path: Path, *arguments: str, **variables: str) -> None:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("MAINTBOT_", "SLACK_")) and name != "DATABASE_URL"}
        if db.dialect == "sqlite":
            env["DATABASE_URL"] = db.engine.url.render_as_string(hide_password=False)
        else:
            with db.engine.connect() as connection:
                schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
            env |= {"DATABASE_URL": POSTGRES_URL, "PGOPTIONS": f"-csearch_path={schema}"}
        env |= {"PYTHONPATH": str(ROOT), "MAINTBOT_TICK_SECONDS": "1"} | variables
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "maintbot-run.log"
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--host", "127.0.0.1", "--port", str(self.port), *arguments],
                cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def output(self) -> str:
        return self.log.read_text()

    def serving(self) -> bool:
        assert self.process.poll() is None, f"maintbot run exited with {self.process.returncode}:\n{self.output()}"
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def wait_until_serving(self) -> None:
        assert eventually(self.serving, within=STARTED_WITHIN), self.output()

    def readiness(self) -> dict:
        return self.http.get("/readyz").json()

    def stop(self) -> int:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


@pytest.fixture
def cloud_token(services, world, admin) -> str:
    return services.tokens.create(admin, "provider", provider="Cloud", name="ci").secret


def publish_through_the_api(bot: Running, token: str, world) -> dict:
    start = datetime.now(UTC) + timedelta(days=2)
    headers = {"Authorization": f"Token {token}"}
    created = bot.http.post("/api/maintenance-announcements/", headers=headers, json={
        "name": "Kernel upgrade", "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(hours=2)).isoformat(),
        "service_provider": f"{bot.url}/api/marketplace-service-providers/{world['cloud'].uuid.hex}/"})
    assert created.status_code == 201, created.text
    scheduled = bot.http.post(f"/api/maintenance-announcements/{created.json()['uuid']}/schedule/", headers=headers)
    assert scheduled.status_code == 200, scheduled.text
    return created.json()


def test_while_nothing_answers_for_slack_the_api_serves_and_the_card_goes_out_once_slack_is_up(
    db, world, cloud_token, tmp_path
):
    slack_port = free_port()  # nothing listens here yet: every call is refused
    bot = Running(db, tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s",
                  SLACK_API_URL=f"http://127.0.0.1:{slack_port}/api/")
    standin = None
    try:
        bot.wait_until_serving()
        assert bot.readiness()["slack"]["status"] == "unreachable"
        assert bot.readiness()["database"]["status"] == "ok"
        announcement = publish_through_the_api(bot, cloud_token, world)

        standin = SlackStandIn(port=slack_port).start(poll_interval=0.05)

        assert eventually(lambda: standin.posts_in(CHANNEL), within=DELIVERED_WITHIN), bot.output()
        [card] = standin.posts_in(CHANNEL)
        assert "Kernel upgrade" in card.text
        assert card.metadata["event_payload"]["announcement"] == announcement["uuid"]
        assert eventually(lambda: bot.readiness()["slack"]["status"] == "connected", within=DELIVERED_WITHIN)
        assert "cannot reach Slack" in bot.output()
    finally:
        assert bot.stop() == 0, bot.output()
        if standin is not None:
            standin.stop()


def test_while_slack_answers_503_to_everything_the_api_serves_and_the_card_waits_until_it_recovers(
    db, world, cloud_token, tmp_path
):
    standin = SlackStandIn().start(poll_interval=0.05)
    standin.fail(status=503, times=None)
    bot = Running(db, tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s", SLACK_API_URL=standin.api_url)
    try:
        bot.wait_until_serving()
        publish_through_the_api(bot, cloud_token, world)
        assert eventually(lambda: standin.calls_to("chat.postMessage"), within=DELIVERED_WITHIN), bot.output()
        assert standin.posts_in(CHANNEL) == []  # tried, refused: nothing shown yet
        slack = bot.readiness()["slack"]
        assert (slack["status"], slack["detail"]) == ("unreachable", "fatal_error (HTTP 503)")

        standin.clear_faults()

        assert eventually(lambda: standin.posts_in(CHANNEL), within=DELIVERED_WITHIN), bot.output()
        assert len(standin.posts_in(CHANNEL, threads=False)) == 1
    finally:
        assert bot.stop() == 0, bot.output()
        standin.stop()


def test_no_slack_serves_the_api_without_any_slack_setting(db, world, cloud_token, tmp_path):
    bot = Running(db, tmp_path, "--no-slack")
    try:
        bot.wait_until_serving()

        listed = bot.http.get("/api/maintenance-announcements/", headers={"Authorization": f"Token {cloud_token}"})
        ready = bot.http.get("/readyz")
        slack_endpoint = bot.http.post("/slack/events", content=b"{}")

        assert listed.status_code == 200
        assert ready.status_code == 200 and ready.json()["slack"] == {"status": "off"}
        assert slack_endpoint.status_code == 404
        assert "HTTP API only (--no-slack)" in bot.output()
    finally:
        assert bot.stop() == 0, bot.output()
