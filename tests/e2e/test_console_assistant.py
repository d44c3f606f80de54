"""AI assistants in the console, in a real browser (Debian's Chromium through Playwright), on
SQLite and PostgreSQL: an assistant drafts a PO over MCP (the SDK's client, real HTTP); a
tenant admin sets what assistants may submit alone on the Admin page (both limits or neither,
refused clearly otherwise, audited) and finds the draft labelled as an assistant's on its PO
page; a buyer can neither open the form nor post to it. One journey: browser tests are slow.
"""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from decimal import Decimal
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from playwright.async_api import expect

from disty.runtime import Runtime
from disty.services import assistant, audit, tenants, tokens, users
from tests.e2e.conftest import (
    add_user,
    check_page,
    connect_smbi,
    csrf_of,
    first_sign_in,
    signed_in_client,
)
from tests.fixtures.disty import ServedDisty
from tests.fixtures.simulator import RunningSimulator

SHIP_TO = {
    "company": "Acme", "street": "1 Main St", "city": "Springfield", "state": "IL",
    "postcode": "62701", "country": "US",
}  # fmt: skip


async def drafted_by_an_assistant(rt: Runtime, served: ServedDisty, sku: str) -> str:
    """An order token's assistant drafts PO AI-1 over /mcp; answers the token's label."""
    async with rt.sessions() as session:
        made, bearer = await tokens.create_token(
            session, shortcut="smbi", scopes=["order"], name="buyer-bot", actor="test"
        )
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}, timeout=30)
        )
        client = await stack.enter_async_context(
            Client(streamable_http_client(served.url + "/mcp", http_client=http))
        )
        result = await client.call_tool(
            "create_draft_po",
            {"po_number": "AI-1", "supplier": "ingram", "ship_to": SHIP_TO,
             "lines": [{"sku": sku, "quantity": 1, "expected_price": "120"}]},
        )  # fmt: skip
        assert not result.is_error, result.content
    return f"buyer-bot#{made.id}"


async def test_an_admin_sets_the_assistants_limits_and_sees_an_assistants_draft(
    browser: Any, rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    await connect_smbi(rt, simulator, served)
    label = await drafted_by_an_assistant(
        rt, served, str(simulator.state.catalog.product(21).ingram_part_number)
    )
    password = await add_user(rt, "admin@smbi.example", "admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await first_sign_in(page, served, "admin@smbi.example", password)
    await page.goto(served.url + "/t/smbi/admin")
    card = page.locator("#assistant-limits")
    await expect(card.locator("#assistant-limits-now")).to_contain_text("assistants only draft")

    # One limit alone is refused, saying why; what was typed stays in the form.
    await card.get_by_label("Per PO").fill("150")
    await card.get_by_role("button", name="Save the assistants' limits").click()
    await expect(card.get_by_role("alert")).to_contain_text("give both limits")
    await expect(card.get_by_label("Per PO")).to_have_value("150")
    await card.get_by_label("Per day").fill("2x0")
    await card.get_by_role("button", name="Save the assistants' limits").click()
    await expect(card.get_by_role("alert")).to_contain_text("is not an amount")

    await card.get_by_label("Per day").fill("200")
    await card.get_by_role("button", name="Save the assistants' limits").click()
    await page.wait_for_url(re.compile(r"/t/smbi/admin\?saved=assistant-limits"))
    await expect(card.get_by_role("status")).to_contain_text("limits were saved")
    await expect(card.locator("#assistant-limits-now")).to_contain_text(
        "up to 150.00 each and 200.00 a day"
    )
    await check_page(page, "admin-assistant-limits")
    async with rt.sessions() as session:
        assert await assistant.limits(session, "smbi") == assistant.Limits(
            Decimal(150), Decimal(200)
        )
        tenant_id = (await tenants.get_tenant(session, "smbi")).id
        logged = await audit.entries(session, tenant_id, limit=50, offset=0)
    changes = [e for e in logged if e.action == "tenant.assistant_limits"]
    assert [(e.actor, e.details["per_po"]) for e in changes] == [
        ("console:admin@smbi.example", "150.00")
    ]

    # The assistant's draft says so on its PO page, with the token that drafted it.
    await page.goto(served.url + "/t/smbi/pos/AI-1")
    drafted = page.locator("#po-drafted-by")
    await expect(drafted).to_contain_text(f"Drafted by an assistant, with the API token {label}")
    await expect(drafted).to_contain_text("nothing was sent")

    # Blank both: assistants only draft again. A post without the form's CSRF token is refused.
    await page.goto(served.url + "/t/smbi/admin")
    await card.get_by_label("Per PO").fill("")
    await card.get_by_label("Per day").fill("")
    await card.get_by_role("button", name="Save the assistants' limits").click()
    await expect(card.locator("#assistant-limits-now")).to_contain_text("assistants only draft")
    forged = await page.request.post(
        served.url + "/t/smbi/assistant-limits", form={"per_po": "9", "per_day": "9"}
    )
    assert forged.status == 403
    await page.close()

    # A buyer can neither see the form nor post to it, with a valid CSRF token of its own.
    async with rt.sessions() as session:  # a password of its own already: no first change
        _, chosen = await users.add_user(
            session, email="buyer@smbi.example", shortcut="smbi", role="buyer", actor="test",
            one_time=False,
        )  # fmt: skip
    buyer = await signed_in_client(served, "buyer@smbi.example", chosen)
    assert (await buyer.get("/t/smbi/admin")).status_code == 403
    token = csrf_of((await buyer.get("/t/smbi")).text)
    refused = await buyer.post(
        "/t/smbi/assistant-limits", data={"csrf_token": token, "per_po": "9", "per_day": "9"}
    )
    assert refused.status_code == 403
    await buyer.aclose()
    async with rt.sessions() as session:
        assert not (await assistant.limits(session, "smbi")).allowed
