"""New and edit: opening the announcement modal, and turning its submission into one domain call.

The modal is opened right after the ack (trigger ids live three seconds). A submission is validated by
the domain; its field errors go back beside their fields (`response_action: errors`) and nothing is
saved. A saved announcement's card is shown to its author only: replacing the ephemeral card they
pressed Edit on, as an ephemeral message in the channel they typed `/maint new` in, or in their App Home.
"""

from __future__ import annotations

from typing import Any

from bot.domain.errors import TOO_COSTLY, UNAVAILABLE, DomainError, Invalid, NotAllowed
from bot.domain.views import AnnouncementView
from bot.slack import modals
from bot.slack.bot import Bot, Origin
from bot.slack.cards import card_text
from bot.slack.messages import announcement_detail, note
from bot.slack.payloads import PAYLOAD, FormMetadata, ViewSubmission
from bot.slack.replies import SHOWN, error_text
from bot.slack.text import clip, escape

OUT_OF_DATE = "This form is out of date: close it and open it again."
NO_PROVIDERS = (
    "🚫 You do not manage any service provider, so there is nothing you can announce. "
    "An admin can add you with `/maint provider set PROVIDER managers=@you`."
)


class Editor:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    # -- opening -----------------------------------------------------------------------------------

    def open_new(self, origin: Origin, template: str | None = None) -> None:
        services = self.bot.services
        actor = self.bot.actor(origin.user)
        try:
            providers = services.catalog.managed_providers(actor)
            if not providers:
                return self.bot.tell(origin, NO_PROVIDERS)
            chosen = services.templates.get(actor, template) if template else None
        except SHOWN as error:
            return self.bot.tell(origin, error_text(error))
        meta = FormMetadata(mode="new", channel=origin.channel, home=origin.home or None)
        self._open(origin, providers, meta=meta.text(), template=chosen)

    def open_edit(self, origin: Origin, reference: str) -> None:
        services = self.bot.services
        actor = self.bot.actor(origin.user)
        try:
            view = services.announcements.for_editing(actor, reference)
        except SHOWN as error:
            return self.bot.tell(origin, error_text(error, "edit"))
        impact, description = modals.initial_impact(view, None)
        meta = FormMetadata(
            mode="edit",
            uuid=view.uuid.hex,
            channel=origin.channel,
            response_url=origin.response_url if origin.ephemeral else None,
            home=origin.home or None,
            shown={"i": int(impact), "d": modals.fingerprint(description)},
        )
        self._open(origin, services.catalog.managed_providers(actor), meta=meta.text(), view=view)

    def _open(self, origin: Origin, providers, *, meta: str, view=None, template=None) -> None:
        if view is not None and view.provider_uuid not in {provider.uuid for provider in providers}:
            providers = [*providers, self.bot.services.catalog.provider(view.provider_uuid)]
        # What the user may mark, and what is marked already: another provider's offering an admin marked stays
        # listed (so saving keeps it), one a template names is listed too (saving says who may mark it).
        offerings = self.bot.services.catalog.markable_offerings(self.bot.actor(origin.user))
        marked = [item.offering for item in (view.affected if view else template.offerings if template else ())]
        listed = {offering.uuid for offering in offerings}
        offerings += [offering for offering in marked if offering.uuid not in listed]
        modal = modals.announcement_modal(
            providers=providers,
            offerings=offerings,
            zone=self.bot.people.zone_of(origin.user),
            now=self.bot.services.context.clock.now(),
            private_metadata=meta,
            view=view,
            template=template,
        )
        opened = self.bot.call(self.bot.client.views_open, trigger_id=origin.trigger_id, view=modal.to_dict())
        if opened is None:
            self.bot.tell(origin, "⚠️ Slack did not open the form in time. Please try again.")

    # -- submitting --------------------------------------------------------------------------------

    def submit(self, ack, context: dict[str, Any]) -> None:
        submission: ViewSubmission = context[PAYLOAD]
        meta = FormMetadata.read(submission.view.private_metadata)
        if meta is None:
            return ack(response_action="errors", errors={"name": OUT_OF_DATE})
        user = submission.user.id
        actor = self.bot.actor(user)
        announcements = self.bot.services.announcements
        values = modals.submitted({"state": submission.view.state})
        try:
            if meta.mode == "edit":
                reference = str(meta.uuid)
                existing = announcements.get(actor, reference)
                fields = modals.announcement_fields(values, existing, meta.shown)
                saved = announcements.update(actor, reference, fields)
            else:
                saved = announcements.create(actor, modals.announcement_fields(values))
        except Invalid as error:
            return ack(response_action="errors", errors=modals.field_errors(error.fields))
        except NotAllowed as error:
            return ack(response_action="errors", errors=modals.field_errors({error.field or "name": [error.message]}))
        except DomainError as error:
            return ack(response_action="errors", errors={"name": clip(error.message, 150)})
        except (*UNAVAILABLE, *TOO_COSTLY) as error:
            return ack(response_action="errors", errors={"name": clip(error_text(error), 150)})
        ack()
        self.bot.followups.submit(self._show_saved, user, meta, saved)

    def _show_saved(self, user: str, meta: FormMetadata, saved: AnnouncementView) -> None:
        verb = "Saved changes to" if meta.mode == "edit" else "Saved a draft of"
        text = f"📝 {verb} *{escape(clip(saved.name, 150))}* (`{saved.short_id}`): only you can see this."
        blocks = [*note(text), *announcement_detail(saved)]
        if meta.response_url:
            self.bot.respond(meta.response_url, card_text(saved), blocks, replace_original=True)
        elif meta.channel:
            self.bot.call(self.bot.client.chat_postEphemeral, channel=meta.channel, user=user,
                          text=card_text(saved), blocks=[b.to_dict() for b in blocks])
        if meta.home and self.bot.homes is not None:
            self.bot.homes.publish(user, notice=text)
        elif self.bot.homes is not None:
            self.bot.homes.refresh(user)
