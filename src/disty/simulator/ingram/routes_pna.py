"""Price and availability: ``POST /resellers/v6/catalog/priceandavailability``.

At most 50 products a call (more: 400). Each product is named by Ingram part number, vendor
part number, UPC or customer part number; an unknown one comes back as a row with
``productStatusCode: "E"`` and the whole call answers 207. Prices are in the currency of the
``IM-CountryCode`` country, stock comes from that country's warehouses.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, wire
from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.consts import MAX_PNA_PRODUCTS
from disty.simulator.ingram.gateway import admit_v6, state_of

_KEYS = ("ingramPartNumber", "vendorPartNumber", "upc", "customerPartNumber")


async def price_and_availability(request: Request) -> Response:
    state = state_of(request)
    ctx = await admit_v6(request, bucket="pna", per_minute=state.pna_per_minute)
    if isinstance(ctx, Response):
        return ctx
    now = state.clock.now()

    def invalid(field: str, value: str, message: str) -> Response:
        return errors.validation_failed(
            [{"field": field, "value": value, "message": message}],
            correlation_id=ctx.correlation_id,
            now=now,
            headers=ctx.headers,
        )

    flags: dict[str, bool] = {}
    for name in ("includeAvailability", "includePricing"):
        raw = request.query_params.get(name, "")
        if raw.lower() not in ("true", "false"):
            return invalid(name, raw, f"{name} is required and must be true or false")
        flags[name] = raw.lower() == "true"
    try:
        body: Any = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return invalid("body", "", "The request body is not valid JSON")
    products = body.get("products") if isinstance(body, dict) else None
    if not isinstance(products, list) or not products:
        return invalid("products", "", "products is required and must not be empty")
    if len(products) > MAX_PNA_PRODUCTS:
        return invalid(
            "products",
            str(len(products)),
            f"At most {MAX_PNA_PRODUCTS} products are allowed per request",
        )
    warehouse_ids = _warehouse_filter(body.get("availabilityByWarehouse"))

    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    rows: list[wire.JSON] = []
    partial = False
    for n, item in enumerate(products):
        if not isinstance(item, dict) or not any(
            isinstance(item.get(k), str) and item[k] for k in _KEYS
        ):
            return invalid(
                f"products[{n}]",
                "",
                "Each product needs an ingramPartNumber, vendorPartNumber, upc "
                "or customerPartNumber",
            )
        kind, value, product = _find(state.catalog, item)
        if product is None:
            rows.append(wire.not_found_row(kind, value))
            partial = True
            continue
        rows.append(
            wire.pna_row(
                product,
                ctx.country,
                today=today,
                include_availability=flags["includeAvailability"],
                include_pricing=flags["includePricing"],
                warehouse_ids=warehouse_ids,
                customer_part_number=item.get("customerPartNumber"),
                taken=state.inventory.taken.get((product.index, ctx.country), 0),
            )
        )
    return JSONResponse(rows, status_code=207 if partial else 200, headers=ctx.headers)


def _find(catalog: Any, item: dict[str, Any]) -> tuple[str, str, Product | None]:
    for kind, lookup in (
        ("ingramPartNumber", catalog.by_ingram_part_number),
        ("vendorPartNumber", catalog.by_vendor_part_number),
        ("upc", catalog.by_upc),
    ):
        value = item.get(kind)
        if isinstance(value, str) and value:
            return kind, value, lookup(value)
    # Customer part numbers are the reseller's own mapping; only pinned products have one.
    value = str(item.get("customerPartNumber"))
    return "customerPartNumber", value, None


def _warehouse_filter(raw: Any) -> set[str] | None:
    if not isinstance(raw, list):
        return None
    ids = {
        str(w["availabilityByWarehouseId"])
        for w in raw
        if isinstance(w, dict) and w.get("availabilityByWarehouseId")
    }
    return ids or None
