"""published snapshot: the wording an announcement's audience was last shown

Announcements published before this revision get their current wording as the snapshot (the best that
is known of what was shown); announcements never published get none.

Revision ID: 0002_published
Revises: 0001
Create Date: 2026-11-30 16:40:00
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002_published"
down_revision = "0001"
branch_labels = None
depends_on = None

PUBLISHED_STATES = (2, 3, 4)
BATCH = 1000


Time = storage.types.UTCDateTime()
announcements = sa.table(
    "announcements", sa.column("id", sa.Integer), sa.column("uuid", sa.Uuid), sa.column("state", sa.SmallInteger),
    sa.column("name", sa.String), sa.column("message", sa.String), sa.column("maintenance_type", sa.SmallInteger),
    sa.column("external_reference_url", sa.String), sa.column("scheduled_start", Time),
    sa.column("scheduled_end", Time), sa.column("published", sa.JSON),
)
affected = sa.table(
    "affected_offerings", sa.column("id", sa.Integer), sa.column("uuid", sa.Uuid),
    sa.column("announcement_id", sa.Integer), sa.column("offering_id", sa.Integer),
    sa.column("impact_level", sa.SmallInteger), sa.column("impact_description", sa.Text), sa.column("created", Time),
)
offerings = sa.table(
    "offerings", sa.column("id", sa.Integer), sa.column("uuid", sa.Uuid), sa.column("name", sa.String),
    sa.column("provider_id", sa.Integer),
)
providers = sa.table("providers", sa.column("id", sa.Integer), sa.column("uuid", sa.Uuid), sa.column("name", sa.String))
events = sa.table("events", sa.column("announcement_uuid", sa.Uuid), sa.column("action", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("announcements") as batch:
        batch.add_column(sa.Column("published", sa.JSON(), nullable=True))
    _backfill(op.get_bind())


def _backfill(connection) -> None:
    was_published = sa.exists().where(
        events.c.announcement_uuid == announcements.c.uuid, events.c.action == "scheduled"
    )
    rows = connection.execute(
        sa.select(
            announcements.c.id, announcements.c.name, announcements.c.message, announcements.c.maintenance_type,
            announcements.c.external_reference_url, announcements.c.scheduled_start, announcements.c.scheduled_end,
        ).where(sa.or_(announcements.c.state.in_(PUBLISHED_STATES), was_published)).order_by(announcements.c.id)
    ).all()
    for first in range(0, len(rows), BATCH):
        batch = rows[first:first + BATCH]
        links = defaultdict(list)
        for link in connection.execute(
            sa.select(affected, offerings.c.uuid.label("offering_uuid"), offerings.c.name.label("offering_name"),
                      providers.c.uuid.label("provider_uuid"), providers.c.name.label("provider_name"))
            .join(offerings, offerings.c.id == affected.c.offering_id)
            .join(providers, providers.c.id == offerings.c.provider_id)
            .where(affected.c.announcement_id.in_([row.id for row in batch]))
            .order_by(affected.c.id)
        ):
            links[link.announcement_id].append({
                "uuid": link.uuid.hex, "offering": link.offering_uuid.hex, "offering_name": link.offering_name,
                "provider": link.provider_uuid.hex, "provider_name": link.provider_name,
                "impact_level": link.impact_level, "impact_description": link.impact_description,
                "created": link.created.isoformat(),
            })
        for row in batch:
            snapshot = {
                "name": row.name, "message": row.message, "maintenance_type": row.maintenance_type,
                "external_reference_url": row.external_reference_url,
                "scheduled_start": row.scheduled_start.isoformat(), "scheduled_end": row.scheduled_end.isoformat(),
                "affected": links[row.id],
            }
            connection.execute(
                announcements.update().where(announcements.c.id == row.id).values(published=snapshot)
            )


def downgrade() -> None:
    with op.batch_alter_table("announcements") as batch:
        batch.drop_column("published")
