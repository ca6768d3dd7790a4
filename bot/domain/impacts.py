"""One impact for many offerings: how a form that sets a single impact level and description for all the
offerings it marks reads and writes per-offering impacts, so that impacts set one by one elsewhere (the
HTTP API, templates) survive an edit that did not touch them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact

#: The impact an offering is marked with when nobody says otherwise (the seed's default level, 2).
DEFAULT_IMPACT = Impact.DEGRADED


class HasImpact(Protocol):
    @property
    def impact_level(self) -> Impact: ...
    @property
    def impact_description(self) -> str: ...


def shared_impact(items: Sequence[HasImpact]) -> tuple[Impact, str]:
    """The one impact that stands for `items`: the highest level, and the description if they all share it."""
    if not items:
        return DEFAULT_IMPACT, ""
    descriptions = {item.impact_description for item in items}
    return max(item.impact_level for item in items), descriptions.pop() if len(descriptions) == 1 else ""


def merged_impacts(
    chosen: Iterable[Any], impact: Any, description: Any, before: Mapping[UUID, HasImpact], *, keep_own: bool
) -> list[AffectedInput]:
    """The affected offerings a one-impact edit saves. With `keep_own` (the shared impact and description
    were left as shown) an offering that was already affected keeps its own; every other one, and all of
    them once the shared impact was changed, takes the shared ones. Offerings are passed on as given, for
    the domain to look up or refuse."""
    return [
        AffectedInput(offering, int(before[offering].impact_level), before[offering].impact_description)
        if keep_own and isinstance(offering, UUID) and offering in before
        else AffectedInput(offering, impact, description)
        for offering in chosen
    ]
