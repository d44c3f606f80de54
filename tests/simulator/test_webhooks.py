"""Webhooks out, over real HTTP: the simulator served by uvicorn, a receiver served by another.

The receiver (tests/fixtures/simulator.py) checks every ``x-hub-signature`` with its own HMAC
code against the secret registered for its hook; nothing here imports the simulator's signer.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.simulator import RunningSimulator, WebhookReceiver, expected_signature
from tests.simulator.helpers import (
    INVOICE_DETAIL,
    ORDER_DETAIL,
    ORDERS,
    ORDERS_V7,
    attrs,
    order_body,
    out_of_stock,
    stocked,
)


def _token(sim: RunningSimulator, client_id: str | None = None, secret: str | None = None) -> str:
    r = httpx.get(
        sim.base_url + "/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": client_id or sim.client_id,
            "client_secret": secret or sim.client_secret,
        },
    )
    value: str = r.json()["access_token"]
    return value


def _h(sim: RunningSimulator, **extra: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {_token(sim)}",
        "IM-CustomerNumber": sim.customer_number,
        "IM-CountryCode": "US",
        "IM-CorrelationID": "webhook-test",
        **extra,
    }


def _control(sim: RunningSimulator, method: str, path: str, body: Any = None) -> Any:
    r = httpx.request(method, sim.control_url + path, json=body, timeout=30)
    assert r.status_code < 300, r.text
    return r.json()


def _hook(
    sim: RunningSimulator,
    rx: WebhookReceiver,
    name: str,
    events: list[str] | None = None,
    country: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"destination_url": rx.url(name)}
    if events is not None:
        body["events"] = events
    if country is not None:
        body["country"] = country
    created: dict[str, Any] = _control(sim, "POST", f"/apps/{sim.client_id}/webhooks", body)
    rx.expect(name, created["secret"])
    return created


def _advance(sim: RunningSimulator, seconds: float) -> None:
    _control(sim, "POST", "/clock/advance", {"seconds": seconds})


def _event_types(rx: WebhookReceiver, hook: str) -> list[str]:
    out = []
    for r in rx.of(hook):
        res = r.body["resource"]
        out.append(res["eventType"] if isinstance(res, dict) else res[0]["eventType"])
    return out


def test_an_order_life_arrives_signed_in_order_and_agrees_with_the_api(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    _hook(simulator, rx, "life")
    h = _h(simulator)
    p = stocked(simulator.state, 3)
    available = simulator.state.inventory.available(p, "US")
    # Part from stock, part backordered; placed on customer hold, then released.
    body = order_body(
        "LIFE-1",
        (p.ingram_part_number, available + 2),
        additionalAttributes=attrs(allowOrderOnCustomerHold="true"),
    )
    r = httpx.post(simulator.base_url + ORDERS.removeprefix("/ingram"), headers=h, json=body)
    assert r.status_code == 201, r.text
    number = r.json()["orders"][0]["ingramOrderNumber"]
    _control(simulator, "POST", "/run")
    r = httpx.put(
        simulator.base_url + f"/resellers/v6/orders/{number}",
        headers=h,
        params={"actionCode": "release"},
    )
    assert r.status_code == 200
    for _ in range(4):
        _advance(simulator, 60)
    received = rx.of("life")
    assert received, "no delivery arrived"
    assert all(d.verified for d in received)
    assert len({d.event_id for d in received}) == len(received)
    assert _event_types(rx, "life") == [
        "im::order_hold",
        "im::order_backordered",
        "im::order_shipped",
        "im::order_invoiced",
        "im::order_shipped",
        "im::order_invoiced",
    ]
    # The last event and the API tell the same story.
    last = received[-1].body["resource"][0]
    detail = httpx.get(simulator.base_url + f"/resellers/v6.1/orders/{number}", headers=h).json()
    assert last["orderNumber"] == detail["ingramOrderNumber"] == number
    line = detail["lines"][0]
    assert last["lines"][0]["shippedQuantity"] == str(available + 2) == str(line["quantityOrdered"])
    assert [s["serialNumber"] for s in last["lines"][0]["serialNumberDetails"]] == [
        n["serialNumber"]
        for s in line["shipmentDetails"]
        for t in s["carrierDetails"][0]["trackingDetails"]
        for n in t["serialNumbers"]
    ]
    tracking = [
        pk["trackingNumber"]
        for s in last["lines"][0]["shipmentDetails"]
        for pk in s["packageDetails"]
    ]
    assert tracking == [
        s["carrierDetails"][0]["trackingDetails"][0]["trackingNumber"]
        for s in line["shipmentDetails"]
    ]
    # Invoices: one per shipment; their lines and amounts match the order.
    hi = _h(simulator, **{"IM-ApplicationID": "disty-test"})
    invoice_numbers = [s["invoiceNumber"] for s in line["shipmentDetails"]]
    assert len(invoice_numbers) == 2
    total = 0.0
    for n in invoice_numbers:
        inv = httpx.get(
            simulator.base_url + INVOICE_DETAIL.removeprefix("/ingram") + n, headers=hi
        ).json()
        assert inv["customerOrderNumber"] == "LIFE-1"
        (inv_line,) = inv["lines"]
        assert inv_line["unitPrice"] == line["unitPrice"]
        assert inv_line["extendedPrice"] == round(inv_line["unitPrice"] * inv_line["quantity"], 2)
        total += inv["summary"]["totals"]["invoicedAmountDue"]
    assert round(total, 2) == detail["orderTotal"]


def test_failed_deliveries_are_retried_with_backoff_and_logged(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    hook = _hook(simulator, rx, "flaky", ["order_shipped"])
    rx.fail_next["flaky"] = 2
    p = stocked(simulator.state)
    httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=_h(simulator),
        json=order_body("RETRY-1", (p.ingram_part_number, 1)),
    )
    _advance(simulator, 60)  # shipped: first attempt fails
    (log,) = _control(simulator, "GET", f"/deliveries?subscription_id={hook['id']}")
    assert (log["status"], log["attempts"], log["last_status_code"]) == ("retrying", 1, 503)
    _advance(simulator, 10)  # second attempt fails too
    _advance(simulator, 29)  # not yet due (30 s after the second)
    assert (
        _control(simulator, "GET", f"/deliveries?subscription_id={hook['id']}")[0]["attempts"] == 2
    )
    _advance(simulator, 1)
    (log,) = _control(simulator, "GET", f"/deliveries?subscription_id={hook['id']}")
    assert (log["status"], log["attempts"]) == ("delivered", 3)
    assert len({d.event_id for d in rx.of("flaky")}) == 1
    assert len(rx.of("flaky")) == 3


def test_unreachable_receiver_gives_up_after_the_last_retry(simulator: RunningSimulator) -> None:
    sub = _control(
        simulator,
        "POST",
        f"/apps/{simulator.client_id}/webhooks",
        {"destination_url": "http://127.0.0.1:9/nowhere", "events": ["order_hold"]},
    )
    p = stocked(simulator.state)
    httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=_h(simulator),
        json=order_body(
            "GONE-1",
            (p.ingram_part_number, 1),
            additionalAttributes=attrs(allowOrderOnCustomerHold="true"),
        ),
    )
    _control(simulator, "POST", "/run")
    for wait in (10, 30, 90, 270, 810):
        _advance(simulator, wait)
    (log,) = _control(simulator, "GET", f"/deliveries?subscription_id={sub['id']}")
    assert log["status"] == "failed"
    assert log["attempts"] == 6
    assert "Connect" in log["last_error"]
    assert sub["secret"] not in str(log)


def test_redeliver_out_of_order_and_switch_off(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    _hook(simulator, rx, "ops")
    p = stocked(simulator.state)
    h = _h(simulator)
    httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=h,
        json=order_body("OOO-1", (p.ingram_part_number, 1)),
    )
    _advance(simulator, 60)
    _advance(simulator, 60)
    shipped, invoiced = (d.event_id for d in rx.of("ops"))
    # Redeliver: the same event id and body again.
    _control(simulator, "POST", f"/events/{shipped}/redeliver", {})
    assert rx.of("ops")[-1].event_id == shipped
    assert rx.of("ops")[-1].raw == rx.of("ops")[0].raw
    # Out of order: invoiced before shipped.
    _control(simulator, "POST", "/deliveries/in-order", {"event_ids": [invoiced, shipped]})
    assert [d.event_id for d in rx.of("ops")[-2:]] == [invoiced, shipped]
    # Switched off: nothing is sent, events are still recorded for polling tests.
    _control(simulator, "PUT", "/deliveries", {"on": False})
    seen = len(rx.of("ops"))
    httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=h,
        json=order_body("OFF-1", (p.ingram_part_number, 1)),
    )
    _advance(simulator, 60)
    assert len(rx.of("ops")) == seen
    assert _control(simulator, "GET", "/deliveries?status=suppressed")
    _control(simulator, "PUT", "/deliveries", {"on": True})


def test_regenerate_key_and_test_event(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    hook = _hook(simulator, rx, "keys")
    listed = _control(simulator, "GET", f"/apps/{simulator.client_id}/webhooks")
    assert listed[0]["secret"] == "****" + hook["secret"][-4:]
    sent = _control(simulator, "POST", f"/webhooks/{hook['id']}/test-event")
    assert sent["status"] == "delivered"
    assert rx.of("keys")[-1].verified
    fresh = _control(simulator, "POST", f"/webhooks/{hook['id']}/regenerate-key")
    assert fresh["secret"] != hook["secret"]
    # The receiver still expects the old key: the new signature fails there...
    sent = _control(simulator, "POST", f"/webhooks/{hook['id']}/test-event")
    last = rx.of("keys")[-1]
    assert not last.verified
    assert sent["last_status_code"] == 401
    # ...and verifies with the new one.
    assert last.signature == expected_signature(fresh["secret"], last.event_id)


def test_v7_order_result_by_webhook_and_maintenance_queue(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    _hook(simulator, rx, "v7", ["order_async_create"])
    h = _h(simulator)
    p = stocked(simulator.state)
    _control(simulator, "PUT", "/maintenance", {"on": True})
    v6 = httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=h,
        json=order_body("M-6", (p.ingram_part_number, 1)),
    )
    assert v6.status_code == 500
    r = httpx.post(
        simulator.base_url + ORDERS_V7.removeprefix("/ingram"),
        headers=h,
        json=order_body("M-7", (p.ingram_part_number, 1)),
    )
    assert r.status_code == 200
    confirmation = r.json()["confirmationNumber"]
    _control(simulator, "POST", "/run")
    assert rx.of("v7") == []  # queued while maintenance lasts
    _control(simulator, "PUT", "/maintenance", {"on": False})
    _control(simulator, "POST", "/run")
    (result,) = rx.of("v7")
    assert result.verified
    assert result.body["event"] == "IM::created"
    resource = result.body["resource"]
    assert isinstance(resource, dict)
    assert resource["eventType"] == "IM::async_order_create"
    number = resource["orders"][0]["ingramOrderNumber"]
    d = httpx.get(
        simulator.base_url + ORDER_DETAIL.removeprefix("/ingram") + number, headers=h
    ).json()
    assert d["customerOrderNumber"] == "M-7"
    assert d["webOrderId"] == confirmation


def test_v7_only_app_and_quote_to_order(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    app = _control(
        simulator,
        "POST",
        "/apps",
        {"client_id": "v7app", "customer_number": "20-777777", "state": "v7_only"},
    )
    created = _control(
        simulator, "POST", "/apps/v7app/webhooks", {"destination_url": rx.url("v7only")}
    )
    rx.expect("v7only", created["secret"])
    h = {
        "Authorization": f"Bearer {_token(simulator, 'v7app', app['client_secret'])}",
        "IM-CustomerNumber": "20-777777",
        "IM-CountryCode": "US",
        "IM-CorrelationID": "v7-only",
    }
    assert (
        httpx.get(simulator.base_url + "/resellers/v6/orders/search", headers=h).status_code == 401
    )
    quotes = httpx.get(
        simulator.base_url + "/resellers/v6/quotes/search",
        headers={**_h(simulator), "IM-CustomerContact": "me@example.com"},
    ).json()["quotes"]
    quote = quotes[0]["quoteNumber"]
    r = httpx.post(
        simulator.base_url + "/resellers/v7/orders",
        headers=h,
        json={"customerOrderNumber": "Q2O-1", "quoteNumber": quote},
    )
    assert r.status_code == 200, r.text
    assert r.json()["quoteNumber"] == quote
    _control(simulator, "POST", "/run")
    (result,) = rx.of("v7only")
    assert result.verified
    lines = result.body["resource"]["orders"][0]["lines"]
    detail = httpx.get(simulator.base_url + f"/resellers/v6/quotes/{quote}", headers=_h(simulator))
    prices = {p["ingramPartNumber"]: p["price"]["quotePrice"] for p in detail.json()["products"]}
    assert lines
    assert {ln["ingramPartNumber"]: ln["unitPrice"] for ln in lines} == prices
    bad = httpx.post(
        simulator.base_url + "/resellers/v7/orders",
        headers=h,
        json={"customerOrderNumber": "Q2O-2", "quoteNumber": "QUO-0-NOPE"},
    )
    assert bad.status_code == 400


def test_stock_updates_are_deltas_of_at_most_4000_skus(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    _hook(simulator, rx, "stock", ["stock_update"])
    p = stocked(simulator.state, 2)
    before = simulator.state.inventory.available(p, "US")
    httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=_h(simulator),
        json=order_body("STOCK-1", (p.ingram_part_number, 2)),
    )
    _advance(simulator, 900)
    (event,) = rx.of("stock")
    assert event.verified
    (row,) = event.body["resource"]
    assert row["eventType"] == "IM::STOCK_UPDATE"
    assert row["ingramPartNumber"] == p.ingram_part_number
    assert row["totalAvailability"] == str(before - 2)
    # Nothing changed since: nothing sent at the next mark.
    _advance(simulator, 900)
    assert len(rx.of("stock")) == 1
    # 4,500 SKUs change: two events, 4,000 and 500.
    _control(simulator, "POST", "/stock/restock", {"first_index": 0, "count": 4500, "quantity": 5})
    _control(simulator, "POST", "/stock/publish")
    sizes = [len(e.body["resource"]) for e in rx.of("stock")[1:]]
    assert sizes == [4000, 500]


def test_stock_updates_go_one_event_per_country(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    """The body names no country, so one SKU's US and Canadian figures never share an event:
    a country's webhook gets its country's figures only; a webhook for every country gets
    one event per country, each SKU once."""
    rx = webhook_receiver
    _hook(simulator, rx, "us", ["stock_update"], country="US")
    _hook(simulator, rx, "ca", ["stock_update"], country="CA")
    _hook(simulator, rx, "all", ["stock_update"])
    for country, qty in (("US", 7), ("CA", 3)):
        _control(simulator, "POST", "/stock/restock", {
            "country": country, "first_index": 10, "count": 2, "quantity": qty})  # fmt: skip
    _control(simulator, "POST", "/stock/publish")
    p = simulator.state.catalog.product(10)
    for hook, country in (("us", "US"), ("ca", "CA")):
        (event,) = rx.of(hook)
        rows = {r["ingramPartNumber"]: r["totalAvailability"] for r in event.body["resource"]}
        assert len(rows) == len(event.body["resource"]) == 2
        assert rows[p.ingram_part_number] == str(simulator.state.inventory.available(p, country))
    everything = rx.of("all")
    assert len(everything) == 2
    for event in everything:
        skus = [r["ingramPartNumber"] for r in event.body["resource"]]
        assert len(skus) == len(set(skus)) == 2
    # A country the app does not serve is refused.
    r = httpx.post(simulator.control_url + f"/apps/{simulator.client_id}/webhooks",
                   json={"destination_url": rx.url("x"), "country": "MX"})  # fmt: skip
    assert r.status_code == 422


@pytest.mark.parametrize("kind", ["quote_create"])
def test_quote_created_webhook(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver, kind: str
) -> None:
    rx = webhook_receiver
    _hook(simulator, rx, "quotes", [kind])
    p = stocked(simulator.state)
    r = httpx.post(
        simulator.base_url + "/resellers/v6/quotes/create",
        headers=_h(simulator),
        json={
            "quoteName": "Q1",
            "CustomerContact": "buyer@example.com",
            "products": [{"ingramPartNumber": p.ingram_part_number, "quantity": "2"}],
        },
    )
    assert r.status_code == 200
    _control(simulator, "POST", "/run")
    (event,) = rx.of("quotes")
    assert event.body["resource"][0]["eventType"] == "im::quote_create"
    assert event.body["resource"][0]["quoteNumber"] == r.json()["quoteNumber"]


def test_backordered_only_order_events(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    rx = webhook_receiver
    _hook(simulator, rx, "bo")
    p = out_of_stock(simulator.state)
    httpx.post(
        simulator.base_url + "/resellers/v6/orders",
        headers=_h(simulator),
        json=order_body("BO-ONLY", (p.ingram_part_number, 2)),
    )
    _advance(simulator, 60)
    _advance(simulator, 60)
    assert _event_types(rx, "bo") == [
        "im::order_backordered",
        "im::order_shipped",
        "im::order_invoiced",
    ]
