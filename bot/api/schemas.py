"""The wire format's types: request bodies we accept and the response shapes we document.

Request bodies are parsed with these pydantic models (the OpenAPI document comes from them too).
Responses are built as plain dicts by `bot.api.wire` for speed; the models here describe them in the
OpenAPI document, and the property-based tests check every response against that description.

Input rules that belong to the wire, as in the seed's serializers, live here: types, choices, "may
not be null", no NUL characters, and time zones. A datetime without a zone is taken as UTC.
Every other rule (lengths, blank names, the window, permissions, states) is the domain's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, WithJsonSchema

from bot.domain.enums import IMPACT_LABELS, PUBLIC_STATES, Impact, MaintenanceType, State, TimingBucket

HEX32 = r"^[0-9a-f]{32}$"


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Datetime is out of range.") from None


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Unpaired surrogate characters are not allowed.") from None
    return value


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**kwargs: Any) -> Any:
    """A field that may be left out (then it is not changed), but not sent as null."""
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


#: An ISO 8601 datetime; one without a zone is taken as UTC. Always handed on as aware UTC.
Moment = Annotated[datetime, AfterValidator(_as_utc)]
Text = Annotated[str, AfterValidator(_clean_text)]
Link = Annotated[str, AfterValidator(_clean_text), WithJsonSchema({"type": "string", "format": "uri"})]
Hex = Annotated[str, Field(pattern=HEX32, description="32 hex digits")]
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]

StateLabel = StrEnum("StateLabel", {state.name: state.label for state in State})
PublicStateLabel = Literal[tuple(state.label for state in sorted(PUBLIC_STATES))]  # type: ignore[valid-type]
ImpactLabel = Literal[tuple(IMPACT_LABELS.values())]  # type: ignore[valid-type]
TemplateOrderKey = Literal["created", "-created", "name", "-name"]
TemplateOfferingOrderKey = Literal["created", "-created"]


class Body(BaseModel):
    """Unknown and read-only fields are ignored, as the seed's serializers do."""

    model_config = ConfigDict(extra="ignore")


# -- requests ---------------------------------------------------------------------------------------


class AnnouncementRequest(Body):
    name: Text = Field(description="Up to 150 characters, not blank")
    message: Text = optional(description="Up to 2000 characters")
    internal_notes: Text = optional(description="Up to 2000 characters; seen only by the provider's managers")
    maintenance_type: MaintenanceType = optional(description="1 Scheduled, 2 Emergency, 3 Security, 4 Upgrade, 5 Patch")
    external_reference_url: Text = optional(description="Optional reference to an external maintenance tracker")
    scheduled_start: Moment = Field(description="When the maintenance is scheduled to begin (no zone: UTC)")
    scheduled_end: Moment = Field(description="When it is scheduled to complete; not before the start")
    service_provider: Link = Field(description="Hyperlink to the service provider announcing the maintenance")


class PatchedAnnouncementRequest(Body):
    name: Text = optional()
    message: Text = optional()
    internal_notes: Text = optional()
    maintenance_type: MaintenanceType = optional()
    external_reference_url: Text = optional()
    scheduled_start: Moment = optional()
    scheduled_end: Moment = optional()
    service_provider: Link = optional()


class AffectedOfferingRequest(Body):
    maintenance: Link = Field(description="Hyperlink to the maintenance announcement")
    offering: Link = Field(description="Hyperlink to the affected offering")
    impact_level: Impact = optional(description="1 No impact, 2 Degraded performance (default), 3 Partial, 4 Full")
    impact_description: Text = optional()


class PatchedAffectedOfferingRequest(Body):
    maintenance: Link = optional()
    offering: Link = optional()
    impact_level: Impact = optional()
    impact_description: Text = optional()


class OfferingSilenceRequest(Body):
    """An extension: the Alertmanager matchers an offering's maintenance silences (admins)."""

    silence_matchers: Text = Field(
        description='Alertmanager matchers, like `service="vm", cluster=~"a|b"`; "" uses the provider\'s'
    )


class TemplateRequest(Body):
    name: Text
    message: Text = optional()
    maintenance_type: MaintenanceType = optional()
    service_provider: Link


class PatchedTemplateRequest(Body):
    name: Text = optional()
    message: Text = optional()
    maintenance_type: MaintenanceType = optional()
    service_provider: Link = optional()


class TemplateOfferingRequest(Body):
    maintenance_template: Link
    offering: Link
    impact_level: Impact = optional()
    impact_description: Text = optional()


class PatchedTemplateOfferingRequest(Body):
    maintenance_template: Link = optional()
    offering: Link = optional()
    impact_level: Impact = optional()
    impact_description: Text = optional()


# -- responses --------------------------------------------------------------------------------------


class Detail(BaseModel):
    detail: str


class FieldErrors(RootModel[dict[str, list[str]]]):
    """{field: [messages]}; `non_field_errors` for what concerns no single field."""


class AffectedOffering(BaseModel):
    url: Url
    uuid: Hex
    maintenance: Url
    offering: Url
    impact_level: Impact
    impact_level_display: ImpactLabel
    impact_description: str
    offering_name: str


class Announcement(BaseModel):
    url: Url
    uuid: Hex
    name: str
    message: str
    internal_notes: str = Field(default="", description="Present only for the provider's managers and admins")
    maintenance_type: MaintenanceType
    external_reference_url: str
    state: StateLabel
    scheduled_start: datetime
    scheduled_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    overrun_minutes: int | None
    start_delta_minutes: int | None
    timing_bucket: TimingBucket
    service_provider: Url
    created_by: None = Field(description="Always null: maintbot has no user resources (see the audit trail)")
    affected_offerings: list[AffectedOffering]
    service_provider_name: str
    backend_id: str
    series: Url | None = Field(default=None, description="Extension: the recurring series it is an occurrence of")


class PublicAnnouncement(BaseModel):
    url: Url
    uuid: Hex
    name: str
    message: str
    maintenance_type: MaintenanceType
    maintenance_type_display: str
    external_reference_url: str
    state: PublicStateLabel
    scheduled_start: datetime
    scheduled_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    affected_offerings: list[AffectedOffering]
    service_provider_name: str


class TemplateOffering(BaseModel):
    url: Url
    uuid: Hex
    maintenance_template: Url
    offering: Url
    offering_name: str
    offering_uuid: Hex
    impact_level: Impact
    impact_description: str


class Template(BaseModel):
    url: Url
    uuid: Hex
    name: str
    message: str
    maintenance_type: MaintenanceType
    service_provider: Url
    affected_offerings: list[TemplateOffering]


class Provider(BaseModel):
    url: Url
    uuid: Hex
    name: str
    customer_name: str


class Offering(BaseModel):
    url: Url
    uuid: Hex
    name: str
    service_provider: Url
    service_provider_uuid: Hex
    service_provider_name: str
    customer_name: str
    silence_matchers: str = Field(default="", description="Extension: Alertmanager matchers its maintenance silences")


class StatsSummary(BaseModel):
    total: int
    active: int
    scheduled: int
    completed: int
    average_duration_hours: float | None
    on_time_completion_rate: float | None = Field(description="Percent (0-100) finished by their scheduled end")
    on_time_rate_15min: float | None = Field(description="Fraction (0-1) finished within 15 minutes of it")
    avg_overrun_hours: float | None
    emergency_count: int


class DailyStats(BaseModel):
    date: date
    count: int
    by_state: dict[str, int]


class ProviderStats(BaseModel):
    uuid: Hex
    name: str
    total: int
    active: int
    scheduled: int
    completed: int


class Stats(BaseModel):
    summary: StatsSummary
    by_state: dict[str, int]
    by_type: dict[str, int]
    by_impact_level: dict[str, int]
    daily: list[DailyStats]
    providers: list[ProviderStats]


class ActionResponse(BaseModel):
    detail: str


# -- documented refusals ----------------------------------------------------------------------------

REFUSALS = {
    400: (FieldErrors, "Invalid input: {field: [messages]}"),
    401: (Detail, "No token, or an unknown or revoked one"),
    403: (Detail, "The token may see this but not do this"),
    404: (Detail, "Not found, or not visible to this token"),
    409: (Detail, "Not in a state that allows this: 'Valid states for operation: …'"),
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the refusals an operation can answer with."""
    return {code: {"model": REFUSALS[code][0], "description": REFUSALS[code][1]} for code in codes}
