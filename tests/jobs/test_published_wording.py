"""Only published wording reaches channels, however late a card is rendered.

A manager withdraws an announcement and types confidential draft text into it. Whatever reaches the
channel afterwards — a card rendered from a backlog, after a Slack outage, or refreshed by a stale
button — shows the wording that was published, never the draft's.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.domain.enums import Action, State
from tests.factories import announce

CHANNEL, SUBSCRIBED = "CCLOUD0001", "CSUBSCRIB1"
SECRET_NAME, SECRET_MESSAGE = "Project Nightjar migration", "Confidential: customer Acme moves first."


def everything_in(standin, channel: str | None = None) -> str:
    """Every version of every message anyone in the channel(s) could have seen."""
    with standin._lock:
        return json.dumps([[m.text, m.blocks, m.history] for m in standin.messages
                           if m.user is None and channel in (None, m.channel)], ensure_ascii=False)


@pytest.fixture
def published(services, world, cloud_manager, anyone):
    services.subscriptions.subscribe(anyone, SUBSCRIBED, "VMs")
    return announce(services, cloud_manager, State.SCHEDULED, name="Kernel upgrade",
                    message="Rolling reboot of the hypervisors.", affected=[{"offering": "VMs"}])


def draft_era_edit(services, manager, uuid) -> None:
    """Withdraw, then type confidential text into the draft."""
    services.announcements.transition(manager, uuid, Action.UNSCHEDULE)
    services.announcements.update(manager, uuid, {"name": SECRET_NAME, "message": SECRET_MESSAGE,
                                                  "external_reference_url": "https://intranet.example/nightjar"})


@pytest.mark.parametrize("then_cancel", [False, True], ids=["withdrawn", "withdrawn-then-cancelled"])
def test_a_backlog_delivered_after_draft_edits_shows_only_the_published_wording(
    services, published, cloud_manager, standin, dispatcher, then_cancel
):
    # The card reaches the channels; then six more announcements and the withdrawal queue up behind it.
    dispatcher.deliver_due()
    for number in range(6):
        announce(services, cloud_manager, State.SCHEDULED, name=f"Patch {number}")
    draft_era_edit(services, cloud_manager, published.uuid)
    if then_cancel:
        services.announcements.transition(cloud_manager, published.uuid, Action.CANCEL)

    dispatcher.deliver_due()

    seen = everything_in(standin)
    assert SECRET_NAME not in seen and "Acme" not in seen and "nightjar" not in seen
    for channel in (CHANNEL, SUBSCRIBED):
        posted = standin.posts_in(channel, threads=False)
        card = next(m for m in posted if published.uuid.hex[:8] in json.dumps(m.blocks))
        assert ("Kernel upgrade — Cancelled" if then_cancel else "Withdrawn: Kernel upgrade") in card.text


def test_a_card_delivered_after_a_slack_outage_shows_only_the_published_wording(
    services, published, cloud_manager, standin, dispatcher, clock
):
    dispatcher.deliver_due()
    standin.fail(status=503, error="service_unavailable", times=None)
    services.announcements.update(cloud_manager, published.uuid, {"message": "Now in two waves."})  # published news
    assert dispatcher.deliver_due() == 0
    draft_era_edit(services, cloud_manager, published.uuid)
    services.announcements.transition(cloud_manager, published.uuid, Action.CANCEL)
    standin.clear_faults()
    clock.advance(timedelta(hours=2))

    dispatcher.deliver_due()

    seen = everything_in(standin)
    assert "Now in two waves." in seen  # what was published while Slack was down still arrives
    assert SECRET_NAME not in seen and "Acme" not in seen and "nightjar" not in seen


def test_republishing_publishes_the_new_wording(services, published, cloud_manager, standin, dispatcher):
    dispatcher.deliver_due()
    draft_era_edit(services, cloud_manager, published.uuid)
    dispatcher.deliver_due()
    assert SECRET_NAME not in everything_in(standin)

    services.announcements.transition(cloud_manager, published.uuid, Action.SCHEDULE)
    dispatcher.deliver_due()

    card = standin.posts_in(CHANNEL, threads=False)[0]
    assert SECRET_NAME in card.text and "Acme" in json.dumps(card.blocks)


def test_the_audience_sees_a_withdrawn_announcement_as_last_published(services, published, cloud_manager):
    draft_era_edit(services, cloud_manager, published.uuid)

    shown = services.announcements.as_published(published.uuid)
    managed = services.announcements.get(cloud_manager, published.uuid)

    assert (shown.name, shown.message, shown.external_reference_url) == (
        "Kernel upgrade", "Rolling reboot of the hypervisors.", "")
    assert [a.offering.name for a in shown.affected] == ["VMs"] and shown.internal_notes is None
    assert (managed.name, managed.message) == (SECRET_NAME, SECRET_MESSAGE)


def test_an_announcement_never_published_shows_neutral_words(services, world, cloud_manager):
    draft = announce(services, cloud_manager, name=SECRET_NAME, message=SECRET_MESSAGE)

    shown = services.announcements.as_published(draft.uuid)

    assert SECRET_NAME not in shown.name and shown.message == "" and shown.affected == ()


def test_a_withdrawn_card_names_the_provider_that_published_it(services, published, admin, standin, dispatcher):
    dispatcher.deliver_due()
    services.announcements.transition(admin, published.uuid, Action.UNSCHEDULE)
    services.announcements.update(admin, published.uuid, {"provider": "Storage", "affected": [{"offering": "Backup"}]})
    services.announcements.transition(admin, published.uuid, Action.CANCEL)

    dispatcher.deliver_due()

    card = standin.posts_in(CHANNEL, threads=False)[0]
    assert "Cloud" in json.dumps(card.blocks) and "Storage" not in json.dumps(card.blocks)
    assert "Backup" not in json.dumps(card.blocks) and "VMs" in json.dumps(card.blocks)
