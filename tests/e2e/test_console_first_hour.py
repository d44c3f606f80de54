"""A new admin's first hour in the console, in a real browser (Debian's Chromium through
Playwright), against disty served over real HTTP and the simulator, on SQLite and PostgreSQL:
the dashboard leads to connecting a distributor, the Admin menu and links in the crumbs; the
settings form keeps a refused form's values (never its secrets) and says Saved; Run Test
answers by redirect (a reload shows its result), says what it is doing and cannot be pressed
twice; the console speaks of its own fields, never of CLI options; a browser gets HTML error
pages while API clients get problem documents; /docs works with no route off the machine;
the favicon answers."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import expect

from disty.runtime import Runtime
from tests.e2e.conftest import add_user, check_page, first_sign_in, pressed_once
from tests.fixtures.disty import ServedDisty
from tests.fixtures.simulator import RunningSimulator

TYPED_SECRET = "a-typed-secret-9876"


async def test_a_new_admin_connects_a_distributor_from_the_dashboard(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1366, "height": 900})
    await first_sign_in(page, served, "admin@smbi.example", password)

    # Nothing connected: the dashboard says what to do first, and the way to it.
    cta = page.locator("#connect-distributor")
    await expect(cta).to_be_visible()
    assert await page.locator("link[rel=icon]").get_attribute("href") == "/static/favicon.svg"
    await cta.get_by_role("link", name="Connect a distributor").click()
    await page.wait_for_url(re.compile(r"/t/smbi/admin#suppliers$"))
    await check_page(page, "admin")
    # The Admin menu in the navigation holds the admin pages.
    menu = page.locator("#admin-menu")
    await menu.locator("summary").click()
    for name in ("Suppliers", "Webhook log", "Supplier preference"):
        await expect(menu.get_by_role("link", name=name)).to_be_visible()
    await (
        page.locator("#admin-suppliers")
        .get_by_role("link", name=re.compile(r"^Connect Ingram Micro"))
        .click()
    )
    await page.wait_for_url(re.compile(r"/t/smbi/suppliers/ingram/1$"))

    # One refused field keeps the other edits; the secret typed is not shown back.
    await page.get_by_label("Client ID").fill("CID-KEPT")
    await page.get_by_label("Client Secret").fill(TYPED_SECRET)
    await page.get_by_label("Customer number").fill(simulator.customer_number)
    await page.get_by_label("Base URL", exact=False).fill("ftp://nowhere.example")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#base_url-error")).to_be_visible()
    await expect(page.get_by_label("Client ID")).to_have_value("CID-KEPT")
    await expect(page.get_by_label("Customer number")).to_have_value(simulator.customer_number)
    await expect(page.get_by_label("Client Secret")).to_have_value("")
    assert "type them once more" in await page.locator("#settings-error").inner_text()
    assert TYPED_SECRET not in await page.content()
    await check_page(page, "settings-refused")

    await page.get_by_label("Client ID").fill(simulator.client_id)
    await page.get_by_label("Client Secret").fill(simulator.client_secret)
    await page.get_by_label("Base URL", exact=False).fill(simulator.base_url)
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.wait_for_url(re.compile(r"/t/smbi/suppliers/ingram/1\?saved=1$"))
    await expect(page.locator("#settings-saved")).to_have_text("Saved.")
    # The crumbs are links.
    crumbs = page.locator(".crumbs")
    for name in ("Dashboard", "Admin", "Suppliers"):
        await expect(crumbs.get_by_role("link", name=name)).to_have_count(1)

    # Run Test says what it is doing and cannot be pressed twice while Ingram is asked.
    run_test = page.locator("#run-test-button")  # by id: its name changes once pressed
    busy = await pressed_once(page, page.locator("#run-test form"), run_test)
    assert busy == (True, "Testing: asking Ingram Micro…", 1)
    # Redirect after the post: the result is on the settings page, and a reload shows it.
    await page.reload()
    await page.get_by_role("button", name="Run Test").click()
    await page.wait_for_url(re.compile(r"/t/smbi/suppliers/ingram/1#run-test$"))
    await expect(page.locator('tr[data-check="credentials"]')).to_contain_text("Passed")
    await page.reload()
    result = page.locator("#run-test")
    await expect(result.locator('tr[data-check="webhook_key"]')).to_contain_text("Warning")
    # The console speaks of its own fields and buttons, never of CLI commands or options.
    said = await page.locator("main").inner_text()
    for cli_words in ("--webhook-key", "disty webhook url", "disty supplier set", "--"):
        assert cli_words not in said, cli_words
    assert "New Webhook Key" in await result.inner_text()
    await check_page(page, "settings-tested")

    # Save and Exit lands on the dashboard, saying what was saved.
    await page.get_by_role("button", name="Save and Exit").click()
    await expect(page.locator("#dashboard-saved")).to_have_text(
        "Ingram Micro settings saved (United States)."
    )
    await expect(page.locator("#connect-distributor")).to_have_count(0)

    # Browsers get pages for errors; a form's address opened as a page leads to its page.
    missing = await page.goto(served.url + "/t/smbi/nowhere")
    assert missing is not None
    assert missing.status == 404
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    wrong = await page.goto(served.url + "/logout")
    assert wrong is not None
    assert wrong.status == 405
    await expect(page.get_by_role("heading", name="Method not allowed")).to_be_visible()
    await check_page(page, "error-405")
    await page.goto(served.url + "/t/smbi/suppliers/ingram/1/test")
    await page.wait_for_url(re.compile(r"/t/smbi/suppliers/ingram/1#run-test$"))
    await page.close()

    async with httpx.AsyncClient(base_url=served.url) as client:
        html = {"accept": "text/html"}
        api = await client.get("/api/v1/nowhere", headers=html)
        assert api.status_code == 404
        assert api.headers["content-type"] == "application/problem+json"
        script = await client.get("/nowhere")  # no Accept: text/html, a problem document
        assert script.headers["content-type"] == "application/problem+json"
        icon = await client.get("/favicon.ico")
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")


async def test_the_api_docs_work_without_internet(browser: Any, served: ServedDisty) -> None:
    context = await browser.new_context()
    elsewhere: list[str] = []

    async def on_this_machine_only(route: Any) -> None:
        if route.request.url.startswith(served.url):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await context.route("**/*", on_this_machine_only)
    page = await context.new_page()
    await page.goto(served.url + "/docs")
    await expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert await page.locator(".opblock").count() > 10
    assert elsewhere == []
    await context.close()
