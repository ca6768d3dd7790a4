"""The one place where refusals become HTTP responses.

Domain errors, request-validation errors and routing errors all end here, in the seed's shapes:
`{"detail": "…"}` for 401, 403, 404, 405 and 409, and `{field: ["…"]}` for 400. Endpoints never
catch a domain error themselves. When the database cannot answer (down, restarting), the answer is
503 `{"detail": "…try again in a moment."}` with `Retry-After`, never a 500. A statement the database
ended for running past `MAINTBOT_QUERY_TIMEOUT` is a 503 that says it took too long (not that the database
is down), and one it refused as too large to run is a 400.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bot.domain.errors import (
    UNAVAILABLE,
    Ambiguous,
    DomainError,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
    Stale,
    StatementTimeout,
    StatementTooLarge,
)

log = logging.getLogger(__name__)

STATUS = {NotFound: 404, NotAllowed: 403, InvalidState: 409, Stale: 409, Invalid: 400, Ambiguous: 400}

#: Domain field names that the wire spells differently.
WIRE_FIELDS = {"provider": "service_provider"}

NON_FIELD = "non_field_errors"
UNAVAILABLE_DETAIL = "The database is not answering right now; please try again in a moment."
RETRY_AFTER_SECONDS = 5
TOOK_TOO_LONG_DETAIL = ("The request took too long and was stopped; nothing was changed. Ask for less "
                        "(filters, a smaller page) or try again later.")
TOO_LARGE_DETAIL = "The request is too large for the database to answer; ask for less."
NOT_NULL = "This field may not be null."

#: Pydantic error types in the words of the seed's serializers.
MESSAGES = {
    "missing": "This field is required.",
    "int_parsing": "A valid integer is required.",
    "int_type": "A valid integer is required.",
    "int_from_float": "A valid integer is required.",
    "string_type": "Not a valid string.",
    "datetime_parsing": "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    "datetime_from_date_parsing": "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    "datetime_type": "Datetime has wrong format.",
    "uuid_parsing": "Must be a valid UUID.",
    "uuid_type": "Must be a valid UUID.",
    "model_attributes_type": "Invalid data. Expected a dictionary.",
    "dict_type": "Invalid data. Expected a dictionary.",
    "json_invalid": "JSON parse error.",
    "list_type": "Expected a list of items.",
}
CHOICE_TYPES = {"enum", "literal_error"}


def _field(location: tuple[Any, ...]) -> str:
    names = [str(part) for part in location[1:] if isinstance(part, str)]
    return ".".join(names) or NON_FIELD


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if given is None and kind not in ("missing", "json_invalid"):
        return NOT_NULL
    if kind in CHOICE_TYPES:
        return f'"{given}" is not a valid choice.'
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return MESSAGES.get(kind, str(error["msg"]))


def field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        messages = fields.setdefault(_field(tuple(error["loc"])), [])
        message = _message(error)
        if message not in messages:
            messages.append(message)
    return fields


def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    if isinstance(error, Invalid):
        body: Any = {WIRE_FIELDS.get(name, name): messages for name, messages in error.fields.items()}
    else:
        body = {"detail": error.message}
    return JSONResponse(body, status_code=status)


def _unavailable(request: Request, error: Exception) -> JSONResponse:
    log.warning("%s %s: database unavailable: %s", request.method, request.url.path, type(error).__name__)
    return JSONResponse({"detail": UNAVAILABLE_DETAIL}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _took_too_long(request: Request, error: StatementTimeout) -> JSONResponse:
    log.warning("%s %s: stopped at the query timeout", request.method, request.url.path)
    return JSONResponse({"detail": TOOK_TOO_LONG_DETAIL}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _too_large(request: Request, error: StatementTooLarge) -> JSONResponse:
    log.info("%s %s: the database refused the statement as too large: %s", request.method, request.url.path, error)
    return JSONResponse({"detail": TOO_LARGE_DETAIL}, status_code=400)


def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    return JSONResponse(field_errors(list(error.errors())), status_code=400)


def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    if error.status_code == 404:
        detail = "Not found."
    elif error.status_code == 405:
        detail = f'Method "{request.method}" not allowed.'
    else:
        detail = error.detail
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)
    app.add_exception_handler(StatementTimeout, _took_too_long)
    app.add_exception_handler(StatementTooLarge, _too_large)
