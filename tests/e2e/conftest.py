"""Browser tests: Playwright for Python driving Debian's Chromium (apt-get install chromium),
headless, never a browser download. Screenshots of every page visited go to
tests/e2e/screenshots/ (the test artifacts).

Where /usr/bin/chromium is missing the tests skip, saying why; DISTY_REQUIRE_BROWSER=1 (as CI
sets) turns that into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from disty.services import connections, tenants, users
from disty.services.connections import ConnectionChanges
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, control, harness
from tests.fixtures.simulator import RunningSimulator

CHROMIUM = os.environ.get("DISTY_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Chromium as this machine's closed network needs it (no background traffic, no sandbox as
# root, no GPU).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _have_chromium() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    if not _have_chromium():
        message = f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("DISTY_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (DISTY_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    playwright_api = pytest.importorskip("playwright.async_api")
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
    await page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)  # type: ignore[attr-defined]


_CONTROL = re.compile(r"^\s*- (button|link|textbox|combobox|checkbox|radio|spinbutton)\b(.*)$")


async def unnamed_controls(page: object) -> list[str]:
    """Controls in the accessibility tree without an accessible name."""
    tree: str = await page.locator("body").aria_snapshot()  # type: ignore[attr-defined]
    missing = []
    for line in tree.splitlines():
        match = _CONTROL.match(line)
        if match and not match.group(2).strip().startswith('"'):
            missing.append(line.strip())
    return missing


async def fits_390(page: object) -> bool:
    """At 390 px wide, the page does not scroll sideways."""
    width: int = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    return width <= 390


async def tables_fit_390(page: Any, *selectors: str) -> list[str]:
    """At 390 px wide, the key tables ``selectors`` name (each must be on the page) and their
    scrolling boxes show all their content: scrollWidth <= clientWidth, so nothing hides
    behind a sideways scroll inside the page either. Answers those that do not fit."""
    size = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 800})
    too_wide: list[str] = []
    for selector in selectors:
        assert await page.locator(selector).count() > 0, f"{selector} is not on the page"
        wide = await page.eval_on_selector_all(
            selector,
            """tables => tables.flatMap(t => [t, t.closest('.scroll')].filter(Boolean))
                .filter(e => e.scrollWidth > e.clientWidth)
                .map(e => `${e.scrollWidth} > ${e.clientWidth}`)""",
        )
        too_wide += [f"{selector}: {w}" for w in wide]
    await page.set_viewport_size(size)
    return too_wide


# -- a served disty with two tenants, and signed-in people -------------------------------------

NEW_PASSWORD = "a-long-new-password-42"
WEBHOOK_KEY = "the-signature-token"


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "poll_interval_s": 0.0,
            "event_retry_base_s": 0.05,
            "event_max_attempts": 2,
        }
    )


@pytest.fixture
async def rt(server_settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    """Tenants smbi and acme (country 1), not yet connected to anything."""
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(server_settings, hub=h.hub) as opened,
    ):
        for shortcut in ("smbi", "acme"):
            async with opened.sessions() as session:
                await tenants.add_tenant(session, shortcut, [1])
        yield opened


@pytest.fixture
def served(rt: Runtime, server_settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(server_settings) as running:
        yield running


async def connect_smbi(rt: Runtime, simulator: RunningSimulator, served: ServedDisty) -> None:
    """smbi's Ingram connection to the simulator, with the simulator's webhooks delivered to the
    served disty: POs placed then ship and invoice by webhook."""
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                client_id=simulator.client_id, client_secret=simulator.client_secret,
                customer_number=simulator.customer_number, base_url=simulator.base_url,
                webhook_key=WEBHOOK_KEY,
            ),
            box=rt.box, public_url=served.url, grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip
    control(
        simulator,
        "POST",
        f"/apps/{simulator.client_id}/webhooks",
        json={"destination_url": served.hook(), "secret": WEBHOOK_KEY},
    )


async def add_user(rt: Runtime, email: str, role: str, shortcut: str | None = "smbi") -> str:
    async with rt.sessions() as session:
        _, password = await users.add_user(
            session, email=email, shortcut=shortcut, role=role, actor="test"
        )
    return password


async def sign_in(page: Any, served: ServedDisty, email: str, password: str) -> None:
    await page.goto(served.url + "/t/smbi")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def first_sign_in(
    page: Any, served: ServedDisty, email: str, password: str, lands_on: str = r"/t/smbi$"
) -> None:
    """Sign in with the one-time password and choose NEW_PASSWORD; wait for the landing page
    (smbi's dashboard unless told otherwise)."""
    await sign_in(page, served, email, password)
    await page.wait_for_url(re.compile(r"/password$"))
    await page.get_by_label("Current password").fill(password)
    await page.get_by_label("New password (12 characters or more)").fill(NEW_PASSWORD)
    await page.get_by_label("New password, again").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Change password").click()
    await page.wait_for_url(re.compile(lands_on))


async def check_page(page: Any, name: str) -> None:
    """Every control named; no sideways scrolling at 390 px; a screenshot for the artifacts."""
    assert await unnamed_controls(page) == [], name
    await shot(page, name)
    size = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 800})
    assert await fits_390(page), f"{name} scrolls sideways at 390 px"
    await shot(page, name + "-390")
    await page.set_viewport_size(size)


async def signed_in_client(served: ServedDisty, email: str, password: str) -> httpx.AsyncClient:
    """A signed-in HTTP client (no browser): the way a script or an attacker would talk."""
    client = httpx.AsyncClient(base_url=served.url, follow_redirects=False)
    form = await client.get("/login")
    answer = await client.post(
        "/login", data={"csrf_token": csrf_of(form.text), "email": email, "password": password}
    )
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def ready_client(
    rt: Runtime, served: ServedDisty, email: str, role: str, shortcut: str = "smbi"
) -> httpx.AsyncClient:
    """A signed-in HTTP client of a new user, past the first password change."""
    password = await add_user(rt, email, role, shortcut)
    client = await signed_in_client(served, email, password)
    form = await client.get("/password")
    changed = await client.post(
        "/password",
        data={"csrf_token": csrf_of(form.text), "current": password, "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert changed.status_code == 303, changed.text
    return client


async def pressed_once(page: Any, form: Any, button: Any) -> tuple[bool, str, int]:
    """Press a form's button with its answer opened in a new tab, so this page stays to be
    looked at: whether the button is then disabled, its text, and how many posts a second
    press sent in all (one: the second press did nothing)."""
    posts: list[str] = []
    page.context.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    await form.evaluate("f => { f.target = '_blank'; }")
    async with page.context.expect_page() as opened:
        await button.click()
    answer = await opened.value
    await expect(button).to_be_disabled()
    text = await button.inner_text()
    await button.click(force=True)  # a second press on the disabled button
    await answer.wait_for_load_state()
    await answer.close()
    return await button.is_disabled(), text, len(posts)
