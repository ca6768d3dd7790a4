"""Small builders for API tests: request bodies and announcements made through the published client."""

from __future__ import annotations

from datetime import datetime, timedelta

from waldur_api_client.api.maintenance_announcements import (
    maintenance_announcements_create,
    maintenance_announcements_schedule,
    maintenance_announcements_start_maintenance,
)
from waldur_api_client.models.maintenance_announcement import MaintenanceAnnouncement
from waldur_api_client.models.maintenance_announcement_request import MaintenanceAnnouncementRequest

from tests.conftest import NOW


def provider_link(api, provider) -> str:
    return f"{api.base_url}/api/marketplace-service-providers/{provider.uuid.hex}/"


def offering_link(api, offering) -> str:
    return f"{api.base_url}/api/marketplace-provider-offerings/{offering.uuid.hex}/"


def request_body(api, provider, **fields) -> MaintenanceAnnouncementRequest:
    values = {
        "name": "Kernel upgrade",
        "message": "Rolling reboot of the hypervisors.",
        "internal_notes": "Runbook: wiki/kernel",
        "scheduled_start": NOW + timedelta(days=1),
        "scheduled_end": NOW + timedelta(days=1, hours=2),
        "service_provider": provider_link(api, provider),
    } | fields
    return MaintenanceAnnouncementRequest(**values)


def create(api, provider, role: str = "admin", **fields) -> MaintenanceAnnouncement:
    return maintenance_announcements_create.sync(client=api.client(role), body=request_body(api, provider, **fields))


def published(api, provider, role: str = "admin", *, started: bool = False, **fields) -> MaintenanceAnnouncement:
    announcement = create(api, provider, role, **fields)
    maintenance_announcements_schedule.sync(uuid=announcement.uuid, client=api.client(role))
    if started:
        maintenance_announcements_start_maintenance.sync(uuid=announcement.uuid, client=api.client(role))
    return announcement


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)
