"""The public page in a real browser: Debian's headless Chromium, driven by Playwright, on pages the real app
serves over loopback.

A reader's view: the text in the DOM after the page's script ran, times in the reader's own zone and language
(two different ones), UTC text when script is off, no console error, no request leaving loopback, a layout that
fits 375 px, and screenshots at 1280 and 375 px (in the test's tmp dir, for a person to look at).

Chromium comes from the distribution (`apt-get install chromium`; `.ci/run` installs it when missing): these
tests never download a browser. Without it they are skipped locally, and fail under CI (`CI` or
`MAINTBOT_REQUIRE_BROWSER` set; `.ci/run` sets the latter).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, State
from tests.factories import announce

CHROMIUM = os.environ.get("MAINTBOT_CHROMIUM", "/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium for the module's tests."""
    if not shutil.which(CHROMIUM):
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") or os.environ.get("MAINTBOT_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Reader:
    """One browser context (a reader's zone, language, screen width) that records what a person would notice
    going wrong: console errors, script errors, and any request to somewhere other than loopback (refused)."""

    def __init__(self, browser, **options) -> None:
        self.context = browser.new_context(**options)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context.route("**/*", self._only_loopback)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _only_loopback(self, route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, url: str):
        self.page.goto(url, wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def readers(browser) -> Iterator:
    opened: list[Reader] = []

    def make(**options) -> Reader:
        opened.append(Reader(browser, **options))
        return opened[-1]

    yield make
    for reader in opened:
        reader.close()


@pytest.fixture
def board(api, admin, world, clock):
    """A page with something in each section, one of them hostile, one starting tomorrow at 09:00 UTC."""
    services = api.services
    tomorrow = clock.now() + timedelta(days=1)
    upcoming = announce(services, admin, State.SCHEDULED, name="Switch firmware upgrade",
                        scheduled_start=tomorrow, scheduled_end=tomorrow + timedelta(hours=2),
                        external_reference_url="https://status.example.org/switch",
                        affected=[AffectedInput(world["offerings"]["VMs"].uuid, int(Impact.PARTIAL), "Short drops")])
    announce(services, admin, State.IN_PROGRESS, name='Kernel <script>alert("x")</script> upgrade')
    announce(services, admin, State.COMPLETED, name="Certificate rotation", provider="Storage")
    return upcoming


@pytest.mark.parametrize("zone, locale, clock_text", [
    ("Asia/Tokyo", "ja-JP", "18:00"),
    ("America/New_York", "en-US", "04:00 AM"),
])
def test_a_reader_sees_the_page_in_their_own_time_zone_and_language(api, board, readers, zone, locale, clock_text):
    reader = readers(timezone_id=zone, locale=locale, viewport={"width": 1280, "height": 900})

    page = reader.open(f"{api.base_url}/status")

    item = page.locator(f"[id='{board.uuid.hex}']")
    start = item.locator("time").first
    assert start.get_attribute("datetime") == "2026-11-03T09:00:00Z"
    local = board.scheduled_start.astimezone(ZoneInfo(zone))
    assert clock_text in start.inner_text() and str(local.day) in start.inner_text()
    assert start.get_attribute("title") == "Tue 3 Nov 2026, 09:00 UTC"  # the UTC text stays as the tooltip
    assert page.locator("#zone").inner_text() == f"Times are in your time zone ({zone})."
    assert "Partial outage" in item.text_content() and "Short drops" in item.inner_text()
    assert 'Kernel <script>alert("x")</script> upgrade' in page.locator("#now ~ ol").inner_text()
    assert page.locator("script").count() == 1  # the page's own file; the name's script is text
    assert reader.errors == [] and reader.outside == []


def test_without_script_times_read_in_utc(api, board, readers):
    reader = readers(java_script_enabled=False, timezone_id="Asia/Tokyo")

    page = reader.open(f"{api.base_url}/status")

    start = page.locator(f"[id='{board.uuid.hex}'] time").first
    assert start.inner_text() == "Tue 3 Nov 2026, 09:00 UTC"
    assert page.locator("#zone").inner_text() == "Times are in UTC."


def test_the_page_fits_a_phone_and_a_desktop(api, board, readers, tmp_path):
    for width in (1280, 375):
        reader = readers(viewport={"width": width, "height": 900}, timezone_id="Europe/Tallinn", locale="en-GB")
        page = reader.open(f"{api.base_url}/status/cloud#{board.uuid.hex}")

        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sideways
        assert page.locator(f"[id='{board.uuid.hex}']").is_visible()  # a Slack card's link lands on its item
        assert page.locator("h1").inner_text() == "Maintenance: Cloud"
        shot = tmp_path / f"status-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert reader.errors == [] and reader.outside == []


def test_a_request_to_elsewhere_would_be_seen(api, board, readers):
    """The guard itself: a request off loopback is refused and recorded, so the tests above would notice one."""
    from playwright.sync_api import Error

    reader = readers()
    page = reader.open(f"{api.base_url}/status")

    with pytest.raises(Error):
        page.goto("http://example.org/")

    assert reader.outside == ["http://example.org/"]
