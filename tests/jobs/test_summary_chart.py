"""The weekly summary as a picture: a PNG chart of last week, uploaded once into the summary's channel, right after
the summary, and uploaded again only when Slack did not take it.

What the picture claims is read from the PNG itself: Pillow decodes it (size, colours), and the title and alt text
the renderer was given are the PNG's own `Title` and `Description` metadata (bot/charts.py writes them).
"""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.charts import COMPLETED, HEIGHT, OVERRAN, WIDTH
from bot.domain.enums import Action, State
from bot.jobs.tick import SummarySchedule, Ticker
from tests.factories import announce
from tests.jobs.helpers import notices

WEEK_TITLE = "Maintenance, week of 26 Oct – 01 Nov 2026: Cloud"
UTC = ZoneInfo("UTC")


def ticker_for(services, channel: str | None = None, chart: bool = True) -> Ticker:
    return Ticker(services, schedule=SummarySchedule.parse("mon 09:00", UTC), summary_channel=channel, chart=chart)


def last_week(services, cloud_manager, clock) -> None:
    """Tuesday: one completed an hour past its end; Thursday: one completed on time (clock back to Monday)."""
    monday = clock.now()  # 2 November 2026, 09:00 UTC
    clock.set(monday - timedelta(days=6, hours=2))
    late = announce(services, cloud_manager, State.SCHEDULED, name="DB failover",
                    scheduled_start=clock.now() + timedelta(hours=1), scheduled_end=clock.now() + timedelta(hours=2))
    clock.advance(timedelta(hours=1))
    services.announcements.transition(cloud_manager, late.uuid, Action.START)
    clock.advance(timedelta(hours=2))
    services.announcements.transition(cloud_manager, late.uuid, Action.COMPLETE)
    clock.set(monday - timedelta(days=4))
    prompt = announce(services, cloud_manager, State.SCHEDULED, name="CVE patch", maintenance_type=2,
                      scheduled_start=clock.now(), scheduled_end=clock.now() + timedelta(hours=1))
    services.announcements.transition(cloud_manager, prompt.uuid, Action.START)
    clock.advance(timedelta(hours=1))
    services.announcements.transition(cloud_manager, prompt.uuid, Action.COMPLETE)
    clock.set(monday)


#: Pixels of one colour that make a bar (a bar of one is about 100 × 100); the legend's swatch is about 20 × 10.
BAR_PIXELS = 2000


def colours(image: Image.Image) -> dict[tuple[int, int, int], int]:
    """Each colour in the picture, with how many pixels have it."""
    return {colour: count for count, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_the_summary_is_followed_by_a_chart_of_the_week_whose_title_names_the_week_and_the_provider(
    db, services, world, cloud_manager, dispatcher, standin, clock
):
    last_week(services, cloud_manager, clock)

    ticker_for(services, channel="CSUMMARY01").tick()
    assert standin.calls_to("files.getUploadURLExternal") == []  # the tick only queues; rendering is delivery's
    dispatcher.deliver_due()

    (summary, shared) = standin.posts_in("CSTATS0001")
    assert summary.blocks[0]["text"]["text"] == f"📊 {WEEK_TITLE}"  # the words first, then the picture
    (uploaded,) = standin.uploads_in("CSTATS0001")
    assert shared.files[0]["id"] == uploaded.id and uploaded.title == WEEK_TITLE
    assert uploaded.name == "maintenance-week-2026-10-26-cloud.png"
    image = Image.open(io.BytesIO(uploaded.data))
    image.load()
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
    assert image.text["Title"] == WEEK_TITLE
    # The numbers, in words, for whoever cannot see it: the alt text Slack got is the one drawn from.
    assert uploaded.alt_txt == image.text["Description"]
    assert "Tue 27 Oct: 1 (1 completed, 1 overran)" in uploaded.alt_txt
    assert "Thu 29 Oct: 1 (1 completed)" in uploaded.alt_txt and "Mon 26 Oct: 0" in uploaded.alt_txt
    # Not blank: Tuesday's overrun and Thursday's on-time completion are both drawn, in their colours.
    seen = colours(image)
    assert len(seen) > 50 and seen.get(rgb(OVERRAN), 0) > BAR_PIXELS and seen.get(rgb(COMPLETED), 0) > BAR_PIXELS
    (everyone,) = standin.uploads_in("CSUMMARY01")
    assert everyone.title == "Maintenance, week of 26 Oct – 01 Nov 2026: all providers"
    assert [n.status for n in notices(db, "summary_chart")] == ["sent", "sent"]


def test_a_week_without_maintenance_still_gets_its_chart(db, services, world, dispatcher, standin, clock):
    ticker_for(services).tick()
    dispatcher.deliver_due()

    (uploaded,) = standin.uploads_in("CSTATS0001")
    image = Image.open(io.BytesIO(uploaded.data))
    assert image.size == (WIDTH, HEIGHT) and image.text["Title"] == WEEK_TITLE
    assert "Mon 26 Oct: 0" in uploaded.alt_txt and "Sun 01 Nov: 0" in uploaded.alt_txt
    assert colours(image).get(rgb(COMPLETED), 0) < BAR_PIXELS  # no bar, only the legend's swatch


@pytest.mark.parametrize(
    "fault",
    [
        {"method": "files.getUploadURLExternal", "status": 503},  # no upload URL
        {"method": "upload", "status": 500},  # the bytes did not arrive
        {"method": "files.completeUploadExternal", "status": 500},  # Slack did not share it
        {"method": "files.completeUploadExternal", "drop": True},  # shared, but the answer was lost
    ],
    ids=["no-url", "upload-failed", "share-failed", "share-answer-lost"],
)
def test_a_failed_upload_is_retried_and_the_chart_is_shared_exactly_once(
    db, services, world, dispatcher, standin, clock, fault
):
    standin.fail(**fault)
    ticker_for(services).tick()

    dispatcher.deliver_due()
    (chart,) = notices(db, "summary_chart")
    assert chart.status == "pending" and chart.attempts == 1 and chart.last_error
    assert len(standin.posts_in("CSTATS0001")) == (2 if fault.get("drop") else 1)  # the summary went out
    clock.advance(timedelta(minutes=11))  # past the longest back-off
    dispatcher.deliver_due()
    dispatcher.deliver_due()

    (chart,) = notices(db, "summary_chart")
    assert chart.status == "sent"
    (uploaded,) = standin.uploads_in("CSTATS0001")
    assert Image.open(io.BytesIO(uploaded.data)).text["Title"] == WEEK_TITLE
    assert len([m for m in standin.posts_in("CSTATS0001") if m.files]) == 1


def test_without_files_write_the_summary_still_goes_out_and_admins_see_why_the_chart_did_not(
    db, services, world, admin, dispatcher, standin, clock
):
    standin.fail(method="files.getUploadURLExternal", error="missing_scope", times=None)
    ticker_for(services).tick()

    dispatcher.deliver_due()

    (summary,) = standin.posts_in("CSTATS0001")
    assert summary.blocks[0]["text"]["text"] == f"📊 {WEEK_TITLE}"
    (failed,) = services.outbox.failed(admin)
    assert (failed.kind, failed.last_error) == ("summary_chart", "missing_scope")


def test_the_chart_can_be_turned_off(db, services, world, dispatcher, standin, clock):
    assert ticker_for(services, chart=False).tick().summaries == 1
    dispatcher.deliver_due()

    assert len(standin.posts_in("CSTATS0001")) == 1 and standin.uploads_in("CSTATS0001") == []
    assert notices(db, "summary_chart") == []
