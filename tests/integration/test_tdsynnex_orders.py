"""TD SYNNEX purchase orders over EC Express XML against the simulator over real HTTP, on
SQLite and PostgreSQL: placed and followed by PO status to shipped and invoiced, never placed
twice (a lost answer, a timeout, a 502, a killed process, a duplicate PO number), a PO number
TD SYNNEX holds for another order refused, an unregistered IP refused with its fix, back-order
and price-review notes on the lines, a hold refused, and the CLI's order submit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from disty.config import Settings
from disty.db.models import PurchaseOrder
from disty.domain.orders import Address
from disty.errors import InvalidInput, NotFound
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, setup_guide, tenants
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context, LineInput
from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from disty.suppliers.tdsynnex import consts
from tests.conftest import Cli
from tests.fixtures.ingram import FAST, harness
from tests.fixtures.killing import cli_env, kill_once_received
from tests.fixtures.simulator import TEST_CONFIG, RunningSimulator
from tests.integration.test_tdsynnex_connection import connect_tdsynnex, td_url
from tests.simulator.tdsynnex_orders import in_stock, no_stock, pick

SHIP_TO = Address("Acme Dental", "100 Main St", "Fremont", "CA", "94539", "US")
PO_PATH = "/SynnexXML/PO"
CATALOG = TdCatalog(TEST_CONFIG.products, TEST_CONFIG.seed)


def stocked(start: int = 0) -> TdProduct:
    return pick(CATALOG, in_stock("US", 5), start)


def unstocked() -> TdProduct:
    return pick(CATALOG, no_stock("US"))


def price(product: TdProduct) -> Decimal:
    return Decimal(product.price("US"))


async def connect(rt: Runtime, simulator: RunningSimulator, shortcut: str = "smbi") -> None:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, shortcut, [1])
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut=shortcut, supplier="tdsynnex", country_id=1,
            changes=ConnectionChanges.of(
                customer_number=DEMO_TDSYNNEX_CUSTOMER, xml_user=DEMO_TDSYNNEX_USER,
                xml_password=DEMO_TDSYNNEX_PASSWORD, base_url=td_url(simulator),
            ),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    # A short HTTP timeout, so a PO the simulator holds is a lost answer within the test.
    async with (
        harness(simulator, policy=FAST, timeout_s=2.0) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        await connect(opened, simulator)
        yield opened


def ctx(rt: Runtime) -> Context:
    return Context(rt.suppliers, actor="test")


def control(simulator: RunningSimulator, method: str, path: str, **kwargs: object) -> object:
    response = httpx.request(method, simulator.control_url + path, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return response.json() if response.content else None


def fault(simulator: RunningSimulator, **rule: object) -> None:
    control(simulator, "POST", "/faults", json={"distributor": "tdsynnex", **rule})


def td_orders(simulator: RunningSimulator, po_number: str) -> list[str]:
    """The sales order numbers the simulator holds under a PO number."""
    body = control(simulator, "GET", "/tdsynnex/orders")
    assert isinstance(body, list)
    return sorted(
        {line["order_number"] for o in body if o["po_number"] == po_number for line in o["lines"]}
    )


def po_posts(simulator: RunningSimulator) -> int:
    body = control(simulator, "GET", "/counts", params={"distributor": "tdsynnex"})
    assert isinstance(body, dict)
    return int(body.get(PO_PATH, 0))


def advance(simulator: RunningSimulator, seconds: float) -> None:
    control(simulator, "POST", "/clock/advance", json={"seconds": seconds})


async def submit(
    rt: Runtime, po: str, lines: list[LineInput], shortcut: str = "smbi", **kwargs: object
) -> PurchaseOrder:
    kwargs.setdefault("ship_to", SHIP_TO)
    async with rt.sessions() as session:
        return await ordering.submit(
            session, ctx(rt), shortcut=shortcut, country_id=1, supplier="tdsynnex",
            po_number=po, lines=lines, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


async def act(rt: Runtime, action: object, po: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number=po)
        return await action(session, found, ctx(rt))  # type: ignore[operator, no-any-return]


def post_po_outside_disty(simulator: RunningSimulator, po_number: str, sku: str, qty: int) -> None:
    """A PO sent to TD SYNNEX by some other system of the same account (not disty)."""
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<SynnexB2B><Credential><UserID>{DEMO_TDSYNNEX_USER}</UserID>
<Password>{DEMO_TDSYNNEX_PASSWORD}</Password></Credential>
<OrderRequest><CustomerNumber>{DEMO_TDSYNNEX_CUSTOMER}</CustomerNumber>
<PONumber>{po_number}</PONumber><DropShipFlag>N</DropShipFlag><BackOrderFlag>Y</BackOrderFlag>
<Shipment><ShipTo><AddressName1>Other Co</AddressName1><AddressLine1>1 Elm St</AddressLine1>
<City>Fremont</City><State>CA</State><ZipCode>94539</ZipCode><Country>US</Country></ShipTo>
<ShipMethod><Code>FG</Code></ShipMethod></Shipment>
<Items><Item lineNumber="1"><SKU>{sku}</SKU><UnitPrice>{price(CATALOG_BY_SKU[sku])}</UnitPrice>
<OrderQuantity>{qty}</OrderQuantity></Item></Items></OrderRequest></SynnexB2B>"""
    answer = httpx.post(td_url(simulator) + PO_PATH, content=document)
    assert answer.status_code == 200
    assert "<Code>accepted</Code>" in answer.text, answer.text


CATALOG_BY_SKU: dict[str, TdProduct] = {}


def known(product: TdProduct) -> TdProduct:
    CATALOG_BY_SKU[product.sku] = product
    return product


# -- the whole life ----------------------------------------------------------------------------


async def test_placed_then_followed_to_shipped_and_invoiced_by_polling(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    product = stocked()
    po = await submit(rt, "TD-LIFE-1", [LineInput(product.sku, 2)])
    assert po.status == "submitted", [e.message for e in po.timeline]
    assert po.supplier_order_numbers == td_orders(simulator, "TD-LIFE-1")
    assert len(po.supplier_order_numbers) == 1
    [line] = po.lines
    assert line.expected_price == price(product)  # sent as the line's UnitPrice: no review
    assert line.supplier_note is None

    po = await act(rt, ordering.refresh, "TD-LIFE-1")
    assert po.status == "submitted"
    advance(simulator, 60)  # the simulator ships a stocked line one step after the PO
    po = await act(rt, ordering.refresh, "TD-LIFE-1")
    assert po.status == "shipped"
    assert po.lines[0].shipped_quantity == 2
    assert po.shipments
    assert all(s.tracking_number and s.carrier == "FedEx Ground" for s in po.shipments)
    assert sum(s.quantity for s in po.shipments) == 2
    assert all(s.shipped_on and s.shipped_on.startswith("2026-01-01") for s in po.shipments)

    advance(simulator, 60)
    po = await act(rt, ordering.refresh, "TD-LIFE-1")
    assert po.status == "invoiced"
    # POStatus names no invoice: the invoice query gave its number, tied to the sales order.
    assert len(po.invoices) == 1
    assert po.invoices[0].supplier_order_number == po.supplier_order_numbers[0]
    assert po.invoices[0].invoice_number
    assert po.next_check_at is None  # final: nothing more to ask
    statuses = [e.status for e in po.timeline]
    for step in ("draft", "submitting", "submitted", "shipped", "invoiced"):
        assert step in statuses
    # The set-up guide's "first PO" and "billing account" steps see it.
    async with rt.sessions() as session:
        evidence = await setup_guide.order_evidence(session, po.connection_id)
    assert (evidence.orders_placed, evidence.invoices_received) == (1, 1)
    # Polling again changes nothing: the merge is idempotent.
    again = await act(rt, ordering.refresh, "TD-LIFE-1")
    assert len(again.timeline) == len(po.timeline)
    assert len(again.shipments) == len(po.shipments)


async def test_backorder_and_price_review_reach_the_lines_and_follow_status(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    reviewed, backordered = stocked(), unstocked()
    below = price(reviewed) - Decimal("0.05")  # beyond TD SYNNEX's 1 cent, within disty's 2%
    po = await submit(
        rt, "TD-NOTES-1",
        [LineInput(reviewed.sku, 1, expected_price=below), LineInput(backordered.sku, 1)],
    )  # fmt: skip
    assert po.status == "submitted", [e.message for e in po.timeline]
    assert len(po.supplier_order_numbers) == 2  # a sales order for review (99), one BO
    first, second = po.lines
    assert "price review" in (first.supplier_note or "")
    assert "back-ordered" in (second.supplier_note or "")

    po = await act(rt, ordering.refresh, "TD-NOTES-1")
    # Two sales orders: the PO is as far along as the least advanced (the one in review).
    assert po.status == "submitted"
    assert po.lines[1].backordered_quantity == 1
    assert "back-ordered at TD SYNNEX, expected 2026-01-01" in (po.lines[1].supplier_note or "")

    advance(simulator, 120)  # a back-order ships two steps after the PO
    po = await act(rt, ordering.refresh, "TD-NOTES-1")
    # One sales order shipped, the one in review has not: the PO has partly shipped.
    assert po.status == "partly_shipped"
    first, second = po.lines
    assert (second.shipped_quantity, second.backordered_quantity) == (1, 0)
    assert second.supplier_note is None  # cleared once shipped
    assert len(po.shipments) == 1
    assert "price review" in (first.supplier_note or "")


async def test_rejected_lines_keep_td_synnexs_reason(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    product = stocked()
    po = await submit(rt, "TD-REJ-1", [LineInput(product.sku, 1), LineInput("99999999", 1)])
    # No price for the unknown SKU: sent only on an admin's approval.
    assert po.status == "awaiting_approval"
    po = await act(rt, ordering.approve, "TD-REJ-1")
    # TD SYNNEX needs a price on every line: refused before anything is sent.
    assert po.status == "failed"
    assert "unit price" in (po.failure_reason or "")
    assert td_orders(simulator, "TD-REJ-1") == []
    assert po_posts(simulator) == 0

    po = await submit(
        rt, "TD-REJ-1",
        [LineInput(product.sku, 1), LineInput("99999999", 1, expected_price=Decimal("10"))],
    )  # fmt: skip
    assert po.status == "awaiting_approval"  # still unknown to price and availability
    po = await act(rt, ordering.approve, "TD-REJ-1")
    assert po.status == "submitted"
    ok_line, bad_line = po.lines
    assert ok_line.rejected_reason is None
    assert bad_line.rejected_reason == "Product not found."


# -- never placed twice ------------------------------------------------------------------------


async def test_an_answer_lost_after_the_order_landed_is_found_not_resent(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    fault(simulator, kind="drop_after", endpoint=PO_PATH, times=1)
    product = stocked()
    po = await submit(rt, "TD-DROP-1", [LineInput(product.sku, 1)])
    assert po.status == "submitted"
    assert po.supplier_order_numbers == td_orders(simulator, "TD-DROP-1")
    assert len(po.supplier_order_numbers) == 1
    messages = " | ".join(e.message for e in po.timeline)
    assert "no answer from the supplier" in messages
    assert "not sent again" in messages
    again = await submit(rt, "TD-DROP-1", [LineInput(product.sku, 1)])
    assert again.id == po.id
    assert po_posts(simulator) == 1


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "timeout", "timeout_s": 30},  # held past disty's 2 s timeout: never placed
        {"kind": "error", "status": 502},  # a front end failing
        {"kind": "error", "message": "Server.Timeout"},  # TD SYNNEX's own PO_TIMEOUT
    ],
    ids=["timeout", "http-502", "server-timeout"],
)
async def test_a_lost_answer_stays_submitting_then_is_sent_once(
    rt: Runtime, simulator: RunningSimulator, rule: dict[str, object]
) -> None:
    fault(simulator, endpoint=PO_PATH, times=1, **rule)
    product = stocked()
    po = await submit(rt, "TD-LOST-1", [LineInput(product.sku, 1)])
    # Maybe placed: never failed, never sent again before asking TD SYNNEX.
    assert po.status == "submitting"
    assert po.submit_attempts == 1
    assert td_orders(simulator, "TD-LOST-1") == []
    po = await act(rt, ordering.refresh, "TD-LOST-1")  # the worker's poll does the same
    assert po.status == "submitted"
    assert po.supplier_order_numbers == td_orders(simulator, "TD-LOST-1")
    assert len(po.supplier_order_numbers) == 1
    assert po_posts(simulator) == 2  # the lost one, and one more after POStatus found none


async def test_a_process_killed_mid_send_is_recovered_without_a_second_order(
    rt: Runtime, simulator: RunningSimulator, settings: Settings, secret_key: str
) -> None:
    # The simulator places the PO, then holds its answer; the CLI submitting it is killed
    # (SIGKILL) in between, so nothing of the answer was recorded.
    fault(simulator, kind="drop_after", endpoint=PO_PATH, times=1, latency_ms=30_000)
    await kill_once_received(
        ["order", "submit", "--tenant", "smbi", "--country", "1", "--supplier", "tdsynnex",
         "--po", "TD-KILL-1", "--line", f"{stocked().sku}=1",
         "--ship-to", "Acme|1 Main St|Fremont|CA|94539|US"],
        cli_env(settings, secret_key),
        lambda: td_orders(simulator, "TD-KILL-1"),
    )  # fmt: skip

    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="TD-KILL-1")
        assert po.status == "submitting"
        assert po.submit_attempts == 1
        assert po.lease_until is not None
        po.lease_until = po.lease_until.replace(year=2000)  # the dead process's lease ran out
        await session.commit()
        po = await ordering.refresh(session, po, ctx(rt))
    assert po.status == "submitted"
    assert po.supplier_order_numbers == td_orders(simulator, "TD-KILL-1")
    assert len(po.supplier_order_numbers) == 1
    assert po_posts(simulator) == 1


async def test_a_duplicate_po_number_of_the_same_order_is_this_pos_order(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    product = known(stocked())
    post_po_outside_disty(simulator, "TD-DUP-1", product.sku, 3)
    [number] = td_orders(simulator, "TD-DUP-1")
    po = await submit(rt, "TD-DUP-1", [LineInput(product.sku, 3)])
    assert po.status == "submitted", [e.message for e in po.timeline]
    assert po.supplier_order_numbers == [number]
    assert td_orders(simulator, "TD-DUP-1") == [number]  # nothing new placed


async def test_a_po_number_used_for_another_order_is_refused_clearly(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    theirs, ours = known(stocked()), stocked(start=stocked().index + 1)
    post_po_outside_disty(simulator, "TD-DUP-2", theirs.sku, 1)
    [number] = td_orders(simulator, "TD-DUP-2")
    po = await submit(rt, "TD-DUP-2", [LineInput(ours.sku, 1)])
    assert po.status == "failed"
    assert po.supplier_order_numbers == []  # nothing of the other order attached
    reason = po.failure_reason or ""
    assert "already used at TD SYNNEX for another order" in reason
    assert "choose another PO number" in reason
    assert td_orders(simulator, "TD-DUP-2") == [number]
    # A new PO number goes through.
    po = await submit(rt, "TD-DUP-3", [LineInput(ours.sku, 1)])
    assert po.status == "submitted"


# -- refusals ----------------------------------------------------------------------------------


async def test_an_unregistered_ip_fails_the_po_with_the_fix_then_it_is_sent_again(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    control(simulator, "PUT", "/tdsynnex/allowed-ips", json={"ips": ["203.0.113.9"]})
    product = stocked()
    po = await submit(rt, "TD-IP-1", [LineInput(product.sku, 1)])
    assert po.status == "failed"  # nothing was placed: TD SYNNEX refused the sender
    reason = po.failure_reason or ""
    assert "IP Address Invalid" in reason
    assert "with your customer number and the fixed public IP address" in reason
    assert DEMO_TDSYNNEX_PASSWORD not in reason
    assert td_orders(simulator, "TD-IP-1") == []

    control(simulator, "PUT", "/tdsynnex/allowed-ips", json={"ips": ["127.0.0.1", "::1"]})
    po = await submit(rt, "TD-IP-1", [LineInput(product.sku, 1)])
    assert po.status == "submitted"
    assert len(td_orders(simulator, "TD-IP-1")) == 1


async def test_hold_is_refused_before_anything_is_saved(rt: Runtime) -> None:
    with pytest.raises(InvalidInput, match="TD SYNNEX has no customer hold") as refused:
        await submit(rt, "TD-HOLD-1", [LineInput(stocked().sku, 1)], hold=True)
    assert refused.value.field == "hold"
    with pytest.raises(NotFound):
        await act(rt, ordering.refresh, "TD-HOLD-1")


async def test_a_ship_to_longer_than_td_synnex_takes_is_refused_before_saving(
    rt: Runtime,
) -> None:
    long_name = Address("A" * 31, "1 Main St", "Fremont", "CA", "94539", "US")
    with pytest.raises(InvalidInput, match="longer than 30 characters, the most TD SYNNEX"):
        await submit(rt, "TD-ADDR-1", [LineInput(stocked().sku, 1)], ship_to=long_name)
    long_city = Address("Acme", "1 Main St", "C" * 21, "CA", "94539", "US")
    with pytest.raises(InvalidInput, match="city is longer than 20"):
        await submit(rt, "TD-ADDR-1", [LineInput(stocked().sku, 1)], ship_to=long_city)
    # Ingram's wider limits are unchanged.
    assert consts.ADDRESS_LIMITS["company"] == 30


async def test_a_ship_to_named_only_by_a_stored_id_is_refused_before_saving(
    rt: Runtime,
) -> None:
    # TD SYNNEX keeps no ship-to addresses for disty to name: every PO carries its ShipTo.
    with pytest.raises(InvalidInput, match="keeps no ship-to addresses") as refused:
        await submit(rt, "TD-ADDR-2", [LineInput(stocked().sku, 1)], ship_to=Address.stored("A1"))
    assert refused.value.field == "ship_to"
    with pytest.raises(NotFound):
        await act(rt, ordering.refresh, "TD-ADDR-2")


def test_cli_order_submit_to_td_synnex(cli: Cli, simulator: RunningSimulator) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)
    product = stocked()
    line = ["--line", f"{product.sku}=2", "--ship-to", "Acme|1 Main St|Fremont|CA|94539|US"]
    base = ["order", "submit", "--tenant", "smbi", "--country", "1", "--supplier", "tdsynnex"]
    held = cli(*base, "--po", "TD-CLI-H", *line, "--hold")
    assert held.exit_code != 0
    assert "TD SYNNEX has no customer hold" in held.output
    placed = cli(*base, "--po", "TD-CLI-1", *line, "--json")
    assert placed.exit_code == 0, placed.output
    view = json.loads(placed.stdout)
    assert view["status"] == "submitted"
    assert view["supplier_order_numbers"] == td_orders(simulator, "TD-CLI-1")
    assert DEMO_TDSYNNEX_PASSWORD not in placed.output
