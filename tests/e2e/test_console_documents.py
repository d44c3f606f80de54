"""The console's quote, invoice and return pages in a real browser, against disty served over
real HTTP and the simulator, on SQLite and PostgreSQL: a buyer finds a quote and turns it into
a PO; a viewer reads quotes but cannot order them; return cases are listed and opened, with
their invoices; a distributor failure is said clearly. Every page visited has named controls
and fits 390 px.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from disty.domain.returns import ReturnLineRequest, ReturnRequest
from disty.runtime import Runtime
from disty.services import ordering, returns
from disty.services.ordering import Context
from tests.e2e.conftest import check_page, csrf_of, ready_client, tables_fit_390
from tests.e2e.test_console_orders import (
    DISTRIBUTOR_DOWN,
    SHIP_TO,
    connect,
    person,
    serialised_sku,
    submit,
)
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import adapter as ingram_adapter
from tests.fixtures.ingram import config, control
from tests.fixtures.simulator import RunningSimulator


async def make_quote(rt: Runtime, simulator: RunningSimulator, *indexes: int) -> str:
    """A quote of smbi's app at the simulator, made the way Ingram's own portal would."""
    client = ingram_adapter(rt.hub, config(simulator)).client
    parts = [str(simulator.state.catalog.product(i).ingram_part_number) for i in indexes]
    created = await client.request(
        "POST", "/resellers/v6/quotes/create", safe=False,
        json={"quoteName": "Lab refresh", "CustomerContact": "buyer@example.com", "products": [
            {"ingramPartNumber": p, "quantity": 1 + k} for k, p in enumerate(parts)
        ]},
    )  # fmt: skip
    return str(created.json()["quoteNumber"])


async def test_a_buyer_finds_a_quote_and_turns_it_into_a_po(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    number = await make_quote(rt, simulator, 40, 41)
    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")

    await buyer.goto(served.url + "/t/smbi/quotes")
    assert number in await buyer.locator("#quote-list").inner_text()
    await check_page(buyer, "quotes")
    await buyer.get_by_label("Quote number").fill(number)
    await buyer.get_by_role("button", name="Search").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/quotes\?q="))
    await expect(buyer.locator("#quote-list tbody tr")).to_have_count(1)
    await check_page(buyer, "quotes-searched")
    await buyer.get_by_role("link", name=number).click()
    await buyer.wait_for_url(re.compile(rf"/t/smbi/quotes/{number}\?country=1$"))
    lines = buyer.locator("#quote-lines tbody tr")
    await expect(lines).to_have_count(2)
    quoted = simulator.state.quotes[number]["products"]
    assert f"{quoted[0]['price']['quotePrice']:.2f}" in await lines.first.inner_text()
    await check_page(buyer, "quote")

    # Without a ship-to, nothing is placed and the form keeps what was typed.
    await buyer.get_by_label("PO number").fill("PO-QUOTE-1")
    async with buyer.expect_response(re.compile(r"/order\?country=1$")) as answered:
        await buyer.get_by_role("button", name="Create PO from quote").click()
    assert (await answered.value).status == 422
    await expect(buyer.locator("#quote-error")).to_contain_text("ship_to")
    await expect(buyer.get_by_label("PO number")).to_have_value("PO-QUOTE-1")
    await check_page(buyer, "quote-order-refused")

    for label, value in [
        ("Company", "SMB Inc"), ("Street", "1 Main St"), ("City", "Irvine"),
        ("State or province", "CA"), ("Postcode", "92612"),
        ("Country (2 letters, e.g. US)", "US"),
    ]:  # fmt: skip
        await buyer.get_by_label(label, exact=True).fill(value)
    await buyer.get_by_label("Hold for review", exact=False).check()
    await buyer.get_by_role("button", name="Create PO from quote").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-QUOTE-1$"))
    await expect(buyer.locator("#po-status")).to_have_text("Submitted")
    head = await buyer.locator("#po-live").inner_text()
    assert number in head
    assert "v7" in head
    assert "held for review" in head
    await check_page(buyer, "po-from-quote")
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-QUOTE-1")
        assert (po.quote_number, po.api_version, po.hold_for_review) == (number, "v7", True)
    # Ingram placed the quote's order on customer hold, as asked.
    control(simulator, "POST", "/run")
    orders = control(simulator, "GET", "/orders")
    assert isinstance(orders, list)
    assert [o["stage"] for o in orders if o["customer_order_number"] == "PO-QUOTE-1"] == ["on_hold"]
    await buyer.close()

    # A viewer reads the quote but gets no form, and a post is refused.
    viewer = await ready_client(rt, served, "viewer@smbi.example", "viewer")
    shown = await viewer.get(f"/t/smbi/quotes/{number}")
    assert shown.status_code == 200
    assert "Create PO from quote" not in shown.text
    refused = await viewer.post(
        f"/t/smbi/quotes/{number}/order",
        data={"csrf_token": csrf_of(shown.text), "po_number": "PO-QUOTE-2", "address_id": "A1"},
    )
    assert refused.status_code == 403
    missing = await viewer.get("/t/smbi/quotes/QUO-10000000-Z9Z9Z9")
    assert missing.status_code == 404
    assert "does not know it" in missing.text
    await viewer.aclose()


async def invoiced(rt: Runtime, simulator: RunningSimulator, po_number: str) -> tuple[str, str]:
    """A PO shipped and invoiced at the simulator and refreshed: (its SKU, its invoice)."""
    po = await submit(rt, simulator, po_number)
    [number] = po.supplier_order_numbers
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "invoiced"})
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number=po_number)
        await ordering.refresh(session, po, Context(rt.suppliers, "test"))
        return po.lines[0].sku, po.invoices[0].invoice_number


async def test_returns_are_listed_and_opened_with_their_invoices(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    sku, invoice = await invoiced(rt, simulator, "PO-RMA-1")
    assert sku == serialised_sku(simulator)
    wanted = ReturnRequest(
        lines=(ReturnLineRequest(invoice, sku, 1, "Defective"),), ship_from=SHIP_TO,
        contact="Pat Buyer", email="pat@example.com", reference="RMA-7",
    )  # fmt: skip
    async with rt.sessions() as session:
        [case] = await returns.create(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", request=wanted,
        )  # fmt: skip

    viewer = await person(browser, rt, served, "viewer@smbi.example", "viewer")
    await viewer.goto(served.url + "/t/smbi")
    await viewer.get_by_role("link", name="Returns").click()
    await viewer.wait_for_url(re.compile(r"/t/smbi/returns$"))
    rows = viewer.locator("#return-list tbody tr")
    await expect(rows).to_have_count(1)
    assert "RMA-7" in await rows.inner_text()
    await check_page(viewer, "returns")
    await viewer.get_by_role("link", name=case.case_number).click()
    await viewer.wait_for_url(re.compile(rf"/t/smbi/returns/{case.case_number}\?country=1$"))
    [line] = await viewer.locator("#case-lines tbody tr").all()
    text = await line.inner_text()
    assert sku in text
    assert invoice in text
    await check_page(viewer, "return")
    await line.get_by_role("link", name=invoice).click()
    await viewer.wait_for_url(re.compile(rf"/t/smbi/invoices/{invoice}\?country=1$"))
    card = viewer.locator(f'section[data-invoice="{invoice}"]')
    assert "PO-RMA-1" in await card.inner_text()
    # Money with its currency and separators ("$1,234.50", never "1234.5" or "Freight 0.0"),
    # days written out, and the lines' table fits a phone.
    for amount in (".amount-due", ".freight", ".net"):
        assert re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d{2,4}", await card.locator(amount).inner_text())
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", await card.inner_text())
    assert await tables_fit_390(viewer, ".invoice-lines") == []
    await check_page(viewer, "invoice-from-return")

    # A distributor failure on the list is said on the page with its status, not a 500.
    fault = {"kind": "error", "endpoint": "get-resellers-v6-returnssearch", "status": 500}
    control(simulator, "POST", "/faults", json=fault)
    failed = await viewer.goto(served.url + "/t/smbi/returns")
    assert failed is not None
    assert failed.status == 503
    await expect(viewer.locator(".error")).to_contain_text(DISTRIBUTOR_DOWN)
    await check_page(viewer, "returns-unavailable")
    control(simulator, "DELETE", "/faults")
    unknown = await viewer.goto(served.url + "/t/smbi/returns/CAS-99999-ZZZZZZ-1")
    assert unknown is not None
    assert unknown.status == 404
    await viewer.close()
