"""`/api/public-maintenance-announcements/`: anonymous, read-only, published states and public fields only."""

from __future__ import annotations

from waldur_api_client.api.maintenance_announcements import maintenance_announcements_cancel_maintenance
from waldur_api_client.api.public_maintenance_announcements import (
    public_maintenance_announcements_count,
    public_maintenance_announcements_list,
    public_maintenance_announcements_retrieve,
)
from waldur_api_client.models.maintenance_announcement_state_enum import MaintenanceAnnouncementStateEnum as S

from tests.api.conftest import refusal
from tests.api.helpers import at, create, published

PUBLIC_FIELDS = {
    "url", "uuid", "name", "message", "maintenance_type", "maintenance_type_display", "external_reference_url",
    "state", "scheduled_start", "scheduled_end", "actual_start", "actual_end", "affected_offerings",
    "service_provider_name",
}


def test_anyone_sees_published_announcements_with_public_fields_only(api, world):
    published(api, world["cloud"], name="later", scheduled_start=at(30), scheduled_end=at(31))
    published(api, world["cloud"], name="sooner", started=True)
    create(api, world["cloud"], name="draft")
    cancelled = published(api, world["cloud"], name="cancelled")
    maintenance_announcements_cancel_maintenance.sync(uuid=cancelled.uuid, client=api.client())

    listed = api.http(None).get("/api/public-maintenance-announcements/").json()
    through_client = public_maintenance_announcements_list.sync(client=api.anonymous())

    assert [item["name"] for item in listed] == ["later", "sooner"]  # default: -scheduled_start
    assert all(set(item) == PUBLIC_FIELDS for item in listed)
    assert listed[1]["maintenance_type_display"] == "Scheduled maintenance"
    assert [item.state.value for item in through_client] == ["Scheduled", "In progress"]
    assert public_maintenance_announcements_count.sync(client=api.anonymous()) == 2


def test_drafts_and_cancelled_are_not_found(api, world):
    draft = create(api, world["cloud"])
    cancelled = create(api, world["cloud"])
    maintenance_announcements_cancel_maintenance.sync(uuid=cancelled.uuid, client=api.client())

    for hidden in (draft, cancelled):
        status, _ = refusal(lambda hidden=hidden: public_maintenance_announcements_retrieve.sync(
            uuid=hidden.uuid, client=api.anonymous()))
        assert status == 404


def test_a_token_changes_nothing_on_the_public_endpoint(api, world):
    create(api, world["cloud"], name="draft")

    assert api.http("admin").get("/api/public-maintenance-announcements/").json() == []


def test_retrieve_links_to_the_public_resource(api, world):
    announcement = published(api, world["cloud"])

    public = public_maintenance_announcements_retrieve.sync(uuid=announcement.uuid, client=api.anonymous())

    assert public.url == f"{api.base_url}/api/public-maintenance-announcements/{announcement.uuid.hex}/"
    assert "internal_notes" not in public.additional_properties


def test_filters_and_ordering_apply(api, world):
    published(api, world["cloud"], name="b", started=True)
    published(api, world["storage"], name="a")
    anonymous = api.anonymous()

    assert [a.name for a in public_maintenance_announcements_list.sync(client=anonymous, state=[S.IN_PROGRESS])] \
        == ["b"]
    assert [a.name for a in public_maintenance_announcements_list.sync(
        client=anonymous, service_provider_uuid=world["storage"].uuid)] == ["a"]
    assert public_maintenance_announcements_list.sync(client=anonymous, state=[S.DRAFT]) == []
    assert api.http(None).get("/api/public-maintenance-announcements/", params={"o": "name"}).json()[0]["name"] == "a"


def test_write_methods_are_405(api, world):
    announcement = published(api, world["cloud"])
    http = api.http("admin")
    item = f"/api/public-maintenance-announcements/{announcement.uuid.hex}/"

    answers = [
        http.post("/api/public-maintenance-announcements/", json={}),
        http.put(item, json={}),
        http.patch(item, json={}),
        http.delete(item),
    ]

    assert [(answer.status_code, answer.json()["detail"]) for answer in answers] == [
        (405, 'Method "POST" not allowed.'),
        (405, 'Method "PUT" not allowed.'),
        (405, 'Method "PATCH" not allowed.'),
        (405, 'Method "DELETE" not allowed.'),
    ]
