"""Ingram Micro over IM-XML (API type "XML") against the simulator over real HTTP, on SQLite
and PostgreSQL: price and availability, a PO's life (placed, followed by polling to shipped and
invoiced), never placed twice after a lost answer, Run Test's checks and fixes, and a switch of
API type mid-life that keeps the PO and its history."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from disty.config import Settings
from disty.db.models import PurchaseOrder
from disty.domain.offers import OfferStatus
from disty.domain.orders import Address
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, tenants
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context, LineInput
from disty.services.run_test import run_test
from disty.simulator.config import DEMO_XML_LOGIN, DEMO_XML_PASSWORD
from disty.suppliers.base import Capability
from tests.fixtures.ingram import FAST, control, harness
from tests.fixtures.simulator import RunningSimulator

SHIP_TO = Address("Café Zoë", "1 Main St", "Springfield", "IL", "62701", "US", contact="Zoë Müller")


async def set_xml(
    rt: Runtime,
    simulator: RunningSimulator,
    login: str = DEMO_XML_LOGIN,
    password: str = DEMO_XML_PASSWORD,
) -> None:
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                api_type="xml", xml_login_id=login, xml_password=password,
                base_url=simulator.base_url,
            ),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip


async def set_rest(rt: Runtime, simulator: RunningSimulator) -> None:
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                api_type="rest", client_id=simulator.client_id,
                client_secret=simulator.client_secret,
                customer_number=simulator.customer_number, application_id="APP-TEST",
            ),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST, timeout_s=2.0) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        await set_xml(opened, simulator)
        yield opened


def ctx(rt: Runtime) -> Context:
    return Context(rt.suppliers, actor="test")


def part(simulator: RunningSimulator, i: int) -> str:
    return str(simulator.state.catalog.product(i).ingram_part_number)


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


async def submit(rt: Runtime, po: str, lines: list[LineInput], **kwargs: object) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.submit(
            session, ctx(rt), shortcut="smbi", country_id=1, supplier="ingram", po_number=po,
            lines=lines, ship_to=SHIP_TO, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


async def refresh(rt: Runtime, po: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number=po)
        return await ordering.refresh(session, found, ctx(rt))


async def adapter(rt: Runtime):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        context = await rt.suppliers.context(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            need=Capability.PRICE_AVAILABILITY, what="price and availability",
        )  # fmt: skip
        return context.adapter


async def test_price_and_availability_over_xml(rt: Runtime, simulator: RunningSimulator) -> None:
    supplier = await adapter(rt)
    assert type(supplier).__name__ == "IngramXmlSupplier"
    product = simulator.state.catalog.product(12)
    known, by_vendor, unknown = await supplier.price_and_availability(
        [product.ingram_part_number, product.vendor_part_number, "ZZZZZZ"]
    )
    assert known.status is OfferStatus.OK
    assert known.price is not None
    assert known.currency == "USD"
    assert known.warehouses
    assert known.supplier_sku == product.ingram_part_number
    assert by_vendor.status is OfferStatus.OK
    assert by_vendor.supplier_sku == product.ingram_part_number
    assert unknown.status is OfferStatus.UNKNOWN


async def test_a_po_lives_over_xml_then_switches_to_rest_keeping_its_history(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    # More than the simulator stocks: part ships first, the rest is back-ordered.
    po = await submit(rt, "PO-XML-LIFE", [LineInput(part(simulator, 10), 60_000)])
    [number] = po.supplier_order_numbers
    assert orders_at_simulator(simulator, "PO-XML-LIFE") == [number]  # the REST order's number
    assert po.status == "submitted"
    po = await refresh(rt, "PO-XML-LIFE")
    assert po.status == "backordered"
    control(simulator, "POST", f"/orders/{number}/advance", json={})
    po = await refresh(rt, "PO-XML-LIFE")
    assert po.status == "partly_shipped"
    assert po.shipments
    assert all(s.tracking_number and s.carrier for s in po.shipments)
    control(simulator, "POST", f"/orders/{number}/advance", json={})  # invoiced
    po = await refresh(rt, "PO-XML-LIFE")
    assert len(po.invoices) == 1
    # Switch to APIS mid-life: the same PO, its orders and shipments are followed over REST.
    before = len(po.timeline)
    await set_rest(rt, simulator)
    control(simulator, "POST", f"/orders/{number}/advance", json={})  # the backorder ships
    po = await refresh(rt, "PO-XML-LIFE")
    assert po.supplier_order_numbers == [number]
    assert len(po.timeline) > before
    assert po.status == "shipped"
    assert len(po.shipments) == 2
    # ... and back to XML: the invoices it reads are the same numbers REST gave.
    await set_xml(rt, simulator)
    control(simulator, "POST", f"/orders/{number}/advance", json={})
    po = await refresh(rt, "PO-XML-LIFE")
    assert po.status == "invoiced"
    assert len(po.invoices) == 2
    assert len(po.shipments) == 2


async def test_a_lost_answer_is_looked_up_before_any_resend(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    control(
        simulator,
        "POST",
        "/faults",
        json={"kind": "drop_after", "endpoint": "imxml:OrderRequest", "times": 1},
    )
    po = await submit(rt, "PO-XML-DROP", [LineInput(part(simulator, 3), 2)])
    assert po.status == "submitted"
    assert po.supplier_order_numbers == orders_at_simulator(simulator, "PO-XML-DROP")
    assert "not sent again" in " | ".join(e.message for e in po.timeline)


async def test_a_hold_is_refused_over_xml_with_the_way_out(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    po = await submit(rt, "PO-XML-HOLD", [LineInput(part(simulator, 3), 1)], hold=True)
    assert po.status == "failed"
    assert "APIS" in (po.failure_reason or "")
    assert orders_at_simulator(simulator, "PO-XML-HOLD") == []


async def test_run_test_over_xml_passes_then_names_each_fix(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    async def checks() -> dict[str, tuple[str, str | None]]:
        async with rt.sessions() as session:
            report = await run_test(
                session, shortcut="smbi", supplier="ingram", country_id=1, suppliers=rt.suppliers
            )
        return {c.name: (c.status.value, c.console_fix) for c in report.checks}

    assert {k: v[0] for k, v in (await checks()).items()} == {
        "xml_login": "pass", "price_availability": "pass", "order_status": "pass",
        "order_detail": "pass", "order_tracking": "pass",
        # The account's REST webhooks still count, optional, as for APIS.
        "webhook_key": "warn", "webhook_seen": "warn",
    }  # fmt: skip
    control(
        simulator,
        "PUT",
        "/ingram/xml-logins/LIMITED1",
        json={"password": "limited1", "transactions": ["PNARequest"]},
    )
    await set_xml(rt, simulator, "LIMITED1", "limited1")
    limited = await checks()
    assert limited["price_availability"][0] == "pass"
    assert limited["order_status"][0] == "fail"
    assert "enable Order Status" in (limited["order_status"][1] or "")
    await set_xml(rt, simulator, "LIMITED1", "wrongpw1")
    wrong = await checks()
    assert wrong["xml_login"][0] == "fail"
    assert "XML Password" in (wrong["xml_login"][1] or "")
    assert wrong["order_status"][0] == "skip"
