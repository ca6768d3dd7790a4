"""The timing rules in SQL (what lists filter and sort by) and in Python (`bucket_of`, `computed_of`) agree."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.domain.timing import COMPUTED, TOLERANCE_SECONDS, computed_of
from storage.models import Announcement

START = datetime(2030, 1, 1, 22, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


def cases() -> list[tuple[datetime | None, datetime | None]]:
    """Every boundary (the tolerance, half minutes, both signs), then random whole-second times around them."""
    edges = [TOLERANCE_SECONDS + d for d in (-1, 0, 1)] + [-TOLERANCE_SECONDS + d for d in (-1, 0, 1)]
    edges += [30, 90, -30, -90, 0, 150, 3600]
    found: list[tuple[datetime | None, datetime | None]] = [(None, None)]
    for start_off in edges:
        found.append((START + timedelta(seconds=start_off), None))
        for end_off in edges:
            found.append((START + timedelta(seconds=start_off), END + timedelta(seconds=end_off)))
    rng = random.Random(20301)
    for _ in range(200):
        actual_start = START + timedelta(seconds=rng.randint(-7200, 7200))
        found.append((actual_start, END + timedelta(seconds=rng.randint(-7200, 7200)) if rng.random() < 0.8 else None))
    return found


def test_sql_and_python_compute_the_same_timing(services, db, world, cloud_manager):
    made = services.announcements.create(
        cloud_manager, {"name": "Twin", "provider": "Cloud", "scheduled_start": START, "scheduled_end": END}
    )
    differences = []
    with db.transaction() as transaction:  # never committed: the row is only borrowed
        session = transaction.session
        for actual_start, actual_end in cases():
            session.execute(
                update(Announcement)
                .where(Announcement.uuid == made.uuid)
                .values(actual_start=actual_start, actual_end=actual_end)
            )
            in_sql = tuple(session.execute(select(*COMPUTED).where(Announcement.uuid == made.uuid)).one())
            in_python = computed_of(START, END, actual_start, actual_end)
            if (in_sql[0], in_sql[1], in_sql[2]) != (in_python[0], in_python[1], in_python[2].value):
                differences.append((actual_start, actual_end, in_sql, in_python))
    assert differences == []
