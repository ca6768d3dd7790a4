"""`/maint subscribe` for what a channel already follows: the person who typed it is told so, privately, and the
channel is not announced to again; nothing is stored or audited twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Event, Subscription

READER = "UREADER001"
BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def rows(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


@BOTH
def test_subscribing_again_says_so_only_to_the_typist_and_changes_nothing(slack, services, world, db):
    first = slack.command("subscribe Cloud/VMs", user=READER, channel="CAPPS00001")
    subscriptions, events = rows(db, Subscription), rows(db, Event)

    again = slack.command("subscribe cloud/vms", user="UOTHER0001", channel="CAPPS00001")

    assert first.ack["response_type"] == "in_channel"
    assert again.ack["response_type"] == "ephemeral"
    assert again.ack["text"] == "This channel is already subscribed to maintenance of VMs (Cloud); nothing changed."
    assert "subscribed this channel" not in again.ack["text"]
    assert (rows(db, Subscription), rows(db, Event)) == (subscriptions, events)
    assert slack.posts("CAPPS00001") == []  # nothing was posted in the channel either


def test_subscribing_again_to_a_whole_provider_says_so(slack, services, world):
    slack.command("subscribe Storage", user=READER, channel="CAPPS00001")

    again = slack.command("subscribe Storage", user=READER, channel="CAPPS00001")

    assert again.ack["response_type"] == "ephemeral"
    assert "already subscribed to maintenance of all of Storage; nothing changed" in again.ack["text"]


@BOTH
def test_an_offering_of_a_provider_the_channel_follows_is_already_heard_about(slack, services, world, db):
    slack.command("subscribe Cloud", user=READER, channel="CAPPS00001")
    subscriptions = rows(db, Subscription)

    offering = slack.command("subscribe Cloud/Kubernetes", user=READER, channel="CAPPS00001")

    assert offering.ack["response_type"] == "ephemeral"
    assert offering.ack["text"] == ("This channel already hears about maintenance of Kubernetes (Cloud) through its "
                                    "subscription to all of Cloud; nothing changed.")
    assert rows(db, Subscription) == subscriptions
    assert [s.target for s in services.subscriptions.of_channel("CAPPS00001")] == ["all of Cloud"]


def test_another_channel_subscribing_to_the_same_offering_is_announced_there(slack, services, world):
    slack.command("subscribe Cloud/VMs", user=READER, channel="CAPPS00001")

    other = slack.command("subscribe Cloud/VMs", user=READER, channel="CTEAM00002")

    assert other.ack["response_type"] == "in_channel"
    assert "subscribed this channel to maintenance of VMs (Cloud)" in other.ack["text"]
