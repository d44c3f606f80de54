"""Injected misbehaviour, applied to the Ingram side before any route runs.

Kinds (see ``FaultRule``): ``latency`` (sleep, then answer normally), ``error`` (500 in
Ingram's ``errors[]`` shape, or 429 with rate-limit headers), ``timeout`` (hold the request
until the client gives up, then 504 as Apigee does), ``drop`` (read the whole request,
then close the socket without a byte of answer) and ``drop_after`` (carry the request out,
hold the answer ``latency_ms``, then close the socket without it: "accepted, then dropped").

How a connection is dropped: simulator/hangups.py (shared with TD SYNNEX's injector).
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from disty.simulator.hangups import (
    ConnectionDropped,
    drop,
    drop_after,
    outlasted,
    read_body,
    relative_path,
)
from disty.simulator.ingram import errors
from disty.simulator.ingram.consts import OP_TOKEN, SYSTEM_ERROR, TIMEOUT_CODE, operation_for
from disty.simulator.ingram.ratelimit import WINDOW_S
from disty.simulator.ingram.state import FaultRule, SimState


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
        endpoint = operation_for(scope["method"], relative_path(scope)) or "unknown"
        state.counts[endpoint] += 1
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        for rule in state.draw_faults("ingram", endpoint):
            if rule.kind == "latency":
                await asyncio.sleep(rule.latency_ms / 1000)
            elif rule.kind == "error":
                await _error(rule, state, endpoint, scope, receive, send)
                return
            elif rule.kind == "timeout":
                await _timeout(rule, scope, receive, send)
                return
            elif rule.kind == "drop":
                await drop(receive)
                return
            elif rule.kind == "drop_after":
                await drop_after(self.app, rule.latency_ms, scope, receive)
                return
        await self.app(scope, receive, send)


async def _error(
    rule: FaultRule, state: SimState, endpoint: str, scope: Scope, receive: Receive, send: Send
) -> None:
    await read_body(receive)
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


async def _timeout(rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
    if await read_body(receive) is None or await outlasted(receive, rule.timeout_s):
        return  # the client gave up first, as a client with a shorter timeout does
    response = errors.gateway_fault(504, "Gateway Timeout", TIMEOUT_CODE)
    await response(scope, receive, send)


__all__ = ["ConnectionDropped", "FaultInjector"]
