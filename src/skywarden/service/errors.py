"""Error answers: one JSON body shape for every 4xx/5xx, and the handlers that produce it.

``{"detail": "<one readable sentence>", "error": "<kind>", "errors": [...]?}``. A
:class:`skywarden.errors.SkywardenError` raised by the library becomes its ``status_code`` with
its message (never a 500 for user input); request validation failures become 422 with each
problem as ``"<where>: <what>"``; a value the database refuses (out-of-range integer, NUL in
text) is a 422 too, as a safety net behind the endpoints' own bounds; anything unexpected is a 500 whose body says nothing internal
(the traceback goes to the log). :data:`COMMON_RESPONSES` documents these in the OpenAPI schema.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import SkywardenError

__all__ = ["COMMON_RESPONSES", "ErrorBody", "install_error_handlers"]

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error answer."""

    detail: str
    error: str
    errors: list[dict[str, Any]] | None = None


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in [
        (400, "Bad input (the message names the line/field and the expected format)"),
        (401, "Missing or invalid token"),
        (403, "The token's role is not enough"),
        (404, "Not found"),
        (413, "Request body too large"),
        (422, "Validation failed"),
        (429, "Rate limit exceeded (see Retry-After)"),
    ]
}


def _where(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body",)] if isinstance(loc, list | tuple) else [str(loc)]
    return ".".join(parts) or "body"


def _validation_body(exc: RequestValidationError) -> dict[str, Any]:
    errors = []
    for err in exc.errors():
        item = {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": err.get("type"),
        }
        errors.append(item)
    sentence = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in errors) or "invalid request"
    return {"detail": sentence, "error": "ValidationError", "errors": errors}


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(SkywardenError)
    async def _skywarden(_request: Request, exc: SkywardenError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_body(exc), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc.detail), "error": "HTTPError"},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DataError)
    async def _data(_request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value (SQLSTATE class 22: out of range, NUL in text, …): that is
        # input the endpoint did not bound, so a 422 naming the problem, not a 500.
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        return JSONResponse(
            {"detail": f"a value was refused by the database: {reason}", "error": "DataError"}, 422
        )

    @app.exception_handler(OverflowError)
    async def _overflow(_request: Request, exc: OverflowError) -> JSONResponse:
        # e.g. "Python int too large to convert to SQLite INTEGER" for an unbounded integer id
        return JSONResponse({"detail": f"a number is out of range: {exc}", "error": "OverflowError"}, 422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"detail": "internal error (logged on the server)", "error": "InternalError"}, 500
        )
