"""Attacks on the money paths (issue 19), over real HTTP against the simulator, on SQLite and
PostgreSQL: a price that cannot be confirmed is never sent, only an admin approves spending,
a crashed request's Idempotency-Key does not block its retry forever, concurrent creates of
one PO number never answer 500 nor tell two clients they created it, a failed PO can be
corrected and sent again, and a send's lease outlives a slow distributor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, tenants, tokens
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, control, harness
from tests.fixtures.simulator import RunningSimulator

PNA = "post-resellers-v6-priceandavailability"
CREATE = "post-createorder_v6"
SHIP_TO = {
    "company": "Acme",
    "street": "1 Main St",
    "city": "Springfield",
    "state": "IL",
    "postcode": "62701",
    "country": "US",
}


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, suppliers=h.hub) as opened,
    ):
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        async with opened.sessions() as session:
            await connections.set_connection(
                session, shortcut="smbi", supplier="ingram", country_id=1,
                changes=ConnectionChanges(
                    client_id=simulator.client_id, client_secret=simulator.client_secret,
                    customer_number=simulator.customer_number, base_url=simulator.base_url,
                    application_id="APP-TEST",
                ),
                box=opened.box, public_url="https://d.example",
                grace=opened.settings.webhook_key_grace,
            )  # fmt: skip
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings.model_copy(update={"poll_interval_s": 0.0})) as running:
        yield running


async def token(rt: Runtime, *scopes: str) -> str:
    async with rt.sessions() as session:
        _, made = await tokens.create_token(
            session, shortcut="smbi", scopes=list(scopes), name=None, actor="test"
        )
    return made


def api(served: ServedDisty, bearer: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {bearer}"}, timeout=60
    )


def part(simulator: RunningSimulator, i: int) -> str:
    return str(simulator.state.catalog.product(i).ingram_part_number)


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


def set_price(simulator: RunningSimulator, sku: str, usd: str) -> None:
    control(simulator, "PUT", f"/prices/{sku}", json={"customer_price_usd": usd})


def po_body(number: str, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"po_number": number, "country_id": 1, "lines": lines, "ship_to": SHIP_TO, **extra}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["detail"]
    return body


def ctx(rt: Runtime) -> Context:
    return Context(rt.box, rt.suppliers, rt.settings, actor="test")


# -- 3: approving spends money: the admin scope only ---------------------------------------


async def test_an_order_token_cannot_approve_a_price_rise(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    sku = part(simulator, 8)
    set_price(simulator, sku, "50.00")
    async with api(served, await token(rt, "order")) as client:
        created = await client.post(
            "/pos", json=po_body("API-APPROVE", [{"sku": sku, "quantity": 1,
                                                   "expected_price": "5.43"}])
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "awaiting_approval"
        refused = problem(await client.post("/pos/API-APPROVE/approve"), 403)
        assert "'admin' scope" in refused["detail"]
    assert orders_at_simulator(simulator, "API-APPROVE") == []
    async with api(served, await token(rt, "admin")) as client:
        approved = await client.post("/pos/API-APPROVE/approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "submitted"
    assert len(orders_at_simulator(simulator, "API-APPROVE")) == 1
