"""The published snapshot: the wording an announcement's audience was last shown.

Everyone outside a provider's managers — channel cards and their threads, subscribed channels, other
people's App Homes, the public endpoint, calendar feeds, the weekly summary — may see only what was
published. While an announcement is Scheduled, In progress or Completed its live wording *is* what was
published (an edit then is news, sent to channels at once). Once it is withdrawn to Draft, or cancelled,
managers may go on typing, and none of that may reach the audience: not on a "withdrawn" card, not on a
cancelled card or calendar entry, not on a card rendered later from a backlog or refreshed by a stale
button.

So every change that leaves an announcement in a published state records a snapshot of its public
fields (`record`, called by the domain after each such write), and whoever is not a manager sees a
Draft or Cancelled announcement only through that snapshot (`public_content`). Invariant, checked by
the property tests: in a published state, the snapshot equals the live wording. An announcement never
published has no snapshot, and shows neutral words where a card must still say something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from bot.domain.enums import PUBLIC_STATES, Impact, MaintenanceType, State
from bot.domain.views import AffectedView, OfferingView
from storage.models import Announcement

#: What a withdrawn announcement that was never published is called where a card must name it.
NEUTRAL_NAME = "Withdrawn maintenance"


@dataclass(frozen=True)
class Content:
    """The public fields of an announcement: live, or as last published."""

    name: str
    message: str
    maintenance_type: MaintenanceType
    external_reference_url: str
    scheduled_start: datetime
    scheduled_end: datetime
    affected: tuple[AffectedView, ...]
    provider_uuid: UUID
    provider_name: str
    sequence: int  # the version calendars were last shown (one more once withdrawn or cancelled)
    modified: datetime


def snapshot(row: Announcement) -> dict[str, Any]:
    """The public fields of `row` as they are now, as JSON."""
    return {
        "name": row.name,
        "message": row.message,
        "maintenance_type": row.maintenance_type,
        "external_reference_url": row.external_reference_url,
        "scheduled_start": row.scheduled_start.isoformat(),
        "scheduled_end": row.scheduled_end.isoformat(),
        "provider": row.provider.uuid.hex,
        "provider_name": row.provider.name,
        "sequence": row.sequence,
        "modified": row.modified.isoformat(),
        "affected": [
            {
                "uuid": link.uuid.hex,
                "offering": link.offering.uuid.hex,
                "offering_name": link.offering.name,
                "provider": link.offering.provider.uuid.hex,
                "provider_name": link.offering.provider.name,
                "impact_level": link.impact_level,
                "impact_description": link.impact_description,
                "created": link.created.isoformat(),
            }
            for link in row.affected
        ],
    }


def record(row: Announcement) -> None:
    """After a change: an announcement left in a published state publishes its wording as it is now."""
    if State(row.state) in PUBLIC_STATES:
        current = snapshot(row)
        if row.published != current:
            row.published = current


def live_content(row: Announcement, affected: tuple[AffectedView, ...]) -> Content:
    return Content(
        row.name,
        row.message,
        MaintenanceType(row.maintenance_type),
        row.external_reference_url,
        row.scheduled_start,
        row.scheduled_end,
        affected,
        row.provider.uuid,
        row.provider.name,
        row.sequence,
        row.modified,
    )


def public_content(row: Announcement, affected: tuple[AffectedView, ...]) -> Content:
    """What the audience may see of `row`: its live wording while published, else the last published one."""
    if State(row.state) in PUBLIC_STATES:
        return live_content(row, affected)
    shown = row.published
    if shown is None:
        return Content(NEUTRAL_NAME, "", MaintenanceType.SCHEDULED, "", row.scheduled_start, row.scheduled_end, (),
                       row.provider.uuid, row.provider.name, row.sequence, row.modified)
    # Snapshots recorded at upgrade time lack the provider and version: those are the row's, as they were shown.
    return Content(
        shown["name"],
        shown["message"],
        MaintenanceType(shown["maintenance_type"]),
        shown["external_reference_url"],
        datetime.fromisoformat(shown["scheduled_start"]),
        datetime.fromisoformat(shown["scheduled_end"]),
        tuple(_affected(item, row.uuid) for item in shown["affected"]),
        UUID(shown["provider"]) if "provider" in shown else row.provider.uuid,
        shown.get("provider_name", row.provider.name),
        shown["sequence"] + 1 if "sequence" in shown else row.sequence,
        datetime.fromisoformat(shown["modified"]) if "modified" in shown else row.modified,
    )


def _affected(item: dict[str, Any], announcement_uuid: UUID) -> AffectedView:
    offering = OfferingView(
        UUID(item["offering"]), item["offering_name"], UUID(item["provider"]), item["provider_name"]
    )
    return AffectedView(
        UUID(item["uuid"]),
        announcement_uuid,
        offering,
        Impact(item["impact_level"]),
        item["impact_description"],
        datetime.fromisoformat(item["created"]),
    )
