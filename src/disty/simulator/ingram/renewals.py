"""Renewals: search (POST, filters in the body) and detail, computed from the catalog.

Twelve renewals per customer (ids 4200001-4200012), deterministic like deals: Ingram creates
renewals from contracts the simulator does not model, so they are not stateful.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    day_of,
    field_error,
    in_range,
    int_param,
    invalid,
    json_body,
    page,
    utc_day,
)
from disty.simulator.ingram.consts import OP_RENEWAL_DETAIL, OP_RENEWAL_SEARCH
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.state import SimState

JSON = dict[str, Any]
RENEWALS = 12
_DAY = 86400.0
_STATUSES = ("Quote pending", "Ready to order", "Notification sent", "Ordered")


def _renewal(state: SimState, n: int) -> JSON:
    p = state.catalog.product((n * 211 + 5) % state.catalog.size)
    base = state.config.frozen_clock_at or 1_767_225_600.0
    qty = 1 + n % 5
    price = p.price("US", p.customer_cents)
    return {
        "renewalId": 4_200_000 + n,
        "customerOrderNumber": f"PO-REN-{n:03d}",
        "endCustomerOrderNumber": f"EU-REN-{n:03d}",
        "endUser": ("ACME HOSPITAL", "NORTHWIND TRADING", "CONTOSO SCHOOLS")[n % 3],
        "vendor": p.vendor_name,
        "expirationDate": order_wire.stamp(base + n * 15 * _DAY)[:19],
        # A year's contract ending at expiry, invoiced when it started; one serial each.
        "dates": {
            "startDate": utc_day(base + n * 15 * _DAY - 365 * _DAY),
            "endDate": utc_day(base + n * 15 * _DAY),
            "invoiceDate": utc_day(base + n * 15 * _DAY - 365 * _DAY),
            "expirationDate": utc_day(base + n * 15 * _DAY),
        },
        "serialNumber": f"SIMREN{4_200_000 + n}",
        "ingramPurchaseOrderNumber": f"20-REN{n:02d}",
        "renewalValue": round(price * qty, 2),
        "status": _STATUSES[n % len(_STATUSES)],
        "product": p,
        "quantity": qty,
        "unitPrice": price,
    }


def renewals(state: SimState) -> list[JSON]:
    return [_renewal(state, n) for n in range(1, RENEWALS + 1)]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _text_in(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _spans(criteria: JSON, bad: Fields) -> dict[str, tuple[dt.date, dt.date]]:
    """``dateType``'s ranges (``MM/dd/yyyy`` as the example, or ``yyyy-MM-dd``); either end
    may be left out."""
    spans = {}
    for name in ("startDate", "endDate", "invoiceDate", "expirationDate"):
        node = _text_in(criteria, "dateType", name)
        if not isinstance(node, dict):
            continue
        lo_raw, hi_raw = _text(node.get("customStartDate")), _text(node.get("customEndDate"))
        if not lo_raw and not hi_raw:
            continue
        lo, hi = (
            day_of(lo_raw) if lo_raw else dt.date.min,
            day_of(hi_raw) if hi_raw else dt.date.max,
        )
        if lo is None or hi is None:
            bad.append(
                field_error(f"dateType.{name}", f"{lo_raw},{hi_raw}", "Dates are MM/dd/yyyy")
            )
            continue
        spans[name] = (lo, hi)
    return spans


async def search(request: Request) -> Response:
    ctx = await admit(request, OP_RENEWAL_SEARCH)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    bad: Fields = []
    size = int_param(q.get("size"), 25, "size", bad, hi=100)
    number = int_param(q.get("page"), 1, "page", bad)
    if bad:
        return invalid(ctx, now, bad)
    body = await json_body(request)
    # The schema says an object; the spec's example sends a list of one: take either.
    criteria = body[0] if isinstance(body, list) and body else body
    criteria = criteria if isinstance(criteria, dict) else {}
    spans = _spans(criteria, bad)
    if bad:
        return invalid(ctx, now, bad)
    found = [
        r
        for r in renewals(state)
        if all(in_range(r["dates"][name], span) for name, span in spans.items())
    ]
    for key in ("vendor", "endUser"):
        if isinstance(criteria.get(key), str) and criteria[key]:
            found = [r for r in found if criteria[key].lower() in r[key].lower()]
    status = criteria.get("status")
    wanted = _text(_text_in(status, "OpporutinyStatus", "value"))
    if wanted:
        found = [r for r in found if r["status"].lower() == wanted.lower()]
    for key in ("customerOrderNumber", "ingramPurchaseOrderNumber", "serialNumber"):
        if q.get(key):
            found = [r for r in found if r[key].upper() == q[key].strip().upper()]
    rows = [
        {
            "renewalId": r["renewalId"],
            "customerOrderNumber": r["customerOrderNumber"],
            "referenceNumber": "",
            "endUser": r["endUser"],
            "vendor": r["vendor"],
            "expirationDate": r["expirationDate"],
            "renewalValue": r["renewalValue"],
            "status": r["status"],
            "links": [
                {
                    "topic": "renewals",
                    "href": f"/resellers/v6/renewals/{r['renewalId']}",
                    "type": "GET",
                }
            ],
        }
        for r in page(found, number, size)
    ]
    answer = {
        "recordsFound": len(found),
        "pageSize": size,
        "pageNumber": number,
        "renewals": rows,
        "nextPage": f"/resellers/v6/renewals/search?size={size}&page={number + 1}"
        if number * size < len(found)
        else "",
    }
    # The schema (and so the SDK) says an object; the spec's example wraps it in a list.
    return JSONResponse(answer, headers=ctx.headers)


async def detail(request: Request) -> Response:
    ctx = await admit(request, OP_RENEWAL_DETAIL)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    wanted = request.path_params["renewalId"]
    r = next((r for r in renewals(state) if str(r["renewalId"]) == wanted), None)
    if r is None:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    p = r["product"]
    body = {
        "renewalId": str(r["renewalId"]),
        "ingramOrderNumber": "",
        "ingramOrderDate": None,
        "expirationDate": r["expirationDate"],
        "ingramPurchaseOrderNumber": r["ingramPurchaseOrderNumber"],
        "customerOrderNumber": r["customerOrderNumber"],
        "endCustomerOrderNumber": r["endCustomerOrderNumber"],
        "renewalValue": str(r["renewalValue"]),
        "endUser": r["endUser"],
        "vendor": r["vendor"],
        "status": r["status"],
        "endUserInfo": {
            "contact": "IT MANAGER",
            "name1": "",
            "name2": "",
            "companyName": r["endUser"],
            "addressLine1": "1 MARKET ST",
            "addressLine2": "",
            "addressLine3": "",
            "addressLine4": "",
            "city": "SAN FRANCISCO",
            "state": "CA",
            "postalCode": "94105",
            "countryCode": "US",
            "phoneNumber": "4155550100",
            "email": "it@enduser.example",
        },
        "referenceNumber": {"notificationId": "", "quoteNumber": ""},
        "products": [
            {
                "ingramLineNumber": "1",
                "productDescription": p.description,
                "vendorPartNumber": p.vendor_part_number,
                "ingramPartNumber": p.ingram_part_number,
                "manufacturerPartNumber": p.vendor_part_number,
                "unitPrice": r["unitPrice"],
                "quantity": r["quantity"],
                "isConsolidated": "No",
            }
        ],
        "additionalAttributes": [
            {
                "attributeDescription": "LicenseCertificate",
                "attributeValue": str(r["renewalId"]),
                "startDate": None,
                "expirationDate": None,
                "isConsolidated": "",
            },
            {
                "attributeDescription": "SerialNumber",
                "attributeValue": r["serialNumber"],
                "startDate": None,
                "expirationDate": None,
                "isConsolidated": "",
            },
        ],
    }
    return JSONResponse(body, headers=ctx.headers)
