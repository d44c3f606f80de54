"""``POST /api/v1/webservice/json/GetPriceAvailability``: the XML P&A rendered as JSON.

NOTES 8.4: a ``skuList`` of at most 100 lines, each naming a ``synnexSKU``, ``mfgPN`` or
``customerPartNo`` with a ``lineNumber``; the answer has the XML's names (``customerNo``, one
``PriceAvailabilityList`` row per line in order) plus ``msrp``, ``weight``, ``parcelShippable``
and, per warehouse, ``onOrderQuantity`` and ``estimatedArrivalDate``. Prices and stock are the
catalog's, the same the XML P&A answers for the same SKU. The endpoint's existence is disputed
(8.4), so it is behind the client's entitlement: switched off, it answers 403.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram.catalog import mix64
from disty.simulator.tdsynnex import rest_errors as e
from disty.simulator.tdsynnex.catalog import CAD_PER_USD, TdProduct
from disty.simulator.tdsynnex.rest_oauth import admit
from disty.simulator.tdsynnex.state import TdState

MAX_LINES = 100  # NOTES 8.4: two independent clients cap a request at 100 lines
PRICE_TYPES = ("REGULAR", "EDUCATION", "PROMOTION", "HEALTHCARE", "FEDERALGOVERNMENT",
               "STATEGOVERNMENT")  # fmt: skip
KEYS = ("synnexSKU", "mfgPN", "customerPartNo")
LB_PER_KG = 2.20462
PARCEL_MAX_LB = 150  # the parcel carriers' limit per package


def handler(state: TdState, country: str) -> Callable[[Request], Awaitable[Response]]:
    async def pna(request: Request) -> Response:
        refused = admit(request, state)
        if refused is not None:
            return refused
        if not state.rest.pna_entitled:
            return e.rest_error(
                403, e.NOT_ENTITLED, "The client is not entitled to GetPriceAvailability"
            )
        try:
            doc = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return e.rest_error(400, e.BAD_REQUEST, "The request body is not JSON")
        problems = _problems(doc)
        if problems:
            return e.rest_error(400, e.BAD_REQUEST, "; ".join(problems))
        rows = [row for line in doc["skuList"] for row in _rows(state, country, line)]
        return JSONResponse(
            {"customerNo": state.config.tdsynnex_customer, "PriceAvailabilityList": rows}
        )

    return pna


def _problems(doc: Any) -> list[str]:
    if not isinstance(doc, dict) or not isinstance(doc.get("skuList"), list):
        return ["skuList (a list of lines) is required"]
    lines = doc["skuList"]
    if not lines:
        return ["skuList: at least one line is required"]
    if len(lines) > MAX_LINES:
        return [f"skuList: at most {MAX_LINES} lines"]
    problems = []
    for n, line in enumerate(lines):
        if not isinstance(line, dict) or not any(_text(line, k) for k in KEYS):
            problems.append(f"skuList[{n}]: one of synnexSKU, mfgPN or customerPartNo required")
        elif _text(line, "priceType") and _text(line, "priceType").upper() not in PRICE_TYPES:
            problems.append(f"skuList[{n}]: priceType must be one of {', '.join(PRICE_TYPES)}")
    return problems


def _text(line: dict[str, Any], key: str) -> str:
    value = line.get(key)
    return str(value).strip() if isinstance(value, str | int) else ""


def _rows(state: TdState, country: str, line: dict[str, Any]) -> list[dict[str, Any]]:
    """A row per SKU the line names: an mfgPN may name several, as in the XML P&A (3.2)."""
    sku, mfg_pn = _text(line, "synnexSKU"), _text(line, "mfgPN")
    found: list[TdProduct | None]
    if sku:
        found = [state.catalog.by_sku(sku)]
    else:  # the simulated account has no customer part numbers
        found = list(state.catalog.all_by_mfg_pn(mfg_pn)) if mfg_pn else []
    return [_row(state, country, line, product) for product in found or [None]]


def _row(
    state: TdState, country: str, line: dict[str, Any], product: TdProduct | None
) -> dict[str, Any]:
    sku = _text(line, "synnexSKU")
    row: dict[str, Any]
    if product is None:  # the short form (8.4): what was sent, the status, the line
        row = {"synnexSKU": sku or "0"}
        row.update({k: line[k] for k in ("mfgPN", "customerPartNo") if _text(line, k)})
        row["status"] = "Not found"
    elif not product.authorized:
        row = {"synnexSKU": product.sku, "mfgPN": product.mfg_pn, "status": "Not authorized",
               "GlobalProductStatusCode": "Not authorized"}  # fmt: skip
    elif product.discontinued:
        row = _identity(product, "Discontinued")
    else:
        row = _identity(product, "Active")
        row.update(_offer(state, product, country, line))
    if "lineNumber" in line:
        row["lineNumber"] = line["lineNumber"]
    return row


def _identity(product: TdProduct, status: str) -> dict[str, Any]:
    return {
        "synnexSKU": product.sku,
        "mfgPN": product.mfg_pn,
        "mfgCode": product.mfg_code,
        "status": status,
        "description": product.description,
        "GlobalProductStatusCode": status,
    }


def _offer(
    state: TdState, product: TdProduct, country: str, line: dict[str, Any]
) -> dict[str, Any]:
    universal = state.catalog.universe.product(product.index)
    retail = universal.retail_cents
    retail = round(retail * CAD_PER_USD) if country == "CA" else retail
    pounds = universal.weight_kg * LB_PER_KG
    stock = product.stock(country)
    today = dt.datetime.fromtimestamp(state.clock.now(), dt.UTC).date()
    warehouses = []
    for warehouse, on_hand, on_order in stock:
        block: dict[str, Any] = {
            "warehouseInfo": {
                "number": int(warehouse.number),
                "zipcode": warehouse.zipcode,
                "city": warehouse.city,
                "addr": warehouse.addr,
            },
            "qty": on_hand,
            "onOrderQuantity": on_order,
        }
        if on_order:  # an arrival only for stock on its way: 3 to 20 days out, per product
            days = 3 + mix64(product.noise ^ int(warehouse.number)) % 18
            block["estimatedArrivalDate"] = (today + dt.timedelta(days=days)).strftime("%Y%m%d")
        warehouses.append(block)
    return {
        "price": product.price(country),  # a string, as one client's comment says (8.4)
        "priceType": (_text(line, "priceType") or "REGULAR").upper(),
        "msrp": f"{retail // 100}.{retail % 100:02d}",
        "weight": f"{pounds:.2f}",
        "parcelShippable": "Y" if pounds <= PARCEL_MAX_LB else "N",
        "totalQuantity": sum(on_hand for _, on_hand, _ in stock),
        "AvailabilityByWarehouse": warehouses,
    }
