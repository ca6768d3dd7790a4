#!/usr/bin/env python
"""Benchmark: the public page `/status/{provider}` for a provider with 10,000 announcements, against the public JSON
list of the same items, over HTTP on loopback.

The provider's announcements are bulk-inserted through SQLAlchemy Core (a year around now: Completed behind,
a few In progress, Scheduled ahead, Cancelled after publication with their published snapshot, drafts); the page
shows at most 50 items a section, so it holds 150 of them. The floor, measured in the same run against the same
server, is the public JSON list of the provider with `page_size=150`: the same number of announcements of the
same provider, rendered by the API. The server is the real app (`bot.web.create_app`) in a child process, started
by `bench/api_http.py`'s helpers, and each case is timed sequentially on one keep-alive connection.

    .venv/bin/python bench/status_page.py [--count 10000] [--backends sqlite,postgresql] [--requests 200]

Target: the page's p50 within 3x the JSON list's. About a minute with both backends; not part of CI.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from api_http import ADMIN, LOADED, NOW, affected_row, measure, serving
from databases import move_sequences, planner_statistics, scratch_database
from sqlalchemy import insert, select

from bot.domain.clock import ManualClock
from bot.domain.enums import State
from bot.domain.service import build_services
from bot.domain.status import SECTION_LIMIT
from storage.db import Database
from storage.models import AffectedOffering, Announcement, Offering, Provider

TARGET_RATIO = 3.0
PROVIDER = "Cloud Platform"
OFFERINGS = ("Virtual machines", "Kubernetes", "Block storage", "Load balancers")
CHUNK = 5_000


def state_at(rng: random.Random, start, end) -> State:
    """A state that makes sense for a window against NOW."""
    if end < NOW:
        return rng.choices([State.COMPLETED, State.CANCELLED, State.DRAFT], [85, 10, 5])[0]
    if start <= NOW:
        return State.IN_PROGRESS
    return rng.choices([State.SCHEDULED, State.CANCELLED, State.DRAFT], [75, 10, 15])[0]


def load(db: Database, count: int, seed: int = 11) -> str:
    """One provider with `count` announcements; returns the provider's uuid (hex)."""
    services = build_services(db, ManualClock(NOW), admins={ADMIN.id})
    provider = services.catalog.add_provider(ADMIN, PROVIDER, "CCLOUDPLAT1")
    for name in OFFERINGS:
        services.catalog.add_offering(ADMIN, name, PROVIDER)
    with db.read() as session:
        provider_id = session.scalar(select(Provider.id))
        offerings = list(session.execute(select(Offering.id, Offering.uuid, Offering.name)))
    rng = random.Random(seed)
    with db.engine.begin() as connection:
        link_id = 0
        for first in range(1, count + 1, CHUNK):
            rows, links = [], []
            for ident in range(first, min(count, first + CHUNK - 1) + 1):
                start = NOW + timedelta(minutes=15 * rng.randrange(-26_000, 9_000))
                end = start + timedelta(minutes=rng.choice((30, 60, 120, 240)))
                if ident % 400 == 0:  # a few windows open now
                    start, end = NOW - timedelta(hours=1), NOW + timedelta(hours=ident % 5 + 1)
                state = state_at(rng, start, end)
                row_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
                modified = min(NOW, start - timedelta(days=rng.randint(0, 20)))
                affected = rng.sample(offerings, rng.choice((1, 1, 2, 3)))
                published = state is State.CANCELLED and rng.random() < 0.8
                rows.append({
                    "id": ident, "uuid": row_uuid, "name": f"Maintenance #{ident}",
                    "message": "Rolling reboot of the hypervisors; brief pauses are possible.",
                    "internal_notes": f"CHG-{ident:06d}", "maintenance_type": rng.randint(1, 5),
                    "external_reference_url": "https://status.example.org/changes", "state": int(state),
                    "scheduled_start": start, "scheduled_end": end,
                    "actual_start": start if state in (State.IN_PROGRESS, State.COMPLETED) else None,
                    "actual_end": end if state is State.COMPLETED else None,
                    "provider_id": provider_id, "created_by": "UCLOUD01", "backend_id": "", "sequence": 1,
                    "created": modified - timedelta(days=7), "modified": modified,
                    "published": snapshot(row_uuid, ident, start, end, modified, provider.uuid.hex, affected)
                    if published else None,
                })
                for offering_id, _, _ in affected:
                    link_id += 1
                    links.append(affected_row(rng, link_id, ident, offering_id, "Short interruptions"))
            connection.execute(insert(Announcement.__table__), rows)
            connection.execute(insert(AffectedOffering.__table__), links)
        move_sequences(db, connection, LOADED)
    planner_statistics(db, LOADED)
    return provider.uuid.hex


def snapshot(row_uuid, ident, start, end, modified, provider_hex, affected) -> dict:
    """The published wording of a cancelled announcement, as `bot/domain/published.snapshot` records it."""
    return {
        "name": f"Maintenance #{ident}", "message": "Rolling reboot of the hypervisors.", "maintenance_type": 1,
        "external_reference_url": "", "scheduled_start": start.isoformat(), "scheduled_end": end.isoformat(),
        "provider": provider_hex, "provider_name": PROVIDER, "sequence": 1, "modified": modified.isoformat(),
        "affected": [{"uuid": uuid.uuid4().hex, "offering": offering_uuid.hex, "offering_name": name,
                      "provider": provider_hex, "provider_name": PROVIDER, "impact_level": 2,
                      "impact_description": "", "created": NOW.isoformat()} for _, offering_uuid, name in affected],
    }


def run_backend(backend: str, args) -> dict:
    with scratch_database(backend, name="maintbot_bench_status") as scratch:
        db = scratch.db
        began = time.perf_counter()
        provider = load(db, args.count)
        seconds = time.perf_counter() - began
        print(f"\n[{backend}] loaded {args.count:,} announcements of one provider in {seconds:.1f} s", flush=True)
        with serving(scratch) as base:
            page_path = f"/status/{provider}"
            shown = 3 * SECTION_LIMIT
            json_path = f"/api/public-maintenance-announcements/?service_provider_uuid={provider}&page_size={shown}"
            items = httpx.get(base + page_path).text.count('class="item ')
            listed = len(httpx.get(base + json_path).json())
            figures = {}
            for name, path in (("JSON list (floor)", json_path), ("status page", page_path),
                               ("JSON list (again)", json_path)):
                figures[name] = measure(base, None, [path], args.requests, 1, args.seconds)
                print(f"  {name:18} n={figures[name]['n']:<4} p50 {figures[name]['p50']:7.2f} ms  "
                      f"p99 {figures[name]['p99']:7.2f} ms  {figures[name]['bytes']:,} B", flush=True)
            floor = min(figures["JSON list (floor)"]["p50"], figures["JSON list (again)"]["p50"])
            ratio = figures["status page"]["p50"] / floor
            verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
            print(f"  page holds {items} items, the JSON list {listed}; page p50 / JSON p50 = {ratio:.2f}x  {verdict}")
            return {"ratio": ratio}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0, help="time limit of each case")
    args = parser.parse_args()
    results = {backend: run_backend(backend.strip(), args) for backend in args.backends.split(",")}
    return 0 if all(result["ratio"] <= TARGET_RATIO for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
