"""Listing over HTTP: filters, ordering, pagination headers, HEAD counts and statistics."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from waldur_api_client.api.maintenance_announcements import (
    maintenance_announcements_cancel_maintenance,
    maintenance_announcements_complete_maintenance,
    maintenance_announcements_count,
    maintenance_announcements_list,
    maintenance_announcements_maintenance_stats_count,
    maintenance_announcements_maintenance_stats_retrieve,
)
from waldur_api_client.models.maintenance_announcement_o_enum import MaintenanceAnnouncementOEnum as O
from waldur_api_client.models.maintenance_announcement_state_enum import MaintenanceAnnouncementStateEnum as S
from waldur_api_client.models.maintenance_type_enum import MaintenanceTypeEnum
from waldur_api_client.utils import parse_link_header

from tests.api.conftest import refusal
from tests.api.helpers import at, create, published


def names(announcements) -> list[str]:
    return [announcement.name for announcement in announcements]


@pytest.fixture
def mixed(api, world, clock):
    """Five Cloud announcements and one of Storage, in different states, created an hour apart."""
    made = {}
    plan = [("a-draft", "draft", 10, 11), ("b-sched", "scheduled", 20, 21), ("c-prog", "started", 3, 4),
            ("d-done", "completed", 4, 4), ("e-cancel", "cancelled", 30, 31)]
    for name, state, start, end in plan:
        clock.advance(timedelta(hours=1))  # c-prog and d-done start (and d-done ends) exactly on time
        window = {"name": name, "scheduled_start": at(start), "scheduled_end": at(end)}
        if state == "draft":
            made[name] = create(api, world["cloud"], **window)
        else:
            made[name] = published(api, world["cloud"], started=state in ("started", "completed"), **window)
        if state == "completed":
            maintenance_announcements_complete_maintenance.sync(uuid=made[name].uuid, client=api.client())
        if state == "cancelled":
            maintenance_announcements_cancel_maintenance.sync(uuid=made[name].uuid, client=api.client())
    clock.advance(timedelta(hours=1))
    made["f-storage"] = create(api, world["storage"], name="f-storage", maintenance_type=MaintenanceTypeEnum.VALUE_2,
                               scheduled_start=at(40), scheduled_end=at(41))
    return made


def test_state_filter_repeats_as_or(api, mixed):
    found = maintenance_announcements_list.sync(client=api.client(), state=[S.DRAFT, S.IN_PROGRESS], o=[O.NAME])

    assert names(found) == ["a-draft", "c-prog", "f-storage"]


def test_an_unknown_state_label_is_400(api):
    response = api.http().get("/api/maintenance-announcements/", params={"state": "Done"})

    assert response.status_code == 400
    assert list(response.json()) == ["state"]


def test_maintenance_type_and_provider_filters(api, world, mixed):
    client = api.client()

    assert names(maintenance_announcements_list.sync(client=client, maintenance_type=2)) == ["f-storage"]
    assert names(maintenance_announcements_list.sync(client=client, service_provider_uuid=world["storage"].uuid)) == [
        "f-storage"
    ]
    assert api.http().get("/api/maintenance-announcements/", params={"maintenance_type": 9}).status_code == 400


def test_scheduled_bounds_are_inclusive(api, mixed):
    client = api.client()
    b_sched = mixed["b-sched"]

    found = maintenance_announcements_list.sync(
        client=client, scheduled_start_after=b_sched.scheduled_start, scheduled_start_before=b_sched.scheduled_start
    )
    ended = maintenance_announcements_list.sync(
        client=client, scheduled_end_after=at(21), scheduled_end_before=at(31), o=[O.SCHEDULED_END]
    )

    assert names(found) == ["b-sched"]
    assert names(ended) == ["b-sched", "e-cancel"]


def test_timing_bucket_filter(api, mixed):
    http = api.http()

    def bucket(value: str) -> list[str]:
        return sorted(item["name"] for item in http.get("/api/maintenance-announcements/",
                                                        params={"timing_bucket": value}).json())

    assert bucket("on_time") == ["c-prog", "d-done"]
    assert bucket("pending, nonsense") == ["a-draft", "b-sched", "e-cancel", "f-storage"]
    assert bucket("nonsense") == []
    assert len(bucket("")) == 6


def test_ordering_keys_both_ways_default_newest_first(api, mixed):
    client = api.client()

    assert names(maintenance_announcements_list.sync(client=client)) == [
        "f-storage", "e-cancel", "d-done", "c-prog", "b-sched", "a-draft",
    ]
    by_start = names(maintenance_announcements_list.sync(client=client, o=[O.SCHEDULED_START]))
    by_start_desc = names(maintenance_announcements_list.sync(client=client, o=[O.VALUE_4]))

    assert by_start == ["c-prog", "d-done", "a-draft", "b-sched", "e-cancel", "f-storage"]
    assert by_start_desc == list(reversed(by_start))


def test_timing_orderings_put_nulls_last_both_ways(api, mixed):
    client = api.client()

    ascending = names(maintenance_announcements_list.sync(client=client, o=[O.START_DELTA_MINUTES, O.NAME]))
    descending = names(maintenance_announcements_list.sync(client=client, o=[O.VALUE_5, O.NAME]))

    assert ascending[2:] == descending[2:] == ["a-draft", "b-sched", "e-cancel", "f-storage"]


def test_an_unknown_ordering_key_is_400(api):
    response = api.http().get("/api/maintenance-announcements/", params={"o": "state"})

    assert response.status_code == 400


def test_pages_carry_count_and_links_and_the_client_follows_them(api, mixed):
    response = api.http().get("/api/maintenance-announcements/", params={"page_size": 2, "page": 2, "o": "name"})
    links = parse_link_header(response.headers["Link"])

    assert response.headers["X-Result-Count"] == "6"
    assert [item["name"] for item in response.json()] == ["c-prog", "d-done"]
    assert {rel: parse_qs(urlsplit(url).query)["page"] for rel, url in links.items()} == {
        "first": ["1"], "prev": ["1"], "next": ["3"], "last": ["3"],
    }
    assert parse_qs(urlsplit(links["next"]).query)["o"] == ["name"]
    assert urlsplit(links["next"]).netloc == urlsplit(api.base_url).netloc
    assert len(maintenance_announcements_list.sync_all(client=api.client())) == 6
    one_page = api.http().get("/api/maintenance-announcements/", params={"page_size": 300})
    assert set(parse_link_header(one_page.headers["Link"])) == {"first", "last"}


def test_a_page_past_the_end_is_404(api):
    status, body = refusal(lambda: maintenance_announcements_list.sync(client=api.client(), page=2))

    assert (status, body) == (404, {"detail": "Invalid page."})


def test_page_size_is_capped_at_300(api, world):
    for index in range(3):
        create(api, world["cloud"], name=f"n{index}")

    response = api.http().get("/api/maintenance-announcements/", params={"page_size": 5000})

    assert len(response.json()) == 3
    assert "page_size=5000" in response.headers["Link"]


def test_head_counts_with_the_same_filters(api, mixed):
    client = api.client()

    assert maintenance_announcements_count.sync(client=client) == 6
    assert maintenance_announcements_count.sync(client=client, state=[S.SCHEDULED, S.CANCELLED]) == 2
    assert api.http().head("/api/maintenance-announcements/").content == b""


def test_statistics_through_the_client(api, world, mixed):
    stats = maintenance_announcements_maintenance_stats_retrieve.sync(client=api.client())

    assert stats.summary.total == 6
    assert (stats.summary.active, stats.summary.scheduled, stats.summary.completed) == (1, 1, 1)
    assert stats.summary.emergency_count == 1
    assert stats.by_state.additional_properties == {
        "Draft": 2, "Scheduled": 1, "In progress": 1, "Completed": 1, "Cancelled": 1
    }
    assert stats.by_impact_level.additional_properties["No impact"] == 6
    assert [provider.name for provider in stats.providers] == ["Cloud", "Storage"]
    assert sum(day.count for day in stats.daily) == 6


def test_statistics_window_provider_and_list_filters(api, world, mixed):
    client = api.client()
    tomorrow = at(24).date().isoformat()

    storage = maintenance_announcements_maintenance_stats_retrieve.sync(
        client=client, provider_uuid=world["storage"].uuid.hex
    )
    late = maintenance_announcements_maintenance_stats_retrieve.sync(client=client, start=tomorrow)
    filtered = api.http().get("/api/maintenance-announcements/maintenance_stats/", params={"state": "Draft"}).json()

    assert storage.summary.total == 1
    assert late.summary.total == 3
    assert filtered["summary"]["total"] == 2
    assert maintenance_announcements_maintenance_stats_count.sync(client=client, start=tomorrow) == 3


def test_statistics_refuse_malformed_dates(api):
    response = api.http().get("/api/maintenance-announcements/maintenance_stats/", params={"start": "2026-13-01"})

    assert (response.status_code, response.json()) == (400, {"start": ["start must be in YYYY-MM-DD format"]})
