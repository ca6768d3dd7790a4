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
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

import icalendar
from fastapi import APIRouter, Response

from bot.api.deps import DomainServices, RequestLinks
from bot.api.links import Links, path_uuid
from bot.api.schemas import refusals
from bot.domain.enums import State
from bot.domain.feeds import feed_since
from bot.domain.service import Services
from bot.domain.views import AnnouncementView, UpdateView

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
#
# `icalendar` writes every feed: it escapes TEXT values, folds lines at 75 octets without splitting a
# character, and (for a feed whose times carry a zone) writes VTIMEZONE from the zone database. Before
# text reaches it, `plain` turns every kind of line break into "\n" and drops other control characters:
# icalendar escapes CR and LF, but passes NEL, LINE and PARAGRAPH SEPARATOR (U+2028/U+2029) and C0/C1
# controls through raw, and some readers end a line at those.

#: Control characters a TEXT value may not hold (RFC 5545 3.3.11); tab is allowed, line breaks are kept as "\n".
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Line breaks, Unicode's too (NEL, LINE and PARAGRAPH SEPARATOR): some readers end a line at each.
LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")


def plain(text: str) -> str:
    """The text a calendar app will show: every line break as "\n", other control characters dropped."""
    return CONTROL.sub("", LINE_BREAK.sub("\n", text))


class Text(icalendar.vText):
    """icalendar's TEXT, keeping a typed backslash before `N` as typed: icalendar 7's writer reads `\\N` in
    the value as a line break (its first escaping step), so `C:\\New` would come back as two lines. Every
    backslash is set aside as NUL (which `plain` has removed from the text), escaped by icalendar, then
    written as the escaped backslash it is."""

    def to_ical(self) -> bytes:
        escaped = icalendar.vText(str(self).replace("\\", "\x00")).to_ical()
        return escaped.replace(b"\x00", b"\\\\")


def text(value: str) -> Text:
    return Text(plain(value))


#: The latest published progress updates a feed shows per announcement (a feed's size stays bounded).
FEED_UPDATES = 5


def feed_updates(services: Services, views: list[AnnouncementView]) -> dict[UUID, list[UpdateView]]:
    """The published progress updates of a feed's announcements, the latest `FEED_UPDATES` of each (one query)."""
    found = services.updates.published(view.uuid for view in views)
    return {uuid: updates[-FEED_UPDATES:] for uuid, updates in found.items()}


def describe(view: AnnouncementView, updates: Sequence[UpdateView] = ()) -> str:
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
    lines += [f"Update {update.created.astimezone(UTC):%Y-%m-%d %H:%M} UTC: {update.message}" for update in updates]
    return "\n".join(lines)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def event(view: AnnouncementView, links: Links, updates: Sequence[UpdateView] = ()) -> icalendar.Event:
    """One announcement as one VEVENT, in UTC (`…Z`)."""
    item = icalendar.Event()
    item.add("UID", f"{view.uuid.hex}@{UID_DOMAIN}")
    item.add("SEQUENCE", view.sequence)
    item.add("DTSTAMP", utc(view.modified))
    item.add("CREATED", utc(view.created))
    item.add("LAST-MODIFIED", utc(view.modified))
    item.add("DTSTART", utc(view.scheduled_start))
    if view.scheduled_end > view.scheduled_start:
        item.add("DTEND", utc(view.scheduled_end))
    item.add("SUMMARY", text(f"[{view.provider_name}] {view.name}"))
    item.add("DESCRIPTION", text(describe(view, updates)))
    item.add("CATEGORIES", [plain(view.maintenance_type.label)])
    item.add("STATUS", "CANCELLED" if view.state is State.CANCELLED else "CONFIRMED")
    item.add("TRANSP", "TRANSPARENT")
    if view.state is not State.CANCELLED:
        item.add("URL", links.public_announcement(view.uuid))
    return item


def calendar(title: str, events: Iterable[icalendar.Component]) -> icalendar.Calendar:
    """A feed's VCALENDAR holding `events`, with a VTIMEZONE (from icalendar) for every zone they name."""
    feed = icalendar.Calendar()
    feed.add("VERSION", "2.0")
    feed.add("PRODID", "-//maintbot//maintenance calendar//EN")
    feed.add("CALSCALE", "GREGORIAN")
    feed.add("METHOD", "PUBLISH")
    feed.add("X-WR-CALNAME", text(title))
    feed.add("X-PUBLISHED-TTL", REFRESH)
    feed.add("REFRESH-INTERVAL", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    for item in events:
        feed.add_component(item)
    feed.add_missing_timezones()
    return feed


def render(
    views: Iterable[AnnouncementView], links: Links, title: str, updates: dict[UUID, list[UpdateView]] | None = None
) -> str:
    updates = updates or {}
    return calendar(title, (event(view, links, updates.get(view.uuid, [])) for view in views)).to_ical().decode()


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
    views = feed_announcements(services)
    return _feed(render(views, links, "Maintenance", feed_updates(services, views)))


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
    return _feed(render(views, links, f"Maintenance: {provider.name}", feed_updates(services, views)))


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
    title = f"Maintenance: {offering.provider_name} / {offering.name}"
    return _feed(render(views, links, title, feed_updates(services, views)))
