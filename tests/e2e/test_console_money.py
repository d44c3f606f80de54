"""The money paths of issue 19 in the console, in a real browser (Debian's Chromium) against
disty served over real HTTP and the simulator, on SQLite and PostgreSQL:

- item 1: a PO made from a priced list while the distributor's price check answers 500 (and
  the price has risen meanwhile) is never placed: its page says it waits for its price to be
  confirmed, then for an admin's approval with the reason "price not confirmed"; only an
  admin approves it;
- item 14: a PO the distributor refused (nothing placed) is corrected and sent again from its
  page under the same PO number, and placed once; any other reuse of the number is a clear
  error on the page, never a server error;
- the reason a PO waits for approval is shown next to its status, not only in the timeline.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import select

from disty.config import Settings
from disty.db.models import PurchaseOrder
from disty.domain.orders import Address
from disty.runtime import Runtime
from disty.services import ordering
from disty.services.ordering import Context, LineInput
from tests.e2e.conftest import add_user, check_page, connect_smbi, csrf_of, first_sign_in
from tests.e2e.conftest import ready_client as ready
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import control, counts
from tests.fixtures.simulator import RunningSimulator

PART_A = "QQ0202"  # pinned in the simulator's catalog
PART_B = "3N7314"  # pinned as well
UNKNOWN = "ZZZZZ9"
PNA = "post-priceandavailability"
CREATE = "post-createorder_v6"
LIVE = 20_000  # ms: the PO page re-reads its live part every few seconds
SHIP_TO = {
    "ship_company": "SMB Inc", "ship_street": "1 Main Street", "ship_city": "Springfield",
    "ship_state": "IL", "ship_postcode": "62701", "ship_country": "us",
}  # fmt: skip


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    """As conftest's, with one retry of a failed price check an hour away: the served disty's
    worker never reaches it during a test, so each step is one the test takes."""
    return settings.model_copy(
        update={
            "poll_interval_s": 0.0,
            "event_retry_base_s": 0.05,
            "event_max_attempts": 2,
            "price_check_retries": 1,
            "price_check_retry_s": 3600.0,
        }
    )


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


def price_of(simulator: RunningSimulator, ipn: str) -> Decimal:
    product = simulator.state.catalog.by_ingram_part_number(ipn)
    assert product is not None
    return Decimal(product.customer_cents) / 100


async def saved(rt: Runtime, po_number: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.find_po(session, shortcut="smbi", po_number=po_number)


async def person(browser: Any, rt: Runtime, served: ServedDisty, email: str, role: str) -> Any:
    """A browser page signed in as a new user of smbi with ``role``."""
    password = await add_user(rt, email, role)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, email, password)
    return page


async def price_a_list(page: Any, served: ServedDisty, parts: str) -> None:
    await page.goto(served.url + "/t/smbi/products/price")
    await page.get_by_label("Parts, one per line: part number and quantity").fill(parts)
    await page.get_by_role("button", name="Get prices").click()
    await expect(page.get_by_role("button", name="Create PO")).to_be_visible()


async def priced(client: httpx.AsyncClient, parts: str) -> httpx.Response:
    """A list priced by a signed-in HTTP client: the page with the sealed PO form."""
    form = await client.get("/t/smbi/products/price")
    answer = await client.post(
        "/t/smbi/products/price", data={"csrf_token": csrf_of(form.text), "parts": parts}
    )
    assert answer.status_code == 200, answer.text
    return answer


async def order(client: httpx.AsyncClient, page: httpx.Response, **fields: str) -> httpx.Response:
    sealed = re.search(r'name="priced" value="([^"]+)"', page.text)
    assert sealed is not None, "no PO form on the page"
    data = {"csrf_token": csrf_of(page.text), "priced": sealed.group(1), **fields}
    return await client.post("/t/smbi/products/price/order", data=data)


# -- item 1: a price that cannot be confirmed is never sent ----------------------------------


async def test_a_price_the_distributor_cannot_confirm_is_never_sent_from_the_console(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")
    await price_a_list(buyer, served, f"{PART_A} 1")
    shown = price_of(simulator, PART_A)
    await expect(buyer.locator(f'tr[data-part="{PART_A}"] .price')).to_contain_text(
        f"${shown:,.2f}"
    )

    # The attack: the price rises tenfold, and price and availability answers 500.
    risen = shown * 10
    control(simulator, "PUT", f"/prices/{PART_A}", json={"customer_price_usd": str(risen)})
    control(simulator, "POST", "/faults", json={"kind": "error", "endpoint": PNA, "status": 500})
    await buyer.get_by_label("PO number").fill("PO-PNA-WEB")
    await buyer.get_by_label("This address").check()
    for name, value in SHIP_TO.items():
        await buyer.locator(f"#{name}").fill(value)
    await buyer.get_by_role("button", name="Create PO").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-PNA-WEB$"))

    # Saved, not sent: the page says it waits for its price to be confirmed.
    await expect(buyer.locator("#po-status")).to_have_text("Draft")
    waiting = buyer.locator("#po-price-wait")
    await expect(waiting).to_contain_text("waiting for its price to be confirmed")
    await expect(waiting).to_contain_text("nothing was sent")
    await check_page(buyer, "po-price-unconfirmed-draft")
    assert orders_at_simulator(simulator, "PO-PNA-WEB") == []
    assert counts(simulator).get(CREATE, 0) == 0
    po = await saved(rt, "PO-PNA-WEB")
    assert (po.status, po.price_checks) == ("draft", 1)
    assert po.price_check_at is not None
    assert po.lines[0].expected_price == shown  # the price the buyer saw, not today's

    # Submit checks again now: still down, and that was the last try, so the PO stops for an
    # admin's approval, the reason beside its status; still nothing placed.
    await buyer.get_by_role("button", name="Submit", exact=True).click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-PNA-WEB$"))
    await expect(buyer.locator("#po-status")).to_have_text("Awaiting approval")
    await expect(buyer.locator("#po-approval-reason")).to_contain_text("price not confirmed")
    await expect(buyer.locator("#po-waiting")).to_contain_text("waiting for an admin's approval")
    assert await buyer.locator("#po-price-wait").count() == 0
    assert await buyer.get_by_role("button", name="Approve price").count() == 0
    await check_page(buyer, "po-price-unconfirmed-buyer")
    assert orders_at_simulator(simulator, "PO-PNA-WEB") == []

    # A buyer's approval posted anyway is refused.
    client = await ready(rt, served, "buyer2@smbi.example", "buyer")
    page = await client.get("/t/smbi/pos/PO-PNA-WEB")
    refused = await client.post(
        "/t/smbi/pos/PO-PNA-WEB/approve", data={"csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    await client.aclose()
    assert (await saved(rt, "PO-PNA-WEB")).status == "awaiting_approval"
    assert counts(simulator).get(CREATE, 0) == 0

    # An admin sees why, and approves on purpose: placed once.
    admin = await person(browser, rt, served, "admin@smbi.example", "admin")
    await admin.goto(served.url + "/t/smbi/pos/PO-PNA-WEB")
    await expect(admin.locator("#po-approval-reason")).to_contain_text("price not confirmed")
    await check_page(admin, "po-price-unconfirmed-admin")
    await admin.get_by_role("button", name="Approve price").click()
    await admin.wait_for_url(re.compile(r"/t/smbi/pos/PO-PNA-WEB$"))
    await expect(admin.locator("#po-status")).to_have_text("Submitted")
    facts = admin.locator(".po-facts")
    await expect(facts).to_contain_text("console:admin@smbi.example")
    await expect(facts).to_contain_text("price not confirmed")  # why it was stopped, kept
    await check_page(admin, "po-price-unconfirmed-approved")
    assert len(orders_at_simulator(simulator, "PO-PNA-WEB")) == 1
    assert counts(simulator)[CREATE] == 1
    for each in (buyer, admin):
        await each.close()


async def test_the_reason_a_po_waits_is_shown_next_to_its_status(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    async with rt.sessions() as session:
        po = await ordering.submit(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", po_number="PO-RISE-WEB",
            lines=[LineInput(PART_B, 1, Decimal("0.01"))],
            ship_to=Address("Acme", "1 Main St", "Springfield", "IL", "62701", "US"),
        )  # fmt: skip
    assert po.status == "awaiting_approval"
    assert po.approval_reason is not None
    assert po.approval_reason.startswith("price rose beyond the tolerance")
    # Everyone who can see the PO sees why it waits, a viewer too.
    viewer = await ready(rt, served, "viewer@smbi.example", "viewer")
    page = await viewer.get("/t/smbi/pos/PO-RISE-WEB")
    found = re.search(r'<p[^>]*id="po-approval-reason"[^>]*>(.*?)</p>', page.text, re.S)
    assert found is not None, "no approval reason near the status"
    assert po.approval_reason in html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))
    await viewer.aclose()


# -- item 14: a refused PO is corrected and sent again; other reuse is a clear error ---------


async def test_a_refused_po_is_corrected_and_sent_again_from_its_page(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    # A PO of a part the distributor does not know: stopped for approval (no price), approved
    # anyway, then refused by the simulator. Nothing was placed.
    ctx = Context(rt.suppliers, "test")
    async with rt.sessions() as session:
        po = await ordering.submit(
            session, ctx, shortcut="smbi", country_id=1, supplier="ingram",
            po_number="PO-FIX-WEB", lines=[LineInput(UNKNOWN, 1)],
            ship_to=Address("Acme", "1 Main St", "Springfield", "IL", "62701", "US"),
        )  # fmt: skip
        assert po.status == "awaiting_approval"
        po = await ordering.approve(session, po, ctx)
        assert po.status == "failed", po.timeline[-1].message
    assert orders_at_simulator(simulator, "PO-FIX-WEB") == []
    # A viewer sees why it failed, and no way to send it again.
    viewer = await ready(rt, served, "viewer@smbi.example", "viewer")
    shown = await viewer.get("/t/smbi/pos/PO-FIX-WEB")
    assert "refused by the supplier" in shown.text
    assert "Correct and send again" not in shown.text
    await viewer.aclose()

    # From the failed PO's page to a price list holding its lines and its number.
    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")
    await buyer.goto(served.url + "/t/smbi/pos/PO-FIX-WEB")
    await expect(buyer.locator("#po-status")).to_have_text("Failed")
    await check_page(buyer, "po-failed")
    await buyer.get_by_role("link", name="Correct and send again").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/products/price\?"))
    parts = buyer.get_by_label("Parts, one per line: part number and quantity")
    assert await parts.input_value() == f"{UNKNOWN} 1"
    await expect(buyer.locator("#correcting")).to_contain_text("PO-FIX-WEB")
    await check_page(buyer, "price-list-correcting")
    await parts.fill(f"{PART_A} 2")
    await buyer.get_by_role("button", name="Get prices").click()
    assert await buyer.get_by_label("PO number").input_value() == "PO-FIX-WEB"
    # The failed PO's own ship-to is offered first.
    assert await buyer.get_by_label("Recent ship-to", exact=True).input_value() == "PO-FIX-WEB"
    await check_page(buyer, "price-list-correcting-priced")
    await buyer.get_by_role("button", name="Create PO").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-FIX-WEB$"))
    await expect(buyer.locator("#po-status")).to_have_text("Submitted")
    await expect(buyer.locator("#po-timeline")).to_contain_text(
        "failed PO corrected and submitted again"
    )
    await expect(buyer.locator("#po-lines tbody tr")).to_have_count(1)
    await expect(buyer.locator('#po-lines tr[data-line="1"]')).to_contain_text(PART_A)
    [number] = orders_at_simulator(simulator, "PO-FIX-WEB")
    await expect(buyer.locator("#po-orders")).to_contain_text(number)
    await check_page(buyer, "po-corrected")
    # Two order calls so far: the refused one, and this one.
    assert counts(simulator)[CREATE] == 2

    # Another list under the used number: a clear error on the page, nothing placed.
    await price_a_list(buyer, served, f"{PART_B} 1")
    await buyer.get_by_label("PO number").fill("PO-FIX-WEB")
    async with buyer.expect_response(lambda r: r.request.method == "POST") as answer:
        await buyer.get_by_role("button", name="Create PO").click()
    assert (await answer.value).status == 422
    error = buyer.locator("#order-error")
    await expect(error).to_contain_text("PO number PO-FIX-WEB is taken by another PO")
    await expect(error).to_contain_text("choose another number")
    await check_page(buyer, "price-list-number-taken")
    await buyer.close()

    client = await ready(rt, served, "buyer2@smbi.example", "buyer")
    again = await priced(client, f"{PART_A} 2")
    # The same PO posted again lands on it, placing nothing more.
    same = await order(
        client, again, po_number="PO-FIX-WEB", ship_to_choice="recent", recent_po="PO-FIX-WEB"
    )
    assert same.status_code == 303, same.text
    assert same.headers["location"] == "/t/smbi/pos/PO-FIX-WEB"
    # The same lines to another address are another PO, not this one: refused, not answered
    # with the PO that exists as if it had been placed.
    elsewhere = await order(
        client, again, po_number="PO-FIX-WEB", ship_to_choice="typed", **SHIP_TO
    )
    assert elsewhere.status_code == 422, elsewhere.headers.get("location")
    assert "PO number PO-FIX-WEB is taken by another PO" in elsewhere.text
    assert 'value="PO-FIX-WEB"' in elsewhere.text  # what was typed is kept
    await client.aclose()

    assert len(orders_at_simulator(simulator, "PO-FIX-WEB")) == 1
    assert counts(simulator)[CREATE] == 2  # none since the correction
    async with rt.sessions() as session:
        found = list(
            await session.scalars(
                select(PurchaseOrder.id).where(PurchaseOrder.po_number == "PO-FIX-WEB")
            )
        )
    assert len(found) == 1
