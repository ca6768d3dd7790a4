"""Three real processes materialise the same series at once on one PostgreSQL: each occurrence is created once
and published once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Announcement
from tests.conftest import POSTGRES_URL
from tests.jobs.helpers import notices

ROOT = Path(__file__).resolve().parents[2]


def worker(db, now, epoch: float) -> subprocess.Popen:
    with db.engine.connect() as connection:
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
    command = [sys.executable, "-m", "tests.series.worker", "--database", POSTGRES_URL, "--schema", schema,
               "--now", now.isoformat(), "--epoch", str(epoch)]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.postgres
def test_three_processes_materialise_each_occurrence_exactly_once(db, services, world, cloud_manager, clock):
    if db.dialect != "postgresql":
        pytest.skip("several processes share PostgreSQL; SQLite is for one process")
    for number in range(12):
        services.series.create(cloud_manager, {
            "name": f"Backup {number}", "provider": "Cloud", "rrule": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
            "timezone": ["Europe/Tallinn", "America/New_York", "Australia/Lord_Howe"][number % 3],
            "start_time": "02:30", "duration_minutes": 30, "horizon_days": 30, "publish_days_before": 2})
    before = len(notices(db, "published"))
    later = clock.now() + timedelta(days=45)

    epoch = time.time() + 2.0
    racers = [worker(db, later, epoch) for _ in range(3)]
    outputs = [racer.communicate(timeout=120) for racer in racers]

    assert all(racer.returncode == 0 for racer in racers), outputs
    created = sum(int(out.split()[1]) for out, _ in outputs)
    published = sum(int(out.split()[3]) for out, _ in outputs)
    with db.read() as session:
        rows = session.execute(select(Announcement.series_id, Announcement.series_occurrence, Announcement.created)
                               .where(Announcement.series_id.is_not(None))).all()
    per_occurrence = Counter((series, day) for series, day, _ in rows)
    assert max(per_occurrence.values()) == 1
    made_by_racers = [row for row in rows if row.created == later]
    assert created == len(made_by_racers) > 12 * 15  # about 21 working days ahead each
    new_published = notices(db, "published")[before:]
    assert published == len(new_published) == 12  # Friday's of each (within two days of Thursday), once
    assert len({n.key for n in new_published}) == len(new_published)
