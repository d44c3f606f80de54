"""Freight estimate: deterministic from the lines' products, weights and warehouses.

Each warehouse the lines ship from is one ``distribution`` entry with two carrier options
(FedEx Ground, UPS Ground); the estimate charges the cheaper. Quantities may be strings, as
the spec's schema types them, or numbers.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram.calls import Fields, admit, field_error, invalid, json_body
from disty.simulator.ingram.consts import OP_FREIGHT
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.orders import pick_warehouse

JSON = dict[str, Any]


async def estimate(request: Request) -> Response:
    ctx = await admit(request, OP_FREIGHT, required=("IM-CustomerContact",))
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    body = await json_body(request)
    raw_lines = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(raw_lines, list) or not raw_lines:
        return invalid(ctx, now, [field_error("lines", "", "At least one line is required")])
    bad: Fields = []
    lines: list[JSON] = []
    by_wh: dict[str, float] = {}
    for n, raw in enumerate(raw_lines):
        ipn = raw.get("ingramPartNumber") if isinstance(raw, dict) else None
        product = state.catalog.by_ingram_part_number(ipn) if isinstance(ipn, str) else None
        qty_raw = raw.get("quantity") if isinstance(raw, dict) else None
        qty = int(qty_raw) if isinstance(qty_raw, int | str) and str(qty_raw).isdigit() else 0
        if product is None:
            bad.append(field_error(f"lines[{n}].ingramPartNumber", ipn, "Product not found"))
            continue
        if qty < 1:
            bad.append(field_error(f"lines[{n}].quantity", qty_raw, "quantity must be at least 1"))
            continue
        wh = str(raw.get("warehouseId") or pick_warehouse(product, ctx.country).id)
        price = product.price(ctx.country, product.customer_cents)
        by_wh[wh] = by_wh.get(wh, 0.0) + product.weight_kg * qty
        lines.append(
            {
                "ingramPartNumber": product.ingram_part_number,
                "vendorPartNumber": product.vendor_part_number,
                "warehouseId": wh,
                "quantity": qty,
                "unitPrice": price,
                "netAmount": round(price * qty, 2),
            }
        )
    if bad:
        return invalid(ctx, now, bad)
    distribution: list[JSON] = []
    for wh, kg in by_wh.items():
        fedex = round(6.5 + kg * 1.1, 2)
        ups = round(7.0 + kg * 1.05, 2)
        best_code, best_via, best = (
            ("RG", "FEDEX GROUND", fedex) if fedex <= ups else ("UP", "UPS GROUND", ups)
        )
        distribution.append(
            {
                "shipFromBranchNumber": wh,
                "carrierCode": best_code,
                "shipVia": best_via,
                "freightRate": best,
                "totalWeight": round(kg, 2),
                "transitDays": 1 + int(kg) % 4,
                "carrierList": [
                    {
                        "carrierCode": code,
                        "shipVia": via,
                        "carrierMode": "SML",
                        "estimatedFreightCharge": f"{rate:.2f}",
                        "daysInTransit": str(1 + int(kg) % 4),
                    }
                    for code, via, rate in (
                        ("RG", "FEDEX GROUND", fedex),
                        ("UP", "UPS GROUND", ups),
                    )
                ],
            }
        )
    freight = round(sum(d["freightRate"] for d in distribution), 2)
    net = round(sum(ln["netAmount"] for ln in lines), 2)
    answer = {
        "freightEstimateResponse": {
            "currencyCode": "CAD" if ctx.country == "CA" else "USD",
            "totalFreightAmount": freight,
            "totalTaxAmount": 0,
            "totalFees": 0,
            "totalNetAmount": net,
            "grossAmount": round(net + freight, 2),
            "distribution": distribution,
            "lines": lines,
        }
    }
    return JSONResponse(answer, headers=ctx.headers)
