"""One impact for many offerings: what the form starts with, and which offerings keep their own on an edit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.enums import Impact
from bot.domain.impacts import DEFAULT_IMPACT, merged_impact, shared_impact


@dataclass(frozen=True)
class Marked:
    impact_level: Impact
    impact_description: str


def test_with_nothing_marked_the_form_starts_at_the_default_impact():
    assert shared_impact(()) == (DEFAULT_IMPACT, "") == (Impact.DEGRADED, "")


def test_the_form_starts_at_the_highest_impact_and_a_description_only_when_all_share_it():
    assert shared_impact([Marked(Impact.NONE, "blip"), Marked(Impact.FULL, "blip")]) == (Impact.FULL, "blip")
    assert shared_impact([Marked(Impact.PARTIAL, "a"), Marked(Impact.NONE, "b")]) == (Impact.PARTIAL, "")


def test_an_edit_that_left_the_shared_impact_alone_keeps_an_offerings_own():
    assert merged_impact((2, "slow"), Marked(Impact.FULL, "down"), keep_own=True) == (4, "down")


def test_an_offering_marked_for_the_first_time_takes_the_shared_impact():
    assert merged_impact((2, "slow"), None, keep_own=True) == (2, "slow")


def test_changing_the_shared_impact_applies_it_to_every_offering():
    assert merged_impact((3, "flaky"), Marked(Impact.FULL, "down"), keep_own=False) == (3, "flaky")
