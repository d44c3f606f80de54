"""The console's Products pages in a real browser (Debian's Chromium) and over plain HTTP,
against disty served over real HTTP and the simulator, on SQLite and PostgreSQL: a buyer
searches the catalog, opens a product, prices a pasted list (an unknown part flagged, a bad
line named, a stock event's level shown) and makes a PO of it; a price that rose since sends
the PO for approval; viewers price but never order; an edited, forged or old price list is
refused; a supplier outage is a message on the page. Every page visited has named controls
and fits 390 px."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from decimal import Decimal
from typing import Any

import httpx
from playwright.async_api import expect
from sqlalchemy import select, update

from disty.db.models import PurchaseOrder, StockLevel
from disty.domain.orders import Address
from disty.errors import NotFound
from disty.formatting import when
from disty.runtime import Runtime
from disty.services import ordering, tenants
from disty.services.ordering import Context, LineInput
from disty.web.ui.sealed import seal
from tests.e2e.conftest import (
    NEW_PASSWORD,
    add_user,
    check_page,
    connect_smbi,
    csrf_of,
    first_sign_in,
    ready_client,
    signed_in_client,
)
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import control
from tests.fixtures.simulator import RunningSimulator

PART_A = "QQ0202"  # pinned in the simulator's catalog: vendor part number C9200L-24P-4G-E
PART_B = "3N7314"  # pinned as well, at index 2
UNKNOWN = "ZZZZZ9"
SHIP_TO = {
    "ship_company": "SMB Inc", "ship_street": "1 Main Street", "ship_city": "Springfield",
    "ship_state": "IL", "ship_postcode": "62701", "ship_country": "us",
    "ship_contact": "Pat Buyer", "ship_email": "pat@smbi.example",
}  # fmt: skip


def _sealed(html: str) -> str:
    found = re.search(r'name="priced" value="([^"]+)"', html)
    assert found is not None, "no PO form on the page"
    return found.group(1)


async def _priced(client: httpx.AsyncClient, parts: str) -> httpx.Response:
    form = await client.get("/t/smbi/products/price")
    answer = await client.post(
        "/t/smbi/products/price", data={"csrf_token": csrf_of(form.text), "parts": parts}
    )
    return answer


async def _order(
    client: httpx.AsyncClient, priced: httpx.Response, **fields: str
) -> httpx.Response:
    data = {"csrf_token": csrf_of(priced.text), "priced": _sealed(priced.text),
            "ship_to_choice": "typed", **SHIP_TO, **fields}  # fmt: skip
    return await client.post("/t/smbi/products/price/order", data=data)


async def _po(rt: Runtime, po_number: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.find_po(session, shortcut="smbi", po_number=po_number)


def _price(simulator: RunningSimulator, ipn: str) -> Decimal:
    product = simulator.state.catalog.by_ingram_part_number(ipn)
    assert product is not None
    return Decimal(product.customer_cents) / 100


async def _stock_level(rt: Runtime, sku: str) -> StockLevel:
    for _ in range(100):
        async with rt.sessions() as session:
            level = await session.scalar(select(StockLevel).where(StockLevel.sku == sku))
        if level is not None:
            return level
        await asyncio.sleep(0.1)
    raise AssertionError(f"no stock event recorded for {sku}")


async def test_a_buyer_searches_prices_a_list_and_creates_a_po(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    # A stock event for PART_B, through the simulator's webhook and disty's worker.
    control(simulator, "POST", "/stock/restock", json={"first_index": 2, "quantity": 40})
    control(simulator, "POST", "/stock/publish")
    level = await _stock_level(rt, PART_B)

    password = await add_user(rt, "buyer@smbi.example", "buyer")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "buyer@smbi.example", password)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Products").click()
    await check_page(page, "products-search")

    # By keyword: every product found says it.
    await page.get_by_label("Keyword").fill("catalyst")
    await page.get_by_role("button", name="Search").click()
    results = page.locator("#results")
    assert "found" in await results.locator("h2").inner_text()
    descriptions = await results.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert descriptions
    assert all("CATALYST" in d.upper() for d in descriptions)
    await check_page(page, "products-search-keyword")
    if await page.get_by_role("link", name="Next page").count():
        await page.get_by_role("link", name="Next page").click()
        assert "page 2 of" in await results.locator("h2").inner_text()

    # By vendor part number: the one product, and its page.
    await page.get_by_label("Keyword").fill("")
    await page.get_by_label("Vendor part number").fill("C9200L-24P-4G-E")
    await page.get_by_role("button", name="Search").click()
    assert await results.locator("tbody tr").count() == 1
    await check_page(page, "products-search-vpn")
    await page.get_by_role("link", name=PART_A).click()
    await page.wait_for_url(re.compile(rf"/t/smbi/products/{PART_A}$"))
    assert await page.locator("#vendor-part-number").inner_text() == "C9200L-24P-4G-E"
    await check_page(page, "product-details")

    # Its price and stock: none known yet; live on request; then known in the search results,
    # with its age, without another click.
    assert await page.locator("#offer-none").count() == 1
    await page.get_by_role("button", name="Get the live price & stock").click()
    await page.wait_for_url(re.compile(r"live=1"))
    price = f"${_price(simulator, PART_A):,.2f}"
    assert await page.locator("#offer-price").inner_text() == price
    assert "live, just now" in await page.locator("#offer-age").inner_text()
    await page.goto(served.url + "/t/smbi/products?vpn=C9200L-24P-4G-E")
    found = results.locator("tbody tr").first
    assert await found.locator(".known-price").inner_text() == price
    assert "last known, just now" in await found.locator(".known-stock").inner_text()
    assert "in stock" in await found.locator(".known-stock").inner_text()
    await check_page(page, "products-search-known-offer")
    await page.get_by_role("link", name=PART_A).click()

    # Price this part: live, just now.
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_role("button", name="Price this part").click()
    row = page.locator(f'tr[data-part="{PART_A}"]')
    assert f"${_price(simulator, PART_A):,.2f}" in await row.locator(".price").inner_text()
    assert "live P&A, just now" in await row.locator(".source").inner_text()

    # A pasted list with a bad line: 422, the line named, the text kept.
    parts = page.get_by_label("Parts, one per line: part number and quantity")
    pasted = f"{PART_A} 2\n\n{PART_B},3\n{UNKNOWN} x 1\n{PART_B} three"
    await parts.fill(pasted)
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.get_by_role("button", name="Get prices").click()
    assert (await answer.value).status == 422
    error = await page.locator("#price-error").inner_text()
    assert f"line 5 ('{PART_B} three')" in error
    assert await parts.input_value() == pasted
    # A spreadsheet's header row is skipped; every bad line is named, a long one cut short.
    long_line = "pasted by mistake: " + "x" * 200
    await parts.fill(f"Part Number\tQty\n{PART_A}\t2\n{PART_B} three\n{long_line}\n<b> 1")
    await page.get_by_role("button", name="Get prices").click()
    error = await page.locator("#price-error").inner_text()
    assert error.startswith("3 lines are not right")
    assert "line 1" not in error
    for bad in (3, 4, 5):
        assert f"line {bad} (" in error
    assert "x" * 50 not in error
    assert "letters, digits and . _ / # + -" in error
    await check_page(page, "price-list-bad-line")

    # The list priced: the unknown part flagged, the stock event's level and time shown.
    await parts.fill(f"{PART_A} 2\n\n{PART_B},3\n{UNKNOWN} x 1\n")
    await page.get_by_role("button", name="Get prices").click()
    unknown = page.locator(f'tr[data-part="{UNKNOWN}"]')
    assert "unknown part" in await unknown.inner_text()
    sentence = await page.locator("#unknown-parts").inner_text()
    assert UNKNOWN in sentence
    assert "left out of the PO" in sentence
    source = await page.locator(f'tr[data-part="{PART_B}"] .source').inner_text()
    assert "live P&A, just now" in source
    assert f"stock event: {level.total_available} available" in source
    assert when(level.event_time) in source
    total = _price(simulator, PART_A) * 2 + _price(simulator, PART_B) * 3
    assert await page.locator("#list-total").inner_text() == f"${total:,.2f}"
    await check_page(page, "price-list-priced")

    # The PO form: a missing city is a 422 that keeps what was typed.
    await page.get_by_label("PO number").fill("PO-WEB-1")
    await page.get_by_label("This address").check()
    for name, value in SHIP_TO.items():
        if name != "ship_city":
            await page.locator(f"#{name}").fill(value)
    await page.get_by_label("Notes for Ingram Micro").fill("Deliver to the back door")
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.get_by_role("button", name="Create PO").click()
    assert (await answer.value).status == 422
    assert "ship_to needs city" in await page.locator("#order-error").inner_text()
    assert await page.get_by_label("Ship-to: Company").input_value() == "SMB Inc"
    assert await page.get_by_label("PO number").input_value() == "PO-WEB-1"
    await check_page(page, "price-list-po-error")

    await page.get_by_label("Ship-to: City").fill("Springfield")
    await page.get_by_role("button", name="Create PO").click()
    await page.wait_for_url(re.compile(r"/t/smbi/pos/PO-WEB-1$"))

    # The whole journey: on the PO's page, without reloading, the simulator's webhooks bring
    # the shipment and then the invoice (polling is off in these tests).
    await expect(page.locator("#po-status")).to_have_text("Submitted")
    await page.evaluate("window.notReloaded = true")
    [number] = (await _po(rt, "PO-WEB-1")).supplier_order_numbers
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
    await expect(page.locator("#po-status")).to_have_text("Shipped", timeout=20_000)
    await expect(page.locator("#po-shipments a").first).to_be_visible()
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "invoiced"})
    await expect(page.locator("#po-status")).to_have_text("Invoiced", timeout=20_000)
    await expect(page.locator("#po-invoices a").first).to_be_visible()
    assert await page.evaluate("window.notReloaded") is True
    await check_page(page, "journey-po-invoiced")
    await page.close()

    po = await _po(rt, "PO-WEB-1")
    assert po.status == "invoiced"
    assert po.supplier_order_numbers
    assert not po.hold_for_review
    assert po.notes == "Deliver to the back door"
    assert [(x.sku, x.quantity, x.expected_price) for x in po.lines] == [
        (PART_A, 2, _price(simulator, PART_A)),
        (PART_B, 3, _price(simulator, PART_B)),
    ]  # the unknown part left out
    assert po.ship_to == {
        "company": "SMB Inc", "street": "1 Main Street", "city": "Springfield", "state": "IL",
        "postcode": "62701", "country": "US", "contact": "Pat Buyer",
        "email": "pat@smbi.example",
    }  # fmt: skip


async def test_a_price_that_rose_after_pricing_sends_the_po_for_approval(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    buyer = await ready_client(rt, served, "buyer@smbi.example", "buyer")
    priced = await _priced(buyer, f"{PART_A} 1\n{PART_B} 4")
    assert priced.status_code == 200
    shown = _price(simulator, PART_A)
    risen = (shown * Decimal("1.10")).quantize(Decimal("0.01"))
    control(simulator, "PUT", f"/prices/{PART_A}", json={"customer_price_usd": str(risen)})

    answer = await _order(
        buyer, priced, po_number="PO-DRIFT-1", ship_to_choice="stored",
        stored_address_id="ADDR-7", hold="on", eu_company="End User Ltd",
        eu_street="5 Side Street", eu_city="Toronto", eu_state="ON", eu_postcode="M5V 2T6",
        eu_country="ca", eu_email="it@enduser.example",
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/t/smbi/pos/PO-DRIFT-1"
    po = await _po(rt, "PO-DRIFT-1")
    assert po.status == "awaiting_approval"
    assert po.hold_for_review
    assert po.ship_to["address_id"] == "ADDR-7"
    assert po.end_user == {
        "company": "End User Ltd", "street": "5 Side Street", "city": "Toronto", "state": "ON",
        "postcode": "M5V 2T6", "country": "CA", "email": "it@enduser.example",
    }  # fmt: skip
    line = next(x for x in po.lines if x.sku == PART_A)
    assert (line.expected_price, line.current_price) == (shown, risen)
    await buyer.aclose()


async def test_recent_ship_tos_are_offered_and_a_po_number_places_once(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    earlier = Address("Warehouse Co", "9 Dock Road", "Austin", "TX", "73301", "US")
    # The same place typed otherwise (capitals, spaces, another contact) is offered once, and
    # the address of a PO the distributor refused is not offered at all.
    same = Address("WAREHOUSE CO", "9  Dock Road", "Austin", "TX", "73301", "US", contact="Pat")
    refused = Address("Refused Place", "1 Nowhere Lane", "Austin", "TX", "73301", "US")
    async with rt.sessions() as session:
        for number, ship_to in (("PO-SAME", same), ("PO-REFUSED", refused),
                                ("PO-EARLIER", earlier)):  # fmt: skip
            await ordering.submit(
                session, Context(rt.suppliers, "test"), shortcut="smbi",
                country_id=1, supplier="ingram", po_number=number,
                lines=[LineInput(PART_B, 1)], ship_to=ship_to,
            )  # fmt: skip
        await session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_number == "PO-REFUSED")
            .values(status="failed")
        )
        await session.commit()
    buyer = await ready_client(rt, served, "buyer@smbi.example", "buyer")
    priced = await _priced(buyer, f"{PART_A} 2")
    assert "Warehouse Co, 9 Dock Road, Austin, TX, US (PO PO-EARLIER)" in priced.text
    assert "PO-SAME" not in priced.text
    assert "Refused Place" not in priced.text
    assert 'value="recent" checked' in priced.text  # the default when there is one

    fields = {"po_number": "PO-RECENT-1", "ship_to_choice": "recent", "recent_po": "PO-EARLIER"}
    first = await _order(buyer, priced, **fields)
    assert first.status_code == 303, first.text
    assert Address.from_dict((await _po(rt, "PO-RECENT-1")).ship_to) == earlier
    # The same form posted again lands on the same PO; another list under its number is refused.
    again = await _order(buyer, priced, **fields)
    assert again.headers["location"] == "/t/smbi/pos/PO-RECENT-1"
    other = await _priced(buyer, f"{PART_B} 5")
    taken = await _order(buyer, other, **fields)
    assert taken.status_code == 422
    assert "PO number PO-RECENT-1 is taken by another PO" in taken.text
    async with rt.sessions() as session:
        count = len(list(await session.scalars(select(PurchaseOrder.id))))
    assert count == 4
    # Too long a field, or a bad PO number: 422 with the message, what was typed kept.
    long_city = await _order(buyer, priced, po_number="PO-LONG", ship_city="S" * 26)
    assert long_city.status_code == 422
    assert "ship_to city is longer than 25 characters" in long_city.text
    assert 'value="PO-LONG"' in long_city.text
    half_end_user = await _order(buyer, priced, po_number="PO-EU", eu_company="End User Ltd")
    assert half_end_user.status_code == 422
    assert "end_user needs street, city, country" in half_end_user.text
    assert 'value="End User Ltd"' in half_end_user.text
    long_notes = await _order(buyer, priced, po_number="PO-NOTES", notes="n" * 501)
    assert long_notes.status_code == 422
    assert "the notes are longer than 500 characters" in long_notes.text
    bad_number = await _order(buyer, priced, po_number="PO WITH SPACES")
    assert bad_number.status_code == 422
    assert "invalid PO number" in bad_number.text
    await buyer.aclose()


async def test_a_viewer_sees_prices_but_cannot_order(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    password = await add_user(rt, "viewer@smbi.example", "viewer")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "viewer@smbi.example", password)
    await page.goto(served.url + "/t/smbi/products/price")
    await check_page(page, "price-list-empty")
    await page.get_by_label("Parts, one per line: part number and quantity").fill(f"{PART_A} 1")
    await page.get_by_role("button", name="Get prices").click()
    assert "$" in await page.locator(f'tr[data-part="{PART_A}"] .price').inner_text()
    assert await page.locator("#po-form").count() == 0
    assert await page.get_by_role("button", name="Create PO").count() == 0
    await check_page(page, "price-list-viewer")
    await page.close()

    # Posting the order anyway, with a list a buyer priced, is refused.
    buyer = await ready_client(rt, served, "buyer@smbi.example", "buyer")
    priced = await _priced(buyer, f"{PART_A} 1")
    viewer = await signed_in_client(served, "viewer@smbi.example", NEW_PASSWORD)
    form = await viewer.get("/t/smbi/products/price")
    refused = await viewer.post(
        "/t/smbi/products/price/order",
        data={"csrf_token": csrf_of(form.text), "priced": _sealed(priced.text),
              "po_number": "PO-VIEWER", "ship_to_choice": "typed", **SHIP_TO},
    )  # fmt: skip
    assert refused.status_code == 403
    try:
        await _po(rt, "PO-VIEWER")
        raise AssertionError("a viewer's PO exists")
    except NotFound:
        pass
    await buyer.aclose()
    await viewer.aclose()


async def test_an_edited_forged_or_old_price_list_is_refused(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    buyer = await ready_client(rt, served, "buyer@smbi.example", "buyer")
    priced = await _priced(buyer, f"{PART_A} 2")
    token = _sealed(priced.text)
    body, mac = token.split(".")
    stamped = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert stamped["value"]["lines"][0]["price"] == str(_price(simulator, PART_A))
    stamped["value"]["lines"][0]["price"] = "1.00"  # a buyer lowers the price in the HTML
    edited = base64.urlsafe_b64encode(json.dumps(stamped).encode()).decode().rstrip("=")
    key = rt.box.derive("disty console priced list")
    value = stamped["value"]
    old = seal(key, value, now=time.time() - 3601)
    other_tenant = seal(key, {**value, "tenant": "acme"})
    for forged, says in (
        (f"{edited}.{mac}", "changed or did not come from this console"),
        ("", "changed or did not come from this console"),
        (seal(b"guessed-key", value), "changed or did not come from this console"),
        (old, "older than 60 minutes"),
        (other_tenant, "another tenant"),
    ):
        answer = await buyer.post(
            "/t/smbi/products/price/order",
            data={"csrf_token": csrf_of(priced.text), "priced": forged,
                  "po_number": "PO-FORGED", "ship_to_choice": "typed", **SHIP_TO},
        )  # fmt: skip
        assert answer.status_code == 422, forged
        assert says in answer.text
        assert "price the list again" in answer.text
    try:
        await _po(rt, "PO-FORGED")
        raise AssertionError("a PO was made from a forged list")
    except NotFound:
        pass
    await buyer.aclose()


async def test_a_supplier_outage_is_a_message_on_the_page(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    buyer = await ready_client(rt, served, "buyer@smbi.example", "buyer")
    control(simulator, "PUT", "/maintenance", json={"on": True})
    answer = await _priced(buyer, f"{PART_A} 2\n{PART_B}")
    assert answer.status_code == 200
    assert 'id="supplier-error"' in answer.text
    assert "Ingram Micro did not answer for 2 parts" in answer.text
    assert "not priced" in answer.text
    assert 'id="po-form"' not in answer.text  # nothing priced: nothing to order
    control(simulator, "PUT", "/maintenance", json={"on": False})
    # No connection at all (another tenant): a message, 422, not a 500.
    acme = await ready_client(rt, served, "a@acme.example", "buyer", "acme")
    form = await acme.get("/t/acme/products/price")
    refused = await acme.post(
        "/t/acme/products/price", data={"csrf_token": csrf_of(form.text), "parts": PART_A}
    )
    assert refused.status_code == 422
    assert 'class="error"' in refused.text
    searched = await acme.get("/t/acme/products", params={"q": "catalyst"})
    assert searched.status_code == 422
    await buyer.aclose()
    await acme.aclose()


async def test_an_unknown_part_page_and_a_tenant_in_two_countries(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    buyer = await ready_client(rt, served, "buyer@smbi.example", "buyer")
    missing = await buyer.get(f"/t/smbi/products/{UNKNOWN}")
    assert missing.status_code == 404
    assert f"Ingram Micro knows no part &#39;{UNKNOWN}&#39;" in missing.text
    # By vendor alone: every row is that vendor's.
    found = await buyer.get("/t/smbi/products", params={"vendor": "Sandisk"})
    vendors = re.findall(r'<td data-label="Vendor">([^<]*)</td>', found.text)
    assert vendors
    assert set(vendors) == {"Sandisk"}
    # One country: no selector. Two: a selector on the search and price pages, each keeping
    # the country chosen.
    assert 'id="country"' not in (await buyer.get("/t/smbi/products")).text
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "duo", [1, 29])
    duo = await ready_client(rt, served, "b@duo.example", "buyer", "duo")
    for path in ("/t/duo/products?country=29", "/t/duo/products/price?country=29"):
        page = await duo.get(path)
        assert '<option value="29" selected>Canada</option>' in page.text, path
        assert '<option value="1">United States</option>' in page.text, path
    await buyer.aclose()
    await duo.aclose()
