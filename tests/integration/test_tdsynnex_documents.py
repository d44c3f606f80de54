"""TD SYNNEX's invoices and freight estimates through disty's API, over real HTTP against the
simulator, on SQLite and PostgreSQL: a PO placed at the simulator's own PO endpoint, its clock
moved on until the PO is invoiced, then the invoice read through the tenant's connection with
the live feed's quirks undone (serial prefixes, comma-joined tracking, thousands separators);
and freight quoted from the ship-from warehouse, or the first one holding the goods."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest

from disty.runtime import Runtime
from disty.services import tenants, tokens
from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from disty.suppliers.hub import SupplierHub
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient, TdSynnexConfig
from disty.suppliers.tdsynnex.xml.invoices import invoice_numbers_by_order
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import FAST
from tests.fixtures.simulator import TEST_CONFIG, RunningSimulator
from tests.simulator.tdsynnex_orders import in_stock, no_stock, pick, po_request

SHIP_TO = {
    "company": "SMB Inc",
    "street": "1 Main St",
    "city": "Irvine",
    "state": "CA",
    "postcode": "92612",
    "country": "US",
}
STEP_S = 60.0  # the test simulator's ship_after_s


def catalog() -> TdCatalog:
    return TdCatalog(TEST_CONFIG.products, TEST_CONFIG.seed)


def place_po(simulator: RunningSimulator, po: str) -> tuple[TdProduct, TdProduct, str, str]:
    """Three of a stocked, serialised product worth over 1,000 (a sales order) and one with no
    stock (a backorder), placed at the simulator's PO endpoint as any client would."""
    c = catalog()
    stocked = pick(c, lambda p: in_stock("US", 3)(p) and c.universe.product(p.index).serialised
                   and Decimal(p.price("US")) * 3 >= 1000)  # fmt: skip
    empty = pick(c, no_stock("US"))
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"), qty1=3, po=po)
    r = httpx.post(simulator.root_url + "/tdsynnex/us/SynnexXML/PO", content=body)
    r.raise_for_status()
    numbers = [n for n in r.text.split("<OrderNumber>")[1:]]
    so, bo = (n.split("<", 1)[0] for n in numbers)
    return stocked, empty, so, bo


def advance(simulator: RunningSimulator, seconds: float) -> None:
    httpx.post(
        simulator.control_url + "/clock/advance", json={"seconds": seconds}
    ).raise_for_status()


@asynccontextmanager
async def api_for(rt: Runtime, served: ServedDisty, simulator: RunningSimulator,
                  **settings: str) -> AsyncIterator[httpx.AsyncClient]:  # fmt: skip
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
    async with rt.sessions() as session:
        _, token = await tokens.create_token(
            session, shortcut="smbi", scopes=["admin"], name=None, actor="test"
        )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served.url + "/api/v1", headers=headers) as api:
        saved = await api.put(
            "/connections/tdsynnex/1",
            json={
                "customer_number": DEMO_TDSYNNEX_CUSTOMER,
                "xml_user": DEMO_TDSYNNEX_USER,
                "xml_password": DEMO_TDSYNNEX_PASSWORD,
                "base_url": simulator.root_url + "/tdsynnex/us",
                **settings,
            },
        )
        assert saved.status_code == 200, saved.text
        yield api


TD: dict[str, str | int] = {"country_id": 1, "supplier": "tdsynnex"}


async def test_an_invoiced_po_reads_back_with_its_quirks_undone(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    stocked, _, so, _ = place_po(simulator, "DISTY-INV-1")
    invoice_number = str(int(so) + 50_000_000)  # the simulator's numbering (invoices.py)
    async with api_for(rt, served, simulator) as api:
        before = await api.get(f"/invoices/{invoice_number}", params=TD)
        advance(simulator, 2 * STEP_S)  # shipped, then invoiced
        shown = await api.get(f"/invoices/{invoice_number}", params=TD)
        searched = await api.get("/invoices", params={**TD, "invoice_number": invoice_number})
        unknown = await api.get("/invoices/99999999", params=TD)
    assert before.status_code == 404, before.text  # not invoiced yet
    assert shown.status_code == 200, shown.text
    invoice = shown.json()
    assert invoice["invoice_number"] == invoice_number
    assert invoice["po_number"] == "DISTY-INV-1"
    assert invoice["order_number"] == so
    assert invoice["currency"] == "USD"
    [line] = invoice["lines"]
    assert line["sku"] == stocked.sku
    assert line["vendor_part_number"] == stocked.mfg_pn  # read from ManuafacturerPartNumber
    assert line["quantity"] == 3
    assert Decimal(line["unit_price"]) == Decimal(stocked.price("US"))
    assert len(line["serial_numbers"]) == 3
    assert not any(s.startswith("SN:") for s in line["serial_numbers"])
    total = Decimal(stocked.price("US")) * 3
    assert total >= 1000  # so the feed wrote it with a thousands separator
    assert Decimal(invoice["amount_due"]) == total
    assert Decimal(invoice["net_amount"]) == total
    assert invoice["due_date"] > invoice["invoice_date"]
    assert searched.status_code == 200, searched.text
    [row] = searched.json()["items"]
    assert (row["invoice_number"], row["order_number"]) == (invoice_number, so)
    assert unknown.status_code == 404, unknown.text


async def test_invoice_numbers_by_sales_order(simulator: RunningSimulator) -> None:
    _, _, so, bo = place_po(simulator, "DISTY-INV-2")
    hub = SupplierHub(policy=FAST)
    config = TdSynnexConfig(
        base_url=simulator.root_url + "/tdsynnex/us",
        customer_number=DEMO_TDSYNNEX_CUSTOMER,
        user=DEMO_TDSYNNEX_USER,
        password=DEMO_TDSYNNEX_PASSWORD,
        country="US",
    )
    client = TdSynnexClient(config, **hub.client_parts())
    try:
        assert await invoice_numbers_by_order(client, "DISTY-INV-2") == {}
        advance(simulator, 2 * STEP_S)  # the sales order is invoiced; the backorder ships
        assert await invoice_numbers_by_order(client, "DISTY-INV-2") == {
            so: [str(int(so) + 50_000_000)]
        }
        advance(simulator, 2 * STEP_S)
        assert await invoice_numbers_by_order(client, "DISTY-INV-2") == {
            so: [str(int(so) + 50_000_000)],
            bo: [str(int(bo) + 50_000_000)],
        }
        assert await invoice_numbers_by_order(client, "NO-SUCH-PO") == {}
    finally:
        await hub.aclose()


def freight_product() -> TdProduct:
    return pick(catalog(), in_stock("US", 2))


@pytest.mark.parametrize("warehouse", ["3", None], ids=["ship-from-set", "first-stocking"])
async def test_freight_from_the_ship_from_warehouse_or_the_first_stocking_one(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, warehouse: str | None
) -> None:
    product = freight_product()
    settings = {"ship_from_warehouse": warehouse} if warehouse else {}
    async with api_for(rt, served, simulator, **settings) as api:
        estimated = await api.post(
            "/freight-estimate",
            json={**TD, "ship_to": SHIP_TO, "lines": [{"sku": product.sku, "quantity": 2}]},
        )
    assert estimated.status_code == 200, estimated.text
    body: dict[str, Any] = estimated.json()
    [shipment] = body["shipments"]
    stocking = next(w.number for w, on_hand, _ in product.stock("US") if on_hand >= 2)
    assert shipment["warehouse_id"] == (warehouse or stocking)
    assert body["currency"] == "USD"
    carried = [Decimal(o["charge"]) for o in shipment["options"] if Decimal(o["charge"])]
    assert carried
    assert Decimal(shipment["charge"]) == min(carried)  # pick-up (0.00) is an option only
    assert Decimal(body["freight"]) == Decimal(shipment["charge"])
    assert Decimal(body["net_amount"]) == Decimal(product.price("US")) * 2
    assert Decimal(body["total"]) == Decimal(body["net_amount"]) + Decimal(body["freight"])


async def test_freight_refusals_are_clear(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    empty = pick(catalog(), no_stock("US"))
    async with api_for(rt, served, simulator) as api:
        unknown = await api.post(
            "/freight-estimate",
            json={**TD, "ship_to": SHIP_TO, "lines": [{"sku": "10000000", "quantity": 1}]},
        )
        nowhere = await api.post(
            "/freight-estimate",
            json={**TD, "ship_to": SHIP_TO, "lines": [{"sku": empty.sku, "quantity": 1}]},
        )
    assert unknown.status_code >= 400
    assert nowhere.status_code >= 400
    assert "ship-from warehouse" in nowhere.text, nowhere.text
    assert "Traceback" not in unknown.text + nowhere.text
