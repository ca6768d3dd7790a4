"""`GET /api/maintenance-announcements/{uuid}/history/`: an announcement's audit trail (an extension of the seed).

For the provider's managers and admins (others: 403 if they may see the announcement, 404 if not, as every
other write-side read). Each event: when, who (`actor`: a Slack user id or a token's name), through which
`interface` (slack, api, console, scheduler…), the `action`, the sentence the trail recorded, and the
`changes` with their values before and after (moments as ISO 8601, types and impacts by label:
`bot.domain.changes`). Oldest first, as it happened.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.api import schemas
from bot.api.auth import Caller
from bot.api.deps import DomainServices
from bot.api.links import path_uuid
from bot.api.wire import api_time
from bot.domain.changes import Value, changes
from bot.domain.views import EventView

router = APIRouter(prefix="/api/maintenance-announcements", tags=["maintenance-announcements"])


class ChangeOut(BaseModel):
    field: str
    before: str | None
    after: str | None


class EventOut(BaseModel):
    created: datetime
    actor: str
    interface: str
    action: str
    message: str
    changes: list[ChangeOut]


@router.get(
    "/{uuid}/history/",
    operation_id="maintenance_announcements_history_list",
    summary="Audit trail of a maintenance announcement (extension)",
    description="Who changed the announcement, when, through which interface, and each field's value before and "
    "after. Managers of its provider and admins only.",
    response_model=list[EventOut],
    responses=schemas.refusals(401, 403, 404),
)
def announcement_history(uuid: str, actor: Caller, services: DomainServices) -> JSONResponse:
    events = services.announcements.history(actor, path_uuid(uuid))
    return JSONResponse([event_json(event) for event in events])


def event_json(event: EventView) -> dict:
    return {
        "created": api_time(event.created),
        "actor": event.actor,
        "interface": event.interface,
        "action": event.action,
        "message": event.message,
        "changes": [{"field": c.field, "before": _text(c.before), "after": _text(c.after)} for c in changes(event)],
    }


def _text(value: Value) -> str | None:
    return api_time(value) if isinstance(value, datetime) else value
