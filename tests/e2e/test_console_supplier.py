"""A supplier disty's own code does not name gets its console settings page from its
registration alone: the form shows its declared settings, saves them (the secret write-only,
shown masked), and shows no webhook section or guide, since the supplier has neither."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from disty.config import Settings
from disty.domain.connections import ApiType
from disty.errors import ApiTypeNotAvailable
from disty.runtime import Runtime
from disty.services import connections, tenants
from disty.suppliers import registry
from disty.suppliers.base import Supplier
from disty.suppliers.hub import SupplierHub
from disty.suppliers.registry import (
    EVERY_CAPABILITY,
    NO_CAPABILITY,
    ConnectionSettings,
    Registration,
    Setting,
)
from tests.e2e.conftest import add_user, check_page, first_sign_in
from tests.fixtures.disty import ServedDisty

SECRET = "the-api-key-4321"


def _no_adapter(connection: ConnectionSettings, hub: SupplierHub, settings: Settings) -> Supplier:
    raise ApiTypeNotAvailable("this test's supplier makes no calls")


FAKE = Registration(
    key="fakedist",
    name="Fake Distribution",
    countries=(1,),
    endpoints=("https://api.fakedist.example",),
    settings=(
        Setting(
            "account",
            "account number",
            "Your account, e.g. FD-1.",
            required_for=EVERY_CAPABILITY,
            example="FD-1",
        ),
        Setting(
            "api_key",
            "API key",
            "The key on the portal's API page.",
            secret=True,
            required_for=EVERY_CAPABILITY,
        ),
    ),
    adapters={ApiType.REST: _no_adapter},
    api_types={ApiType.REST: "REST API"},
    capabilities=NO_CAPABILITY,
    checks=(("credentials", True),),
    credentials_fix="Paste them from the portal.",
)


@pytest.fixture
def fake_supplier() -> Iterator[Registration]:
    registry.register(FAKE)
    try:
        yield FAKE
    finally:
        registry.unregister(FAKE.key)


async def test_a_registered_supplier_gets_a_settings_page_from_its_declaration(
    browser: Any, rt: Runtime, served: ServedDisty, fake_supplier: Registration
) -> None:
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "admin@smbi.example", password)
    status = page.locator("#supplier-status")
    assert "Fake Distribution" in await status.inner_text()

    await page.get_by_role("link", name="Fake Distribution").click()
    await page.wait_for_url("**/t/smbi/suppliers/fakedist/1")
    assert await page.get_by_label("Account number").get_attribute("placeholder") == "FD-1"
    assert await page.get_by_label("API key").get_attribute("type") == "password"
    assert await page.locator("#api_type option").all_inner_texts() == ["REST API"]
    # No webhook codec, no guide: neither section shows.
    for absent in ("#webhooks", "#webhook_key", "#destination-url", "#guide"):
        assert await page.locator(absent).count() == 0, absent
    await check_page(page, "fake-supplier")

    await page.get_by_label("Account number").fill("FD-100")
    await page.get_by_label("API key").fill(SECRET)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url("**/t/smbi/suppliers/fakedist/1")
    assert await page.get_by_label("Account number").input_value() == "FD-100"
    assert "saved: ••••4321" in await page.locator("label[for=api_key]").inner_text()
    assert SECRET not in await page.content()

    # A blank secret keeps the saved one.
    await page.get_by_label("Account number").fill("FD-200")
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url("**/t/smbi/suppliers/fakedist/1")
    assert "saved: ••••4321" in await page.locator("label[for=api_key]").inner_text()
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        saved = await connections.get_connection(session, tenant, FAKE.key, 1)
        assert connections.connection_settings(saved, rt.box).values == {
            "account": "FD-200",
            "api_key": SECRET,
        }
    assert SECRET not in await page.content()

    # A country it does not serve, and a key nobody registered, are no pages.
    for path in ("/t/smbi/suppliers/fakedist/29", "/t/smbi/suppliers/nobody/1"):
        answer = await page.goto(served.url + path)
        assert answer is not None, path
        assert answer.status == 404, path
    await page.goto(served.url + "/t/smbi")
    assert SECRET not in await page.content()
    await page.close()
