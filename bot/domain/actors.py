"""Who is acting, and what they may manage.

Permission is decided here and only here (DESIGN §2): admins manage everything; a provider's managers
(its Slack user ids, members of its user groups, or a token scoped to it) manage that provider;
everyone else may read what is published. Channel membership is never permission.

Marking an offering as affected speaks to that offering's audience (its subscribed channels, its calendar
feed), so it takes the right to manage the offering's provider too: a provider's managers mark their own
offerings, admins (or someone managing both providers) mark anyone's. This differs from the seed on purpose.

`Reach` states each decision twice, on purpose: as a plain method for a row in hand (`manages`, `may_see`,
`may_mark_affected`, `require_…`; tested without a database in tests/unit/test_permissions_rules.py), and as a
SQL condition for queries over many rows (`provider_condition`, `visible_announcements`), which the database
tests hold to the same answers. Only `Reach.of` looks anything up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from bot.domain.enums import PUBLIC_STATES, Interface, State
from bot.domain.errors import NotAllowed
from storage.models import Announcement, Offering, Provider, ProviderManager


@dataclass(frozen=True)
class Actor:
    """Someone (or something) acting through one interface."""

    id: str
    interface: Interface
    admin: bool = False
    groups: frozenset[str] = field(default_factory=frozenset)
    providers: frozenset[UUID] = field(default_factory=frozenset)

    @classmethod
    def system(cls, interface: Interface) -> Actor:
        """The scheduler or the admin CLI: trusted, acting on everyone's behalf."""
        return cls(id=interface.value, interface=interface, admin=True)


class Reach:
    """The providers an actor manages, looked up once per unit of work, and what that lets them do."""

    def __init__(self, provider_ids: set[int] | None) -> None:
        self._ids = provider_ids  # None: every provider (an admin)

    @classmethod
    def of(cls, session: Session, actor: Actor, admins: frozenset[str]) -> Reach:
        """The reach of `actor`: admins (by flag or by the configured ids) reach everything; others reach the
        providers that list them or one of their groups as managers, and the one a provider token names."""
        if actor.admin or actor.id in admins:
            return cls(None)
        slack_ids = {actor.id, *actor.groups}
        ids = set(session.scalars(select(ProviderManager.provider_id).where(ProviderManager.slack_id.in_(slack_ids))))
        if actor.providers:
            ids |= set(session.scalars(select(Provider.id).where(Provider.uuid.in_(actor.providers))))
        return cls(ids)

    # -- decisions, for a row in hand ----------------------------------------------------------------

    @property
    def is_admin(self) -> bool:
        return self._ids is None

    def manages(self, provider_id: int) -> bool:
        return self._ids is None or provider_id in self._ids

    def may_see(self, state: State, provider_id: int) -> bool:
        """Published announcements are everyone's to read; the others are their provider's managers' alone."""
        return state in PUBLIC_STATES or self.manages(provider_id)

    def require_admin(self, refusal: str) -> None:
        """Refuse anyone but a maintbot admin, saying `refusal` (what only admins may do)."""
        if not self.is_admin:
            raise NotAllowed(refusal)

    def require_manager(self, provider_id: int, refusal: str | None = None) -> None:
        """Refuse anyone who does not manage the provider (`refusal`, or the general words)."""
        if not self.manages(provider_id):
            raise NotAllowed(refusal) if refusal else NotAllowed()

    def may_mark_affected(self, offering: Offering) -> bool:
        """Whether this actor may mark `offering` as affected by an announcement (or put it in a template)."""
        return self.manages(offering.provider_id)

    def require_may_mark_affected(self, offerings: Iterable[Offering]) -> None:
        """Refuse, naming the first one, when any of `offerings` is another provider's that this actor does not
        manage. Offerings already marked stay: only newly marked ones are passed here."""
        for offering in offerings:
            if not self.may_mark_affected(offering):
                owner = offering.provider.name
                raise NotAllowed(
                    f"Marking {owner}/{offering.name} as affected needs an admin or a manager of {owner}: "
                    f"its subscribers would be told.",
                    field="affected",
                )

    # -- the same decisions in SQL, for queries over many rows -------------------------------------------

    def provider_condition(self, column) -> ColumnElement[bool]:
        """SQL: the row's provider is one this actor manages."""
        if self._ids is None:
            return true()
        return column.in_(self._ids) if self._ids else false()

    def visible_parts(self) -> list[ColumnElement[bool]]:
        """`visible_announcements` as disjoint conditions — published ones; the others of the providers managed — so
        that a count is a range of an index per part, where the OR of the two made SQLite scan a whole index."""
        if self._ids is None:
            return [true()]
        public = [int(s) for s in PUBLIC_STATES]
        parts = [Announcement.state.in_(public)]
        if self._ids:
            hidden = [int(s) for s in State if s not in PUBLIC_STATES]
            parts.append(Announcement.state.in_(hidden) & Announcement.provider_id.in_(self._ids))
        return parts

    def visible_announcements(
        self, state=Announcement.state, provider_id=Announcement.provider_id
    ) -> ColumnElement[bool]:
        """SQL: announcements this actor may see (`may_see`): published ones, and all of the providers they manage.
        `state` and `provider_id` are the columns they are read from (those of the statistics rollup's groups too)."""
        if self._ids is None:
            return true()
        return or_(state.in_([int(s) for s in PUBLIC_STATES]), self.provider_condition(provider_id))
