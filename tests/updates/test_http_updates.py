"""Progress updates over HTTP, on the public endpoint and on the public page (both backends).

`…/{uuid}/updates/` lists (everyone who may see the announcement) and posts (its managers, Scheduled or In
progress); a bad body is a 400 beside `message` and posts nothing. The public endpoint and the status page
show published updates, never those of a draft.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, State
from bot.domain.updates import UPDATE_MAX
from tests.factories import NOW, announce

NEWS = "Storage nodes 1–4 done, 5–8 in progress"


def updates_of(uuid) -> str:
    return f"/api/maintenance-announcements/{uuid.hex}/updates/"


def public_updates_of(uuid) -> str:
    return f"/api/public-maintenance-announcements/{uuid.hex}/updates/"


@pytest.fixture
def running(api, admin):
    return announce(api.services, admin, State.IN_PROGRESS, affected=[AffectedInput("VMs")])


def test_a_manager_posts_an_update_and_everyone_who_sees_the_announcement_lists_it(api, running):
    posted = api.http("cloud").post(updates_of(running.uuid), json={"message": f"  {NEWS}  "})

    assert posted.status_code == 201
    body = posted.json()
    assert set(body) == {"uuid", "message", "created", "author"}
    assert body["message"] == NEWS and body["created"] == "2026-11-02T09:00:00Z"
    assert body["author"].startswith("token:")
    for role in ("read_only", "storage", "cloud", "admin"):
        listed = api.http(role).get(updates_of(running.uuid))
        assert listed.status_code == 200 and listed.json() == [body], role
        assert listed.headers["X-Result-Count"] == "1"
    assert api.http(None).get(public_updates_of(running.uuid)).json() == [body]


def test_updates_are_listed_oldest_first(api, running, clock):
    for minutes, text in ((0, "Drained"), (10, "Upgraded"), (20, "Back in service")):
        clock.set(NOW + timedelta(minutes=minutes))
        assert api.http("cloud").post(updates_of(running.uuid), json={"message": text}).status_code == 201

    listed = api.http("read_only").get(updates_of(running.uuid)).json()

    assert [item["message"] for item in listed] == ["Drained", "Upgraded", "Back in service"]
    assert [item["created"] for item in listed] == ["2026-11-02T09:00:00Z", "2026-11-02T09:10:00Z",
                                                    "2026-11-02T09:20:00Z"]


@pytest.mark.parametrize(("role", "status"), [("storage", 403), ("read_only", 403), (None, 401), ("bad", 401)])
def test_only_its_managers_post(api, running, role, status):
    answer = api.http(role).post(updates_of(running.uuid), json={"message": NEWS})

    assert answer.status_code == status
    assert "detail" in answer.json()
    assert api.http("admin").get(updates_of(running.uuid)).json() == []


@pytest.mark.parametrize("state", [State.DRAFT, State.COMPLETED, State.CANCELLED])
def test_posting_outside_scheduled_and_in_progress_is_a_conflict_naming_the_valid_states(api, admin, state):
    announcement = announce(api.services, admin, state)

    answer = api.http("cloud").post(updates_of(announcement.uuid), json={"message": NEWS})

    assert answer.status_code == 409
    assert answer.json() == {"detail": "Valid states for operation: Scheduled, In progress."}


@pytest.mark.parametrize(("body", "said"), [
    ({}, "This field is required."),
    ({"message": 5}, "Not a valid string."),
    ({"message": None}, "This field may not be null."),
    ({"message": ""}, "Write what has happened"),
    ({"message": " \n\t "}, "Write what has happened"),
    ({"message": "x" * (UPDATE_MAX + 1)}, "An update is at most 3,000 characters; this one has 3,001."),
])
def test_a_bad_body_is_a_400_beside_message_and_posts_nothing(api, running, body, said):
    answer = api.http("cloud").post(updates_of(running.uuid), json=body)

    assert answer.status_code == 400
    assert said in answer.json()["message"][0]
    assert api.http("admin").get(updates_of(running.uuid)).json() == []


@pytest.mark.parametrize("body", [["message"], "message", 3])
def test_a_body_that_is_no_object_is_a_400(api, running, body):
    answer = api.http("cloud").post(updates_of(running.uuid), json=body)

    assert answer.status_code == 400 and answer.json() == {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    assert api.http("admin").get(updates_of(running.uuid)).json() == []


def test_a_body_that_is_not_json_is_a_400(api, running):
    answer = api.http("cloud").post(updates_of(running.uuid), content=b"{not json",
                                    headers={"Content-Type": "application/json"})

    assert answer.status_code == 400 and answer.json() == {"non_field_errors": ["JSON parse error."]}


def test_the_longest_update_allowed_is_posted_whole(api, running):
    answer = api.http("cloud").post(updates_of(running.uuid), json={"message": "y" * UPDATE_MAX})

    assert answer.status_code == 201 and len(answer.json()["message"]) == UPDATE_MAX


def test_unknown_or_malformed_ids_are_not_found(api, running):
    for path in ("/api/maintenance-announcements/0123456789abcdef0123456789abcdef/updates/",
                 "/api/maintenance-announcements/not-a-uuid/updates/"):
        assert api.http("admin").get(path).status_code == 404
        assert api.http("admin").post(path, json={"message": NEWS}).status_code == 404


def test_a_withdrawn_announcements_updates_are_seen_by_its_managers_only(api, running, admin):
    api.http("cloud").post(updates_of(running.uuid), json={"message": NEWS})
    scheduled = announce(api.services, admin, State.SCHEDULED)
    api.http("cloud").post(updates_of(scheduled.uuid), json={"message": "Spares delivered"})
    api.services.announcements.transition(admin, scheduled.uuid, Action.UNSCHEDULE)

    assert api.http("read_only").get(updates_of(scheduled.uuid)).status_code == 404
    assert api.http("storage").get(updates_of(scheduled.uuid)).status_code == 404
    assert api.http(None).get(public_updates_of(scheduled.uuid)).status_code == 404
    assert [u["message"] for u in api.http("cloud").get(updates_of(scheduled.uuid)).json()] == ["Spares delivered"]
    assert api.services.updates.published([running.uuid, scheduled.uuid]).keys() == {running.uuid}


def test_an_update_posted_over_http_reaches_the_cards_thread(api, running, dispatcher, standin):
    dispatcher.deliver_due()

    api.http("cloud").post(updates_of(running.uuid), json={"message": NEWS})
    dispatcher.deliver_due()

    card_ts = api.services.outbox.card(running.uuid, "CCLOUD0001")
    replies = [m for m in standin.thread("CCLOUD0001", card_ts) if NEWS in str(m.blocks)]
    assert len(replies) == 1 and "API token" in replies[0].text


# -- the public page -------------------------------------------------------------------------------


def test_the_status_page_shows_the_latest_published_update_escaped(api, running, admin, clock):
    api.http("cloud").post(updates_of(running.uuid), json={"message": "First pass done"})
    clock.set(NOW + timedelta(minutes=30))
    api.http("cloud").post(updates_of(running.uuid), json={"message": "<script>alert(1)</script> & nodes back"})

    html = api.http(None).get("/status").text

    assert "Latest update" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; nodes back" in html and "<script>alert(1)" not in html
    assert "First pass done" not in html  # only the latest
    assert '<time datetime="2026-11-02T09:30:00Z">' in html


def test_the_status_page_never_shows_a_withdrawn_announcements_update(api, admin):
    scheduled = announce(api.services, admin, State.SCHEDULED, name="Switch firmware")
    api.http("cloud").post(updates_of(scheduled.uuid), json={"message": "Spares delivered"})
    assert "Spares delivered" in api.http(None).get("/status").text

    api.services.announcements.transition(admin, scheduled.uuid, Action.UNSCHEDULE)

    html = api.http(None).get("/status").text
    assert "Spares delivered" not in html and "Switch firmware" not in html


def test_the_announcement_shows_its_latest_update_to_readers_of_the_api_domain_view(api, running, anyone):
    api.http("cloud").post(updates_of(running.uuid), json={"message": NEWS})

    seen = api.services.announcements.get(anyone, running.uuid)

    assert seen.latest_update is not None and seen.latest_update.message == NEWS
