"""Providers and offerings: who announces, where it goes, who manages it. Set up by admins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from bot.domain import lookup
from bot.domain.actors import Actor
from bot.domain.announcements import offering_view
from bot.domain.context import Context
from bot.domain.errors import Invalid, NotAllowed
from bot.domain.matchers import MatcherError, canonical
from bot.domain.validation import NAME_MAX, parse_lead_times, unsafe_characters
from bot.domain.views import OfferingView, ProviderView
from storage.models import (
    AffectedOffering,
    Announcement,
    ApiToken,
    Offering,
    Provider,
    ProviderManager,
    Subscription,
    Template,
    TemplateOffering,
)

# Slack ids, as long as the columns that store them (32).
CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,31}")
USER = re.compile(r"[UW][A-Z0-9]{2,31}")
GROUP = re.compile(r"S[A-Z0-9]{2,31}")
REMINDERS_MAX = 100
ADMINS_ONLY = "Only maintbot admins can set up service providers."
MANAGERS_ONLY = "Only admins and this provider's managers can add its offerings."
SILENCES_ADMINS_ONLY = "Only maintbot admins can set which alerts maintenance silences."
OFFERING_MANAGERS_ONLY = "Only admins and this provider's managers can rename or remove its offerings."
#: How many of the announcements that keep a provider or an offering in place a refusal names.
NAMED_IN_REFUSAL = 3


class InUse(NotAllowed):
    """A provider or offering announcements still refer to: removing it would erase their history."""


@dataclass(frozen=True)
class Removed:
    """What went with a removed provider or offering (offerings, templates' mentions, subscriptions, tokens)."""

    name: str
    offerings: int = 0
    templates: int = 0
    subscriptions: int = 0
    tokens: int = 0

    def summary(self) -> str:
        """'2 offering(s), 1 channel subscription(s)', or 'nothing else'."""
        parts = [f"{self.offerings} offering(s)" if self.offerings else "",
                 f"{self.templates} template mention(s)" if self.templates else "",
                 f"{self.subscriptions} channel subscription(s)" if self.subscriptions else "",
                 f"{self.tokens} API token(s)" if self.tokens else ""]
        return ", ".join(part for part in parts if part) or "nothing else"


def provider_view(row: Provider) -> ProviderView:
    return ProviderView(
        uuid=row.uuid,
        name=row.name,
        channel_id=row.channel_id,
        stats_channel_id=row.stats_channel_id,
        manager_users=tuple(sorted(m.slack_id for m in row.managers if m.kind == "user")),
        manager_groups=tuple(sorted(m.slack_id for m in row.managers if m.kind == "group")),
        auto_start=row.auto_start,
        reminders=row.reminders,
        silence_matchers=row.silence_matchers or "",
        silence_at_start=bool(row.silence_at_start),
    )


def _check_provider_fields(fields: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = fields.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX or "\x00" in name):
        errors["name"] = [f"A name of 1 to {NAME_MAX} characters is required."]
    elif name is not None and unsafe_characters(name, multiline=False):
        errors["name"] = [unsafe_characters(name, multiline=False)]
    for key in ("channel_id", "stats_channel_id"):
        value = fields.get(key)
        if value and not CHANNEL.fullmatch(value):
            errors[key] = [f"{value!r} is not a Slack channel id (like C0123ABCD)."]
    for user in fields.get("manager_users") or ():
        if not USER.fullmatch(user):
            errors.setdefault("manager_users", []).append(f"{user!r} is not a Slack user id (like U0123ABCD).")
    for group in fields.get("manager_groups") or ():
        if not GROUP.fullmatch(group):
            errors.setdefault("manager_groups", []).append(f"{group!r} is not a Slack user-group id (like S0123ABCD).")
    if fields.get("reminders"):
        try:
            parse_lead_times(fields["reminders"])
            if len(fields["reminders"]) > REMINDERS_MAX:
                raise ValueError(f"at most {REMINDERS_MAX} characters of lead times")
        except ValueError as error:
            errors["reminders"] = [str(error)]
    if "silence_matchers" in fields:
        try:
            fields["silence_matchers"] = _matchers(fields["silence_matchers"])
        except MatcherError as error:
            errors["silence_matchers"] = [str(error)]
    return errors


def _matchers(value: object) -> str:
    """Matchers as stored: canonical, or "" to clear (None and blank clear too)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MatcherError('Matchers are text, like service="vm".')
    return canonical(value)


class Catalog:
    def __init__(self, context: Context) -> None:
        self.context = context

    # -- providers ---------------------------------------------------------------------------------

    def providers(self) -> list[ProviderView]:
        """Every provider; names and channels are not secret."""
        with self.context.reading() as uow:
            return [provider_view(p) for p in uow.session.scalars(select(Provider).order_by(Provider.name))]

    def provider(self, reference: object) -> ProviderView:
        with self.context.reading() as uow:
            return provider_view(lookup.provider(uow.session, reference))

    def managed_providers(self, actor: Actor) -> list[ProviderView]:
        """The providers `actor` may announce for (all of them for an admin)."""
        with self.context.reading() as uow:
            query = select(Provider).where(uow.reach(actor).provider_condition(Provider.id)).order_by(Provider.name)
            return [provider_view(p) for p in uow.session.scalars(query)]

    def add_provider(
        self,
        actor: Actor,
        name: str,
        channel_id: str,
        *,
        stats_channel_id: str | None = None,
        manager_users: tuple[str, ...] = (),
        manager_groups: tuple[str, ...] = (),
        auto_start: bool = False,
        reminders: str | None = None,
        silence_matchers: str | None = None,
        silence_at_start: bool = False,
    ) -> ProviderView:
        fields = dict(
            name=name,
            channel_id=channel_id,
            stats_channel_id=stats_channel_id,
            manager_users=manager_users,
            manager_groups=manager_groups,
            reminders=reminders,
            silence_matchers=silence_matchers,
        )
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            uow.require_admin(actor, ADMINS_ONLY)
            errors = _check_provider_fields(fields)
            if not channel_id:
                errors["channel_id"] = ["An announcement channel is required."]
            if not errors and session.scalar(select(Provider.id).where(Provider.name == name.strip())):
                errors["name"] = [f"A service provider named {name.strip()!r} already exists."]
            if errors:
                raise Invalid(errors)
            row = Provider(
                name=name.strip(),
                channel_id=channel_id,
                stats_channel_id=stats_channel_id or None,
                auto_start=auto_start,
                reminders=reminders or None,
                silence_matchers=fields["silence_matchers"],
                silence_at_start=silence_at_start,
                created=now,
            )
            row.managers = self._managers(manager_users, manager_groups)
            session.add(row)
            session.flush()
            uow.record(actor, "created", f"Service provider {row.name}", provider_uuid=row.uuid)
            view = provider_view(row)
            uow.commit()
            return view

    def update_provider(self, actor: Actor, reference: object, **fields: Any) -> ProviderView:
        """Change a provider's name, channels, managers, auto-start or reminder lead times (admins only)."""
        allowed = {
            "name",
            "channel_id",
            "stats_channel_id",
            "manager_users",
            "manager_groups",
            "auto_start",
            "reminders",
            "silence_matchers",
            "silence_at_start",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise Invalid({name: ["Unknown field."] for name in sorted(unknown)})
        with self.context.unit_of_work() as uow:
            session = uow.session
            uow.require_admin(actor, ADMINS_ONLY)
            row = lookup.provider(session, reference)
            if isinstance(fields.get("name"), str):
                fields["name"] = fields["name"].strip()
            errors = _check_provider_fields(fields)
            if "channel_id" in fields and not fields["channel_id"]:
                errors["channel_id"] = ["An announcement channel is required."]
            name = fields.get("name")
            taken = select(Provider.id).where(Provider.name == name, Provider.id != row.id)
            if not errors and name and name != row.name and session.scalar(taken):
                errors["name"] = [f"A service provider named {name!r} already exists."]
            if errors:
                raise Invalid(errors)
            changes = {}
            for key in ("name", "channel_id", "stats_channel_id", "auto_start", "reminders", "silence_matchers",
                        "silence_at_start"):
                if key in fields and fields[key] != getattr(row, key):
                    changes[key] = (getattr(row, key), fields[key])
                    setattr(row, key, fields[key])
            if "manager_users" in fields or "manager_groups" in fields:
                before = provider_view(row)
                users = fields.get("manager_users", before.manager_users)
                groups = fields.get("manager_groups", before.manager_groups)
                row.managers.clear()
                session.flush()
                row.managers.extend(self._managers(users, groups))
                session.flush()
                changes["managers"] = (
                    ", ".join(before.manager_users + before.manager_groups),
                    ", ".join((*users, *groups)),
                )
            if changes:
                uow.record(actor, "updated", f"Service provider {row.name}", provider_uuid=row.uuid, changes=changes)
            view = provider_view(row)
            uow.commit()
            return view

    # -- offerings ---------------------------------------------------------------------------------

    def offerings(self, provider: object | None = None) -> list[OfferingView]:
        with self.context.reading() as uow:
            query = select(Offering).join(Provider).order_by(Provider.name, Offering.name)
            if provider is not None:
                query = query.where(Offering.provider_id == lookup.provider(uow.session, provider).id)
            return [offering_view(o) for o in uow.session.scalars(query)]

    def markable_offerings(self, actor: Actor) -> list[OfferingView]:
        """The offerings `actor` may mark as affected (`Reach.may_mark_affected`, in SQL): those of the providers
        they manage, every one for admins."""
        with self.context.reading() as uow:
            query = (
                select(Offering)
                .join(Provider)
                .where(uow.reach(actor).provider_condition(Offering.provider_id))
                .order_by(Provider.name, Offering.name)
            )
            return [offering_view(o) for o in uow.session.scalars(query)]

    def offering(self, reference: object) -> OfferingView:
        with self.context.reading() as uow:
            return offering_view(lookup.offering(uow.session, reference))

    def add_offering(self, actor: Actor, name: str, provider: object) -> OfferingView:
        """A new offering of `provider`; admins and that provider's managers may add one."""
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            owner = lookup.provider(session, provider)
            uow.reach(actor).require_manager(owner.id, MANAGERS_ONLY)
            if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX or "\x00" in name:
                raise Invalid.one("name", f"A name of 1 to {NAME_MAX} characters is required.")
            if unsafe_characters(name, multiline=False):
                raise Invalid.one("name", unsafe_characters(name, multiline=False))
            taken = select(Offering.id).where(Offering.provider_id == owner.id, Offering.name == name.strip())
            if session.scalar(taken):
                raise Invalid.one("name", f"{owner.name} already has an offering named {name.strip()!r}.")
            row = Offering(name=name.strip(), provider=owner, provider_id=owner.id, created=now)
            session.add(row)
            session.flush()
            uow.record(actor, "created", f"Offering {owner.name}/{row.name}", provider_uuid=owner.uuid)
            view = offering_view(row)
            uow.commit()
            return view

    def set_offering_silence(self, actor: Actor, reference: object, matchers: object) -> OfferingView:
        """Set the Alertmanager matchers of an offering's silences ("" or None: use the provider's); admins only.
        Bad syntax is a field error on `silence_matchers` and changes nothing."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            uow.require_admin(actor, SILENCES_ADMINS_ONLY)
            row = lookup.offering(session, reference)
            try:
                value = _matchers(matchers)
            except MatcherError as error:
                raise Invalid.one("silence_matchers", str(error)) from None
            if value != (row.silence_matchers or ""):
                changes = {"silence_matchers": (row.silence_matchers or "", value)}
                row.silence_matchers = value
                uow.record(actor, "updated", f"Offering {row.provider.name}/{row.name}",
                           provider_uuid=row.provider.uuid, changes=changes)
            view = offering_view(row)
            uow.commit()
            return view

    # -- renaming and removing (bot/cli.py) ----------------------------------------------------------

    def remove_provider(self, actor: Actor, reference: object) -> Removed:
        """Remove a provider with its offerings, templates, subscriptions, managers and API tokens (admins only).

        Refused (`InUse`) while any announcement is its own or affects one of its offerings, in any state:
        announcements are the record of what happened, and deleting them is a decision of its own
        (`/maint delete`, or the HTTP API), never a side effect of tidying the catalog.
        """
        with self.context.unit_of_work() as uow:
            session = uow.session
            uow.require_admin(actor, ADMINS_ONLY)
            row = lookup.provider(session, reference)
            offerings = select(Offering.id).where(Offering.provider_id == row.id)
            referring = select(Announcement).where(
                (Announcement.provider_id == row.id)
                | Announcement.id.in_(
                    select(AffectedOffering.announcement_id).where(AffectedOffering.offering_id.in_(offerings))
                )
            )
            self._refuse_in_use(session, referring, f"Service provider {row.name!r}")
            removed = Removed(
                row.name,
                offerings=self._count(session, select(Offering.id).where(Offering.provider_id == row.id)),
                templates=self._count(session, select(Template.id).where(Template.provider_id == row.id)),
                subscriptions=self._count(session, select(Subscription.id).where(
                    (Subscription.provider_id == row.id) | Subscription.offering_id.in_(offerings))),
                tokens=self._count(session, select(ApiToken.id).where(ApiToken.provider_id == row.id)),
            )
            uow.record(actor, "deleted", f"Service provider {row.name}, with {removed.summary()}",
                       provider_uuid=row.uuid)
            # The rest goes with it by the foreign keys' ON DELETE CASCADE (other providers' templates that name
            # its offerings lose those mentions).
            session.execute(delete(Provider).where(Provider.id == row.id))
            uow.commit()
            return removed

    def rename_offering(self, actor: Actor, reference: object, name: str) -> OfferingView:
        """Give an offering a new name (admins and its provider's managers); unique within its provider.

        Cards already posted show the new name the next time their announcement changes."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            row = lookup.offering(session, reference)
            uow.reach(actor).require_manager(row.provider_id, OFFERING_MANAGERS_ONLY)
            new = _offering_name(name)
            taken = select(Offering.id).where(
                Offering.provider_id == row.provider_id, func.lower(Offering.name) == new.lower(), Offering.id != row.id
            )
            if session.scalar(taken):
                raise Invalid.one("name", f"{row.provider.name} already has an offering named {new!r}.")
            if new != row.name:
                changes = {"name": (row.name, new)}
                uow.record(actor, "updated", f"Offering {row.provider.name}/{row.name}",
                           provider_uuid=row.provider.uuid, changes=changes)
                row.name = new
            view = offering_view(row)
            uow.commit()
            return view

    def remove_offering(self, actor: Actor, reference: object) -> Removed:
        """Remove an offering (admins and its provider's managers), with the subscriptions to it and its place
        in templates. Refused (`InUse`) while any announcement, in any state, marks it affected."""
        with self.context.unit_of_work() as uow:
            session = uow.session
            row = lookup.offering(session, reference)
            uow.reach(actor).require_manager(row.provider_id, OFFERING_MANAGERS_ONLY)
            referring = select(Announcement).where(Announcement.id.in_(
                select(AffectedOffering.announcement_id).where(AffectedOffering.offering_id == row.id)))
            self._refuse_in_use(session, referring, f"Offering {row.provider.name}/{row.name}")
            removed = Removed(
                f"{row.provider.name}/{row.name}",
                templates=self._count(session, select(TemplateOffering.id).where(
                    TemplateOffering.offering_id == row.id)),
                subscriptions=self._count(session, select(Subscription.id).where(
                    Subscription.offering_id == row.id)),
            )
            uow.record(actor, "deleted", f"Offering {removed.name}, with {removed.summary()}",
                       provider_uuid=row.provider.uuid)
            session.execute(delete(Offering).where(Offering.id == row.id))
            uow.commit()
            return removed

    @staticmethod
    def _refuse_in_use(session, referring, what: str) -> None:
        """Refuse, naming a few of them, when `referring` (announcements) finds any."""
        total = Catalog._count(session, referring.with_only_columns(Announcement.id))
        if not total:
            return
        named = session.scalars(referring.order_by(Announcement.scheduled_start.desc()).limit(NAMED_IN_REFUSAL))
        examples = ", ".join(f"{row.uuid.hex[:8]} {row.name!r}" for row in named)
        more = f" and {total - NAMED_IN_REFUSAL} more" if total > NAMED_IN_REFUSAL else ""
        raise InUse(
            f"{what} stays: {total} announcement(s) refer to it ({examples}{more}). Announcements are the record "
            "of past maintenance, so they are never removed with it; delete them first (`/maint delete ID`) "
            "if they really should go."
        )

    @staticmethod
    def _count(session, query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    # -- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _managers(users, groups) -> list[ProviderManager]:
        unique = dict.fromkeys(users) | dict.fromkeys(groups)
        return [
            ProviderManager(slack_id=slack_id, kind="group" if slack_id in groups else "user") for slack_id in unique
        ]


def _offering_name(name: object) -> str:
    """An offering's name as stored, or Invalid (the rules of `add_offering`)."""
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX or "\x00" in name:
        raise Invalid.one("name", f"A name of 1 to {NAME_MAX} characters is required.")
    if unsafe_characters(name, multiline=False):
        raise Invalid.one("name", unsafe_characters(name, multiline=False))
    return name.strip()

