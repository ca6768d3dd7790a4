"""New and edit: opening the announcement modal, and turning its submission into one domain call.

The modal is opened right after the ack (trigger ids live three seconds). A submission is validated by
the domain in the ack; a refusal goes back beside its field (`form_errors`, answered by
`bot.slack.ack_errors`) and nothing is saved. A saved announcement's card is shown to its author only,
right after the ack: replacing the ephemeral card they pressed Edit on, as an ephemeral message in the
channel they typed `/maint new` in, or in their App Home.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot.domain.errors import DomainError, Invalid, NotAllowed
from bot.slack import modals
from bot.slack.cards import card_text
from bot.slack.listening import FOLLOW_UP, Act
from bot.slack.messages import announcement_detail, note
from bot.slack.payloads import FormMetadata, ViewSubmission
from bot.slack.replies import error_text
from bot.slack.text import clip, escape

OUT_OF_DATE = "This form is out of date: close it and open it again."
NO_PROVIDERS = (
    "🚫 You do not manage any service provider, so there is nothing you can announce. "
    "An admin can add you with `/maint provider set PROVIDER managers=@you`."
)

# -- opening ---------------------------------------------------------------------------------------


def open_new(act: Act, template: str | None = None, *, message: str | None = None) -> None:
    """The new-announcement modal; `message` starts its message field (a message shortcut's text)."""
    services = act.services
    providers = services.catalog.managed_providers(act.actor)
    if not providers:
        return act.deps.responder.tell(act.origin, NO_PROVIDERS)
    chosen = services.templates.get(act.actor, template) if template else None
    meta = FormMetadata(mode="new", channel=act.origin.channel, home=act.origin.home or None)
    return open_form(act, providers, meta=meta.text(), template=chosen, message=message)


def open_edit(act: Act, reference: str) -> None:
    services, origin = act.services, act.origin
    view = services.announcements.for_editing(act.actor, reference)
    impact, description = modals.initial_impact(view, None)
    meta = FormMetadata(
        mode="edit",
        uuid=view.uuid.hex,
        channel=origin.channel,
        response_url=origin.response_url if origin.ephemeral else None,
        home=origin.home or None,
        shown={"i": int(impact), "d": modals.fingerprint(description)},
    )
    open_form(act, services.catalog.managed_providers(act.actor), meta=meta.text(), view=view)


def open_form(act: Act, providers, *, meta: str, view=None, template=None, message: str | None = None) -> None:
    catalog = act.services.catalog
    if view is not None and view.provider_uuid not in {provider.uuid for provider in providers}:
        providers = [*providers, catalog.provider(view.provider_uuid)]
    # What the user may mark, and what is marked already: another provider's offering an admin marked stays
    # listed (so saving keeps it), one a template names is listed too (saving says who may mark it).
    offerings = catalog.markable_offerings(act.actor)
    marked = [item.offering for item in (view.affected if view else template.offerings if template else ())]
    listed = {offering.uuid for offering in offerings}
    offerings += [offering for offering in marked if offering.uuid not in listed]
    modal = modals.announcement_modal(
        providers=providers,
        offerings=offerings,
        zone=act.deps.people.zone_of(act.origin.user),
        now=act.services.context.clock.now(),
        private_metadata=meta,
        view=view,
        template=template,
    )
    if message:
        prefill(modal, "message", message)
    responder = act.deps.responder
    opened = responder.call(responder.client.views_open, trigger_id=act.origin.trigger_id, view=modal.to_dict())
    if opened is None:
        responder.tell(act.origin, "⚠️ Slack did not open the form in time. Please try again.")


def prefill(modal, block_id: str, text: str) -> None:
    """Start the text field `block_id` of `modal` with `text`."""
    for block in modal.blocks:
        if getattr(block, "block_id", None) == block_id:
            block.element.initial_value = text


# -- submitting ------------------------------------------------------------------------------------


def save_form(ack: Ack, act: Act) -> None:
    """The ack of a submission: saved (the card follows), or refused beside a field by the error handler."""
    submission: ViewSubmission = act.payload
    meta = FormMetadata.read(submission.view.private_metadata)
    if meta is None:
        ack(response_action="errors", errors={"name": OUT_OF_DATE})
        return
    announcements = act.services.announcements
    values = modals.submitted({"state": submission.view.state})
    if meta.mode == "edit":
        reference = str(meta.uuid)
        saved = announcements.update(act.actor, reference, modals.announcement_fields(values),
                                     keep_impacts=modals.shared_impact_unchanged(values, meta.shown))
    else:
        saved = announcements.create(act.actor, modals.announcement_fields(values))
    act.context[FOLLOW_UP] = (meta, saved)
    ack()


def form_errors(error: Exception) -> dict[str, str]:
    """A refusal of a submission, beside the field it concerns (the first field when it concerns none)."""
    if isinstance(error, Invalid):
        return modals.field_errors(error.fields)
    if isinstance(error, NotAllowed):
        return modals.field_errors({error.field or "name": [error.message]})
    if isinstance(error, DomainError):
        return {"name": clip(error.message, 150)}
    return {"name": clip(error_text(error), 150)}


def show_saved(act: Act) -> None:
    """After the ack of a saved submission: its card, to its author only."""
    if act.follow_up is None:
        return
    meta, saved = act.follow_up
    user, responder, homes = act.origin.user, act.deps.responder, act.deps.homes
    verb = "Saved changes to" if meta.mode == "edit" else "Saved a draft of"
    text = f"📝 {verb} *{escape(clip(saved.name, 150))}* (`{saved.short_id}`): only you can see this."
    blocks = [*note(text), *announcement_detail(saved)]
    if meta.response_url:
        responder.respond(meta.response_url, card_text(saved), blocks, replace_original=True)
    elif meta.channel:
        responder.call(responder.client.chat_postEphemeral, channel=meta.channel, user=user,
                       text=card_text(saved), blocks=[b.to_dict() for b in blocks])
    if meta.home:
        homes.publish(user, notice=text)
    else:
        homes.refresh(user)
