"""The announcement modal, for new and edit: its blocks, reading a submission, placing errors by field.

Start and end are `datetimepicker`s, which Slack shows in each user's own time zone; the defaults for a
new announcement (tomorrow 22:00–00:00) are computed in the user's zone from `users.info`. The provider
list holds only the providers the user manages. Affected offerings are one multi-select with one impact
level and description for the offerings chosen; when editing, offerings that keep the level and
description they were shown with keep their own (so per-offering impacts set elsewhere survive an edit).
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
) -> View:
    """The modal for a new announcement (optionally from `template`) or for editing `view`."""
    start, end = (view.scheduled_start, view.scheduled_end) if view else suggested_times(now, zone)
    source: Any = view or template
    type_now = source.maintenance_type if source else MaintenanceType.SCHEDULED
    provider_now = source.provider_uuid if source else (providers[0].uuid if len(providers) == 1 else None)
    chosen = _chosen(view, template)
    impact, description = initial_impact(view, template)
    options = _offering_options(offerings, chosen)
    selected = [option for group in options for option in group.options if UUID(option.value) in chosen]
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
    ]
    if options:
        blocks.append(InputBlock(block_id="offerings", label="Affected offerings", optional=True,
                                 element=StaticMultiSelectElement(action_id=VALUE, placeholder="Choose offerings",
                                                                  option_groups=options,
                                                                  initial_options=selected or None)))
    blocks += [
        InputBlock(block_id="impact", label="Impact on the chosen offerings", element=StaticSelectElement(
            action_id=VALUE, options=[Option(value=str(int(i)), label=i.label) for i in Impact],
            initial_option=Option(value=str(int(impact)), label=impact.label))),
        _text("impact_description", "What users will notice", description or None, max_length=TEXT_MAX,
              optional=True, placeholder="Connections may drop once"),
        _text("url", "External reference URL", view.external_reference_url if view else None, optional=True,
              max_length=URL_MAX, placeholder="https://tracker.example.org/CHG-123"),
    ]
    if len(offerings) + len(chosen) > OPTIONS_MAX:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"Only the first {OPTIONS_MAX} offerings fit in the list; "
                 "add more with the HTTP API or ask an admin.")]))
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Edit announcement" if view else "New announcement",
        submit="Save" if view else "Save draft",
        close="Cancel",
        private_metadata=private_metadata,
        blocks=blocks,
    )


def initial_impact(view: AnnouncementView | None, template: TemplateView | None) -> tuple[Impact, str]:
    """The impact and description the modal starts with: the highest level, and the shared description."""
    return shared_impact(view.affected if view else template.offerings if template else ())


def _chosen(view: AnnouncementView | None, template: TemplateView | None) -> list[UUID]:
    if view:
        return [item.offering.uuid for item in view.affected]
    if template:
        return [item.offering.uuid for item in template.offerings]
    return []


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
    """Whether the form's one impact and description are still what it showed (`shown`): an edit then keeps
    each offering's own impact (the domain's `keep_impacts`)."""
    impact = _number(values.get("impact") or int(DEFAULT_IMPACT))
    description = values.get("impact_description") or ""
    return (isinstance(shown, dict) and shown.get("i") == impact and isinstance(description, str)
            and shown.get("d") == fingerprint(description))


def announcement_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Domain fields from the modal's values; every offering listed with the form's one impact (an edit that
    left that impact as shown keeps each offering's own: `shared_impact_unchanged`)."""
    impact = _number(values.get("impact") or int(DEFAULT_IMPACT))
    description = values.get("impact_description") or ""
    affected = [AffectedInput(_reference(offering), impact, description) for offering in values.get("offerings") or []]
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
        fields["affected"] = affected
    return fields


def field_errors(fields: dict[str, list[str]]) -> dict[str, str]:
    """Domain field errors → `response_action: errors`, keyed by the modal's block ids."""
    errors: dict[str, str] = {}
    for name, messages in fields.items():
        if name.startswith("affected."):
            block = AFFECTED_BLOCKS.get(name.rsplit(".", 1)[-1], "offerings")
        else:
            block = FIELD_BLOCKS.get(name, "name")
        text = " ".join(messages)
        errors[block] = clip(f"{errors[block]} {text}" if block in errors else text, 150)
    return errors
