"""The dispatcher puts notices in Slack: the card posted once per channel and updated in place, news in its thread."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.actors import Actor
from bot.domain.enums import Action, Interface, State
from bot.slack.delivery import Dispatcher
from storage.models import PostedCard
from tests.factories import announce
from tests.jobs.helpers import cards_in, eventually, header, notices, replies_in


def test_publishing_posts_the_card_in_the_provider_channel_and_each_subscribed_channel(
    db, services, world, cloud_manager, anyone, dispatcher, standin
):
    services.subscriptions.subscribe(anyone, "CTEAMVMS01", "VMs")
    announcement = announce(services, cloud_manager, State.SCHEDULED, affected=[{"offering": "VMs"}])

    delivered = dispatcher.deliver_due()

    assert delivered == 2
    for channel in ("CCLOUD0001", "CTEAMVMS01"):
        (card,) = cards_in(standin, channel)
        assert header(card) == "🔧 Kernel upgrade"
        assert announcement.short_id in str(card.blocks)
    with db.read() as session:
        assert session.query(PostedCard).count() == 2
    assert {n.status for n in notices(db, "published")} == {"sent"}
    assert all(n.ts for n in notices(db, "published"))


def test_delivering_again_sends_nothing_more(services, world, cloud_manager, dispatcher, standin):
    announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()

    assert dispatcher.deliver_due() == 0
    assert len(standin.posts_in("CCLOUD0001")) == 1


def test_starting_updates_the_card_in_place_and_says_who_in_its_thread(
    services, world, cloud_manager, dispatcher, standin
):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()

    services.announcements.transition(cloud_manager, announcement.uuid, Action.START)
    dispatcher.deliver_due()

    (card,) = cards_in(standin, "CCLOUD0001")
    assert "In progress" in str(card.blocks)
    assert len(card.history) == 1  # updated once, never posted twice
    assert replies_in(standin, "CCLOUD0001", card) == ["<@UCLOUDMGR1> started the maintenance."]


def test_news_of_one_announcement_keeps_its_order_in_the_thread(services, world, cloud_manager, dispatcher, standin):
    announcement = announce(services, cloud_manager, State.IN_PROGRESS)
    services.announcements.update(cloud_manager, announcement.uuid, {"message": "Now with more reboots."})
    services.announcements.transition(cloud_manager, announcement.uuid, Action.COMPLETE)

    dispatcher.deliver_due()

    (card,) = cards_in(standin, "CCLOUD0001")
    assert "Completed" in str(card.blocks)
    assert replies_in(standin, "CCLOUD0001", card) == [
        "<@UCLOUDMGR1> started the maintenance.",
        "<@UCLOUDMGR1> updated the announcement.",
        "<@UCLOUDMGR1> completed the maintenance.",
    ]


def test_a_channel_without_the_card_gets_the_card_before_the_news(
    services, world, cloud_manager, anyone, dispatcher, standin
):
    announcement = announce(services, cloud_manager, State.SCHEDULED, affected=[{"offering": "VMs"}])
    dispatcher.deliver_due()
    services.subscriptions.subscribe(anyone, "CLATECOMER", "VMs")

    services.announcements.transition(cloud_manager, announcement.uuid, Action.START)
    dispatcher.deliver_due()

    (card,) = cards_in(standin, "CLATECOMER")
    assert "In progress" in str(card.blocks)
    assert replies_in(standin, "CLATECOMER", card) == ["<@UCLOUDMGR1> started the maintenance."]


def test_rescheduling_says_from_when_to_when(services, world, cloud_manager, dispatcher, standin):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()
    later = announcement.scheduled_start + timedelta(days=2)

    services.announcements.update(
        cloud_manager, announcement.uuid, {"scheduled_start": later, "scheduled_end": later + timedelta(hours=2)}
    )
    dispatcher.deliver_due()

    (card,) = cards_in(standin, "CCLOUD0001")
    (reply,) = standin.thread("CCLOUD0001", card.ts)
    old, new = int(announcement.scheduled_start.timestamp()), int(later.timestamp())
    assert reply.text.startswith("<@UCLOUDMGR1> rescheduled the maintenance:")
    assert reply.text.index(f"<!date^{old}^") < reply.text.index(f"<!date^{new}^")
    assert str(new) in str(card.blocks)


def test_withdrawing_replaces_the_card_with_a_short_one_and_keeps_the_draft_private(
    services, world, cloud_manager, dispatcher, standin
):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()

    services.announcements.transition(cloud_manager, announcement.uuid, Action.UNSCHEDULE)
    dispatcher.deliver_due()

    (card,) = cards_in(standin, "CCLOUD0001")
    assert header(card) == "↩️ Withdrawn: Kernel upgrade"
    assert "Rolling reboot" not in str(card.blocks)


def test_deleting_leaves_a_deleted_card_where_it_was_shown(services, world, cloud_manager, dispatcher, standin):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    dispatcher.deliver_due()

    services.announcements.delete(cloud_manager, announcement.uuid)
    dispatcher.deliver_due()

    (card,) = cards_in(standin, "CCLOUD0001")
    assert header(card) == "🗑️ Deleted: Kernel upgrade"
    assert replies_in(standin, "CCLOUD0001", card) == ["<@UCLOUDMGR1> deleted the announcement."]


def test_news_that_never_reached_a_channel_is_not_sent_once_it_is_untrue(
    db, services, world, cloud_manager, dispatcher, standin
):
    announcement = announce(services, cloud_manager, State.SCHEDULED)
    services.announcements.transition(cloud_manager, announcement.uuid, Action.UNSCHEDULE)

    assert dispatcher.deliver_due() == 0
    assert standin.posts_in("CCLOUD0001") == []
    assert {n.status for n in notices(db) if n.kind in ("published", "withdrawn")} == {"dropped"}


def test_a_transition_by_the_scheduler_reaches_slack_exactly_as_one_by_a_person(
    services, world, admin, cloud_manager, dispatcher, standin
):
    services.catalog.update_provider(admin, "Cloud", auto_start=True)
    by_person = announce(services, cloud_manager, State.SCHEDULED, name="By hand")
    by_scheduler = announce(services, cloud_manager, State.SCHEDULED, name="On schedule")
    dispatcher.deliver_due()

    services.announcements.transition(cloud_manager, by_person.uuid, Action.START)
    services.announcements.transition(Actor.system(Interface.SCHEDULER), by_scheduler.uuid, Action.START)
    dispatcher.deliver_due()

    person_card, scheduler_card = cards_in(standin, "CCLOUD0001")
    assert [b["type"] for b in person_card.blocks] == [b["type"] for b in scheduler_card.blocks]
    assert str(person_card.blocks).replace("By hand", "X").replace(by_person.uuid.hex, "U").replace(
        by_person.short_id, "S"
    ) == str(scheduler_card.blocks).replace("On schedule", "X").replace(by_scheduler.uuid.hex, "U").replace(
        by_scheduler.short_id, "S"
    )
    assert replies_in(standin, "CCLOUD0001", person_card) == ["<@UCLOUDMGR1> started the maintenance."]
    assert replies_in(standin, "CCLOUD0001", scheduler_card) == ["maintbot (on schedule) started the maintenance."]
    person_reply, scheduler_reply = (standin.thread("CCLOUD0001", c.ts)[0] for c in (person_card, scheduler_card))
    assert person_reply.blocks[0]["type"] == scheduler_reply.blocks[0]["type"]


def test_the_background_dispatcher_delivers_right_after_the_commit(
    services, world, cloud_manager, slack_client, clock, standin
):
    dispatcher = Dispatcher(services, slack_client, clock=clock, pace=0, poll=30).start()
    try:
        announce(services, cloud_manager, State.SCHEDULED)

        assert eventually(lambda: standin.posts_in("CCLOUD0001"), within=5), "the commit did not wake the dispatcher"
    finally:
        dispatcher.stop()


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated")
def test_a_transition_over_the_http_api_reaches_slack_exactly_as_one_by_a_person(
    services, world, admin, cloud_manager, dispatcher, standin
):
    from fastapi.testclient import TestClient

    from bot.config import load_settings
    from bot.web import create_app

    token = services.tokens.create(admin, "provider", provider="Cloud", name="ci").secret
    by_person = announce(services, cloud_manager, State.SCHEDULED, name="By hand")
    over_http = announce(services, cloud_manager, State.SCHEDULED, name="From CI")
    dispatcher.deliver_due()

    services.announcements.transition(cloud_manager, by_person.uuid, Action.START)
    with TestClient(create_app(services, load_settings())) as http:
        response = http.post(f"/api/maintenance-announcements/{over_http.uuid}/start_maintenance/",
                             headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200, response.text
    dispatcher.deliver_due()

    person_card, api_card = cards_in(standin, "CCLOUD0001")
    assert [b["type"] for b in person_card.blocks] == [b["type"] for b in api_card.blocks]
    assert "In progress" in str(api_card.blocks) and len(api_card.history) == len(person_card.history) == 1
    assert replies_in(standin, "CCLOUD0001", person_card) == ["<@UCLOUDMGR1> started the maintenance."]
    assert replies_in(standin, "CCLOUD0001", api_card) == ["API token “ci” started the maintenance."]
