"""The announcement modal: opened by `/maint new`, `/maint edit` and the Edit button; errors beside fields."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.console import simulator
from bot.domain.enums import Impact, State
from tests.factories import announce

READER, MANAGER = "UREADER001", "UCLOUDMGR1"


def options(modal: dict, block_id: str) -> list[str]:
    block = next(b for b in modal["blocks"] if b.get("block_id") == block_id)
    return [option["text"]["text"] for option in simulator._options(block["element"])]


def initial(modal: dict, block_id: str):
    element = next(b for b in modal["blocks"] if b.get("block_id") == block_id)["element"]
    for key in ("initial_value", "initial_option", "initial_options", "initial_date_time"):
        if key in element:
            return element[key]
    return None


def new_draft(slack, user: str = MANAGER, **answers):
    slack.command("new", user=user)
    values = {"name": "Router firmware", "message": "Short blips.", "offerings": ["VMs"]} | answers
    return slack.submit(slack.modal(), user=user, **values)


def test_new_opens_a_modal_with_only_the_providers_the_user_manages(slack, world, standin):
    standin.user_timezones[MANAGER] = "Europe/Tallinn"

    reply = slack.command("new", user=MANAGER)
    modal = slack.modal()

    assert reply.status == 200 and reply.body == ""
    assert modal["title"]["text"] == "New announcement" and modal["callback_id"] == "maint.announcement"
    assert options(modal, "provider") == ["Cloud"]
    assert options(modal, "offerings") == ["Kubernetes", "VMs"]
    start = next(b for b in modal["blocks"] if b.get("block_id") == "start")
    assert "Europe/Tallinn" in start["hint"]["text"]
    local = datetime.fromtimestamp(initial(modal, "start"), UTC).astimezone(__import__("zoneinfo").ZoneInfo(
        "Europe/Tallinn"))
    assert (local.hour, local.minute) == (22, 0)


def test_an_admin_may_announce_for_every_provider(slack, world):
    slack.command("new", user="UADMIN0001")

    assert options(slack.modal(), "provider") == ["Cloud", "Storage"]


def test_someone_who_manages_nothing_is_told_instead_of_getting_a_form(slack, world, standin):
    reply = slack.command("new", user=READER)

    assert "You do not manage any service provider" in reply.text
    assert standin.calls_to("views.open") == []


def test_submitting_creates_a_draft_shown_to_the_author_only(slack, services, world, cloud_manager):
    reply = new_draft(slack, impact="Full outage", impact_description="All VMs reboot",
                      url="https://tracker.example/CHG-9", internal_notes="Call Bob first")

    assert reply.status == 200 and reply.body == ""
    [draft] = services.announcements.list(cloud_manager).items
    assert draft.state is State.DRAFT and draft.name == "Router firmware"
    assert draft.internal_notes == "Call Bob first" and draft.external_reference_url == "https://tracker.example/CHG-9"
    assert [(a.offering.name, a.impact_level, a.impact_description) for a in draft.affected] == [
        ("VMs", Impact.FULL, "All VMs reboot")]
    card = reply.last
    assert card.ephemeral and card.user == MANAGER and card.channel == "CCLOUD0001"
    assert "Saved a draft of *Router firmware*" in card.content
    assert card.buttons[:2] == ["Schedule", "Edit"]
    assert slack.posts("CCLOUD0001") == []


def test_end_before_start_is_reported_beside_the_end_field(slack, services, world, cloud_manager):
    reply = new_draft(slack, start="2026-11-10 12:00", end="2026-11-10 11:00")

    assert reply.ack == {"response_action": "errors",
                         "errors": {"end": "Scheduled end must not be before scheduled start."}}
    assert services.announcements.count(cloud_manager) == 0


def test_a_bad_url_and_a_blank_name_are_reported_beside_their_fields(slack, services, world, cloud_manager):
    reply = new_draft(slack, name="   ", url="not a url")

    assert reply.ack["response_action"] == "errors"
    assert reply.ack["errors"] == {"name": "This field may not be blank.", "url": "Enter a valid URL."}
    assert services.announcements.count(cloud_manager) == 0


def test_schedule_on_the_draft_card_replaces_it_with_the_published_card(slack, services, world, cloud_manager):
    card = new_draft(slack).last

    reply = slack.press(card, "Schedule", user=MANAGER)

    assert reply.last is card and "Scheduled" in card.content and "Published" in card.content
    assert card.buttons == ["Start", "Edit", "Post update", "Unschedule", "Cancel", "Delete"]
    [view] = services.announcements.list(cloud_manager).items
    assert view.state is State.SCHEDULED


def test_edit_button_opens_the_filled_modal_and_saving_updates_the_card(slack, services, world, cloud_manager):
    card = new_draft(slack, internal_notes="Call Bob first").last

    slack.press(card, "Edit", user=MANAGER)
    modal = slack.modal()
    assert modal["title"]["text"] == "Edit announcement"
    assert initial(modal, "name") == "Router firmware" and initial(modal, "internal_notes") == "Call Bob first"
    assert [o["text"]["text"] for o in initial(modal, "offerings")] == ["VMs"]

    reply = slack.submit(modal, user=MANAGER, name="Router firmware v2", offerings=["VMs", "Kubernetes"])

    assert reply.ack is None
    assert "Router firmware v2" in card.content and "Saved changes" in card.content
    [view] = services.announcements.list(cloud_manager).items
    assert sorted(a.offering.name for a in view.affected) == ["Kubernetes", "VMs"]


def test_editing_keeps_each_offerings_own_impact_unless_its_row_changes(slack, services, world,
                                                                        cloud_manager):
    view = announce(services, cloud_manager, affected=[
        {"offering": "VMs", "impact_level": 4, "impact_description": "down"},
        {"offering": "Kubernetes", "impact_level": 2, "impact_description": "slow"}])
    vms = next(a.offering.uuid for a in view.affected if a.offering.name == "VMs")

    slack.command(f"edit {view.short_id}", user=MANAGER)
    slack.submit(slack.modal(), user=MANAGER, name="Renamed")
    kept = services.announcements.get(cloud_manager, view.uuid)
    slack.command(f"edit {view.short_id}", user=MANAGER)
    slack.submit(slack.modal(), user=MANAGER, **{f"impact:{vms.hex}": "Partial outage"})
    changed = services.announcements.get(cloud_manager, view.uuid)

    assert kept.name == "Renamed"
    assert {a.offering.name: int(a.impact_level) for a in kept.affected} == {"VMs": 4, "Kubernetes": 2}
    assert {a.offering.name: int(a.impact_level) for a in changed.affected} == {"VMs": 3, "Kubernetes": 2}


def test_a_reader_cannot_open_the_edit_modal(slack, services, world, cloud_manager, standin):
    view = announce(services, cloud_manager, State.SCHEDULED)

    reply = slack.command(f"edit {view.short_id}", user=READER)

    assert "🚫" in reply.text and standin.calls_to("views.open") == []


def test_a_completed_announcement_cannot_be_edited(slack, services, world, cloud_manager, standin):
    view = announce(services, cloud_manager, State.COMPLETED)

    reply = slack.command(f"edit {view.short_id}", user=MANAGER)

    assert "already *Completed*" in reply.text and standin.calls_to("views.open") == []


def test_new_from_a_template_fills_the_modal(slack, services, world, cloud_manager):
    services.templates.create(cloud_manager, {
        "name": "Monthly patching", "message": "Patch Tuesday.", "maintenance_type": 5, "provider": "Cloud",
        "offerings": [{"offering": "Kubernetes", "impact_level": 3, "impact_description": "pods restart"}]})

    slack.command("new from Monthly patching", user=MANAGER)
    modal = slack.modal()

    assert initial(modal, "name") == "Monthly patching" and initial(modal, "message") == "Patch Tuesday."
    assert initial(modal, "type")["text"]["text"] == "Patch deployment"
    assert [o["text"]["text"] for o in initial(modal, "offerings")] == ["Kubernetes"]
    row = next(b["block_id"].split(":")[1] for b in modal["blocks"] if b.get("block_id", "").startswith("impact:"))
    assert initial(modal, f"impact:{row}")["text"]["text"] == "Partial outage"
    assert initial(modal, f"what:{row}") == "pods restart"


def test_new_from_an_unknown_template_says_so(slack, world, standin):
    reply = slack.command("new from Nothing like it", user=MANAGER)

    assert "No template matches" in reply.text and standin.calls_to("views.open") == []
