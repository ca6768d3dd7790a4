"""`/maint templates`: list, create, edit and delete templates from Slack, in a form like the announcement's.

`/maint templates` lists the templates the user may use; `templates new`, `templates edit NAME` and
`templates delete NAME` are for a provider's managers (the domain decides; someone who manages nothing is
told so in the ack). The template form shares the announcement form's impact rows (`modals.impact_blocks`):
each chosen offering with its own level and description, redrawn as offerings are chosen (`redraw`, which
also serves the announcement form). Deleting a template changes no announcement made from it, so it asks no
confirmation.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import ContextBlock, InputBlock, MarkdownTextObject, Option, StaticSelectElement
from slack_sdk.models.views import View

from bot.domain.enums import MaintenanceType
from bot.domain.errors import Invalid, NotAllowed, NotFound
from bot.domain.validation import NAME_MAX, TEXT_MAX
from bot.domain.views import OfferingView, ProviderView, TemplateView
from bot.slack import editor, messages, modals
from bot.slack.answer import Answer
from bot.slack.listening import FOLLOW_UP, Act
from bot.slack.parsing import Arguments, BadArguments
from bot.slack.payloads import FormMetadata, ViewSubmission
from bot.slack.subcommand import CATALOG, subcommand
from bot.slack.text import clip, escape

CALLBACK_ID = "maint.template"
#: The offerings multi-select of either form: a new choice redraws the form with a row per offering.
OFFERINGS_CHOICE = {"block_id": "offerings", "action_id": modals.VALUE}
MANAGERS_ONLY = "🚫 Only a provider's managers can create, change or delete its templates."
#: Template fields by the form's block ids, so a refusal lands beside its field.
TEMPLATE_BLOCKS = {"name": "name", "message": "message", "maintenance_type": "type", "provider": "provider"}
ACTIONS = ("new", "edit", "delete")


# -- the subcommand --------------------------------------------------------------------------------


def action_of(args: Arguments) -> tuple[str | None, str | None]:
    """`templates`, `templates new`, `templates edit NAME`, `templates delete NAME`: (action, template name)."""
    if not args.positional:
        return None, None
    action, name = args.positional[0].lower(), " ".join(args.positional[1:]).strip()
    if action not in ACTIONS:
        raise BadArguments("Write `templates` alone, `templates new`, `templates edit NAME` or "
                           "`templates delete NAME`.")
    if action == "new" and name:
        raise BadArguments("Write `templates new` alone: the form asks for the name.")
    if action != "new" and not name:
        raise BadArguments(f"Write `templates {action} NAME`: which template?")
    return action, name or None


def open_template_form(act: Act, args: Arguments) -> None:
    action, name = action_of(args)
    if action == "new":
        open_template(act, None)
    elif action == "edit":
        try:
            template = act.services.templates.get(act.actor, name)
        except NotFound:  # the ack said so, with the templates there are
            return
        open_template(act, template)


@subcommand("templates", group=CATALOG,
            usage="`/maint templates` or `/maint templates new|edit NAME|delete NAME`",
            help="your providers' templates; managers create, change and delete them", after_ack=open_template_form)
def templates(act: Act, args: Arguments) -> Answer | None:
    action, name = action_of(args)
    services = act.services
    if action is None:
        page = services.templates.list(act.actor, ordering="name", page_size=40)
        return Answer("Templates", messages.templates(page))
    if not services.catalog.managed_providers(act.actor):
        raise NotAllowed(MANAGERS_ONLY)
    if action == "new":
        return None
    try:
        found = services.templates.get(act.actor, name)
    except NotFound as error:
        return Answer(editor.unknown_template(act, error))
    if action == "edit":
        return None
    services.templates.delete(act.actor, found.uuid)
    return Answer(f"🗑️ Deleted the template *{escape(clip(found.name, 150))}*. "
                  "Announcements made from it are not changed.")


# -- the form --------------------------------------------------------------------------------------


def template_modal(*, providers: list[ProviderView], offerings: list[OfferingView], private_metadata: str,
                   template: TemplateView | None = None, current: dict[str, Any] | None = None) -> View:
    """The form for a new template, or for changing `template` (whose provider is fixed)."""
    type_now = template.maintenance_type if template else MaintenanceType.SCHEDULED
    blocks: list[Any] = [
        modals._text("name", "Template name", template.name if template else None, max_length=NAME_MAX,
                     placeholder="Monthly patching"),
    ]
    if template is None:
        options = [Option(value=p.uuid.hex, label=clip(p.name, 75)) for p in providers[:modals.OPTIONS_MAX]]
        blocks.append(InputBlock(block_id="provider", label="Service provider", element=StaticSelectElement(
            action_id=modals.VALUE, placeholder="Choose a provider", options=options,
            initial_option=options[0] if len(options) == 1 else None)))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"Service provider: *{escape(clip(template.provider_name, 150))}*")]))
    blocks += [
        InputBlock(block_id="type", label="Type", element=StaticSelectElement(
            action_id=modals.VALUE, options=[Option(value=str(int(t)), label=t.label) for t in MaintenanceType],
            initial_option=Option(value=str(int(type_now)), label=type_now.label))),
        modals._text("message", "Message for everyone", template.message if template else None, multiline=True,
                     max_length=TEXT_MAX, optional=True),
        *modals.impact_blocks(offerings, template.offerings if template else (), current, noun="template"),
    ]
    return View(type="modal", callback_id=CALLBACK_ID, title="Edit template" if template else "New template",
                submit="Save template", close="Cancel", private_metadata=private_metadata, blocks=blocks)


def open_template(act: Act, template: TemplateView | None, redrawn: Any = None) -> None:
    """The template form: opened, or redrawn in place (`redrawn`, the view being filled) for a new choice."""
    catalog = act.services.catalog
    offerings = catalog.markable_offerings(act.actor)
    listed = {offering.uuid for offering in offerings}
    offerings += [item.offering for item in (template.offerings if template else ())
                  if item.offering.uuid not in listed]
    if redrawn is not None:
        meta = redrawn.private_metadata
    else:
        impact, description = modals.initial_impact(None, template)
        meta = FormMetadata(mode="edit" if template else "new", uuid=template.uuid.hex if template else None,
                            channel=act.origin.channel,
                            shown={"i": int(impact), "d": modals.fingerprint(description)}).text()
    modal = template_modal(providers=catalog.managed_providers(act.actor), offerings=offerings,
                           private_metadata=meta, template=template,
                           current=modals.submitted({"state": redrawn.state}) if redrawn is not None else None)
    editor.show_form(act, modal, redrawn)


def redraw(act: Act) -> None:
    """After the ack of a new choice of offerings in either form: that form, redrawn with a row per offering."""
    shown = act.payload.view
    if shown is None or not shown.id:
        return
    if shown.callback_id == modals.CALLBACK_ID:
        return editor.redraw(act)
    meta = FormMetadata.read(shown.private_metadata)
    if shown.callback_id != CALLBACK_ID or meta is None:
        return
    template = act.services.templates.get(act.actor, str(meta.uuid)) if meta.mode == "edit" else None
    open_template(act, template, redrawn=shown)


def template_errors(fields: dict[str, list[str]], values: dict[str, Any]) -> dict[str, list[str]]:
    """The domain's template field errors named as the form's fields (`modals.field_errors` places them)."""
    renamed: dict[str, list[str]] = {}
    for name, found in fields.items():
        parts = name.split(".")
        if name in TEMPLATE_BLOCKS:
            target = name
        elif parts[0] == "offerings" and len(parts) == 3:
            target = f"affected.{parts[1]}.{parts[2]}"
        elif name in ("impact_level", "impact_description"):
            target = f"affected.x.{name}"
        else:
            target = "affected.x.offering"
        renamed.setdefault(target, []).extend(found)
    return modals.row_fields(renamed, values)


def save_template(ack: Ack, act: Act) -> None:
    """The ack of a template form: saved (a note follows), or refused beside a field."""
    submission: ViewSubmission = act.payload
    meta = FormMetadata.read(submission.view.private_metadata)
    if meta is None:
        ack(response_action="errors", errors={"name": editor.OUT_OF_DATE})
        return
    values = modals.submitted({"state": submission.view.state})
    fields: dict[str, Any] = {
        "name": values.get("name") or "",
        "message": values.get("message") or "",
        "maintenance_type": modals._number(values["type"]) if values.get("type") else None,
        "offerings": modals.affected_items(values),
    }
    templates = act.services.templates
    try:
        if meta.mode == "edit":
            saved = templates.update(act.actor, str(meta.uuid), fields,
                                     keep_impacts=modals.kept_impacts(values, meta.shown))
        else:
            provider = values.get("provider")
            saved = templates.create(act.actor, fields | {"provider": provider if provider else None})
    except Invalid as error:
        raise Invalid(template_errors(error.fields, values)) from error
    act.context[FOLLOW_UP] = (meta, saved)
    ack()


def show_saved_template(act: Act) -> None:
    """After the ack of a saved template: what it now holds, to its author only."""
    if act.follow_up is None:
        return
    meta, saved = act.follow_up
    verb = "Saved changes to" if meta.mode == "edit" else "Created"
    lines = [f"📝 {verb} the template *{escape(clip(saved.name, 150))}* ({escape(clip(saved.provider_name, 80))}). "
             f"`/maint new from {escape(clip(saved.name, 150))}` starts an announcement from it."]
    lines += [f"• {escape(clip(item.offering.name, 80))} — {item.impact_level.label}"
              + (f": {escape(clip(item.impact_description, 100))}" if item.impact_description else "")
              for item in saved.offerings[:20]]
    if len(saved.offerings) > 20:
        lines.append(f"…and {len(saved.offerings) - 20} more offerings")
    responder = act.deps.responder
    if meta.channel:
        text = "\n".join(lines)
        blocks = messages.note(clip(text, 2900))
        responder.call(responder.client.chat_postEphemeral, channel=meta.channel, user=act.origin.user,
                       text=clip(lines[0], 2900), blocks=[b.to_dict() for b in blocks])
