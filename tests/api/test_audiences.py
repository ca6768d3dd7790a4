"""Who may speak to whose audience, over HTTP: a provider's token marks its own offerings only; the offering's
calendar feed holds every provider's work on it.
"""

from __future__ import annotations

import icalendar

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action
from tests.api.helpers import create, offering_link, published

PHISHING = "https://core-routers.example.net/login"
REFUSAL = ("Marking Storage/Backup as affected needs an admin or a manager of Storage: "
           "its subscribers would be told.")


def mark(api, role: str, announcement, offering):
    return api.http(role).post("/api/maintenance-announcement-offerings/",
                               json={"maintenance": announcement.url, "offering": offering_link(api, offering)})


def test_a_provider_token_cannot_send_its_announcement_to_another_providers_offering(api, world, admin):
    """The review's reproduction: Cloud's token marks Storage's offering, with a phishing link, and publishes."""
    api.services.subscriptions.subscribe(admin, "CBACKUPS01", "Storage/Backup")
    lure = create(api, world["cloud"], "cloud", name="Backup credentials expire", external_reference_url=PHISHING)

    response = mark(api, "cloud", lure, world["offerings"]["Backup"])
    api.services.announcements.transition(admin, lure.uuid, Action.SCHEDULE)

    assert (response.status_code, response.json()) == (403, {"detail": REFUSAL})
    assert api.services.announcements.get(admin, lure.uuid).affected == ()
    assert "CBACKUPS01" not in api.services.subscriptions.channels_for(lure.uuid)


def test_admins_may_mark_any_providers_offering_and_the_provider_token_its_own(api, world):
    announcement = create(api, world["cloud"], "cloud")

    own = mark(api, "cloud", announcement, world["offerings"]["VMs"])
    other = mark(api, "admin", announcement, world["offerings"]["Backup"])

    assert (own.status_code, other.status_code) == (201, 201)


def test_a_template_may_not_name_another_providers_offering(api, world, admin):
    template = api.services.templates.create(admin, {"name": "Kernel", "provider": world["cloud"].uuid})

    response = api.http("cloud").post("/api/maintenance-announcement-template-offerings/", json={
        "maintenance_template": template.uuid.hex, "offering": world["offerings"]["Backup"].uuid.hex})

    assert (response.status_code, response.json()) == (403, {"detail": REFUSAL})
    assert api.services.templates.get(admin, template.uuid).offerings == ()


def test_the_offering_feed_holds_other_providers_work_on_the_offering(api, world, admin):
    backup = world["offerings"]["Backup"]
    own = published(api, world["storage"], name="Backup software upgrade")
    power = published(api, world["cloud"], name="Rack power work")
    published(api, world["cloud"], name="Unrelated")
    for announcement in (own, power):
        api.services.announcements.add_affected(admin, announcement.uuid, AffectedInput(backup.uuid))

    response = api.http(None).get(f"/api/marketplace-provider-offerings/{backup.uuid.hex}/maintenance-calendar.ics")

    summaries = sorted(str(event["SUMMARY"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
    assert summaries == ["[Cloud] Rack power work", "[Storage] Backup software upgrade"]
