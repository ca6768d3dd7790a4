"""The announcement modal, for new and edit: its blocks, reading a submission, placing errors by field.

Start and end are `datetimepicker`s, which Slack shows in each user's own time zone; the defaults for a
new announcement (tomorrow 22:00–00:00) are computed in the user's zone from `users.info`. The provider
list holds only the providers the user manages. Affected offerings are a multi-select, each chosen offering
with an impact row of its own (level and description); choosing offerings redraws the form with their rows.
Past `ROWS_MAX` rows (Slack's 100 blocks), further offerings share one remaining impact, and an edit that
leaves that one as shown keeps each of those offerings' own (the merge rule of `bot.domain.impacts`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, MaintenanceType
from bot.domain.impacts import DEFAULT_IMPACT, shared_impact
from bot.domain.validation import NAME_MAX, TEXT_MAX, URL_MAX
from bot.domain.views import AnnouncementView, OfferingView, ProviderView, TemplateView
from bot.slack.text import clip

CALLBACK_ID = "maint.announcement"
VALUE = "value"
OPTIONS_MAX = 100
FIELD_BLOCKS = {
    "name": "name",
    "message": "message",
    "internal_notes": "internal_notes",
    "maintenance_type": "type",
    "scheduled_start": "start",
    "scheduled_end": "end",
    "provider": "provider",
    "external_reference_url": "url",
    "affected": "offerings",
}
AFFECTED_BLOCKS = {"offering": "offerings", "impact_level": "impact", "impact_description": "impact_description"}
#: Offerings chosen that get an impact row of their own (two blocks each: with the form's other fields the
#: modal stays under Slack's 100 blocks); further chosen offerings share the form's one remaining impact.
ROWS_MAX = 40
#: Block ids of one offering's impact row, followed by the offering's uuid (hex).
ROW_IMPACT, ROW_TEXT = "impact:", "what:"
ROW_FIELDS = {"impact_level": ROW_IMPACT, "impact_description": ROW_TEXT}


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def suggested_times(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end a new announcement's form suggests: tomorrow 22:00 to midnight, in the user's zone."""
    local = now.astimezone(zone) + timedelta(days=1)
    start = local.replace(hour=22, minute=0, second=0, microsecond=0)
    return start.astimezone(UTC), (start + timedelta(hours=2)).astimezone(UTC)


def announcement_modal(
    *,
    providers: Sequence[ProviderView],
    offerings: Sequence[OfferingView],
    zone: ZoneInfo,
    now: datetime,
    private_metadata: str,
    view: AnnouncementView | None = None,
    template: TemplateView | None = None,
    current: dict[str, Any] | None = None,
) -> View:
    """The modal for a new announcement (optionally from `template`) or for editing `view`; `current` (the
    values of the modal as it is filled, `submitted`) when it is redrawn for a new choice of offerings."""
    start, end = (view.scheduled_start, view.scheduled_end) if view else suggested_times(now, zone)
    source: Any = view or template
    type_now = source.maintenance_type if source else MaintenanceType.SCHEDULED
    provider_now = source.provider_uuid if source else (providers[0].uuid if len(providers) == 1 else None)
    items = view.affected if view else template.offerings if template else ()
    blocks = [
        _text("name", "Name", source.name if source else None, max_length=NAME_MAX,
              placeholder="Kernel upgrade on the hypervisors"),
        _text("message", "Message for everyone", source.message if source else None, multiline=True,
              max_length=TEXT_MAX, optional=True),
        _text("internal_notes", "Internal notes (managers only)", view.internal_notes if view else None,
              multiline=True, max_length=TEXT_MAX, optional=True),
        InputBlock(block_id="type", label="Type", element=StaticSelectElement(
            action_id=VALUE, options=[Option(value=str(int(t)), label=t.label) for t in MaintenanceType],
            initial_option=Option(value=str(int(type_now)), label=type_now.label))),
        InputBlock(block_id="start", label="Start", element=DateTimePickerElement(
            action_id=VALUE, initial_date_time=int(start.timestamp())),
            hint=f"Shown in your time zone ({zone.key})."),
        InputBlock(block_id="end", label="End", element=DateTimePickerElement(
            action_id=VALUE, initial_date_time=int(end.timestamp()))),
        InputBlock(block_id="provider", label="Service provider", element=StaticSelectElement(
            action_id=VALUE, placeholder="Choose a provider",
            options=[Option(value=p.uuid.hex, label=clip(p.name, 75)) for p in providers[:OPTIONS_MAX]],
            initial_option=next((Option(value=p.uuid.hex, label=clip(p.name, 75)) for p in providers
                                 if p.uuid == provider_now), None))),
        *impact_blocks(offerings, items, current),
        _text("url", "External reference URL", view.external_reference_url if view else None, optional=True,
              max_length=URL_MAX, placeholder="https://tracker.example.org/CHG-123"),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Edit announcement" if view else "New announcement",
        submit="Save" if view else "Save draft",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=blocks,
    )


# -- impact per offering ----------------------------------------------------------------------------


def impact_blocks(offerings: Sequence[OfferingView], items: Sequence[Any], current: dict[str, Any] | None,
                  *, noun: str = "announcement") -> list[Any]:
    """The offerings multi-select, then one impact row (level, description) per chosen offering, then the
    impact for chosen offerings without a row. The multi-select dispatches its changes, so the form is
    redrawn with a row for each offering chosen (`bot.slack.editor.redraw`); the first `ROWS_MAX` chosen get
    rows (two blocks each keeps the modal under Slack's 100 blocks), any further ones share the last impact."""
    own = {item.offering.uuid: (Impact(item.impact_level), item.impact_description) for item in items}
    chosen = [item.offering.uuid for item in items] if current is None else _current_choice(current, offerings)
    known = {offering.uuid: offering for offering in offerings}
    chosen = [uuid for uuid in dict.fromkeys(chosen) if uuid in known]
    shared = initial_impact_of(items) if current is None else _current_shared(current)
    options = _offering_options(offerings, chosen)
    selected = [option for group in options for option in group.options if UUID(option.value) in chosen]
    blocks: list[Any] = []
    if options:
        blocks.append(InputBlock(
            block_id="offerings", label="Affected offerings", optional=True, dispatch_action=True,
            hint=f"Each chosen offering gets its own impact below (the first {ROWS_MAX}).",
            element=StaticMultiSelectElement(action_id=VALUE, placeholder="Choose offerings", option_groups=options,
                                             initial_options=selected or None)))
    for uuid in chosen[:ROWS_MAX]:
        level, description = own.get(uuid, shared)
        name = clip(known[uuid].name, 150)
        blocks += [
            InputBlock(block_id=ROW_IMPACT + uuid.hex, label=f"Impact on {name}", element=StaticSelectElement(
                action_id=VALUE, options=_impact_options(), initial_option=_impact_option(level))),
            _text(ROW_TEXT + uuid.hex, f"What users of {name} will notice", description or None,
                  max_length=TEXT_MAX, optional=True),
        ]
    others = len(chosen) - ROWS_MAX
    label = (f"Impact on the other {others} chosen offerings" if others > 0
             else "Impact on offerings chosen without a row")
    blocks += [
        InputBlock(block_id="impact", label=label, element=StaticSelectElement(
            action_id=VALUE, options=_impact_options(), initial_option=_impact_option(shared[0])),
            hint=f"For offerings beyond the first {ROWS_MAX}, or added while the form had no row for them."),
        _text("impact_description", "What users of those offerings will notice", shared[1] or None,
              max_length=TEXT_MAX, optional=True, placeholder="Connections may drop once"),
    ]
    if len(offerings) + len(chosen) > OPTIONS_MAX:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"Only the first {OPTIONS_MAX} offerings fit in the list; "
                 f"add more to the {noun} with the HTTP API or ask an admin.")]))
    return blocks


def _impact_options() -> list[Option]:
    return [_impact_option(level) for level in Impact]


def _impact_option(level: Impact) -> Option:
    return Option(value=str(int(level)), label=Impact(level).label)


def _current_choice(current: dict[str, Any], offerings: Sequence[OfferingView]) -> list[UUID]:
    """The offerings chosen in the form as it is filled, in the order chosen (anything else ignored)."""
    by_hex = {offering.uuid.hex: offering.uuid for offering in offerings}
    chosen = current.get("offerings")
    if not isinstance(chosen, list):
        return []
    return [by_hex[value] for value in chosen if isinstance(value, str) and value in by_hex]


def _current_shared(current: dict[str, Any]) -> tuple[Impact, str]:
    level = _number(current.get("impact"))
    description = current.get("impact_description")
    return (Impact(level) if level in {int(i) for i in Impact} else DEFAULT_IMPACT,
            clip(description, TEXT_MAX) if isinstance(description, str) else "")


def initial_impact_of(items: Sequence[Any]) -> tuple[Impact, str]:
    """The impact the form shows for chosen offerings without a row: shared by those beyond the first rows."""
    return shared_impact(items[ROWS_MAX:])


def initial_impact(view: AnnouncementView | None, template: TemplateView | None) -> tuple[Impact, str]:
    """The impact and description the modal starts with for offerings without a row of their own."""
    return initial_impact_of(view.affected if view else template.offerings if template else ())


def kept(modal: dict[str, Any], state: Any) -> dict[str, Any]:
    """`modal` (as a dict) with every input showing what the user had entered (`state`, the `state` of the
    form being redrawn), so a redraw loses nothing; a value the element cannot show is left out."""
    entries = state.get("values") if isinstance(state, dict) else None
    if not isinstance(entries, dict):
        return modal
    for block in modal.get("blocks", []):
        actions = entries.get(block.get("block_id")) if block.get("type") == "input" else None
        entry = actions.get(VALUE) if isinstance(actions, dict) else None
        if isinstance(entry, dict) and entry.get("type") == block["element"]["type"]:
            _show(block["element"], entry)
    return modal


def _show(element: dict[str, Any], entry: dict[str, Any]) -> None:
    kind = element["type"]
    groups = element.get("option_groups") or [{"options": element.get("options", [])}]
    options = {option["value"]: option for group in groups for option in group["options"]}
    if kind == "plain_text_input":
        value = entry.get("value")
        element.pop("initial_value", None)
        if isinstance(value, str) and value:
            element["initial_value"] = value[: element.get("max_length", TEXT_MAX)]
    elif kind == "static_select":
        chosen = _option_value(entry.get("selected_option"))
        if isinstance(chosen, str) and chosen in options:
            element["initial_option"] = options[chosen]
    elif kind == "multi_static_select":
        picked = entry.get("selected_options")
        values = [_option_value(option) for option in picked] if isinstance(picked, list) else []
        element.pop("initial_options", None)
        shown = [options[v] for v in dict.fromkeys(v for v in values if isinstance(v, str)) if v in options]
        if shown:
            element["initial_options"] = shown
    elif kind == "datetimepicker":
        stamp = entry.get("selected_date_time")
        if isinstance(stamp, int) and not isinstance(stamp, bool) and 0 < stamp < 10**11:
            element["initial_date_time"] = stamp


def _offering_options(offerings: Sequence[OfferingView], chosen: list[UUID]) -> list[OptionGroup]:
    """Offerings grouped by provider, the chosen ones first so they always fit in the 100 options."""
    ordered = sorted(offerings, key=lambda o: (o.uuid not in chosen, o.provider_name, o.name))[:OPTIONS_MAX]
    groups: dict[str, list[Option]] = {}
    for offering in sorted(ordered, key=lambda o: (o.provider_name, o.name)):
        groups.setdefault(offering.provider_name, []).append(Option(value=offering.uuid.hex,
                                                                    label=clip(offering.name, 75)))
    return [OptionGroup(label=clip(name, 75), options=items) for name, items in groups.items()]


def _text(block_id: str, label: str, initial: str | None, *, multiline: bool = False, max_length: int,
          optional: bool = False, placeholder: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, optional=optional, element=PlainTextInputElement(
        action_id=VALUE, initial_value=initial or None, multiline=multiline, max_length=max_length,
        placeholder=placeholder))


# -- reading a submission ---------------------------------------------------------------------------


def submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The raw values of a submitted modal, by block id.

    Slack sends what the modal offered, but nothing here assumes it: a value that is not what the element
    gives (an option the modal never had, a time that is not one) is passed on as it came, for the domain
    to refuse beside its field like any other invalid value.
    """
    values: dict[str, Any] = {}
    state_values = (view.get("state") or {}).get("values") if isinstance(view.get("state"), dict) else None
    for block_id, actions in (state_values if isinstance(state_values, dict) else {}).items():
        state = actions.get(VALUE) if isinstance(actions, dict) else None
        if not isinstance(state, dict):
            continue
        kind = state.get("type")
        if kind == "plain_text_input":
            values[block_id] = state.get("value") or ""
        elif kind == "static_select":
            values[block_id] = _option_value(state.get("selected_option"))
        elif kind == "multi_static_select":
            chosen = state.get("selected_options") or []
            values[block_id] = [_option_value(option) for option in (chosen if isinstance(chosen, list) else [chosen])]
        elif kind == "datetimepicker":
            values[block_id] = _moment(state.get("selected_date_time"))
    return values


def _option_value(option: Any) -> Any:
    return option.get("value") if isinstance(option, dict) else option


def _moment(stamp: Any) -> Any:
    """A datetimepicker's epoch seconds as a UTC time; anything else as it came (the domain refuses it)."""
    if isinstance(stamp, int) and not isinstance(stamp, bool):
        try:
            return datetime.fromtimestamp(stamp, UTC)
        except (OverflowError, OSError, ValueError):
            return str(stamp)
    return stamp


def _number(value: Any) -> Any:
    """An option's value as the integer it stands for, or as it came."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 4 else value


def _reference(value: Any) -> Any:
    """An option's value as the uuid it stands for, or as it came (the domain looks it up, or refuses it)."""
    try:
        return UUID(value) if isinstance(value, str) else value
    except ValueError:
        return value


def shared_impact_unchanged(values: dict[str, Any], shown: Any) -> bool:
    """Whether the form's one remaining impact and description are still what it showed (`shown`)."""
    impact = _number(values.get("impact") or int(DEFAULT_IMPACT))
    description = values.get("impact_description") or ""
    return (isinstance(shown, dict) and shown.get("i") == impact and isinstance(description, str)
            and shown.get("d") == fingerprint(description))


def affected_items(values: dict[str, Any]) -> list[AffectedInput]:
    """Every chosen offering with its own row's impact, or the form's one remaining impact when it has none."""
    impact = _number(values.get("impact") or int(DEFAULT_IMPACT))
    description = values.get("impact_description") or ""
    items = []
    for offering in values.get("offerings") or []:
        key = offering if isinstance(offering, str) else ""
        if ROW_IMPACT + key in values:
            level = values[ROW_IMPACT + key]
            items.append(AffectedInput(_reference(offering), _number(level or int(DEFAULT_IMPACT)),
                                       values.get(ROW_TEXT + key) or ""))
        else:
            items.append(AffectedInput(_reference(offering), impact, description))
    return items


def kept_impacts(values: dict[str, Any], shown: Any) -> frozenset[UUID]:
    """The offerings an edit saves with their own impact kept (the domain's `keep_impacts`, the merge rule of
    `bot.domain.impacts`): those given the one remaining impact while it was left as shown."""
    if not shared_impact_unchanged(values, shown):
        return frozenset()
    chosen = [offering for offering in values.get("offerings") or [] if isinstance(offering, str)]
    return frozenset(uuid for offering in chosen if ROW_IMPACT + offering not in values
                     and isinstance(uuid := _reference(offering), UUID))


def announcement_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Domain fields from the modal's values; every offering listed with its own row's impact, or with the
    form's one remaining impact (an edit that left that one as shown keeps each offering's own: `kept_impacts`)."""
    url = values.get("url") or ""
    fields: dict[str, Any] = {
        "name": values.get("name") or "",
        "message": values.get("message") or "",
        "internal_notes": values.get("internal_notes") or "",
        "maintenance_type": _number(values["type"]) if values.get("type") else None,
        "scheduled_start": values.get("start"),
        "scheduled_end": values.get("end"),
        "external_reference_url": url.strip() if isinstance(url, str) else url,
        "provider": _reference(values["provider"]) if values.get("provider") else None,
    }
    if "offerings" in values:
        fields["affected"] = affected_items(values)
    return fields


def row_fields(fields: dict[str, list[str]], values: dict[str, Any]) -> dict[str, list[str]]:
    """Domain field errors with an offering's impact error renamed to its own row's block id, when it has one."""
    chosen = values.get("offerings")
    chosen = chosen if isinstance(chosen, list) else []
    renamed: dict[str, list[str]] = {}
    for name, messages in fields.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "affected" and parts[1].isdigit() and parts[2] in ROW_FIELDS:
            index = int(parts[1])
            key = chosen[index] if index < len(chosen) and isinstance(chosen[index], str) else ""
            if ROW_IMPACT + key in values:
                name = ROW_FIELDS[parts[2]] + key
        renamed.setdefault(name, []).extend(messages)
    return renamed


def field_errors(fields: dict[str, list[str]]) -> dict[str, str]:
    """Domain field errors → `response_action: errors`, keyed by the modal's block ids (`row_fields` names an
    offering's own row by its block id)."""
    errors: dict[str, str] = {}
    for name, messages in fields.items():
        if name.startswith((ROW_IMPACT, ROW_TEXT)):
            block = name
        elif name.startswith("affected."):
            block = AFFECTED_BLOCKS.get(name.rsplit(".", 1)[-1], "offerings")
        else:
            block = FIELD_BLOCKS.get(name, "name")
        text = " ".join(messages)
        errors[block] = clip(f"{errors[block]} {text}" if block in errors else text, 150)
    return errors
