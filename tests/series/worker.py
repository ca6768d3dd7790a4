"""The materialising job in a process of its own, for the test that runs three at once on one PostgreSQL.

    python -m tests.series.worker --database URL [--schema S] --now ISO --epoch T

Waits until wall-clock `epoch` (so the processes start together), runs the job's tick half
(`services.series.materialise`) at `now` a few times, and prints how many occurrences it created.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from bot.domain.clock import ManualClock
from bot.domain.service import build_services
from storage.db import Database


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--schema")
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("--epoch", required=True, type=float)
    args = parser.parse_args(argv)

    options = {"connect_args": {"options": f"-csearch_path={args.schema}"}} if args.schema else {}
    services = build_services(Database(args.database, **options), ManualClock(args.now))
    time.sleep(max(0.0, args.epoch - time.time()))
    created = published = 0
    for _ in range(3):
        report = services.series.materialise(batch=1000)
        created += len(report.created)
        published += len(report.published)
    print(f"created {created} published {published}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
