"""A supplier disty's own code does not name (tests/fixtures/fake_supplier.py) gets its
console settings page from its registration alone: the form shows its declared settings, saves
them (the secret write-only, shown masked), runs its own Run Test checks against it, and shows
no webhook section or guide, since the supplier has neither."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from disty.runtime import Runtime
from disty.services import connections, tenants
from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from tests.e2e.conftest import add_user, check_page, first_sign_in
from tests.fixtures.disty import ServedDisty
from tests.fixtures.fake_supplier import (
    ACCOUNT,
    API_KEY,
    KEY,
    REGISTRATION,
    RunningTessera,
    serve_tessera,
    tessera_registered,
)
from tests.fixtures.simulator import RunningSimulator


@pytest.fixture
def tessera() -> Iterator[RunningTessera]:
    with tessera_registered(), serve_tessera() as running:
        yield running


async def test_a_registered_supplier_gets_a_settings_page_from_its_declaration(
    browser: Any, rt: Runtime, served: ServedDisty, tessera: RunningTessera
) -> None:
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "admin@smbi.example", password)
    status = page.locator("#supplier-status")
    assert "Tessera Supply" in await status.inner_text()

    await page.get_by_role("link", name="Tessera Supply").click()
    await page.wait_for_url(f"**/t/smbi/suppliers/{KEY}/1")
    assert await page.get_by_label("Account number").get_attribute("placeholder") == "TS-1234"
    assert await page.get_by_label("API key").get_attribute("type") == "password"
    assert await page.locator("#api_type option").all_inner_texts() == ["REST"]
    # No webhook codec, no guide: neither section shows.
    for absent in ("#webhooks", "#webhook_key", "#destination-url", "#guide"):
        assert await page.locator(absent).count() == 0, absent
    await check_page(page, "fake-supplier")

    await page.get_by_label("Account number").fill("TS-0000")
    await page.get_by_label("API key").fill(API_KEY)
    await page.get_by_label("Base URL", exact=False).fill(tessera.url)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(re.compile(rf"/t/smbi/suppliers/{KEY}/1\?saved=1$"))
    assert await page.get_by_label("Account number").input_value() == "TS-0000"
    masked = "saved: ••••" + API_KEY[-4:]
    assert masked in await page.locator("label[for=api_key]").inner_text()
    assert API_KEY not in await page.content()
    # Its own checks, run against it: the account number is wrong, so its API refuses.
    await page.get_by_role("button", name="Run Test").click()
    assert "Failed" in await page.locator('tr[data-check="credentials"]').inner_text()

    # A blank secret keeps the saved one; with the right account its checks pass.
    await page.get_by_label("Account number").fill(ACCOUNT)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(re.compile(rf"/t/smbi/suppliers/{KEY}/1\?saved=1$"))
    assert masked in await page.locator("label[for=api_key]").inner_text()
    await page.get_by_role("button", name="Run Test").click()
    assert "Passed" in await page.locator('tr[data-check="credentials"]').inner_text()
    assert "Passed" in await page.locator('tr[data-check="price_availability"]').inner_text()
    assert await page.locator('tr[data-check="webhook_key"]').count() == 0
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        saved = await connections.get_connection(session, tenant, REGISTRATION.key, 1)
        assert connections.connection_settings(saved, rt.box).values == {
            "account_number": ACCOUNT,
            "api_key": API_KEY,
        }
    assert API_KEY not in await page.content()

    # A country it does not serve, and a key nobody registered, are no pages.
    for path in (f"/t/smbi/suppliers/{KEY}/29", "/t/smbi/suppliers/nobody/1"):
        answer = await page.goto(served.url + path)
        assert answer is not None, path
        assert answer.status == 404, path
    await page.goto(served.url + "/t/smbi")
    assert API_KEY not in await page.content()
    await page.close()


async def allow_ips(simulator: RunningSimulator, *ips: str) -> None:
    async with httpx.AsyncClient() as control:
        sent = await control.put(simulator.control_url + "/tdsynnex/allowed-ips", json={"ips": ips})
        sent.raise_for_status()


async def test_tdsynnex_shows_its_settings_guide_and_run_test_with_fixes(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    """TD SYNNEX's page, from its registration: its settings, its guide ticking from Run Test,
    and each failing check with its fix (a wrong password; an IP TD SYNNEX has not
    registered, with the address it saw)."""
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "admin@smbi.example", password)
    await page.get_by_role("link", name="TD SYNNEX").click()
    await page.wait_for_url("**/t/smbi/suppliers/tdsynnex/1")
    assert await page.get_by_label("EC Express XML password").get_attribute("type") == "password"
    assert "portal login" in await page.content()  # the XML user's help
    guide = page.locator("#guide li")
    assert await guide.count() == 6
    assert await page.locator("#guide li.done").count() == 0
    await check_page(page, "tdsynnex-supplier")

    await page.get_by_label("Customer number").fill(DEMO_TDSYNNEX_CUSTOMER)
    await page.get_by_label("EC Express XML user").fill(DEMO_TDSYNNEX_USER)
    await page.get_by_label("EC Express XML password").fill("not-the-password-0000")
    await page.get_by_label("Base URL", exact=False).fill(simulator.root_url + "/tdsynnex/us")
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(re.compile(r"/t/smbi/suppliers/tdsynnex/1\?saved=1$"))
    await page.get_by_role("button", name="Run Test").click()
    credentials = await page.locator('tr[data-check="credentials"]').inner_text()
    assert "Failed" in credentials
    assert "EC Express XML user" in credentials  # its fix
    assert "Skipped" in await page.locator('tr[data-check="ordering_ip"]').inner_text()

    # The right password, from an address TD SYNNEX has not registered.
    await allow_ips(simulator, "203.0.113.9")
    await page.get_by_label("EC Express XML password", exact=False).fill(DEMO_TDSYNNEX_PASSWORD)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(re.compile(r"/t/smbi/suppliers/tdsynnex/1\?saved=1$"))
    await page.get_by_role("button", name="Run Test").click()
    assert "Passed" in await page.locator('tr[data-check="credentials"]').inner_text()
    ip = await page.locator('tr[data-check="ordering_ip"]').inner_text()
    assert "Failed" in ip
    assert "127.0.0.1" in ip
    assert "customer number" in ip
    assert "Passed" in await page.locator('tr[data-check="freight"]').inner_text()
    assert "(optional)" in await page.locator('tr[data-check="rest_token"]').inner_text()
    await check_page(page, "tdsynnex-ip-not-registered")
    classes = [await guide.nth(i).get_attribute("class") for i in range(6)]
    assert classes == ["done", "done", "todo", "todo", "done", "todo"]

    # TD SYNNEX registers it: the check passes and the guide ticks the IP step.
    await allow_ips(simulator, "*")
    await page.get_by_role("button", name="Run Test").click()
    assert "Passed" in await page.locator('tr[data-check="ordering_ip"]').inner_text()
    await page.reload()
    assert await guide.nth(2).get_attribute("class") == "done"
    assert DEMO_TDSYNNEX_PASSWORD not in await page.content()
