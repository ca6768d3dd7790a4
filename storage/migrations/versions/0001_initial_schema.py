"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 11:41:03.438873
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_uuid", sa.Uuid(), nullable=True),
        sa.Column("provider_uuid", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("interface", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_announcement_uuid_id"), ["announcement_uuid", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_created"), ["created"], unique=False)

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("announcement_uuid", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'dropped')", name=op.f("ck_notices_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_notices_key")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notices_announcement_uuid_kind_status"),
            ["announcement_uuid", "kind", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_notices_channel_id_status_next_attempt"),
            ["channel_id", "status", "next_attempt"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_notices_status_next_attempt"), ["status", "next_attempt"], unique=False)
        batch_op.create_index(
            "ix_notices_tried",
            ["channel_id", "id"],
            unique=False,
            sqlite_where=sa.text("status = 'pending' AND attempts > 0"),
            postgresql_where=sa.text("status = 'pending' AND attempts > 0"),
        )

    op.create_table(
        "posted_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_uuid", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_cards")),
        sa.UniqueConstraint(
            "announcement_uuid", "channel_id", name=op.f("uq_posted_cards_announcement_uuid_channel_id")
        ),
        sa.UniqueConstraint("channel_id", "ts", name=op.f("uq_posted_cards_channel_id_ts")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("stats_channel_id", sa.String(length=32), nullable=True),
        sa.Column("auto_start", sa.Boolean(), nullable=False),
        sa.Column("reminders", sa.String(length=100), nullable=True),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("name", name=op.f("uq_providers_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_providers_uuid")),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("internal_notes", sa.String(length=2000), nullable=False),
        sa.Column("maintenance_type", sa.SmallInteger(), nullable=False),
        sa.Column("external_reference_url", sa.String(length=500), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("scheduled_start", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_end", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actual_start", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("actual_end", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("backend_id", sa.String(length=255), nullable=False),
        sa.Column("highest_impact", sa.SmallInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("maintenance_type BETWEEN 1 AND 5", name=op.f("ck_announcements_maintenance_type")),
        sa.CheckConstraint("state BETWEEN 1 AND 5", name=op.f("ck_announcements_state")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_announcements_provider_id_providers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint("uuid", name=op.f("uq_announcements_uuid")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_provider_id_state"), ["provider_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_scheduled_end"), ["scheduled_end"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_scheduled_start"), ["scheduled_start"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_announcements_state_scheduled_end"), ["state", "scheduled_end"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_announcements_state_scheduled_start"), ["state", "scheduled_start"], unique=False
        )
        batch_op.create_index(
            "ix_announcements_stats_window",
            [
                "scheduled_start",
                "scheduled_end",
                "state",
                "maintenance_type",
                "provider_id",
                "highest_impact",
                "actual_start",
                "actual_end",
            ],
            unique=False,
        )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'provider', 'read_only')", name=op.f("ck_api_tokens_role")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_api_tokens_provider_id_providers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
        sa.UniqueConstraint("uuid", name=op.f("uq_api_tokens_uuid")),
    )
    op.create_table(
        "offerings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_offerings_provider_id_providers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offerings")),
        sa.UniqueConstraint("provider_id", "name", name=op.f("uq_offerings_provider_id_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_offerings_uuid")),
    )
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offerings_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "provider_managers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("slack_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.CheckConstraint("kind IN ('user', 'group')", name=op.f("ck_provider_managers_kind")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_managers_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_managers")),
        sa.UniqueConstraint("provider_id", "slack_id", name=op.f("uq_provider_managers_provider_id_slack_id")),
    )
    with op.batch_alter_table("provider_managers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_managers_slack_id"), ["slack_id"], unique=False)

    op.create_table(
        "templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("maintenance_type", sa.SmallInteger(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_templates_provider_id_providers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_templates")),
        sa.UniqueConstraint("uuid", name=op.f("uq_templates_uuid")),
    )
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_templates_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "affected_offerings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("impact_level", sa.SmallInteger(), nullable=False),
        sa.Column("impact_description", sa.Text(), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("impact_level BETWEEN 1 AND 4", name=op.f("ck_affected_offerings_impact_level")),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_affected_offerings_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_affected_offerings_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affected_offerings")),
        sa.UniqueConstraint(
            "announcement_id", "offering_id", name=op.f("uq_affected_offerings_announcement_id_offering_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_affected_offerings_uuid")),
    )
    with op.batch_alter_table("affected_offerings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_affected_offerings_announcement_id_impact_level"),
            ["announcement_id", "impact_level"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_affected_offerings_offering_id"), ["offering_id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(offering_id IS NULL) <> (provider_id IS NULL)", name=op.f("ck_subscriptions_one_target")),
        sa.ForeignKeyConstraint(
            ["offering_id"], ["offerings.id"], name=op.f("fk_subscriptions_offering_id_offerings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_subscriptions_provider_id_providers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_offering_id"), ["offering_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscriptions_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(
            "uq_subscriptions_channel_offering",
            ["channel_id", "offering_id"],
            unique=True,
            sqlite_where=sa.text("offering_id IS NOT NULL"),
            postgresql_where=sa.text("offering_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_subscriptions_channel_provider",
            ["channel_id", "provider_id"],
            unique=True,
            sqlite_where=sa.text("provider_id IS NOT NULL"),
            postgresql_where=sa.text("provider_id IS NOT NULL"),
        )

    op.create_table(
        "template_offerings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("impact_level", sa.SmallInteger(), nullable=False),
        sa.Column("impact_description", sa.Text(), nullable=False),
        sa.Column("created", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("impact_level BETWEEN 1 AND 4", name=op.f("ck_template_offerings_impact_level")),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_template_offerings_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["templates.id"],
            name=op.f("fk_template_offerings_template_id_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_offerings")),
        sa.UniqueConstraint("template_id", "offering_id", name=op.f("uq_template_offerings_template_id_offering_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_template_offerings_uuid")),
    )
    with op.batch_alter_table("template_offerings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_template_offerings_offering_id"), ["offering_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("template_offerings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_offerings_offering_id"))

    op.drop_table("template_offerings")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_subscriptions_channel_provider",
            sqlite_where=sa.text("provider_id IS NOT NULL"),
            postgresql_where=sa.text("provider_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_subscriptions_channel_offering",
            sqlite_where=sa.text("offering_id IS NOT NULL"),
            postgresql_where=sa.text("offering_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_subscriptions_provider_id"))
        batch_op.drop_index(batch_op.f("ix_subscriptions_offering_id"))

    op.drop_table("subscriptions")
    with op.batch_alter_table("affected_offerings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affected_offerings_offering_id"))
        batch_op.drop_index(batch_op.f("ix_affected_offerings_announcement_id_impact_level"))

    op.drop_table("affected_offerings")
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_templates_provider_id"))

    op.drop_table("templates")
    with op.batch_alter_table("provider_managers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_managers_slack_id"))

    op.drop_table("provider_managers")
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offerings_provider_id"))

    op.drop_table("offerings")
    op.drop_table("api_tokens")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_stats_window")
        batch_op.drop_index(batch_op.f("ix_announcements_state_scheduled_start"))
        batch_op.drop_index(batch_op.f("ix_announcements_state_scheduled_end"))
        batch_op.drop_index(batch_op.f("ix_announcements_scheduled_start"))
        batch_op.drop_index(batch_op.f("ix_announcements_scheduled_end"))
        batch_op.drop_index(batch_op.f("ix_announcements_provider_id_state"))
        batch_op.drop_index(batch_op.f("ix_announcements_created"))

    op.drop_table("announcements")
    op.drop_table("providers")
    op.drop_table("posted_cards")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_notices_tried",
            sqlite_where=sa.text("status = 'pending' AND attempts > 0"),
            postgresql_where=sa.text("status = 'pending' AND attempts > 0"),
        )
        batch_op.drop_index(batch_op.f("ix_notices_status_next_attempt"))
        batch_op.drop_index(batch_op.f("ix_notices_channel_id_status_next_attempt"))
        batch_op.drop_index(batch_op.f("ix_notices_announcement_uuid_kind_status"))

    op.drop_table("notices")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_created"))
        batch_op.drop_index(batch_op.f("ix_events_announcement_uuid_id"))

    op.drop_table("events")
