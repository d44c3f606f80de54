"""What every part-2 route does first: admission, the JSON body, 400s, paging, filters.

Query parameters the spec does not document are ignored, as most API gateways do (Ingram's
notes say nothing of them): a filter is only ever one the spec names.
"""

from __future__ import annotations

import datetime as dt
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


def day_of(raw: str) -> dt.date | None:
    """A date as the spec's filters write it: ``yyyy-MM-dd`` (a time after it ignored), or
    ``MM/dd/yyyy`` as the renewals example sends."""
    raw = raw.strip()
    try:
        if len(raw) == 10 and raw[2] == "/" and raw[5] == "/":
            return dt.date(int(raw[6:]), int(raw[:2]), int(raw[3:5]))
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def date_param(q: Any, name: str, bad: Fields) -> dt.date | None:
    """One date filter (``None`` when absent); a value that is no date is a 400 field error."""
    raw = q.get(name)
    if not raw:
        return None
    day = day_of(raw)
    if day is None:
        bad.append(field_error(name, raw, f"{name} must be a date (yyyy-MM-dd)"))
    return day


def between_param(q: Any, name: str, bad: Fields) -> tuple[dt.date, dt.date] | None:
    """A ``-bt``/``_bt`` range: two dates, repeated (``?x=a&x=b``) or comma-separated."""
    raw = [s.strip() for v in q.getlist(name) for s in v.split(",") if s.strip()]
    if not raw:
        return None
    days = [day_of(s) for s in raw]
    if len(days) != 2 or days[0] is None or days[1] is None:
        bad.append(field_error(name, ",".join(raw), f"{name} takes two dates (yyyy-MM-dd)"))
        return None
    return (days[0], days[1])


def in_range(day: dt.date | None, span: tuple[dt.date, dt.date] | None) -> bool:
    """Whether ``day`` is within ``span`` (no span: always; no day: never)."""
    return span is None or (day is not None and span[0] <= day <= span[1])


def utc_day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date()


def listed(q: Any, name: str) -> list[str]:
    """An ``-in`` filter's values, lower-cased: repeated or comma-separated."""
    return [s.strip().lower() for v in q.getlist(name) for s in v.split(",") if s.strip()]
