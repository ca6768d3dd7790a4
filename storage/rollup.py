"""Folding the statistics deltas into the daily and monthly groups (storage/models.py: StatsDelta, StatsRollup).

The triggers of migration 0008 append each change's contribution to `stats_deltas`; writers never touch a
shared group row, so they neither wait for nor deadlock with one another. Statistics call `fold` first, in the
transaction they then read in: it moves every committed delta into the groups, one folder at a time
(PostgreSQL: an advisory lock held to the end of the transaction), so the reads that follow see groups no other
fold changes under them: each announcement counted exactly once, even across several statements. The work
grows with the changes since the last fold, not with what is stored."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.models import ROLLUP_KEYS, ROLLUP_SUMS

#: PostgreSQL advisory lock key of the fold (any constant no other code of this database uses).
FOLD_LOCK = 0x6D61696E_7374  # "mainst"


def fold(session: Session) -> None:
    """Move every delta committed so far into its daily and its monthly group."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
        # One statement: the rows it deletes are exactly the rows it adds up, whatever commits meanwhile.
        columns = ", ".join(ROLLUP_KEYS + ROLLUP_SUMS)
        daily = _upsert("stats_rollup", ROLLUP_KEYS, "gone")
        monthly = _upsert("stats_rollup_monthly", _months("CAST(date_trunc('month', {}) AS DATE)"), "gone")
        session.execute(text(f"WITH gone AS (DELETE FROM stats_deltas RETURNING {columns}), "
                             f"daily AS ({daily}) {monthly}"))
        return
    # SQLite: the first statement takes the database's one writer lock, so all three see the same deltas.
    session.execute(text(_upsert("stats_rollup", ROLLUP_KEYS, "stats_deltas")))
    session.execute(text(_upsert("stats_rollup_monthly", _months("date({}, 'start of month')"), "stats_deltas")))
    session.execute(text("DELETE FROM stats_deltas"))


def _months(first_of_month: str) -> tuple[str, ...]:
    """The monthly key of a daily one: its start and end days as the first day of their month."""
    return (first_of_month.format("start_day"), first_of_month.format("end_day"), *ROLLUP_KEYS[2:])


def _upsert(table: str, keys: tuple[str, ...], source: str) -> str:
    """Add the deltas of `source`, summed per group of `table` (keyed by the expressions `keys`), to its groups."""
    sums = ", ".join(f"sum({name})" for name in ROLLUP_SUMS)
    grouped = ", ".join(str(position) for position in range(1, len(keys) + 1))
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in ROLLUP_SUMS)
    # "WHERE true": SQLite's parser needs it to tell the upsert's ON CONFLICT from a join's ON.
    return (f"INSERT INTO {table} ({', '.join(ROLLUP_KEYS + ROLLUP_SUMS)}) SELECT {', '.join(keys)}, {sums}"
            f" FROM {source} WHERE true GROUP BY {grouped} ON CONFLICT ({', '.join(ROLLUP_KEYS)})"
            f" DO UPDATE SET {added}")
