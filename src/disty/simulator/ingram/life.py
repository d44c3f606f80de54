"""The scheduler: everything that happens later, driven by the simulated clock.

Nothing here reads wall time. ``pump(state)`` runs whatever became due on ``state.clock``, in
time order: order life steps (each stamped with the time it was due, so a long clock advance
replays a whole life in order), queued v7 orders (held while the maintenance switch is on),
the 15-minute stock-update publication, and webhook deliveries and their retries.

Who calls ``pump``: every Ingram call after it is answered (``kick``, a task: the answer is
never held up by deliveries), ``POST /_control/clock/advance`` (which then waits for the
deliveries it started, so a test can look at its receiver right after), and, when the clock is
not frozen, a background ticker started with the first request (``ensure_ticker``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from disty.simulator.ingram import order_wire
from disty.simulator.ingram.orders import (
    HOLD_LIMIT_S,
    Order,
    Stage,
    invoice_number_of,
    make_shipment,
)

if TYPE_CHECKING:
    from disty.simulator.ingram.state import SimState

log = logging.getLogger("disty.simulator.scheduler")

STOCK_EVERY_S = 900.0  # Ingram sends stock deltas every 15 minutes
STOCK_BATCH = 4000  # at most 4,000 SKUs an event
TICK_S = 0.25


def emit_order(state: SimState, kind: str, order: Order, at: float) -> None:
    state.webhooks.emit(kind, order.client_id, order_wire.order_event(kind, order, at))  # type: ignore[arg-type]


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


def _run_due_orders(state: SimState, now: float) -> None:
    while True:
        due = [
            o
            for o in state.orders.orders.values()
            if o.next_step_at is not None and o.next_step_at <= now
        ]
        if not due:
            return
        order = min(due, key=lambda o: (o.next_step_at or 0.0, o.created_at))
        at = order.next_step_at or now
        step(state, order, at)


def publish_stock(state: SimState, at: float) -> int:
    """Stock deltas since the last publication, at most ``STOCK_BATCH`` SKUs an event."""
    dirty = list(state.inventory.dirty.items())
    state.inventory.dirty.clear()
    rows = []
    for (_index, country), product in dirty:
        available = state.inventory.available(product, country)
        rows.append(
            {
                "eventType": "IM::STOCK_UPDATE",
                "ingramPartNumber": product.ingram_part_number,
                "vendorPartNumber": product.vendor_part_number,
                "vendorName": product.vendor_name,
                "upcCode": product.upc,
                "skuStatus": "Active" if not product.discontinued else "Discontinued",
                "backOrderFlag": "Y" if not product.discontinued and not product.digital else "N",
                "totalAvailability": str(available),
                "links": [
                    {
                        "topic": "catalog",
                        "href": f"/resellers/v6/catalog/details/{product.ingram_part_number}",
                        "type": "GET",
                    }
                ],
            }
        )
    events = 0
    for start in range(0, len(rows), STOCK_BATCH):
        body: dict[str, Any] = {
            "topic": "resellers/catalog",
            "event": "im::updated",
            "eventTimeStamp": order_wire.stamp_ms(at),
            # Required by the spec's availabilityupdate schema (a copy of the order one's).
            "customerOrderNumber": "",
            "resource": rows[start : start + STOCK_BATCH],
        }
        events += len(state.webhooks.emit("stock_update", None, body))
    return events


def _run_v7_queue(state: SimState, now: float) -> None:
    if state.maintenance:
        return  # queued during the maintenance window, processed when it ends
    from disty.simulator.ingram.routes_orders import process_v7

    while state.v7_queue:
        item = state.v7_queue.pop(0)
        process_v7(state, item, now)


def run_due(state: SimState) -> None:
    now = state.clock.now()
    _run_v7_queue(state, now)
    _run_due_orders(state, now)
    while state.next_stock_at <= now:
        publish_stock(state, state.next_stock_at)
        state.next_stock_at += STOCK_EVERY_S


async def pump(state: SimState) -> None:
    run_due(state)
    state.webhooks.start_due()


def kick(state: SimState) -> None:
    """Pump soon, without holding up the answer being sent."""
    task = asyncio.get_running_loop().create_task(pump(state))
    state.background.add(task)
    task.add_done_callback(state.background.discard)


def ensure_ticker(state: SimState) -> None:
    """On a running (not frozen) clock, pump a few times a second in the background."""
    if state.clock.frozen or (state.ticker is not None and not state.ticker.done()):
        return
    state.ticker = asyncio.get_running_loop().create_task(_tick(state))


async def _tick(state: SimState) -> None:
    while True:
        await asyncio.sleep(TICK_S)
        try:
            await pump(state)
        except Exception:  # keep ticking: one bad step must not stop every later one
            log.exception("the simulator's scheduler failed")
