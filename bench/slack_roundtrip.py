#!/usr/bin/env python
"""Benchmark: Slack round trips in HTTP mode and in Socket Mode, with 10,000 and with 100,000 announcements.

Each sample is one request until the answer the user sees has arrived: the ack body for commands that
answer in the ack (help, list, show, stats), the response_url post for a button on an ephemeral card.
In HTTP mode the request is signed and sent to `POST /slack/events` (uvicorn on 127.0.0.1, the same mount
as `maintbot run` in HTTP mode); in Socket Mode it is an envelope sent over the stand-in's websocket
(bot.console.socket_standin) to the handler `maintbot run` connects with, and the sample ends when its ack
is back at the stand-in. The Web API and response_url are answered by the SlackStandIn.

The floor of each mode, in the same run and reached the same way, is a bare Bolt app that only acks, with
`process_before_response=True` (Bolt's default mode waits for the ack in 10 ms steps, which would hide
our own cost). Targets, in both modes and at each size: p50 ≤ 3× that mode's floor, p99 ≤ 50 ms; for
`/maint stats` p50 ≤ 5× (the statistics' own target, issue 14).

    .venv/bin/python bench/slack_roundtrip.py [--count 10000 100000] [--runs 300] [--postgres URL]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import uvicorn
from databases import scratch_database
from slack_bolt import App
from sqlalchemy import insert, text

from bot.config import Settings
from bot.console import simulator
from bot.console.socket_standin import SocketModeStandIn
from bot.console.standin import SlackStandIn
from bot.domain.actors import Actor
from bot.domain.clock import ManualClock
from bot.domain.enums import Interface, State
from bot.domain.service import build_services
from bot.slack.app import build_app, make_client
from bot.slack.http import standalone
from bot.slack.socket_mode import socket_mode_handler
from storage.db import Database
from storage.models import Announcement

SECRET = "bench-signing-secret"
ADMIN, MANAGER, READER = "UBENCHADM1", "UCLOUDMGR1", "UREADER001"
CHANNEL = "CCLOUD0001"
P50_RATIO_TARGET, P99_TARGET_MS = 3.0, 50.0
STATS_RATIO_TARGET = 5.0


class TimedResponses(list):
    """The stand-in's response_url log, noting when each post arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Condition()

    def append(self, item) -> None:
        with self.arrived:
            super().append({**item, "at": time.perf_counter()})
            self.arrived.notify_all()


class Served:
    def __init__(self, asgi) -> None:
        self.server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}/slack/events"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


# -- fixtures ----------------------------------------------------------------------------------------


def load(db: Database, count: int, now: datetime) -> None:
    """Providers and offerings through the services; `count` announcements bulk-inserted in every state."""
    services = build_services(db, ManualClock(now), admins={ADMIN})
    admin = Actor(ADMIN, Interface.CLI)
    services.catalog.add_provider(admin, "Cloud", CHANNEL, manager_users=(MANAGER,))
    services.catalog.add_provider(admin, "Storage", "CSTORE0001", manager_users=("USTOREMGR1",))
    for name, provider in (("VMs", "Cloud"), ("Kubernetes", "Cloud"), ("Backup", "Storage")):
        services.catalog.add_offering(admin, name, provider)
    with db.engine.begin() as connection:
        providers = [row[0] for row in connection.execute(text("SELECT id FROM providers ORDER BY id"))]
    rng = random.Random(7)
    rows = []
    for number in range(count):
        start = now + timedelta(days=rng.uniform(-200, 60), hours=rng.randint(0, 23))
        state = rng.choice([State.DRAFT, State.SCHEDULED, State.SCHEDULED, State.IN_PROGRESS, State.COMPLETED,
                            State.COMPLETED, State.CANCELLED])
        rows.append({
            "uuid": uuid.uuid4(), "name": f"Maintenance {number:05d}", "message": "Rolling reboot.",
            "internal_notes": "", "maintenance_type": rng.randint(1, 5), "external_reference_url": "",
            "state": int(state), "scheduled_start": start, "scheduled_end": start + timedelta(hours=2),
            "actual_start": start if state in (State.IN_PROGRESS, State.COMPLETED) else None,
            "actual_end": start + timedelta(hours=2, minutes=rng.randint(-20, 40)) if state is State.COMPLETED
            else None,
            "provider_id": rng.choice(providers), "created_by": MANAGER, "backend_id": "", "sequence": 1,
            "created": now - timedelta(days=rng.uniform(0, 300)), "modified": now,
        })
    with db.engine.begin() as connection:
        for chunk in range(0, len(rows), 2000):
            connection.execute(insert(Announcement), rows[chunk:chunk + 2000])
    assert db.engine.connect().execute(text("SELECT count(*) FROM announcements")).scalar() == count
    db.analyze()  # SQLite's planner statistics, as `maintbot` refreshes them at start-up and hourly


def bare_app(api_url: str) -> App:
    """The floor: verifies the signature and acks, nothing else."""
    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=api_url, _env_file=None)
    app = App(client=make_client(settings), signing_secret=SECRET, token_verification_enabled=False,
              process_before_response=True)
    app.command("/maint")(lambda ack: ack())
    app.action(re.compile(r"^maint\..*"))(lambda ack: ack())
    return app


# -- measuring ---------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": statistics.fmean(ordered)}


class Socket:
    """A Bolt app connected over Socket Mode to a stand-in of its own (its Web API on `api`)."""

    def __init__(self, bolt: App, api: SlackStandIn) -> None:
        self.sockets = SocketModeStandIn(api).start()
        self.handler = socket_mode_handler(bolt, "xapp-bench")
        self.handler.connect()
        self.sockets.wait_connected()

    def stop(self) -> None:
        self.handler.close()
        self.sockets.stop()


def timed(client: httpx.Client, to: str | Socket, body: str, content_type: str,
          wait_for: Callable[[], float] | None = None) -> float:
    """Milliseconds from sending `body` (a POST to a URL, or an envelope over a Socket) to its ack, or to
    `wait_for()`'s moment."""
    if isinstance(to, Socket):
        started = time.perf_counter()
        to.sockets.request(content_type, body)
    else:
        signed = simulator.sign(body, content_type, SECRET)
        started = time.perf_counter()
        response = client.post(to, content=signed.body.encode(), headers=signed.headers)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    finished = wait_for() if wait_for else time.perf_counter()
    return (finished - started) * 1000


def run_case(runs: int, warmup: int, sample: Callable[[], float]) -> dict[str, float]:
    for _ in range(warmup):
        sample()
    return percentiles([sample() for _ in range(runs)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, nargs="+", default=[10_000, 100_000],
                        help="announcements stored, one run of every case per size (default 10000 100000)")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL", help="use this PostgreSQL server (a schema of its own)")
    args = parser.parse_args(argv)
    failed = False
    for count in args.count:
        failed |= measure(count, args)
    return 1 if failed else 0


def measure(count: int, args: argparse.Namespace) -> bool:
    """Every case in both modes against `count` announcements; prints the table, True when a target is missed."""
    now = datetime.now(UTC).replace(microsecond=0)
    scratch = ExitStack()  # the database, removed once the measuring is done
    db = scratch.enter_context(
        scratch_database("postgresql" if args.postgres else "sqlite", url=args.postgres, name="maintbot_slack_bench")
    ).db
    print(f"loading {count:,} announcements into {db.dialect} …", flush=True)
    load(db, count, now)

    standin = SlackStandIn().start(poll_interval=0.05)
    responses = TimedResponses()
    standin.responses = responses
    settings = Settings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=standin.api_url,
                        admins=[ADMIN], _env_file=None)
    services = build_services(db, admins={ADMIN})
    app = build_app(services, settings)
    ours, floor = Served(standalone(app.bolt)), Served(standalone(bare_app(standin.api_url)))
    socket_app = build_app(services, settings, verify_requests=False)  # as `maintbot run` builds it in Socket Mode
    floor_api = SlackStandIn().start(poll_interval=0.05)  # the floor's socket has a stand-in of its own
    ours_socket, floor_socket = Socket(socket_app.bolt, standin), Socket(bare_app(floor_api.api_url), floor_api)
    draft = services.announcements.create(Actor(MANAGER, Interface.SLACK), {
        "name": "Bench draft", "provider": "Cloud", "scheduled_start": now + timedelta(days=3),
        "scheduled_end": now + timedelta(days=3, hours=1)})
    some = services.announcements.list(Actor(READER, Interface.SLACK)).items[0]

    def command(url: str | Socket, text_: str, user: str = READER) -> float:
        body = simulator.slash_command(user, CHANNEL, text_, standin.response_url("bench"))
        return timed(http, url, body, simulator.FORM)

    verbs = itertools.cycle(["schedule", "unschedule"])

    def press(url: str | Socket, wait: bool) -> float:
        verb = next(verbs)
        button = {"action_id": f"maint.{verb}", "value": draft.uuid.hex,
                  "text": {"type": "plain_text", "text": verb.capitalize()}}
        body = simulator.block_actions(MANAGER, button, block_id="card", channel=CHANNEL, message_ts="1.000100",
                                       ephemeral=True, response_url=standin.response_url("bench"))
        seen = len(responses)

        def arrived() -> float:
            with responses.arrived:
                if not responses.arrived.wait_for(lambda: len(responses) > seen, timeout=5):
                    raise RuntimeError("no response_url post arrived")
                return responses[seen]["at"]

        return timed(http, url, body, simulator.FORM, arrived if wait else None)

    cases: dict[str, Callable[[str | Socket], float]] = {
        "/maint help": lambda url: command(url, "help"),
        "/maint list upcoming": lambda url: command(url, "list upcoming"),
        f"/maint show {some.short_id}": lambda url: command(url, f"show {some.short_id}"),
        "/maint stats": lambda url: command(url, "stats"),
    }
    modes = {"HTTP": (ours.url, floor.url), "Socket Mode": (ours_socket, floor_socket)}
    floors, results = {}, []
    with httpx.Client(timeout=10) as http:
        for mode, (target, base) in modes.items():
            floor_command = run_case(args.runs, args.warmup, lambda base=base: command(base, "help"))
            floor_button = run_case(args.runs, args.warmup, lambda base=base: press(base, wait=False))
            floors[mode] = (floor_command, floor_button)
            for name, case in cases.items():
                results.append((mode, name, run_case(args.runs, args.warmup,
                                                     lambda case=case, target=target: case(target)), floor_command))
            results.append((mode, "button Schedule/Unschedule", run_case(
                args.runs, args.warmup, lambda target=target: press(target, wait=True)), floor_button))
    ours.stop()
    floor.stop()
    ours_socket.stop()
    floor_socket.stop()
    app.close()
    socket_app.close()
    standin.stop()
    floor_api.stop()
    scratch.close()

    print(f"\nSlack round trips on loopback, {count:,} announcements on {db.dialect}, "
          f"{args.runs} runs each (ms)")
    print(f"{'mode':12} {'case':34} {'p50':>7} {'p95':>7} {'p99':>7} {'floor p50':>10} {'ratio':>6}  targets")
    failed = False
    for mode, (floor_command, floor_button) in floors.items():
        for what, figures in (("command", floor_command), ("button", floor_button)):
            print(f"{mode:12} {'floor: bare Bolt ack (' + what + ')':34} {figures['p50']:7.2f} {figures['p95']:7.2f} "
                  f"{figures['p99']:7.2f}")
        for result_mode, name, figures, base in results:
            if result_mode != mode:
                continue
            ratio = figures["p50"] / base["p50"]
            target = STATS_RATIO_TARGET if name == "/maint stats" else P50_RATIO_TARGET
            ok = ratio <= target and figures["p99"] <= P99_TARGET_MS
            failed |= not ok
            print(f"{mode:12} {name:34} {figures['p50']:7.2f} {figures['p95']:7.2f} {figures['p99']:7.2f} "
                  f"{base['p50']:10.2f} {ratio:5.1f}x  {'ok' if ok else 'MISSED'} (p50 ≤ {target:.0f}x "
                  f"floor, p99 ≤ {P99_TARGET_MS:.0f} ms)")
    return failed


if __name__ == "__main__":
    sys.exit(main())
