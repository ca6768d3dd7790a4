"""Who is acting, and what they may manage.

Permission is decided here and only here (DESIGN §2): admins manage everything; a provider's managers
(its Slack user ids, members of its user groups, or a token scoped to it) manage that provider;
everyone else may read what is published. Channel membership is never permission.

Marking an offering as affected speaks to that offering's audience (its subscribed channels, its calendar
feed), so it takes the right to manage the offering's provider too: a provider's managers mark their own
offerings, admins (or someone managing both providers) mark anyone's. This differs from the seed on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from bot.domain.enums import PUBLIC_STATES, Interface
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
    """The providers an actor manages, looked up once per unit of work."""

    def __init__(self, provider_ids: set[int] | None) -> None:
        self._ids = provider_ids  # None: every provider (an admin)

    @classmethod
    def of(cls, session: Session, actor: Actor, admins: frozenset[str]) -> Reach:
        if actor.admin or actor.id in admins:
            return cls(None)
        slack_ids = {actor.id, *actor.groups}
        ids = set(session.scalars(select(ProviderManager.provider_id).where(ProviderManager.slack_id.in_(slack_ids))))
        if actor.providers:
            ids |= set(session.scalars(select(Provider.id).where(Provider.uuid.in_(actor.providers))))
        return cls(ids)

    @property
    def is_admin(self) -> bool:
        return self._ids is None

    def manages(self, provider_id: int) -> bool:
        return self._ids is None or provider_id in self._ids

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

    def provider_condition(self, column) -> ColumnElement[bool]:
        """SQL: the row's provider is one this actor manages."""
        if self._ids is None:
            return true()
        return column.in_(self._ids) if self._ids else false()

    def visible_announcements(self) -> ColumnElement[bool]:
        """SQL: announcements this actor may see: published ones, and all of the providers they manage."""
        if self._ids is None:
            return true()
        return or_(
            Announcement.state.in_([int(s) for s in PUBLIC_STATES]), self.provider_condition(Announcement.provider_id)
        )
