"""Quotes: search, detail, create, validate (quote-to-order).

Request checks and answers only; ``quotes`` keeps the quotes (standing and created).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    between_param,
    field_error,
    in_range,
    int_param,
    invalid,
    json_body,
    page,
    utc_day,
)
from disty.simulator.ingram.consts import (
    OP_QUOTE_CREATE,
    OP_QUOTE_DETAIL,
    OP_QUOTE_SEARCH,
    OP_QUOTE_VALIDATE,
)
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.quotes import DAY_S, JSON, all_quotes, create_quote, find_quote


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
        "ingramQuoteExpiryDate": order_wire.day(q["created_at"] + 60 * DAY_S),
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
    # A quote's only date is its creation: both ranges the spec documents read it.
    spans = [between_param(q, name, bad) for name in ("quoteCreateDate-bt", "ingramOrderDate-bt")]
    if bad:
        return invalid(ctx, now, bad)
    found = [
        x
        for x in all_quotes(state, ctx.app.client_id)
        if all(in_range(utc_day(x["created_at"]), span) for span in spans)
    ]
    for key, field in (
        ("quoteNumber", "quoteNumber"),
        ("quoteName", "quoteName"),
        ("specialBidNumber", "specialBidId"),
        ("status", "status"),
    ):
        wanted = q.get(key)
        if wanted:
            found = [x for x in found if wanted.lower() in str(x[field]).lower()]
    if q.get("endUserContact"):
        wanted = q["endUserContact"].lower()
        found = [x for x in found if wanted in x["end_user"].get("contact", "").lower()]
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
        "ingramQuoteExpiryDate": order_wire.day(q["created_at"] + 60 * DAY_S),
        "currencyCode": q["currencyCode"],
        "specialBidId": q["specialBidId"],
        "specialBidExpirationDate": order_wire.stamp(q["created_at"] + 90 * DAY_S),
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
    # The spec's one required field; the quote's name is optional.
    contact = body.get("CustomerContact")
    if not isinstance(contact, str) or not contact.strip():
        bad.append(field_error("CustomerContact", contact, "Required field is missing"))
    name = body.get("quoteName")
    if name is not None and not isinstance(name, str):
        bad.append(field_error("quoteName", name, "quoteName must be a string"))
    items: list[tuple[str, int]] = []
    raw_products = body.get("products")
    for n, raw in enumerate(raw_products if isinstance(raw_products, list) else []):
        if not isinstance(raw, dict):
            bad.append(field_error(f"products[{n}]", "", "Each product must be an object"))
            continue
        # Either part number names the product, as the spec says.
        ipn, vpn, qty = (
            raw.get("ingramPartNumber"),
            raw.get("vendorPartNumber"),
            raw.get("quantity"),
        )
        product = None
        if isinstance(ipn, str) and ipn:
            product = state.catalog.by_ingram_part_number(ipn)
        elif isinstance(vpn, str) and vpn:
            product = state.catalog.by_vendor_part_number(vpn)
        qty_n = int(qty) if isinstance(qty, int | str) and str(qty).isdigit() else 0
        if product is None:
            which = "ingramPartNumber" if ipn or not vpn else "vendorPartNumber"
            bad.append(field_error(f"products[{n}].{which}", ipn or vpn, "Product not found"))
        elif qty_n < 1:
            bad.append(field_error(f"products[{n}].quantity", qty, "quantity must be at least 1"))
        else:
            items.append((product.ingram_part_number, qty_n))
    if bad:
        return invalid(ctx, now, bad)
    end_user = body.get("endUserInfo") if isinstance(body.get("endUserInfo"), dict) else {}
    number = create_quote(
        state,
        ctx.app.client_id,
        ctx.country,
        name or "",
        items,
        {k: str(v) for k, v in (end_user or {}).items() if isinstance(v, str)},
        deal_id=str(body.get("dealId") or ""),
        customer_need=str(body.get("customerNeed") or ""),
        now=now,
    )["quoteNumber"]
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
