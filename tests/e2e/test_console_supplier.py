"""A supplier disty's own code does not name (tests/fixtures/fake_supplier.py) gets its
console settings page from its registration alone: the form shows its declared settings, saves
them (the secret write-only, shown masked), runs its own Run Test checks against it, and shows
no webhook section or guide, since the supplier has neither."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from disty.runtime import Runtime
from disty.services import connections, tenants
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
    await page.wait_for_url(f"**/t/smbi/suppliers/{KEY}/1")
    assert await page.get_by_label("Account number").input_value() == "TS-0000"
    masked = "saved: ••••" + API_KEY[-4:]
    assert masked in await page.locator("label[for=api_key]").inner_text()
    assert API_KEY not in await page.content()
    # Its own checks, run against it: the account number is wrong, so its API refuses.
    await page.get_by_role("button", name="Run Test").click()
    assert "fail" in await page.locator('tr[data-check="credentials"]').inner_text()

    # A blank secret keeps the saved one; with the right account its checks pass.
    await page.get_by_label("Account number").fill(ACCOUNT)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(f"**/t/smbi/suppliers/{KEY}/1")
    assert masked in await page.locator("label[for=api_key]").inner_text()
    await page.get_by_role("button", name="Run Test").click()
    assert "pass" in await page.locator('tr[data-check="credentials"]').inner_text()
    assert "pass" in await page.locator('tr[data-check="price_availability"]').inner_text()
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
