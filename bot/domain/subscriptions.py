"""Channel subscriptions: a channel asks for the notices of one offering, or of a whole provider.

Anyone may subscribe a channel (DESIGN §1): subscribing only reads what is published anyway.
What a typed target names is decided in `_target`: a provider's own name always names the provider.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, func, or_, select

from bot.domain import lookup, notices
from bot.domain.actors import Actor
from bot.domain.announcements import offering_view
from bot.domain.catalog import CHANNEL
from bot.domain.context import Context
from bot.domain.errors import Invalid, NotFound
from bot.domain.views import SubscriptionView
from storage.models import Announcement, Offering, Provider, Subscription


def subscription_view(row: Subscription) -> SubscriptionView:
    provider = row.offering.provider if row.offering else row.provider
    return SubscriptionView(
        row.channel_id, offering_view(row.offering) if row.offering else None, provider.uuid, provider.name
    )


class Subscriptions:
    def __init__(self, context: Context) -> None:
        self.context = context

    def subscribe(self, actor: Actor, channel_id: str, target: str) -> SubscriptionView:
        """Subscribe `channel_id` to an offering or provider named by `target`.

        Subscribing again changes nothing and records nothing: the answer's `already` names the subscription
        that brings those notices (the same one, or the channel's subscription to the offering's whole provider).
        """
        if not CHANNEL.fullmatch(channel_id or ""):
            raise Invalid.one("channel", f"{channel_id!r} is not a Slack channel id.")
        with self.context.unit_of_work() as uow:
            session = uow.session
            offering, provider = self._target(session, target)
            match = (Subscription.offering_id == offering.id) if offering else (Subscription.provider_id == provider.id)
            if offering is not None:  # the whole provider's subscription brings this offering's notices too
                match = or_(match, Subscription.provider_id == offering.provider_id)
            existing = session.scalars(
                select(Subscription).where(Subscription.channel_id == channel_id, match).order_by(Subscription.id)
            ).first()
            if existing:  # nothing to commit
                found = subscription_view(existing)
                if offering is not None and existing.offering_id is None:
                    found = SubscriptionView(channel_id, offering_view(offering), offering.provider.uuid,
                                             offering.provider.name, already=found.target)
                else:
                    found = replace(found, already=found.target)
                return self._with_namesakes(session, target, found)
            row = Subscription(
                channel_id=channel_id,
                offering=offering,
                provider=provider,
                offering_id=offering.id if offering else None,
                provider_id=provider.id if provider else None,
                created_by=actor.id,
                created=uow.now,
            )
            session.add(row)
            session.flush()
            view = subscription_view(row)
            subject = f"Subscription of {channel_id} to {view.target}"
            uow.record(actor, "created", subject, provider_uuid=view.provider_uuid)
            view = self._with_namesakes(session, target, view)
            uow.commit()
            return view

    def unsubscribe(self, actor: Actor, channel_id: str, target: str) -> SubscriptionView:
        with self.context.unit_of_work() as uow:
            session = uow.session
            offering, provider = self._target(session, target)
            match = (Subscription.offering_id == offering.id) if offering else (Subscription.provider_id == provider.id)
            row = session.scalar(select(Subscription).where(Subscription.channel_id == channel_id, match))
            if row is None:
                raise NotFound(f"This channel is not subscribed to {target}.")
            view = subscription_view(row)
            session.execute(delete(Subscription).where(Subscription.id == row.id))
            subject = f"Subscription of {channel_id} to {view.target}"
            uow.record(actor, "deleted", subject, provider_uuid=view.provider_uuid)
            uow.commit()
            return view

    def of_channel(self, channel_id: str) -> list[SubscriptionView]:
        with self.context.reading() as uow:
            rows = uow.session.scalars(
                select(Subscription).where(Subscription.channel_id == channel_id).order_by(Subscription.id)
            )
            return [subscription_view(r) for r in rows]

    def channels_for(self, announcement_uuid) -> list[str]:
        """Every channel that hears about an announcement: its provider's, and all subscribed ones."""
        with self.context.reading() as uow:
            announcement = uow.session.scalar(select(Announcement).where(Announcement.uuid == announcement_uuid))
            if announcement is None:
                raise NotFound("No such announcement.")
            return notices.audience(uow.session, announcement)

    @staticmethod
    def _target(session, target: str):
        """What a channel subscribes to: (offering, None) or (None, provider).

        `Provider/Offering`, or an offering's uuid, names that offering. A bare name names the provider of that
        name when there is one, whatever offerings are called: no offering can take a provider's name away from
        it (those offerings are reached as `Provider/Offering`). Otherwise a bare name names an offering.
        """
        text = str(target).strip()

        def as_offering():
            return lookup.offering(session, text), None

        def as_provider():
            return None, lookup.provider(session, text)

        offering_first = "/" in text or lookup.uuid_condition(Offering.uuid, text) is not None
        for attempt in (as_offering, as_provider) if offering_first else (as_provider, as_offering):
            try:
                return attempt()
            except NotFound:
                continue
        raise NotFound(f"No offering or service provider matches {target!r}.")

    @staticmethod
    def _with_namesakes(session, target: str, subscription: SubscriptionView) -> SubscriptionView:
        """The subscription, naming the offerings a provider's name could also have meant (as `Provider/Offering`),
        so that whoever meant one of them learns how to say so."""
        if subscription.offering is not None:
            return subscription
        rows = session.scalars(
            select(Offering)
            .join(Provider)
            .where(func.lower(Offering.name) == str(target).strip().lower())
            .order_by(Provider.name, Offering.name)
        )
        return replace(subscription, namesakes=tuple(f"{row.provider.name}/{row.name}" for row in rows))
