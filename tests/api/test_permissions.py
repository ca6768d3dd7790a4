"""The permission matrix over HTTP, for every write and for reads of drafts and internal notes.

Callers: no token, a token nobody issued, a read-only token, the other provider's manager (Storage),
this provider's manager (Cloud) and an admin. The domain decides; the API only translates: 401 without
a valid token, 404 for what the caller may not see (drafts and cancelled announcements of providers
they do not manage, and all templates), 403 for what they may see but not change. A refused write
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import State
from tests.factories import announce

ROLES = ("none", "bad", "read_only", "storage", "cloud", "admin")
HIDDEN_FROM_OUTSIDERS = {State.DRAFT, State.CANCELLED}


def expected(success: int, *, outsiders_see_it: bool) -> dict[str, int]:
    outsider = 403 if outsiders_see_it else 404
    return {"none": 401, "bad": 401, "read_only": outsider, "storage": outsider, "cloud": success, "admin": success}


def http_for(api, role: str):
    return api.http(None if role == "none" else role)


def announcement_url(announcement) -> str:
    return f"/api/maintenance-announcements/{announcement.uuid.hex}/"


def full_body(api, world, **fields) -> dict:
    return {
        "name": "Replaced",
        "scheduled_start": "2026-11-10T10:00:00Z",
        "scheduled_end": "2026-11-10T11:00:00Z",
        "service_provider": f"{api.base_url}/api/marketplace-service-providers/{world['cloud'].uuid.hex}/",
    } | fields


def with_link(api, admin, world, announcement):
    offering = AffectedInput(world["offerings"]["VMs"].uuid)
    return api.services.announcements.add_affected(admin, announcement.uuid, offering)


def action(name: str) -> Callable:
    return lambda http, api, world, admin, a: http.post(announcement_url(a) + f"{name}/")


def link_url(announcement) -> str:
    return f"/api/maintenance-announcement-offerings/{announcement.affected[0].uuid.hex}/"


DRAFT_AND_PUBLISHED = (State.DRAFT, State.SCHEDULED)

# Each write: (states to try it in, success status, call(http, api, world, admin, announcement)).
WRITES: dict[str, tuple[tuple[State, ...], int, Callable]] = {
    "put": (DRAFT_AND_PUBLISHED, 200,
            lambda http, api, world, admin, a: http.put(announcement_url(a), json=full_body(api, world))),
    "patch": ((State.DRAFT, State.IN_PROGRESS), 200,
              lambda http, api, world, admin, a: http.patch(announcement_url(a), json={"internal_notes": "mine"})),
    "delete": ((State.DRAFT, State.COMPLETED, State.CANCELLED), 204,
               lambda http, api, world, admin, a: http.delete(announcement_url(a))),
    "schedule": ((State.DRAFT,), 200, action("schedule")),
    "unschedule": ((State.SCHEDULED,), 200, action("unschedule")),
    "start_maintenance": ((State.SCHEDULED,), 200, action("start_maintenance")),
    "complete_maintenance": ((State.IN_PROGRESS,), 200, action("complete_maintenance")),
    "cancel_maintenance": (DRAFT_AND_PUBLISHED, 200, action("cancel_maintenance")),
    "link_offering": (DRAFT_AND_PUBLISHED, 201, lambda http, api, world, admin, a: http.post(
        "/api/maintenance-announcement-offerings/",
        json={"maintenance": a.uuid.hex, "offering": world["offerings"]["Kubernetes"].uuid.hex, "impact_level": 4},
    )),
    "change_link": (DRAFT_AND_PUBLISHED, 200,
                    lambda http, api, world, admin, a: http.patch(link_url(a), json={"impact_level": 4})),
    "unlink_offering": (DRAFT_AND_PUBLISHED, 204, lambda http, api, world, admin, a: http.delete(link_url(a))),
}
LINKED = {"change_link", "unlink_offering"}


@pytest.mark.parametrize("operation", list(WRITES))
def test_write_matrix(api, world, admin, operation):
    states, success, call = WRITES[operation]
    seen, wanted = {}, {}
    def fresh(state):
        target = announce(api.services, admin, state)
        if operation in LINKED:
            with_link(api, admin, world, target)
        return api.services.announcements.get(admin, target.uuid)

    for state in states:
        refused = fresh(state)  # shared by the callers who must be refused: it must come through unchanged
        for role in ROLES:
            before = target = refused if role not in ("cloud", "admin") else fresh(state)
            status = call(http_for(api, role), api, world, admin, target).status_code
            seen[(state.label, role)] = status
            wanted[(state.label, role)] = expected(success, outsiders_see_it=state not in HIDDEN_FROM_OUTSIDERS)[role]
            if status >= 400:
                assert api.services.announcements.get(admin, target.uuid) == before, (operation, state, role)

    assert seen == wanted


def test_create_matrix(api, world):
    seen = {
        role: http_for(api, role).post("/api/maintenance-announcements/", json=full_body(api, world)).status_code
        for role in ROLES
    }

    assert seen == expected(201, outsiders_see_it=True)


def test_create_for_another_provider_says_why(api, world):
    response = api.http("storage").post("/api/maintenance-announcements/", json=full_body(api, world))

    assert response.json() == {
        "detail": "You do not have permission to manage maintenance announcements for this service provider."
    }


def test_moving_an_announcement_to_a_provider_one_does_not_manage_is_refused(api, world, admin):
    target = announce(api.services, admin)
    storage_link = f"{api.base_url}/api/marketplace-service-providers/{world['storage'].uuid.hex}/"

    response = api.http("cloud").patch(announcement_url(target), json={"service_provider": storage_link})

    assert response.status_code == 403


def test_missing_and_bad_tokens_are_401_with_a_detail(api):
    missing = api.http(None).get("/api/maintenance-announcements/")
    wrong_scheme = api.http(None).get("/api/maintenance-announcements/", headers={"Authorization": "Bearer abc"})
    bad = api.http("bad").get("/api/maintenance-announcements/")

    assert (missing.status_code, missing.json()) == (401, {"detail": "Authentication credentials were not provided."})
    assert missing.headers["WWW-Authenticate"] == "Token"
    assert wrong_scheme.status_code == 401
    assert (bad.status_code, bad.json()) == (401, {"detail": "Invalid token."})


def test_a_revoked_token_is_401(api, admin):
    http = api.http("admin")
    assert http.get("/api/maintenance-announcements/").status_code == 200
    token = next(token for token in api.services.tokens.list(admin) if token.name == "admin-ci")

    api.services.tokens.revoke(admin, token.uuid)

    assert http.get("/api/maintenance-announcements/").status_code == 401


@pytest.mark.parametrize("state", [State.DRAFT, State.CANCELLED, State.SCHEDULED, State.COMPLETED])
def test_reading_one_announcement_and_its_internal_notes(api, admin, state):
    target = announce(api.services, admin, state)
    seen = {}
    for role in ROLES:
        response = http_for(api, role).get(announcement_url(target))
        seen[role] = (response.status_code, response.json().get("internal_notes"))

    hidden = (404, None) if state in HIDDEN_FROM_OUTSIDERS else (200, None)
    assert seen == {
        "none": (401, None),
        "bad": (401, None),
        "read_only": hidden,
        "storage": hidden,
        "cloud": (200, "Runbook: wiki/kernel"),
        "admin": (200, "Runbook: wiki/kernel"),
    }


def test_lists_and_statistics_show_each_caller_what_they_may_see(api, admin):
    for state in State:
        announce(api.services, admin, state)
    seen = {}
    for role in ("read_only", "storage", "cloud", "admin"):
        http = http_for(api, role)
        listed = http.get("/api/maintenance-announcements/").json()
        stats = http.get("/api/maintenance-announcements/maintenance_stats/").json()
        seen[role] = (
            sorted(item["state"] for item in listed),
            any("internal_notes" in item for item in listed),
            stats["summary"]["total"],
        )

    published = (["Completed", "In progress", "Scheduled"], False, 3)
    everything = (["Cancelled", "Completed", "Draft", "In progress", "Scheduled"], True, 5)
    assert seen == {"read_only": published, "storage": published, "cloud": everything, "admin": everything}


def test_affected_offering_links_of_drafts_are_hidden_from_outsiders(api, admin, world):
    draft, scheduled = announce(api.services, admin), announce(api.services, admin, State.SCHEDULED)
    hidden, shown = with_link(api, admin, world, draft), with_link(api, admin, world, scheduled)

    for role, visible in (("read_only", {shown.uuid.hex}), ("cloud", {hidden.uuid.hex, shown.uuid.hex})):
        listed = http_for(api, role).get("/api/maintenance-announcement-offerings/").json()
        assert {item["uuid"] for item in listed} == visible, role
    assert api.http("read_only").get(f"/api/maintenance-announcement-offerings/{hidden.uuid.hex}/").status_code == 404


def template_body(api, world) -> dict:
    return {"name": "Kernel", "service_provider": f"/api/marketplace-service-providers/{world['cloud'].uuid.hex}/"}


def test_template_matrix(api, world, admin):
    def fresh():
        return api.services.templates.create(admin, {"name": "Kernel", "provider": world["cloud"].uuid})

    operations = {
        "create": (201, True, lambda http, t: http.post("/api/maintenance-announcements-template/",
                                                          json=template_body(api, world))),
        "read": (200, False, lambda http, t: http.get(f"/api/maintenance-announcements-template/{t.uuid.hex}/")),
        "patch": (200, False, lambda http, t: http.patch(f"/api/maintenance-announcements-template/{t.uuid.hex}/",
                                                           json={"message": "m"})),
        "delete": (204, False, lambda http, t: http.delete(f"/api/maintenance-announcements-template/{t.uuid.hex}/")),
        "add_offering": (201, False, lambda http, t: http.post(
            "/api/maintenance-announcement-template-offerings/",
            json={"maintenance_template": t.uuid.hex, "offering": world["offerings"]["VMs"].uuid.hex},
        )),
    }
    seen, wanted = {}, {}
    for name, (success, outsiders_see_it, call) in operations.items():
        for role in ROLES:
            seen[(name, role)] = call(http_for(api, role), fresh()).status_code
            wanted[(name, role)] = expected(success, outsiders_see_it=outsiders_see_it)[role]

    assert seen == wanted
