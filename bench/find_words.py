#!/usr/bin/env python
"""Benchmark: the `query` words filter (`/maint find`, `?query=`) over 100,000 announcements.

A word may be anywhere in a name or a message, so no index serves it: the filter scans every row the other
conditions leave (visibility, state…) and folds each name and message to lower case. This script loads the
data of `bench/api_http.py` and times, in-process, a search for a common word, a rare one, three words and
one that matches nothing, for an admin and for the anonymous public list: counting and the first page of 20.

    .venv/bin/python bench/find_words.py [--count 100000] [--backends sqlite,postgresql] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import api_http  # the fixtures of the HTTP bench, shared
from databases import scratch_database

from bot.api.auth import ANONYMOUS
from bot.domain.clock import ManualClock
from bot.domain.listing import ListQuery, search_words
from bot.domain.service import build_services

SEARCHES = ("maintenance", "#4242", "rolling reboot hypervisors", "zzzz-nothing", "überholung")


def run_backend(backend: str, args) -> None:
    with scratch_database(backend, name="maintbot_bench_f") as scratch:
        fixtures = api_http.load(scratch.db, args.count)
        print(f"\n[{backend}] loaded {args.count:,} announcements in {fixtures['load_seconds']:.1f} s", flush=True)
        services = build_services(scratch.db, ManualClock(api_http.NOW), admins={api_http.ADMIN.id})
        for reader, actor in (("admin", api_http.ADMIN), ("public", ANONYMOUS)):
            for text in SEARCHES:
                query = ListQuery(words=search_words(text), soonest_first=True, page_size=20)
                times = []
                for _ in range(args.runs):
                    began = time.perf_counter()
                    page = services.announcements.list(actor, query)
                    times.append(time.perf_counter() - began)
                print(f"  {reader:7} {text!r:26} {page.count:7,} found  {statistics.median(times) * 1000:8.1f} ms",
                      flush=True)
            began = time.perf_counter()
            page = services.announcements.list(actor, ListQuery(soonest_first=True, page_size=20))
            print(f"  {reader:7} {'(no words, soonest first)':26} {page.count:7,} listed "
                  f"{(time.perf_counter() - began) * 1000:8.1f} ms", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run_backend(backend.strip(), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
