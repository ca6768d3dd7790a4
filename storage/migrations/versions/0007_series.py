"""recurring maintenance series, and each announcement's link to the series occurrence it is

Revision ID: 0007_series
Revises: 0004_alert_silences
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007_series"
down_revision = "0004_alert_silences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(150), nullable=False),
        sa.Column("message", sa.String(2000), nullable=False),
        sa.Column("internal_notes", sa.String(2000), nullable=False),
        sa.Column("maintenance_type", sa.SmallInteger(), nullable=False),
        sa.Column("external_reference_url", sa.String(500), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.String(500), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("publish_days_before", sa.Integer(), nullable=True),
        sa.Column("exceptions", sa.JSON(), nullable=False),
        sa.Column("next_due", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("maintenance_type BETWEEN 1 AND 5", name="ck_series_maintenance_type"),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], name="fk_series_provider_id_providers",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_series"),
        sa.UniqueConstraint("uuid", name="uq_series_uuid"),
    )
    op.create_index("ix_series_provider_id", "series", ["provider_id"])
    op.create_index("ix_series_next_due", "series", ["next_due"])
    op.create_table(
        "series_offerings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("impact_level", sa.SmallInteger(), nullable=False),
        sa.Column("impact_description", sa.Text(), nullable=False),
        sa.CheckConstraint("impact_level BETWEEN 1 AND 4", name="ck_series_offerings_impact_level"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], name="fk_series_offerings_series_id_series",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offering_id"], ["offerings.id"], name="fk_series_offerings_offering_id_offerings",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_series_offerings"),
        sa.UniqueConstraint("series_id", "offering_id", name="uq_series_offerings_series_id_offering_id"),
    )
    op.create_index("ix_series_offerings_offering_id", "series_offerings", ["offering_id"])
    # Plain ADD COLUMN (no batch copy on SQLite: recreating a table would cascade-delete its children); the
    # unique (series, occurrence) pair is a unique index, which SQLite can add to an existing table.
    # No foreign key on series_id (SQLite cannot add one to an existing table); deleting a series unlinks.
    op.add_column("announcements", sa.Column("series_id", sa.Integer(), nullable=True))
    op.add_column("announcements", sa.Column("series_occurrence", sa.Date(), nullable=True))
    op.add_column("announcements", sa.Column("series_fingerprint", sa.String(64), nullable=True))
    op.add_column("announcements", sa.Column("series_publish_at", storage.types.UTCDateTime(timezone=True),
                                             nullable=True))
    op.create_index("uq_announcements_series_id_series_occurrence", "announcements",
                    ["series_id", "series_occurrence"], unique=True)
    op.create_index("ix_announcements_series_publish_at", "announcements", ["series_publish_at"])


def downgrade() -> None:
    op.drop_index("ix_announcements_series_publish_at", table_name="announcements")
    op.drop_index("uq_announcements_series_id_series_occurrence", table_name="announcements")
    for column in ("series_publish_at", "series_fingerprint", "series_occurrence", "series_id"):
        op.execute(f"ALTER TABLE announcements DROP COLUMN {column}")  # native on SQLite 3.35+ and PostgreSQL
    op.drop_index("ix_series_offerings_offering_id", table_name="series_offerings")
    op.drop_table("series_offerings")
    op.drop_index("ix_series_next_due", table_name="series")
    op.drop_index("ix_series_provider_id", table_name="series")
    op.drop_table("series")
