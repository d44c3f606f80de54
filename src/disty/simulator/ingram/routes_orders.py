"""Orders: v6 and v7 create, v6.1 detail, search, modify / release, cancel.

Rules, as Ingram documents them (README.md lists the choices the spec leaves open):
- v6 create: ``customerOrderNumber`` required, at most 35 characters; ``customerLineNumber``
  at most 3. Lines naming no known product, or with a quantity below 1, come back in
  ``rejectedLineItems`` and the answer is 207; no good line at all: 400. A
  ``customerOrderNumber`` already used by a live order of the app is refused (400) unless
  ``allowDuplicateCustomerOrderNumber`` is sent; ``allowOrderOnCustomerHold`` places the order
  on customer hold. ``acceptBackOrder: false`` rejects lines that would be backordered.
- v7 create: asynchronous. Answers a confirmation number at once; the order is placed by the
  scheduler and its result goes out as an ``IM::async_order_create`` webhook. During the
  maintenance window v7 queues instead of failing. ``quoteNumber`` orders a quote's products.
- Release (``PUT ...?actionCode=release``), modify and cancel: only orders on customer hold
  (24 hours; later the order is voided). Cancel otherwise answers 405.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, life, order_wire
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    field_error,
    int_param,
    invalid,
    json_body,
    page,
)
from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.consts import (
    OP_ORDER_CANCEL,
    OP_ORDER_CREATE,
    OP_ORDER_CREATE_V7,
    OP_ORDER_DETAIL,
    OP_ORDER_MODIFY,
    OP_ORDER_SEARCH,
)
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.orders import (
    SEARCH_STATUS,
    Line,
    Order,
    Stage,
    pick_warehouse,
)
from disty.simulator.ingram.state import SimState

MAX_CUSTOMER_ORDER_NUMBER = 35
MAX_CUSTOMER_ORDER_NUMBER_V7 = 18
MAX_CUSTOMER_LINE_NUMBER = 3
SIMULATE_STATUS: dict[str, Stage] = {
    "IM::SHIPPED": "shipped",
    "IM::PARTIALLY_SHIPPED": "partially_shipped",
    "IM::HOLD": "on_hold",
    "IM::INVOICED": "invoiced",
}


def _attributes(body: dict[str, Any]) -> dict[str, str]:
    out = {}
    attrs = body.get("additionalAttributes")
    if isinstance(attrs, list):
        for a in attrs:
            if isinstance(a, dict) and isinstance(a.get("attributeName"), str):
                out[a["attributeName"]] = str(a.get("attributeValue", ""))
    return out


def _truthy(value: object) -> bool:
    return value is True or (
        isinstance(value, str) and value.strip().lower() in ("true", "y", "yes")
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _address(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: str(v) for k, v in value.items() if isinstance(v, str | int) and v != ""}


def find_product(state: SimState, line: dict[str, Any]) -> tuple[str, Product | None]:
    for key, lookup in (
        ("ingramPartNumber", state.catalog.by_ingram_part_number),
        ("vendorPartNumber", state.catalog.by_vendor_part_number),
    ):
        value = line.get(key)
        if isinstance(value, str) and value.strip():
            return value, lookup(value.strip().upper() if key == "ingramPartNumber" else value)
    return "", None


def _reject(line: dict[str, Any], ident: str, code: str, reason: str) -> dict[str, Any]:
    qty = line.get("quantity")
    return {
        "customerLinenumber": _text(line.get("customerLineNumber")),
        "customerLineNumber": _text(line.get("customerLineNumber")),
        "ingramPartNumber": ident,
        "quantityOrdered": qty if isinstance(qty, int) and not isinstance(qty, bool) else 0,
        "rejectCode": code,
        "rejectReason": reason,
    }


def unit_price(product: Product, country: str, special_bid: str) -> float:
    cents = product.customer_cents
    if special_bid and product.special_bid:
        cents -= cents // 10  # the special bid's discount, as P&A quotes it
    return product.price(country, cents)


def check_header(body: Any, max_con: int) -> Fields:
    """Field errors of an order body (400), before any line is looked at."""
    if not isinstance(body, dict):
        return [field_error("body", "", "The request body must be a JSON object")]
    bad: Fields = []
    con = body.get("customerOrderNumber")
    if not isinstance(con, str) or not con.strip():
        bad.append(field_error("customerOrderNumber", con, "Required field is missing"))
    elif len(con) > max_con:
        bad.append(
            field_error(
                "customerOrderNumber",
                con,
                f"customerOrderNumber must be at most {max_con} characters",
            )
        )
    lines = body.get("lines")
    if lines is not None and not isinstance(lines, list):
        bad.append(field_error("lines", "", "lines must be a list"))
    for n, line in enumerate(lines if isinstance(lines, list) else []):
        if not isinstance(line, dict):
            bad.append(field_error(f"lines[{n}]", "", "Each line must be an object"))
            continue
        cln = line.get("customerLineNumber")
        if cln is not None and (not isinstance(cln, str) or len(cln) > MAX_CUSTOMER_LINE_NUMBER):
            bad.append(
                field_error(
                    f"lines[{n}].customerLineNumber",
                    cln,
                    f"customerLineNumber must be at most {MAX_CUSTOMER_LINE_NUMBER} characters",
                )
            )
    return bad


def place(
    state: SimState,
    client_id: str,
    country: str,
    body: dict[str, Any],
    now: float,
    prices: dict[str, float] | None = None,
) -> tuple[Order | None, list[dict[str, Any]], str | None]:
    """Place an order from a checked body: (order, rejected lines, refusal message).

    ``prices``: unit prices by Ingram part number that override the list price (a quote's).
    """
    attrs = _attributes(body)
    con = body["customerOrderNumber"].strip()
    if state.orders.duplicate(client_id, con) and not _truthy(
        attrs.get("allowDuplicateCustomerOrderNumber")
    ):
        return None, [], f"Duplicate customerOrderNumber {con}"
    special_bid = _text(body.get("specialBidNumber"))
    accept_backorder = body.get("acceptBackOrder")
    no_backorder = accept_backorder is False or (
        isinstance(accept_backorder, str) and accept_backorder.lower() == "false"
    )
    rejected: list[dict[str, Any]] = []
    lines: list[Line] = []
    raw_lines = body.get("lines") if isinstance(body.get("lines"), list) else []
    for raw in raw_lines or []:
        ident, product = find_product(state, raw)
        qty = raw.get("quantity")
        if isinstance(qty, str) and qty.isdigit():
            qty = int(qty)
        if product is None:
            rejected.append(_reject(raw, ident, "EN", f"SKU-NOTFOUND    {ident}"))
            continue
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            rejected.append(_reject(raw, ident, "EQ", "ERROR-INVALID-QTY"))
            continue
        if product.digital or product.direct_ship:
            confirmed = qty  # licences and vendor-shipped products never wait for stock
        else:
            confirmed = min(qty, state.inventory.available(product, country))
        if confirmed < qty and (no_backorder or product.discontinued):
            rejected.append(_reject(raw, ident, "EB", "BACKORDER-NOT-ALLOWED"))
            continue
        if not (product.digital or product.direct_ship):
            state.inventory.take(product, country, confirmed)
        lines.append(
            Line(
                ingram_line_number=f"{len(lines) + 1:03d}",
                customer_line_number=_text(raw.get("customerLineNumber")) or f"{len(lines) + 1}",
                product=product,
                quantity=qty,
                unit_price=(prices or {}).get(
                    product.ingram_part_number, unit_price(product, country, special_bid)
                ),
                confirmed=confirmed,
                backordered=qty - confirmed,
                warehouse=pick_warehouse(product, country),
                notes=_text(raw.get("notes")),
            )
        )
    if not lines:
        return None, rejected, "No valid lines in the order"
    on_hold = _truthy(attrs.get("allowOrderOnCustomerHold"))
    stage: Stage = "on_hold" if on_hold else "processing"
    if not on_hold and not any(ln.confirmed for ln in lines):
        stage = "backordered"
    order = Order(
        number=state.orders.new_number(country),
        client_id=client_id,
        country=country,
        customer_order_number=con,
        created_at=now,
        stage=stage,
        lines=lines,
        end_customer_order_number=_text(body.get("endCustomerOrderNumber")),
        notes=_text(body.get("notes")),
        ship_to=_address(body.get("shipToInfo")),
        end_user=_address(body.get("endUserInfo")),
        bill_to_address_id=_text(body.get("billToAddressId")) or "000",
        special_bid_number=special_bid,
        quote_number=_text(body.get("quoteNumber")),
        order_type="D" if all(ln.product.direct_ship for ln in lines) else "S",
        history=[(now, stage)],
    )
    state.orders.orders[order.number] = order
    life.schedule_after_create(state, order, now)
    return order, rejected, None


# -- v6 create --------------------------------------------------------------------------------


async def create_v6(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_CREATE)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    body = await json_body(request)
    bad = check_header(body, MAX_CUSTOMER_ORDER_NUMBER)
    if not bad and not body.get("lines"):
        bad.append(field_error("lines", "", "At least one line is required"))
    if bad:
        return invalid(ctx, now, bad)
    order, rejected, refusal = place(state, ctx.app.client_id, ctx.country, body, now)
    if order is None:
        fields = [
            field_error(
                "customerOrderNumber" if "Duplicate" in (refusal or "") else "lines",
                body.get("customerOrderNumber"),
                refusal or "",
            )
        ]
        fields += [field_error("lines", r["ingramPartNumber"], r["rejectReason"]) for r in rejected]
        return invalid(ctx, now, fields)
    answer = order_wire.create_answer(order, rejected, _address(body.get("resellerInfo")))
    return JSONResponse(answer, status_code=207 if rejected else 201, headers=ctx.headers)


# -- v7 create --------------------------------------------------------------------------------


async def create_v7(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_CREATE_V7, v7=True)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    body = await json_body(request)
    bad = check_header(body, MAX_CUSTOMER_ORDER_NUMBER_V7)
    quote_number = _text(body.get("quoteNumber")) if isinstance(body, dict) else ""
    if not bad and quote_number:
        from disty.simulator.ingram.quotes import find_quote

        if find_quote(state, ctx.app.client_id, quote_number) is None:
            bad.append(field_error("quoteNumber", quote_number, "Quote not found"))
    if not bad and not body.get("lines") and not quote_number:
        bad.append(field_error("lines", "", "lines or quoteNumber is required"))
    if bad:
        errors_body = {
            "errors": [
                {
                    "traceid": ctx.correlation_id,
                    "type": "/errors/validation-failed",
                    "message": "customer validation failed",
                    "fields": bad,
                }
            ]
        }
        return JSONResponse(errors_body, status_code=400, headers=ctx.headers)
    confirmation = f"{ctx.country}-I-T-{secrets.randbelow(10**20):020d}"
    state.v7_queue.append(
        {
            "client_id": ctx.app.client_id,
            "country": ctx.country,
            "body": body,
            "confirmation": confirmation,
            "at": now,
        }
    )
    message = "Thank you for submitting the order. You will receive the order result by webhook."
    if ctx.maintenance:
        message += " Ingram Micro is in a maintenance window: the order is queued."
    return JSONResponse(
        {"quoteNumber": quote_number, "confirmationNumber": confirmation, "message": message},
        status_code=200,
        headers=ctx.headers,
    )


def process_v7(state: SimState, item: dict[str, Any], now: float) -> None:
    """Place a queued v7 order and send its result (the scheduler calls this)."""
    from disty.simulator.ingram.quotes import find_quote

    body: dict[str, Any] = dict(item["body"])
    quote_number = _text(body.get("quoteNumber"))
    prices: dict[str, float] = {}
    quote = find_quote(state, item["client_id"], quote_number) if quote_number else None
    if quote is not None:
        # A quote's products are ordered at the quote's prices.
        prices = {p["ingramPartNumber"]: p["price"]["quotePrice"] for p in quote["products"]}
        if not body.get("lines"):
            body["lines"] = [
                {
                    "customerLineNumber": f"{n + 1}",
                    "ingramPartNumber": p["ingramPartNumber"],
                    "quantity": int(p["quantity"]),
                }
                for n, p in enumerate(quote["products"])
            ]
            body["specialBidNumber"] = quote.get("specialBidId", "")
    order, rejected, _refusal = place(state, item["client_id"], item["country"], body, now, prices)
    if order is not None:
        order.confirmation_number = item["confirmation"]
        answer = order_wire.create_answer(order, rejected)
    else:
        answer = None
    resource = order_wire.v7_resource(order, answer, body["customerOrderNumber"])
    state.webhooks.emit(
        "order_async_create",
        item["client_id"],
        order_wire.v7_event(resource, body["customerOrderNumber"], now),
    )


# -- detail -----------------------------------------------------------------------------------


async def detail(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_DETAIL)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    number = request.path_params["ordernumber"]
    order = state.orders.find(ctx.app.client_id, number)
    if order is None:
        return errors.not_found(
            correlation_id=ctx.correlation_id,
            now=now,
            headers=ctx.headers,
            message="Order not found.",
        )
    simulate = request.query_params.get("simulateStatus")
    if simulate:
        target = SIMULATE_STATUS.get(simulate.upper())
        if target is None:
            return invalid(
                ctx,
                now,
                [
                    field_error(
                        "simulateStatus",
                        simulate,
                        f"simulateStatus must be one of {', '.join(SIMULATE_STATUS)}",
                    )
                ],
            )
        life.advance_to(state, order, target, now)
    return JSONResponse(order_wire.detail(order), headers=ctx.headers)


# -- search -----------------------------------------------------------------------------------


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _matches(order: Order, q: Any, bad: Fields) -> bool:
    def eq(name: str, value: str) -> bool:
        wanted = q.get(name)
        return not wanted or wanted.strip().upper() == value.upper()

    if not eq("ingramOrderNumber", order.number):
        return False
    if not eq("customerOrderNumber", order.customer_order_number):
        return False
    if not eq("endCustomerOrderNumber", order.end_customer_order_number):
        return False
    statuses = [s.upper() for s in q.getlist("orderStatus-in") for s in s.split(",") if s]
    if q.get("orderStatus"):
        statuses.append(q["orderStatus"].upper())
    if statuses and SEARCH_STATUS[order.stage] not in statuses:
        return False
    created = dt.datetime.fromtimestamp(order.created_at, dt.UTC).date()
    if q.get("ingramOrderDate"):
        d = _date(q["ingramOrderDate"])
        if d is None:
            bad.append(field_error("ingramOrderDate", q["ingramOrderDate"], "Use yyyy-MM-dd"))
        elif d != created:
            return False
    between = [s for s in q.getlist("ingramOrderDate-bt") for s in s.split(",") if s]
    if between:
        dates = [_date(s) for s in between]
        if len(dates) != 2 or None in dates:
            bad.append(
                field_error("ingramOrderDate-bt", ",".join(between), "Two dates, yyyy-MM-dd")
            )
        elif not (dates[0] or created) <= created <= (dates[1] or created):
            return False
    lines = order.live_lines
    for name, values in (
        ("ingramPartNumber", [ln.product.ingram_part_number for ln in lines]),
        ("vendorPartNumber", [ln.product.vendor_part_number for ln in lines]),
        ("vendorName", [ln.product.vendor_name for ln in lines]),
        ("serialNumber", [n for ln in lines for s in ln.shipments for n in s.serials]),
        ("trackingNumber", [s.tracking_number for ln in lines for s in ln.shipments]),
    ):
        wanted = q.get(name)
        if wanted and wanted.strip().upper() not in (v.upper() for v in values):
            return False
    return not (q.get("specialBidNumber") and q["specialBidNumber"] != order.special_bid_number)


async def search(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_SEARCH)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    bad: Fields = []
    size = int_param(q.get("pageSize"), 25, "pageSize", bad, hi=100)
    number = int_param(q.get("pageNumber"), 1, "pageNumber", bad)
    found = [
        o
        for o in state.orders.for_app(ctx.app.client_id)
        if o.country == ctx.country and _matches(o, q, bad)
    ]
    if bad:
        return invalid(ctx, now, bad)
    if not found:
        return Response(status_code=204, headers=ctx.headers)
    found.sort(key=lambda o: o.created_at, reverse=True)
    body: dict[str, Any] = {
        "recordsFound": len(found),
        "pageSize": size,
        "pageNumber": number,
        "orders": [order_wire.search_row(o) for o in page(found, number, size)],
    }
    kept = "&".join(f"{k}={v}" for k, v in q.multi_items() if k not in ("pageNumber", "pageSize"))
    prefix = f"/resellers/v6/orders/search?{kept + '&' if kept else ''}pageSize={size}&pageNumber="
    body["nextPage"] = prefix + str(number + 1) if number * size < len(found) else ""
    body["previousPage"] = prefix + str(number - 1) if number > 1 else ""
    return JSONResponse(body, headers=ctx.headers)


# -- modify, release, cancel ------------------------------------------------------------------


def _not_found(ctx: Any, now: float) -> Response:
    return errors.not_found(
        correlation_id=ctx.correlation_id, now=now, headers=ctx.headers, message="Order not found."
    )


async def modify(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_MODIFY)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    order = state.orders.find(ctx.app.client_id, request.path_params["orderNumber"])
    if order is None:
        return _not_found(ctx, now)
    if order.stage != "on_hold":
        return invalid(
            ctx,
            now,
            [
                field_error(
                    "orderNumber",
                    order.number,
                    "Order can not be modified/released as it is not on customer hold",
                )
            ],
        )
    action = request.query_params.get("actionCode", "")
    if action.lower() == "release":
        life.release(state, order, now)
        return JSONResponse(order_wire.modify_answer(order, [], [], now), headers=ctx.headers)
    if action:
        return invalid(ctx, now, [field_error("actionCode", action, "actionCode must be release")])
    body = await json_body(request)
    if not isinstance(body, dict):
        return invalid(
            ctx, now, [field_error("body", "", "The request body must be a JSON object")]
        )
    changed, rejected = _apply_changes(state, order, body, now)
    order.modified_at = now
    status = 207 if rejected and changed else 200
    return JSONResponse(
        order_wire.modify_answer(order, changed, rejected, now),
        status_code=status,
        headers=ctx.headers,
    )


def _apply_changes(
    state: SimState, order: Order, body: dict[str, Any], now: float
) -> tuple[list[Line], list[dict[str, Any]]]:
    changed: list[Line] = []
    rejected: list[dict[str, Any]] = []
    if isinstance(body.get("notes"), str):
        order.notes = body["notes"]
    if isinstance(body.get("shipToInfo"), dict):
        order.ship_to = _address(body["shipToInfo"])
    raw_lines = body.get("lines")
    for raw in raw_lines if isinstance(raw_lines, list) else []:
        if not isinstance(raw, dict):
            continue
        what = _text(raw.get("addUpdateDeleteLine")).upper()
        qty = raw.get("quantity")
        ident, product = find_product(state, raw)
        if what == "ADD":
            if product is None:
                rejected.append(_reject(raw, ident, "EN", f"SKU-NOTFOUND    {ident}"))
                continue
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                rejected.append(_reject(raw, ident, "EQ", "ERROR-INVALID-QTY"))
                continue
            take = (
                qty
                if (product.digital or product.direct_ship)
                else min(qty, state.inventory.available(product, order.country))
            )
            if not (product.digital or product.direct_ship):
                state.inventory.take(product, order.country, take)
            line = Line(
                f"{len(order.lines) + 1:03d}",
                _text(raw.get("customerLineNumber")) or "000",
                product,
                qty,
                unit_price(product, order.country, order.special_bid_number),
                take,
                qty - take,
                pick_warehouse(product, order.country),
                _text(raw.get("notes")),
            )
            order.lines.append(line)
            changed.append(line)
            continue
        target = next(
            (
                ln
                for ln in order.live_lines
                if ln.ingram_line_number == _text(raw.get("ingramLineNumber")).zfill(3)
            ),
            None,
        )
        if target is None or what not in ("UPDATE", "DELETE"):
            rej = _reject(raw, ident, "EL", "ERROR-LINE-NOT-FOUND")
            rej["ingramLineNumber"] = _text(raw.get("ingramLineNumber"))
            rejected.append(rej)
            continue
        p = target.product
        stocked = not (p.digital or p.direct_ship)
        if what == "DELETE":
            if stocked:
                state.inventory.give_back(p, order.country, target.confirmed)
            target.cancelled = True
            changed.append(target)
            continue
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            rejected.append(_reject(raw, ident, "EQ", "ERROR-INVALID-QTY"))
            continue
        if stocked:
            state.inventory.give_back(p, order.country, target.confirmed)
            target.confirmed = min(qty, state.inventory.available(p, order.country))
            state.inventory.take(p, order.country, target.confirmed)
        else:
            target.confirmed = qty
        target.quantity = qty
        target.backordered = qty - target.confirmed
        if isinstance(raw.get("notes"), str):
            target.notes = raw["notes"]
        changed.append(target)
    return changed, rejected


async def cancel(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_CANCEL)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    order = state.orders.find(ctx.app.client_id, request.path_params["OrderNumber"])
    if order is None:
        return _not_found(ctx, now)
    if order.stage != "on_hold":
        return errors.refused(
            405,
            "Order can not be deleted as it is not on customer hold.",
            correlation_id=ctx.correlation_id,
            now=now,
            headers=ctx.headers,
        )
    life.cancel(state, order, now)
    return Response(status_code=200, headers=ctx.headers)
