"""`/maint stats … chart`: the figures in the answer only the asker sees, and the same window drawn per day, shared
with the asker alone in their direct messages with maintbot (an ephemeral message cannot carry a file)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from bot.charts import HEIGHT, MAX_DAYS, WIDTH
from bot.domain.enums import Action, State
from bot.slack.reading import CHART_FAILED, CHART_SENT
from tests.factories import NOW, announce

READER, MANAGER = "UREADER001", "UCLOUDMGR1"
BOTH = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def last_week(services, cloud_manager, clock) -> None:
    """Wednesday 28 October: one completed 40 minutes past its end; Friday 30: one still scheduled; a draft."""
    clock.set(NOW - timedelta(days=5))
    late = announce(services, cloud_manager, State.SCHEDULED, name="Switch firmware",
                    scheduled_start=clock.now(), scheduled_end=clock.now() + timedelta(hours=1))
    services.announcements.transition(cloud_manager, late.uuid, Action.START)
    clock.advance(timedelta(hours=1, minutes=40))
    services.announcements.transition(cloud_manager, late.uuid, Action.COMPLETE)
    clock.set(NOW)
    announce(services, cloud_manager, State.SCHEDULED, name="Storage move",
             scheduled_start=NOW - timedelta(days=3), scheduled_end=NOW - timedelta(days=3) + timedelta(hours=2))
    announce(services, cloud_manager, State.DRAFT, name="Secret draft",
             scheduled_start=NOW - timedelta(days=4), scheduled_end=NOW - timedelta(days=4) + timedelta(hours=1))


@BOTH
def test_the_chart_of_a_chosen_window_goes_to_the_asker_alone(slack, services, world, cloud_manager, standin, clock):
    last_week(services, cloud_manager, clock)

    reply = slack.command("stats 2026-10-26 2026-11-01 provider=Cloud chart", user=MANAGER)

    assert "*Total* 3" in reply.text and CHART_SENT in reply.text  # the manager's figures count the draft
    (opened,) = standin.calls_to("conversations.open")
    assert opened.args["users"] == MANAGER
    (uploaded,) = standin.uploads_in("DCLOUDMGR1")  # their direct messages with maintbot, and nowhere else
    assert [f.channel for f in standin.files.values()] == ["DCLOUDMGR1"]
    image = Image.open(io.BytesIO(uploaded.data))
    image.load()
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
    assert image.text["Title"] == uploaded.title == "Maintenance 2026-10-26 to 2026-11-01 · Cloud"
    assert "Wed 28 Oct: 1 (1 completed, 1 overran)" in uploaded.alt_txt
    assert "Fri 30 Oct: 1 (1 scheduled)" in uploaded.alt_txt
    assert "Thu 29 Oct: 0" in uploaded.alt_txt  # drafts are counted in the words, never drawn
    assert uploaded.alt_txt == image.text["Description"]


def test_without_the_word_chart_nothing_is_uploaded(slack, services, world):
    reply = slack.command("stats 2026-10-26 2026-11-01", user=READER)

    assert "*Total* 0" in reply.text and CHART_SENT not in reply.text
    assert standin_calls(slack, "conversations.open", "files.getUploadURLExternal") == []


def test_a_window_too_long_to_draw_is_refused_with_what_to_do(slack, services, world):
    reply = slack.command("stats 2024-01-01 2026-12-31 chart", user=READER)

    assert f"A chart shows at most {MAX_DAYS} days and this window has 1096" in reply.text
    assert standin_calls(slack, "conversations.open", "files.getUploadURLExternal") == []


def test_a_window_ending_before_it_starts_is_refused_for_a_chart(slack, services, world):
    reply = slack.command("stats 2026-11-30 2026-11-01 chart", user=READER)

    assert "A chart needs END on or after START." in reply.text
    assert standin_calls(slack, "conversations.open", "files.getUploadURLExternal") == []


def test_when_slack_refuses_the_chart_the_asker_is_told_and_keeps_the_figures(slack, services, world, standin):
    standin.fail(method="files.completeUploadExternal", error="missing_scope")

    reply = slack.command("stats chart", user=READER)

    assert "*Total* 0" in reply.text and CHART_FAILED in reply.text
    assert [f for f in standin.files.values() if f.channel] == []


def standin_calls(slack, *methods: str) -> list:
    return [call for method in methods for call in slack.standin.calls_to(method)]
