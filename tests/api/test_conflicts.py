"""Conflicts over HTTP: managers see which published maintenance overlaps on a shared offering (an extension);
publishing is never refused, and nobody else's representation gains the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, State
from tests.factories import announce

HOUR = timedelta(hours=1)
SHOW = "/api/maintenance-announcements/{}/"


def on(*offerings: str) -> list[AffectedInput]:
    return [AffectedInput(name) for name in offerings]


@pytest.fixture
def running(services, world, cloud_manager):
    """A published maintenance on VMs, tomorrow from 00:00 to 04:00 (from the test clock's start)."""
    now = services.context.clock.now()
    return announce(services, cloud_manager, State.SCHEDULED, name="Hypervisor firmware", affected=on("VMs"),
                    scheduled_start=now + timedelta(days=1), scheduled_end=now + timedelta(days=1, hours=4))


def draft_overlapping(services, manager, *offerings: str, **fields):
    now = services.context.clock.now()
    values = {"scheduled_start": now + timedelta(days=1, hours=2), "scheduled_end": now + timedelta(days=1, hours=6)}
    return announce(services, manager, State.DRAFT, name="Kernel upgrade", affected=on(*offerings), **values | fields)


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_publishing_an_overlapping_window_is_told_and_not_refused(api, services, world, cloud_manager, running):
    draft = draft_overlapping(services, cloud_manager, "VMs", "Kubernetes")

    answer = api.http("cloud").post(f"/api/maintenance-announcements/{draft.uuid.hex}/schedule/")

    assert answer.status_code == 200
    [conflict] = answer.json()["conflicts"]
    assert conflict["uuid"] == running.uuid.hex and conflict["name"] == "Hypervisor firmware"
    assert conflict["state"] == "Scheduled" and conflict["scheduled_start"].endswith("Z")
    shown = api.http("cloud").get(SHOW.format(draft.uuid.hex)).json()
    assert shown["state"] == "Scheduled"
    assert [c["uuid"] for c in shown["conflicts"]] == [running.uuid.hex]
    other = api.http("admin").get(SHOW.format(running.uuid.hex)).json()
    assert [c["name"] for c in other["conflicts"]] == ["Kernel upgrade"]  # both sides see it, once published


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_conflicts_are_for_managers_only(api, services, world, cloud_manager, running):
    draft = draft_overlapping(services, cloud_manager, "VMs")
    api.http("cloud").post(f"/api/maintenance-announcements/{draft.uuid.hex}/schedule/")

    for role in ("read_only", "storage"):
        shown = api.http(role).get(SHOW.format(draft.uuid.hex)).json()
        assert "conflicts" not in shown, role
        listed = api.http(role).get("/api/maintenance-announcements/").json()
        assert all("conflicts" not in item for item in listed), role
    public = api.http(None).get(f"/api/public-maintenance-announcements/{draft.uuid.hex}/").json()
    assert "conflicts" not in public
    assert all("conflicts" in item for item in api.http("cloud").get("/api/maintenance-announcements/").json())


def test_no_overlap_no_conflict(api, services, world, cloud_manager, running):
    end = running.scheduled_end
    later = draft_overlapping(services, cloud_manager, "VMs", scheduled_start=end, scheduled_end=end + 2 * HOUR)

    answer = api.http("cloud").post(f"/api/maintenance-announcements/{later.uuid.hex}/schedule/")

    assert answer.json() == {"detail": "Maintenance announcement has been scheduled"}  # the seed's body, unchanged
    assert api.http("cloud").get(SHOW.format(later.uuid.hex)).json()["conflicts"] == []


def test_another_offering_is_no_conflict(api, services, world, cloud_manager, running):
    draft = draft_overlapping(services, cloud_manager, "Kubernetes")

    assert api.http("cloud").get(SHOW.format(draft.uuid.hex)).json()["conflicts"] == []


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_drafts_cancelled_and_completed_maintenance_are_no_conflicts(api, services, world, cloud_manager, clock):
    now = clock.now()
    window = {"scheduled_start": now + timedelta(days=1), "scheduled_end": now + timedelta(days=1, hours=4)}
    for state in (State.DRAFT, State.CANCELLED):
        announce(services, cloud_manager, state, name=f"Not a conflict {state.label}", affected=on("VMs"), **window)
    done = announce(services, cloud_manager, State.SCHEDULED, name="Done early", affected=on("VMs"), **window)
    clock.advance(timedelta(days=1))
    services.announcements.transition(cloud_manager, done.uuid, Action.START)
    services.announcements.transition(cloud_manager, done.uuid, Action.COMPLETE)
    clock.set(now)
    draft = draft_overlapping(services, cloud_manager, "VMs")

    assert api.http("cloud").get(SHOW.format(draft.uuid.hex)).json()["conflicts"] == []


def test_in_progress_maintenance_is_a_conflict(api, services, world, cloud_manager, clock):
    now = clock.now()
    announce(services, cloud_manager, State.IN_PROGRESS, name="Running now", affected=on("VMs"),
             scheduled_start=now - timedelta(minutes=10), scheduled_end=now + timedelta(hours=3))
    draft = draft_overlapping(services, cloud_manager, "VMs", scheduled_start=now + timedelta(hours=1),
                              scheduled_end=now + timedelta(hours=2))

    shown = api.http("cloud").get(SHOW.format(draft.uuid.hex)).json()

    assert [(c["name"], c["state"]) for c in shown["conflicts"]] == [("Running now", "In progress")]
