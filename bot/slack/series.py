"""`/maint series`: recurring maintenance from Slack — list, new, show, edit, skip, end.

One subcommand with sub-words (as `/maint admin …`): `series` alone lists the series the user manages, each
with its next occurrences as Slack date tokens, so every reader sees them in their own time zone. `new` and
`edit ID` ack empty and open the series modal right after (`bot.slack.series_modal`; a trigger id lives three
seconds). `skip ID DATE` leaves out the occurrence of that rule date (the local date the rule gives). `end ID`
stops the series now: its unpublished occurrences are withdrawn at once, and published ones are only
cancelled once the user says so — the answer lists them with a "Cancel them too" button (or `end ID cancel`).
The same question is asked when a skipped occurrence is already published (`skip ID DATE cancel`).
Every rule is the domain's (`bot/domain/series.py`); this module reads words and renders answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from slack_bolt import Ack
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
)

from bot.domain.errors import Invalid, NotAllowed
from bot.domain.recurrence import RuleError
from bot.domain.views import AnnouncementView, OccurrenceView, SeriesChange, SeriesView
from bot.slack import series_modal
from bot.slack.answer import Answer
from bot.slack.listening import FOLLOW_UP, Act
from bot.slack.messages import note, sections
from bot.slack.parsing import Arguments, BadArguments, day
from bot.slack.payloads import BlockActions, FormMetadata, ViewSubmission
from bot.slack.subcommand import ANNOUNCING, subcommand
from bot.slack.text import clip, date_token, duration, escape

CALLBACK_ID = series_modal.CALLBACK_ID
END_ACTION = "maint.series.end"
SKIP_ACTION = "maint.series.skip"
#: The "Cancel them too" buttons of `end` and `skip`.
CANCEL_PUBLISHED_ACTIONS = re.compile(r"^maint\.series\.(end|skip)$")
NEXT_SHOWN = 3
UPCOMING_SHOWN = 8
LISTED = 20
NO_PROVIDERS = (
    "🚫 You do not manage any service provider, so there is no maintenance you can repeat. "
    "An admin can add you with `/maint provider set PROVIDER managers=@you`."
)
VERBS = ("list", "new", "show", "edit", "skip", "end")


def _id(args: Arguments, what: str = "") -> str:
    if not args.positional or args.options:
        raise BadArguments(f"Give the series id{what}, as `/maint series` lists it.")
    return args.positional[0]


def _confirmed(args: Arguments, position: int) -> bool:
    extra = args.positional[position:]
    if not extra:
        return False
    if [word.lower() for word in extra] == ["cancel"]:
        return True
    raise BadArguments("Add only `cancel`, to cancel published occurrences too.")


@subcommand(
    "series", group=ANNOUNCING,
    usage="`/maint series` · `/maint series new` · `/maint series show|edit|end ID` · "
          "`/maint series skip ID YYYY-MM-DD`",
    help="recurring maintenance: list, create, change, skip one occurrence, end",
    after_ack=lambda act, args: follow_series(act, args),
)
def series(act: Act, args: Arguments) -> Answer | None:
    verb = args.positional[0].lower() if args.positional else "list"
    rest = Arguments(args.positional[1:], args.options)
    if verb == "list" and not rest.positional:
        return list_answer(act)
    if verb == "new":
        if rest.positional or rest.options:
            raise BadArguments("Write `/maint series new` alone: the form asks the rest.")
        return None
    if verb == "edit":
        act.services.series.get(act.actor, _id(rest))  # an unknown or foreign id is answered in the ack
        return None
    if verb == "show":
        return show_answer(act, _id(rest))
    if verb == "skip":
        return skip_answer(act, rest)
    if verb == "end":
        return end_answer(act, _id(rest), _confirmed(rest, 1))
    raise BadArguments(f"Say what to do: {', '.join(f'`{v}`' for v in VERBS)}.")


def follow_series(act: Act, args: Arguments) -> None:
    """After the ack: `new` and `edit` open the modal; nothing else has work left."""
    verb = args.positional[0].lower() if args.positional else ""
    if verb == "new":
        open_new(act)
    elif verb == "edit":
        open_edit(act, args.positional[1])


# -- reading -----------------------------------------------------------------------------------------


def schedule_words(view: SeriesView) -> str:
    """"every month on second Tuesday, 02:00–04:00 Europe/Tallinn" (the series' own wall-clock time)."""
    return (f"{view.description}, {view.start_time:%H:%M} {view.timezone} for "
            f"{duration_minutes(view.duration_minutes)}")


def duration_minutes(minutes: int) -> str:
    return duration(timedelta(minutes=minutes))


def publishing_words(view: SeriesView) -> str:
    if view.publish_days_before is None:
        return f"created {view.horizon_days} days ahead as drafts"
    return f"created {view.horizon_days} days ahead, published {view.publish_days_before} days before"


def occurrence_line(occurrence: OccurrenceView) -> str:
    """One occurrence as every reader sees it in their own zone, with its announcement once created."""
    when = date_token(occurrence.scheduled_start)
    moved = " (moved)" if occurrence.moved else ""
    if occurrence.state is None:
        return f"• {when}{moved} — not created yet"
    reference = f" `{occurrence.announcement_uuid.hex[:8]}`" if occurrence.announcement_uuid else ""
    return f"• {when}{moved} — {occurrence.state.label}{reference}"


def list_answer(act: Act) -> Answer:
    services = act.services
    page = services.series.list(act.actor, page_size=LISTED)
    if not page.items:
        return Answer("No series yet. `/maint series new` repeats maintenance by a rule.")
    lines = [f"*Recurring maintenance* ({page.count})"]
    for view in page.items:
        upcoming = services.series.upcoming(act.actor, view.uuid, NEXT_SHOWN)
        ended = " — ended" if view.ended else ""
        nexts = ", ".join(date_token(o.scheduled_start) for o in upcoming) or "none to come"
        lines.append(f"*{escape(clip(view.name, 150))}* (`{view.short_id}`) · {escape(clip(view.provider_name, 80))}"
                     f"{ended}\n{escape(schedule_words(view))}\nNext: {nexts}")
    if page.count > len(page.items):
        lines.append(f"…and {page.count - len(page.items)} more: `/maint series show ID` shows any of them.")
    return Answer(f"Recurring maintenance: {page.count}", sections(lines))


def show_answer(act: Act, reference: str) -> Answer:
    view = act.services.series.get(act.actor, reference)
    upcoming = act.services.series.upcoming(act.actor, view.uuid, UPCOMING_SHOWN)
    blocks = series_detail(view, upcoming)
    base = (act.deps.settings.base_url or "").rstrip("/")
    feed = f"{base}/api/maintenance-series/{view.uuid.hex}/calendar.ics"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=f"📅 Its rule as one recurring calendar event (with an API token): `{escape(feed)}`")]))
    return Answer(f"Series {escape(clip(view.name, 150))}", blocks)


def series_detail(view: SeriesView, upcoming: Sequence[OccurrenceView]) -> list[Block]:
    lines = [
        f"🔁 *{escape(clip(view.name, 150))}* (`{view.short_id}`) · {escape(clip(view.provider_name, 80))} · "
        f"{view.maintenance_type.label}",
        f"*Repeats:* {escape(schedule_words(view))}",
        f"*Rule:* `{escape(view.rrule)}`",
        f"*Occurrences:* {publishing_words(view)}",
    ]
    if view.ended:
        lines.append(f"*Ended:* {date_token(view.ended)}")
    if view.offerings:
        lines.append("*Affected:* " + escape(clip(", ".join(f"{item.offering.name} ({item.impact_level.label})"
                                                             for item in view.offerings), 1000)))
    skipped = [e.day.isoformat() for e in view.exceptions if e.start is None]
    moved = [f"{e.day.isoformat()} → {e.start:%Y-%m-%d %H:%M}" for e in view.exceptions if e.start is not None]
    if skipped:
        lines.append("*Skipped:* " + clip(", ".join(skipped), 1000))
    if moved:
        lines.append("*Moved:* " + clip(", ".join(moved), 1000))
    lines.append("*Next:*" if upcoming else "*Next:* none to come")
    lines += [occurrence_line(occurrence) for occurrence in upcoming]
    blocks = sections(lines, limit=40)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=f"`/maint series edit {view.short_id}` · `/maint series skip {view.short_id} YYYY-MM-DD` "
             f"(the occurrence's date in {escape(view.timezone)}) · `/maint series end {view.short_id}`")]))
    return blocks


# -- skipping and ending -----------------------------------------------------------------------------


def published_question(change: SeriesChange, action_id: str, value: str, command: str) -> list[Block]:
    """The published occurrences a change left alone, and a button to cancel them too (asks once more)."""
    left: Sequence[AnnouncementView] = change.published_left
    lines = [f"⚠️ {len(left)} published occurrence{'s are' if len(left) != 1 else ' is'} still announced; "
             "everyone following them was told. Cancel them too?"]
    lines += [f"• {date_token(view.scheduled_start)} — {escape(clip(view.name, 150))} (`{view.short_id}`)"
              for view in left[:20]]
    if len(left) > 20:
        lines.append(f"…and {len(left) - 20} more")
    blocks = sections(lines, limit=10)
    blocks.append(ActionsBlock(elements=[ButtonElement(
        text="Cancel them too", action_id=action_id, value=value, style="danger",
        confirm=ConfirmObject(title="Cancel published occurrences?", confirm="Cancel them", deny="Keep them",
                              text="Everyone following them is told they are cancelled. This cannot be undone."),
    )]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Or type `{command}`.")]))
    return blocks


def change_words(change: SeriesChange) -> str:
    parts = []
    if change.withdrawn:
        parts.append(f"{len(change.withdrawn)} unpublished occurrence{'s' if len(change.withdrawn) != 1 else ''} "
                     "withdrawn")
    if change.updated:
        parts.append(f"{len(change.updated)} occurrence{'s' if len(change.updated) != 1 else ''} updated")
    if change.cancelled:
        parts.append(f"{len(change.cancelled)} published occurrence{'s' if len(change.cancelled) != 1 else ''} "
                     "cancelled")
    return ("; ".join(parts) + ".") if parts else ""


def skip_answer(act: Act, args: Arguments) -> Answer:
    if len(args.positional) < 2 or args.options:
        raise BadArguments("Write `/maint series skip ID YYYY-MM-DD` (the occurrence's date in the series' zone).")
    reference, which = args.positional[0], day(args.positional[1])
    change = act.services.series.skip(act.actor, reference, which, cancel_published=_confirmed(args, 2))
    return skipped(change, which)


def skipped(change: SeriesChange, which: date) -> Answer:
    view = change.series
    name = escape(clip(view.name, 150)) if view else "the series"
    text = f"⏭️ Skipped the occurrence of {which.isoformat()} of *{name}*. {change_words(change)}".strip()
    blocks = note(text)
    if change.published_left and view:
        blocks += published_question(change, SKIP_ACTION, f"{view.uuid.hex}:{which.isoformat()}",
                                     f"/maint series skip {view.short_id} {which.isoformat()} cancel")
    return Answer(text, blocks)


def end_answer(act: Act, reference: str, cancel_published: bool) -> Answer:
    change = act.services.series.end(act.actor, reference, cancel_published=cancel_published)
    return ended(change)


def ended(change: SeriesChange) -> Answer:
    view = change.series
    name = escape(clip(view.name, 150)) if view else "The series"
    text = f"⏹️ Ended *{name}*: no more occurrences will be created. {change_words(change)}".strip()
    blocks = note(text)
    if change.published_left and view:
        blocks += published_question(change, END_ACTION, view.uuid.hex, f"/maint series end {view.short_id} cancel")
    return Answer(text, blocks)


def press_cancel_published(act: Act) -> None:
    """After the ack of "Cancel them too": the same end or skip again, cancelling what is published."""
    press: BlockActions = act.payload
    value = press.action.value or ""
    services = act.services
    if press.action.action_id == END_ACTION:
        answer = ended(services.series.end(act.actor, value, cancel_published=True))
    else:
        reference, _, which = value.partition(":")
        try:
            skipped_day = date.fromisoformat(which)
        except ValueError:
            raise BadArguments("That button is out of date: run `/maint series show ID` again.") from None
        answer = skipped(services.series.skip(act.actor, reference, skipped_day, cancel_published=True), skipped_day)
    act.deps.responder.tell(act.origin, answer.text, answer.blocks)


# -- the modal ---------------------------------------------------------------------------------------


def open_new(act: Act) -> None:
    providers = act.services.catalog.managed_providers(act.actor)
    if not providers:
        return act.deps.responder.tell(act.origin, NO_PROVIDERS)
    meta = FormMetadata(mode="new", channel=act.origin.channel, home=act.origin.home or None)
    return open_form(act, providers, meta.text())


def open_edit(act: Act, reference: str) -> None:
    view = act.services.series.get(act.actor, reference)
    meta = FormMetadata(mode="edit", uuid=view.uuid.hex, channel=act.origin.channel, home=act.origin.home or None)
    open_form(act, act.services.catalog.managed_providers(act.actor), meta.text(), view)


def open_form(act: Act, providers, meta: str, view: SeriesView | None = None) -> None:
    catalog = act.services.catalog
    if view is not None and view.provider_uuid not in {provider.uuid for provider in providers}:
        providers = [*providers, catalog.provider(view.provider_uuid)]
    offerings = catalog.markable_offerings(act.actor)
    listed = {offering.uuid for offering in offerings}
    offerings += [item.offering for item in (view.offerings if view else ()) if item.offering.uuid not in listed]
    modal = series_modal.series_modal(
        providers=providers, offerings=offerings, zone=act.deps.people.zone_of(act.origin.user),
        now=act.services.context.clock.now(), private_metadata=meta, series=view)
    responder = act.deps.responder
    opened = responder.call(responder.client.views_open, trigger_id=act.origin.trigger_id, view=modal.to_dict())
    if opened is None:
        responder.tell(act.origin, "⚠️ Slack did not open the form in time. Please try again.")


def save_form(ack: Ack, act: Act) -> None:
    """The ack of a series submission: saved (the answer follows), or refused beside its field."""
    submission: ViewSubmission = act.payload
    meta = FormMetadata.read(submission.view.private_metadata)
    if meta is None:
        ack(response_action="errors", errors={"name": "This form is out of date: close it and open it again."})
        return
    values = series_modal.submitted({"state": submission.view.state})
    try:
        fields = series_modal.series_fields(values)
        if meta.mode == "edit":
            fields.pop("provider", None)  # fixed once the series exists
            change = act.services.series.update(act.actor, str(meta.uuid), fields)
            saved, what = change.series, change_words(change)
        else:
            saved, what = act.services.series.create(act.actor, fields), ""
    except series_modal.FormProblem as problem:
        ack(response_action="errors", errors={problem.block: clip(problem.message, 150)})
        return
    except RuleError as error:
        ack(response_action="errors", errors={"repeats": clip(str(error), 150)})
        return
    except Invalid as error:  # this form's block ids, not the announcement modal's (`editor.form_errors`)
        ack(response_action="errors", errors=series_modal.field_errors(error.fields))
        return
    except NotAllowed as error:
        ack(response_action="errors", errors=series_modal.field_errors({error.field or "provider": [error.message]}))
        return
    act.context[FOLLOW_UP] = (meta, saved, what)
    ack()


def show_saved(act: Act) -> None:
    """After the ack of a saved series: what it is and its next occurrences, to its author only."""
    if act.follow_up is None:
        return
    meta, saved, what = act.follow_up
    upcoming = act.services.series.upcoming(act.actor, saved.uuid, UPCOMING_SHOWN)
    verb = "Saved changes to" if meta.mode == "edit" else "Created"
    text = f"🔁 {verb} the series *{escape(clip(saved.name, 150))}* (`{saved.short_id}`). {what}".strip()
    blocks = [*note(text), *series_detail(saved, upcoming)]
    responder = act.deps.responder
    if meta.channel:
        responder.call(responder.client.chat_postEphemeral, channel=meta.channel, user=act.origin.user,
                       text=text, blocks=[block.to_dict() for block in blocks])
    if meta.home:
        act.deps.homes.publish(act.origin.user, notice=text)
    else:
        act.deps.homes.refresh(act.origin.user)
