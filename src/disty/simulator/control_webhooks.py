"""Control API, part 2: webhooks, deliveries, orders, stock and the scheduler.

Not part of Ingram's wire (README.md has the table). Webhook secrets are answered once, on
create and on regenerate; every other answer masks them to the last 4 characters.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from disty.simulator.ingram import life, order_wire, ordering
from disty.simulator.ingram.orders import STAGES, Stage
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.webhooks import EVENT_KINDS, Delivery, EventKind


def _state(request: Request) -> SimState:
    state: SimState = request.app.state.sim
    return state


StateDep = Annotated[SimState, Depends(_state)]
router = APIRouter(prefix="/_control", tags=["control: webhooks, orders"])


class WebhookIn(BaseModel):
    destination_url: str = Field(min_length=1)
    events: list[EventKind] = Field(default_factory=lambda: list(EVENT_KINDS))
    secret: str | None = Field(default=None, min_length=1)
    # The country the webhook serves (one of the app's); none: every country of the app.
    country: str | None = Field(default=None, pattern="^[A-Z]{2}$")


class WebhookPatch(BaseModel):
    destination_url: str | None = Field(default=None, min_length=1)
    events: list[EventKind] | None = None
    active: bool | None = None


class Redeliver(BaseModel):
    subscription_id: str | None = None


class InOrder(BaseModel):
    event_ids: list[str] = Field(min_length=1)
    subscription_id: str | None = None


class Switch(BaseModel):
    on: bool


class OrderMove(BaseModel):
    to: Stage | None = None  # None: one step of its life, now


class Restock(BaseModel):
    country: str = "US"
    first_index: int = Field(default=0, ge=0)
    count: int = Field(default=1, ge=1, le=1_000_000)
    quantity: int = 10  # added to availability (negative: taken away)


async def settle(state: SimState) -> None:
    """Run what is due, then wait for the deliveries that started."""
    await life.pump(state)
    await state.webhooks.idle()


# -- webhooks ---------------------------------------------------------------------------------


@router.get("/apps/{client_id}/webhooks")
async def list_webhooks(client_id: str, state: StateDep) -> list[dict[str, object]]:
    return [s.public() for s in state.webhooks.subscriptions.values() if s.client_id == client_id]


@router.post("/apps/{client_id}/webhooks", status_code=201)
async def add_webhook(client_id: str, body: WebhookIn, state: StateDep) -> dict[str, object]:
    if client_id not in state.apps:
        raise HTTPException(404, f"no app {client_id}")
    if body.country is not None and body.country not in state.apps[client_id].countries:
        raise HTTPException(422, f"app {client_id} does not serve country {body.country}")
    sub = state.webhooks.subscribe(
        client_id,
        body.destination_url,
        tuple(dict.fromkeys(body.events)),
        body.secret,
        country=body.country,
    )
    # The one time the secret is shown (as the portal shows the Signature Token).
    return {**sub.public(), "secret": sub.secret}


def _sub(state: SimState, webhook_id: str) -> Any:
    sub = state.webhooks.subscriptions.get(webhook_id)
    if sub is None:
        raise HTTPException(404, f"no webhook {webhook_id}")
    return sub


@router.patch("/webhooks/{webhook_id}")
async def change_webhook(webhook_id: str, body: WebhookPatch, state: StateDep) -> dict[str, object]:
    sub = _sub(state, webhook_id)
    if body.destination_url is not None:
        sub.destination_url = body.destination_url
    if body.events is not None:
        sub.events = tuple(dict.fromkeys(body.events))
    if body.active is not None:
        sub.active = body.active
    out: dict[str, object] = sub.public()
    return out


@router.delete("/webhooks/{webhook_id}")
async def delete_webhook(webhook_id: str, state: StateDep) -> dict[str, int]:
    _sub(state, webhook_id)
    del state.webhooks.subscriptions[webhook_id]
    return {"removed": 1}


@router.post("/webhooks/{webhook_id}/regenerate-key")
async def regenerate_key(webhook_id: str, state: StateDep) -> dict[str, object]:
    from disty.simulator.ingram.webhooks import new_secret

    sub = _sub(state, webhook_id)
    sub.secret = new_secret()
    return {**sub.public(), "secret": sub.secret}


@router.post("/webhooks/{webhook_id}/test-event")
async def test_event(webhook_id: str, state: StateDep) -> dict[str, object]:
    """The portal's "Send Test Event": a sample order-shipped event, to this webhook only."""
    from disty.simulator.ingram.webhooks import Event, new_event_id

    sub = _sub(state, webhook_id)
    now = state.clock.now()
    body = {
        "topic": "resellers/orders",
        "event": "im::updated",
        "eventTimeStamp": order_wire.stamp_ms(now),
        "customerOrderNumber": "TEST-EVENT",
        "resource": [
            {
                "eventType": "im::order_shipped",
                "orderNumber": "20-TEST0",
                "customerOrderNumber": "TEST-EVENT",
                "orderEntryTimeStamp": order_wire.stamp(now),
                "lines": [],
                "links": [],
            }
        ],
    }
    event = Event(new_event_id(), "order_shipped", sub.client_id, now, body)
    event.body["eventId"] = event.id
    state.webhooks.events[event.id] = event
    delivery = Delivery(len(state.webhooks.deliveries) + 1, event, sub.id, next_attempt_at=now)
    state.webhooks.deliveries.append(delivery)
    await state.webhooks.attempt(delivery)
    return delivery.public()


# -- events and deliveries --------------------------------------------------------------------


@router.get("/events")
async def list_events(state: StateDep, kind: str | None = None) -> list[dict[str, object]]:
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "client_id": e.client_id,
            "created_at": e.created_at,
            "body": e.body,
        }
        for e in state.webhooks.events.values()
        if kind is None or e.kind == kind
    ]


@router.get("/deliveries")
async def list_deliveries(
    state: StateDep,
    status: str | None = None,
    event_id: str | None = None,
    subscription_id: str | None = None,
) -> list[dict[str, object]]:
    return [
        d.public()
        for d in state.webhooks.deliveries
        if (status is None or d.status == status)
        and (event_id is None or d.event.id == event_id)
        and (subscription_id is None or d.subscription_id == subscription_id)
    ]


@router.put("/deliveries")
async def switch_deliveries(body: Switch, state: StateDep) -> dict[str, bool]:
    """Off: events are still recorded (as ``suppressed``) but not sent: to test polling."""
    state.webhooks.enabled = body.on
    return {"deliveries": state.webhooks.enabled}


@router.post("/events/{event_id}/redeliver")
async def redeliver(event_id: str, body: Redeliver, state: StateDep) -> list[dict[str, object]]:
    if event_id not in state.webhooks.events:
        raise HTTPException(404, f"no event {event_id}")
    out = state.webhooks.redeliver(event_id, body.subscription_id)
    await settle(state)
    return [d.public() for d in out]


@router.post("/deliveries/in-order")
async def deliver_in_order(body: InOrder, state: StateDep) -> list[dict[str, object]]:
    """Send these events now, in exactly this order (new deliveries; e.g. invoiced first)."""
    missing = [e for e in body.event_ids if e not in state.webhooks.events]
    if missing:
        raise HTTPException(404, f"no events {', '.join(missing)}")
    planned: list[Delivery] = []
    for event_id in body.event_ids:
        event = state.webhooks.events[event_id]
        for sub in state.webhooks.subscriptions.values():
            if sub.client_id == event.client_id and (
                body.subscription_id is None or sub.id == body.subscription_id
            ):
                d = Delivery(len(state.webhooks.deliveries) + 1, event, sub.id, status="delivering")
                state.webhooks.deliveries.append(d)
                planned.append(d)
    await state.webhooks.deliver_in_order(planned)
    return [d.public() for d in planned]


# -- orders, stock, scheduler -----------------------------------------------------------------


@router.get("/orders")
async def list_orders(state: StateDep) -> list[dict[str, object]]:
    return [
        {
            "number": o.number,
            "client_id": o.client_id,
            "customer_order_number": o.customer_order_number,
            "stage": o.stage,
            "history": [{"at": at, "stage": st} for at, st in o.history],
            "next_step_at": o.next_step_at,
        }
        for o in state.orders.orders.values()
    ]


@router.post("/orders/{number}/advance")
async def advance_order(number: str, body: OrderMove, state: StateDep) -> dict[str, object]:
    """Move one order on now: one step of its life, or (``to``) until it reaches a stage."""
    order = state.orders.orders.get(number.upper())
    if order is None:
        raise HTTPException(404, f"no order {number}")
    now = state.clock.now()
    if body.to is None:
        if order.stage == "on_hold":
            ordering.release(state, order, now)
        else:
            ordering.step(state, order, now)
    else:
        ordering.advance_to(state, order, body.to, now)
    await settle(state)
    return {"number": order.number, "stage": order.stage, "stages": list(STAGES)}


@router.post("/stock/restock")
async def restock(body: Restock, state: StateDep) -> dict[str, int]:
    """Change availability of a run of products (stock-update deltas go out at the next 15 min)."""
    country = body.country.upper()
    last = min(state.catalog.size, body.first_index + body.count)
    for i in range(body.first_index, last):
        state.inventory.give_back(state.catalog.product(i), country, body.quantity)
    return {"changed": last - body.first_index}


@router.post("/stock/publish")
async def publish_stock(state: StateDep) -> dict[str, int]:
    """Send the pending stock deltas now instead of at the next 15-minute mark."""
    events = life.publish_stock(state, state.clock.now())
    await settle(state)
    return {"events": events}


@router.post("/run")
async def run(state: StateDep) -> dict[str, float]:
    """Run whatever is due on the simulated clock now and wait for its deliveries."""
    await settle(state)
    return {"now": state.clock.now()}
