"""Channel subscriptions: a channel asks for the notices of one offering, or of a whole provider.

Anyone may subscribe a channel (DESIGN §1): subscribing only reads what is published anyway.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.domain import audit, lookup, notices
from bot.domain.actors import Actor
from bot.domain.announcements import offering_view
from bot.domain.catalog import CHANNEL
from bot.domain.context import Context
from bot.domain.errors import Ambiguous, Invalid, NotFound
from bot.domain.views import SubscriptionView
from storage.models import Announcement, Subscription


def subscription_view(row: Subscription) -> SubscriptionView:
    provider = row.offering.provider if row.offering else row.provider
    return SubscriptionView(
        row.channel_id, offering_view(row.offering) if row.offering else None, provider.uuid, provider.name
    )


class Subscriptions:
    def __init__(self, context: Context) -> None:
        self.context = context

    def subscribe(self, actor: Actor, channel_id: str, target: str) -> SubscriptionView:
        """Subscribe `channel_id` to an offering or provider named by `target`; subscribing twice is harmless."""
        if not CHANNEL.fullmatch(channel_id or ""):
            raise Invalid.one("channel", f"{channel_id!r} is not a Slack channel id.")
        now = self.context.clock.now()
        with self.context.db.write() as session:
            offering, provider = self._target(session, target)
            match = (Subscription.offering_id == offering.id) if offering else (Subscription.provider_id == provider.id)
            existing = session.scalar(select(Subscription).where(Subscription.channel_id == channel_id, match))
            if existing:
                return subscription_view(existing)
            row = Subscription(
                channel_id=channel_id,
                offering=offering,
                provider=provider,
                offering_id=offering.id if offering else None,
                provider_id=provider.id if provider else None,
                created_by=actor.id,
                created=now,
            )
            session.add(row)
            session.flush()
            view = subscription_view(row)
            audit.record(
                session,
                actor,
                "created",
                f"Subscription of {channel_id} to {view.target}",
                now,
                provider_uuid=view.provider_uuid,
            )
            return view

    def unsubscribe(self, actor: Actor, channel_id: str, target: str) -> SubscriptionView:
        now = self.context.clock.now()
        with self.context.db.write() as session:
            offering, provider = self._target(session, target)
            match = (Subscription.offering_id == offering.id) if offering else (Subscription.provider_id == provider.id)
            row = session.scalar(select(Subscription).where(Subscription.channel_id == channel_id, match))
            if row is None:
                raise NotFound(f"This channel is not subscribed to {target}.")
            view = subscription_view(row)
            session.execute(delete(Subscription).where(Subscription.id == row.id))
            audit.record(
                session,
                actor,
                "deleted",
                f"Subscription of {channel_id} to {view.target}",
                now,
                provider_uuid=view.provider_uuid,
            )
            return view

    def of_channel(self, channel_id: str) -> list[SubscriptionView]:
        with self.context.db.read() as session:
            rows = session.scalars(
                select(Subscription).where(Subscription.channel_id == channel_id).order_by(Subscription.id)
            )
            return [subscription_view(r) for r in rows]

    def channels_for(self, announcement_uuid) -> list[str]:
        """Every channel that hears about an announcement: its provider's, and all subscribed ones."""
        with self.context.db.read() as session:
            announcement = session.scalar(select(Announcement).where(Announcement.uuid == announcement_uuid))
            if announcement is None:
                raise NotFound("No such announcement.")
            return notices.audience(session, announcement)

    @staticmethod
    def _target(session, target: str):
        """(offering, None) or (None, provider): offerings are tried first, then providers."""
        try:
            return lookup.offering(session, target), None
        except (NotFound, Ambiguous) as offering_error:
            try:
                return None, lookup.provider(session, target)
            except NotFound:
                if isinstance(offering_error, Ambiguous):
                    raise offering_error from None
                raise NotFound(f"No offering or service provider matches {target!r}.") from None
