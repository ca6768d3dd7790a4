#!/usr/bin/env python
"""Benchmark: list, retrieve and statistics over HTTP on loopback at 100,000 announcements.

Fixtures are bulk-inserted through SQLAlchemy Core into the real tables after migrating; every measured
request goes through the real app (`bot.web.create_app`) served by uvicorn in a separate process, with
a real token. In the same server, in the same run, bare FastAPI endpoints return a fixed JSON body of
the same size (a real page, a real announcement, real statistics, captured once at start) through the
same response class: the ratio to them is what the API adds (auth, the domain's queries, rendering).

    .venv/bin/python bench/api_http.py [--count 100000] [--backends sqlite,postgresql] [--requests 400]

Prints p50/p99 latency (sequential requests, one keep-alive connection) and requests per second (the
sequential rate, and the rate with --clients concurrent connections). Target: list and retrieve within 3x the
bare endpoint, for an admin, a provider's token and a read-only token, and the public list (its floor the bare
public page); the bench prints the target beside each ratio and exits non-zero when one is missed. To tell the
API's share from the domain's, each case is also timed as the same domain call in-process, without HTTP.
PostgreSQL comes from MAINTBOT_BENCH_POSTGRES_URL (default: the local test database) in a schema of its own,
dropped afterwards. Each phase stops after --requests or --seconds; not part of CI.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from databases import Scratch, move_sequences, open_database, planner_statistics, scratch_database
from sqlalchemy import insert, select

from bot.domain.actors import Actor
from bot.domain.clock import ManualClock
from bot.domain.enums import PUBLIC_STATES, Interface, State
from bot.domain.service import build_services
from storage.db import Database
from storage.models import AffectedOffering, Announcement, Offering, Provider

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ADMIN = Actor("UBENCHADM1", Interface.SLACK)
TARGET_RATIO = 3.0
CHUNK = 5_000
CATALOG = {"Cloud": ["VMs", "Kubernetes", "Block storage", "DNS"], "Storage": ["Object store", "Backup", "NFS"]}
LOADED = ("announcements", "affected_offerings")  # bulk-inserted with their ids, by this bench and its users
STATE_WEIGHTS = {State.DRAFT: 12, State.SCHEDULED: 20, State.IN_PROGRESS: 3, State.COMPLETED: 55, State.CANCELLED: 10}


# -- fixtures ---------------------------------------------------------------------------------------


def load(db: Database, count: int, seed: int = 7) -> dict:
    """Catalog and tokens through the services; announcements and affected offerings through Core."""
    services = build_services(db, ManualClock(NOW), admins={ADMIN.id})
    for name, offerings in CATALOG.items():
        services.catalog.add_provider(ADMIN, name, f"C{name.upper()[:6]}01", manager_users=(f"U{name.upper()}01",))
        for offering in offerings:
            services.catalog.add_offering(ADMIN, offering, name)
    tokens = {
        "admin": services.tokens.create(ADMIN, "admin").secret,
        "read_only": services.tokens.create(ADMIN, "read_only").secret,
        "provider": services.tokens.create(ADMIN, "provider", provider="Cloud", name="cloud").secret,
    }
    with db.read() as session:
        providers = session.execute(select(Provider.id, Provider.name)).all()
        offerings = session.execute(select(Offering.id, Offering.provider_id)).all()
    by_provider = {pid: [oid for oid, owner in offerings if owner == pid] for pid, _ in providers}
    cloud = next(pid for pid, name in providers if name == "Cloud")
    rng = random.Random(seed)
    states, weights = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
    sample: list[str] = []  # every 997th, for an admin
    published: list[str] = []  # of those, the ones everyone may read
    clouds: list[str] = []  # of those, the Cloud provider's (its token manages them)
    began = time.perf_counter()
    with db.engine.begin() as connection:
        link_id = 0
        for first in range(1, count + 1, CHUNK):
            rows, links = [], []
            for ident in range(first, min(count, first + CHUNK - 1) + 1):
                provider_id = rng.choice(providers)[0]
                start = NOW + timedelta(minutes=15 * rng.randrange(-26_000, 9_000))
                end = start + timedelta(minutes=rng.choice((30, 60, 120, 240)))
                state = rng.choices(states, weights)[0]
                started = state in (State.IN_PROGRESS, State.COMPLETED)
                row_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
                if ident % 997 == 0:
                    sample.append(row_uuid.hex)
                    if state in PUBLIC_STATES:
                        published.append(row_uuid.hex)
                    if provider_id == cloud:
                        clouds.append(row_uuid.hex)
                rows.append({
                    "id": ident, "uuid": row_uuid, "name": f"Maintenance #{ident}",
                    "message": "Rolling reboot of the hypervisors; brief pauses are possible.",
                    "internal_notes": f"CHG-{ident:06d}", "maintenance_type": rng.randint(1, 5),
                    "external_reference_url": "", "state": int(state), "scheduled_start": start,
                    "scheduled_end": end,
                    "actual_start": start + timedelta(minutes=rng.randint(-10, 30)) if started else None,
                    "actual_end": end + timedelta(minutes=rng.randint(-30, 60)) if state is State.COMPLETED else None,
                    "provider_id": provider_id, "created_by": "UCLOUD01", "backend_id": "", "sequence": 1,
                    "created": start - timedelta(days=7), "modified": start - timedelta(days=7),
                })
                for offering_id in rng.sample(by_provider[provider_id], rng.choice((0, 1, 1, 2, 3))):
                    link_id += 1
                    links.append(affected_row(rng, link_id, ident, offering_id))
            connection.execute(insert(Announcement.__table__), rows)
            if links:
                connection.execute(insert(AffectedOffering.__table__), links)
        move_sequences(db, connection, LOADED)
    planner_statistics(db, LOADED)
    return {"tokens": tokens, "sample": sample, "published": published, "clouds": clouds,
            "load_seconds": time.perf_counter() - began}


def affected_row(rng: random.Random, link_id: int, announcement_id: int, offering_id: int,
                 description: str = "") -> dict:
    """One affected offering of a bulk load, with its own id and a random impact."""
    return {
        "id": link_id, "uuid": uuid.UUID(int=rng.getrandbits(128), version=4), "announcement_id": announcement_id,
        "offering_id": offering_id, "impact_level": rng.randint(1, 4), "impact_description": description,
        "created": NOW, "modified": NOW,
    }


# -- the server (a child process, so client and server do not share a GIL) ----------------------------


def serve(url: str, schema: str | None, port: int) -> None:
    import uvicorn
    from fastapi.responses import JSONResponse

    from bot.api import wire
    from bot.api.auth import ANONYMOUS
    from bot.api.links import Links
    from bot.api.queries import PUBLIC_ORDERING
    from bot.config import Settings
    from bot.domain.listing import ListQuery
    from bot.web import create_app

    db = open_database(url, schema)
    services = build_services(db, ManualClock(NOW), admins={ADMIN.id})
    base = f"http://127.0.0.1:{port}"
    app = create_app(services, Settings(base_url=base, public_rate=0))  # one client measuring, not a flood
    links = Links(base)
    page = services.announcements.list(ADMIN, ListQuery())
    fixed_page = [wire.announcement(view, links) for view in page.items]
    fixed_item = fixed_page[0]
    public_page = services.announcements.list(ANONYMOUS, ListQuery(ordering=PUBLIC_ORDERING))
    fixed_public = [wire.public_announcement(view, links) for view in public_page.items]
    fixed_stats = wire.stats(services.statistics.compute(ADMIN))

    @app.get("/bench/bare-list/")
    def bare_list():
        return JSONResponse(fixed_page)

    @app.get("/bench/bare-public/")
    def bare_public():
        return JSONResponse(fixed_public)

    @app.get("/bench/bare-item/")
    def bare_item():
        return JSONResponse(fixed_item)

    @app.get("/bench/bare-stats/")
    def bare_stats():
        return JSONResponse(fixed_stats)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)).run(sockets=[sock])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, schema: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, __file__, "--serve", url, "--port", str(port)] + (["--schema", schema] if schema else [])
    process = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/bench/bare-item/", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the benchmark server did not start")


# -- measuring --------------------------------------------------------------------------------------


def measure(base: str, token: str | None, paths: list[str], count: int, clients: int, seconds: float) -> dict:
    """Up to `count` sequential requests (or `seconds`, whichever ends first), then the same with `clients`
    concurrent connections."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for path in paths[:5]:
            assert client.get(path).status_code == 200, path
        sizes, latencies = set(), []
        began = time.perf_counter()
        for index in range(count):
            path = paths[index % len(paths)]
            started = time.perf_counter()
            response = client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            sizes.add(len(response.content))
            if started - began > seconds:
                break
        elapsed = time.perf_counter() - began
    done = [0] * clients

    def hammer(slot: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            start = time.perf_counter()
            while done[slot] < count // clients and time.perf_counter() - start < seconds:
                client.get(paths[(slot * 7 + done[slot]) % len(paths)])
                done[slot] += 1

    threads = [threading.Thread(target=hammer, args=(slot,)) for slot in range(clients)]
    began_parallel = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = sum(done) / (time.perf_counter() - began_parallel)
    latencies.sort()
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "rps": len(latencies) / elapsed,
        "rps_parallel": parallel,
        "bytes": int(statistics.mean(sizes)),
    }


def time_domain(call, count: int, seconds: float) -> float:
    """p50 in ms of the domain call alone, in this process: what the HTTP figure contains besides the API."""
    call()
    latencies = []
    began = time.perf_counter()
    for _ in range(count):
        started = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - started) * 1000)
        if started - began > seconds:
            break
    return statistics.median(latencies)


def domain_calls(db: Database, fixtures: dict) -> dict:
    from bot.api.auth import ANONYMOUS
    from bot.api.queries import PUBLIC_ORDERING
    from bot.domain.listing import ListQuery

    services = build_services(db, ManualClock(NOW), admins={ADMIN.id})
    admin = services.tokens.authenticate(fixtures["tokens"]["admin"])
    reader = services.tokens.authenticate(fixtures["tokens"]["read_only"])
    manager = services.tokens.authenticate(fixtures["tokens"]["provider"])
    filtered = ListQuery(states=[State.SCHEDULED, State.IN_PROGRESS], ordering=("scheduled_start",))
    turn = iter(range(10**9))

    def retrieve(actor, sample: str):
        ids = [uuid.UUID(hexid) for hexid in fixtures[sample]]
        return lambda: services.announcements.get(actor, ids[next(turn) % len(ids)])

    return {
        "list (admin)": lambda: services.announcements.list(admin),
        "list (provider)": lambda: services.announcements.list(manager),
        "list (read-only)": lambda: services.announcements.list(reader),
        "list (public)": lambda: services.announcements.list(ANONYMOUS, ListQuery(ordering=PUBLIC_ORDERING)),
        "list filtered+sorted": lambda: services.announcements.list(admin, filtered),
        "retrieve (admin)": retrieve(admin, "sample"),
        "retrieve (provider)": retrieve(manager, "clouds"),
        "retrieve (read-only)": retrieve(reader, "published"),
        "stats (admin)": lambda: services.statistics.compute(admin),
        "stats (read-only)": lambda: services.statistics.compute(reader),
    }


def run_backend(backend: str, args) -> list[tuple]:
    with scratch_database(backend) as scratch:
        db = scratch.db
        fixtures = load(db, args.count)
        print(f"\n[{backend}] loaded {args.count:,} announcements in {fixtures['load_seconds']:.1f} s", flush=True)
        with serving(scratch) as base:
            def items(sample: str) -> list[str]:
                return [f"/api/maintenance-announcements/{hexid}/" for hexid in fixtures[sample]]

            tokens = fixtures["tokens"]
            admin, reader, manager = tokens["admin"], tokens["read_only"], tokens["provider"]
            n, stats_n = args.requests, max(10, args.requests // 10)
            cases = [
                ("bare list page", None, ["/bench/bare-list/"], n),
                ("list (admin)", admin, ["/api/maintenance-announcements/"], n),
                ("list (provider)", manager, ["/api/maintenance-announcements/"], n),
                ("list (read-only)", reader, ["/api/maintenance-announcements/"], n),
                ("list filtered+sorted", admin,
                 ["/api/maintenance-announcements/?state=Scheduled&state=In%20progress&o=scheduled_start"], n),
                ("bare public page", None, ["/bench/bare-public/"], n),
                ("list (public)", None, ["/api/public-maintenance-announcements/"], n),
                ("bare item", None, ["/bench/bare-item/"], n),
                ("retrieve (admin)", admin, items("sample"), n),
                ("retrieve (provider)", manager, items("clouds"), n),
                ("retrieve (read-only)", reader, items("published"), n),
                ("bare stats", None, ["/bench/bare-stats/"], stats_n),
                ("stats (admin)", admin, ["/api/maintenance-announcements/maintenance_stats/"], stats_n),
                ("stats (read-only)", reader, ["/api/maintenance-announcements/maintenance_stats/"], stats_n),
            ]
            results = []
            in_process = domain_calls(db, fixtures)
            for name, token, paths, count in cases:
                figures = measure(base, token, paths, count, args.clients, args.seconds)
                if name in in_process:
                    figures["domain_p50"] = time_domain(in_process[name], count, args.seconds)
                results.append((backend, name, figures))
                print(f"  {name:22} n={figures['n']:<4} p50 {figures['p50']:7.2f} ms  p99 {figures['p99']:7.2f} ms  "
                      f"{figures['rps']:7.0f} req/s  ({args.clients} clients: {figures['rps_parallel']:5.0f} req/s)  "
                      f"{figures['bytes']:,} B", flush=True)
            return results


#: Each measured case, its floor (the bare endpoint returning a body of the same shape), and whether the
#: 3x target applies (the statistics' cases are printed; their target is the statistics bench's).
FLOORS = {
    "list (admin)": ("bare list page", True),
    "list (provider)": ("bare list page", True),
    "list (read-only)": ("bare list page", True),
    "list filtered+sorted": ("bare list page", True),
    "list (public)": ("bare public page", True),
    "retrieve (admin)": ("bare item", True),
    "retrieve (provider)": ("bare item", True),
    "retrieve (read-only)": ("bare item", True),
    "stats (admin)": ("bare stats", False),
    "stats (read-only)": ("bare stats", False),
}


def report(results: list[tuple]) -> bool:
    """Each case's ratio to its floor beside its target; False when a targeted case missed it."""
    by_name = {(backend, name): figures for backend, name, figures in results}
    ok = True
    print("\nratio to the bare endpoint (p50) and the target; 'domain' is the same call in-process without HTTP,")
    print("'API+HTTP' the rest of the HTTP p50 (the bare endpoint's whole p50 is HTTP):")
    for backend in sorted({backend for backend, _, _ in results}):
        for name, (bare, targeted) in FLOORS.items():
            figures = by_name[(backend, name)]
            floor = by_name[(backend, bare)]["p50"]
            ratio = figures["p50"] / floor
            met = ratio <= TARGET_RATIO
            ok &= met or not targeted
            verdict = (f"{'ok' if met else 'MISSED'} (target <= {TARGET_RATIO:.1f}x)" if targeted
                       else "(target: statistics bench)")
            domain = figures["domain_p50"]
            print(f"  [{backend}] {name:22} p50 {figures['p50']:7.2f} ms {ratio:6.2f}x  {verdict:26}  "
                  f"domain {domain:7.2f} ms  API+HTTP {figures['p50'] - domain:6.2f} ms  (bare {floor:.2f} ms)")
    return ok


def stop_server(process: subprocess.Popen | None) -> None:
    """Stop the served app, before its database is removed."""
    if process is not None:
        process.terminate()
        process.wait(10)


@contextmanager
def serving(scratch: Scratch) -> Iterator[str]:
    """The real app on `scratch`'s database in a child process: its base URL; stopped on leaving."""
    process, base = start_server(scratch.url, scratch.schema)
    try:
        yield base
    finally:
        stop_server(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=400, help="per list/retrieve case (stats: a tenth)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections for the throughput figure")
    parser.add_argument("--seconds", type=float, default=8.0, help="time limit of each sequential and concurrent phase")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.schema, args.port)
        return 0
    began = time.perf_counter()
    results = []
    for backend in args.backends.split(","):
        results += run_backend(backend.strip(), args)
    ok = report(results)
    print(f"\ntotal {time.perf_counter() - began:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
