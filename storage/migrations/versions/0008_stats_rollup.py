"""statistics rollup: per-day groups of announcements with their counts and sums, kept by triggers

Revision ID: 0008_stats_rollup
Revises: 0007_series

Statistics over 100,000 announcements read every row of the window and parsed its timestamps (hundreds of
milliseconds). `stats_rollup` holds the same figures per group (storage/models.py, StatsRollup); statistics
add up groups instead (bot/domain/stats.py). Triggers keep it: every insert, delete and update of a counted
column of `announcements` appends the row's old contribution taken away and its new one to `stats_deltas`, in
the same statement and so the same transaction, whatever code (ORM or Core, the domain or a bulk load) made the
change; statistics fold the deltas into the groups before they read (storage/rollup.py).

The contribution of one row is written once below (`_contribution`) for both backends, for the triggers and
for the backfill alike; only the spelling of "the UTC day of" and "microseconds since 1970 of" differs.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_stats_rollup"
down_revision = "0007_series"
branch_labels = None
depends_on = None

#: Days, and months (whose first day stands for them in start_day and end_day): a long window adds up its
#: whole months from the second and only its edges from the first (bot/domain/stats.py).
TABLES = ("stats_rollup", "stats_rollup_monthly")
KEYS = ("start_day", "end_day", "provider_id", "state", "maintenance_type", "bucket")
#: Highest impact is counted in columns, not keyed: no reader filters by it, and as a key it made ~4 times the rows.
IMPACTS = ("impact_none", "impact_degraded", "impact_partial", "impact_full")
SUMS = ("n", *IMPACTS, "timed", "duration_us", "on_time", "on_time_15", "overran", "overrun_us")
#: The columns a row's contribution is made of: an update of any other column changes nothing here.
COUNTED = ("scheduled_start", "scheduled_end", "planned_end", "actual_start", "actual_end", "provider_id", "state",
           "maintenance_type", "highest_impact")
COMPLETED = 4
TOLERANCE_US = 15 * 60 * 1_000_000


def _day(column: str, dialect: str, table: str = "stats_rollup") -> str:
    """The UTC day of `column`, or for the monthly table the first day of its month."""
    if table == "stats_rollup_monthly":
        if dialect == "sqlite":
            return f"date({column}, 'start of month')"
        return f"CAST(date_trunc('month', {column} AT TIME ZONE 'UTC') AS DATE)"
    return f"date({column})" if dialect == "sqlite" else f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def _us(column: str, dialect: str) -> str:
    """Whole microseconds since 1970: exact, so sums can be added to and taken from without drift. SQLite holds
    SQLAlchemy's 'YYYY-MM-DD HH:MM:SS.ffffff' text: whole seconds by strftime, then the six digits."""
    if dialect == "sqlite":
        return f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"
    return f"CAST(round(extract(epoch FROM {column}) * 1000000) AS BIGINT)"


def _contribution(row: str, sign: str, dialect: str, table: str = "stats_rollup") -> list[str]:
    """The KEYS and SUMS of announcement `row` (a table alias, NEW or OLD), each sum times `sign`. The rules
    are those of bot/domain/timing.py: ends are measured against the planned end (the one in force at the
    start), a bucket's tolerance is 15 minutes."""
    completed = f"{row}.state = {COMPLETED}"
    late = f"({_us(f'{row}.actual_end', dialect)} - {_us(f'coalesce({row}.planned_end, {row}.scheduled_end)', dialect)})"
    started = f"({_us(f'{row}.actual_start', dialect)} - {_us(f'{row}.scheduled_start', dialect)})"
    duration = f"({_us(f'{row}.actual_end', dialect)} - {_us(f'{row}.actual_start', dialect)})"
    timed = f"{completed} AND {row}.actual_start IS NOT NULL AND {row}.actual_end IS NOT NULL"
    bucket = (
        f"CASE WHEN {row}.actual_start IS NULL THEN 'pending'"
        f" WHEN {row}.actual_end IS NOT NULL AND {late} > {TOLERANCE_US} THEN 'overrun'"
        f" WHEN {started} > {TOLERANCE_US} THEN 'late_start'"
        f" WHEN {row}.actual_end IS NOT NULL AND {late} < -{TOLERANCE_US} THEN 'early'"
        " ELSE 'on_time' END"
    )
    return [
        _day(f"{row}.scheduled_start", dialect, table),
        _day(f"{row}.scheduled_end", dialect, table),
        f"{row}.provider_id",
        f"{row}.state",
        f"{row}.maintenance_type",
        bucket,
        sign,
        *(f"CASE WHEN {row}.highest_impact = {level} THEN {sign} ELSE 0 END" for level in range(1, len(IMPACTS) + 1)),
        f"CASE WHEN {timed} THEN {sign} ELSE 0 END",
        f"CASE WHEN {timed} THEN {sign} * {duration} ELSE 0 END",
        f"CASE WHEN {completed} AND {late} <= 0 THEN {sign} ELSE 0 END",
        f"CASE WHEN {completed} AND {late} <= {TOLERANCE_US} THEN {sign} ELSE 0 END",
        f"CASE WHEN {completed} AND {late} > 0 THEN {sign} ELSE 0 END",
        f"CASE WHEN {completed} AND {late} > 0 THEN {sign} * {late} ELSE 0 END",
    ]


def _apply(row: str, sign: str, dialect: str) -> str:
    """The statement appending `row`'s contribution, times `sign`, to the deltas that statistics fold into the
    daily and monthly groups before they read (storage/rollup.py). Appended, never an update of a group in place:
    two changes then never wait for one another on a shared group row, nor deadlock moving in opposite
    directions."""
    values = ", ".join(_contribution(row, sign, dialect))
    return f"INSERT INTO stats_deltas ({', '.join(KEYS + SUMS)}) SELECT {values}"


def _create_triggers(dialect: str) -> None:
    counted = ", ".join(COUNTED)
    if dialect == "sqlite":
        op.execute(f"CREATE TRIGGER stats_rollup_insert AFTER INSERT ON announcements BEGIN "
                   f"{_apply('NEW', '1', dialect)}; END")
        op.execute(f"CREATE TRIGGER stats_rollup_delete AFTER DELETE ON announcements BEGIN "
                   f"{_apply('OLD', '-1', dialect)}; END")
        op.execute(f"CREATE TRIGGER stats_rollup_update AFTER UPDATE OF {counted} ON announcements BEGIN "
                   f"{_apply('OLD', '-1', dialect)}; {_apply('NEW', '1', dialect)}; END")
        return
    op.execute(
        "CREATE FUNCTION stats_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_apply('OLD', '-1', dialect)}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_apply('NEW', '1', dialect)}; END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(f"CREATE TRIGGER stats_rollup AFTER INSERT OR DELETE OR UPDATE OF {counted} ON announcements "
               "FOR EACH ROW EXECUTE FUNCTION stats_rollup_apply()")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        op.create_table(
            table,
            sa.Column("start_day", sa.Date(), nullable=False),
            sa.Column("end_day", sa.Date(), nullable=False),
            sa.Column("provider_id", sa.Integer(), nullable=False),
            sa.Column("state", sa.SmallInteger(), nullable=False),
            sa.Column("maintenance_type", sa.SmallInteger(), nullable=False),
            sa.Column("bucket", sa.String(16), nullable=False),
            *(sa.Column(name, sa.BigInteger(), nullable=False) for name in SUMS),
            sa.PrimaryKeyConstraint(*KEYS, name=f"pk_{table}"),
            sqlite_with_rowid=False,
        )
        # The backfill: the same contributions, added up per group.
        values = _contribution("a", "1", dialect, table)
        op.execute(
            f"INSERT INTO {table} ({', '.join(KEYS + SUMS)}) SELECT {', '.join(values[:len(KEYS)])}, "
            f"{', '.join(f'sum({value})' for value in values[len(KEYS):])} FROM announcements a "
            f"GROUP BY {', '.join(str(i + 1) for i in range(len(KEYS)))}"
        )
    # The days of a window's last, partial month are found by the day they end.
    op.create_index("ix_stats_rollup_end_day", "stats_rollup", ["end_day"])
    op.create_table(
        "stats_deltas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("maintenance_type", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in SUMS),
    )
    _create_triggers(dialect)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER stats_rollup_{name}")
    else:
        op.execute("DROP TRIGGER stats_rollup ON announcements")
        op.execute("DROP FUNCTION stats_rollup_apply()")
    op.drop_table("stats_deltas")
    op.drop_index("ix_stats_rollup_end_day", "stats_rollup")
    for table in TABLES:
        op.drop_table(table)
