"""Catalog search and product details (``/resellers/v6/catalog...``)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, wire
from disty.simulator.ingram.catalog import SearchQuery
from disty.simulator.ingram.consts import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    OP_DETAILS,
    OP_DETAILS_BY_VPN,
    OP_SEARCH,
)
from disty.simulator.ingram.gateway import CallContext, admit_v6, state_of
from disty.simulator.ingram.plans import find_plan, subscription_details

_SKU_TYPES = {"im::physical": "physical", "im::digital": "digital", "im::any": None}


async def _admit(request: Request, op: str) -> CallContext | Response:
    state = state_of(request)
    return await admit_v6(request, bucket=op, per_minute=state.get_per_minute)


async def search(request: Request) -> Response:
    ctx = await _admit(request, OP_SEARCH)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    q = request.query_params
    now = state.clock.now()
    bad: list[dict[str, str]] = []
    page_number = _int_param(q.get("pageNumber"), 1, "pageNumber", bad, minimum=1)
    page_size = _int_param(
        q.get("pageSize"), DEFAULT_PAGE_SIZE, "pageSize", bad, minimum=1, maximum=MAX_PAGE_SIZE
    )
    sku_type = q.get("type")
    if sku_type is not None and sku_type.lower() not in _SKU_TYPES:
        bad.append(
            {
                "field": "type",
                "value": sku_type,
                "message": "type must be one of IM::physical, IM::digital, IM::any",
            }
        )
    if bad:
        return errors.validation_failed(
            bad, correlation_id=ctx.correlation_id, now=now, headers=ctx.headers
        )
    query = SearchQuery(
        keywords=tuple(k for k in q.getlist("keyword") if k.strip()),
        vendors=tuple(v for v in q.getlist("vendor") if v.strip()),
        vendor_part_numbers=tuple(v for v in q.getlist("vendorPartNumber") if v.strip()),
        vendor_number=q.get("vendorNumber") or None,
        category=q.get("category") or None,
        sku_type=_SKU_TYPES.get(sku_type.lower()) if sku_type else None,
    )
    total, page = state.catalog.search(query, page_number, page_size)
    if total == 0:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    body: wire.JSON = {
        "recordsFound": total,
        "pageSize": page_size,
        "pageNumber": page_number,
        "catalog": [wire.search_row(p) for p in page],
    }
    # Links to the neighbouring pages, keeping the caller's filters (as Ingram's do).
    kept = [(k, v) for k, v in q.multi_items() if k not in ("pageNumber", "pageSize")]
    if page_number * page_size < total:
        body["nextPage"] = _page_link(kept, page_size, page_number + 1)
    if page_number > 1:
        body["previousPage"] = _page_link(kept, page_size, page_number - 1)
    return JSONResponse(body, headers=ctx.headers)


def _page_link(kept: list[tuple[str, str]], size: int, number: int) -> str:
    query = urlencode([*kept, ("pageSize", str(size)), ("pageNumber", str(number))])
    return f"/resellers/v6/catalog?{query}"


def _int_param(
    raw: str | None,
    default: int,
    name: str,
    bad: list[dict[str, str]],
    *,
    minimum: int,
    maximum: int | None = None,
) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        bad.append({"field": name, "value": raw, "message": f"{name} must be a number"})
        return default
    if value < minimum or (maximum is not None and value > maximum):
        limit = f"between {minimum} and {maximum}" if maximum else f"at least {minimum}"
        bad.append({"field": name, "value": raw, "message": f"{name} must be {limit}"})
        return default
    return value


async def details(request: Request) -> Response:
    ctx = await _admit(request, OP_DETAILS)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    ipn: str = request.path_params["ingramPartNumber"]
    if len(ipn) > 6:
        return errors.validation_failed(
            [
                {
                    "field": "ingramPartNumber",
                    "value": ipn,
                    "message": "ingramPartNumber must be at most 6 characters",
                }
            ],
            correlation_id=ctx.correlation_id,
            now=now,
            headers=ctx.headers,
        )
    product = state.catalog.by_ingram_part_number(ipn)
    if product is None:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    return JSONResponse(wire.details(product), headers=ctx.headers)


async def details_by_vendor_part_number(request: Request) -> Response:
    ctx = await _admit(request, OP_DETAILS_BY_VPN)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    vpn = q.get("vendorPartNumber")
    if not vpn:
        if q.get("planId") or q.get("planName"):
            plan = find_plan(state.catalog, q.get("planId") or "", q.get("planName") or "")
            if plan is None:
                return errors.not_found(
                    correlation_id=ctx.correlation_id, now=now, headers=ctx.headers
                )
            body = {**wire.details(plan.product), "subscriptionDetails": subscription_details(plan)}
            return JSONResponse(body, headers=ctx.headers)
        return errors.validation_failed(
            [
                {
                    "field": "vendorPartNumber",
                    "value": "",
                    "message": "One of vendorPartNumber, planName or planId is required",
                }
            ],
            correlation_id=ctx.correlation_id,
            now=now,
            headers=ctx.headers,
        )
    product = state.catalog.by_vendor_part_number(vpn)
    if product is None:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    return JSONResponse(wire.details(product), headers=ctx.headers)
