"""What every part-2 route does first: admission, the JSON body, 400s, paging."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from disty.simulator.ingram import errors
from disty.simulator.ingram.consts import UNTHROTTLED
from disty.simulator.ingram.gateway import CallContext, admit_v6, state_of
from disty.simulator.ingram.life import run_due

Fields = list[dict[str, str]]


async def admit(
    request: Request, op: str, *, required: tuple[str, ...] = (), v7: bool = False
) -> CallContext | Response:
    """Gateway and header checks (GETs throttled per operation), then bring state up to now.

    Running what became due first means an answer never shows a state the simulated clock has
    already left behind (an order on hold for more than 24 hours is voided before it is read).
    """
    state = state_of(request)
    per_minute = state.get_per_minute if request.method == "GET" else UNTHROTTLED
    ctx = await admit_v6(request, bucket=op, per_minute=per_minute, required=required, v7=v7)
    if not isinstance(ctx, Response):
        run_due(state)
    return ctx


async def json_body(request: Request) -> Any:
    """The parsed body; ``None`` for an empty or unparsable one."""
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def invalid(ctx: CallContext, now: float, fields: Fields) -> Response:
    return errors.validation_failed(
        fields, correlation_id=ctx.correlation_id, now=now, headers=ctx.headers
    )


def field_error(name: str, value: object, message: str) -> dict[str, str]:
    return {"field": name, "value": "" if value is None else str(value), "message": message}


def int_param(
    raw: str | None, default: int, name: str, bad: Fields, *, lo: int = 1, hi: int | None = None
) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        bad.append(field_error(name, raw, f"{name} must be a number"))
        return default
    if value < lo or (hi is not None and value > hi):
        bad.append(field_error(name, raw, f"{name} must be between {lo} and {hi or 'any'}"))
        return default
    return value


def page(items: list[Any], number: int, size: int) -> list[Any]:
    return items[(number - 1) * size : number * size]
