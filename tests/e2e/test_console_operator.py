"""The platform operator's page in a real browser, on SQLite and PostgreSQL: an operator signs
in onto the tenants page, adds a tenant, sees clear errors for a bad or taken shortcut, and can
open any tenant's dashboard; a tenant's admin is refused the page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from disty.services import tenants
from tests.e2e.conftest import add_user, first_sign_in, fits_390, shot, unnamed_controls
from tests.fixtures.disty import ServedDisty, serve_disty


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1], "SMB Integrators")
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings, run_worker=False) as running:
        yield running


async def test_an_operator_adds_tenants_and_a_tenant_admin_cannot(
    browser: Any, rt: Runtime, served: ServedDisty
) -> None:
    password = await add_user(rt, "ops@platform.example", "operator", None)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "ops@platform.example", password, lands_on=r"/operator$")
    listed = page.get_by_role("region", name="All tenants")
    assert "SMB Integrators (smbi)" in await listed.inner_text()
    assert await unnamed_controls(page) == []
    await shot(page, "operator")

    await page.get_by_label("Shortcut (lowercase letters, digits, hyphens)").fill("newco")
    await page.get_by_label("Name", exact=True).fill("New Co")
    await page.get_by_label("Canada").check()
    await page.get_by_role("button", name="Add tenant").click()
    await page.wait_for_url(re.compile(r"/operator$"))
    assert "New Co (newco): United States, Canada" in await listed.inner_text()

    # A taken shortcut, a bad one, and no country: each a clear error, nothing added.
    for shortcut, countries, message in [
        ("newco", True, "tenant 'newco' exists already"),
        ("Bad Shortcut!", True, "shortcut"),
        ("nocountry", False, "at least one country"),
    ]:
        await page.get_by_label("Shortcut (lowercase letters, digits, hyphens)").fill(shortcut)
        if not countries:
            await page.get_by_label("United States").uncheck()
        await page.get_by_role("button", name="Add tenant").click()
        alert = page.get_by_role("alert")
        assert message in (await alert.inner_text()), await alert.inner_text()
    await shot(page, "operator-error")
    await page.set_viewport_size({"width": 390, "height": 800})
    assert await fits_390(page)
    async with rt.sessions() as session:
        shortcuts = sorted(t.shortcut for t in await tenants.list_tenants(session))
    assert shortcuts == ["newco", "smbi"]

    # Operators open any tenant's dashboard from the list.
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(served.url + "/operator")
    await page.get_by_role("link", name="New Co (newco)").click()
    await page.wait_for_url(re.compile(r"/t/newco$"))
    assert await page.get_by_role("heading", name="New Co").count() == 1

    # A tenant's admin is refused the operator's page and its form.
    admin_password = await add_user(rt, "admin@smbi.example", "admin", "smbi")
    other = await browser.new_page()
    await first_sign_in(other, served, "admin@smbi.example", admin_password)
    refused = await other.goto(served.url + "/operator")
    assert refused is not None
    assert refused.status == 403
    assert await other.get_by_role("link", name="Tenants").count() == 0
