"""Progress updates in Slack: `/maint update ID TEXT` and the card's Post update button reach every copy of the
card (the provider's channel and subscribed channels) as one thread reply each, and the card shows the latest
update. Managers only, in Scheduled and In progress only; what anyone types is shown, never obeyed.

Both backends: the outbox (one notice per channel, exactly once) is the database's to keep.
"""

from __future__ import annotations

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Action, State
from bot.domain.updates import PROGRESS, UPDATE_MAX
from tests.factories import announce
from tests.jobs.helpers import notices

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
PROVIDER_CHANNEL, FANS = "CCLOUD0001", "CVMFANS001"
NEWS = "Storage nodes 1–4 done, 5–8 in progress"


@pytest.fixture(autouse=True)
def providers(world):
    """Cloud (managed by MANAGER, posting in CCLOUD0001) with its offerings, and Storage."""
    return world


@pytest.fixture
def followed(services, world, admin):
    """A channel following VMs (the provider's channel follows everything of Cloud anyway)."""
    services.subscriptions.subscribe(admin, FANS, "VMs")


def running(services, manager, state=State.IN_PROGRESS):
    return announce(services, manager, state, affected=[AffectedInput("VMs")])


def replies_saying(slack, channel: str, words: str) -> list:
    return [m for m in slack.thread(slack.card_in(channel)) if words in m.content]


def mrkdwn_and_text(message) -> str:
    """What Slack parses for mentions and links: the notification text and every mrkdwn object."""
    parsed = [message.text]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                parsed.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    return "\n".join(parsed)


def test_an_update_is_one_thread_reply_under_every_copy_of_the_card_and_shows_on_the_card(
    slack, services, db, followed, cloud_manager
):
    announcement = running(services, cloud_manager)
    slack.deliver()

    reply = slack.command(f"update {announcement.short_id} {NEWS}", user=MANAGER)
    slack.deliver()
    slack.deliver()  # a second round sends nothing again

    assert "Posted an update" in reply.text and reply.last.ephemeral
    for channel in (PROVIDER_CHANNEL, FANS):
        [update] = replies_saying(slack, channel, NEWS)
        assert f"<@{MANAGER}>" in update.content
        card = slack.card_in(channel)
        assert f"Latest update: {NEWS}" in card.content
        assert len(slack.posts(channel)) == 1  # the card is updated in place, not posted again
    assert sorted(n.channel_id for n in notices(db, PROGRESS)) == sorted([PROVIDER_CHANNEL, FANS])
    assert all(n.status == "sent" for n in notices(db, PROGRESS))


def test_updates_arrive_in_the_order_they_were_posted(slack, services, followed, cloud_manager):
    announcement = running(services, cloud_manager)
    slack.deliver()

    for step in ("Nodes 1–4 drained", "Nodes 1–4 upgraded", "Nodes 5–8 drained"):
        slack.command(f"update {announcement.short_id} {step}", user=MANAGER)
    slack.deliver()

    for channel in (PROVIDER_CHANNEL, FANS):
        said = [m.content for m in slack.thread(slack.card_in(channel)) if "Update" in m.content]
        assert [next(s for s in ("1–4 drained", "1–4 upgraded", "5–8 drained") if s in text) for text in said] == [
            "1–4 drained", "1–4 upgraded", "5–8 drained"]
        assert "Latest update: Nodes 5–8 drained" in slack.card_in(channel).content


def test_an_update_queued_before_the_card_went_out_arrives_after_the_card_exactly_once(
    slack, services, db, followed, cloud_manager, admin
):
    announcement = running(services, cloud_manager, State.SCHEDULED)  # published: cards queued, not delivered
    services.subscriptions.subscribe(admin, "CLATECOMER", "VMs")  # follows it after it was published

    slack.command(f"update {announcement.short_id} {NEWS}", user=MANAGER)
    slack.deliver()
    slack.deliver()

    for channel in (PROVIDER_CHANNEL, FANS, "CLATECOMER"):
        [card] = slack.posts(channel)
        assert f"Latest update: {NEWS}" in card.content
        assert len(replies_saying(slack, channel, NEWS)) == 1


def test_the_post_update_button_opens_a_form_whose_text_is_posted(slack, services, followed, cloud_manager):
    running(services, cloud_manager)
    slack.deliver()
    card = slack.card_in(FANS)

    slack.press(card, "Post update", user=MANAGER)
    reply = slack.submit(slack.modal(), user=MANAGER, message=NEWS)
    slack.deliver()

    assert reply.status == 200 and reply.body == ""
    assert any("Posted an update" in seen.content for seen in reply.seen)
    for channel in (PROVIDER_CHANNEL, FANS):
        assert len(replies_saying(slack, channel, NEWS)) == 1


def test_the_form_refuses_an_empty_or_too_long_update_beside_its_field(slack, services, db, cloud_manager):
    running(services, cloud_manager)
    slack.deliver()
    slack.press(slack.card_in(PROVIDER_CHANNEL), "Post update", user=MANAGER)
    form = slack.modal()

    empty = slack.submit(form, user=MANAGER, message="   ")
    too_long = slack.submit(form, user=MANAGER, message="x" * (UPDATE_MAX + 1))

    assert empty.ack["response_action"] == "errors" and "Write what has happened" in empty.ack["errors"]["message"]
    assert "at most 3,000 characters" in too_long.ack["errors"]["message"]
    assert notices(db, PROGRESS) == []


def test_someone_who_does_not_manage_it_gets_no_form_and_cannot_post(slack, services, db, cloud_manager):
    announcement = running(services, cloud_manager)
    slack.deliver()

    pressed = slack.press(slack.card_in(PROVIDER_CHANNEL), "Post update", user=READER)
    typed = slack.command(f"update {announcement.short_id} {NEWS}", user=READER)

    assert "🚫" in pressed.text and not slack.standin.calls_to("views.open")
    assert "🚫" in typed.text and "Ask one of the provider's managers" in typed.text
    assert notices(db, PROGRESS) == []
    assert services.updates.list(cloud_manager, announcement.uuid) == []


@pytest.mark.parametrize("state", [State.DRAFT, State.COMPLETED, State.CANCELLED])
def test_updates_are_refused_outside_scheduled_and_in_progress(slack, services, db, cloud_manager, state):
    announcement = announce(services, cloud_manager, state)

    reply = slack.command(f"update {announcement.short_id} {NEWS}", user=MANAGER)

    assert "Nothing changed" in reply.text and "*Scheduled* or *In progress*" in reply.text
    assert services.updates.list(cloud_manager, announcement.uuid) == []
    assert notices(db, PROGRESS) == []


def test_a_finished_maintenance_has_no_post_update_button(slack, services, cloud_manager):
    announcement = running(services, cloud_manager)
    slack.deliver()
    assert "Post update" in slack.card_in(PROVIDER_CHANNEL).buttons

    services.announcements.transition(cloud_manager, announcement.uuid, Action.COMPLETE)
    slack.deliver()

    assert "Post update" not in slack.card_in(PROVIDER_CHANNEL).buttons


def test_hostile_text_is_shown_as_typed_and_pings_no_one(slack, services, followed, cloud_manager):
    announcement = running(services, cloud_manager)
    slack.deliver()
    hostile = "<!channel> *all* done & <https://evil.example|click> <@U0EVIL0001>"

    slack.command(f"update {announcement.short_id} {hostile}", user=MANAGER)
    slack.deliver()

    [stored] = services.updates.list(cloud_manager, announcement.uuid)
    for channel in (PROVIDER_CHANNEL, FANS):
        [update] = replies_saying(slack, channel, "*all* done")
        card = slack.card_in(channel)
        for message in (update, card):
            parsed = mrkdwn_and_text(message)
            assert not [bad for bad in ("<!channel>", "<https://evil.example", "<@U0EVIL0001>") if bad in parsed]
        assert "<!channel> *all* done &" in update.content  # shown as typed, in plain text
    assert stored.message.startswith("<!channel> *all* done & <https://evil.example|click>")


def test_an_update_keeps_quotes_apostrophes_and_equals_signs_as_typed(slack, services, cloud_manager):
    announcement = running(services, cloud_manager)

    reply = slack.command(f"""update {announcement.short_id}   Node's "db-1" is back; replicas=3 """, user=MANAGER)

    assert "Posted an update" in reply.text
    [stored] = services.updates.list(cloud_manager, announcement.uuid)
    assert stored.message == """Node's "db-1" is back; replicas=3"""


def test_an_update_without_text_is_refused_with_the_usage(slack, services, db, cloud_manager):
    announcement = running(services, cloud_manager)

    reply = slack.command(f"update {announcement.short_id}", user=MANAGER)

    assert "`/maint update ID TEXT`" in reply.text
    assert notices(db, PROGRESS) == []


def test_an_update_still_queued_when_the_announcement_is_withdrawn_is_never_delivered(
    slack, services, db, followed, cloud_manager
):
    announcement = running(services, cloud_manager, State.SCHEDULED)
    slack.deliver()

    slack.command(f"update {announcement.short_id} {NEWS}", user=MANAGER)
    services.announcements.transition(cloud_manager, announcement.uuid, Action.UNSCHEDULE)
    slack.deliver()

    for channel in (PROVIDER_CHANNEL, FANS):
        assert replies_saying(slack, channel, NEWS) == []
        assert NEWS not in slack.card_in(channel).content
    assert {n.status for n in notices(db, PROGRESS)} == {"dropped"}


def test_the_update_is_in_the_audit_trail(slack, services, cloud_manager):
    announcement = running(services, cloud_manager)

    slack.command(f"update {announcement.short_id} {NEWS}", user=MANAGER)

    [event] = [e for e in services.announcements.history(cloud_manager, announcement.uuid)
               if e.action == "given an update"]
    assert event.actor == MANAGER and event.interface == "slack" and event.changes == {"update": ["", NEWS]}
