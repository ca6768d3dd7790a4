"""Page-number pagination on the wire: a bare JSON array, `X-Result-Count`, and a `Link` header.

`Link` carries `first`, `prev`, `next` and `last` (prev and next only where they exist), each the
request's own path and query with `page` replaced, so filters and ordering carry over, on the base URL
all links use (MAINTBOT_BASE_URL when set). `HEAD` on a list answers
the count header alone. Sizes (default 10, at most 300) and "Invalid page." are the domain's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from bot.api.deps import base_url
from bot.domain.views import Page

COUNT_HEADER = "X-Result-Count"

PageNumber = Annotated[int, Query(description="A page number within the paginated result set.")]
PageSize = Annotated[int, Query(description="Number of results to return per page (default 10, at most 300).")]

COUNT_RESPONSE = {
    "description": "The number of matching items, in the X-Result-Count header.",
    "headers": {COUNT_HEADER: {"schema": {"type": "integer"}, "description": "Number of matching items"}},
}
LIST_HEADERS = {
    COUNT_HEADER: {"schema": {"type": "integer"}, "description": "Number of matching items"},
    "Link": {"schema": {"type": "string"}, "description": "first, prev, next and last pages (RFC 8288)"},
}


def link_header(request: Request, page: Page) -> str:
    base = base_url(request).rstrip("/")

    def at(number: int) -> str:
        return f"{base}{request.url.path}?{request.url.include_query_params(page=number).query}"

    links = [("first", 1)]
    if page.has_previous:
        links.append(("prev", page.page - 1))
    if page.has_next:
        links.append(("next", page.page + 1))
    links.append(("last", page.pages))
    return ", ".join(f'<{at(number)}>; rel="{rel}"' for rel, number in links)


def paginated(request: Request, page: Page, items: list[Any]) -> JSONResponse:
    headers = {COUNT_HEADER: str(page.count), "Link": link_header(request, page)}
    return JSONResponse(items, headers=headers)


def counted(count: int) -> Response:
    """The answer to HEAD on a list: the headers of the list (its count, its JSON type), no body."""
    return Response(status_code=200, headers={COUNT_HEADER: str(count)}, media_type="application/json")
