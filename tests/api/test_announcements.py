"""The seed's announcement operations, driven with the published Waldur client over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from waldur_api_client.api.maintenance_announcements import (
    maintenance_announcements_cancel_maintenance,
    maintenance_announcements_complete_maintenance,
    maintenance_announcements_destroy,
    maintenance_announcements_partial_update,
    maintenance_announcements_retrieve,
    maintenance_announcements_schedule,
    maintenance_announcements_start_maintenance,
    maintenance_announcements_unschedule,
    maintenance_announcements_update,
)
from waldur_api_client.models.maintenance_announcement_state_enum import MaintenanceAnnouncementStateEnum as S
from waldur_api_client.models.maintenance_type_enum import MaintenanceTypeEnum
from waldur_api_client.models.patched_maintenance_announcement_request import PatchedMaintenanceAnnouncementRequest

from tests.api.conftest import refusal
from tests.api.helpers import at, create, provider_link, published, request_body
from tests.conftest import NOW


def test_create_returns_a_draft_with_absolute_hyperlinks(api, world):
    created = create(api, world["cloud"], maintenance_type=MaintenanceTypeEnum.VALUE_3)

    assert created.state is S.DRAFT
    assert len(created.uuid.hex) == 32
    assert created.url == f"{api.base_url}/api/maintenance-announcements/{created.uuid.hex}/"
    assert created.service_provider == provider_link(api, world["cloud"])
    assert created.service_provider_name == "Cloud"
    assert created.maintenance_type == MaintenanceTypeEnum.VALUE_3
    assert created.internal_notes == "Runbook: wiki/kernel"
    assert (created.actual_start, created.actual_end, created.timing_bucket.value) == (None, None, "pending")
    assert created.scheduled_start == NOW + timedelta(days=1)


def test_uuids_on_the_wire_are_32_hex_digits(api, world):
    created = create(api, world["cloud"])

    raw = api.http().get(f"/api/maintenance-announcements/{created.uuid}/").json()

    assert raw["uuid"] == created.uuid.hex
    assert raw["scheduled_start"].endswith("Z")


def test_retrieve_by_either_uuid_spelling(api, world):
    created = create(api, world["cloud"])
    http = api.http()

    assert maintenance_announcements_retrieve.sync(uuid=created.uuid, client=api.client()).name == "Kernel upgrade"
    assert http.get(f"/api/maintenance-announcements/{created.uuid.hex}/").status_code == 200
    assert http.get("/api/maintenance-announcements/not-a-uuid/").json() == {"detail": "Not found."}


def test_times_without_a_zone_are_taken_as_utc(api, world):
    body = {
        "name": "Naive",
        "scheduled_start": "2026-11-05T10:00:00",
        "scheduled_end": "2026-11-05T12:30:00+02:00",
        "service_provider": provider_link(api, world["cloud"]),
    }

    created = api.http().post("/api/maintenance-announcements/", json=body).json()

    assert created["scheduled_start"] == "2026-11-05T10:00:00Z"
    assert created["scheduled_end"] == "2026-11-05T10:30:00Z"


def test_create_without_required_fields_names_each_one(api):
    response = api.http().post("/api/maintenance-announcements/", json={"message": "no name"})

    assert response.status_code == 400
    assert response.json() == {
        name: ["This field is required."] for name in ("name", "scheduled_start", "scheduled_end", "service_provider")
    }


def test_create_refuses_an_end_before_the_start(api, world):
    status, body = refusal(
        lambda: create(api, world["cloud"], scheduled_start=at(5), scheduled_end=at(4))
    )

    assert status == 400
    assert body == {"scheduled_end": ["Scheduled end must not be before scheduled start."]}


def test_create_refuses_a_link_to_no_provider(api, world):
    response = api.http().post(
        "/api/maintenance-announcements/",
        json={"name": "x", "scheduled_start": "2026-11-05T10:00:00Z", "scheduled_end": "2026-11-05T11:00:00Z",
              "service_provider": f"{api.base_url}/api/marketplace-service-providers/not-a-provider/"},
    )

    assert response.status_code == 400
    assert response.json() == {"service_provider": ["Invalid hyperlink - Object does not exist."]}


def test_create_refuses_blank_names_and_long_messages(api):
    response = api.http().post(
        "/api/maintenance-announcements/",
        json={"name": "   ", "message": "x" * 2001, "scheduled_start": "2026-11-05T10:00:00Z",
              "scheduled_end": "2026-11-05T11:00:00Z", "service_provider": "00000000000000000000000000000000"},
    )

    body = response.json()
    assert response.status_code == 400
    assert body["name"] == ["This field may not be blank."]
    assert body["message"] == ["Ensure this field has no more than 2000 characters."]


def test_put_replaces_the_editable_fields(api, world):
    created = create(api, world["cloud"])
    body = request_body(api, world["cloud"], name="Kernel upgrade, take two", scheduled_end=at(30), message="New")

    updated = maintenance_announcements_update.sync(uuid=created.uuid, client=api.client(), body=body)

    assert (updated.name, updated.message, updated.scheduled_end) == ("Kernel upgrade, take two", "New", at(30))


def test_put_can_move_an_announcement_to_another_provider(api, world):
    created = create(api, world["cloud"])

    updated = maintenance_announcements_update.sync(
        uuid=created.uuid, client=api.client(), body=request_body(api, world["storage"])
    )

    assert updated.service_provider_name == "Storage"


def test_patch_changes_only_what_is_sent(api, world):
    created = create(api, world["cloud"])

    patched = maintenance_announcements_partial_update.sync(
        uuid=created.uuid, client=api.client(), body=PatchedMaintenanceAnnouncementRequest(internal_notes="CHG-42")
    )

    assert patched.internal_notes == "CHG-42"
    assert (patched.name, patched.message) == (created.name, created.message)


def test_patch_refuses_null(api, world):
    created = create(api, world["cloud"])

    response = api.http().patch(f"/api/maintenance-announcements/{created.uuid.hex}/", json={"name": None})

    assert (response.status_code, response.json()) == (400, {"name": ["This field may not be null."]})


def test_edits_of_a_finished_announcement_are_refused_naming_the_valid_states(api, world):
    announcement = published(api, world["cloud"], started=True)
    maintenance_announcements_complete_maintenance.sync(uuid=announcement.uuid, client=api.client())

    status, body = refusal(
        lambda: maintenance_announcements_partial_update.sync(
            uuid=announcement.uuid, client=api.client(), body=PatchedMaintenanceAnnouncementRequest(name="late")
        )
    )

    assert (status, body) == (409, {"detail": "Valid states for operation: Draft, Scheduled, In progress."})


def test_delete_answers_204_in_any_state_and_then_it_is_gone(api, world):
    announcement = published(api, world["cloud"], started=True)

    response = maintenance_announcements_destroy.sync_detailed(uuid=announcement.uuid, client=api.client())

    assert response.status_code == 204
    gone = refusal(lambda: maintenance_announcements_retrieve.sync(uuid=announcement.uuid, client=api.client()))
    assert gone[0] == 404


def test_the_whole_lifecycle_through_the_actions(api, world):
    client = api.client()
    created = create(api, world["cloud"])
    steps = [
        (maintenance_announcements_schedule, "scheduled", S.SCHEDULED),
        (maintenance_announcements_unschedule, "unscheduled", S.DRAFT),
        (maintenance_announcements_schedule, "scheduled", S.SCHEDULED),
        (maintenance_announcements_start_maintenance, "started", S.IN_PROGRESS),
        (maintenance_announcements_complete_maintenance, "completed", S.COMPLETED),
    ]
    for module, verb, state in steps:
        answer = module.sync(uuid=created.uuid, client=client)

        assert answer.detail == f"Maintenance announcement has been {verb}"
        assert maintenance_announcements_retrieve.sync(uuid=created.uuid, client=client).state is state

    final = maintenance_announcements_retrieve.sync(uuid=created.uuid, client=client)
    assert (final.actual_start, final.actual_end) == (NOW, NOW)


def test_cancel_from_draft_and_from_scheduled(api, world):
    draft, scheduled = create(api, world["cloud"]), published(api, world["cloud"])

    for announcement in (draft, scheduled):
        answer = maintenance_announcements_cancel_maintenance.sync(uuid=announcement.uuid, client=api.client())

        assert answer.detail == "Maintenance announcement has been cancelled"


def test_actions_in_the_wrong_state_name_the_valid_states(api, world):
    started = published(api, world["cloud"], started=True)
    cases = {
        maintenance_announcements_schedule: "Valid states for operation: Draft.",
        maintenance_announcements_unschedule: "Valid states for operation: Scheduled.",
        maintenance_announcements_start_maintenance: "Valid states for operation: Scheduled.",
        maintenance_announcements_cancel_maintenance: "Valid states for operation: Draft, Scheduled.",
    }
    for module, detail in cases.items():
        assert refusal(lambda module=module: module.sync(uuid=started.uuid, client=api.client())) == (
            409,
            {"detail": detail},
        )
    draft = create(api, world["cloud"])
    assert refusal(lambda: maintenance_announcements_complete_maintenance.sync(uuid=draft.uuid, client=api.client())) \
        == (409, {"detail": "Valid states for operation: In progress."})


def test_start_records_the_actual_start_in_utc(api, world, clock):
    announcement = published(api, world["cloud"])
    clock.advance(timedelta(minutes=40))

    maintenance_announcements_start_maintenance.sync(uuid=announcement.uuid, client=api.client())

    started = maintenance_announcements_retrieve.sync(uuid=announcement.uuid, client=api.client())
    assert started.actual_start == NOW + timedelta(minutes=40)
    assert started.actual_start.tzinfo is not None


def test_times_round_trip_whatever_zone_they_were_sent_in(api, world):
    tallinn = timezone(timedelta(hours=2))
    start = datetime(2026, 11, 20, 22, 30, 15, 250000, tzinfo=tallinn)

    created = create(api, world["cloud"], scheduled_start=start, scheduled_end=start + timedelta(hours=1))

    assert created.scheduled_start == start
    assert created.scheduled_start.utcoffset() == timedelta(0)
    assert created.scheduled_start.astimezone(UTC).hour == 20
