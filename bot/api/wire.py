"""Domain views rendered in the seed's wire format: plain dicts, ready for JSON.

uuids are 32 hex digits, enumerations are the seed's integers and labels, times are ISO 8601 in UTC
with a `Z`, and every reference is an absolute hyperlink (see `bot.api.links`). `bot.api.schemas`
describes these shapes in the OpenAPI document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.api.links import Links
from bot.domain.views import (
    AffectedView,
    AnnouncementView,
    OfferingView,
    ProviderView,
    Stats,
    TemplateOfferingView,
    TemplateView,
)


def api_time(value: datetime | None) -> str | None:
    """A time as the seed API writes it: ISO 8601 in UTC, with `Z`."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def affected_offering(view: AffectedView, links: Links) -> dict[str, Any]:
    return {
        "url": links.affected_offering(view.uuid),
        "uuid": view.uuid.hex,
        "maintenance": links.announcement(view.announcement_uuid),
        "offering": links.offering(view.offering.uuid),
        "impact_level": int(view.impact_level),
        "impact_level_display": view.impact_level.label,
        "impact_description": view.impact_description,
        "offering_name": view.offering.name,
    }


def announcement(view: AnnouncementView, links: Links) -> dict[str, Any]:
    """The authenticated representation; `internal_notes` only when the reader may see them."""
    body: dict[str, Any] = {
        "url": links.announcement(view.uuid),
        "uuid": view.uuid.hex,
        "name": view.name,
        "message": view.message,
    }
    if view.internal_notes is not None:
        body["internal_notes"] = view.internal_notes
    body.update(
        maintenance_type=int(view.maintenance_type),
        external_reference_url=view.external_reference_url,
        state=view.state.label,
        scheduled_start=api_time(view.scheduled_start),
        scheduled_end=api_time(view.scheduled_end),
        actual_start=api_time(view.actual_start),
        actual_end=api_time(view.actual_end),
        overrun_minutes=view.overrun_minutes,
        start_delta_minutes=view.start_delta_minutes,
        timing_bucket=view.timing_bucket.value,
        service_provider=links.provider(view.provider_uuid),
        created_by=None,
        affected_offerings=[affected_offering(item, links) for item in view.affected],
        service_provider_name=view.provider_name,
        backend_id=view.backend_id,
    )
    # Extension: the recurring series it is an occurrence of (series are their managers' alone: null for others).
    body["series"] = links.series(view.series_uuid) if view.series_uuid is not None and view.can_manage else None
    return body


def public_announcement(view: AnnouncementView, links: Links) -> dict[str, Any]:
    """What everyone may see: no internal notes, creator, provider link, backend id or timing fields."""
    return {
        "url": links.public_announcement(view.uuid),
        "uuid": view.uuid.hex,
        "name": view.name,
        "message": view.message,
        "maintenance_type": int(view.maintenance_type),
        "maintenance_type_display": view.maintenance_type.label,
        "external_reference_url": view.external_reference_url,
        "state": view.state.label,
        "scheduled_start": api_time(view.scheduled_start),
        "scheduled_end": api_time(view.scheduled_end),
        "actual_start": api_time(view.actual_start),
        "actual_end": api_time(view.actual_end),
        "affected_offerings": [affected_offering(item, links) for item in view.affected],
        "service_provider_name": view.provider_name,
    }


def template_offering(view: TemplateOfferingView, links: Links) -> dict[str, Any]:
    return {
        "url": links.template_offering(view.uuid),
        "uuid": view.uuid.hex,
        "maintenance_template": links.template(view.template_uuid),
        "offering": links.offering(view.offering.uuid),
        "offering_name": view.offering.name,
        "offering_uuid": view.offering.uuid.hex,
        "impact_level": int(view.impact_level),
        "impact_description": view.impact_description,
    }


def template(view: TemplateView, links: Links) -> dict[str, Any]:
    return {
        "url": links.template(view.uuid),
        "uuid": view.uuid.hex,
        "name": view.name,
        "message": view.message,
        "maintenance_type": int(view.maintenance_type),
        "service_provider": links.provider(view.provider_uuid),
        "affected_offerings": [template_offering(item, links) for item in view.offerings],
    }


def provider(view: ProviderView, links: Links) -> dict[str, Any]:
    return {"url": links.provider(view.uuid), "uuid": view.uuid.hex, "name": view.name, "customer_name": view.name}


def offering(view: OfferingView, links: Links) -> dict[str, Any]:
    return {
        "url": links.offering(view.uuid),
        "uuid": view.uuid.hex,
        "name": view.name,
        "service_provider": links.provider(view.provider_uuid),
        "service_provider_uuid": view.provider_uuid.hex,
        "service_provider_name": view.provider_name,
        "customer_name": view.provider_name,
        "silence_matchers": view.silence_matchers,
    }


def stats(view: Stats) -> dict[str, Any]:
    return {
        "summary": dict(view.summary),
        "by_state": view.by_state,
        "by_type": view.by_type,
        "by_impact_level": view.by_impact_level,
        "daily": [{"date": day.date.isoformat(), "count": day.count, "by_state": day.by_state} for day in view.daily],
        "providers": [
            {
                "uuid": row.uuid.hex,
                "name": row.name,
                "total": row.total,
                "active": row.active,
                "scheduled": row.scheduled,
                "completed": row.completed,
            }
            for row in view.providers
        ],
    }
