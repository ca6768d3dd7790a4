"""One impact for many offerings: how a form that sets a single impact level and description for all the
offerings it marks reads and writes per-offering impacts, so that impacts set one by one elsewhere (the
HTTP API, templates) survive an edit that did not touch them. `Announcements.update(keep_impacts=…)` applies
`merged_impact` to the rows it holds locked, in the edit's own transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol
from uuid import UUID

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


def merged_impact(shared: tuple[int, str], own: HasImpact | None, *, keep_own: bool) -> tuple[int, str]:
    """The (level, description) a one-impact edit saves for one offering: its own when it was already affected
    (`own`) and the form's one impact and description were left as shown (`keep_own`); the form's otherwise."""
    if keep_own and own is not None:
        return int(own.impact_level), own.impact_description
    return shared


def keeps_own(keep: bool | Collection[UUID], offering: UUID) -> bool:
    """Whether the merge rule (`merged_impact(keep_own=True)`) applies to `offering`: to every offering (`True`),
    or only to those an editor gave the one shared impact (a set), when it also sets impacts one by one."""
    return keep if isinstance(keep, bool) else offering in keep
