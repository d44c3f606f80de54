"""Order logic: placing orders (v6 at once, v7 from the scheduler's queue), changing and
cancelling orders on hold, and each step of an order's life on the simulated clock.

No HTTP here: ``routes_orders`` checks requests and renders answers with ``order_wire``; the
scheduler (``life.py``) runs the steps that became due and the queued v7 orders. The rules
are listed in ``routes_orders`` (as Ingram documents them) and in the simulator's README.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from disty.simulator.ingram import order_wire
from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.orders import (
    HOLD_LIMIT_S,
    Inventory,
    Line,
    Order,
    Stage,
    invoice_number_of,
    make_shipment,
    pick_warehouse,
)
from disty.simulator.ingram.quotes import find_quote
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.webhooks import Dispatcher

# -- placing ----------------------------------------------------------------------------------


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


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def address_of(value: object) -> dict[str, str]:
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
        "customerLinenumber": text_of(line.get("customerLineNumber")),
        "customerLineNumber": text_of(line.get("customerLineNumber")),
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
    con = text_of(body.get("customerOrderNumber"))  # optional on v7
    if (
        con
        and state.orders.duplicate(client_id, con)
        and not _truthy(attrs.get("allowDuplicateCustomerOrderNumber"))
    ):
        return None, [], f"Duplicate customerOrderNumber {con}"
    special_bid = text_of(body.get("specialBidNumber"))
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
                customer_line_number=text_of(raw.get("customerLineNumber")) or f"{len(lines) + 1}",
                product=product,
                quantity=qty,
                unit_price=(prices or {}).get(
                    product.ingram_part_number, unit_price(product, country, special_bid)
                ),
                confirmed=confirmed,
                backordered=qty - confirmed,
                warehouse=pick_warehouse(product, country),
                notes=text_of(raw.get("notes")),
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
        end_customer_order_number=text_of(body.get("endCustomerOrderNumber")),
        notes=text_of(body.get("notes")),
        ship_to=address_of(body.get("shipToInfo")),
        end_user=address_of(body.get("endUserInfo")),
        bill_to_address_id=text_of(body.get("billToAddressId")) or "000",
        special_bid_number=special_bid,
        quote_number=text_of(body.get("quoteNumber")),
        order_type="D" if all(ln.product.direct_ship for ln in lines) else "S",
        history=[(now, stage)],
    )
    state.orders.orders[order.number] = order
    schedule_after_create(state, order, now)
    return order, rejected, None


def queue_v7(
    state: SimState, client_id: str, country: str, body: dict[str, Any], now: float
) -> str:
    """Queue a checked v7 order for the scheduler to place; its confirmation number."""
    confirmation = f"{country}-I-T-{secrets.randbelow(10**20):020d}"
    state.v7_queue.append(
        {
            "client_id": client_id,
            "country": country,
            "body": body,
            "confirmation": confirmation,
            "at": now,
        }
    )
    return confirmation


def process_v7(state: SimState, item: dict[str, Any], now: float) -> None:
    """Place a queued v7 order and send its result (the scheduler calls this)."""
    body: dict[str, Any] = dict(item["body"])
    quote_number = text_of(body.get("quoteNumber"))
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
    order, rejected, refusal = place(state, item["client_id"], item["country"], body, now, prices)
    con = text_of(body.get("customerOrderNumber"))
    if order is not None:
        order.confirmation_number = item["confirmation"]
        resource = order_wire.v7_resource(order, order_wire.create_answer(order, rejected))
    else:
        raw = body.get("lines")
        lines: list[Any] = raw if isinstance(raw, list) else []
        resource = order_wire.v7_refusal(
            con, item["country"], rejected, refusal or "No line could be ordered", len(lines), now
        )
    state.webhooks.emit(
        "order_async_create",
        item["client_id"],
        order_wire.v7_event(resource, con, now),
        item["country"],
    )


# -- changes to an order on hold --------------------------------------------------------------


def apply_changes(
    state: SimState, order: Order, body: dict[str, Any], now: float
) -> tuple[list[Line], list[dict[str, Any]]]:
    """Apply a modify body (notes, ship-to, added, updated and deleted lines) to an order on
    hold, taking and giving back stock: (changed lines, rejected lines)."""
    changed: list[Line] = []
    rejected: list[dict[str, Any]] = []
    if isinstance(body.get("notes"), str):
        order.notes = body["notes"]
    if isinstance(body.get("shipToInfo"), dict):
        order.ship_to = address_of(body["shipToInfo"])
    raw_lines = body.get("lines")
    for raw in raw_lines if isinstance(raw_lines, list) else []:
        if not isinstance(raw, dict):
            continue
        what = text_of(raw.get("addUpdateDeleteLine")).upper()
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
                text_of(raw.get("customerLineNumber")) or "000",
                product,
                qty,
                unit_price(product, order.country, order.special_bid_number),
                take,
                qty - take,
                pick_warehouse(product, order.country),
                text_of(raw.get("notes")),
            )
            order.lines.append(line)
            changed.append(line)
            continue
        target = next(
            (
                ln
                for ln in order.live_lines
                if ln.ingram_line_number == text_of(raw.get("ingramLineNumber")).zfill(3)
            ),
            None,
        )
        if target is None or what not in ("UPDATE", "DELETE"):
            rej = _reject(raw, ident, "EL", "ERROR-LINE-NOT-FOUND")
            rej["ingramLineNumber"] = text_of(raw.get("ingramLineNumber"))
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


# -- life on the simulated clock --------------------------------------------------------------


def emit_order(state: SimState, kind: str, order: Order, at: float) -> None:
    state.webhooks.emit(
        kind,  # type: ignore[arg-type]
        order.client_id,
        order_wire.order_event(kind, order, at),
        order.country,
    )


def schedule_after_create(state: SimState, order: Order, at: float) -> None:
    """Events and the next step of a newly placed order."""
    if order.stage == "on_hold":
        order.next_step_at = order.created_at + HOLD_LIMIT_S
        emit_order(state, "order_hold", order, at)
        return
    if any(ln.backordered for ln in order.live_lines):
        emit_order(state, "order_backordered", order, at)
    order.next_step_at = at + state.ship_after_s


def release(state: SimState, order: Order, at: float) -> None:
    order.set_stage("processing", at)
    order.modified_at = at
    if any(ln.backordered for ln in order.live_lines):
        if not any(ln.confirmed for ln in order.live_lines):
            order.set_stage("backordered", at)
        emit_order(state, "order_backordered", order, at)
    order.next_step_at = at + state.ship_after_s


def cancel(state: SimState, order: Order, at: float, stage: Stage = "cancelled") -> None:
    for ln in order.live_lines:
        state.inventory.give_back(ln.product, order.country, ln.confirmed - ln.shipped)
    order.set_stage(stage, at)
    order.modified_at = at
    order.next_step_at = None


def step(state: SimState, order: Order, at: float) -> None:
    """One step of an order's life, as of ``at`` (when it was due)."""
    if order.stage == "on_hold":
        # Not released within 24 hours: Ingram voids it.
        cancel(state, order, at, "voided")
        emit_order(state, "order_voided", order, at)
        return
    if order.stage in ("voided", "cancelled", "invoiced"):
        order.next_step_at = None
        return
    uninvoiced = [s for s in order.shipments if s.invoice_number is None]
    if uninvoiced:
        for s in uninvoiced:
            s.invoice_number = invoice_number_of(s.sub_order_number)
            s.invoiced_at = at
        remaining = any(ln.shipped < ln.quantity for ln in order.live_lines)
        if not remaining:
            order.set_stage("invoiced", at)
        emit_order(state, "order_invoiced", order, at)
        order.next_step_at = None if not remaining else at + state.ship_after_s
        return
    shipped_any = False
    confirmed_left = [ln for ln in order.live_lines if ln.shipped < ln.confirmed]
    if confirmed_left:
        for ln in confirmed_left:
            ln.shipments.append(make_shipment(order, ln, ln.confirmed - ln.shipped, at))
        shipped_any = True
    else:
        # The backorder arrives: it ships straight from the incoming stock.
        for ln in order.live_lines:
            if ln.shipped < ln.quantity:
                qty = ln.quantity - ln.shipped
                ln.shipments.append(make_shipment(order, ln, qty, at))
                ln.confirmed = ln.quantity
                ln.backordered = 0
                shipped_any = True
    if shipped_any:
        done = all(ln.shipped >= ln.quantity for ln in order.live_lines)
        order.set_stage("shipped" if done else "partially_shipped", at)
        emit_order(state, "order_shipped", order, at)
    order.next_step_at = at + state.ship_after_s


def advance_to(state: SimState, order: Order, target: Stage, at: float) -> None:
    """Run the order's steps now until it reaches ``target`` (or cannot go further)."""
    if target == "on_hold":
        if order.stage == "processing" and not order.shipments:
            order.set_stage("on_hold", at)
            order.next_step_at = at + HOLD_LIMIT_S
            emit_order(state, "order_hold", order, at)
        return
    if target in ("cancelled", "voided"):
        if order.stage not in ("voided", "cancelled", "invoiced") and not order.shipments:
            cancel(state, order, at, target)
            if target == "voided":
                emit_order(state, "order_voided", order, at)
        return
    if order.stage == "on_hold":
        release(state, order, at)
    for _ in range(10):
        if order.stage == target or order.next_step_at is None:
            return
        if target == "partially_shipped" and order.stage in ("shipped", "invoiced"):
            return
        step(state, order, at)


def as_if(state: SimState, order: Order, target: Stage, at: float) -> Order:
    """The order as it would look at ``target``, for ``simulateStatus``: a copy moved on in a
    scratch world (its own stock counts and a webhook dispatcher nobody subscribes to), so the
    real order, stock and webhook log stay exactly as they were. The spec calls the parameter
    a canned test response, not an action."""
    shadow = copy.copy(order)
    shadow.history = list(order.history)
    shadow.lines = []
    for ln in order.lines:
        twin = copy.copy(ln)
        twin.shipments = [copy.copy(s) for s in ln.shipments]
        shadow.lines.append(twin)
    scratch = copy.copy(state)
    scratch.inventory = Inventory()
    scratch.inventory.taken.update(state.inventory.taken)
    scratch.webhooks = Dispatcher(state.clock)
    if target == "partially_shipped" and not shadow.shipments:
        _hold_back_some(shadow)
    advance_to(scratch, shadow, target, at)
    return shadow


def _hold_back_some(order: Order) -> None:
    """Make a backorder for a partial shipment to show: half the largest line, or the last
    line when every line is a single unit (an order of one unit ships whole)."""
    live = [ln for ln in order.live_lines if ln.confirmed]
    if not live or any(ln.backordered for ln in live):
        return
    big = max(live, key=lambda ln: ln.confirmed)
    if big.confirmed > 1:
        held = big.confirmed // 2
    elif len(live) > 1:
        big, held = live[-1], live[-1].confirmed
    else:
        return
    big.confirmed -= held
    big.backordered += held
