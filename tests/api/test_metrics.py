"""`GET /metrics` as an operator's Prometheus sees it: who may read it, and the API's figures moving."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.web import create_app
from tests.factories import announce
from tests.helpers import loopback

TOKEN = "s3cret-metrics-token"


def figures(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict, name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    for *_rest, address in infos:
        if not address[0].startswith("127."):
            return address[0]
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_a_scrape_over_loopback_shows_the_api_requests_and_transitions(api, services, admin):
    draft = announce(services, admin)
    http = api.http()
    assert http.get("/api/maintenance-announcements/").status_code == 200
    assert http.post(f"/api/maintenance-announcements/{draft.uuid.hex}/schedule/").status_code == 200
    assert http.post(f"/api/maintenance-announcements/{draft.uuid.hex}/schedule/").status_code == 409
    assert api.http(role="bad").get("/api/maintenance-announcements/").status_code == 401

    answer = httpx.get(api.base_url + "/metrics")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    scrape = figures(answer.text)
    assert value(scrape, "maintbot_requests_total", interface="api", outcome="ok") == 2
    assert value(scrape, "maintbot_requests_total", interface="api", outcome="refused") == 2
    assert value(scrape, "maintbot_transitions_total", action="schedule", interface="api") == 1
    # Publishing queued notices that nothing delivered (no Slack here): the backlog says so, from the database.
    assert value(scrape, "maintbot_outbox_due") >= 1
    assert ("maintbot_outbox_oldest_due_seconds", ()) in scrape


def test_each_app_counts_only_its_own_requests(api):
    api.http().get("/api/maintenance-announcements/")
    scrape = figures(httpx.get(api.base_url + "/metrics").text)
    assert value(scrape, "maintbot_requests_total", interface="api", outcome="ok") == 1


def test_with_a_token_set_only_the_bearer_may_read(live_server, services):
    plug, base_url = live_server
    plug.app = create_app(services, Settings(base_url=base_url, metrics_token=TOKEN, _env_file=None))
    try:
        assert httpx.get(base_url + "/metrics").status_code == 404
        assert httpx.get(base_url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        allowed = httpx.get(base_url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
        assert "maintbot_requests_total" in allowed.text
    finally:
        plug.app = None


def test_from_a_non_loopback_bind_it_is_not_found_without_the_token(services):
    host = non_loopback_address()
    if host is None:
        pytest.skip("this machine has no address but loopback")
    open_app = create_app(services, Settings(_env_file=None))
    with loopback(open_app, host) as url:
        refused = httpx.get(url + "/metrics")
        assert refused.status_code == 404
        assert refused.json() == httpx.get(url + "/no-such-path").json()  # the same as any unknown path

    guarded = create_app(services, Settings(metrics_token=TOKEN, _env_file=None))
    with loopback(guarded, host) as url:
        assert httpx.get(url + "/metrics").status_code == 404
        assert httpx.get(url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_a_scrape_takes_no_turn_behind_api_work(live_server, services):
    """With no turn free for API work, API requests are told 503 busy while a scrape answers at once."""
    plug, base_url = live_server
    app = create_app(services, Settings(base_url=base_url, query_timeout=0.5, _env_file=None))
    app.state.turns.limit = 0  # every turn taken (the semaphore is made on the first request)
    plug.app = app
    try:
        assert httpx.get(base_url + "/api/maintenance-announcements/").status_code == 503
        answer = httpx.get(base_url + "/metrics")
        assert answer.status_code == 200  # not 503: a scrape waits for no turn
        scrape = figures(answer.text)
        assert value(scrape, "maintbot_requests_total", interface="api", outcome="error") == 1
    finally:
        plug.app = None


def test_the_alerts_in_the_readme_name_figures_a_scrape_has(api):
    """The Operating section's PromQL reads figures that exist (a renamed one would never fire)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Operating", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"\b(maintbot_[a-z_]+)", section))
    scrape = httpx.get(api.base_url + "/metrics").text
    exposed = {family.name for family in text_string_to_metric_families(scrape)}
    exposed |= {f"{name}_total" for name in exposed} | {f"{name}_{part}" for name in exposed
                                                          for part in ("bucket", "count", "sum")}
    assert named and named <= exposed, named - exposed
