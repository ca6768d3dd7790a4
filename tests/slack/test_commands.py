"""`/maint` subcommands as people type them, answered over HTTP the way Slack would show them."""

from __future__ import annotations

from bot.domain.enums import Action, State
from tests.conftest import ADMIN_ID
from tests.factories import announce, starting_soon

READER, MANAGER, STORE = "UREADER001", "UCLOUDMGR1", "USTOREMGR1"


def test_bare_command_and_help_show_every_subcommand(slack):
    for text in ("", "help"):
        reply = slack.command(text, user=READER)

        assert reply.status == 200 and reply.ack["response_type"] == "ephemeral"
        for name in ("list", "show", "new", "edit", "schedule", "stats", "subscribe", "providers", "templates"):
            assert f"/maint {name}" in reply.ack["text"]


def test_help_for_one_command_gives_its_usage(slack):
    reply = slack.command("help stats", user=READER)

    assert reply.ack["text"].startswith("Usage: `/maint stats [START] [END]")


def test_unknown_subcommand_says_so_and_shows_help(slack):
    reply = slack.command("frobnicate now", user=READER)

    assert "`/maint frobnicate` is not a command I know" in reply.ack["text"]
    assert "/maint list" in reply.ack["text"]


def test_a_bad_argument_gets_that_subcommands_usage(slack, world):
    assert "Usage: `/maint show ID`" in slack.command("show", user=READER).ack["text"]
    assert "Usage: `/maint list" in slack.command("list colour=red", user=READER).ack["text"]
    assert "Usage: `/maint stats" in slack.command("stats yesterday", user=READER).ack["text"]
    assert "Usage: `/maint subscribe" in slack.command("subscribe", user=READER).ack["text"]
    assert "Could not read the arguments" in slack.command('show "unclosed', user=READER).ack["text"]


def test_show_to_a_reader_has_no_internal_notes_and_no_buttons(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)

    seen = slack.command(f"show {view.short_id}", user=READER).last

    assert "Kernel upgrade" in seen.content and view.short_id in seen.content
    assert "Runbook" not in seen.content
    assert seen.buttons == []


def test_show_to_a_manager_has_internal_notes_and_the_states_buttons(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)

    seen = slack.command(f"show {view.uuid}", user=MANAGER).last

    assert "Runbook: wiki/kernel" in seen.content
    assert seen.buttons == ["Start", "Edit", "Post update", "Unschedule", "Cancel", "Delete"]
    assert seen.ephemeral


def test_a_reader_cannot_see_a_draft(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager)

    reply = slack.command(f"show {draft.short_id}", user=READER)

    assert "No announcement matches" in reply.ack["text"]


def test_ambiguous_six_digit_prefix_names_every_match(slack, services, world, cloud_manager, monkeypatch):
    import uuid as uuid_module

    fixed = iter(["abcdef00" + "0" * 24, "abcdef11" + "1" * 24])
    real = uuid_module.uuid4
    monkeypatch.setattr(uuid_module, "uuid4", lambda: uuid_module.UUID(next(fixed, None) or real().hex))
    first = announce(services, cloud_manager, State.SCHEDULED, name="First")
    second = announce(services, cloud_manager, State.SCHEDULED, name="Second")
    assert first.uuid.hex.startswith("abcdef") and second.uuid.hex.startswith("abcdef")

    reply = slack.command("start abcdef", user=MANAGER)

    assert "matches more than one" in reply.ack["text"]
    assert "abcdef00 First" in reply.ack["text"] and "abcdef11 Second" in reply.ack["text"]
    assert services.announcements.get(cloud_manager, first.uuid).state is State.SCHEDULED


def test_transitions_by_command_answer_with_the_new_card(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager, **starting_soon(services))

    for verb, label in (("schedule", "Scheduled"), ("start", "In progress"), ("complete", "Completed")):
        reply = slack.command(f"{verb} {draft.short_id}", user=MANAGER)
        assert label in reply.last.content, reply.text

    assert services.announcements.get(cloud_manager, draft.uuid).state is State.COMPLETED


def test_a_transition_from_the_wrong_state_names_the_valid_ones(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager)

    reply = slack.command(f"complete {draft.short_id}", user=MANAGER)

    assert "Nothing changed" in reply.ack["text"] and "*In progress*" in reply.ack["text"]
    assert services.announcements.get(cloud_manager, draft.uuid).state is State.DRAFT


def test_a_reader_is_refused_and_nothing_changes(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command(f"start {view.short_id}", user=READER)

    assert reply.ack["response_type"] == "ephemeral" and "🚫" in reply.ack["text"]
    assert services.announcements.get(cloud_manager, view.uuid).state is State.SCHEDULED


def test_a_group_member_manages_through_the_user_group(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED, **starting_soon(services))

    reply = slack.command(f"start {view.short_id}", user="UGROUPIE01")

    assert "Started" in reply.ack["text"]


def test_delete_by_command(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager)

    asked = slack.command(f"delete {view.short_id}", user=MANAGER)
    reply = slack.press(asked.last, "Delete", user=MANAGER)  # the command asks first (Delete / Keep)

    assert "Deleted" in reply.text
    assert services.announcements.count(cloud_manager) == 0


def test_list_shortcuts_and_filters(slack, services, world, cloud_manager, storage_manager):
    announce(services, cloud_manager, State.SCHEDULED, name="Cloud upcoming")
    announce(services, cloud_manager, State.IN_PROGRESS, name="Cloud running")
    announce(services, cloud_manager, name="Cloud draft")
    announce(services, storage_manager, State.SCHEDULED, name="Disk swap", provider="Storage", maintenance_type=2)

    def listed(text: str, user: str = READER) -> str:
        return slack.command(f"list {text}", user=user).text

    assert "Cloud upcoming" in listed("upcoming") and "Cloud running" not in listed("upcoming")
    assert "Cloud running" in listed("active") and "Disk swap" not in listed("active")
    assert "Cloud draft" not in listed("drafts") and "Cloud draft" in listed("drafts", MANAGER)
    assert "Disk swap" in listed("type=emergency") and "Cloud upcoming" not in listed("type=emergency")
    assert "Disk swap" in listed("provider=Storage") and "Cloud running" not in listed("provider=Storage")
    assert "Cloud running" in listed("state=in_progress")
    assert "Cloud draft" in listed("mine", MANAGER) and "Disk swap" not in listed("mine", MANAGER)
    assert "Cloud upcoming" in listed("start_after=2026-11-03 start_before=2026-11-04")
    assert "nothing to show" in listed("start_after=2027-01-01")


def test_list_filters_read_escaped_mentions(slack, services, world, cloud_manager, storage_manager):
    announce(services, storage_manager, State.SCHEDULED, name="Disk swap", provider="Storage")
    announce(services, cloud_manager, State.SCHEDULED, name="Kernel")

    text = slack.command("list by=<@USTOREMGR1|store>", user=READER).text

    assert "Disk swap" in text and "Kernel" not in text


def test_stats_over_a_window_and_a_provider(slack, services, world, cloud_manager, storage_manager):
    announce(services, cloud_manager, State.COMPLETED)
    announce(services, storage_manager, State.SCHEDULED, provider="Storage", maintenance_type=2)

    everything = slack.command("stats 2026-10-01 2026-12-31", user=READER).text
    storage_only = slack.command("stats provider=Storage", user=READER).text

    assert "*Total* 2" in everything and "*Emergencies* 1" in everything
    assert "2026-10-01 to 2026-12-31" in everything
    assert "*Total* 1" in storage_only


def test_subscribe_and_unsubscribe_the_current_channel(slack, services, world):
    reply = slack.command("subscribe Cloud/Kubernetes", user=READER, channel="CAPPS00001")

    assert reply.ack["response_type"] == "in_channel"
    assert "subscribed this channel to maintenance of Kubernetes (Cloud)" in reply.ack["text"]
    assert [s.target for s in services.subscriptions.of_channel("CAPPS00001")] == ["Kubernetes (Cloud)"]

    slack.command("subscribe Storage", user=READER, channel="CAPPS00001")
    listed = slack.command("subscriptions", user=READER, channel="CAPPS00001").text
    assert "Kubernetes (Cloud)" in listed and "all of Storage" in listed

    slack.command("unsubscribe Cloud/Kubernetes", user=READER, channel="CAPPS00001")
    assert [s.target for s in services.subscriptions.of_channel("CAPPS00001")] == ["all of Storage"]

    missing = slack.command("unsubscribe Cloud/Kubernetes", user=READER, channel="CAPPS00001")
    assert missing.ack["response_type"] == "ephemeral" and "not subscribed" in missing.ack["text"]


def test_catalog_listings(slack, services, world, cloud_manager):
    services.templates.create(cloud_manager, {"name": "Monthly patching", "provider": "Cloud"})

    providers = slack.command("providers", user=READER).text
    offerings = slack.command("offerings Storage", user=READER).text
    templates = slack.command("templates", user=MANAGER).text

    assert "*Cloud*" in providers and "<#CCLOUD0001>" in providers and "<@UCLOUDMGR1>" in providers
    assert "<!subteam^SCLOUDOPS1>" in providers
    assert "Object store" in offerings and "VMs" not in offerings
    assert "Monthly patching" in templates and "/maint new from Monthly patching" in templates
    assert "No templates" in slack.command("templates", user=READER).text


def test_admin_sets_up_a_provider_with_escaped_mentions(slack, services):
    reply = slack.command(
        'provider add "Net Ops" channel=<#CNETOPS001|netops> stats=<#CSTATS0001|stats> '
        "managers=<@UNETMGR001|ann>,<@UNETMGR002|bob> groups=<!subteam^SNETOPS001|@netops> auto_start=yes",
        user=ADMIN_ID,
    )

    assert "Added *Net Ops*" in reply.ack["text"], reply.ack["text"]
    provider = services.catalog.provider("Net Ops")
    assert provider.channel_id == "CNETOPS001" and provider.stats_channel_id == "CSTATS0001"
    assert provider.manager_users == ("UNETMGR001", "UNETMGR002") and provider.manager_groups == ("SNETOPS001",)
    assert provider.auto_start

    slack.command("admin provider set Net Ops managers=<@UNETMGR003|cy> reminders=24h", user=ADMIN_ID)
    assert services.catalog.provider("Net Ops").manager_users == ("UNETMGR003",)

    offering = slack.command("offering add Net Ops/Firewall", user=ADMIN_ID)
    assert "Added offering *Firewall* to *Net Ops*" in offering.ack["text"]


def test_set_up_is_refused_to_non_admins_and_bad_settings_get_usage(slack, services, world):
    refused = slack.command("provider add Rogue channel=<#CROGUE0001|r>", user=READER)
    assert "Only maintbot admins" in refused.ack["text"]

    no_channel = slack.command("provider add Lonely", user=ADMIN_ID)
    assert "needs `channel=#channel`" in no_channel.ack["text"]
    assert "Usage: `/maint provider add" in no_channel.ack["text"]

    bad_option = slack.command("provider set Cloud colour=blue", user=ADMIN_ID)
    assert "`colour` is not a provider setting" in bad_option.ack["text"]

    bad_channel = slack.command("provider set Cloud channel=general", user=ADMIN_ID)
    assert "is not a Slack channel id" in bad_channel.ack["text"]


def test_history_for_managers(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)

    text = slack.command(f"history {view.short_id}", user=MANAGER).text

    assert "has been created" in text and "has been scheduled" in text
    assert "🚫" in slack.command(f"history {view.short_id}", user=READER).text


def test_admin_outbox_for_admins_only(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED)
    services.announcements.transition(cloud_manager, view.uuid, Action.START)

    admin = slack.command("admin outbox", user=ADMIN_ID)
    reader = slack.command("admin outbox", user=READER)

    assert "*Outbox:*" in admin.text and "pending" in admin.text
    assert "Only maintbot admins" in reader.ack["text"]
    assert "Usage: `/maint admin" in slack.command("admin outbox resend", user=ADMIN_ID).ack["text"]
