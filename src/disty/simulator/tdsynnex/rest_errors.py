"""The Partner REST API's error body: ``{"requestId", "data": {"errorCode", "errorMessage"}}``.

NOTES 8.5: two independent clients read ``data.errorCode`` and ``data.errorMessage``; the
status codes evidenced are 400, 401, 429 and 500, 403/404 plausible. The ``errorCode`` values
are the simulator's own (no catalogue is published): the names below.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

BAD_REQUEST = "BAD_REQUEST"
NO_TOKEN = "MISSING_TOKEN"  # noqa: S105 - an error code, not a secret
INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - an error code, not a secret
EXPIRED_TOKEN = "EXPIRED_TOKEN"  # noqa: S105 - an error code, not a secret
NOT_ENTITLED = "NOT_ENTITLED"
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
RATE_LIMITED = "RATE_LIMIT_EXCEEDED"

# Paths (inside a country) that are the REST API's: their routing errors answer as REST does.
REST_PATHS = ("/api/", "/oauth2/", "/sso/")


def body(code: str, message: str) -> dict[str, object]:
    return {"requestId": str(uuid.uuid4()), "data": {"errorCode": code, "errorMessage": message}}


def rest_error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body(code, message), status_code=status, headers=headers)


def is_rest(request: Request) -> bool:
    path = request.scope.get("path", "")
    return any(marker in path for marker in REST_PATHS)


async def routing_error(request: Request, exc: Exception) -> Response:
    """Unknown path or wrong method: the REST shape under the REST paths, else plain text."""
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    if not is_rest(request):
        return PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
    if exc.status_code == 404:
        return rest_error(404, NOT_FOUND, f"No resource at {request.url.path}")
    if exc.status_code == 405:
        return rest_error(
            405, METHOD_NOT_ALLOWED, f"{request.method} is not allowed here", exc.headers
        )
    return rest_error(exc.status_code, BAD_REQUEST, str(exc.detail), exc.headers)
