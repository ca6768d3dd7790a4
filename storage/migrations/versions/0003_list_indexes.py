"""list indexes: each sort key with the columns visibility reads

Ordering a list by created, name, scheduled_start or scheduled_end walks one index that also holds state
and provider_id, so a deep page skips rows without reading them (see `bot.domain.listing.page_query`).
The three single-column indexes become the first columns of the new ones.

Revision ID: 0003_list_indexes
Revises: 0002_published
"""

from alembic import op

revision = "0003_list_indexes"
down_revision = "0002_published"
branch_labels = None
depends_on = None

SORT_KEYS = ("created", "name", "scheduled_start", "scheduled_end")
REPLACED = ("created", "scheduled_start", "scheduled_end")


def upgrade() -> None:
    for key in SORT_KEYS:
        op.create_index(f"ix_announcements_{key}_state_provider_id", "announcements", [key, "state", "provider_id"])
    for key in REPLACED:
        op.drop_index(f"ix_announcements_{key}", table_name="announcements")


def downgrade() -> None:
    for key in REPLACED:
        op.create_index(f"ix_announcements_{key}", "announcements", [key])
    for key in SORT_KEYS:
        op.drop_index(f"ix_announcements_{key}_state_provider_id", table_name="announcements")
