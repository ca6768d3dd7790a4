"""`/maint templates` in Slack: managers create, change and delete templates in a form with an impact row per
offering; others are refused; `/maint new from` an unknown name lists the templates there are."""

from __future__ import annotations

import pytest

from bot.console import simulator
from tests.slack.forms import blocks, choose, initial, row, row_of

MANAGER, STORAGE_MANAGER, READER = "UCLOUDMGR1", "USTOREMGR1", "UREADER001"
BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def template_impacts(template) -> dict[str, tuple[int, str]]:
    return {o.offering.name: (int(o.impact_level), o.impact_description) for o in template.offerings}


def patching(services, manager):
    return services.templates.create(manager, {
        "name": "Monthly patching", "message": "Patch Tuesday.", "maintenance_type": 5, "provider": "Cloud",
        "offerings": [{"offering": "VMs", "impact_level": 4, "impact_description": "reboot"},
                      {"offering": "Kubernetes", "impact_level": 2, "impact_description": "slow"}]})


@BOTH
def test_a_manager_creates_a_template_with_an_impact_per_offering_and_announces_from_it(slack, services, world,
                                                                                      cloud_manager):
    reply = slack.command("templates new", user=MANAGER)
    assert reply.body == ""
    opened = slack.modal()
    assert opened["title"]["text"] == "New template" and opened["callback_id"] == "maint.template"

    form = choose(slack, opened, user=MANAGER, offerings=["VMs", "Kubernetes"], name="Storage firmware")
    saved = slack.submit(form, user=MANAGER, message="Controllers one by one.",
                         **row(form, "VMs", "Partial outage", "volumes pause"),
                         **row(form, "Kubernetes", "No impact"))

    assert saved.ack is None
    [template] = services.templates.list(cloud_manager).items
    assert template.name == "Storage firmware" and template.provider_name == "Cloud"
    assert template_impacts(template) == {"VMs": (3, "volumes pause"), "Kubernetes": (1, "")}
    assert "Created the template *Storage firmware*" in saved.text
    assert "VMs — Partial outage: volumes pause" in saved.text
    assert "Storage firmware" in slack.command("templates", user=MANAGER).text

    slack.command("new from storage firmware", user=MANAGER)
    draft_reply = slack.submit(slack.modal(), user=MANAGER)

    [draft] = services.announcements.list(cloud_manager).items
    assert {a.offering.name: (int(a.impact_level), a.impact_description) for a in draft.affected} == {
        "VMs": (3, "volumes pause"), "Kubernetes": (1, "")}
    assert draft.message == "Controllers one by one." and "Saved a draft" in draft_reply.text


@BOTH
def test_a_manager_edits_a_template_keeping_and_changing_offerings(slack, services, world, cloud_manager):
    template = patching(services, cloud_manager)

    slack.command("templates edit monthly patching", user=MANAGER)
    form = slack.modal()
    assert form["title"]["text"] == "Edit template" and initial(form, "name") == "Monthly patching"
    assert initial(form, f"what:{row_of(form, 'VMs')}") == "reboot"
    assert blocks(form, "provider") == []  # a template's provider is fixed
    slack.submit(form, user=MANAGER, name="Patching", **row(form, "Kubernetes", "Partial outage", "drain"))
    edited = services.templates.get(cloud_manager, template.uuid)

    slack.command("templates edit Patching", user=MANAGER)
    form = choose(slack, slack.modal(), user=MANAGER, offerings=["Kubernetes"])
    assert [b["label"]["text"] for b in blocks(form, "impact:")] == ["Impact on Kubernetes"]
    slack.submit(form, user=MANAGER)
    narrowed = services.templates.get(cloud_manager, template.uuid)

    assert edited.name == "Patching"
    assert template_impacts(edited) == {"VMs": (4, "reboot"), "Kubernetes": (3, "drain")}
    assert template_impacts(narrowed) == {"Kubernetes": (3, "drain")}


def test_a_manager_deletes_a_template(slack, services, world, cloud_manager):
    patching(services, cloud_manager)

    reply = slack.command("templates delete Monthly patching", user=MANAGER)

    assert "Deleted the template *Monthly patching*" in reply.text
    assert services.templates.list(cloud_manager).count == 0


@pytest.mark.parametrize("words", ["templates new", "templates edit Monthly patching",
                                   "templates delete Monthly patching"])
def test_someone_who_manages_no_provider_cannot_change_templates(slack, services, world, cloud_manager, standin,
                                                                  words):
    before = patching(services, cloud_manager)

    reply = slack.command(words, user=READER)

    assert "Only a provider's managers" in reply.text
    assert standin.calls_to("views.open") == []
    [after] = services.templates.list(cloud_manager).items
    assert after == before


@pytest.mark.parametrize("words", ["templates edit Monthly patching", "templates delete Monthly patching"])
def test_another_providers_manager_cannot_touch_the_template(slack, services, world, cloud_manager, standin, words):
    patching(services, cloud_manager)

    reply = slack.command(words, user=STORAGE_MANAGER)

    assert "No template matches" in reply.text and standin.calls_to("views.open") == []
    assert services.templates.list(cloud_manager).count == 1


def test_a_template_form_submitted_by_someone_who_may_not_save_it_changes_nothing(slack, services, world,
                                                                                 cloud_manager):
    template = patching(services, cloud_manager)
    slack.command("templates edit Monthly patching", user=MANAGER)
    form = slack.modal()

    reply = slack.submit(form, user=STORAGE_MANAGER, name="Hijacked")

    assert reply.ack["response_action"] == "errors"
    assert services.templates.get(cloud_manager, template.uuid).name == "Monthly patching"


def test_new_from_an_unknown_template_lists_the_known_ones(slack, services, world, cloud_manager, standin):
    patching(services, cloud_manager)

    reply = slack.command("new from Weekly patching", user=MANAGER)

    assert "No template matches 'Weekly patching'" in reply.text
    assert "Your templates: `Monthly patching`" in reply.text
    assert standin.calls_to("views.open") == []


def test_editing_an_unknown_template_lists_the_known_ones(slack, services, world, cloud_manager, standin):
    patching(services, cloud_manager)

    reply = slack.command("templates edit Nope", user=MANAGER)

    assert "No template matches 'Nope'" in reply.text and "`Monthly patching`" in reply.text
    assert standin.calls_to("views.open") == []


def test_with_no_templates_the_unknown_name_says_how_to_make_one(slack, world):
    reply = slack.command("new from Anything", user=MANAGER)

    assert "`/maint templates new`" in reply.text


@pytest.mark.parametrize("words", ["templates rename X", "templates new Extra words", "templates edit",
                                   "templates delete"])
def test_templates_words_it_cannot_read_get_the_usage(slack, world, standin, words):
    reply = slack.command(words, user=MANAGER)

    assert "/maint templates" in reply.text and standin.calls_to("views.open") == []


def test_a_blank_template_name_is_refused_beside_the_name(slack, services, world, cloud_manager):
    slack.command("templates new", user=MANAGER)

    reply = slack.submit(slack.modal(), user=MANAGER, name="   ")

    assert reply.ack["response_action"] == "errors" and "name" in reply.ack["errors"]
    assert services.templates.list(cloud_manager).count == 0


def test_hostile_template_text_is_escaped_in_answers(slack, services, world, cloud_manager):
    hostile = "<!channel> *x* <https://evil.example|y>"
    slack.command("templates new", user=MANAGER)
    form = choose(slack, slack.modal(), user=MANAGER, offerings=["VMs"])

    saved = slack.submit(form, user=MANAGER, name=hostile, **row(form, "VMs", "Full outage", hostile))
    listed = slack.command("templates", user=MANAGER)
    unknown = slack.command("new from <!here>", user=MANAGER)

    [template] = services.templates.list(cloud_manager).items
    assert template.name == hostile and template_impacts(template) == {"VMs": (4, hostile)}
    for reply in (saved, listed, unknown):
        assert "<!channel>" not in reply.text and "<!here>" not in reply.text and "<https://evil" not in reply.text
    assert "&lt;!channel&gt;" in saved.text and "&lt;!channel&gt;" in listed.text


def test_sixty_offerings_in_a_template_form_stay_within_block_kit_limits(slack, services, world, admin,
                                                                        cloud_manager):
    for number in range(58):
        services.catalog.add_offering(admin, f"Node {number:02d}", "Cloud")
    slack.command("templates new", user=MANAGER)
    opened = slack.modal()
    every = [o["value"] for o in simulator._options(blocks(opened, "offerings")[0]["element"])]

    form = choose(slack, opened, user=MANAGER, offerings=every, name="Everything")
    slack.submit(form, user=MANAGER, impact="Partial outage", **row(form, "Kubernetes", "Full outage"))

    assert len(every) == 60 and len(form["blocks"]) <= 100 and len(blocks(form, "impact:")) == 40
    [template] = services.templates.list(cloud_manager).items
    levels = template_impacts(template)
    assert len(levels) == 60 and levels["Kubernetes"] == (4, "")
    assert sorted({level for level, _ in levels.values()}) == [2, 3, 4]  # rows default, the rest share one
