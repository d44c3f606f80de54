"""The web console in a real browser (Debian's Chromium through Playwright), against disty
served over real HTTP and the simulator, on SQLite and PostgreSQL: an admin signs in, sets up
Ingram Micro with the guide ticking itself, and replays a dead event; every page has named
controls and fits 390 px; security rules hold (secrets, CSRF, roles, tenants, throttling)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from playwright.async_api import expect

from disty.domain.orders import Address
from disty.runtime import Runtime
from disty.services import ordering
from disty.services.ordering import Context, LineInput
from tests.conftest import Cli
from tests.e2e.conftest import (
    NEW_PASSWORD,
    add_user,
    check_page,
    csrf_of,
    first_sign_in,
    signed_in_client,
    tables_fit_390,
)
from tests.fixtures.disty import ServedDisty
from tests.fixtures.ingram import control, new_app
from tests.fixtures.simulator import RunningSimulator, expected_signature


async def test_an_admin_sets_up_ingram_with_the_guide_ticking(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator, cli: Cli
) -> None:
    client_id, client_secret = new_app(simulator, state="in_review")
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(served.url + "/login")
    await check_page(page, "login")
    await first_sign_in(page, served, "admin@smbi.example", password)
    status = page.locator("#supplier-status")
    await check_page(page, "dashboard-not-configured")
    assert "not configured" in await status.inner_text()

    await page.get_by_role("link", name="Ingram Micro").click()
    await page.get_by_label("Client ID").fill(client_id)
    await page.get_by_label("Client Secret").fill("a-wrong-secret-1234")
    await page.get_by_label("Customer number").fill(simulator.customer_number)
    await page.get_by_label("Application id").fill("APP-CONSOLE")
    await page.get_by_label("Base URL", exact=False).fill(simulator.base_url)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.get_by_role("button", name="Run Test").click()
    credentials = page.locator('tr[data-check="credentials"]')
    assert "Failed" in await credentials.inner_text()
    assert "client id and client secret" in (await credentials.inner_text()).lower()
    await check_page(page, "ingram-wrong-secret")

    await page.get_by_label("Client Secret").fill(client_secret)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.get_by_role("button", name="Run Test").click()
    assert "Passed" in await page.locator('tr[data-check="credentials"]').inner_text()
    assert "Failed" in await page.locator('tr[data-check="api_access"]').inner_text()
    guide = page.locator("#guide li")
    assert await guide.nth(2).get_attribute("class") == "done"  # credentials saved
    assert await guide.nth(3).get_attribute("class") == "todo"  # still in review

    # The Destination URL shown is exactly what 'disty webhook url' prints.
    shown = (await page.locator("#destination-url").inner_text()).strip()
    printed = await asyncio.to_thread(cli, "webhook", "url", "--tenant", "smbi", "--country", "1")
    assert shown == printed.stdout.strip()

    # Ingram approves the app; Run Test passes and the guide ticks approval.
    control(simulator, "PATCH", f"/apps/{client_id}", json={"state": "approved"})
    await page.get_by_role("button", name="Run Test").click()
    result = await page.locator("#run-test").inner_text()
    assert "Every required check passed" in result, result
    assert await guide.nth(3).get_attribute("class") == "done"
    # Checks by their titles, not their keys; the table fits a phone without scrolling.
    checks = await page.locator("#checks").inner_text()
    assert "Price and availability" in checks
    assert "price_availability" not in checks
    assert await tables_fit_390(page, "#checks") == []

    # The portal's webhook: its Signature Token becomes the Webhook Key.
    hook = control(
        simulator, "POST", f"/apps/{client_id}/webhooks", json={"destination_url": served.hook()}
    )
    assert isinstance(hook, dict)
    await page.get_by_label("New Webhook Key").fill(str(hook["secret"]))
    await page.get_by_role("button", name="Save", exact=True).click()
    assert await guide.nth(4).get_attribute("class") == "done"
    assert await guide.nth(7).get_attribute("class") == "todo"
    await check_page(page, "ingram-approved")

    # "Send Test Event": the guide ticks the last steps without a reload.
    control(simulator, "POST", f"/webhooks/{hook['id']}/test-event")
    # (A locator, not wait_for_function: that evaluates strings in the page, which the
    # console's Content-Security-Policy forbids.)
    await expect(page.locator("#guide li.done")).to_have_count(8, timeout=20_000)
    await check_page(page, "ingram-guide-complete")

    await page.goto(served.url + "/t/smbi")
    assert "connected" in await status.inner_text()
    assert "last verified" in await status.inner_text()
    assert await tables_fit_390(page, "#supplier-table") == []
    await check_page(page, "dashboard-connected")
    await page.locator("#admin-menu summary").click()  # the Admin menu opens
    await page.get_by_role("link", name="Webhook log").click()
    assert "Processed" in await page.locator("#events").inner_text()
    await check_page(page, "webhook-log")

    # Nothing secret reached the browser on the way.
    for secret in (client_secret, str(hook["secret"]), password, "a-wrong-secret-1234"):
        assert secret not in await page.content()
    await page.close()


async def test_an_admin_replays_a_dead_event(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    from disty.services import connections
    from disty.services.connections import ConnectionChanges

    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                client_id=simulator.client_id, client_secret=simulator.client_secret,
                customer_number=simulator.customer_number, base_url=simulator.base_url,
                webhook_key="the-signature-token",
            ),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip
    async with rt.sessions() as session:
        po = await ordering.submit(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", po_number="PO-CONSOLE-1",
            lines=[LineInput(str(simulator.state.catalog.product(30).ingram_part_number), 1)],
            ship_to=Address("Acme", "1 Main", "Springfield", "IL", "62701", "US"),
        )  # fmt: skip
    [number] = po.supplier_order_numbers
    fault = {"kind": "error", "endpoint": "get-orderdetails-v6.1", "status": 500}
    control(simulator, "POST", "/faults", json=fault)
    event = {
        "eventId": "EVT-DEAD-UI",
        "resource": [{"eventType": "im::order_shipped", "orderNumber": number,
                      "customerOrderNumber": "PO-CONSOLE-1"}],
    }  # fmt: skip
    async with httpx.AsyncClient() as client:
        delivered = await client.post(
            served.hook(),
            content=json.dumps(event),
            headers={"x-hub-signature": expected_signature("the-signature-token", "EVT-DEAD-UI")},
        )
    assert delivered.status_code == 200

    password = await add_user(rt, "ops@smbi.example", "admin")
    page = await browser.new_page()
    await first_sign_in(page, served, "ops@smbi.example", password)
    await page.goto(served.url + "/t/smbi/webhooks")
    row = page.locator("#event-EVT-DEAD-UI")
    for _ in range(100):
        if "needs replay" in await row.inner_text():
            break
        await asyncio.sleep(0.1)
        await page.reload()
    shown = await row.inner_text()
    assert "Failed, needs replay" in shown
    # The event type in words (Ingram's registration labels it), not its internal name.
    assert "Order shipped" in shown
    assert "im::" not in shown
    await check_page(page, "webhook-log-dead")
    control(simulator, "DELETE", "/faults")
    await page.get_by_role("button", name="Replay event EVT-DEAD-UI").click()
    assert "Processed" in await page.locator("#event-EVT-DEAD-UI").inner_text()
    await check_page(page, "webhook-log-replayed")
    await page.close()


async def test_roles_tenants_csrf_and_throttling(rt: Runtime, served: ServedDisty) -> None:
    admin_pw = await add_user(rt, "a@smbi.example", "admin")
    buyer_pw = await add_user(rt, "b@smbi.example", "buyer")
    other_pw = await add_user(rt, "c@acme.example", "admin", shortcut="acme")

    admin = await signed_in_client(served, "a@smbi.example", admin_pw)
    page = await admin.get("/password")
    changed = await admin.post(
        "/password",
        data={"csrf_token": csrf_of(page.text), "current": admin_pw, "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert changed.status_code == 303
    settings_page = await admin.get("/t/smbi/suppliers/ingram/1")
    assert settings_page.status_code == 200
    # A post without the CSRF token (or with another) is refused and changes nothing.
    for data in ({"client_id": "evil"}, {"client_id": "evil", "csrf_token": "forged"}):
        refused = await admin.post("/t/smbi/suppliers/ingram/1", data=data)
        assert refused.status_code == 403
    assert "evil" not in (await admin.get("/t/smbi/suppliers/ingram/1")).text
    saved = await admin.post(
        "/t/smbi/suppliers/ingram/1",
        data={"csrf_token": csrf_of(settings_page.text), "client_id": "good-client",
              "client_secret": "the-client-secret-5678", "webhook_key": "the-key-9012"},
    )  # fmt: skip
    assert saved.status_code == 303
    # Secrets are write-only: no page and no API answer ever holds them.
    for path in ("/t/smbi", "/t/smbi/suppliers/ingram/1", "/t/smbi/webhooks", "/"):
        html = (await admin.get(path)).text
        assert "the-client-secret-5678" not in html
        assert "the-key-9012" not in html
    assert "5678" in (await admin.get("/t/smbi/suppliers/ingram/1")).text  # masked, last 4

    buyer = await signed_in_client(served, "b@smbi.example", buyer_pw)
    # A buyer (after the password change every first sign-in asks for) cannot open settings.
    page = await buyer.get("/password")
    await buyer.post(
        "/password",
        data={"csrf_token": csrf_of(page.text), "current": buyer_pw, "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert (await buyer.get("/t/smbi")).status_code == 200
    assert (await buyer.get("/t/smbi/suppliers/ingram/1")).status_code == 403
    assert (await buyer.get("/t/smbi/webhooks")).status_code == 403

    other = await signed_in_client(served, "c@acme.example", other_pw)
    page = await other.get("/password")
    await other.post(
        "/password",
        data={"csrf_token": csrf_of(page.text), "current": other_pw, "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    for path in ("/t/smbi", "/t/smbi/suppliers/ingram/1", "/t/smbi/webhooks"):
        assert (await other.get(path)).status_code == 404
    assert (await other.get("/t/acme")).status_code == 200

    # Throttling: after five wrong passwords each attempt waits a delay that doubles (the
    # first about a second), which the owner waits out: then the right password signs in.
    client = httpx.AsyncClient(base_url=served.url)
    for _ in range(5):
        form = await client.get("/login")
        wrong = await client.post(
            "/login",
            data={"csrf_token": csrf_of(form.text), "email": "a@smbi.example", "password": "nope"},
        )
        assert wrong.status_code == 401
    waits = 0
    while True:
        form = await client.get("/login")
        right = await client.post(
            "/login",
            data={"csrf_token": csrf_of(form.text), "email": "a@smbi.example",
                  "password": NEW_PASSWORD},
        )  # fmt: skip
        if right.status_code != 429:
            break
        assert "too many failed sign-ins" in right.text
        waits += 1
        assert waits < 3
        await asyncio.sleep(int(right.headers["Retry-After"]))
    assert right.status_code == 303
    # A sign-in form post without its CSRF cookie is refused too.
    bare = await httpx.AsyncClient(base_url=served.url).post(
        "/login", data={"csrf_token": "x", "email": "a@smbi.example", "password": NEW_PASSWORD}
    )
    assert bare.status_code == 403
    for c in (admin, buyer, other, client):
        await c.aclose()
