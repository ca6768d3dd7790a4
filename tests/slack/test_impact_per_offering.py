"""Impact per offering in the announcement form: each chosen offering gets its own level and description,
kept on edit and when starting from a template, within Slack's limits however many offerings there are."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode

import pytest

from bot.console import simulator
from bot.domain.enums import Impact
from tests.factories import announce
from tests.slack.forms import blocks, changed, choose, initial, row, row_of

MANAGER, READER = "UCLOUDMGR1", "UREADER001"
BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def impacts(view) -> dict[str, tuple[int, str]]:
    return {a.offering.name: (int(a.impact_level), a.impact_description) for a in view.affected}


@BOTH
def test_two_offerings_with_their_own_impacts_are_saved_and_shown_on_the_card(slack, services, world, cloud_manager):
    slack.command("new", user=MANAGER)
    opened = slack.modal()
    assert blocks(opened, "impact:") == []  # nothing chosen yet, no rows

    form = choose(slack, opened, user=MANAGER, offerings=["VMs", "Kubernetes"], name="Network cut-over")
    assert sorted(b["label"]["text"] for b in blocks(form, "impact:")) == ["Impact on Kubernetes", "Impact on VMs"]
    assert initial(form, "name") == "Network cut-over"  # what was typed survives the redraw

    reply = slack.submit(form, user=MANAGER, **row(form, "VMs", "Full outage", "VMs are stopped"),
                         **row(form, "Kubernetes", "Degraded performance", "Pods restart once"))

    assert reply.ack is None
    [draft] = services.announcements.list(cloud_manager).items
    assert impacts(draft) == {"VMs": (4, "VMs are stopped"), "Kubernetes": (2, "Pods restart once")}
    card = reply.last.content
    assert "VMs — Full outage: VMs are stopped" in card
    assert "Kubernetes — Degraded performance: Pods restart once" in card


@BOTH
def test_editing_shows_each_offerings_impact_and_keeps_or_changes_them_one_by_one(slack, services, world,
                                                                               cloud_manager):
    view = announce(services, cloud_manager, affected=[
        {"offering": "VMs", "impact_level": 4, "impact_description": "down"},
        {"offering": "Kubernetes", "impact_level": 2, "impact_description": "slow"}])

    slack.command(f"edit {view.short_id}", user=MANAGER)
    form = slack.modal()
    assert initial(form, f"impact:{row_of(form, 'VMs')}") == "Full outage"
    assert initial(form, f"what:{row_of(form, 'VMs')}") == "down"
    assert initial(form, f"impact:{row_of(form, 'Kubernetes')}") == "Degraded performance"
    slack.submit(form, user=MANAGER, name="Renamed")
    untouched = services.announcements.get(cloud_manager, view.uuid)

    slack.command(f"edit {view.short_id}", user=MANAGER)
    form = slack.modal()
    reply = slack.submit(form, user=MANAGER, **row(form, "Kubernetes", "Partial outage", "API read-only"))
    changed_one = services.announcements.get(cloud_manager, view.uuid)

    assert untouched.name == "Renamed"
    assert impacts(untouched) == {"VMs": (4, "down"), "Kubernetes": (2, "slow")}
    assert impacts(changed_one) == {"VMs": (4, "down"), "Kubernetes": (3, "API read-only")}
    assert "Kubernetes — Partial outage: API read-only" in reply.last.content


def test_an_offering_added_while_editing_gets_a_row_and_the_others_keep_theirs(slack, services, world,
                                                                              cloud_manager):
    view = announce(services, cloud_manager, affected=[
        {"offering": "VMs", "impact_level": 4, "impact_description": "down"}])

    slack.command(f"edit {view.short_id}", user=MANAGER)
    form = choose(slack, slack.modal(), user=MANAGER, offerings=["VMs", "Kubernetes"])
    assert initial(form, f"what:{row_of(form, 'VMs')}") == "down"
    slack.submit(form, user=MANAGER, **row(form, "Kubernetes", "Partial outage", "no new pods"))

    assert impacts(services.announcements.get(cloud_manager, view.uuid)) == {
        "VMs": (4, "down"), "Kubernetes": (3, "no new pods")}


def test_an_offering_chosen_without_a_redraw_gets_the_remaining_impact(slack, services, world, cloud_manager):
    """The console, or a Slack client that submits before the redraw: the one remaining impact applies."""
    slack.command("new", user=MANAGER)

    slack.submit(slack.modal(), user=MANAGER, name="Quick", offerings=["VMs"], impact="Partial outage",
                 impact_description="brief")

    [draft] = services.announcements.list(cloud_manager).items
    assert impacts(draft) == {"VMs": (3, "brief")}


@BOTH
def test_new_from_a_template_keeps_every_offerings_impact_and_description(slack, services, world, cloud_manager):
    services.templates.create(cloud_manager, {
        "name": "Monthly patching", "message": "Patch Tuesday.", "maintenance_type": 5, "provider": "Cloud",
        "offerings": [{"offering": "Kubernetes", "impact_level": 3, "impact_description": "pods restart"},
                      {"offering": "VMs", "impact_level": 1, "impact_description": "live-migrated"}]})

    slack.command("new from Monthly patching", user=MANAGER)
    reply = slack.submit(slack.modal(), user=MANAGER)

    [draft] = services.announcements.list(cloud_manager).items
    assert impacts(draft) == {"Kubernetes": (3, "pods restart"), "VMs": (1, "live-migrated")}
    assert "Kubernetes — Partial outage: pods restart" in reply.last.content


def within_block_kit(modal: dict) -> None:
    """What Slack refuses in a modal: more than 100 blocks, labels over 2000, inputs over 3000, options over 100."""
    assert len(modal["blocks"]) <= 100
    assert len(json.dumps(modal.get("private_metadata", ""))) <= 3000
    for block in modal["blocks"]:
        assert len(block.get("block_id", "")) <= 255
        if block["type"] != "input":
            continue
        assert len(block["label"]["text"]) <= 2000
        element = block["element"]
        assert element.get("max_length", 0) <= 3000
        assert len(simulator._options(element)) <= 100
        assert all(len(o["text"]["text"]) <= 75 for o in simulator._options(element))


@pytest.fixture
def sixty(services, world, admin, cloud_manager):
    """The Cloud provider with 60 offerings (2 of the world, 58 more), announced on all of them."""
    for number in range(58):
        services.catalog.add_offering(admin, f"Compute node {number:02d} " + "x" * 60, "Cloud")
    names = sorted(o.name for o in services.catalog.markable_offerings(cloud_manager))
    affected = [{"offering": name, "impact_level": 1 + number % 4, "impact_description": f"note {number}"}
                for number, name in enumerate(names)]
    return announce(services, cloud_manager, affected=affected)


def test_sixty_offerings_stay_within_block_kit_limits_and_keep_their_impacts(slack, services, sixty,
                                                                            cloud_manager):
    before = impacts(services.announcements.get(cloud_manager, sixty.uuid))
    assert len(before) == 60

    slack.command(f"edit {sixty.short_id}", user=MANAGER)
    form = slack.modal()
    within_block_kit(form)
    assert len(blocks(form, "impact:")) == 40
    label = next(b for b in form["blocks"] if b.get("block_id") == "impact")["label"]["text"]
    assert label == "Impact on the other 20 chosen offerings"
    slack.submit(form, user=MANAGER, name="Renamed")

    after = services.announcements.get(cloud_manager, sixty.uuid)
    assert after.name == "Renamed" and impacts(after) == before  # the 20 beyond the rows keep their own too


def test_sixty_offerings_changing_the_remaining_impact_sets_only_the_offerings_without_rows(slack, services, sixty,
                                                                                          cloud_manager):
    before = impacts(services.announcements.get(cloud_manager, sixty.uuid))
    slack.command(f"edit {sixty.short_id}", user=MANAGER)
    form = slack.modal()
    rows = {b["label"]["text"].removeprefix("Impact on ") for b in blocks(form, "impact:")}

    slack.submit(form, user=MANAGER, impact="Full outage", impact_description="rack power")

    after = impacts(services.announcements.get(cloud_manager, sixty.uuid))
    assert {name: after[name] for name in rows} == {name: before[name] for name in rows}
    assert {after[name] for name in set(after) - rows} == {(4, "rack power")}


def test_choosing_sixty_offerings_redraws_within_block_kit_limits(slack, services, sixty, cloud_manager):
    slack.command("new", user=MANAGER)
    opened = slack.modal()
    every = [o["text"]["text"] for o in simulator._options(blocks(opened, "offerings")[0]["element"])]

    form = choose(slack, opened, user=MANAGER, offerings=[o["value"] for o in simulator._options(
        blocks(opened, "offerings")[0]["element"])])

    assert len(every) == 60
    within_block_kit(form)
    assert len(blocks(form, "impact:")) == 40


def test_hostile_text_in_an_offerings_description_is_shown_as_text(slack, services, world, cloud_manager):
    hostile = "<!channel> *now* <https://evil.example|click> & `x`"
    slack.command("new", user=MANAGER)
    form = choose(slack, slack.modal(), user=MANAGER, offerings=["VMs"], name="Patch <!here>")

    reply = slack.submit(form, user=MANAGER, **row(form, "VMs", "Full outage", hostile))

    [draft] = services.announcements.list(cloud_manager).items
    assert impacts(draft) == {"VMs": (4, hostile)}
    texts = [block["text"] for block in reply.last.blocks if isinstance(block.get("text"), dict)]
    shown = [text for text in texts if "<!channel>" in text["text"] or "<!here>" in text["text"]]
    assert shown and all(text["type"] == "plain_text" for text in shown)  # plain text: no ping, no link
    assert f"VMs — Full outage: {hostile}" in reply.last.content


def test_an_impact_level_slack_never_offered_is_refused_beside_its_row(slack, services, world, cloud_manager):
    slack.command("new", user=MANAGER)
    form = choose(slack, slack.modal(), user=MANAGER, offerings=["VMs"])
    key = row_of(form, "VMs")
    values = simulator.fill(form, {"name": "Odd"})
    values[f"impact:{key}"]["value"]["selected_option"] = {"value": "9", "text": {"type": "plain_text", "text": "9"}}

    reply = slack.send(simulator.view_submission(MANAGER, form, values), simulator.FORM)

    assert reply.ack["response_action"] == "errors" and list(reply.ack["errors"]) == [f"impact:{key}"]
    assert services.announcements.count(cloud_manager) == 0


@pytest.mark.parametrize("state", [
    {"values": "nonsense"},
    {"values": {"offerings": {"value": {"type": "multi_static_select", "selected_options": [{"value": ["x"]}]}}}},
    {"values": {"offerings": {"value": {"type": "multi_static_select", "selected_options": "all"}},
                "impact": {"value": {"type": "static_select", "selected_option": {"value": "99"}}},
                "name": {"value": {"type": "plain_text_input", "value": ["not", "text"]}}}},
    None,
])
def test_an_odd_redraw_request_gets_no_error_and_changes_nothing(slack, services, world, cloud_manager, state):
    slack.command("new", user=MANAGER)
    opened = slack.modal()
    data = json.loads(parse_qs(changed(MANAGER, opened, {}))["payload"][0])
    data["view"]["state"] = state

    reply = slack.send(urlencode({"payload": json.dumps(data)}), simulator.FORM)

    assert reply.status == 200
    assert services.announcements.count(cloud_manager) == 0
    for update in slack.standin.calls_to("views.update"):
        within_block_kit(json.loads(update.args["view"]) if isinstance(update.args["view"], str)
                         else update.args["view"])


def test_someone_who_cannot_edit_gets_no_redraw_of_that_announcement(slack, services, world, cloud_manager,
                                                                     standin):
    view = announce(services, cloud_manager, affected=[{"offering": "VMs", "impact_level": 4}])
    slack.command(f"edit {view.short_id}", user=MANAGER)
    form = slack.modal()

    values = simulator.fill(form, {"offerings": ["VMs", "Kubernetes"]})
    slack.send(changed(READER, form, values), simulator.FORM)

    assert standin.calls_to("views.update") == []
    assert impacts(services.announcements.get(cloud_manager, view.uuid)) == {"VMs": (int(Impact.FULL), "")}
