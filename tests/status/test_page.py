"""The public maintenance page over HTTP, as a reader without a token gets it (both backends).

What the page shows, in which section, and what it never shows (drafts, internal notes, text typed after a
withdrawal); hostile names arrive as text; unknown places are 404; the headers that keep it safe and cheap.
The browser's view of the same page is tests/status/test_browser.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import httpx
from sqlalchemy import update

from bot.config import Settings
from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, Impact, State
from bot.domain.status import SECTION_LIMIT
from bot.limits import RateLimit
from bot.web import create_app
from storage.models import Announcement
from tests.factories import announce


def section(html: str, heading: str) -> str:
    """The HTML of the page's section under the heading `heading` (up to the next section)."""
    start = html.index(f">{heading} <span")
    end = html.find('<section class="section"', start)
    return html[start:end if end != -1 else None]


def window(clock, days: float) -> dict:
    start = clock.now() + timedelta(days=days)
    return {"scheduled_start": start, "scheduled_end": start + timedelta(hours=1)}


def reader(api):
    return api.http(None)


def test_each_section_shows_what_a_reader_should_see(api, admin, world, clock):
    running = announce(api.services, admin, State.IN_PROGRESS, name="Hypervisor reboot")
    soon = announce(api.services, admin, State.SCHEDULED, name="Switch firmware", **window(clock, days=1))
    later = announce(api.services, admin, State.SCHEDULED, name="Storage expansion", **window(clock, days=3))
    done = announce(api.services, admin, State.COMPLETED, name="Certificate rotation")
    api.services.announcements.add_affected(admin, soon.uuid, AffectedInput(world["offerings"]["VMs"].uuid,
                                                                          int(Impact.FULL), "VMs are off"))

    html = reader(api).get("/status").text

    assert running.name in section(html, "In progress now")
    upcoming = section(html, "Upcoming")
    assert upcoming.index(soon.name) < upcoming.index(later.name)  # soonest first
    assert "Full outage" in upcoming and "VMs are off" in upcoming  # impact in words, not only colour
    assert done.name in section(html, "Recent past")
    assert f'id="{soon.uuid.hex}"' in html  # Slack cards link to this anchor
    assert "Scheduled maintenance" in upcoming


def test_drafts_notes_and_text_typed_after_a_withdrawal_never_appear(api, admin):
    announce(api.services, admin, State.DRAFT, name="Secret draft plan")
    withdrawn = announce(api.services, admin, State.SCHEDULED, name="Published wording",
                         internal_notes="Runbook: call Bob at home")
    api.services.announcements.transition(admin, withdrawn.uuid, Action.UNSCHEDULE)
    api.services.announcements.update(admin, withdrawn.uuid, {"name": "Typed after withdrawal",
                                                               "message": "Unpublished reasoning"})
    api.services.announcements.transition(admin, withdrawn.uuid, Action.CANCEL)
    announce(api.services, admin, State.CANCELLED, name="Cancelled while a draft")

    answers = [reader(api).get(path).text for path in ("/status", "/status/cloud", "/status/feed.atom",
                                                       "/status/cloud/feed.atom")]

    for text in answers:
        for secret in ("Secret draft plan", "Typed after withdrawal", "Unpublished reasoning", "call Bob",
                       "Cancelled while a draft"):
            assert secret not in text
    assert "Published wording" in section(answers[0], "Recent past")  # cancelled after publication, as published
    assert "Cancelled" in section(answers[0], "Recent past")


def test_a_cancelled_announcement_stays_where_it_was_published(api, admin):
    moved = announce(api.services, admin, State.SCHEDULED, name="Cloud window")
    api.services.announcements.transition(admin, moved.uuid, Action.UNSCHEDULE)
    api.services.announcements.update(admin, moved.uuid, {"provider": "Storage", "name": "Moved in draft"})
    api.services.announcements.transition(admin, moved.uuid, Action.CANCEL)

    cloud, storage = (reader(api).get(path).text for path in ("/status/cloud", "/status/storage"))

    assert "Cloud window" in section(cloud, "Recent past")
    assert "Cloud window" not in storage and "Moved in draft" not in storage + cloud


def test_hostile_names_are_shown_as_text(api, admin, world):
    hostile = '<script>alert("name")</script><img src=x onerror=alert(1)>'
    provider = api.services.catalog.add_provider(admin, '<b onmouseover="x()">Evil & Co</b>', "CEVIL00001")
    api.services.catalog.add_offering(admin, "<svg onload=alert(2)>", provider.name)
    announce(api.services, admin, State.SCHEDULED, name=hostile, message="</p><script>bad()</script>",
             provider=provider.name, external_reference_url="https://example.org/?a=1&b=\"x\"",
             affected=[AffectedInput("<svg onload=alert(2)>", int(Impact.PARTIAL), "<i>desc</i>")])

    for path in ("/status", f"/status/{provider.uuid.hex}", f"/status/{provider.uuid.hex}/feed.atom"):
        text = reader(api).get(path).text
        assert "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text
        assert "<b onmouseover" not in text and "<i>desc" not in text and "<script>bad" not in text
    html = reader(api).get("/status").text
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    assert 'href="https://example.org/?a=1&amp;b=&#34;x&#34;"' in html
    ET.fromstring(reader(api).get("/status/feed.atom").content)  # the feed stays well-formed XML


def test_a_reference_that_is_not_a_web_link_is_not_a_link(api, admin, services):
    view = announce(api.services, admin, State.SCHEDULED, name="Old link")
    with services.context.db.transaction() as written:  # a link stored before links were checked
        written.session.execute(update(Announcement).where(Announcement.uuid == view.uuid)
                                .values(external_reference_url="javascript:alert(1)"))
        written.commit()

    html = reader(api).get("/status").text

    assert 'href="javascript:' not in html and "Reference: javascript:alert(1)" in html


def test_providers_and_offerings_by_slug_or_uuid(api, admin, world):
    vms, backup = world["offerings"]["VMs"], world["offerings"]["Backup"]
    cloud_work = announce(api.services, admin, State.SCHEDULED, name="Cloud work",
                          affected=[AffectedInput(vms.uuid)])
    storage_work = announce(api.services, admin, State.SCHEDULED, name="Storage work", provider="Storage",
                            affected=[AffectedInput(backup.uuid)])

    by_slug = reader(api).get("/status/cloud").text
    by_uuid = reader(api).get(f"/status/{world['cloud'].uuid}").text
    offering = reader(api).get(f"/status/storage/{backup.uuid.hex}").text

    for html in (by_slug, by_uuid):
        assert cloud_work.name in html and storage_work.name not in html
        assert "Maintenance: Cloud" in html
    assert storage_work.name in offering and cloud_work.name not in offering
    assert reader(api).get("/status/storage/backup").text == offering
    assert f"/api/marketplace-provider-offerings/{backup.uuid.hex}/maintenance-calendar.ics" in offering
    assert f"/api/marketplace-service-providers/{world['cloud'].uuid.hex}/maintenance-calendar.ics" in by_slug


def test_names_without_a_slug_or_sharing_one_are_linked_by_uuid(api, admin, world):
    cyrillic = api.services.catalog.add_provider(admin, "Облако", "CCYRIL0001")
    first = api.services.catalog.add_provider(admin, "Net Ops", "CNETOPS001")
    second = api.services.catalog.add_provider(admin, "Net-Ops", "CNETOPS002")

    html = reader(api).get("/status").text

    for provider in (cyrillic, first, second):
        assert f'href="/status/{provider.uuid.hex}"' in html
        assert reader(api).get(f"/status/{provider.uuid.hex}").status_code == 200
    assert 'href="/status/cloud"' in html
    assert reader(api).get("/status/net-ops").status_code == 404  # names neither


def test_the_atom_feed_lists_what_the_page_shows(api, admin, world):
    shown = announce(api.services, admin, State.SCHEDULED, name="Feed item")
    announce(api.services, admin, State.SCHEDULED, name="Storage item", provider="Storage")

    answer = reader(api).get("/status/cloud/feed.atom")

    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert [entry.find(f"{atom}title").text for entry in entries] == ["[Scheduled] Feed item (Cloud)"]
    link = entries[0].find(f"{atom}link").get("href")
    assert link == f"{api.base_url}/status/cloud#{shown.uuid.hex}"
    assert entries[0].find(f"{atom}id").text == f"urn:uuid:{shown.uuid}"


def test_unknown_provider_or_offering_is_404_with_a_way_back(api, world):
    for path in ("/status/nobody", "/status/cloud/nothing", "/status/cloud/backup", "/status/%00",
                 f"/status/{'0' * 32}", "/status/nobody/feed.atom"):
        answer = reader(api).get(path)
        assert answer.status_code == 404, path
    missing = reader(api).get("/status/nobody")
    assert "There is no service provider &#39;nobody&#39;" in missing.text
    assert 'href="/status"' in missing.text


def test_headers_forbid_inline_script_and_let_many_readers_poll(api, admin):
    announce(api.services, admin, State.SCHEDULED)

    first = reader(api).get("/status")

    policy = first.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in first.text and "<script src=" in first.text  # the page's own script is a file
    assert first.headers["cache-control"] == "public, max-age=30"
    again = reader(api).get("/status", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    script = reader(api).get(first.text.split('<script src="')[1].split('"')[0])
    assert script.status_code == 200 and "immutable" in script.headers["cache-control"]


def test_a_change_makes_a_new_etag(api, admin):
    first = reader(api).get("/status")
    announce(api.services, admin, State.SCHEDULED, name="New work")

    again = reader(api).get("/status", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 200 and "New work" in again.text


def test_each_section_is_capped_and_says_how_many_more(api, admin, clock):
    for number in range(SECTION_LIMIT + 3):
        announce(api.services, admin, State.SCHEDULED, name=f"Window {number:03}",
                 scheduled_start=clock.now() + timedelta(hours=number + 1),
                 scheduled_end=clock.now() + timedelta(hours=number + 2))

    upcoming = section(reader(api).get("/status").text, "Upcoming")

    assert upcoming.count('class="item ') == SECTION_LIMIT
    assert "…and 3 more" in upcoming and f">{SECTION_LIMIT + 3}</span>" in upcoming


def test_recent_past_reaches_back_14_days(api, admin, clock):
    announce(api.services, admin, State.COMPLETED, name="Old work")
    clock.advance(timedelta(days=16))
    announce(api.services, admin, State.COMPLETED, name="Fresh work")

    recent = section(reader(api).get("/status").text, "Recent past")

    assert "Fresh work" in recent and "Old work" not in recent


def test_the_page_takes_from_the_anonymous_rate(live_server, services, world):
    plug, base_url = live_server
    plug.app = create_app(services, Settings(base_url=base_url, public_rate=1, public_burst=2, _env_file=None))
    try:
        with httpx.Client(base_url=base_url) as client:
            answers = [client.get("/status").status_code for _ in range(3)]
            assert client.get("/static/status/status.css").status_code == 200  # files cost nothing: no limit
    finally:
        plug.app = None

    assert answers == [200, 200, 429]
    assert RateLimit  # the limit is bot/limits.py's, shared with the public list and the feeds
