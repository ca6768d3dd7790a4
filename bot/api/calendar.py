"""iCalendar (RFC 5545) feeds of published maintenance, for calendar apps to subscribe to.

    /api/maintenance-calendar.ics                                          everything published
    /api/marketplace-service-providers/<uuid>/maintenance-calendar.ics     one provider's
    /api/marketplace-provider-offerings/<uuid>/maintenance-calendar.ics    what affects one offering,
                                                                           whichever provider announces it

No token is needed: a feed shows what the public endpoint shows (Scheduled, In progress, Completed),
plus announcements that were published once and then cancelled, as `STATUS:CANCELLED`, so that
subscribed calendars strike them out instead of silently keeping a stale event. A draft that was
cancelled without ever being published never appears; one that is unpublished (back to Draft)
leaves the feed, and calendar apps drop it on their next refresh.

Each announcement is one VEVENT: `UID` is `<uuid hex>@maintbot` and never changes; `SEQUENCE` is the
announcement's own sequence, which rises with every change (new times included), so clients replace
their copy; `DTSTART`/`DTEND` are the scheduled window in UTC (`…Z`), which every calendar app shows
in its reader's own zone. Events are marked `TRANSP:TRANSPARENT`: maintenance does not make anyone
busy. The feed covers windows that end at most 30 days ago, earliest first, at most 1,200 events.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Response

from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import Links, path_uuid
from bot.api.schemas import refusals
from bot.domain.enums import State
from bot.domain.feeds import feed_since
from bot.domain.service import Services
from bot.domain.views import AnnouncementView

router = APIRouter(tags=["maintenance-calendar"])

MEDIA_TYPE = "text/calendar"
REFRESH = "PT15M"
UID_DOMAIN = "maintbot"
FEED = {200: {"content": {MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "An iCalendar feed"}}

# -- which announcements a feed holds -----------------------------------------------------------------

def feed_announcements(
    services: Services, provider: UUID | None = None, offering: UUID | None = None
) -> list[AnnouncementView]:
    """What the domain says a feed holds, read now (`Announcements.calendar`, `feeds.feed_since`)."""
    since = feed_since(services.context.clock.now())
    return services.announcements.calendar(since, provider_uuid=provider, offering_uuid=offering)


# -- rendering ----------------------------------------------------------------------------------------


#: Control characters a TEXT value may not hold (RFC 5545 3.3.11); tab is allowed, line breaks are escaped.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Line breaks, Unicode's too (NEL, LINE and PARAGRAPH SEPARATOR): some readers end a line at each.
LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")


def escape(text: str) -> str:
    """A TEXT value: every line break (CRLF, CR or LF) as `\\n`, separators escaped, other controls dropped —
    a bare CR would end the line for some readers and let the rest pose as a property of its own."""
    text = CONTROL.sub("", LINE_BREAK.sub("\n", text))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space, never splitting a character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        octets = char.encode()
        if len(current) + len(octets) > limit:
            parts.append(current.decode())
            current, limit = b"", 74
        current += octets
    parts.append(current.decode())
    return "\r\n ".join(parts)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def describe(view: AnnouncementView) -> str:
    lines = [view.message] if view.message else []
    if view.affected:
        lines.append(
            "Affected: " + "; ".join(f"{item.offering.name} ({item.impact_level.label})" for item in view.affected)
        )
    lines.append(f"State: {view.state.label}")
    if view.actual_start:
        lines.append(f"Started: {view.actual_start.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    if view.actual_end:
        lines.append(f"Completed: {view.actual_end.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    if view.external_reference_url:
        lines.append(view.external_reference_url)
    return "\n".join(lines)


def event(view: AnnouncementView, links: Links) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{view.uuid.hex}@{UID_DOMAIN}",
        f"SEQUENCE:{view.sequence}",
        f"DTSTAMP:{stamp(view.modified)}",
        f"CREATED:{stamp(view.created)}",
        f"LAST-MODIFIED:{stamp(view.modified)}",
        f"DTSTART:{stamp(view.scheduled_start)}",
    ]
    if view.scheduled_end > view.scheduled_start:
        lines.append(f"DTEND:{stamp(view.scheduled_end)}")
    lines += [
        f"SUMMARY:{escape(f'[{view.provider_name}] {view.name}')}",
        f"DESCRIPTION:{escape(describe(view))}",
        f"CATEGORIES:{escape(view.maintenance_type.label)}",
        f"STATUS:{'CANCELLED' if view.state is State.CANCELLED else 'CONFIRMED'}",
        "TRANSP:TRANSPARENT",
    ]
    if view.state is not State.CANCELLED:
        lines.append(f"URL:{links.public_announcement(view.uuid)}")
    lines.append("END:VEVENT")
    return lines


def render(views: Iterable[AnnouncementView], links: Links, title: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//maintbot//maintenance calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(title)}",
        f"X-PUBLISHED-TTL:{REFRESH}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
    ]
    for view in views:
        lines += event(view, links)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def _feed(text: str) -> Response:
    return Response(text, media_type=MEDIA_TYPE, headers={"Cache-Control": "max-age=300"})


# -- endpoints ----------------------------------------------------------------------------------------


@router.get(
    "/api/maintenance-calendar.ics",
    operation_id="maintenance_calendar",
    summary="iCalendar feed of all published maintenance",
    response_class=Response,
    responses=FEED,
)
def calendar_all(services: DomainServices, links: RequestLinks) -> Response:
    return _feed(render(feed_announcements(services), links, "Maintenance"))


@router.get(
    "/api/marketplace-service-providers/{uuid}/maintenance-calendar.ics",
    operation_id="marketplace_service_providers_maintenance_calendar",
    summary="iCalendar feed of one provider's published maintenance",
    response_class=Response,
    responses={**FEED, **refusals(404)},
)
def calendar_of_provider(uuid: str, services: DomainServices, links: RequestLinks) -> Response:
    provider = services.catalog.provider(path_uuid(uuid))
    views = feed_announcements(services, provider=provider.uuid)
    return _feed(render(views, links, f"Maintenance: {provider.name}"))


@router.get(
    "/api/marketplace-provider-offerings/{uuid}/maintenance-calendar.ics",
    operation_id="marketplace_provider_offerings_maintenance_calendar",
    summary="iCalendar feed of published maintenance affecting one offering",
    response_class=Response,
    responses={**FEED, **refusals(404)},
)
def calendar_of_offering(uuid: str, services: DomainServices, links: RequestLinks) -> Response:
    offering = services.catalog.offering(path_uuid(uuid))
    views = feed_announcements(services, offering=offering.uuid)  # whichever provider announces it
    return _feed(render(views, links, f"Maintenance: {offering.provider_name} / {offering.name}"))
