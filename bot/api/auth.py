"""Who is calling: `Authorization: Token <secret>` turned into a domain Actor.

Tokens come from `maintbot token create` and carry a role (admin, one provider's manager, read-only);
what each may do is decided by the domain, exactly as for Slack users. No token, a header in another
scheme, or an unknown or revoked token is 401 on every authenticated endpoint. The public endpoints
and the calendar feeds act as `ANONYMOUS`, who manages nothing and so sees only published
announcements, whatever header is sent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from bot import logs
from bot.api.deps import services_of
from bot.domain.actors import Actor
from bot.domain.enums import Interface
from bot.domain.service import Services

ANONYMOUS = Actor(id="anonymous", interface=Interface.API)
NOT_PROVIDED = "Authentication credentials were not provided."
INVALID = "Invalid token."
KEYWORD = "token"

token_header = APIKeyHeader(
    name="Authorization",
    scheme_name="TokenAuth",
    description="`Token <secret>`, with a secret from `maintbot token create`.",
    auto_error=False,
)


def _refuse(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Token"})


async def current_actor(
    services: Annotated[Services, Depends(services_of)],
    authorization: Annotated[str | None, Depends(token_header)] = None,
) -> Actor:
    if not authorization:
        raise _refuse(NOT_PROVIDED)
    keyword, _, secret = authorization.strip().partition(" ")
    if keyword.lower() != KEYWORD:
        raise _refuse(NOT_PROVIDED)
    secret = secret.strip()
    if not secret or " " in secret:
        raise _refuse("Invalid token header. Credentials string should not contain spaces.")
    # On the event loop when the token was read moments ago (no I/O); its first use reads it in a worker thread.
    actor = services.tokens.remembered(secret) or await run_in_threadpool(services.tokens.authenticate, secret)
    if actor is None:
        raise _refuse(INVALID)
    logs.bind(actor=actor.id)  # the request's log records name who called
    return actor


Caller = Annotated[Actor, Depends(current_actor)]
