"""Conflicts are the same whichever side of now a window lies on: a forgotten Scheduled window that has ended is
still shown what overlapped it, in a retrieve and in a list page that mixes ended and coming windows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.announcements import AffectedInput
from bot.domain.enums import State
from tests.factories import announce

LIST = "/api/maintenance-announcements/?state=Scheduled&o=scheduled_start&page_size=300"


def scheduled(services, manager, name: str, start_days: float, hours: int = 4):
    now = services.context.clock.now()
    start = now + timedelta(days=start_days)
    return announce(services, manager, State.SCHEDULED, name=name, affected=[AffectedInput("VMs")],
                    scheduled_start=start, scheduled_end=start + timedelta(hours=hours))


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_ended_and_coming_windows_each_show_what_overlaps_them(api, services, world, cloud_manager):
    scheduled(services, cloud_manager, "Old firmware", -3)
    scheduled(services, cloud_manager, "Old kernel", -3, hours=2)  # overlaps the old firmware, ended
    scheduled(services, cloud_manager, "Long window", -3.05, hours=24 * 5)  # began before both, ends ahead
    scheduled(services, cloud_manager, "Next firmware", 1)  # overlaps the long window only

    page = api.http("cloud").get(LIST).json()

    conflicts = {item["name"]: [c["name"] for c in item["conflicts"]] for item in page}
    assert conflicts == {
        "Long window": ["Old firmware", "Old kernel", "Next firmware"],
        "Old firmware": ["Long window", "Old kernel"],
        "Old kernel": ["Long window", "Old firmware"],
        "Next firmware": ["Long window"],
    }
    old = next(item for item in page if item["name"] == "Old kernel")
    assert [c["name"] for c in api.http("admin").get(old["url"]).json()["conflicts"]] == ["Long window", "Old firmware"]
