"""Races on the money paths found in review (issue 19), over real HTTP against the simulator,
on SQLite and PostgreSQL: a person's cancel and the sending of the same PO (the worker's price
round, an admin's approval) must not both win, or a cancelled PO is placed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import httpx
import pytest

from disty.config import Settings
from disty.domain.orders import Address
from disty.errors import InvalidInput
from disty.jobs import worker
from disty.runtime import Runtime, open_runtime
from disty.services import ordering, tokens
from disty.services.ordering import Context, LineInput
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, control, counts, harness
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import connect_to_simulator
from tests.integration.test_money import CREATE, PNA, SHIP_TO


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        await connect_to_simulator(opened, simulator)
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    # No worker of its own: the test runs the worker's round itself, at the moment it chooses.
    with serve_disty(settings, run_worker=False) as running:
        yield running


async def api(rt: Runtime, served: ServedDisty, scope: str) -> httpx.AsyncClient:
    async with rt.sessions() as session:
        _, bearer = await tokens.create_token(
            session, shortcut="smbi", scopes=[scope], name=None, actor="test"
        )
    return httpx.AsyncClient(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {bearer}"}, timeout=60
    )


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


async def held_pna(simulator: RunningSimulator, before: int) -> None:
    """Until the simulator holds a price-and-availability request (its latency fault)."""
    async with asyncio.timeout(30):
        while True:
            if counts(simulator).get(PNA, 0) > before:
                return
            await asyncio.sleep(0.02)


async def test_a_draft_cancelled_while_the_worker_checks_its_price_is_not_sent(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    # A PO waiting for a confirmed price (P&A down when it was submitted).
    sku = str(simulator.state.catalog.product(8).ingram_part_number)
    control(simulator, "POST", "/faults", json={"kind": "error", "endpoint": PNA})
    async with rt.sessions() as session:
        po = await ordering.submit(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", po_number="PO-CANCEL-RACE",
            lines=[LineInput(sku, 1)], ship_to=Address.from_dict(SHIP_TO),
        )  # fmt: skip
        assert po.status == "draft"
        assert po.price_check_at is not None
        po.price_check_at = po.price_check_at.replace(year=2000)  # due now
        await session.commit()
    # P&A answers again, slowly: the worker's check is in flight while the buyer cancels.
    control(simulator, "DELETE", "/faults")
    slow = {"kind": "latency", "endpoint": PNA, "latency_ms": 3000, "times": 1}
    control(simulator, "POST", "/faults", json=slow)
    before = counts(simulator).get(PNA, 0)
    checking = asyncio.create_task(worker.price_round(rt))
    await held_pna(simulator, before)

    async with await api(rt, served, "order") as client:
        cancelled = await client.post("/pos/PO-CANCEL-RACE/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"

    await checking
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-CANCEL-RACE")
        assert po.status == "cancelled", [e.message for e in po.timeline]
    assert counts(simulator).get(CREATE, 0) == 0
    assert orders_at_simulator(simulator, "PO-CANCEL-RACE") == []


async def test_a_po_cancelled_before_an_approval_lands_is_not_sent(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    # A PO stopped for its price; a buyer cancels it while an admin's approval is on its way
    # (the approval read the PO before the cancel was committed).
    sku = str(simulator.state.catalog.product(8).ingram_part_number)
    control(simulator, "PUT", f"/prices/{sku}", json={"customer_price_usd": "50.00"})
    admin = Context(rt.suppliers, "admin")
    async with rt.sessions() as session:
        po = await ordering.submit(
            session, admin, shortcut="smbi", country_id=1, supplier="ingram",
            po_number="PO-APPROVE-RACE", lines=[LineInput(sku, 1, Decimal("5.43"))],
            ship_to=Address.from_dict(SHIP_TO),
        )  # fmt: skip
    assert po.status == "awaiting_approval"
    async with rt.sessions() as approving:
        read = await ordering.find_po(approving, shortcut="smbi", po_number="PO-APPROVE-RACE")
        assert read.status == "awaiting_approval"
        await approving.commit()  # the approver's read is done; its write comes later

        async with await api(rt, served, "order") as client:
            cancelled = await client.post("/pos/PO-APPROVE-RACE/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"

        with pytest.raises(InvalidInput, match="cancelled"):
            await ordering.approve(approving, read, admin)
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-APPROVE-RACE")
        assert po.status == "cancelled"
    assert counts(simulator).get(CREATE, 0) == 0
    assert orders_at_simulator(simulator, "PO-APPROVE-RACE") == []
