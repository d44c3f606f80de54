"""Errors as RFC 9457 problem details: one shape for every failure of the JSON API.

Each problem says what failed (``title``, ``detail``) and what to do; ``errors`` lists the
fields a request got wrong. ``problem_for`` maps disty's error tree to a status code, so the
routes raise the same errors the CLI prints.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from disty import errors
from disty.suppliers import errors as supplier

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
POOL_RETRY_AFTER_S = 1
BASE = "https://disty.dev/problems/"  # the type URIs name the kind; they need not resolve


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class ApiProblem(Exception):
    """A problem raised by the API layer itself (authentication, scopes, idempotency)."""

    def __init__(
        self, status: int, kind: str, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers = headers or {}


def _retry_after(seconds: float | None) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))} if seconds else {}


def problem_for(exc: Exception) -> tuple[Problem, dict[str, str]]:
    """The problem (and headers) an exception becomes; unknown exceptions are a 500."""
    if isinstance(exc, ApiProblem):
        return Problem(
            type=BASE + exc.kind, title=exc.title, status=exc.status, detail=exc.detail
        ), exc.headers
    if isinstance(exc, errors.Conflict):
        return Problem(type=BASE + "conflict", title="Conflict", status=409, detail=str(exc)), {}
    if isinstance(exc, errors.InvalidInput):
        fields = [FieldProblem(field=exc.field, message=str(exc))] if exc.field else None
        return Problem(
            type=BASE + "invalid-input", title="Invalid input", status=422, detail=str(exc),
            errors=fields,
        ), {}  # fmt: skip
    if isinstance(exc, errors.NotFound):
        return Problem(type=BASE + "not-found", title="Not found", status=404, detail=str(exc)), {}
    if isinstance(exc, errors.ApiTypeNotAvailable):
        return Problem(
            type=BASE + "api-type-not-available", title="API type not available", status=409,
            detail=str(exc),
        ), {}  # fmt: skip
    if isinstance(exc, supplier.SupplierError):
        return _supplier_problem(exc)
    if isinstance(exc, PoolTimeout):
        # Every connection of this process's pool busy past DISTY_DB_POOL_TIMEOUT_S: a burst
        # this replica cannot take now; another (or this one in a moment) can.
        return Problem(
            type=BASE + "database-busy", title="disty is too busy right now", status=503,
            detail="every database connection of this server is in use: try again in a "
            "moment (Retry-After)",
        ), _retry_after(POOL_RETRY_AFTER_S)  # fmt: skip
    if isinstance(exc, errors.DistyError):  # configuration or key errors: safe to say
        return Problem(
            type=BASE + "server-configuration", title="disty is not configured for this",
            status=500, detail=str(exc),
        ), {}  # fmt: skip
    return Problem(
        type=BASE + "internal", title="Internal error", status=500,
        detail="disty failed unexpectedly; the error is logged. Try again, or report it.",
    ), {}  # fmt: skip


def _supplier_problem(exc: supplier.SupplierError) -> tuple[Problem, dict[str, str]]:
    detail = str(exc)
    if isinstance(exc, supplier.RequestRejected):
        fields = [FieldProblem(field=f.field, message=f.message) for f in exc.field_errors]
        return Problem(
            type=BASE + "supplier-rejected", title="The distributor refused the request",
            status=422, detail=detail, errors=fields or None,
        ), {}  # fmt: skip
    if isinstance(exc, supplier.NotFound):
        return Problem(
            type=BASE + "supplier-not-found", title="The distributor does not know it",
            status=404, detail=detail,
        ), {}  # fmt: skip
    if isinstance(exc, supplier.RateLimited):
        # Always a Retry-After: without the distributor's, its window (a minute).
        return Problem(
            type=BASE + "supplier-rate-limited", title="The distributor's rate limit was hit",
            status=429, detail=detail,
        ), _retry_after(exc.retry_after or 60)  # fmt: skip
    if isinstance(exc, supplier.Maintenance):
        return Problem(
            type=BASE + "supplier-maintenance", title="The distributor is in maintenance",
            status=503, detail=detail,
        ), _retry_after(600)  # fmt: skip
    if isinstance(exc, supplier.Timeout):
        return Problem(
            type=BASE + "supplier-timeout", title="The distributor did not answer in time",
            status=504, detail=detail,
        ), {}  # fmt: skip
    if isinstance(exc, supplier.Unavailable):
        return Problem(
            type=BASE + "supplier-unavailable", title="The distributor is unavailable",
            status=503, detail=detail,
        ), _retry_after(30)  # fmt: skip
    # Credentials, app approval, customer number: the connection needs an admin's attention.
    return Problem(
        type=BASE + "supplier-connection", title="The distributor refused the connection",
        status=502, detail=detail,
    ), {}  # fmt: skip


def respond(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


# A person's browser is answered with a page rather than a problem document (the console's
# error page): given the request and the problem, the page, or None for an API client.
PageFor = Callable[[Request, Problem, dict[str, str]], Response | None]


def install(app: FastAPI, *, page: PageFor | None = None) -> None:
    """Every error of the app answers as a problem, or as ``page`` says for a browser."""

    def answer(request: Request, problem: Problem, headers: dict[str, str]) -> Response:
        shown = page(request, problem, headers) if page is not None else None
        return shown if shown is not None else respond(problem, headers)

    async def disty_error(request: Request, exc: Exception) -> Response:
        return answer(request, *problem_for(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HTTPException):  # pragma: no cover - registered for it only
            raise exc
        titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
        problem = Problem(
            title=titles.get(exc.status_code, "HTTP error"), status=exc.status_code,
            detail=str(exc.detail),
        )  # fmt: skip
        return answer(request, problem, dict(exc.headers or {}))

    async def busy(request: Request, exc: Exception) -> Response:
        # Expected under a burst (not a bug): a warning, without the traceback ``unexpected``
        # would log.
        log.warning("%s %s answered 503: %s", request.method, request.url.path, exc)
        return answer(request, *problem_for(exc))

    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette logs the exception and raises it again after this answer is sent.
        return answer(request, *problem_for(exc))

    async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, RequestValidationError):  # pragma: no cover
            raise exc
        fields = [
            FieldProblem(
                field=".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
                message=str(e.get("msg", "invalid")),
            )
            for e in exc.errors()
        ]
        problem = Problem(
            type=BASE + "invalid-request", title="Invalid request", status=422,
            detail="the request does not match the API: see errors", errors=fields,
        )  # fmt: skip
        return respond(problem)

    app.add_exception_handler(errors.DistyError, disty_error)
    app.add_exception_handler(ApiProblem, disty_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(PoolTimeout, busy)
    app.add_exception_handler(Exception, unexpected)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": what}
    for status, what in {
        400: "control characters in the path or query",
        401: "no valid API token",
        403: "the token lacks the scope",
        404: "not found (or another tenant's)",
        409: "a conflict: an Idempotency-Key in use, a PO number taken or being created, or a "
        "connection not usable",
        422: "invalid input, or refused by the distributor with its reason",
        429: "the distributor's rate limit (Retry-After says when)",
        502: "the distributor refused the connection's credentials or app",
        503: "the distributor is unavailable or in maintenance, or disty too busy (Retry-After)",
        504: "the distributor did not answer in time",
    }.items()
}
