"""The webhook receiver: one POST route per supplier with webhooks, at its codec's path (the
Destination URL admins pasted into the supplier's portal, unchanged), each one call into the
intake (services/webhooks/intake.py) whose result becomes the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from disty.services.webhooks.intake import HungUp, Incoming, Intake, Refused
from disty.services.webhooks.refusals import Refusal
from disty.suppliers import registry


def install(app: FastAPI, intake: Intake) -> None:
    """Hold the app's intake (``lifespan`` makes it, in the server's event loop)."""
    app.state.intake = intake


async def intake_of(request: Request) -> Intake:
    """The app's intake (a typed dependency: ``Depends(intake_of)``). Async: FastAPI runs a
    plain function dependency in its thread pool, a hand-off per delivery."""
    intake: Intake = request.app.state.intake
    return intake


async def _body(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise HungUp from None


def router() -> APIRouter:
    """A route for each registered supplier with webhooks, bound to its key."""
    routes = APIRouter(tags=["webhooks"])
    for registration in registry.with_webhooks():
        codec = registration.webhooks
        if codec is None:  # pragma: no cover - with_webhooks() has only those with one
            continue
        routes.add_api_route(
            codec.path,
            _receiver(registration.key),
            methods=["POST"],
            name=f"webhook_{registration.key}",
        )
    return routes


def _receiver(supplier: str) -> Callable[..., Awaitable[Response]]:
    async def receive(
        shortcut: str,
        country_id: str,
        request: Request,
        intake: Annotated[Intake, Depends(intake_of)],
    ) -> Response:
        client = request.client.host if request.client else "?"
        incoming = Incoming(request.headers, _body(request), client)
        result = await intake.receive(supplier, shortcut, country_id, incoming)
        if not isinstance(result, Refused):
            return JSONResponse(
                {
                    "accepted": result.stored,
                    "duplicates": result.duplicates,
                    "conflicts": result.conflicts,
                }
            )
        reason = result.reason
        if reason is Refusal.HUNG_UP:  # nobody is left to read an answer
            return Response(status_code=reason.status)
        return JSONResponse(
            {"error": reason.value, "detail": result.detail},
            status_code=reason.status,
            headers=dict(reason.headers) or None,
        )

    return receive
