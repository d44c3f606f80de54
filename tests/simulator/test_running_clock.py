"""On a running (not frozen) clock, the background ticker moves orders and sends webhooks.

This is the one place tests wait on wall time: they poll for the outcome (with a generous
limit), never assert how long it took. The webhook comes from the configuration, as
``disty simulator --webhook-url ... --webhook-secret ... --ship-after-s ...`` sets it.
"""

from __future__ import annotations

import threading

import httpx

from disty.simulator import SimulatorConfig
from tests.fixtures.simulator import WebhookReceiver, start_simulator
from tests.simulator.helpers import order_body, stocked

SECRET = "configured-secret-for-the-test"


def _wait_for(predicate: object, limit_s: float = 20.0) -> bool:
    stop = threading.Event()
    waited = 0.0
    while waited < limit_s:
        if predicate():  # type: ignore[operator]
            return True
        stop.wait(0.05)
        waited += 0.05
    return False


def test_ticker_ships_invoices_and_delivers(webhook_receiver: WebhookReceiver) -> None:
    rx = webhook_receiver
    url = rx.expect("wall", SECRET)
    server, sim = start_simulator(
        SimulatorConfig(ship_after_s=0.1, webhook_url=url, webhook_secret=SECRET)
    )
    try:
        hooks = httpx.get(f"{sim.control_url}/apps/{sim.client_id}/webhooks").json()
        assert len(hooks) == 1
        assert len(hooks[0]["events"]) == 8
        assert hooks[0]["secret"] == "****" + SECRET[-4:]
        token = httpx.get(
            sim.base_url + "/oauth/oauth20/token",
            params={
                "grant_type": "client_credentials",
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
            },
        ).json()["access_token"]
        h = {
            "Authorization": f"Bearer {token}",
            "IM-CustomerNumber": sim.customer_number,
            "IM-CountryCode": "US",
            "IM-CorrelationID": "running-clock",
        }
        p = stocked(sim.state)
        r = httpx.post(
            sim.base_url + "/resellers/v6/orders",
            headers=h,
            json=order_body("WALL-1", (p.ingram_part_number, 1)),
        )
        assert r.status_code == 201

        def types() -> list[str]:
            return [d.body["resource"][0]["eventType"] for d in rx.of("wall")]

        assert _wait_for(lambda: "im::order_invoiced" in types()), types()
        assert types() == ["im::order_shipped", "im::order_invoiced"]
        assert all(d.verified for d in rx.of("wall"))
    finally:
        server.stop()
