"""Injected misbehaviour, applied to the Ingram side before any route runs.

Kinds (see ``FaultRule``): ``latency`` (sleep, then answer normally), ``error`` (500 in
Ingram's ``errors[]`` shape, or 429 with rate-limit headers), ``timeout`` (hold the request
until the client gives up, then 504 as Apigee does), ``drop`` (read the whole request,
then close the socket without a byte of answer) and ``drop_after`` (carry the request out,
hold the answer ``latency_ms``, then close the socket without it: "accepted, then dropped").

Dropping needs the socket: under uvicorn the ASGI ``receive`` callable is bound to its
request cycle, which holds the transport; we close that and wait for uvicorn to see the
disconnect, so it sends nothing either. Where there is no socket (httpx's ASGITransport, in
process), the closest thing is an exception out of the app: ``ConnectionDropped``, which the
transport raises to the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from disty.simulator.ingram import errors
from disty.simulator.ingram.consts import OP_TOKEN, SYSTEM_ERROR, TIMEOUT_CODE, operation_for
from disty.simulator.ingram.ratelimit import WINDOW_S
from disty.simulator.ingram.state import FaultRule, SimState


class ConnectionDropped(ConnectionResetError):
    """The simulator dropped the connection on purpose (in-process stand-in for a reset)."""


class FaultInjector:
    """ASGI middleware: counts requests per operation, adds latency, injects faults."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        path = (
            scope["path"][len(scope.get("root_path", "")) :]
            if scope.get("root_path") and scope["path"].startswith(scope["root_path"])
            else scope["path"]
        )
        endpoint = operation_for(scope["method"], path) or "unknown"
        state.counts[endpoint] += 1
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        for rule in state.draw_faults(endpoint):
            if rule.kind == "latency":
                await asyncio.sleep(rule.latency_ms / 1000)
            elif rule.kind == "error":
                await _error(rule, state, endpoint, scope, receive, send)
                return
            elif rule.kind == "timeout":
                await _timeout(rule, scope, receive, send)
                return
            elif rule.kind == "drop":
                await _drop(receive)
                return
            elif rule.kind == "drop_after":
                await _drop_after(self.app, rule, scope, receive)
                return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> bool:
    """Consume the request body; False if the client went away meanwhile."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return False
        if message["type"] == "http.request" and not message.get("more_body", False):
            return True


async def _error(
    rule: FaultRule, state: SimState, endpoint: str, scope: Scope, receive: Receive, send: Send
) -> None:
    await _read_body(receive)
    if rule.status == 429:
        now = int(state.clock.now())
        reset = now // WINDOW_S * WINDOW_S + WINDOW_S
        response = errors.gateway_fault(
            429,
            "Rate limit quota violation. Quota limit exceeded. Identifier : injected",
            "policies.ratelimit.QuotaViolation",
            headers={
                "X-RateLimit-Limit": "0",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset),
                "Retry-After": str(reset - now),
            },
        )
    elif endpoint == OP_TOKEN:
        # The token endpoint is the gateway's own: its errors are Apigee faults (as the spec's
        # 500 schema for it says).
        response = errors.gateway_fault(
            rule.status, "Internal Server Error", "messaging.adaptors.http.flow.InternalServerError"
        )
    else:
        response = errors.system_error(correlation_id=None, now=time.time(), message=SYSTEM_ERROR)
        response.status_code = rule.status
    await response(scope, receive, send)


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _timeout(rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
    if not await _read_body(receive):
        return
    try:
        await asyncio.wait_for(_wait_disconnect(receive), timeout=rule.timeout_s)
        return  # the client gave up first, as a client with a shorter timeout does
    except TimeoutError:
        pass
    response = errors.gateway_fault(504, "Gateway Timeout", TIMEOUT_CODE)
    await response(scope, receive, send)


async def _drop(receive: Receive) -> None:
    await _read_body(receive)
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("the simulator dropped the connection (injected fault)")
    transport.close()
    # Wait for uvicorn to notice, so it does not answer 500 for an app that sent nothing.
    await asyncio.wait_for(_wait_disconnect(receive), timeout=5)


async def _drop_after(app: ASGIApp, rule: FaultRule, scope: Scope, receive: Receive) -> None:
    """Carry the request out for real (an order is placed), swallow the answer, wait
    ``latency_ms``, then close the connection: the client never learns what happened, which
    is exactly what a resubmission must survive without placing the order twice."""

    async def swallow(message: Message) -> None:
        return None

    await app(scope, receive, swallow)
    if rule.latency_ms:
        await asyncio.sleep(rule.latency_ms / 1000)
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("the simulator dropped the connection after answering (injected)")
    transport.close()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_wait_disconnect(receive), timeout=5)
