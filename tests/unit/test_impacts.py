"""One impact for many offerings: what the form starts with, and which offerings keep their own on an edit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact
from bot.domain.impacts import DEFAULT_IMPACT, merged_impacts, shared_impact

VPN, DNS, MAIL = (UUID(int=n) for n in (1, 2, 3))


@dataclass(frozen=True)
class Marked:
    impact_level: Impact
    impact_description: str


def test_with_nothing_marked_the_form_starts_at_the_default_impact():
    assert shared_impact(()) == (DEFAULT_IMPACT, "") == (Impact.DEGRADED, "")


def test_the_form_starts_at_the_highest_impact_and_a_description_only_when_all_share_it():
    assert shared_impact([Marked(Impact.NONE, "blip"), Marked(Impact.FULL, "blip")]) == (Impact.FULL, "blip")
    assert shared_impact([Marked(Impact.PARTIAL, "a"), Marked(Impact.NONE, "b")]) == (Impact.PARTIAL, "")


BEFORE = {VPN: Marked(Impact.FULL, "down"), DNS: Marked(Impact.NONE, "")}


def test_an_edit_that_left_the_shared_impact_alone_keeps_each_offerings_own():
    saved = merged_impacts([VPN, MAIL], 2, "slow", BEFORE, keep_own=True)

    assert saved == [AffectedInput(VPN, 4, "down"), AffectedInput(MAIL, 2, "slow")]


def test_changing_the_shared_impact_applies_it_to_every_offering():
    saved = merged_impacts([VPN, DNS], 3, "flaky", BEFORE, keep_own=False)

    assert saved == [AffectedInput(VPN, 3, "flaky"), AffectedInput(DNS, 3, "flaky")]


def test_an_offering_that_is_not_a_uuid_is_passed_on_for_the_domain_to_refuse():
    assert merged_impacts(["nonsense", {"x": 1}], 2, "", BEFORE, keep_own=True) == [
        AffectedInput("nonsense", 2, ""),
        AffectedInput({"x": 1}, 2, ""),
    ]
