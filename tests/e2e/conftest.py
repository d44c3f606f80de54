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
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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
