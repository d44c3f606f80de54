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

Only request checks and answers here; ``ordering`` places, changes and moves the orders.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire, ordering
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    between_param,
    date_param,
    field_error,
    in_range,
    int_param,
    invalid,
    json_body,
    page,
    utc_day,
)
from disty.simulator.ingram.consts import (
    OP_ORDER_CANCEL,
    OP_ORDER_CREATE,
    OP_ORDER_CREATE_V7,
    OP_ORDER_DETAIL,
    OP_ORDER_MODIFY,
    OP_ORDER_SEARCH,
)
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.orders import SEARCH_STATUS, Order, Stage
from disty.simulator.ingram.quotes import find_quote

MAX_CUSTOMER_ORDER_NUMBER = 35
MAX_CUSTOMER_ORDER_NUMBER_V7 = 18
MAX_CUSTOMER_LINE_NUMBER = 3
SIMULATE_STATUS: dict[str, Stage] = {
    "IM::SHIPPED": "shipped",
    "IM::PARTIALLY_SHIPPED": "partially_shipped",
    "IM::HOLD": "on_hold",
    "IM::INVOICED": "invoiced",
}


def check_header(body: Any, max_con: int, *, con_required: bool = True) -> Fields:
    """Field errors of an order body (400), before any line is looked at.

    ``customerOrderNumber`` is required on v6 (Ingram's notes) and optional on v7 (the spec and
    both official SDKs).
    """
    if not isinstance(body, dict):
        return [field_error("body", "", "The request body must be a JSON object")]
    bad: Fields = []
    con = body.get("customerOrderNumber")
    if con is None and not con_required:
        pass
    elif not isinstance(con, str) or (con_required and not con.strip()):
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
    order, rejected, refusal = ordering.place(state, ctx.app.client_id, ctx.country, body, now)
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
    answer = order_wire.create_answer(
        order, rejected, ordering.address_of(body.get("resellerInfo"))
    )
    return JSONResponse(answer, status_code=207 if rejected else 201, headers=ctx.headers)


# -- v7 create --------------------------------------------------------------------------------


async def create_v7(request: Request) -> Response:
    ctx = await admit(request, OP_ORDER_CREATE_V7, v7=True)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    body = await json_body(request)
    bad = check_header(body, MAX_CUSTOMER_ORDER_NUMBER_V7, con_required=False)
    quote_number = ordering.text_of(body.get("quoteNumber")) if isinstance(body, dict) else ""
    if not bad and quote_number and find_quote(state, ctx.app.client_id, quote_number) is None:
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
    confirmation = ordering.queue_v7(state, ctx.app.client_id, ctx.country, body, now)
    message = "Thank you for submitting the order. You will receive the order result by webhook."
    if ctx.maintenance:
        message += " Ingram Micro is in a maintenance window: the order is queued."
    return JSONResponse(
        {"quoteNumber": quote_number, "confirmationNumber": confirmation, "message": message},
        status_code=200,
        headers=ctx.headers,
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
        # A canned answer "as if": the order itself does not change.
        order = ordering.as_if(state, order, target, now)
    return JSONResponse(order_wire.detail(order), headers=ctx.headers)


# -- search -----------------------------------------------------------------------------------


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
    created = utc_day(order.created_at)
    if q.get("ingramOrderDate"):
        d = date_param(q, "ingramOrderDate", bad)
        if d is not None and d != created:
            return False
    if not in_range(created, between_param(q, "ingramOrderDate-bt", bad)):
        return False
    shipments = order.shipments
    for name, days in (
        ("invoiceDate_bt", [utc_day(s.invoiced_at) for s in shipments if s.invoiced_at]),
        ("shipDate_bt", [utc_day(s.shipped_at) for s in shipments]),
        # Delivered dates are not simulated: the estimate order detail shows stands in.
        ("deliveryDate_bt", [utc_day(s.shipped_at + order_wire.DELIVERY_S) for s in shipments]),
    ):
        span = between_param(q, name, bad)
        if span is not None and not any(in_range(d, span) for d in days):
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
        ordering.release(state, order, now)
        return JSONResponse(order_wire.modify_answer(order, [], [], now), headers=ctx.headers)
    if action:
        return invalid(ctx, now, [field_error("actionCode", action, "actionCode must be release")])
    body = await json_body(request)
    if not isinstance(body, dict):
        return invalid(
            ctx, now, [field_error("body", "", "The request body must be a JSON object")]
        )
    changed, rejected = ordering.apply_changes(state, order, body, now)
    order.modified_at = now
    status = 207 if rejected and changed else 200
    return JSONResponse(
        order_wire.modify_answer(order, changed, rejected, now),
        status_code=status,
        headers=ctx.headers,
    )


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
    ordering.cancel(state, order, now)
    return Response(status_code=200, headers=ctx.headers)
