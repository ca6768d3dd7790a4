"""The series modal, for `/maint series new` and `/maint series edit ID`: its blocks and reading a submission.

The preset fields are the announcement modal's (same block ids, so the domain's refusals land beside the same
fields). "Repeats" offers the rules people use — every day, every weekday, weekly or fortnightly on chosen
days, monthly on a day of the month, monthly on the first…fourth or last weekday — or any RFC 5545 rule typed
out; the modal has no dynamic parts, so every repeat field is shown and the choice says which are read. The
time is a wall-clock time in the series' zone (a text field holding an IANA name, filled with the user's
Slack zone: 400-odd zones do not fit a 100-option select). Editing opens with the rule typed out, exactly as
stored.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.domain.announcements import AffectedInput
from bot.domain.enums import Impact, MaintenanceType
from bot.domain.impacts import DEFAULT_IMPACT
from bot.domain.validation import NAME_MAX, TEXT_MAX, URL_MAX
from bot.slack import modals
from bot.slack.modals import VALUE
from bot.slack.text import clip

CALLBACK_ID = "maint.series"
WEEKDAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
            "SA": "Saturday", "SU": "Sunday"}
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
#: "Repeats": what each choice is called, and which other fields it reads.
REPEATS = {
    "daily": "Every day",
    "weekdays": "Every weekday (Monday to Friday)",
    "weekly": "Every week, on the days chosen",
    "fortnightly": "Every 2 weeks, on the days chosen",
    "monthday": "Every month, on the day of the month given",
    "ordinal": "Every month, on the first…fourth or last of a weekday",
    "rule": "As the RFC 5545 rule typed below",
}
DEFAULT_HORIZON_DAYS = 60
DEFAULT_PUBLISH_DAYS = 7
DEFAULT_DURATION = 120
#: Domain field → block id, for the fields this modal adds to the announcement modal's.
SERIES_BLOCKS = {
    "rrule": "repeats",
    "timezone": "timezone",
    "start_time": "time",
    "first_day": "first_day",
    "duration_minutes": "duration",
    "horizon_days": "horizon",
    "publish_days_before": "publish_days",
}


def _option(value: str, label: str) -> Option:
    return Option(value=value, label=clip(label, 75))


def _text(block_id: str, label: str, initial: str | None, *, multiline: bool = False, max_length: int,
          optional: bool = False, placeholder: str | None = None, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, optional=optional, hint=hint, element=PlainTextInputElement(
        action_id=VALUE, initial_value=initial or None, multiline=multiline, max_length=max_length,
        placeholder=placeholder))


def _number(block_id: str, label: str, initial: int | None, *, low: int, high: int, optional: bool = False,
            hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, optional=optional, hint=hint, element=NumberInputElement(
        action_id=VALUE, is_decimal_allowed=False, initial_value=str(initial) if initial is not None else None,
        min_value=str(low), max_value=str(high)))


def series_modal(*, providers, offerings, zone: ZoneInfo, now: datetime, private_metadata: str,
                 series: Any = None) -> View:
    """The modal for a new series, or for editing `series` (a SeriesView)."""
    type_now = series.maintenance_type if series else MaintenanceType.SCHEDULED
    provider_now = series.provider_uuid if series else (providers[0].uuid if len(providers) == 1 else None)
    chosen = [item.offering.uuid for item in series.offerings] if series else []
    impact, description = _impact(series)
    options = modals._offering_options(offerings, chosen)
    selected = [option for group in options for option in group.options if UUID(option.value) in chosen]
    first_day = series.first_day if series else (now.astimezone(zone) + timedelta(days=1)).date()
    start_time = series.start_time if series else time(22, 0)
    publish = series is None or series.publish_days_before is not None
    blocks = [
        _text("name", "Name", series.name if series else None, max_length=NAME_MAX,
              placeholder="Patch window"),
        _text("message", "Message for everyone", series.message if series else None, multiline=True,
              max_length=TEXT_MAX, optional=True),
        _text("internal_notes", "Internal notes (managers only)", series.internal_notes if series else None,
              multiline=True, max_length=TEXT_MAX, optional=True),
        InputBlock(block_id="type", label="Type", element=StaticSelectElement(
            action_id=VALUE, options=[_option(str(int(t)), t.label) for t in MaintenanceType],
            initial_option=_option(str(int(type_now)), type_now.label))),
        InputBlock(block_id="provider", label="Service provider", element=StaticSelectElement(
            action_id=VALUE, placeholder="Choose a provider",
            options=[_option(p.uuid.hex, p.name) for p in providers[:modals.OPTIONS_MAX]],
            initial_option=next((_option(p.uuid.hex, p.name) for p in providers if p.uuid == provider_now), None))),
    ]
    if options:
        blocks.append(InputBlock(block_id="offerings", label="Affected offerings", optional=True,
                                 element=StaticMultiSelectElement(action_id=VALUE, placeholder="Choose offerings",
                                                                  option_groups=options,
                                                                  initial_options=selected or None)))
    repeats_now = "rule" if series else "weekly"
    blocks += [
        InputBlock(block_id="impact", label="Impact on the chosen offerings", element=StaticSelectElement(
            action_id=VALUE, options=[_option(str(int(i)), i.label) for i in Impact],
            initial_option=_option(str(int(impact)), impact.label))),
        _text("impact_description", "What users will notice", description or None, max_length=TEXT_MAX,
              optional=True, placeholder="Connections may drop once"),
        _text("url", "External reference URL", series.external_reference_url if series else None, optional=True,
              max_length=URL_MAX, placeholder="https://tracker.example.org/CHG-123"),
        InputBlock(block_id="repeats", label="Repeats", element=StaticSelectElement(
            action_id=VALUE, options=[_option(key, label) for key, label in REPEATS.items()],
            initial_option=_option(repeats_now, REPEATS[repeats_now]))),
        InputBlock(block_id="days", label="On (weekly, or the weekday of a monthly rule)", optional=True,
                   element=StaticMultiSelectElement(
                       action_id=VALUE, placeholder="Choose days",
                       options=[_option(code, name) for code, name in WEEKDAYS.items()])),
        InputBlock(block_id="ordinal", label="Which one of the month", optional=True, element=StaticSelectElement(
            action_id=VALUE, placeholder="first, second, …, last",
            options=[_option(code, name) for code, name in ORDINALS.items()])),
        _number("monthday", "Day of the month (-1: the last)", None, low=-1, high=31, optional=True),
        _text("rule", "Or a rule in RFC 5545 terms", series.rrule if series else None, max_length=500,
              optional=True, placeholder="FREQ=MONTHLY;BYDAY=2TU",
              hint="Read when Repeats says so: FREQ (DAILY, WEEKLY, MONTHLY), INTERVAL, BYDAY, BYMONTHDAY, "
                   "COUNT or UNTIL."),
        InputBlock(block_id="first_day", label="Starting on", element=DatePickerElement(
            action_id=VALUE, initial_date=first_day.isoformat())),
        InputBlock(block_id="time", label="At (local time in the zone below)", element=TimePickerElement(
            action_id=VALUE, initial_time=f"{start_time:%H:%M}")),
        _number("duration", "Duration in minutes", series.duration_minutes if series else DEFAULT_DURATION,
                low=1, high=7 * 24 * 60),
        _text("timezone", "Time zone", series.timezone if series else zone.key, max_length=64,
              placeholder="Europe/Tallinn", hint="An IANA zone. The local time holds across daylight-saving changes."),
        _number("horizon", "Create occurrences this many days ahead",
                series.horizon_days if series else DEFAULT_HORIZON_DAYS, low=1, high=366),
        InputBlock(block_id="publish", label="Publish", element=StaticSelectElement(
            action_id=VALUE, options=[_option("auto", "Automatically, the days below before each"),
                                      _option("draft", "No: keep them as drafts for me to publish")],
            initial_option=_option("auto", "Automatically, the days below before each") if publish
            else _option("draft", "No: keep them as drafts for me to publish"))),
        _number("publish_days", "Days before each occurrence to publish it",
                series.publish_days_before if series and series.publish_days_before is not None
                else DEFAULT_PUBLISH_DAYS, low=0, high=366, optional=True),
    ]
    return View(type="modal", callback_id=CALLBACK_ID, title="Edit series" if series else "New series",
                submit="Save", close="Cancel", private_metadata=private_metadata, blocks=blocks)


def _impact(series: Any) -> tuple[Impact, str]:
    if not series or not series.offerings:
        return DEFAULT_IMPACT, ""
    impact = max(item.impact_level for item in series.offerings)
    descriptions = {item.impact_description for item in series.offerings}
    return impact, descriptions.pop() if len(descriptions) == 1 else ""


# -- reading a submission ---------------------------------------------------------------------------


class FormProblem(ValueError):
    """A submitted value this modal cannot turn into a series field, with its block id."""

    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block, self.message = block, message


def submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The announcement modal's reading, plus the elements only this modal has (number, date, time)."""
    values = modals.submitted(view)
    state = (view.get("state") or {}).get("values") if isinstance(view.get("state"), dict) else None
    for block_id, actions in (state if isinstance(state, dict) else {}).items():
        element = actions.get(VALUE) if isinstance(actions, dict) else None
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "number_input":
            values[block_id] = element.get("value")
        elif kind == "datepicker":
            values[block_id] = element.get("selected_date")
        elif kind == "timepicker":
            values[block_id] = element.get("selected_time")
    return values


def _whole(value: Any, block: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,6}", value.strip()):
        return int(value)
    raise FormProblem(block, f"{label} must be a whole number.")


def rule_text(values: dict[str, Any], first_day: date | None) -> str:
    """The RRULE text the "Repeats" choice and its fields stand for."""
    repeats = values.get("repeats")
    days = [day for day in values.get("days") or [] if day in WEEKDAYS]
    if repeats == "daily":
        return "FREQ=DAILY"
    if repeats == "weekdays":
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if repeats in ("weekly", "fortnightly"):
        if not days:
            if first_day is None:
                raise FormProblem("days", "Choose the days it repeats on.")
            days = [list(WEEKDAYS)[first_day.weekday()]]
        interval = ";INTERVAL=2" if repeats == "fortnightly" else ""
        return f"FREQ=WEEKLY{interval};BYDAY={','.join(sorted(days, key=list(WEEKDAYS).index))}"
    if repeats == "monthday":
        day = _whole(values.get("monthday"), "monthday", "The day of the month")
        if day is None or day == 0 or not -1 <= day <= 31:
            raise FormProblem("monthday", "Give the day of the month, 1–31 (or -1 for the last).")
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    if repeats == "ordinal":
        ordinal = values.get("ordinal")
        if ordinal not in ORDINALS:
            raise FormProblem("ordinal", "Choose which one of the month: first, second, third, fourth or last.")
        if len(days) != 1:
            raise FormProblem("days", "Choose one weekday for a monthly rule.")
        return f"FREQ=MONTHLY;BYDAY={ordinal}{days[0]}"
    if repeats == "rule":
        rule = values.get("rule")
        if not isinstance(rule, str) or not rule.strip():
            raise FormProblem("rule", "Type the rule, like FREQ=MONTHLY;BYDAY=2TU.")
        return rule.strip()
    raise FormProblem("repeats", "Choose how it repeats.")


def series_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Domain fields of a series from the modal's values. Raises FormProblem for what only this form can
    get wrong; everything else is passed on for the domain to refuse beside its field."""
    first_day = _date(values.get("first_day"))
    impact = modals._number(values.get("impact") or int(DEFAULT_IMPACT))
    description = values.get("impact_description") or ""
    url = values.get("url") or ""
    auto = values.get("publish") != "draft"
    publish_days = _whole(values.get("publish_days"), "publish_days", "Days before")
    if auto and publish_days is None:
        raise FormProblem("publish_days", "Say how many days before each occurrence to publish it.")
    fields: dict[str, Any] = {
        "name": values.get("name") or "",
        "message": values.get("message") or "",
        "internal_notes": values.get("internal_notes") or "",
        "maintenance_type": modals._number(values["type"]) if values.get("type") else None,
        "provider": modals._reference(values["provider"]) if values.get("provider") else None,
        "external_reference_url": url.strip() if isinstance(url, str) else url,
        "rrule": rule_text(values, first_day),
        "timezone": (values.get("timezone") or "").strip(),
        "first_day": first_day,
        "start_time": _time(values.get("time")),
        "duration_minutes": _whole(values.get("duration"), "duration", "The duration"),
        "horizon_days": _whole(values.get("horizon"), "horizon", "Days ahead"),
        "publish_days_before": publish_days if auto else None,
    }
    if "offerings" in values:
        fields["offerings"] = [AffectedInput(modals._reference(offering), impact, description)
                              for offering in values.get("offerings") or []]
    return fields


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FormProblem("first_day", "Choose the first day.") from None


def _time(value: Any) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise FormProblem("time", "Choose the time.") from None


def field_errors(fields: dict[str, list[str]]) -> dict[str, str]:
    """Domain field errors → `response_action: errors`, by this modal's block ids."""
    errors: dict[str, str] = {}
    shared = {name.replace("offerings.", "affected.", 1): messages for name, messages in fields.items()
              if name not in SERIES_BLOCKS}
    if shared:
        errors.update(modals.field_errors(shared))
    for name, messages in fields.items():
        if name in SERIES_BLOCKS:
            errors[SERIES_BLOCKS[name]] = clip(" ".join(messages), 150)
    return errors
