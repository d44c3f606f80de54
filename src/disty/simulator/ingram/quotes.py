"""Quotes: search, detail, create, validate (quote-to-order); created quotes are kept.

Every app sees three standing quotes computed from the catalog (so search is never empty and
two runs agree) plus the quotes it created. A created quote is found again by search and
detail, can be validated, ordered through v7 (``quoteNumber``), and raises an
``im::quote_create`` webhook. Quote numbers look like Ingram's: ``QUO-12345678-A1B2C3``.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    field_error,
    int_param,
    invalid,
    json_body,
    page,
)
from disty.simulator.ingram.consts import (
    OP_QUOTE_CREATE,
    OP_QUOTE_DETAIL,
    OP_QUOTE_SEARCH,
    OP_QUOTE_VALIDATE,
)
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.state import SimState

JSON = dict[str, Any]
_DAY = 86400.0


def _quote_number(n: int) -> str:
    code = "".join(
        string.ascii_uppercase[(n * 7 + i * 3) % 26] + str((n * 3 + i * 7) % 10) for i in range(3)
    )
    return f"QUO-{10_000_000 + n * 7919}-{code}"


def _standing(state: SimState, client_id: str) -> list[JSON]:
    out = []
    start = state.clock.now() - 30 * _DAY
    for n in range(1, 4):
        products = [state.catalog.product((n * 37 + k * 11) % state.catalog.size) for k in range(n)]
        out.append(
            _make(
                client_id,
                _quote_number(n),
                f"Standing quote {n}",
                [(p.ingram_part_number, 1 + k) for k, p in enumerate(products)],
                state,
                start + n * _DAY,
                {"companyName": f"END USER {n}"},
                deal_id=f"SIM-DEAL-{n:04d}",
            )
        )
    return out


def _make(
    client_id: str,
    number: str,
    name: str,
    items: list[tuple[str, int]],
    state: SimState,
    created_at: float,
    end_user: dict[str, str],
    deal_id: str = "",
    country: str = "US",
) -> JSON:
    products: list[JSON] = []
    for ipn, qty in items:
        p = state.catalog.by_ingram_part_number(ipn)
        if p is None:
            continue
        price = p.price(country, p.customer_cents - p.customer_cents // 10)
        msrp = p.price(country, p.retail_cents)
        products.append(
            {
                "quoteProductGuid": f"{number}-{ipn}",
                "lineNumber": str(len(products) + 1),
                "quantity": qty,
                "ean": p.upc,
                "coo": "US",
                "ingramPartNumber": ipn,
                "vendorPartNumber": p.vendor_part_number,
                "vendorName": p.vendor_name,
                "description": p.description,
                "weight": p.weight_kg,
                "isSuggestionProduct": False,
                "terms": "",
                "price": {
                    "quotePrice": price,
                    "msrp": msrp,
                    "extendedMsrp": round(msrp * qty, 2),
                    "extendedQuotePrice": round(price * qty, 2),
                    "discountOffList": f"{(1 - price / msrp) * 100 if msrp else 0:.2f}",
                },
            }
        )
    return {
        "client_id": client_id,
        "quoteNumber": number,
        "quoteName": name,
        "created_at": created_at,
        "end_user": end_user,
        "specialBidId": deal_id,
        "products": products,
        "status": "Active",
        "currencyCode": "CAD" if country == "CA" else "USD",
    }


def all_quotes(state: SimState, client_id: str) -> list[JSON]:
    own = [q for q in state.quotes.values() if q["client_id"] == client_id]
    return _standing(state, client_id) + own


def find_quote(state: SimState, client_id: str, number: str) -> JSON | None:
    return next((q for q in all_quotes(state, client_id) if q["quoteNumber"] == number), None)


def _total(q: JSON, key: str) -> float:
    return round(sum(float(p["price"][key]) for p in q["products"]), 2)


def _row(q: JSON) -> JSON:
    return {
        "quoteGuid": q["quoteNumber"].lower(),
        "quoteName": q["quoteName"],
        "quoteNumber": q["quoteNumber"],
        "revision": "1",
        "endUserContact": q["end_user"].get("contact", ""),
        "createdBy": "Ingram Micro",
        "specialBidNumber": q["specialBidId"] or None,
        "vendor": q["products"][0]["vendorName"] if q["products"] else "",
        "quoteTotal": _total(q, "extendedQuotePrice"),
        "quoteStatus": q["status"],
        "ingramQuoteDate": order_wire.day(q["created_at"]),
        "lastModifiedDate": order_wire.day(q["created_at"]),
        "ingramQuoteExpiryDate": order_wire.day(q["created_at"] + 60 * _DAY),
    }


async def search(request: Request) -> Response:
    ctx = await admit(request, OP_QUOTE_SEARCH, required=("IM-CustomerContact",))
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    bad: Fields = []
    size = int_param(q.get("pageSize"), 25, "pageSize", bad, hi=100)
    number = int_param(q.get("pageNumber"), 1, "pageNumber", bad)
    if bad:
        return invalid(ctx, now, bad)
    found = all_quotes(state, ctx.app.client_id)
    for key, field in (
        ("quoteNumber", "quoteNumber"),
        ("quoteName", "quoteName"),
        ("specialBidNumber", "specialBidId"),
        ("status", "status"),
    ):
        wanted = q.get(key)
        if wanted:
            found = [x for x in found if wanted.lower() in str(x[field]).lower()]
    if q.get("vendorName"):
        found = [
            x
            for x in found
            if any(q["vendorName"].lower() in p["vendorName"].lower() for p in x["products"])
        ]
    if not found:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    body = {
        "recordsFound": len(found),
        "pageSize": size,
        "pageNumber": number,
        "quotes": [_row(x) for x in page(found, number, size)],
    }
    return JSONResponse(body, headers=ctx.headers)


async def detail(request: Request) -> Response:
    ctx = await admit(request, OP_QUOTE_DETAIL)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    quote = find_quote(state, ctx.app.client_id, request.path_params["quoteNumber"])
    if quote is None:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    return JSONResponse(quote_detail(quote, ctx.app.customer_number), headers=ctx.headers)


def quote_detail(q: JSON, customer_number: str) -> JSON:
    return {
        "quoteName": q["quoteName"],
        "quoteNumber": q["quoteNumber"],
        "revision": "1",
        "ingramQuoteDate": order_wire.stamp(q["created_at"]),
        "lastModifiedDate": order_wire.stamp(q["created_at"]),
        "ingramQuoteExpiryDate": order_wire.day(q["created_at"] + 60 * _DAY),
        "currencyCode": q["currencyCode"],
        "specialBidId": q["specialBidId"],
        "specialBidExpirationDate": order_wire.stamp(q["created_at"] + 90 * _DAY),
        "status": q["status"],
        "customerNeed": q.get("customerNeed", ""),
        "introPreamble": "",
        "purchaseInstructions": "Order this quote by its quote number.",
        "legalTerms": "This offer is valid until the quote's expiry date.",
        "leaseInfo": "",
        "leasingInstructions": "",
        "resellerInfo": {
            "contact": "SIMULATED RESELLER",
            "companyName": order_wire.BILL_TO["companyName"],
            "email": order_wire.BILL_TO["email"],
            "phoneNumber": order_wire.BILL_TO["phoneNumber"],
            "customerNumber": customer_number,
        },
        "endUserInfo": {"companyName": q["end_user"].get("companyName", ""), **q["end_user"]},
        "products": q["products"],
        "productsCount": len(q["products"]),
        "extendedMsrpTotal": _total(q, "extendedMsrp"),
        "quantityTotal": sum(p["quantity"] for p in q["products"]),
        "extendedQuotePriceTotal": _total(q, "extendedQuotePrice"),
        "additionalAttributes": [
            {"attributeName": "estimateId", "attributeValue": q["quoteNumber"][4:]}
        ],
    }


async def create(request: Request) -> Response:
    ctx = await admit(request, OP_QUOTE_CREATE)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    body = await json_body(request)
    if not isinstance(body, dict):
        return invalid(
            ctx, now, [field_error("body", "", "The request body must be a JSON object")]
        )
    bad: Fields = []
    name = body.get("quoteName")
    if not isinstance(name, str) or not name.strip():
        bad.append(field_error("quoteName", name, "Required field is missing"))
    items: list[tuple[str, int]] = []
    raw_products = body.get("products")
    for n, raw in enumerate(raw_products if isinstance(raw_products, list) else []):
        ipn = raw.get("ingramPartNumber") if isinstance(raw, dict) else None
        qty = raw.get("quantity") if isinstance(raw, dict) else None
        qty_n = int(qty) if isinstance(qty, int | str) and str(qty).isdigit() else 0
        if not isinstance(ipn, str) or state.catalog.by_ingram_part_number(ipn) is None:
            bad.append(field_error(f"products[{n}].ingramPartNumber", ipn, "Product not found"))
        elif qty_n < 1:
            bad.append(field_error(f"products[{n}].quantity", qty, "quantity must be at least 1"))
        else:
            items.append((ipn, qty_n))
    if bad:
        return invalid(ctx, now, bad)
    number = f"QUO-{secrets.randbelow(90_000_000) + 10_000_000}-" + "".join(
        secrets.choice(string.ascii_uppercase) if i % 2 == 0 else secrets.choice(string.digits)
        for i in range(6)
    )
    end_user = body.get("endUserInfo") if isinstance(body.get("endUserInfo"), dict) else {}
    quote = _make(
        ctx.app.client_id,
        number,
        str(name),
        items,
        state,
        now,
        {k: str(v) for k, v in (end_user or {}).items() if isinstance(v, str)},
        deal_id=str(body.get("dealId") or ""),
        country=ctx.country,
    )
    quote["customerNeed"] = str(body.get("customerNeed") or "")
    state.quotes[number] = quote
    state.webhooks.emit(
        "quote_create",
        ctx.app.client_id,
        {
            "topic": "resellers/quotes",
            "event": "im::created",
            "eventTimeStamp": order_wire.stamp_ms(now),
            "customerOrderNumber": "",
            "resource": [
                {
                    "eventType": "im::quote_create",
                    "quoteNumber": number,
                    "quoteName": quote["quoteName"],
                    "links": [
                        {"topic": "quotes", "href": f"/resellers/v6/quotes/{number}", "type": "GET"}
                    ],
                }
            ],
        },
    )
    return JSONResponse(
        {
            "quoteNumber": number,
            "message": "Thank you for submitting the quote request. Your quote is ready.",
        },
        headers=ctx.headers,
    )


async def validate(request: Request) -> Response:
    ctx = await admit(request, OP_QUOTE_VALIDATE)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    number = request.query_params.get("quoteNumber", "")
    if not number:
        return invalid(ctx, now, [field_error("quoteNumber", "", "Required field is missing")])
    quote = find_quote(state, ctx.app.client_id, number)
    if quote is None:
        return invalid(ctx, now, [field_error("quoteNumber", number, "Quote not found")])
    vendor = quote["products"][0]["vendorName"] if quote["products"] else ""
    body = {
        "quoteNumber": number,
        "vendorName": vendor,
        "vmfAdditionalAttributes": [
            {
                "attributeName": "VEND_AUTH_NBR_FLG",
                "attributeValue": "",
                "attributeDescription": "Authorization Number",
            }
        ],
        "lines": [
            {
                "customerLineNumber": str(n + 1),
                "ingramPartNumber": p["ingramPartNumber"],
                "quantity": p["quantity"],
                "vmfAdditionalAttributesLines": [
                    {
                        "attributeName": "resellerCtacEmail",
                        "attributeValue": "",
                        "attributeDescription": "resellerContactEmailFlag",
                    }
                ],
                "linesVendorMandatoryAttributes": [
                    {
                        "attributeName": "rslrg360CtacName",
                        "attributeValue": "",
                        "attributeDescription": "resellerContactNameFlag",
                    }
                ],
            }
            for n, p in enumerate(quote["products"])
        ],
    }
    return JSONResponse(body, headers=ctx.headers)
