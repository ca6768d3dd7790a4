"""Channel subcommands: `/maint subscribe`, `unsubscribe`, `subscriptions` — what a channel hears about.

Subscribing and unsubscribing answer in the channel (everyone there will get, or stop getting, the notices).
Subscribing to what the channel already follows changes nothing, so only the person who typed it is told.
"""

from __future__ import annotations

from bot.domain.views import SubscriptionView
from bot.slack import messages
from bot.slack.answer import Answer
from bot.slack.listening import Act
from bot.slack.parsing import Arguments, need_rest
from bot.slack.subcommand import CHANNELS, subcommand
from bot.slack.text import escape


@subcommand(
    "subscribe", group=CHANNELS, usage="`/maint subscribe PROVIDER|OFFERING`",
    help="this channel hears about its maintenance (a provider's name means the provider; write an offering "
    "`Provider/Offering` to be sure)",
)
def subscribe(act: Act, args: Arguments) -> Answer:
    target = need_rest(args, "Name an offering or a provider.")
    subscription = act.services.subscriptions.subscribe(act.actor, act.origin.channel, target)
    if subscription.already is not None:  # nothing changed: only the person who typed it needs to know
        return Answer(already_subscribed(subscription))
    text = f"📣 <@{act.origin.user}> subscribed this channel to maintenance of {escape(subscription.target)}."
    if subscription.namesakes:
        named = ", ".join(f"`/maint subscribe {escape(name)}`" for name in subscription.namesakes[:5])
        text += f" To follow an offering of that name instead: {named}."
    return Answer(text, in_channel=True)


@subcommand("unsubscribe", group=CHANNELS, usage="`/maint unsubscribe OFFERING|PROVIDER`", help="stop that")
def unsubscribe(act: Act, args: Arguments) -> Answer:
    target = need_rest(args, "Name an offering or a provider.")
    subscription = act.services.subscriptions.unsubscribe(act.actor, act.origin.channel, target)
    return Answer(
        f"🔕 <@{act.origin.user}> unsubscribed this channel from maintenance of {escape(subscription.target)}.",
        in_channel=True,
    )


@subcommand("subscriptions", group=CHANNELS, usage="`/maint subscriptions`", help="what this channel follows")
def subscriptions(act: Act, args: Arguments) -> Answer:
    items = act.services.subscriptions.of_channel(act.origin.channel)
    return Answer("Subscriptions of this channel", messages.subscriptions(act.origin.channel, items))


def already_subscribed(subscription: SubscriptionView) -> str:
    """The answer to subscribing again: what already brings those notices, and that nothing changed."""
    if subscription.already == subscription.target:
        return (f"This channel is already subscribed to maintenance of {escape(subscription.target)}; "
                "nothing changed.")
    return (f"This channel already hears about maintenance of {escape(subscription.target)} through its "
            f"subscription to {escape(subscription.already or '')}; nothing changed.")
