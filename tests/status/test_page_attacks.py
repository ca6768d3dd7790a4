"""What an outside attack on the public page found, each held now (both backends).

A page polled by many readers is only cheap if an unchanged page keeps its ETag while the clock moves; a
provider named like another's uuid must not take over its address; `If-None-Match: *` is a match; the
anonymous rate limit forgets addresses that asked once, however many there are.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from bot.config import Settings
from bot.domain.enums import State
from bot.limits import MAX_CLIENTS, RateLimit
from bot.web import create_app
from tests.factories import announce


def reader(api):
    return api.http(None)


def test_an_unchanged_page_keeps_its_etag_while_time_passes(api, admin, clock):
    announce(api.services, admin, State.SCHEDULED, name="Switch firmware",
             scheduled_start=clock.now() + timedelta(days=2), scheduled_end=clock.now() + timedelta(days=2, hours=1))
    first = reader(api).get("/status")
    clock.advance(timedelta(minutes=7))

    again = reader(api).get("/status", headers={"If-None-Match": first.headers["etag"]})
    anything = reader(api).get("/status", headers={"If-None-Match": "*"})

    assert again.status_code == 304 and again.content == b""
    assert anything.status_code == 304
    assert "Last changed" in first.text


def test_a_provider_named_like_another_providers_uuid_does_not_take_its_address(api, admin, world):
    cloud = world["cloud"]
    announce(api.services, admin, State.SCHEDULED, name="Cloud work")
    impostor = api.services.catalog.add_provider(admin, cloud.uuid.hex, "CIMPOSTOR1")

    html = reader(api).get("/status").text
    by_uuid = reader(api).get(f"/status/{cloud.uuid.hex}").text

    assert "Maintenance: Cloud" in by_uuid and "Cloud work" in by_uuid
    assert f'href="/status/{impostor.uuid.hex}"' in html  # the impostor is linked by its own uuid
    assert "Cloud work" not in reader(api).get(f"/status/{impostor.uuid.hex}").text


def test_the_rate_limit_forgets_addresses_that_asked_once():
    limit = RateLimit(None, per_minute=60, burst=5, clock=lambda: 0.0)
    now = [0.0]
    limit.clock = lambda: now[0]

    for number in range(3 * MAX_CLIENTS):
        now[0] += 0.01
        assert limit.take(f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}") == 0.0

    assert len(limit._buckets) <= MAX_CLIENTS + 1


def test_a_redirect_points_into_the_base_url_whatever_host_the_request_named(live_server, services, world):
    plug, base_url = live_server
    plug.app = create_app(services, Settings(base_url="https://maint.example.org", _env_file=None))
    try:
        with httpx.Client(base_url=base_url, headers={"Host": "evil.example"}) as client:
            page = client.get("/status/")
            api = client.get("/api/public-maintenance-announcements", params={"page_size": 5})
    finally:
        plug.app = None

    assert page.status_code == 307 and page.headers["location"] == "https://maint.example.org/status"
    assert api.status_code == 307
    assert api.headers["location"] == "https://maint.example.org/api/public-maintenance-announcements/?page_size=5"
