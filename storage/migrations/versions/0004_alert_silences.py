"""alert silences: matchers on offerings and providers, and the Alertmanager silences maintbot made

Revision ID: 0004_alert_silences
Revises: 0003_list_indexes
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004_alert_silences"
down_revision = "0003_list_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: recreating a table would cascade-delete its children).
    op.add_column("providers", sa.Column("silence_matchers", sa.String(1000), nullable=False, server_default=""))
    op.add_column("providers", sa.Column("silence_at_start", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("offerings", sa.Column("silence_matchers", sa.String(1000), nullable=False, server_default=""))
    op.create_table(
        "alert_silences",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("announcement_uuid", sa.Uuid(), nullable=False),
        sa.Column("offering_uuid", sa.Uuid(), nullable=False),
        sa.Column("offering_name", sa.String(150), nullable=False),
        sa.Column("alertmanager", sa.String(500), nullable=False),
        sa.Column("silence_id", sa.String(64), nullable=True),
        sa.Column("matchers", sa.String(1000), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'expired')", name="ck_alert_silences_status"),
        sa.PrimaryKeyConstraint("id", name="pk_alert_silences"),
        sa.UniqueConstraint(
            "announcement_uuid", "offering_uuid", "alertmanager",
            name="uq_alert_silences_announcement_uuid_offering_uuid_alertmanager",
        ),
    )
    op.create_index("ix_alert_silences_status_announcement_uuid", "alert_silences", ["status", "announcement_uuid"])


def downgrade() -> None:
    op.drop_index("ix_alert_silences_status_announcement_uuid", table_name="alert_silences")
    op.drop_table("alert_silences")
    for table, column in (("offerings", "silence_matchers"), ("providers", "silence_at_start"),
                          ("providers", "silence_matchers")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # native on SQLite 3.35+ and PostgreSQL
