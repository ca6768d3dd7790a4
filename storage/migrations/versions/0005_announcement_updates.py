"""announcement updates: progress updates posted on an announcement

Revision ID: 0005_announcement_updates
Revises: 0004_alert_silences
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005_announcement_updates"
down_revision = "0004_alert_silences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("interface", sa.String(16), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"], ["announcements.id"], ondelete="CASCADE",
            name="fk_announcement_updates_announcement_id_announcements",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_announcement_updates"),
        sa.UniqueConstraint("uuid", name="uq_announcement_updates_uuid"),
    )
    op.create_index("ix_announcement_updates_announcement_id_id", "announcement_updates", ["announcement_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_announcement_updates_announcement_id_id", table_name="announcement_updates")
    op.drop_table("announcement_updates")
