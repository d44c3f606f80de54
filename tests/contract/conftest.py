"""The contract tests' shared scenario: a simulator with orders, invoices, a quote, a return."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.simulator import RunningSimulator
from tests.simulator.helpers import attrs, order_body, stocked


class Calls:
    def __init__(self, sim: RunningSimulator) -> None:
        self.sim = sim
        token = httpx.get(
            sim.base_url + "/oauth/oauth20/token",
            params={
                "grant_type": "client_credentials",
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
            },
        ).json()["access_token"]
        self.h = {
            "Authorization": f"Bearer {token}",
            "IM-CustomerNumber": sim.customer_number,
            "IM-CountryCode": "US",
            "IM-CorrelationID": "examples-2",
            "IM-ApplicationID": "disty",
            "IM-ApplicationId": "disty",
            "IM-CustomerContact": "me@example.com",
        }

    def __call__(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, self.sim.base_url + path, headers=self.h, timeout=30, **kw)

    def advance(self, seconds: float) -> None:
        r = httpx.post(self.sim.control_url + "/clock/advance", json={"seconds": seconds})
        r.raise_for_status()


@pytest.fixture
def world(simulator: RunningSimulator) -> dict[str, Any]:
    """Orders shipped and invoiced, one on hold, a quote and a return."""
    call = Calls(simulator)
    p = stocked(simulator.state, 3)
    avail = simulator.state.inventory.available(p, "US")
    created = call(
        "POST",
        "/resellers/v6/orders",
        json=order_body(
            "EX-1",
            (p.ingram_part_number, avail + 1),
            ("XXXXXX", 1),
            shipToInfo={"companyName": "ACME", "contact": "Jo", "countryCode": "US"},
            endUserInfo={"companyName": "END USER", "contact": "Al"},
            resellerInfo={"companyName": "Demo"},
        ),
    )
    assert created.status_code == 207
    hold = call(
        "POST",
        "/resellers/v6/orders",
        json=order_body(
            "EX-2",
            (p.ingram_part_number, 1),
            additionalAttributes=attrs(allowOrderOnCustomerHold="true"),
        ),
    )
    assert hold.status_code == 201
    for _ in range(2):
        call.advance(60)
    number = created.json()["orders"][0]["ingramOrderNumber"]
    invoices = call("GET", "/resellers/v6/invoices", params={"orderNumber": number}).json()
    quote = call(
        "POST",
        "/resellers/v6/quotes/create",
        json={
            "quoteName": "EX",
            "CustomerContact": "buyer@example.com",
            "products": [{"ingramPartNumber": p.ingram_part_number, "quantity": 2}],
        },
    ).json()
    invoice = invoices["invoices"][0]["invoiceNumber"]
    claim = call(
        "POST",
        "/resellers/v6/returns/create",
        json={
            "list": [
                {"invoiceNumber": invoice, "ingramPartNumber": p.ingram_part_number, "quantity": 1}
            ]
        },
    )
    return {
        "call": call,
        "p": p,
        "created": created.json(),
        "number": number,
        "hold": hold.json()["orders"][0]["ingramOrderNumber"],
        "invoice": invoice,
        "quote": quote["quoteNumber"],
        "claim": claim.json(),
    }
