"""The `query` filter over HTTP (authenticated list, HEAD count, public list, statistics) and the audit trail
endpoint `GET /api/maintenance-announcements/{uuid}/history/`. Both backends (`api` takes `db`)."""

from __future__ import annotations

import pytest
from waldur_api_client.api.maintenance_announcements import maintenance_announcements_list

from tests.api.helpers import at, create, published

LIST = "/api/maintenance-announcements/"
PUBLIC = "/api/public-maintenance-announcements/"
STATS = "/api/maintenance-announcements/maintenance_stats/"


@pytest.fixture
def made(api, world):
    cloud = world["cloud"]
    return {
        "reef": published(api, cloud, name="Ceph upgrade to Reef", message="Storage nodes one by one",
                          scheduled_start=at(30), scheduled_end=at(32)),
        "switch": published(api, cloud, name="Switch firmware", message="The CEPH public network flaps",
                            scheduled_start=at(20), scheduled_end=at(21)),
        "draft": create(api, cloud, name="Ceph secret draft", scheduled_start=at(10), scheduled_end=at(11)),
        "kernel": published(api, cloud, name="Kernel upgrade", scheduled_start=at(40), scheduled_end=at(41)),
        "odd": published(api, cloud, name="Patch 100% of a_b hosts", scheduled_start=at(50), scheduled_end=at(51)),
    }


def found(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json())


def test_query_matches_every_word_in_name_or_message_in_any_case(api, made):
    http = api.http("cloud")

    assert found(http.get(LIST, params={"query": "ceph"})) == ["Ceph secret draft", "Ceph upgrade to Reef",
                                                                "Switch firmware"]
    assert found(http.get(LIST, params={"query": "CEPH nodes"})) == ["Ceph upgrade to Reef"]
    assert found(http.get(LIST, params={"query": "  "})) == sorted(a.name for a in made.values())  # blank: no filter


def test_query_keeps_the_seed_default_order(api, made):
    names = [item["name"] for item in api.http().get(LIST, params={"query": "upgrade"}).json()]

    assert names == ["Kernel upgrade", "Ceph upgrade to Reef"]  # -created, as without the filter


def test_query_hides_drafts_from_those_who_may_not_see_them(api, made):
    assert found(api.http("read_only").get(LIST, params={"query": "secret"})) == []
    assert found(api.http("storage").get(LIST, params={"query": "ceph"})) == ["Ceph upgrade to Reef",
                                                                             "Switch firmware"]
    assert found(api.http(None).get(PUBLIC, params={"query": "secret draft"})) == []
    assert found(api.http(None).get(PUBLIC, params={"query": "ceph"})) == ["Ceph upgrade to Reef", "Switch firmware"]


def test_head_counts_and_statistics_take_the_query(api, made):
    http = api.http()

    assert http.head(LIST, params={"query": "ceph"}).headers["x-result-count"] == "3"
    stats = http.get(STATS, params={"query": "ceph", "start": "2026-01-01", "end": "2027-12-31"})
    assert stats.status_code == 200 and stats.json()["summary"]["total"] == 3


@pytest.mark.parametrize("hostile", ["%", "_", "\\", "'", '"', "%%", "_%_", "' OR 1=1 --"])
def test_wildcards_and_quotes_match_only_themselves(api, made, hostile):
    assert found(api.http().get(LIST, params={"query": hostile})) in ([], ["Patch 100% of a_b hosts"])
    assert found(api.http(None).get(PUBLIC, params={"query": hostile})) in ([], ["Patch 100% of a_b hosts"])


def test_a_percent_sign_and_an_underscore_are_found_as_typed(api, made):
    assert found(api.http().get(LIST, params={"query": "100%"})) == ["Patch 100% of a_b hosts"]
    assert found(api.http().get(LIST, params={"query": "a_b"})) == ["Patch 100% of a_b hosts"]
    assert found(api.http().get(LIST, params={"query": "a%b"})) == []


def test_huge_many_or_nul_queries_get_a_clear_400_or_nothing(api, made):
    huge = api.http().get(LIST, params={"query": "x" * 10_000})
    many = api.http(None).get(PUBLIC, params={"query": " ".join(f"w{n}" for n in range(9))})
    nul = api.http().get(LIST, params={"query": "ceph\x00"})

    assert huge.status_code == 400 and "at most 200 characters" in huge.json()["query"][0]
    assert many.status_code == 400 and "at most 8 words" in many.json()["query"][0]
    assert found(nul) == []


def test_non_ascii_matches_whatever_the_case(api, world):
    published(api, world["cloud"], name="ÜBERHOLUNG der Kühlung")

    assert found(api.http().get(LIST, params={"query": "überholung KÜHLUNG"})) == ["ÜBERHOLUNG der Kühlung"]


def test_the_waldur_client_lists_unchanged(api, made):
    listed = maintenance_announcements_list.sync(client=api.client())

    assert len(listed) == 5


# -- the audit trail -------------------------------------------------------------------------------------


def history(api, role, announcement):
    return api.http(role).get(f"{LIST}{announcement.uuid.hex}/history/")


def test_history_gives_actor_interface_action_and_readable_changes(api, made):
    reef = made["reef"]
    api.http("cloud").patch(f"{LIST}{reef.uuid.hex}/", json={"scheduled_end": "2026-11-04T05:00:00Z",
                                                             "maintenance_type": 2}).raise_for_status()

    events = history(api, "cloud", reef).json()

    assert [event["action"] for event in events] == ["created", "scheduled", "updated"]
    assert {event["interface"] for event in events} == {"api"}
    assert events[0]["actor"] and events[0]["created"].endswith("Z")
    changes = {change["field"]: change for change in events[-1]["changes"]}
    assert changes["scheduled_end"]["before"] == "2026-11-03T17:00:00Z"
    assert changes["scheduled_end"]["after"] == "2026-11-04T05:00:00Z"
    assert changes["maintenance_type"]["after"] == "Emergency maintenance"
    assert events[1]["changes"] == [{"field": "state", "before": "Draft", "after": "Scheduled"}]


def test_history_is_for_the_providers_managers_and_admins(api, made):
    reef, draft = made["reef"], made["draft"]

    assert history(api, "admin", reef).status_code == 200
    assert history(api, "cloud", draft).status_code == 200
    assert history(api, "storage", reef).status_code == 403  # sees it, does not manage it
    assert history(api, "read_only", reef).status_code == 403
    assert history(api, "read_only", draft).status_code == 404  # a draft it may not see does not exist for it
    assert history(api, None, reef).status_code == 401
    assert api.http().get(f"{LIST}not-a-uuid/history/").status_code == 404
