"""Socket Mode connections that end: maintbot reconnects and keeps serving, and nothing is done twice.

Slack asks an app to reconnect (`disconnect`: refresh_requested, link_disabled) and connections drop; Slack
holds what people do meanwhile and delivers it on the next connection, and delivers an envelope again when
its ack did not arrive (lost with a connection, or late), with the same envelope id. Through the real Bolt
app and the handler `maintbot run` uses, on both databases; every wait is on an ack or a connection.
"""

from __future__ import annotations

import pytest

from bot.console.socket_standin import LINK_DISABLED, REFRESH
from bot.domain.enums import State
from tests.factories import announce, starting_soon

MANAGER, GROUPIE = "UCLOUDMGR1", "UGROUPIE01"
CHANNEL = "CCLOUD0001"

pytestmark = [
    pytest.mark.parametrize("slack_mode", ["socket"]),
    pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True),
]


def published_card(slack, services, manager):
    view = announce(services, manager, State.SCHEDULED, **starting_soon(services))
    slack.deliver()
    return view, slack.card_in(CHANNEL)


def started_notices(slack) -> list:
    return [m for m in slack.thread(slack.card_in(CHANNEL)) if "started" in m.content.lower()]


@pytest.mark.parametrize("reason", [REFRESH, LINK_DISABLED])
def test_after_slack_asks_to_reconnect_commands_are_still_answered(slack, world, reason):
    sockets = slack.transport.sockets
    assert "Cloud" in slack.command("providers", user=MANAGER).text

    sockets.disconnect(reason)
    sockets.wait_connected(2)
    reply = slack.command("providers", user=MANAGER)

    assert "Cloud" in reply.text and sockets.last.deliveries == 1
    assert not sockets.last.envelope_id.endswith("retry")


def test_a_press_made_while_the_connection_is_down_is_acted_on_once(slack, services, world, cloud_manager):
    sockets = slack.transport.sockets
    view, card = published_card(slack, services, cloud_manager)

    sockets.drop()  # Slack holds the press until maintbot has reconnected
    reply = slack.press(card, "Start", user=MANAGER)
    slack.deliver()

    assert sockets.connections_opened == 2 and sockets.last.deliveries == 1
    assert reply.status == 200 and reply.seen == []
    assert services.announcements.get(cloud_manager, view.uuid).state is State.IN_PROGRESS
    assert [e.action for e in services.announcements.history(cloud_manager, view.uuid)].count("started") == 1
    assert len(started_notices(slack)) == 1


def test_a_press_whose_ack_was_lost_with_its_connection_is_not_acted_on_again(slack, services, world,
                                                                             cloud_manager):
    sockets = slack.transport.sockets
    view, card = published_card(slack, services, cloud_manager)

    sockets.lose_next_ack()  # maintbot starts it and acks; the ack is lost, so Slack delivers the press again
    reply = slack.press(card, "Start", user=MANAGER)
    slack.deliver()

    press = sockets.last
    assert sockets.connections_opened == 2 and press.deliveries == 2 and press.retry_attempt == 1
    assert reply.seen == []  # no "already in progress" for a press the presser made once
    assert [e.action for e in services.announcements.history(cloud_manager, view.uuid)].count("started") == 1
    assert len(started_notices(slack)) == 1


def test_a_press_delivered_again_changes_nothing_the_second_time(slack, services, world, cloud_manager):
    sockets = slack.transport.sockets
    view, card = published_card(slack, services, cloud_manager)
    slack.press(card, "Start", user=MANAGER)
    slack.deliver()
    calls = len(slack.standin.calls)

    sockets.redeliver(sockets.last)
    sockets.wait_acked(sockets.last, acks=2)
    slack.app.drain()
    slack.deliver()

    assert sockets.last.retry_attempt == 1 and sockets.last.acks[1] == sockets.last.acks[0]
    assert [e.action for e in services.announcements.history(cloud_manager, view.uuid)].count("started") == 1
    assert len(started_notices(slack)) == 1
    assert len(slack.standin.calls) == calls  # nothing posted, updated or replied to anyone


def test_a_command_delivered_again_is_answered_the_same_and_acts_once(slack, services, world, cloud_manager):
    sockets = slack.transport.sockets
    view = announce(services, cloud_manager, State.SCHEDULED, **starting_soon(services))
    first = slack.command(f"start {view.short_id}", user=MANAGER)

    sockets.redeliver(sockets.last)
    sockets.wait_acked(sockets.last, acks=2)
    slack.app.drain()

    assert "started" in first.text.lower()
    assert sockets.last.acks[1]["payload"] == first.ack  # the same answer, not "already in progress"
    assert [e.action for e in services.announcements.history(cloud_manager, view.uuid)].count("started") == 1


def test_a_form_submitted_once_and_delivered_twice_creates_one_draft(slack, services, world, cloud_manager):
    sockets = slack.transport.sockets
    slack.command("new", user=MANAGER)
    slack.submit(slack.modal(), user=MANAGER, name="Router firmware", message="Short blips.", offerings=["VMs"])

    sockets.redeliver(sockets.last)
    sockets.wait_acked(sockets.last, acks=2)
    slack.app.drain()

    assert [view.name for view in services.announcements.list(cloud_manager).items] == ["Router firmware"]


def test_an_event_delivered_again_publishes_the_home_once(slack, world):
    sockets = slack.transport.sockets
    slack.open_home(MANAGER)
    published = len(slack.standin.calls_to("views.publish"))

    sockets.redeliver(sockets.last)
    sockets.wait_acked(sockets.last, acks=2)
    slack.app.drain()

    assert published == 1 and len(slack.standin.calls_to("views.publish")) == 1
