"""Announcement views built in memory, for the pure rules' tests (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from bot.domain.enums import MaintenanceType, State, TimingBucket
from bot.domain.views import AnnouncementView

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
START = NOW + timedelta(days=1)
END = START + timedelta(hours=2)


def view(state: State = State.SCHEDULED, *, can_manage: bool = True, **fields) -> AnnouncementView:
    plain = AnnouncementView(
        uuid=UUID("3f9a2c4e5b6d7e8f9a0b1c2d3e4f5a6b"),
        name="Kernel upgrade",
        message="Hypervisors reboot one by one.",
        internal_notes=None,
        maintenance_type=MaintenanceType.SCHEDULED,
        external_reference_url="",
        state=state,
        scheduled_start=START,
        scheduled_end=END,
        actual_start=None,
        actual_end=None,
        provider_uuid=UUID("00000000000000000000000000000001"),
        provider_name="Cloud",
        created_by="UCLOUDMGR1",
        backend_id="",
        sequence=1,
        created=NOW,
        modified=NOW,
        affected=(),
        overrun_minutes=None,
        start_delta_minutes=None,
        timing_bucket=TimingBucket.PENDING,
        can_manage=can_manage,
    )
    return replace(plain, **fields)
