"""Deals (special bids): search and detail, computed from the catalog, never stored.

Twenty deals per customer, ``SIM-DEAL-0001`` to ``-0020``, each over a few catalog products:
a pure function of the catalog seed, so every run and every endpoint agrees. The standing
quotes name the first three as their special bid.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire
from disty.simulator.ingram.calls import Fields, admit, int_param, invalid, page
from disty.simulator.ingram.consts import OP_DEAL_DETAIL, OP_DEAL_SEARCH
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.state import SimState

JSON = dict[str, Any]
DEALS = 20
_DAY = 86400.0
_END_USERS = ("ACME HOSPITAL", "NORTHWIND TRADING", "CONTOSO SCHOOLS", "FABRIKAM LABS")


def _deal(state: SimState, n: int) -> JSON:
    products = [
        state.catalog.product((n * 101 + k * 17) % state.catalog.size) for k in range(1 + n % 3)
    ]
    # Dates move with the simulated clock's start, not with each advance, so they stay put.
    base = state.config.frozen_clock_at or 1_767_225_600.0
    received = base - (n % 10) * _DAY
    expiry = base + (30 + n) * _DAY
    rows = []
    for k, p in enumerate(products):
        msrp = p.price("US", p.retail_cents)
        rows.append(
            {
                "ingramPartNumber": p.ingram_part_number,
                "vendorPartNumber": p.vendor_part_number,
                "upc": p.upc,
                "productDescription": p.description,
                "msrp": msrp,
                "extendedMSRP": round(msrp * (k + 1), 2),
                "approvedQuantity": 10 * (k + 1),
                "remainingQuantity": 10 * (k + 1) - k,
                "comments": "",
                "specialConditions": "",
                "startDate": order_wire.stamp(received)[:19],
                "expirationDate": order_wire.stamp(expiry)[:19],
                "daysRemaining": 30 + n,
            }
        )
    return {
        "dealId": f"SIM-DEAL-{n:04d}",
        "version": "1",
        "endUser": _END_USERS[n % len(_END_USERS)],
        "vendor": products[0].vendor_name,
        "received": received,
        "expiry": expiry,
        "products": rows,
    }


def deals(state: SimState) -> list[JSON]:
    return [_deal(state, n) for n in range(1, DEALS + 1)]


async def search(request: Request) -> Response:
    ctx = await admit(request, OP_DEAL_SEARCH)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    bad: Fields = []
    size = int_param(q.get("Size") or q.get("size"), 25, "Size", bad, hi=100)
    number = int_param(q.get("Page") or q.get("page"), 1, "Page", bad)
    if bad:
        return invalid(ctx, now, bad)
    found = deals(state)
    for key, field in (("endUser", "endUser"), ("vendor", "vendor"), ("dealId", "dealId")):
        if q.get(key):
            found = [d for d in found if q[key].lower() in d[field].lower()]
    if not found:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    body = {
        "recordsFound": len(found),
        "pageSize": size,
        "pageNumber": number,
        "deals": [
            {
                "dealId": d["dealId"],
                "version": d["version"],
                "endUser": d["endUser"],
                "vendor": d["vendor"],
                "dealExpiryDate": order_wire.stamp(d["expiry"])[:19],
                "links": {
                    "topic": "Deals",
                    "href": f"/resellers/v6/deals/{d['dealId']}",
                    "type": "GET",
                },
            }
            for d in page(found, number, size)
        ],
        "nextPage": f"/resellers/v6/deals/search?Size={size}&Page={number + 1}"
        if number * size < len(found)
        else "",
        "previousPage": f"/resellers/v6/deals/search?Size={size}&Page={number - 1}"
        if number > 1
        else "",
    }
    return JSONResponse(body, headers=ctx.headers)


async def detail(request: Request) -> Response:
    ctx = await admit(request, OP_DEAL_DETAIL, required=("IM-ApplicationId",))
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    deal = next((d for d in deals(state) if d["dealId"] == request.path_params["dealId"]), None)
    # The SDK (not this spec version) sends the bid's vendor as ``vendorName``: it must match.
    vendor = request.query_params.get("vendorName")
    if deal is not None and vendor and vendor.lower() != deal["vendor"].lower():
        deal = None
    if deal is None:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    body = {
        "dealId": deal["dealId"],
        "version": deal["version"],
        "endUser": deal["endUser"],
        "extendedMsrp": round(sum(p["extendedMSRP"] for p in deal["products"]), 2),
        "vendor": deal["vendor"],
        "dealReceivedOn": order_wire.stamp(deal["received"])[:19],
        "dealExpiryDate": order_wire.stamp(deal["expiry"])[:19],
        "priceProtectionEndDate": order_wire.stamp(deal["expiry"])[:19],
        "currencyCode": "CAD" if ctx.country == "CA" else "USD",
        "endUserInfo": {
            "contact": "PURCHASING",
            "name1": deal["endUser"],
            "name2": "",
            "companyName": deal["endUser"],
            "addressLine1": "1 MARKET ST",
            "addressLine2": "",
            "addressLine3": "",
            "addressLine4": "",
            "city": "SAN FRANCISCO",
            "state": "CA",
            "postalCode": "94105",
            "countryCode": "US",
            "phoneNumber": "4155550100",
            "email": "purchasing@enduser.example",
        },
        "products": deal["products"],
    }
    return JSONResponse(body, headers=ctx.headers)
