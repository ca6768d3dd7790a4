"""A dispatcher in a process of its own, for the tests that kill processes or run several at once.

    python -m tests.jobs.worker serve|drain --database URL [--schema S] --api-url URL --start ISO --epoch T

Its clock reads `start` plus the wall-clock seconds since `epoch`, so every process the test starts agrees
on the time. `serve` runs the background dispatcher until killed; `drain` delivers until nothing is pending.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.domain.service import build_services
from bot.slack.delivery import Dispatcher
from storage.db import Database
from storage.models import Notice


class SharedClock:
    def __init__(self, start: datetime, epoch: float) -> None:
        self.start, self.epoch = start, epoch

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.time() - self.epoch)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "drain"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--schema")
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--start", required=True, type=datetime.fromisoformat)
    parser.add_argument("--epoch", required=True, type=float)
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--pace", type=float, default=0.0)
    args = parser.parse_args(argv)

    options = {"connect_args": {"options": f"-csearch_path={args.schema}"}} if args.schema else {}
    db = Database(args.database, **options)
    clock = SharedClock(args.start, args.epoch)
    services = build_services(db, clock)
    client = WebClient(token="xoxb-test", base_url=args.api_url, timeout=2, retry_handlers=[])
    lease = timedelta(seconds=args.lease)
    dispatcher = Dispatcher(services, client, clock=clock, pace=args.pace, lease=lease, poll=0.2)
    if args.mode == "serve":
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        dispatcher.start()
        print("serving", flush=True)
        stopped.wait()
        dispatcher.stop()
        return 0
    delivered = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        delivered += dispatcher.deliver_due()
        with db.read() as session:
            if not session.scalar(select(func.count()).where(Notice.status == "pending")):
                break
        time.sleep(0.05)
    dispatcher.stop()
    print(f"delivered {delivered}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
