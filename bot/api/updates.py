"""Progress updates over HTTP (an extension of the seed; no seed field or default changes):

- `GET  /api/maintenance-announcements/{uuid}/updates/`: the updates of an announcement the token may see,
  oldest first (a bare array with `X-Result-Count`; an announcement holds at most `UPDATES_MAX`).
- `POST /api/maintenance-announcements/{uuid}/updates/` with `{"message": "…"}`: post one (its managers, while
  Scheduled or In progress) → 201 `{"uuid", "message", "created", "author"}`; told to every channel like any
  other notice.
- `GET  /api/public-maintenance-announcements/{uuid}/updates/`: the same list for anyone, of published
  announcements only (a draft or cancelled one is 404, as on the public endpoint itself).

One call into `services.updates` each; refusals are rendered by `bot.api.errors` (400 beside `message`, 403,
404, 409 naming the valid states).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.api import schemas
from bot.api.auth import ANONYMOUS, Caller
from bot.api.deps import DomainServices
from bot.api.links import path_uuid
from bot.api.wire import api_time
from bot.domain.updates import UPDATE_MAX
from bot.domain.views import UpdateView

router = APIRouter(tags=["maintenance-announcement-updates"])


class UpdateRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str = Field(description=f"What has happened; at most {UPDATE_MAX:,} characters, not blank.")


class Update(BaseModel):
    uuid: str
    message: str
    created: datetime
    author: str


def update_body(view: UpdateView) -> dict[str, Any]:
    return {"uuid": view.uuid.hex, "message": view.message, "created": api_time(view.created), "author": view.author}


def listed(views: list[UpdateView]) -> JSONResponse:
    return JSONResponse([update_body(view) for view in views], headers={"X-Result-Count": str(len(views))})


@router.get(
    "/api/maintenance-announcements/{uuid}/updates/",
    operation_id="maintenance_announcements_updates_list",
    summary="List the progress updates of a maintenance announcement, oldest first",
    response_model=list[Update],
    responses=schemas.refusals(401, 404),
)
def list_updates(uuid: str, actor: Caller, services: DomainServices) -> JSONResponse:
    return listed(services.updates.list(actor, path_uuid(uuid)))


@router.post(
    "/api/maintenance-announcements/{uuid}/updates/",
    operation_id="maintenance_announcements_updates_create",
    summary="Post a progress update (Scheduled or In progress): a reply under every copy of its card in Slack",
    status_code=201,
    response_model=Update,
    responses=schemas.refusals(400, 401, 403, 404, 409),
)
def post_update(uuid: str, body: UpdateRequest, actor: Caller, services: DomainServices) -> JSONResponse:
    view = services.updates.post(actor, path_uuid(uuid), body.message)
    return JSONResponse(update_body(view), status_code=201)


@router.get(
    "/api/public-maintenance-announcements/{uuid}/updates/",
    operation_id="public_maintenance_announcements_updates_list",
    summary="List the progress updates of a published maintenance announcement, oldest first",
    response_model=list[Update],
    responses=schemas.refusals(404),
)
def list_public_updates(uuid: str, services: DomainServices) -> JSONResponse:
    return listed(services.updates.list(ANONYMOUS, path_uuid(uuid)))
