"""planned end: the scheduled end in force when the maintenance started, so an extension does not hide an overrun

Backfill: every announcement that has started gets the end that was in force at its start. The audit trail
says what that was: the end before the first change of `scheduled_end` made after the start (an extension
through the overrun alert, or an edit). Without such a change, it is today's scheduled end.

Revision ID: 0006_planned_end
Revises: 0005_announcement_updates
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006_planned_end"
down_revision = "0005_announcement_updates"
branch_labels = None
depends_on = None

STATS_COLUMNS = ["scheduled_start", "scheduled_end", "state", "maintenance_type", "provider_id", "highest_impact",
                 "actual_start", "actual_end"]

announcements = sa.table(
    "announcements",
    sa.column("id", sa.Integer()),
    sa.column("uuid", sa.Uuid()),
    sa.column("scheduled_end", storage.types.UTCDateTime()),
    sa.column("actual_start", storage.types.UTCDateTime()),
    sa.column("planned_end", storage.types.UTCDateTime()),
)
events = sa.table(
    "events",
    sa.column("id", sa.Integer()),
    sa.column("announcement_uuid", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("changes", sa.JSON()),
    sa.column("created", storage.types.UTCDateTime()),
)


def _moment(text: object) -> datetime | None:
    """An end as the audit trail wrote it (`str(datetime)`), or None when it cannot be read."""
    try:
        parsed = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def planned_ends(connection) -> dict[int, datetime]:
    """The end in force at the start of every announcement that has started, by row id."""
    started = connection.execute(
        sa.select(announcements.c.id, announcements.c.uuid, announcements.c.scheduled_end,
                  announcements.c.actual_start).where(announcements.c.actual_start.is_not(None))
    ).all()
    found: dict[int, datetime] = {}
    for row in started:
        found[row.id] = row.scheduled_end
        changes = connection.execute(
            sa.select(events.c.changes, events.c.created)
            .where(events.c.announcement_uuid == row.uuid, events.c.action == "updated",
                   events.c.created >= row.actual_start)
            .order_by(events.c.id)
        ).all()
        for change in changes:
            before = (change.changes or {}).get("scheduled_end")
            moment = _moment(before[0]) if isinstance(before, list) and before else None
            if moment is not None:
                found[row.id] = moment
                break
    return found


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: recreating a table would cascade-delete its children).
    op.add_column("announcements", sa.Column("planned_end", storage.types.UTCDateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    for row_id, end in planned_ends(connection).items():
        connection.execute(sa.update(announcements).where(announcements.c.id == row_id).values(planned_end=end))
    # Statistics read the planned end too: it joins the index they scan alone.
    op.drop_index("ix_announcements_stats_window", table_name="announcements")
    op.create_index("ix_announcements_stats_window", "announcements", [*STATS_COLUMNS, "planned_end"])


def downgrade() -> None:
    op.drop_index("ix_announcements_stats_window", table_name="announcements")
    op.create_index("ix_announcements_stats_window", "announcements", STATS_COLUMNS)
    op.execute("ALTER TABLE announcements DROP COLUMN planned_end")  # native on SQLite 3.35+ and PostgreSQL
