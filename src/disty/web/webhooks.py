"""The webhook receiver: one POST route per supplier with webhooks, at its codec's path (the
Destination URL admins pasted into the supplier's portal, unchanged), each one call into the
intake (services/webhooks/intake.py) whose result becomes the answer.

Deliveries are answered by ``WebhookDoor``, a pure ASGI layer at the edge of the app, ahead of
its whole middleware stack (only the trusted proxies' addresses are applied before it):
FastAPI's error, telemetry and body-limit layers, disty's own middleware, routing, dependency
solving and response classes each cost a delivery another coroutine and another wrapped
``send`` on every step, more together than verifying and committing it (bench/receiver.py
measured the receiver behind them at about half a bare FastAPI app's throughput, and the
middleware alone at a tenth). What that middleware gives an answer the door gives a delivery
itself, from the same code: its request id (web/request_id.py), the security headers
(web/security.py), a 500 for an unexpected error; a path or query with control characters is
left to the app's guard (web/guard.py), which refuses it. The routes stay, for the API's
schema and for any request the door lets through (another method: 405 as ever); both answer
through ``_answer``, so there is one way a result becomes an answer.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from disty import logs
from disty.services.webhooks.intake import HungUp, Incoming, Intake, Refused
from disty.services.webhooks.refusals import Refusal
from disty.services.webhooks.writer import Accepted
from disty.suppliers import registry
from disty.web.guard import has_control_characters
from disty.web.request_id import request_id_of
from disty.web.security import HeaderPolicy

log = logging.getLogger(__name__)


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
        status, headers, body = _answer(result)
        named = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers}
        return Response(body, status_code=status, headers=named)

    return receive


_JSON = (b"content-type", b"application/json")


def _answer(result: Accepted | Refused) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The status, headers and body that answer an intake's result."""
    if not isinstance(result, Refused):
        content = {
            "accepted": result.stored,
            "duplicates": result.duplicates,
            "conflicts": result.conflicts,
        }
        return 200, [_JSON], _dump(content)
    reason = result.reason
    if reason is Refusal.HUNG_UP:  # nobody is left to read an answer
        return reason.status, [], b""
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reason.headers.items()]
    return reason.status, [_JSON, *extra], _dump({"error": reason.value, "detail": result.detail})


def _dump(content: object) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


_FAILED = (
    500,
    [_JSON],
    _dump({"error": "internal", "detail": "the delivery could not be handled; send it again"}),
)


class WebhookDoor:
    """POSTs to a supplier's webhook path go straight to the intake (see the module's
    docstring); everything else goes on to the app. ``headers``: the app's security headers,
    which every answer carries."""

    def __init__(self, app: ASGIApp, headers: HeaderPolicy) -> None:
        self.app = app
        self.headers = headers
        self.paths: list[tuple[re.Pattern[str], str]] = []
        for registration in registry.with_webhooks():
            if registration.webhooks is not None:
                pattern, _, _ = compile_path(registration.webhooks.path)
                self.paths.append((pattern, registration.key))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            for pattern, supplier in self.paths:
                found = pattern.match(scope["path"])
                # Control characters go on to the guard's 400, as in any request.
                if found and not has_control_characters(scope):
                    await self._receive(supplier, found, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _receive(
        self, supplier: str, found: re.Match[str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        client = scope["client"][0] if scope.get("client") else "?"

        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise HungUp
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return

        rid, echoed = request_id_of(scope)
        token = logs.REQUEST_ID.set(rid)  # the inbox keeps it with the events (writer.py)
        try:
            intake: Intake = scope["app"].state.intake  # installed by the app's lifespan
            incoming = Incoming(Headers(scope=scope), body(), client)
            result = await intake.receive(
                supplier, found["shortcut"], found["country_id"], incoming
            )
            status, headers, content = _answer(result)
        except Exception:  # a bug of disty's: the sender gets a 500 and sends again later
            log.exception("a webhook delivery failed unexpectedly")
            status, headers, content = _FAILED
        finally:
            logs.REQUEST_ID.reset(token)
        headers = self.headers.completed(
            [*headers, echoed, (b"content-length", str(len(content)).encode())]
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
