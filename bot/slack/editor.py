"""New and edit: opening the announcement modal, and turning its submission into one domain call.

The modal is opened right after the ack (trigger ids live three seconds). A submission is validated by
the domain in the ack; a refusal goes back beside its field (`form_errors`, answered by
`bot.slack.ack_errors`) and nothing is saved. A saved announcement's card is shown to its author only,
right after the ack: replacing the ephemeral card they pressed Edit on, as an ephemeral message in the
channel they typed `/maint new` in, or in their App Home.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot.domain.errors import DomainError, Invalid, NotAllowed, NotFound
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
    try:
        chosen = services.templates.get(act.actor, template) if template else None
    except NotFound as error:
        return act.deps.responder.tell(act.origin, unknown_template(act, error))
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


def unknown_template(act: Act, error: NotFound) -> str:
    """A template name that matches none: said, with the templates the user may start from."""
    names = [template.name for template in act.services.templates.list(act.actor, ordering="name",
                                                                          page_size=40).items]
    known = ", ".join(f"`{escape(clip(name, 80))}`" for name in names)
    return (f"🤷 {escape(clip(error.message, 200))} "
            + (f"Your templates: {known}." if names else "You have no templates yet: `/maint templates new`."))


def open_form(act: Act, providers, *, meta: str, view=None, template=None, redrawn=None,
              message: str | None = None) -> None:
    """The announcement modal: opened, or (`redrawn`, the view being filled) redrawn in place for a new choice
    of offerings, with everything entered kept."""
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
        current=modals.submitted({"state": redrawn.state}) if redrawn is not None else None,
    )
    if message:
        prefill(modal, "message", message)
    show_form(act, modal, redrawn)


def show_form(act: Act, modal, redrawn=None) -> None:
    """Open `modal`, or (`redrawn`, the view being filled) put it in that view's place keeping what was typed."""
    responder = act.deps.responder
    if redrawn is not None:
        responder.call(responder.client.views_update, view_id=redrawn.id, hash=redrawn.hash,
                       view=modals.kept(modal.to_dict(), redrawn.state))
        return
    opened = responder.call(responder.client.views_open, trigger_id=act.origin.trigger_id, view=modal.to_dict())
    if opened is None:
        responder.tell(act.origin, "⚠️ Slack did not open the form in time. Please try again.")


def redraw(act: Act) -> None:
    """After the ack of a new choice of offerings in an open announcement modal: the same modal, redrawn with an
    impact row for each offering chosen (Slack keeps what was typed in inputs whose ids stay the same)."""
    shown = act.payload.view
    meta = FormMetadata.read(shown.private_metadata) if shown is not None else None
    if meta is None or shown.callback_id != modals.CALLBACK_ID or not shown.id:
        return
    providers = act.services.catalog.managed_providers(act.actor)
    view = act.services.announcements.for_editing(act.actor, str(meta.uuid)) if meta.mode == "edit" else None
    open_form(act, providers, meta=shown.private_metadata, view=view, redrawn=shown)


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
    try:
        if meta.mode == "edit":
            reference = str(meta.uuid)
            saved = announcements.update(act.actor, reference, modals.announcement_fields(values),
                                         keep_impacts=modals.kept_impacts(values, meta.shown))
        else:
            saved = announcements.create(act.actor, modals.announcement_fields(values))
    except Invalid as error:  # an offering's impact refused beside its own row
        raise Invalid(modals.row_fields(error.fields, values)) from error
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
