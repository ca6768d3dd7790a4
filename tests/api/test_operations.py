"""What operators rely on: links that no Host header can rewrite, and the health probes.

- With MAINTBOT_BASE_URL set, every absolute link — JSON `url` and hyperlink fields, `Link` pagination
  headers, calendar `URL:` lines — is built on it, whatever Host the request names.
- Without it, links follow the request, and every answer says `Vary: Host`, so no cache hands one host's
  links to another.
- `/healthz` answers without touching anything; `/readyz` asks the database (503 when it does not answer)
  and reports Slack's state. Neither needs a token.
"""

from __future__ import annotations

import icalendar
import pytest
from waldur_api_client.utils import parse_link_header

from bot.config import Settings
from bot.domain.announcements import AffectedInput
from bot.domain.clock import ManualClock
from bot.domain.service import build_services
from bot.web import create_app
from storage.db import Database
from tests.api.helpers import published
from tests.conftest import NOW

CONFIGURED = "https://maint.example.org"
EVIL = "evil.example"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1


@pytest.fixture
def serve(live_server, api):
    """Serve this test's services with `settings` instead of the default ones."""
    plug, _ = live_server

    def with_settings(settings: Settings, services=None) -> None:
        plug.app = create_app(services or api.services, settings)

    return with_settings


@pytest.fixture
def catalogue(api, world, admin):
    """Three published announcements (so lists have pages), one of them affecting VMs."""
    made = [published(api, world["cloud"], name=f"Kernel upgrade {n}") for n in range(3)]
    vms = world["offerings"]["VMs"]
    link = api.services.announcements.add_affected(admin, made[0].uuid, AffectedInput(vms.uuid))
    return {"announcement": made[0], "link": link}


def every_link(api, role, path: str, host: str | None) -> list[str]:
    """The absolute links in one answer: body `url`-like fields, the Link header, calendar URL lines."""
    headers = {"Host": host} if host else {}
    response = api.http(role).get(path, headers=headers)
    assert response.status_code == 200, (path, response.text[:300])
    found = [url for url in parse_link_header(response.headers.get("Link", "")).values()]
    if response.headers["content-type"].startswith("text/calendar"):
        return found + [str(event["URL"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    body = response.json()
    for item in body if isinstance(body, list) else [body]:
        found += [value for key, value in item.items() if isinstance(value, str) and value.startswith("http")]
        for nested in item.get("affected_offerings") or []:
            found += [value for value in nested.values() if isinstance(value, str) and value.startswith("http")]
    return found


def answers_with_links(catalogue, world) -> list[tuple[str | None, str]]:
    announcement, vms = catalogue["announcement"], world["offerings"]["VMs"]
    return [
        ("admin", "/api/maintenance-announcements/?page_size=1&page=2&o=name"),
        ("admin", f"/api/maintenance-announcements/{announcement.uuid.hex}/"),
        ("admin", "/api/maintenance-announcement-offerings/"),
        ("admin", f"/api/maintenance-announcement-offerings/{catalogue['link'].uuid.hex}/"),
        (None, "/api/public-maintenance-announcements/?page_size=2"),
        (None, f"/api/public-maintenance-announcements/{announcement.uuid.hex}/"),
        ("admin", "/api/marketplace-service-providers/"),
        ("admin", "/api/marketplace-provider-offerings/"),
        (None, "/api/maintenance-calendar.ics"),
        (None, f"/api/marketplace-service-providers/{world['cloud'].uuid.hex}/maintenance-calendar.ics"),
        (None, f"/api/marketplace-provider-offerings/{vms.uuid.hex}/maintenance-calendar.ics"),
    ]


# -- links ----------------------------------------------------------------------------------------


def test_with_a_base_url_no_host_header_decides_a_link(api, world, catalogue, serve):
    serve(Settings(base_url=CONFIGURED + "/", _env_file=None))

    for role, path in answers_with_links(catalogue, world):
        for host in (None, EVIL):
            links = every_link(api, role, path, host)
            assert links, path
            assert all(link.startswith(CONFIGURED + "/api/") for link in links), (path, host, links)


def test_with_a_base_url_the_link_header_keeps_the_query_on_the_configured_host(api, world, catalogue, serve):
    serve(Settings(base_url=CONFIGURED, _env_file=None))

    response = api.http().get("/api/maintenance-announcements/?page_size=1&o=name&state=Scheduled",
                              headers={"Host": EVIL})

    assert parse_link_header(response.headers["Link"])["next"] == (
        f"{CONFIGURED}/api/maintenance-announcements/?page_size=1&o=name&state=Scheduled&page=2")
    assert "Host" not in response.headers.get("Vary", "")


def test_without_a_base_url_links_follow_the_request_and_answers_vary_by_host(api, world, catalogue, serve):
    serve(Settings(_env_file=None))

    for role, path in answers_with_links(catalogue, world):
        response = api.http(role).get(path, headers={"Host": EVIL})
        assert "Host" in [part.strip() for part in response.headers["Vary"].split(",")], path
    assert all(link.startswith(f"http://{EVIL}/api/") for link in every_link(api, None, "/api/maintenance-calendar.ics",
                                                                              EVIL))
    feed = api.http(None).get("/api/maintenance-calendar.ics", headers={"Host": EVIL})
    assert feed.headers["Cache-Control"] == "max-age=300" and "Host" in feed.headers["Vary"]


# -- probes ---------------------------------------------------------------------------------------


def test_healthz_answers_without_a_token_and_without_the_database(api, serve):
    serve(Settings(_env_file=None), build_services(Database(UNREACHABLE), ManualClock(NOW)))

    response = api.http(None).get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_when_the_database_answers_and_names_both(api, world):
    response = api.http(None).get("/readyz")

    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["database"]["status"] == "ok" and body["database"]["dialect"] == api.services.context.db.dialect
    assert body["slack"] == {"status": "off"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_database_does_not_answer(api, serve):
    serve(Settings(_env_file=None), build_services(Database(UNREACHABLE), ManualClock(NOW)))

    response = api.http(None).get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": {"status": "unavailable",
                                                                  "detail": "OperationalError"},
                               "slack": {"status": "off"}}


def test_readyz_reports_slack_as_the_running_bot_sees_it_and_stays_ready_without_it(api, live_server):
    plug, _ = live_server
    plug.app.state.slack_status = lambda: {"status": "unreachable", "detail": "URLError: Connection refused"}

    response = api.http(None).get("/readyz")

    assert response.status_code == 200
    assert response.json()["slack"] == {"status": "unreachable", "detail": "URLError: Connection refused"}
