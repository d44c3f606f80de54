"""``POST /resellers/v7/vendorrequiredinfo``: what the vendor needs on an order (``plans``).

The body names products (``ingramPartNumber``, ``vendorPartNumber`` or ``planID``) and/or a
``quoteNumber`` (every product of the quote). The answer is a list, one row per product; a
product not found is a row with a ``responseMessages`` error, not a failed call. A body naming
nothing, or a quote that is not the app's, is a 400.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram.calls import Fields, admit, field_error, invalid, json_body
from disty.simulator.ingram.consts import OP_VENDOR_REQUIRED_INFO
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.plans import JSON, find_plan, required_info
from disty.simulator.ingram.quotes import find_quote

MAX_PRODUCTS = 50  # as price and availability: the SDK documents no limit


async def vendor_required_info(request: Request) -> Response:
    ctx = await admit(request, OP_VENDOR_REQUIRED_INFO, v7=True)
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
    raw_quote = body.get("quoteNumber")
    quote_number: str = raw_quote.strip() if isinstance(raw_quote, str) else ""
    products = body.get("products")
    asked: list[JSON] = []
    if products is not None and not isinstance(products, list):
        bad.append(field_error("products", "", "products must be a list"))
    for n, raw in enumerate(products if isinstance(products, list) else []):
        if not isinstance(raw, dict) or not any(
            isinstance(raw.get(k), str) and raw[k]
            for k in ("ingramPartNumber", "vendorPartNumber", "planID")
        ):
            bad.append(
                field_error(
                    f"products[{n}]", "", "Name ingramPartNumber, vendorPartNumber or planID"
                )
            )
        else:
            asked.append(raw)
    if len(asked) > MAX_PRODUCTS:
        bad.append(field_error("products", str(len(asked)), f"At most {MAX_PRODUCTS} products"))
    quote = find_quote(state, ctx.app.client_id, quote_number) if quote_number else None
    if quote_number and quote is None:
        bad.append(field_error("quoteNumber", quote_number, "Quote not found"))
    if not asked and not quote_number and not bad:
        bad.append(field_error("products", "", "products or quoteNumber is required"))
    if bad:
        return invalid(ctx, now, bad)
    if quote is not None:
        asked += [{"ingramPartNumber": p["ingramPartNumber"]} for p in quote["products"]]
    catalog = state.catalog
    rows = []
    for item in asked:
        plan = find_plan(catalog, plan_id=item["planID"]) if item.get("planID") else None
        if plan is not None:
            product = plan.product
        elif item.get("planID"):
            product = None
        elif item.get("ingramPartNumber"):
            product = catalog.by_ingram_part_number(item["ingramPartNumber"])
        else:
            product = catalog.by_vendor_part_number(item["vendorPartNumber"])
        rows.append(required_info(product, plan, item, quote_number, ctx.correlation_id))
    return JSONResponse(rows, headers=ctx.headers)
