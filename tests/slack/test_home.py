"""The App Home: published on app_home_opened, built from what the viewer may see, kept current."""

from __future__ import annotations

from bot.domain.enums import State
from tests.factories import announce, starting_soon

READER, MANAGER = "UREADER001", "UCLOUDMGR1"


def test_a_readers_home_shows_published_maintenance_and_never_drafts_or_notes(slack, services, world,
                                                                              cloud_manager):
    announce(services, cloud_manager, State.IN_PROGRESS, name="Running now")
    announce(services, cloud_manager, State.SCHEDULED, name="Coming soon")
    announce(services, cloud_manager, name="Secret draft")

    home = slack.open_home(READER)

    assert "In progress now" in home.content and "Running now" in home.content
    assert "Upcoming" in home.content and "Coming soon" in home.content
    assert "Secret draft" not in home.content and "drafts" not in home.content
    assert "Runbook" not in home.content
    assert home.buttons == ["New announcement"]


def test_a_managers_home_adds_their_drafts_with_buttons(slack, services, world, cloud_manager):
    announce(services, cloud_manager, name="My draft")
    announce(services, cloud_manager, State.SCHEDULED, name="Coming soon")

    home = slack.open_home(MANAGER)

    assert "Your providers' drafts" in home.content and "My draft" in home.content
    assert "Runbook" not in home.content
    assert home.buttons == ["New announcement", "Start", "Edit", "Schedule", "Edit"]


def test_scheduling_from_the_home_republishes_it(slack, services, world, cloud_manager):
    draft = announce(services, cloud_manager, name="My draft")
    home = slack.open_home(MANAGER)

    reply = slack.press(home, "Schedule", user=MANAGER)

    assert services.announcements.get(cloud_manager, draft.uuid).state is State.SCHEDULED
    assert "Published *My draft*" in reply.last.content
    assert "No drafts." in reply.last.content


def test_a_refusal_in_the_home_is_shown_at_its_top(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, name="My draft")
    home = slack.open_home(MANAGER)
    services.announcements.transition(cloud_manager, view.uuid, "schedule")

    reply = slack.press(home, "Schedule", user=MANAGER)

    assert "Nothing changed" in reply.last.content and "already *Scheduled*" in reply.last.content


def test_the_new_button_in_the_home_opens_the_modal_and_the_draft_lands_in_the_home(slack, services, world):
    home = slack.open_home(MANAGER)

    slack.press(home, "New announcement", user=MANAGER)
    reply = slack.submit(slack.modal(), user=MANAGER, name="From home")

    assert "From home" in slack.home(MANAGER).content
    assert "Saved a draft of *From home*" in reply.last.content


def test_homes_of_recent_viewers_follow_changes_made_elsewhere(slack, services, world, cloud_manager):
    view = announce(services, cloud_manager, State.SCHEDULED, name="Coming soon", **starting_soon(services))
    slack.open_home(READER)

    slack.command(f"start {view.short_id}", user=MANAGER)

    home = slack.home(READER)
    running = home.content.split("Upcoming")[0]
    assert "Coming soon" in running


def test_home_lists_are_capped_with_a_hint(slack, services, world, cloud_manager):
    for number in range(20):
        announce(services, cloud_manager, State.SCHEDULED, name=f"Job {number}")

    home = slack.open_home(READER)

    assert "…and 5 more: `/maint list upcoming`" in home.content
