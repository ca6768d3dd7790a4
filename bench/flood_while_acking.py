#!/usr/bin/env python
"""Benchmark: Slack acks while 50 anonymous clients flood the API with its costliest list.

One `maintbot`-shaped server (the real `create_app` with Slack's `/slack/events` mounted, uvicorn, in a
child process) over 100,000 announcements (the fixtures of `bench/api_http.py`). The Web API is the
SlackStandIn in this process. First the Slack requests are timed alone; then again while `--clients` (50)
threads send, back to back, the most expensive anonymous request there is: the public list ordered by
three keys, two of them computed, a deep page of 300. The Slack requests are signed and sequential:
`/maint providers`, `/maint list upcoming` (both answered in the ack) and a press of the list's Next
button (a `block_actions` ack), in turn.

    .venv/bin/python bench/flood_while_acking.py [--count 100000] [--backend sqlite] [--slack 90]

Prints p50/p99/max of the acks alone and under the flood, and what the flood got (answers by status,
requests a second). Target: acks p99 < 1 s under the flood. About 2 minutes on SQLite, 3 on PostgreSQL.
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import api_http  # the fixtures of the HTTP bench, shared
import httpx
from databases import open_database, scratch_database

from bot.config import Settings
from bot.console import simulator
from bot.console.standin import SlackStandIn
from storage.db import Database

SECRET = "bench-signing-secret-0123456789"
READER = "UREADER001"
FLOOD_PATH = "/api/public-maintenance-announcements/?o=overrun_minutes,-start_delta_minutes,name&page_size=300&page="
TARGET_P99 = 1.0


def serve(url: str, schema: str | None, port: int, api_url: str) -> None:
    import uvicorn

    from bot.domain.clock import ManualClock
    from bot.domain.service import build_services
    from bot.slack.app import build_app
    from bot.slack.http import routes
    from bot.web import create_app

    db = open_database(url, schema, query_timeout=Settings(_env_file=None).query_timeout)
    services = build_services(db, ManualClock(api_http.NOW), admins={api_http.ADMIN.id})
    # The flood comes from one address here; in the field it would be 50 clients, each under the rate limit.
    settings = Settings(base_url=f"http://127.0.0.1:{port}", slack_bot_token="xoxb-bench", slack_signing_secret=SECRET,
                        slack_api_url=api_url, public_rate=0, _env_file=None)
    slack = build_app(services, settings)
    app = create_app(services, settings, slack=routes(slack.bolt))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)).run(sockets=[sock])


class Slack:
    """Signed Slack requests, timed."""

    def __init__(self, base: str, standin: SlackStandIn) -> None:
        self.url = base + "/slack/events"
        self.standin = standin
        self.http = httpx.Client(timeout=60)
        self.next_button = None

    def send(self, body: str) -> tuple[float, dict]:
        signed = simulator.sign(body, simulator.FORM, SECRET)
        began = time.perf_counter()
        response = self.http.post(self.url, content=signed.body, headers=signed.headers)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, (response.status_code, response.text[:200])
        return elapsed, (response.json() if response.content else {})

    def round(self, turn: int) -> tuple[str, float]:
        response_url = self.standin.response_url()
        if turn % 3 == 0:
            return "command", self.send(simulator.slash_command(READER, "CCLOUD0001", "providers", response_url))[0]
        if turn % 3 == 1 or self.next_button is None:
            elapsed, ack = self.send(simulator.slash_command(READER, "CCLOUD0001", "list upcoming", response_url))
            found = [b for b in simulator.buttons(ack.get("blocks", [])) if b.label.startswith("Next")]
            self.next_button = (found[0], ack, response_url) if found else None
            return "command", elapsed
        button, ack, response_url = self.next_button
        body = simulator.block_actions(READER, button.element, block_id=button.block_id, channel="CCLOUD0001",
                                       message={"blocks": ack.get("blocks", [])}, ephemeral=True,
                                       message_ts=f"{time.time():.6f}", response_url=response_url)
        return "button", self.send(body)[0]

    def timed(self, count: int) -> dict[str, list[float]]:
        times: dict[str, list[float]] = collections.defaultdict(list)
        for turn in range(count):
            kind, elapsed = self.round(turn)
            times[kind].append(elapsed)
            times["all"].append(elapsed)
        return times


def flood(base: str, path: str, clients: int, stop: threading.Event,
          statuses: collections.Counter) -> list[threading.Thread]:
    def client() -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            while not stop.is_set():
                try:
                    statuses[http.get(path).status_code] += 1
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"n={len(ordered):3}  p50 {statistics.median(ordered) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
            f"max {ordered[-1] * 1000:7.1f} ms")


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(args) -> bool:
    with scratch_database(args.backend, name="maintbot_bench_f") as scratch:
        return run_flood(scratch.db, scratch.url, scratch.schema, args)


def run_flood(db: Database, url: str, schema: str | None, args) -> bool:
    standin = SlackStandIn().start(poll_interval=0.05)
    process = None
    try:
        fixtures = api_http.load(db, args.count)
        print(f"[{args.backend}] loaded {args.count:,} announcements in {fixtures['load_seconds']:.1f} s; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        port = api_http.free_port()
        command = [sys.executable, __file__, "--serve", url, "--port", str(port), "--api-url", standin.api_url]
        process = subprocess.Popen(command + (["--schema", schema] if schema else []))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/public-maintenance-announcements/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark server did not start")
            time.sleep(0.2)
        slack = Slack(base, standin)
        slack.timed(6)  # warm-up
        alone = slack.timed(args.slack)
        one = time.perf_counter()
        path = FLOOD_PATH + str(max(1, args.count // 1000))  # page 100 of about 260 at 100k
        assert httpx.get(base + path, timeout=120).status_code == 200
        print(f"  one flood request alone: {(time.perf_counter() - one) * 1000:.0f} ms", flush=True)
        stop, statuses = threading.Event(), collections.Counter()
        threads = flood(base, path, args.clients, stop, statuses)
        time.sleep(2)  # let the flood fill every turn and queue behind them
        began = time.perf_counter()
        flooded = slack.timed(args.slack)
        elapsed = time.perf_counter() - began
        stop.set()
        for thread in threads:
            thread.join(120)
        print(f"  Slack acks alone:            {summary(alone['all'])}")
        print(f"  Slack acks under the flood:  {summary(flooded['all'])}")
        for kind in ("command", "button"):
            if flooded.get(kind):
                print(f"    {kind:8} under the flood:   {summary(flooded[kind])}")
        answered = {str(status): count for status, count in sorted(statuses.items(), key=str)}
        print(f"  the flood: {args.clients} clients, {sum(statuses.values())} answers in {elapsed:.0f} s "
              f"({sum(statuses.values()) / elapsed:.1f}/s), by status {answered}")
        verdict = p99(flooded["all"]) < TARGET_P99
        print(f"  [{args.backend}] acks p99 under the flood {p99(flooded['all']) * 1000:.0f} ms; target "
              f"< {TARGET_P99 * 1000:.0f} ms: {'met' if verdict else 'MISSED'}; load average {os.getloadavg()[0]:.2f}")
        return verdict
    finally:
        standin.stop()
        api_http.stop_server(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--slack", type=int, default=90, help="timed Slack requests, alone and under the flood")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.schema, args.port, args.api_url)
        return 0
    return 0 if run(args) else 1


if __name__ == "__main__":
    sys.exit(main())
