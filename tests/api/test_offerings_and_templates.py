"""Affected offerings, templates and template offerings, and the provider and offering resources they
link to, driven with the published Waldur client."""

from __future__ import annotations

from waldur_api_client.api.maintenance_announcement_offerings import (
    maintenance_announcement_offerings_count,
    maintenance_announcement_offerings_create,
    maintenance_announcement_offerings_destroy,
    maintenance_announcement_offerings_list,
    maintenance_announcement_offerings_partial_update,
    maintenance_announcement_offerings_retrieve,
    maintenance_announcement_offerings_update,
)
from waldur_api_client.api.maintenance_announcement_template_offerings import (
    maintenance_announcement_template_offerings_count,
    maintenance_announcement_template_offerings_create,
    maintenance_announcement_template_offerings_destroy,
    maintenance_announcement_template_offerings_list,
    maintenance_announcement_template_offerings_partial_update,
    maintenance_announcement_template_offerings_retrieve,
    maintenance_announcement_template_offerings_update,
)
from waldur_api_client.api.maintenance_announcements import maintenance_announcements_retrieve
from waldur_api_client.api.maintenance_announcements_template import (
    maintenance_announcements_template_count,
    maintenance_announcements_template_create,
    maintenance_announcements_template_destroy,
    maintenance_announcements_template_list,
    maintenance_announcements_template_partial_update,
    maintenance_announcements_template_retrieve,
    maintenance_announcements_template_update,
)
from waldur_api_client.api.marketplace_provider_offerings import marketplace_provider_offerings_retrieve
from waldur_api_client.models.backend_resource_req_o_enum import BackendResourceReqOEnum
from waldur_api_client.models.impact_level_enum import ImpactLevelEnum
from waldur_api_client.models.maintenance_announcement_offering_request import MaintenanceAnnouncementOfferingRequest
from waldur_api_client.models.maintenance_announcement_offering_template_request import (
    MaintenanceAnnouncementOfferingTemplateRequest,
)
from waldur_api_client.models.maintenance_announcement_template_o_enum import MaintenanceAnnouncementTemplateOEnum
from waldur_api_client.models.maintenance_announcement_template_request import MaintenanceAnnouncementTemplateRequest
from waldur_api_client.models.maintenance_type_enum import MaintenanceTypeEnum
from waldur_api_client.models.patched_maintenance_announcement_offering_request import (
    PatchedMaintenanceAnnouncementOfferingRequest,
)
from waldur_api_client.models.patched_maintenance_announcement_offering_template_request import (
    PatchedMaintenanceAnnouncementOfferingTemplateRequest,
)
from waldur_api_client.models.patched_maintenance_announcement_template_request import (
    PatchedMaintenanceAnnouncementTemplateRequest,
)

from tests.api.conftest import refusal
from tests.api.helpers import create, offering_link, provider_link


def link(api, announcement, offering, **fields):
    body = MaintenanceAnnouncementOfferingRequest(maintenance=announcement.url, offering=offering_link(api, offering),
                                                  **fields)
    return maintenance_announcement_offerings_create.sync(client=api.client(), body=body)


def test_linking_an_offering_shows_up_on_the_announcement(api, world):
    announcement = create(api, world["cloud"])

    created = link(api, announcement, world["offerings"]["VMs"], impact_level=ImpactLevelEnum.VALUE_4,
                   impact_description="Hypervisors reboot")

    assert created.maintenance == announcement.url
    assert created.offering == offering_link(api, world["offerings"]["VMs"])
    assert (created.offering_name, created.impact_level_display.value) == ("VMs", "Full outage")
    reread = maintenance_announcements_retrieve.sync(uuid=announcement.uuid, client=api.client())
    assert [item.uuid for item in reread.affected_offerings] == [created.uuid]


def test_impact_defaults_to_degraded_performance(api, world):
    created = link(api, create(api, world["cloud"]), world["offerings"]["VMs"])

    assert created.impact_level == ImpactLevelEnum.VALUE_2


def test_linking_the_same_offering_twice_is_400(api, world):
    announcement = create(api, world["cloud"])
    link(api, announcement, world["offerings"]["VMs"])

    status, body = refusal(lambda: link(api, announcement, world["offerings"]["VMs"]))

    assert (status, body) == (400, {"non_field_errors": ["The fields maintenance, offering must make a unique set."]})


def test_linking_an_unknown_offering_is_400(api, world):
    announcement = create(api, world["cloud"])

    response = api.http().post("/api/maintenance-announcement-offerings/",
                               json={"maintenance": announcement.url, "offering": "/api/x/" + "a" * 32 + "/"})

    assert response.status_code == 400
    assert list(response.json()) == ["offering"]


def test_links_list_newest_first_count_and_change(api, world, clock):
    from datetime import timedelta

    announcement = create(api, world["cloud"])
    first = link(api, announcement, world["offerings"]["VMs"])
    clock.advance(timedelta(minutes=1))
    second = link(api, announcement, world["offerings"]["Kubernetes"])
    client = api.client()

    assert [item.uuid for item in maintenance_announcement_offerings_list.sync(client=client)] == [second.uuid,
                                                                                                   first.uuid]
    assert maintenance_announcement_offerings_count.sync(client=client) == 2
    patched = maintenance_announcement_offerings_partial_update.sync(
        uuid=first.uuid, client=client, body=PatchedMaintenanceAnnouncementOfferingRequest(impact_description="brief")
    )
    assert (patched.impact_description, patched.impact_level) == ("brief", ImpactLevelEnum.VALUE_2)
    put = maintenance_announcement_offerings_update.sync(
        uuid=first.uuid, client=client, body=MaintenanceAnnouncementOfferingRequest(
            maintenance=announcement.url, offering=first.offering, impact_level=ImpactLevelEnum.VALUE_3)
    )
    assert put.impact_level_display.value == "Partial outage"
    assert maintenance_announcement_offerings_retrieve.sync(uuid=first.uuid, client=client).impact_level == 3


def test_a_link_cannot_be_moved_to_another_offering(api, world):
    created = link(api, create(api, world["cloud"]), world["offerings"]["VMs"])

    response = api.http().patch(f"/api/maintenance-announcement-offerings/{created.uuid.hex}/",
                                json={"offering": offering_link(api, world["offerings"]["Backup"])})

    assert response.status_code == 400
    assert list(response.json()) == ["offering"]


def test_unlinking_an_offering(api, world):
    announcement = create(api, world["cloud"])
    created = link(api, announcement, world["offerings"]["VMs"])

    assert maintenance_announcement_offerings_destroy.sync_detailed(uuid=created.uuid, client=api.client()) \
        .status_code == 204
    assert maintenance_announcements_retrieve.sync(uuid=announcement.uuid, client=api.client()).affected_offerings == []


def test_hyperlinks_lead_to_the_provider_and_offering(api, world):
    created = link(api, create(api, world["cloud"]), world["offerings"]["VMs"])
    http = api.http()

    provider = http.get(provider_link(api, world["cloud"])).json()
    offering = marketplace_provider_offerings_retrieve.sync_detailed(uuid=world["offerings"]["VMs"].uuid,
                                                                     client=api.client())

    assert (provider["name"], provider["url"]) == ("Cloud", provider_link(api, world["cloud"]))
    assert http.get(created.offering).json()["name"] == "VMs"
    assert offering.status_code == 200
    assert http.get(created.offering).json()["service_provider"] == provider_link(api, world["cloud"])
    assert [item["name"] for item in http.get("/api/marketplace-provider-offerings/",
                                              params={"service_provider_uuid": world["storage"].uuid.hex}).json()] \
        == ["Backup", "Object store"]
    assert http.get("/api/marketplace-service-providers/").headers["X-Result-Count"] == "2"


# -- templates ------------------------------------------------------------------------------------


def new_template(api, world, name="Kernel patching", **fields):
    body = MaintenanceAnnouncementTemplateRequest(name=name, service_provider=provider_link(api, world["cloud"]),
                                                  **fields)
    return maintenance_announcements_template_create.sync(client=api.client(), body=body)


def test_template_crud(api, world):
    client = api.client()
    template = new_template(api, world, message="We patch.", maintenance_type=MaintenanceTypeEnum.VALUE_5)

    assert template.affected_offerings == []
    assert template.service_provider == provider_link(api, world["cloud"])
    patched = maintenance_announcements_template_partial_update.sync(
        uuid=template.uuid, client=client, body=PatchedMaintenanceAnnouncementTemplateRequest(message="Patched.")
    )
    assert (patched.message, patched.maintenance_type) == ("Patched.", MaintenanceTypeEnum.VALUE_5)
    put = maintenance_announcements_template_update.sync(
        uuid=template.uuid, client=client, body=MaintenanceAnnouncementTemplateRequest(
            name="Renamed", service_provider=template.service_provider)
    )
    assert put.name == "Renamed"
    assert maintenance_announcements_template_retrieve.sync(uuid=template.uuid, client=client).name == "Renamed"
    assert maintenance_announcements_template_destroy.sync_detailed(uuid=template.uuid, client=client) \
        .status_code == 204
    assert refusal(lambda: maintenance_announcements_template_retrieve.sync(uuid=template.uuid, client=client))[0] \
        == 404


def test_template_filters_and_ordering(api, world, clock):
    from datetime import timedelta

    new_template(api, world, "b-emergency", maintenance_type=MaintenanceTypeEnum.VALUE_2)
    clock.advance(timedelta(minutes=1))
    new_template(api, world, "a-routine")
    client = api.client()

    assert [t.name for t in maintenance_announcements_template_list.sync(client=client)] == ["a-routine",
                                                                                            "b-emergency"]
    by_name = maintenance_announcements_template_list.sync(client=client, o=[MaintenanceAnnouncementTemplateOEnum.NAME])
    assert [t.name for t in by_name] == ["a-routine", "b-emergency"]
    assert [t.name for t in maintenance_announcements_template_list.sync(client=client, maintenance_type=2)] == [
        "b-emergency"
    ]
    assert maintenance_announcements_template_count.sync(client=client, service_provider_uuid=world["storage"].uuid) \
        == 0


def test_template_offerings_crud_and_filters(api, world):
    client = api.client()
    template = new_template(api, world)
    body = MaintenanceAnnouncementOfferingTemplateRequest(
        maintenance_template=template.url, offering=offering_link(api, world["offerings"]["VMs"]),
        impact_level=ImpactLevelEnum.VALUE_3,
    )

    created = maintenance_announcement_template_offerings_create.sync(client=client, body=body)

    assert (created.offering_name, created.offering_uuid, created.maintenance_template) == (
        "VMs", world["offerings"]["VMs"].uuid, template.url
    )
    assert [o.uuid for o in maintenance_announcements_template_retrieve.sync(uuid=template.uuid, client=client)
            .affected_offerings] == [created.uuid]
    assert maintenance_announcement_template_offerings_count.sync(client=client, impact_level=3) == 1
    assert maintenance_announcement_template_offerings_list.sync(
        client=client, offering_uuid=world["offerings"]["Kubernetes"].uuid) == []
    assert len(maintenance_announcement_template_offerings_list.sync(
        client=client, maintenance_template_uuid=template.uuid, o=[BackendResourceReqOEnum.CREATED])) == 1
    patched = maintenance_announcement_template_offerings_partial_update.sync(
        uuid=created.uuid, client=client,
        body=PatchedMaintenanceAnnouncementOfferingTemplateRequest(impact_description="VMs pause"),
    )
    assert patched.impact_description == "VMs pause"
    put = maintenance_announcement_template_offerings_update.sync(uuid=created.uuid, client=client, body=body)
    assert put.impact_level == ImpactLevelEnum.VALUE_3
    assert maintenance_announcement_template_offerings_retrieve.sync(uuid=created.uuid, client=client).uuid \
        == created.uuid
    assert maintenance_announcement_template_offerings_destroy.sync_detailed(uuid=created.uuid, client=client) \
        .status_code == 204
    duplicate = [maintenance_announcement_template_offerings_create.sync(client=client, body=body)]
    assert refusal(lambda: duplicate.append(
        maintenance_announcement_template_offerings_create.sync(client=client, body=body)))[0] == 400
