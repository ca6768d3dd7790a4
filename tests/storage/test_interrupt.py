"""A statement running when `maintbot run`'s shutdown grace ends is stopped: `Database.interrupt()` ends it
at once, as a statement timeout (its transaction rolled back), on both backends."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from storage.db import StatementTimeout, untimed
from tests.jobs.helpers import eventually

LONG = {
    # a minute of work, without a statement timeout to end it
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
              "SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(60)",
}


def running_on_postgresql(db) -> bool:
    with db.engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'"
        )).scalar())


def test_interrupt_ends_a_long_statement_at_once(db):
    ended: list[BaseException] = []

    def long_statement() -> None:
        try:
            with db.engine.begin() as connection:
                untimed(connection).exec_driver_sql(LONG[db.dialect])
        except BaseException as error:
            ended.append(error)

    worker = threading.Thread(target=long_statement)
    started = time.monotonic()
    worker.start()
    if db.dialect == "postgresql":
        assert eventually(lambda: running_on_postgresql(db), within=10)

    assert eventually(lambda: db.interrupt() >= 0 and not worker.is_alive(), within=10)
    worker.join()

    assert time.monotonic() - started < 10
    assert len(ended) == 1 and isinstance(ended[0], StatementTimeout), ended
    assert db.interrupt() == 0  # nothing runs any more: the connection went back to the pool


def test_interrupt_with_nothing_running_changes_nothing(db):
    assert db.interrupt() == 0
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
