"""The console's PO pages in a real browser (Debian's Chromium through Playwright), against
disty served over real HTTP and the simulator delivering signed webhooks, on SQLite and
PostgreSQL: a buyer watches a PO ship and invoice without reloading; price drift waits for an
admin; a held PO is released or cancelled; a viewer sees everything and can do nothing; a
distributor failure is said clearly. Every page visited has named controls and fits 390 px.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from playwright.async_api import expect

from disty.db.models import POEvent, POLine, PurchaseOrder, SupplierConnection
from disty.domain.orders import Address
from disty.errors import NotFound
from disty.runtime import Runtime
from disty.services import connections, ordering, tenants
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context, LineInput
from tests.e2e.conftest import (
    add_user,
    check_page,
    connect_smbi,
    csrf_of,
    first_sign_in,
    pressed_once,
    ready_client,
    tables_fit_390,
)
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import control
from tests.fixtures.simulator import RunningSimulator

SHIP_TO = Address("Acme", "1 Main St", "Springfield", "IL", "62701", "US")
LIVE = 20_000  # ms: a webhook's round trip, with room for a slow CI machine

# A 500 from Ingram reads as maintenance inside its published windows, as unavailable outside:
# which one a test sees depends on the time of day it runs.
DISTRIBUTOR_DOWN = re.compile(r"The distributor is (unavailable|in maintenance)")


def serialised_sku(simulator: RunningSimulator) -> str:
    """A serialised hardware product, so its shipments carry serial numbers."""
    catalog = simulator.state.catalog
    return next(
        str(catalog.product(i).ingram_part_number)
        for i in range(10, 200)
        if catalog.product(i).serialised
        and not catalog.product(i).digital
        and not catalog.product(i).direct_ship
    )


async def connect(rt: Runtime, simulator: RunningSimulator, served: ServedDisty) -> None:
    """smbi connected with webhooks (connect_smbi), plus the application id and contact that
    Ingram's invoice, quote and return calls need."""
    await connect_smbi(rt, simulator, served)
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                application_id="APP-TEST", contact_email="buyer@example.com"
            ),
            box=rt.box, public_url=served.url, grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip


async def submit(
    rt: Runtime, simulator: RunningSimulator, po_number: str, **kw: Any
) -> PurchaseOrder:
    expected = kw.pop("expected_price", None)
    async with rt.sessions() as session:
        return await ordering.submit(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", po_number=po_number,
            lines=[LineInput(serialised_sku(simulator), 2, expected)], ship_to=SHIP_TO, **kw,
        )  # fmt: skip


async def status_of(rt: Runtime, po_number: str) -> str:
    async with rt.sessions() as session:
        return (await ordering.find_po(session, shortcut="smbi", po_number=po_number)).status


async def many_pos(rt: Runtime, shortcut: str, prefix: str, count: int) -> None:
    """``count`` POs straight into the database (older than any placed by the test)."""
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, shortcut)
        try:
            connection_id = (await connections.get_connection(session, tenant, "ingram", 1)).id
        except NotFound:
            made = SupplierConnection(
                tenant_id=tenant.id, supplier="ingram", country_id=1, base_url="http://x.invalid"
            )
            session.add(made)
            await session.flush()
            connection_id = made.id
        for n in range(count):
            at = datetime.now(UTC) - timedelta(days=1) + timedelta(minutes=n)
            session.add(
                PurchaseOrder(
                    tenant_id=tenant.id,
                    connection_id=connection_id,
                    supplier="ingram",
                    country_id=1,
                    po_number=f"{prefix}-{n:04d}",
                    status="submitted",
                    ship_to={},
                    supplier_order_numbers=[],
                    created_at=at,
                    updated_at=at,
                )
            )
        await session.commit()


async def person(browser: Any, rt: Runtime, served: ServedDisty, email: str, role: str) -> Any:
    """A browser page signed in as a new user of smbi with ``role``."""
    password = await add_user(rt, email, role)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, email, password)
    return page


async def test_a_buyer_watches_a_po_ship_and_invoice_without_reloading(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    po = await submit(rt, simulator, "PO-LIVE-1")
    assert po.status == "submitted"
    [number] = po.supplier_order_numbers
    page = await person(browser, rt, served, "buyer@smbi.example", "buyer")

    await page.goto(served.url + "/t/smbi/pos")
    row = page.locator('tr[data-po="PO-LIVE-1"]')
    assert number in await row.inner_text()
    assert "Submitted" in await row.inner_text()
    assert (await row.locator("td.num").inner_text()).startswith("$")
    await check_page(page, "pos-list")
    await page.get_by_role("link", name="PO-LIVE-1").click()
    await page.wait_for_url(re.compile(r"/t/smbi/pos/PO-LIVE-1$"))
    await expect(page.locator("#po-status")).to_have_text("Submitted")
    assert number in await page.locator("#po-orders").inner_text()
    assert "Nothing shipped yet" in await page.locator("#po-live").inner_text()
    await check_page(page, "po-submitted")
    # A mark on this document: were the page reloaded, it would be gone.
    await page.evaluate("window.notReloaded = true")

    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
    await expect(page.locator("#po-status")).to_have_text("Shipped", timeout=LIVE)
    tracking = page.locator("#po-shipments a")
    await expect(tracking.first).to_be_visible()
    assert (await tracking.first.get_attribute("href") or "").startswith("http")
    assert await page.locator("#po-serials li").count() >= 1
    assert "2" in await page.locator('#po-lines tr[data-line="1"] td').nth(3).inner_text()
    assert "webhook" in await page.locator("#po-timeline").inner_text()
    await check_page(page, "po-shipped")

    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "invoiced"})
    await expect(page.locator("#po-status")).to_have_text("Invoiced", timeout=LIVE)
    invoice_link = page.locator("#po-invoices a").first
    await expect(invoice_link).to_be_visible()
    assert await page.evaluate("window.notReloaded") is True
    # A final PO offers nothing more to do.
    assert await page.locator("#po-live button").count() == 0
    # The total with its currency; the timeline newest first, in words; key tables fit 390 px.
    assert re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d{2}", await page.locator("#po-total").inner_text())
    events = page.locator("#po-timeline li")
    assert "Invoiced" in await events.first.inner_text()
    assert "PO saved" in await events.last.inner_text()
    assert re.search(
        r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M UTC", await events.first.inner_text()
    )
    assert await tables_fit_390(page, "#po-lines", "#po-shipments") == []
    await check_page(page, "po-invoiced")

    invoice = (await invoice_link.inner_text()).removeprefix("Invoice ").strip()
    await page.get_by_role("link", name="All invoices of this PO in full").click()
    await page.wait_for_url(re.compile(r"/pos/PO-LIVE-1/invoices$"))
    card = page.locator(f'section[data-invoice="{invoice}"]')
    assert "PO-LIVE-1" in await card.inner_text()
    assert serialised_sku(simulator) in await card.inner_text()
    await check_page(page, "po-invoices")
    await card.get_by_role("link", name=invoice).click()
    await page.wait_for_url(re.compile(rf"/t/smbi/invoices/{invoice}\?country=1$"))
    assert "Amount due" in await page.locator("main").inner_text()
    await check_page(page, "invoice")
    await page.close()


async def test_price_drift_waits_for_an_admin_and_the_list_filters_by_status(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    await submit(rt, simulator, "PO-PLAIN-1")
    drifted = await submit(rt, simulator, "PO-DRIFT-1", expected_price=Decimal("0.01"))
    assert drifted.status == "awaiting_approval"

    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")
    await buyer.goto(served.url + "/t/smbi/pos")
    await buyer.get_by_label("Status").select_option("awaiting_approval")
    await buyer.get_by_role("button", name="Filter").click()
    await buyer.wait_for_url(re.compile(r"status=awaiting_approval"))
    rows = buyer.locator("#po-list tbody tr")
    await expect(rows).to_have_count(1)
    assert "PO-DRIFT-1" in await rows.inner_text()
    await check_page(buyer, "pos-awaiting-approval")
    unknown = await buyer.goto(served.url + "/t/smbi/pos?status=lost")
    assert unknown is not None
    assert unknown.status == 422
    assert "no PO status 'lost'" in await buyer.locator(".error").inner_text()
    await check_page(buyer, "pos-unknown-status")

    # Paging, search and the export link: 55 more POs (and acme's, never shown).
    await many_pos(rt, "smbi", "BULK", 55)
    await many_pos(rt, "acme", "ACME", 3)
    await buyer.goto(served.url + "/t/smbi/pos")
    await expect(rows).to_have_count(50)  # newest first: the two placed, then BULK-0054...
    first = " ".join(await rows.all_inner_texts())
    assert "PO-DRIFT-1" in first
    assert "BULK-0007" in first
    assert "BULK-0006" not in first
    await buyer.get_by_role("link", name="Next page").click()
    await buyer.wait_for_url(re.compile(r"after="))
    await expect(rows).to_have_count(7)
    second = " ".join(await rows.all_inner_texts())
    assert "BULK-0006" in second
    assert "BULK-0000" in second
    assert "ACME" not in second
    assert await buyer.get_by_role("link", name="Next page").count() == 0
    await buyer.get_by_role("link", name="First page").click()
    await buyer.get_by_label("Search").fill("BULK-001")
    await buyer.get_by_role("button", name="Filter").click()
    await buyer.wait_for_url(re.compile(r"q=BULK-001"))
    await expect(rows).to_have_count(10)
    export = buyer.get_by_role("link", name="Export CSV")
    href = await export.get_attribute("href")
    assert href == "/t/smbi/pos.csv?q=BULK-001"
    exported = await buyer.request.get(served.url + href)
    assert exported.headers["content-type"].startswith("text/csv")
    assert (await exported.text()).count("BULK-001") == 10
    await check_page(buyer, "pos-search")

    await buyer.goto(served.url + "/t/smbi/pos/PO-DRIFT-1")
    assert "waiting for an admin's approval" in await buyer.locator("#po-waiting").inner_text()
    assert await buyer.get_by_role("button", name="Approve price").count() == 0
    assert await buyer.get_by_role("link", name="Cancel PO").count() == 1
    assert "differs" in await buyer.locator("#po-lines").inner_text()
    await check_page(buyer, "po-awaiting-approval-buyer")
    # The button is not merely hidden: a buyer's post is refused.
    client = await ready_client(rt, served, "buyer2@smbi.example", "buyer")
    shown = await client.get("/t/smbi/pos/PO-DRIFT-1")
    refused = await client.post(
        "/t/smbi/pos/PO-DRIFT-1/approve", data={"csrf_token": csrf_of(shown.text)}
    )
    assert refused.status_code == 403
    # A buyer may cancel it, but not with a forged or missing CSRF token.
    for data in ({}, {"csrf_token": "forged"}):
        forged = await client.post("/t/smbi/pos/PO-DRIFT-1/cancel", data=data)
        assert forged.status_code == 403
    assert await status_of(rt, "PO-DRIFT-1") == "awaiting_approval"
    await client.aclose()

    admin = await person(browser, rt, served, "admin@smbi.example", "admin")
    await admin.goto(served.url + "/t/smbi/pos/PO-DRIFT-1")
    await check_page(admin, "po-awaiting-approval-admin")
    await admin.get_by_role("button", name="Approve price").click()
    await admin.wait_for_url(re.compile(r"/t/smbi/pos/PO-DRIFT-1$"))
    await expect(admin.locator("#po-status")).to_have_text("Submitted")
    assert "price approved" in await admin.locator("#po-timeline").inner_text()
    assert "console:admin@smbi.example" in await admin.locator("main").inner_text()
    assert await status_of(rt, "PO-DRIFT-1") == "submitted"
    await check_page(admin, "po-approved")
    # Approving twice is refused on the page, not with a server error.
    again = await admin.request.post(
        served.url + "/t/smbi/pos/PO-DRIFT-1/approve",
        form={"csrf_token": csrf_of(await admin.content())},
    )
    assert again.status == 422
    assert "not awaiting approval" in await again.text()
    for page in (buyer, admin):
        await page.close()


async def test_a_held_po_is_released_or_cancelled(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    for po_number in ("PO-HOLD-1", "PO-HOLD-2"):
        assert (await submit(rt, simulator, po_number, hold=True)).status == "on_hold"
    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")

    await buyer.goto(served.url + "/t/smbi/pos/PO-HOLD-1")
    await expect(buyer.locator("#po-status")).to_have_text("On hold")
    assert "held for review" in await buyer.locator("#po-live").inner_text()
    # When disty last asked the distributor (placing it), in words and in UTC; polling is off
    # here (the console tests' DISTY_POLL_INTERVAL_S 0), so no next check is scheduled.
    await expect(buyer.locator("#po-checked")).to_have_text(
        re.compile(r"^(now|\d+ min ago) \([A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M UTC\)$")
    )
    await expect(buyer.locator("#po-next-check")).to_have_text(re.compile("^not scheduled: "))
    await check_page(buyer, "po-on-hold")
    await buyer.get_by_role("button", name="Release").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-HOLD-1$"))
    await expect(buyer.locator("#po-status")).not_to_have_text("On hold")
    assert "released" in await buyer.locator("#po-timeline").inner_text()
    assert await status_of(rt, "PO-HOLD-1") != "on_hold"
    assert await buyer.get_by_role("button", name="Release").count() == 0
    assert "held for review" not in await buyer.locator(".po-status").inner_text()
    await check_page(buyer, "po-released")

    # Cancel asks first, on a page of its own; "Keep it" changes nothing.
    await buyer.goto(served.url + "/t/smbi/pos/PO-HOLD-2")
    await buyer.get_by_role("link", name="Cancel PO").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-HOLD-2/cancel$"))
    await check_page(buyer, "po-cancel-confirm")
    await buyer.get_by_role("link", name="Keep it").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-HOLD-2$"))
    assert await status_of(rt, "PO-HOLD-2") == "on_hold"
    await buyer.get_by_role("link", name="Cancel PO").click()
    # While the distributor is asked, the button says so and cannot be pressed again.
    confirm = buyer.locator("#cancel-confirm")  # by id: its name changes once pressed
    busy = await pressed_once(buyer, buyer.locator("main form"), confirm)
    assert busy == (True, "Cancelling…", 1)
    await buyer.goto(served.url + "/t/smbi/pos/PO-HOLD-2")
    await expect(buyer.locator("#po-status")).to_have_text("Cancelled")
    # Cancelled is where it is: not "held for review" beside it.
    assert "held for review" not in await buyer.locator(".po-status").inner_text()
    assert "cancelled at the supplier" in await buyer.locator("#po-timeline").inner_text()
    await expect(buyer.locator("#po-next-check")).to_have_text("none: the PO is cancelled")
    await check_page(buyer, "po-cancelled")
    orders = control(simulator, "GET", "/orders")
    assert isinstance(orders, list)
    [held] = [o for o in orders if o["customer_order_number"] == "PO-HOLD-2"]
    assert held["stage"] in ("cancelled", "voided")
    await buyer.close()


async def test_a_viewer_sees_everything_and_can_do_nothing(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    await submit(rt, simulator, "PO-VIEW-1", hold=True)
    await submit(rt, simulator, "PO-VIEW-2", expected_price=Decimal("0.01"))
    viewer = await person(browser, rt, served, "viewer@smbi.example", "viewer")
    await viewer.goto(served.url + "/t/smbi/pos")
    await expect(viewer.locator("#po-list tbody tr")).to_have_count(2)
    await check_page(viewer, "pos-viewer")
    for po_number in ("PO-VIEW-1", "PO-VIEW-2"):
        await viewer.goto(served.url + f"/t/smbi/pos/{po_number}")
        assert await viewer.locator("#po-live button").count() == 0
        assert await viewer.locator("#po-live form").count() == 0
        await check_page(viewer, f"po-viewer-{po_number}")

    client = await ready_client(rt, served, "viewer2@smbi.example", "viewer")
    shown = await client.get("/t/smbi/pos/PO-VIEW-1")
    assert shown.status_code == 200
    token = csrf_of(shown.text)  # the sign-out form's: a valid token for this session
    for po_number, action in [
        ("PO-VIEW-1", "release"), ("PO-VIEW-1", "cancel"), ("PO-VIEW-1", "refresh"),
        ("PO-VIEW-1", "submit"), ("PO-VIEW-2", "approve"), ("PO-VIEW-2", "cancel"),
    ]:  # fmt: skip
        refused = await client.post(f"/t/smbi/pos/{po_number}/{action}", data={"csrf_token": token})
        assert refused.status_code == 403, (po_number, action)
    assert await status_of(rt, "PO-VIEW-1") == "on_hold"
    assert await status_of(rt, "PO-VIEW-2") == "awaiting_approval"
    # An unknown PO, or an unknown action, is a 404 page.
    assert (await client.get("/t/smbi/pos/PO-NONE")).status_code == 404
    assert (
        await client.post("/t/smbi/pos/PO-VIEW-1/explode", data={"csrf_token": token})
    ).status_code == 404
    await client.aclose()
    # Another tenant's people find none of smbi's POs.
    other = await ready_client(rt, served, "admin@acme.example", "admin", shortcut="acme")
    for path in ("/t/smbi/pos", "/t/smbi/pos/PO-VIEW-1", "/t/smbi/pos/PO-VIEW-1/invoices"):
        assert (await other.get(path)).status_code == 404, path
    shown = await other.get("/t/acme/pos")
    assert shown.status_code == 200
    assert "PO-VIEW-1" not in shown.text
    stolen = await other.post(
        "/t/smbi/pos/PO-VIEW-1/cancel", data={"csrf_token": csrf_of(shown.text)}
    )
    assert stolen.status_code == 404
    assert await status_of(rt, "PO-VIEW-1") == "on_hold"
    await other.aclose()
    await viewer.close()


async def test_a_distributor_failure_on_refresh_is_said_clearly(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    await submit(rt, simulator, "PO-FAULT-1")
    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")
    await buyer.goto(served.url + "/t/smbi/pos/PO-FAULT-1")

    fault = {"kind": "error", "endpoint": "get-orderdetails-v6.1", "status": 500}
    control(simulator, "POST", "/faults", json=fault)
    async with buyer.expect_response(re.compile(r"/PO-FAULT-1/refresh$")) as answered:
        await buyer.get_by_role("button", name="Refresh from Ingram").click()
    assert (await answered.value).status == 503
    error = buyer.locator("#po-error")
    await expect(error).to_contain_text(DISTRIBUTOR_DOWN)
    assert "try again" in await error.inner_text()
    await expect(buyer.locator("#po-status")).to_have_text("Submitted")
    await check_page(buyer, "po-refresh-failed")
    control(simulator, "DELETE", "/faults")

    control(simulator, "PUT", "/maintenance", json={"on": True})
    await buyer.goto(served.url + "/t/smbi/pos/PO-FAULT-1")
    async with buyer.expect_response(re.compile(r"/PO-FAULT-1/refresh$")) as answered:
        await buyer.get_by_role("button", name="Refresh from Ingram").click()
    assert (await answered.value).status in (502, 503)
    assert "maintenance" in (await buyer.locator("#po-error").inner_text()).lower()
    await check_page(buyer, "po-refresh-maintenance")
    control(simulator, "PUT", "/maintenance", json={"on": False})

    # Once the distributor is back, Refresh works and answers with the PO page.
    await buyer.goto(served.url + "/t/smbi/pos/PO-FAULT-1")
    await buyer.get_by_role("button", name="Refresh from Ingram").click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-FAULT-1$"))
    assert await buyer.locator("#po-error").count() == 0
    await buyer.close()


async def saved_draft(rt: Runtime, simulator: RunningSimulator, po_number: str) -> None:
    """The state ``ordering.submit`` leaves when the process stops right after saving a PO
    (its first commit), before the price check: a draft nobody queued."""
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        connection = await connections.get_connection(session, tenant, "ingram", 1)
        session.add(
            PurchaseOrder(
                tenant_id=tenant.id, connection_id=connection.id, supplier="ingram",
                country_id=1, po_number=po_number, status="draft", ship_to=SHIP_TO.to_dict(),
                supplier_order_numbers=[], shipments=[], invoices=[],
                lines=[POLine(line_number=1, sku=serialised_sku(simulator), quantity=1,
                              serial_numbers=[])],
                timeline=[POEvent(source="person", actor="test", status="draft",
                                  message="PO saved")],
            )
        )  # fmt: skip
        await session.commit()


async def test_a_draft_po_nobody_queued_is_submitted_from_its_page(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect(rt, simulator, served)
    await saved_draft(rt, simulator, "PO-DRAFT-1")
    buyer = await person(browser, rt, served, "buyer@smbi.example", "buyer")
    await buyer.goto(served.url + "/t/smbi/pos/PO-DRAFT-1")
    await expect(buyer.locator("#po-status")).to_have_text("Draft")
    await check_page(buyer, "po-draft")
    await buyer.get_by_role("button", name="Submit", exact=True).click()
    await buyer.wait_for_url(re.compile(r"/t/smbi/pos/PO-DRAFT-1$"))
    await expect(buyer.locator("#po-status")).to_have_text("Submitted")
    await check_page(buyer, "po-draft-submitted")
    assert "console:buyer@smbi.example" in await buyer.locator("#po-timeline").inner_text()
    assert await buyer.get_by_role("button", name="Submit", exact=True).count() == 0
    orders = control(simulator, "GET", "/orders")
    assert isinstance(orders, list)
    assert len([o for o in orders if o["customer_order_number"] == "PO-DRAFT-1"]) == 1
    # Sending it again is refused on the page: the PO is no longer a draft.
    again = await buyer.request.post(
        served.url + "/t/smbi/pos/PO-DRAFT-1/submit",
        form={"csrf_token": csrf_of(await buyer.content())},
    )
    assert again.status == 422
    assert "only a draft PO or one being sent" in await again.text()
    orders = control(simulator, "GET", "/orders")
    assert isinstance(orders, list)
    assert len([o for o in orders if o["customer_order_number"] == "PO-DRAFT-1"]) == 1
    await buyer.close()
