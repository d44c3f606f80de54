"""PO numbers over real HTTP on SQLite and PostgreSQL: one allowed set of characters for the
CLI, the API and the console. A PO number is one segment of disty's own URLs, so "/" (which
used to be accepted, placed the PO, and left it unreachable at /api/v1/pos/{po} and in the
console) is refused with a clear message before anything is sent; what is accepted is
reachable everywhere, and POs saved before the rule keep their numbers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from disty.config import Settings
from disty.db.models import PurchaseOrder
from disty.runtime import open_runtime
from tests.conftest import Cli
from tests.fixtures.console import field, signed_in
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import counts, part_numbers
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import tenant_with_token

SHIP_TO = "Acme|1 Main St|Springfield|IL|62701|US"


@pytest.fixture
def token(settings: Settings, simulator: RunningSimulator) -> str:
    return asyncio.run(tenant_with_token(settings, simulator, "order"))


@pytest.fixture
def served(settings: Settings, token: str) -> Iterator[ServedDisty]:
    with serve_disty(settings.model_copy(update={"poll_interval_s": 0.0})) as running:
        yield running


def _body(simulator: RunningSimulator, number: str) -> dict[str, Any]:
    company, street, city, state, postcode, country = SHIP_TO.split("|")
    return {
        "po_number": number,
        "country_id": 1,
        "lines": [{"sku": part_numbers(simulator, 1, start=21)[0], "quantity": 1}],
        "ship_to": {"company": company, "street": street, "city": city, "state": state,
                    "postcode": postcode, "country": country},
    }  # fmt: skip


def test_a_slash_is_refused_everywhere_and_what_is_accepted_is_reachable(
    settings: Settings, simulator: RunningSimulator, served: ServedDisty, token: str, cli: Cli
) -> None:
    sent = counts(simulator).get("post-createorder_v6", 0)
    with httpx.Client(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        refused = api.post("/pos", json=_body(simulator, "PO/1"))
        assert refused.status_code == 422, refused.text
        assert "letters, digits and . _ -" in refused.json()["detail"]
        assert api.get("/pos").json()["items"] == []
        created = api.post("/pos", json=_body(simulator, "PO-1.A_2"))
        assert created.status_code == 201, created.text
        assert api.get("/pos/PO-1.A_2").status_code == 200
    result = cli("order", "submit", "--tenant", "smbi", "--country", "1", "--po", "CLI/1",
                 "--line", f"{part_numbers(simulator, 1, start=21)[0]}=1",
                 "--ship-to", SHIP_TO)  # fmt: skip
    assert result.exit_code != 0
    assert "letters, digits and . _ -" in result.output
    with signed_in(served, cli, "buyer@smbi.example", role="buyer") as browser:
        page = browser.get("/t/smbi/products/price")
        priced = browser.post("/t/smbi/products/price", data={
            "csrf_token": field(page.text, "csrf_token"), "country": "1",
            "parts": f"{part_numbers(simulator, 1, start=21)[0]} 1"})  # fmt: skip
        assert priced.status_code == 200, priced.text
        ordered = browser.post("/t/smbi/products/price/order", data={
            "csrf_token": field(priced.text, "csrf_token"), "priced": field(priced.text, "priced"),
            "po_number": "WEB/1", "ship_to_choice": "new"})  # fmt: skip
        assert ordered.status_code == 422
        assert "letters, digits and . _ -" in ordered.text
    # Only the accepted PO reached the distributor.
    assert counts(simulator).get("post-createorder_v6", 0) == sent + 1


def test_a_po_saved_before_the_rule_keeps_its_number(
    settings: Settings, simulator: RunningSimulator, served: ServedDisty, token: str, cli: Cli
) -> None:
    with httpx.Client(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        assert api.post("/pos", json=_body(simulator, "OLD-1")).status_code == 201

    async def rename() -> None:
        async with open_runtime(settings) as rt, rt.sessions() as session:
            await session.execute(update(PurchaseOrder).values(po_number="OLD/1"))
            await session.commit()

    asyncio.run(rename())
    shown = cli("order", "show", "OLD/1", "--tenant", "smbi")
    assert shown.exit_code == 0, shown.output
    assert "OLD/1" in shown.output
