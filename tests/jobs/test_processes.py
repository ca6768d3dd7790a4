"""Real processes: one killed mid-delivery and started again, three racing on one PostgreSQL.

Each notice reaches Slack exactly once, counted at the fake Web API by the notice key every message carries.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.domain.enums import Action, State
from tests.conftest import POSTGRES_URL
from tests.factories import announce
from tests.jobs.helpers import eventually, notices, posts

ROOT = Path(__file__).resolve().parents[2]


def worker(mode: str, db, standin, clock, epoch: float, **options) -> subprocess.Popen:
    if db.dialect == "sqlite":
        where = ["--database", db.engine.url.render_as_string(hide_password=False)]
    else:
        schema = db.engine.dialect.default_schema_name
        with db.engine.connect() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        where = ["--database", POSTGRES_URL, "--schema", schema]
    flags = [f"--{name}={value}" for name, value in options.items()]
    command = [sys.executable, "-m", "tests.jobs.worker", mode, *where, "--api-url", standin.api_url,
               "--start", clock.now().isoformat(), "--epoch", str(epoch), *flags]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def keys_posted(standin) -> Counter:
    return Counter(call.args["metadata"]["event_payload"]["key"] for call in posts(standin))


def test_a_process_killed_while_slack_is_answering_delivers_once_after_a_restart(
    db, services, world, cloud_manager, standin, clock
):
    announce(services, cloud_manager, State.SCHEDULED)
    standin.fail(method="chat.postMessage", delay=1.0)  # Slack takes the card, then answers slowly
    epoch = time.time()

    first = worker("serve", db, standin, clock, epoch, lease=2.5)
    try:
        assert eventually(lambda: posts(standin), within=20), first.stderr
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    assert eventually(lambda: standin.posts_in("CCLOUD0001"), within=5)
    (notice,) = notices(db, "published")
    assert notice.status == "pending"  # the card is in Slack, but the process died before it knew

    second = worker("serve", db, standin, clock, epoch, lease=2.5)
    try:
        assert eventually(lambda: notices(db, "published")[0].status == "sent", within=20)
    finally:
        second.terminate()
        second.wait(10)

    (card,) = standin.posts_in("CCLOUD0001")
    (notice,) = notices(db, "published")
    assert (notice.ts, notice.attempts) == (card.ts, 2)
    assert len(posts(standin)) == 1


@pytest.mark.postgres
def test_three_processes_deliver_each_notice_exactly_once(db, services, world, cloud_manager, anyone, standin, clock):
    if db.dialect != "postgresql":
        pytest.skip("several processes share PostgreSQL; SQLite is for one process")
    for number in range(30):
        services.subscriptions.subscribe(anyone, f"CSUB{number:06d}", "Cloud")
    for name in ("Kernel upgrade", "Network change", "Storage firmware"):
        announcement = announce(services, cloud_manager, State.SCHEDULED, name=name)
        services.announcements.transition(cloud_manager, announcement.uuid, Action.START)
    expected = {n.key for n in notices(db) if n.kind != "reminder"}
    epoch = time.time()

    racers = [worker("drain", db, standin, clock, epoch, pace=0.05) for _ in range(3)]
    outputs = [racer.communicate(timeout=90) for racer in racers]

    assert all(racer.returncode == 0 for racer in racers), outputs
    delivered = [int(out.split()[-1]) for out, _ in outputs]
    assert sum(delivered) == len(expected) == 186
    assert sum(1 for count in delivered if count) >= 2, f"one process did all the work: {delivered}"
    posted = keys_posted(standin)
    assert set(posted) == expected
    assert max(posted.values()) == 1
    assert {n.status for n in notices(db) if n.key in expected} == {"sent"}
