"""`/status`, `/status/{provider}`, `/status/{provider}/{offering}` (slug or uuid) and their Atom feeds.

Anonymous and read-only, like the public endpoint: the same per-address rate (`bot/limits.py`), a turn like any
API request, and a bounded page (`bot/domain/status.py`: three capped sections, counted in SQL). Rendering only:

* **Escaping** is Jinja2's autoescape, on for every template (HTML and Atom alike); a reference link is a link
  only when it is http(s).
* **Script**: the page's only script is `static/status.js`, served from here; the Content-Security-Policy allows
  scripts, styles and images from this origin alone, so no inline script (nor one injected through a name)
  can run, and nothing is fetched from elsewhere.
* **Time**: each moment is a `<time datetime>` whose text is UTC; the script rewrites it in the reader's zone.
* **Caching**: many readers poll one page: `Cache-Control: public, max-age=30` and an `ETag` of the body, so a
  reload that changed nothing is a bodiless 304. The static files carry their content's hash in their URL and
  are cached for a year.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from bot.domain.enums import Impact, State
from bot.domain.errors import NotFound
from bot.domain.status import RECENT_PAST, Board, Place
from bot.domain.views import AnnouncementView

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
PAGE_CACHE = "public, max-age=30"
ASSET_CACHE = "public, max-age=31536000, immutable"
HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Characters XML 1.0 cannot hold at all; older text could still contain them (validation refuses them now).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:12]


ASSETS = {
    name: Asset((HERE / "static" / name).read_bytes(), media_type)
    for name, media_type in (("status.css", "text/css; charset=utf-8"), ("status.js", "text/javascript; charset=utf-8"),
                             ("favicon.svg", "image/svg+xml"))
}


# -- words and times ------------------------------------------------------------------------------------


def utc_text(moment: datetime) -> str:
    """A moment as the page's text before its script runs (and without script): `Tue 1 Dec 2026, 14:00 UTC`."""
    moment = moment.astimezone(UTC)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} UTC"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(span: timedelta) -> str:
    """`45 min`, `2 h`, `2 h 30 min`, `3 days 4 h`."""
    minutes = max(0, round(span.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes and not days else ""]
    return " ".join(part for part in parts if part) or "0 min"


def web_link(url: str) -> str | None:
    """The reference link when a browser may follow it (http or https), else None: shown as text."""
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


def worst_impact(view: AnnouncementView) -> Impact:
    return max((item.impact_level for item in view.affected), default=Impact.NONE)


environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)
environment.filters.update(utc=utc_text, iso=iso, duration=duration, web_link=web_link, xml=xml_text)
environment.globals.update(State=State, Impact=Impact, worst_impact=worst_impact, RECENT_DAYS=RECENT_PAST.days)
templates = Jinja2Templates(env=environment)


# -- where things are ------------------------------------------------------------------------------------


def base_url(request: Request) -> str:
    """What absolute links (feeds to subscribe to) start with: MAINTBOT_BASE_URL when set, else the request's
    own, as for the API's links (`bot/api/deps.base_url`; answers then vary by Host)."""
    return (request.app.state.settings.base_url or str(request.base_url)).rstrip("/")


def asset_path(request: Request, name: str) -> str:
    """A static file's path, versioned by its content (so it may be cached for a year)."""
    return f"{request.app.url_path_for('status_asset', name=name)}?v={ASSETS[name].version}"


@dataclass(frozen=True)
class Where:
    """The page's own paths and the feeds of what it shows, for one request."""

    request: Request
    board: Board

    def path(self, provider: Place | None = None, offering: Place | None = None, *, feed: bool = False) -> str:
        app, suffix = self.request.app, "_feed" if feed else ""
        if offering is not None and provider is not None:
            return app.url_path_for("status_of_offering" + suffix, provider=provider.segment,
                                    offering=offering.segment)
        if provider is not None:
            return app.url_path_for("status_of_provider" + suffix, provider=provider.segment)
        return app.url_path_for("status_all" + suffix)

    @property
    def here(self) -> str:
        return self.path(self.board.provider, self.board.offering)

    def absolute(self, path: str) -> str:
        return base_url(self.request) + path

    def asset(self, name: str) -> str:
        return asset_path(self.request, name)

    def subscriptions(self) -> list[tuple[str, str, str]]:
        """(what, format, absolute URL) of the feeds holding what the page shows."""
        app, board = self.request.app, self.board
        if board.offering is not None:
            calendar = app.url_path_for("calendar_of_offering", uuid=board.offering.uuid.hex)
        elif board.provider is not None:
            calendar = app.url_path_for("calendar_of_provider", uuid=board.provider.uuid.hex)
        else:
            calendar = app.url_path_for("calendar_all")
        feeds = [("Calendar", "iCalendar: Google Calendar, Outlook, Apple Calendar", self.absolute(calendar)),
                 ("News feed", "Atom: feed readers", self.absolute(self.path(board.provider, board.offering,
                                                                                  feed=True)))]
        if board.offering is None:
            query = {"service_provider_uuid": board.provider.uuid.hex} if board.provider else {}
            json_path = app.url_path_for("list_public") + (f"?{urlencode(query)}" if query else "")
            feeds.append(("JSON", "the public API, for scripts", self.absolute(json_path)))
        return feeds


# -- answers ---------------------------------------------------------------------------------------------


def cached(request: Request, body: str, media_type: str, status: int = 200) -> Response:
    """The answer with its ETag; a bodiless 304 when the reader already holds this very body."""
    encoded = body.encode()
    etag = f'"{hashlib.sha256(encoded).hexdigest()[:32]}"'
    headers = {**SECURITY_HEADERS, "Cache-Control": PAGE_CACHE, "ETag": etag}
    held = [tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")]
    if status == 200 and (etag in held or "*" in held):
        return Response(status_code=304, headers=headers)
    return Response(encoded, status_code=status, media_type=media_type, headers=headers)


def last_change(board: Board) -> datetime | None:
    """When what the page shows last changed (not when it was rendered: the body, and so its ETag, stays the
    same until an announcement on it changes)."""
    return max((view.modified for view in board.shown), default=None)


def title_of(board: Board) -> str:
    if board.offering is not None and board.provider is not None:
        return f"Maintenance: {board.provider.name} / {board.offering.name}"
    if board.provider is not None:
        return f"Maintenance: {board.provider.name}"
    return "Maintenance"


def page(request: Request, provider: str | None = None, offering: str | None = None) -> Response:
    try:
        board = request.app.state.services.status.board(provider, offering)
    except NotFound as error:
        body = environment.get_template("missing.html").render(
            message=str(error), home=request.app.url_path_for("status_all"),
            css=asset_path(request, "status.css"), icon=asset_path(request, "favicon.svg"))
        return cached(request, body, HTML, status=404)
    where = Where(request, board)
    body = environment.get_template("status.html").render(board=board, where=where, title=title_of(board),
                                                          changed=last_change(board))
    return cached(request, body, HTML)


def feed(request: Request, provider: str | None = None, offering: str | None = None) -> Response:
    try:
        board = request.app.state.services.status.board(provider, offering)
    except NotFound as error:
        return Response(str(error), status_code=404, media_type="text/plain; charset=utf-8", headers=SECURITY_HEADERS)
    where = Where(request, board)
    body = environment.get_template("feed.xml").render(board=board, where=where, title=title_of(board),
                                                      updated=last_change(board) or board.now)
    return cached(request, body, ATOM)


# -- routes (the feeds first: `feed.atom` is never a slug, which has no dot) ------------------------------

GET = ["GET", "HEAD"]


@router.api_route("/status/feed.atom", methods=GET, name="status_all_feed")
def status_all_feed(request: Request) -> Response:
    return feed(request)


@router.api_route("/status/{provider}/feed.atom", methods=GET, name="status_of_provider_feed")
def status_of_provider_feed(request: Request, provider: str) -> Response:
    return feed(request, provider)


@router.api_route("/status/{provider}/{offering}/feed.atom", methods=GET, name="status_of_offering_feed")
def status_of_offering_feed(request: Request, provider: str, offering: str) -> Response:
    return feed(request, provider, offering)


@router.api_route("/status", methods=GET, name="status_all")
def status_all(request: Request) -> Response:
    return page(request)


@router.api_route("/status/{provider}", methods=GET, name="status_of_provider")
def status_of_provider(request: Request, provider: str) -> Response:
    return page(request, provider)


@router.api_route("/status/{provider}/{offering}", methods=GET, name="status_of_offering")
def status_of_offering(request: Request, provider: str, offering: str) -> Response:
    return page(request, provider, offering)


@router.api_route("/static/status/{name}", methods=GET, name="status_asset")
async def status_asset(name: str) -> Response:
    """The page's stylesheet and script; their URLs carry a version, so they are cached for a year."""
    asset = ASSETS.get(name)
    if asset is None:
        return Response("Not found.", status_code=404, media_type="text/plain; charset=utf-8")
    return Response(asset.body, media_type=asset.media_type,
                    headers={"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"})
