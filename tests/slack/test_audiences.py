"""Who may speak to whose audience, in Slack: the announcement modal offers (and saves) only offerings the
user may mark, keeps what an admin marked, and `/maint subscribe` reads a provider's name as the provider.
"""

from __future__ import annotations

from bot.console import simulator
from bot.domain.announcements import AffectedInput
from tests.factories import announce
from tests.slack.test_modals import options

MANAGER, READER = "UCLOUDMGR1", "UREADER001"


def test_a_submission_naming_another_providers_offering_is_refused_beside_the_offerings(
    slack, services, world, cloud_manager
):
    slack.command("new", user=MANAGER)
    modal = slack.modal()
    values = simulator.fill(modal, {"name": "Backup credentials expire", "offerings": ["VMs"]})
    backup = world["offerings"]["Backup"]
    values["offerings"]["value"]["selected_options"].append(
        {"text": {"type": "plain_text", "text": "Backup"}, "value": backup.uuid.hex})  # a value the form never had

    reply = slack.send(simulator.view_submission(MANAGER, modal, values), simulator.FORM)

    assert reply.ack["response_action"] == "errors"
    assert reply.ack["errors"] == {"offerings": "Marking Storage/Backup as affected needs an admin or a manager "
                                                "of Storage: its subscribers would be told."}
    assert services.announcements.list(cloud_manager).items == []


def test_the_edit_form_keeps_an_offering_an_admin_marked_and_saving_keeps_it(slack, services, world, admin,
                                                                            cloud_manager):
    draft = announce(services, admin, affected=[AffectedInput("VMs"), AffectedInput("Backup")])

    slack.command(f"edit {draft.uuid.hex[:8]}", user=MANAGER)
    modal = slack.modal()
    reply = slack.submit(modal, user=MANAGER, name="Kernel upgrade, take two")

    assert options(modal, "offerings") == ["Kubernetes", "VMs", "Backup"]
    assert reply.status == 200 and reply.body == ""
    saved = services.announcements.get(cloud_manager, draft.uuid)
    assert saved.name == "Kernel upgrade, take two"
    assert sorted(a.offering.name for a in saved.affected) == ["Backup", "VMs"]


def test_subscribing_by_a_providers_name_follows_the_provider_and_says_how_to_follow_the_namesake(
    slack, services, world, admin
):
    services.catalog.add_provider(admin, "Network", "CNETWORK01")
    services.catalog.add_offering(admin, "Network", "Cloud")

    reply = slack.command("subscribe Network", user=READER, channel="CNETFANS01")

    assert "subscribed this channel to maintenance of all of Network." in reply.ack["text"]
    assert "To follow an offering of that name instead: `/maint subscribe Cloud/Network`." in reply.ack["text"]
    assert [s.target for s in services.subscriptions.of_channel("CNETFANS01")] == ["all of Network"]
