"""`/api/maintenance-series/` over real HTTP: CRUD, occurrences across a DST change, bounds, permissions, and the
`series` link on announcements (the published Waldur client still reads them)."""

from __future__ import annotations

from datetime import timedelta

from waldur_api_client.api.maintenance_announcements import (
    maintenance_announcements_list,
    maintenance_announcements_retrieve,
)

from tests.api.helpers import offering_link, provider_link

SERIES = "/api/maintenance-series/"


def body(api, world, **fields) -> dict:
    return {
        "name": "Storage firmware",
        "message": "Controller firmware, one shelf at a time.",
        "service_provider": provider_link(api, world["cloud"]),
        "affected_offerings": [{"offering": offering_link(api, world["offerings"]["VMs"]), "impact_level": 2}],
        "rrule": "FREQ=MONTHLY;BYDAY=-1SU",
        "timezone": "Europe/Tallinn",
        "start_time": "03:30",
        "duration_minutes": 90,
        "horizon_days": 60,
    } | fields


def test_create_read_list_and_delete_a_series(api, world):
    http = api.http("cloud")

    created = http.post(SERIES, json=body(api, world))
    assert created.status_code == 201, created.text
    series = created.json()
    assert series["rrule"] == "FREQ=MONTHLY;BYDAY=-1SU"
    assert (series["timezone"], series["start_time"], series["duration_minutes"]) == ("Europe/Tallinn", "03:30", 90)
    assert series["description"] == "every month on last Sunday"
    assert series["publish_days_before"] is None and series["horizon_days"] == 60
    assert series["affected_offerings"][0]["offering_name"] == "VMs"
    assert http.get(series["url"]).json()["uuid"] == series["uuid"]
    listed = http.get(SERIES).json()
    assert [s["uuid"] for s in listed] == [series["uuid"]]

    assert http.delete(series["url"]).status_code == 204
    assert http.get(series["url"]).status_code == 404


def test_occurrences_hold_the_local_time_across_the_dst_change_and_link_created_announcements(api, world):
    http = api.http("cloud")
    series = http.post(SERIES, json=body(api, world)).json()

    found = http.get(series["occurrences"], params={"start": "2026-11-01", "end": "2027-04-30"}).json()

    assert [o["scheduled_start"] for o in found] == [
        "2026-11-29T01:30:00Z", "2026-12-27T01:30:00Z", "2027-01-31T01:30:00Z", "2027-02-28T01:30:00Z",
        "2027-03-28T01:30:00Z",  # 03:30 does not exist that night in Tallinn: 04:30 EEST, shifted by the gap
        "2027-04-25T00:30:00Z",  # 03:30 EEST
    ]
    assert found[4]["local_start"] == "2027-03-28T03:30"
    assert [o["scheduled_end"] for o in found][:1] == ["2026-11-29T03:00:00Z"]
    created = [o["announcement"] for o in found if o["announcement"]]
    assert len(created) == 2  # within the 60-day horizon: created (drafts); the rest computed only
    assert all(o["state"] == "Draft" for o in found[:2]) and found[2]["state"] is None
    assert http.get(created[0]).json()["series"] == series["url"]


def test_announcements_carry_a_series_link_and_the_waldur_client_still_reads_them(api, world):
    http = api.http("cloud")
    series = http.post(SERIES, json=body(api, world)).json()
    occurrence = http.get(series["occurrences"], params={"start": "2026-11-01", "end": "2026-12-01"}).json()[0]

    raw = http.get(occurrence["announcement"]).json()
    listed = maintenance_announcements_list.sync(client=api.client("cloud"))
    retrieved = maintenance_announcements_retrieve.sync(uuid=raw["uuid"], client=api.client("cloud"))

    assert raw["series"] == series["url"]
    assert retrieved.name == "Storage firmware" and retrieved.additional_properties["series"] == series["url"]
    assert raw["uuid"] in {a.uuid.hex for a in listed}


def test_patch_changes_future_occurrences_and_reports_what_it_did(api, world):
    http = api.http("cloud")
    series = http.post(SERIES, json=body(api, world)).json()

    patched = http.patch(series["url"], json={"start_time": "01:00", "name": "Firmware"})

    assert patched.status_code == 200, patched.text
    change = patched.json()
    assert change["start_time"] == "01:00" and len(change["updated"]) == 2
    first = http.get(series["occurrences"], params={"start": "2026-11-01", "end": "2026-11-30"}).json()[0]
    assert first["scheduled_start"] == "2026-11-28T23:00:00Z"
    assert http.get(first["announcement"]).json()["name"] == "Firmware"


def test_skip_move_and_end_over_http(api, world, clock):
    http = api.http("cloud")
    series = http.post(SERIES, json=body(api, world, publish_days_before=60)).json()

    skipped = http.post(f"{series['url']}skip/", json={"day": "2026-12-27"})
    moved = http.post(f"{series['url']}move/", json={"day": "2026-11-29", "start": "2026-11-28T22:00:00"})
    assert skipped.status_code == 200 and moved.status_code == 200, (skipped.text, moved.text)
    assert skipped.json()["published_left"]  # published (60 days ahead): left until asked
    found = http.get(series["occurrences"], params={"start": "2026-11-01", "end": "2027-01-31"}).json()
    assert [o["scheduled_start"] for o in found] == [
        "2026-11-28T20:00:00Z", "2026-12-27T01:30:00Z", "2027-01-31T01:30:00Z"]
    assert found[0]["moved"] is True

    ended = http.post(f"{series['url']}end/", params={"cancel_published": "true"}).json()
    assert len(ended["cancelled"]) == 2 and ended["ended"] is not None
    states = {http.get(o["announcement"]).json()["state"] for o in found if o["announcement"]}
    assert states == {"Cancelled"}


def test_bad_input_gets_a_field_error_and_changes_nothing(api, world):
    http = api.http("cloud")

    for fields, field in [({"rrule": "FREQ=YEARLY"}, "rrule"), ({"timezone": "Nowhere/Land"}, "timezone"),
                          ({"start_time": "3pm"}, "start_time"), ({"duration_minutes": -5}, "duration_minutes"),
                          ({"rrule": "FREQ=DAILY;BYDAY=\u202eMO"}, "rrule")]:
        answer = http.post(SERIES, json=body(api, world, **fields))
        assert answer.status_code == 400, (fields, answer.text)
        assert field in answer.json(), answer.json()
    assert http.get(SERIES).json() == []


def test_occurrence_ranges_are_bounded(api, world):
    http = api.http("cloud")
    series = http.post(SERIES, json=body(api, world)).json()

    too_long = http.get(series["occurrences"], params={"start": "2027-01-01", "end": "2030-01-01"})
    backwards = http.get(series["occurrences"], params={"start": "2027-01-01", "end": "2026-01-01"})
    not_a_date = http.get(series["occurrences"], params={"start": "soon"})

    assert too_long.status_code == 400 and "731 days" in too_long.text
    assert backwards.status_code == 400
    assert not_a_date.status_code == 400
    daily = http.post(SERIES, json=body(api, world, rrule="FREQ=DAILY", name="Backups")).json()
    two_years = http.get(daily["occurrences"], params={"start": "2027-01-01", "end": "2028-12-31"}).json()
    assert len(two_years) == 731


def test_other_providers_and_readers_do_not_see_a_series(api, world):
    series = api.http("cloud").post(SERIES, json=body(api, world)).json()

    for role in ("storage", "read_only"):
        assert api.http(role).get(series["url"]).status_code == 404
        assert api.http(role).get(series["occurrences"]).status_code == 404
        assert api.http(role).get(SERIES).json() == []
        assert api.http(role).delete(series["url"]).status_code == 404
    refused = api.http("storage").post(SERIES, json=body(api, world))
    assert refused.status_code == 403
    assert api.http(None).get(SERIES).status_code == 401


def test_a_published_occurrence_is_seen_by_everyone_without_its_series(api, world, clock):
    series = api.http("cloud").post(SERIES, json=body(api, world, publish_days_before=40)).json()
    first = api.http("cloud").get(series["occurrences"], params={"start": "2026-11-01", "end": "2026-11-30"}).json()[0]

    seen = api.http("read_only").get(first["announcement"]).json()

    assert seen["state"] == "Scheduled" and seen["series"] is None
    clock.advance(timedelta(days=1))


def test_far_dates_get_a_field_error_not_a_crash(api, world):
    http = api.http("cloud")
    series = http.post(SERIES, json=body(api, world)).json()

    answers = [
        http.get(series["occurrences"], params={"start": "0001-01-01", "end": "0001-12-31"}),
        http.get(series["occurrences"], params={"start": "9999-01-01", "end": "9999-12-31"}),
        http.post(f"{series['url']}skip/", json={"day": "0001-01-01"}),
        http.post(f"{series['url']}move/", json={"day": "2026-11-29", "start": "9999-12-31T23:59:00-12:00"}),
        http.post(f"{series['url']}move/", json={"day": "2026-11-29", "start": "2026-11-01T00:00:00Z"}),  # past
        http.post(SERIES, json=body(api, world, first_day="1999-12-31")),
    ]

    assert [a.status_code for a in answers] == [400] * len(answers), [a.text for a in answers]
