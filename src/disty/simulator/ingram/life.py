"""The scheduler: everything that happens later, driven by the simulated clock.

Nothing here reads wall time. ``pump(state)`` runs whatever became due on ``state.clock``, in
time order: order life steps (``ordering.step``, each stamped with the time it was due, so a
long clock advance replays a whole life in order), queued v7 orders (held while the
maintenance switch is on), the 15-minute stock-update publication, and webhook deliveries and
their retries.

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
from disty.simulator.ingram.ordering import process_v7, step

if TYPE_CHECKING:
    from disty.simulator.ingram.catalog import Product
    from disty.simulator.ingram.state import SimState

log = logging.getLogger("disty.simulator.scheduler")

STOCK_EVERY_S = 900.0  # Ingram sends stock deltas every 15 minutes
STOCK_BATCH = 4000  # at most 4,000 SKUs an event
TICK_S = 0.25


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
    """Stock deltas since the last publication: one event per country (the body names no
    country, so a SKU's US and Canadian figures never share one), at most ``STOCK_BATCH``
    SKUs an event, each country's going only to webhooks of that country."""
    dirty = list(state.inventory.dirty.items())
    state.inventory.dirty.clear()
    by_country: dict[str, list[dict[str, Any]]] = {}
    for (_index, country), product in dirty:
        by_country.setdefault(country, []).append(_stock_row(state, product, country))
    events = 0
    for country, rows in sorted(by_country.items()):
        for start in range(0, len(rows), STOCK_BATCH):
            body: dict[str, Any] = {
                "topic": "resellers/catalog",
                "event": "im::updated",
                "eventTimeStamp": order_wire.stamp_ms(at),
                # Required by the spec's availabilityupdate schema (a copy of the order one's).
                "customerOrderNumber": "",
                "resource": rows[start : start + STOCK_BATCH],
            }
            events += len(state.webhooks.emit("stock_update", None, body, country))
    return events


def _stock_row(state: SimState, product: Product, country: str) -> dict[str, Any]:
    return {
        "eventType": "IM::STOCK_UPDATE",
        "ingramPartNumber": product.ingram_part_number,
        "vendorPartNumber": product.vendor_part_number,
        "vendorName": product.vendor_name,
        "upcCode": product.upc,
        "skuStatus": "Active" if not product.discontinued else "Discontinued",
        "backOrderFlag": "Y" if not product.discontinued and not product.digital else "N",
        "totalAvailability": str(state.inventory.available(product, country)),
        "links": [
            {
                "topic": "catalog",
                "href": f"/resellers/v6/catalog/details/{product.ingram_part_number}",
                "type": "GET",
            }
        ],
    }


def _run_v7_queue(state: SimState, now: float) -> None:
    if state.maintenance:
        return  # queued during the maintenance window, processed when it ends
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
