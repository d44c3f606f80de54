"""disty's MCP server driven by the official MCP SDK's own client, over streamable HTTP (/mcp on
a real ``disty serve``) and over stdio (a ``disty mcp`` subprocess), against the simulator, on
SQLite and PostgreSQL: discovery, the tools, scopes, the ordering guard rails, tenant isolation,
the audit log, and no secret in any answer."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from disty.config import Settings
from disty.db.base import utcnow
from disty.domain.orders import Address
from disty.runtime import Runtime, open_runtime
from disty.services import assistant, audit, ordering, sourcing, tenants, tokens
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, harness
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import connect_to_simulator

WEBHOOK_KEY = "webhook-signature-token-mcp"
SHIP_TO = {
    "company": "Acme", "street": "1 Main St", "city": "Springfield", "state": "IL",
    "postcode": "62701", "country": "US",
}  # fmt: skip


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        for shortcut in ("smbi", "acme"):
            await connect_to_simulator(
                opened, simulator, shortcut, webhook_key=WEBHOOK_KEY + shortcut
            )
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings, run_worker=False) as running:
        yield running


async def token(rt: Runtime, shortcut: str, scope: str, name: str) -> str:
    async with rt.sessions() as session:
        _, made = await tokens.create_token(
            session, shortcut=shortcut, scopes=[scope], name=name, actor="test"
        )
    return made


@asynccontextmanager
async def over_http(served: ServedDisty, bearer: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}, timeout=30) as http,
        Client(streamable_http_client(served.url + "/mcp", http_client=http)) as client,
    ):
        yield client


class Answers:
    """Every tool answer of a test, to check afterwards that none carries a secret."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def call(self, client: Client, tool: str, **args: Any) -> dict[str, Any]:
        result = await client.call_tool(tool, args)
        text = "".join(getattr(c, "text", "") for c in result.content)
        self.texts.append(text)
        assert not result.is_error, text
        found: dict[str, Any] = result.structured_content or json.loads(text)
        return found

    async def error(self, client: Client, tool: str, **args: Any) -> str:
        result = await client.call_tool(tool, args)
        text = "".join(getattr(c, "text", "") for c in result.content)
        self.texts.append(text)
        assert result.is_error, text
        return text

    def assert_no_secret(self, *secrets: str) -> None:
        joined = "\n".join(self.texts)
        for secret in secrets:
            assert secret not in joined


def part(simulator: RunningSimulator, i: int) -> str:
    return str(simulator.state.catalog.product(i).ingram_part_number)


async def test_discovery_and_questions_over_http_carry_no_secret(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    reader = await token(rt, "smbi", "read", "claude-desktop")
    answers = Answers()
    async with over_http(served, reader) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert set(listed) == {
            "search_catalog", "price_list", "source_list", "create_draft_po",
            "create_requisition", "submit_po", "show_po", "list_open_pos",
            "run_connection_test", "list_webhook_events",
        }  # fmt: skip
        assert listed["price_list"].input_schema["properties"]["skus"]["maxItems"] == 200
        assert "never" in (listed["create_draft_po"].description or "") or "Nothing is sent" in (
            listed["create_draft_po"].description or ""
        )
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
        assert "disty://po/{po_number}" in templates

        priced = await answers.call(client, "price_list", skus=["123512", "NOSUCH"])
        first, unknown = priced["offers"]
        assert (first["sku"], first["supplier"], str(first["price"])) == (
            "123512",
            "ingram",
            "5.43",
        )
        assert first["age_s"] >= 0
        assert first["fetched_at"]
        assert unknown["status"] == "unknown"
        found = await answers.call(client, "search_catalog", keyword="a", limit=3)
        assert len(found["suppliers"]["ingram"]["items"]) == 3
        sourced = await answers.call(
            client, "source_list", lines=[{"part": part(simulator, 3), "quantity": 2}]
        )
        assert sourced["lines"][0]["choice"][0]["supplier"] == "ingram"
        assert sourced["lines"][0]["reason"]
        assert (await answers.call(client, "list_webhook_events"))["events"] == []
        assert (await answers.call(client, "list_open_pos"))["open"] == []
        missing = await answers.error(client, "show_po", po_number="NOPE-1")
        assert "NOPE-1" in missing
        # Run Test needs admin, as in the API; a read token is refused, saying so.
        refused = await answers.error(client, "run_connection_test", supplier="ingram")
        assert "'admin' scope" in refused
    admin = await token(rt, "smbi", "admin", "ops-assistant")
    async with over_http(served, admin) as client:
        report = await answers.call(client, "run_connection_test", supplier="ingram")
        assert report["checks"]
        assert "fixes" in report
        status = await client.read_resource("disty://connection/ingram/1")
        answers.texts.append(str(status))
    answers.assert_no_secret(
        simulator.client_secret, WEBHOOK_KEY, reader, admin, reader[7:], admin[7:]
    )
    async with rt.sessions() as session:
        tenant_id = (await tenants.get_tenant(session, "smbi")).id
        logged = await audit.entries(session, tenant_id, limit=200, offset=0)
    calls = [
        (e.actor, e.action, e.details["outcome"]) for e in logged if e.action.startswith("mcp.")
    ]
    assert any(a.startswith("token:claude-desktop#") and x == "mcp.price_list" for a, x, _ in calls)
    assert any(x == "mcp.run_connection_test" and o == "refused: scope" for _, x, o in calls)


async def test_no_token_or_a_wrong_one_is_refused_at_the_door(served: ServedDisty) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    for bearer in (None, "disty_not-a-token"):
        auth = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        async with httpx.AsyncClient() as http:
            response = await http.post(served.url + "/mcp", json=body, headers=headers | auth)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_drafts_wait_for_a_person_unless_within_the_tenants_limits(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    orderer = await token(rt, "smbi", "order", "buyer-bot")
    reader = await token(rt, "smbi", "read", "asker")
    admin = await token(rt, "smbi", "admin", "admin")
    answers = Answers()
    sku = part(simulator, 21)
    line = {"sku": sku, "quantity": 1, "expected_price": "100"}
    async with over_http(served, reader) as client:
        text = await answers.error(
            client, "create_draft_po", po_number="MCP-0", supplier="ingram", lines=[line],
            ship_to=SHIP_TO,
        )  # fmt: skip
        assert "'order' scope" in text
    async with over_http(served, orderer) as client:
        made = await answers.call(
            client, "create_draft_po", po_number="MCP-1", supplier="ingram", lines=[line],
            ship_to=SHIP_TO,
        )  # fmt: skip
        assert made["created"]
        assert made["po"]["status"] == "draft"
        assert made["po"]["drafted_by"].startswith("assistant:buyer-bot#")
        # By default an assistant only drafts: the PO stays a draft, nothing reaches Ingram.
        kept = await answers.call(client, "submit_po", po_number="MCP-1")
        assert kept["submitted"] is False
        assert "console" in kept["reason"]
        assert kept["po"]["status"] == "draft"
        waiting = await answers.call(client, "list_open_pos")
        assert [r["po_number"] for r in waiting["waiting_for_a_person"]] == ["MCP-1"]
    assert orders_at_simulator(simulator, "MCP-1") == []

    # A tenant admin allows direct submission: 150 a PO, 200 a day (the API, as the console).
    async with httpx.AsyncClient(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {admin}"}
    ) as api:
        done = await api.put("/tenant/assistant-limits", json={"per_po": "150", "per_day": "200"})
        assert done.status_code == 200, done.text
        assert done.json() == {"direct_submit": True, "per_po": "150.00", "per_day": "200.00"}
        # Only an admin changes them.
    async with httpx.AsyncClient(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {orderer}"}
    ) as api:
        assert (await api.put("/tenant/assistant-limits", json={})).status_code == 403

    async with over_http(served, orderer) as client:
        big = [{"sku": sku, "quantity": 2, "expected_price": "100"}]
        await answers.call(
            client, "create_draft_po", po_number="MCP-2", supplier="ingram", lines=big,
            ship_to=SHIP_TO,
        )  # fmt: skip
        over = await answers.call(client, "submit_po", po_number="MCP-2")
        assert over["submitted"] is False
        assert "over the 150.00" in over["reason"]
        assert over["po"]["status"] == "draft"
        sent = await answers.call(client, "submit_po", po_number="MCP-1")
        assert sent["submitted"] is True
        assert sent["po"]["status"] != "draft"
        again = await answers.call(client, "submit_po", po_number="MCP-1")
        assert again["submitted"] is False  # not a draft any more: nothing sent twice
        await answers.call(
            client, "create_draft_po", po_number="MCP-3", supplier="ingram",
            lines=[{"sku": sku, "quantity": 1, "expected_price": "149"}], ship_to=SHIP_TO,
        )  # fmt: skip
        day = await answers.call(client, "submit_po", po_number="MCP-3")
        assert day["submitted"] is False
        assert "today" in day["reason"]
        shown = await answers.call(client, "show_po", po_number="MCP-1")
        assert shown["supplier_order_numbers"]
        assert "shipments" in shown
    assert len(orders_at_simulator(simulator, "MCP-1")) == 1
    assert orders_at_simulator(simulator, "MCP-2") == orders_at_simulator(simulator, "MCP-3") == []
    answers.assert_no_secret(simulator.client_secret, WEBHOOK_KEY, orderer, admin)


async def test_a_tenant_never_reads_another_tenants_po(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    ours = await token(rt, "smbi", "order", "ours")
    theirs = await token(rt, "acme", "admin", "theirs")
    answers = Answers()
    line = {"sku": part(simulator, 21), "quantity": 1, "expected_price": "10"}
    async with over_http(served, ours) as client:
        await answers.call(
            client, "create_draft_po", po_number="SECRET-PO", supplier="ingram", lines=[line],
            ship_to=SHIP_TO,
        )  # fmt: skip
        read = await client.read_resource("disty://po/SECRET-PO")
        assert "SECRET-PO" in str(read)
    async with over_http(served, theirs) as client:
        assert "SECRET-PO" in await answers.error(client, "show_po", po_number="SECRET-PO")
        assert "SECRET-PO" in await answers.error(client, "submit_po", po_number="SECRET-PO")
        assert (await answers.call(client, "list_open_pos"))["open"] == []
        with pytest.raises(Exception, match=r"no PO|SECRET-PO"):
            await client.read_resource("disty://po/SECRET-PO")


async def test_two_assistants_at_once_never_both_pass_the_days_limit(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    """Two drafts of 100 against a day's limit of 150, submitted at the same moment by two
    tokens: the day's total is read under the tenant's lock, so exactly one is sent."""
    async with rt.sessions() as session:
        await assistant.set_limits(
            session, "smbi", per_po=Decimal(150), per_day=Decimal(150), actor="test"
        )
    bots = [await token(rt, "smbi", "order", f"bot-{i}") for i in (1, 2)]
    line = {"sku": part(simulator, 21), "quantity": 1, "expected_price": "100"}
    answers = Answers()
    async with over_http(served, bots[0]) as one, over_http(served, bots[1]) as two:
        for po_number in ("RACE-1", "RACE-2"):
            await answers.call(
                one, "create_draft_po", po_number=po_number, supplier="ingram", lines=[line],
                ship_to=SHIP_TO,
            )  # fmt: skip
        results = await asyncio.gather(
            answers.call(one, "submit_po", po_number="RACE-1"),
            answers.call(two, "submit_po", po_number="RACE-2"),
        )
    assert sorted(r["submitted"] for r in results) == [False, True]
    refused = next(r for r in results if not r["submitted"])
    assert "today" in refused["reason"]
    placed = orders_at_simulator(simulator, "RACE-1") + orders_at_simulator(simulator, "RACE-2")
    assert len(placed) == 1


async def test_a_requisition_by_an_assistant_is_drafts_that_wait_for_a_person(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    """source_list's choices drafted as a requisition: one draft PO per supplier, nothing sent
    (not by running it again either); each is sent only through the guarded submit_po."""
    orderer = await token(rt, "smbi", "order", "sourcing-bot")
    answers = Answers()
    wanted = [
        {"part": part(simulator, 4), "quantity": 2},
        {"part": part(simulator, 5), "quantity": 1},
    ]
    async with over_http(served, orderer) as client:
        sourced = await answers.call(client, "source_list", lines=wanted)
        choices = [
            {"line_number": line["line_number"], "part": line["part"]}
            | {k: c[k] for k in ("supplier", "supplier_sku", "quantity", "unit_price")}
            for line in sourced["lines"]
            for c in line["choice"]
        ]
        assert len(choices) == 2
        args = {"po_prefix": "REQ-7", "choices": choices, "ship_to": SHIP_TO}
        made = await answers.call(client, "create_requisition", **args)
        assert made["number"] == "REQ-7"
        assert made["created_by"].startswith("assistant:sourcing-bot#")
        assert made["errors"] == {}
        [po] = made["pos"]
        assert (po["po_number"], po["status"]) == ("REQ-7-1", "draft")
        assert po["drafted_by"] == made["created_by"]
        again = await answers.call(client, "create_requisition", **args)  # the same: no change
        assert [p["status"] for p in again["pos"]] == ["draft"]
        waiting = await answers.call(client, "list_open_pos")
        assert [r["po_number"] for r in waiting["waiting_for_a_person"]] == ["REQ-7-1"]
        kept = await answers.call(client, "submit_po", po_number="REQ-7-1", supplier="ingram")
        assert kept["submitted"] is False
    # A person running the same requisition again (the API's way) does not send the drafts.
    async with rt.sessions() as session:
        view = await sourcing.place(
            session, ordering.Context(rt.suppliers, "console:buyer@example.com"),
            shortcut="smbi", country_id=1, po_prefix="REQ-7", ship_to=Address.from_dict(SHIP_TO),
            choices=[sourcing.LineChoice(c["line_number"], c["part"], c["supplier"],
                                         c["supplier_sku"], c["quantity"],
                                         Decimal(c["unit_price"])) for c in choices],
        )  # fmt: skip
    assert [p.status for p in view.pos] == ["draft"]
    assert orders_at_simulator(simulator, "REQ-7-1") == []
    # Within the tenant's limits, submit_po sends it, counted against the day's total.
    async with rt.sessions() as session:
        await assistant.set_limits(
            session, "smbi", per_po=Decimal(100_000), per_day=Decimal(100_000), actor="test"
        )
    async with over_http(served, orderer) as client:
        sent = await answers.call(client, "submit_po", po_number="REQ-7-1", supplier="ingram")
        assert sent["submitted"] is True
    assert len(orders_at_simulator(simulator, "REQ-7-1")) == 1
    async with rt.sessions() as session:
        tenant_id = (await tenants.get_tenant(session, "smbi")).id
        spent = await assistant.submitted_today(session, tenant_id, utcnow())
    assert spent == sum(Decimal(c["unit_price"]) * c["quantity"] for c in choices)
    answers.assert_no_secret(simulator.client_secret, WEBHOOK_KEY, orderer)


async def test_a_draft_never_sends_a_failed_po_again(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    """A failed PO is sent again when it is submitted again; drafting under its number must
    not do that (it would be an order no limit saw): refused, nothing sent."""
    line = ordering.LineInput(part(simulator, 6), 1)
    for shortcut in ("smbi", "acme"):  # one Ingram account: acme's PO-number is a duplicate
        async with rt.sessions() as session:
            po = await ordering.submit(
                session, ordering.Context(rt.suppliers, "test"), shortcut=shortcut,
                country_id=1, supplier="ingram", po_number="DUP-9", lines=[line],
                ship_to=Address.from_dict(SHIP_TO),
            )  # fmt: skip
    assert po.status == "failed"
    bot = await token(rt, "acme", "order", "acme-bot")
    async with over_http(served, bot) as client:
        text = await Answers().error(
            client, "create_draft_po", po_number="DUP-9", supplier="ingram",
            lines=[{"sku": line.sku, "quantity": 1}], ship_to=SHIP_TO,
        )  # fmt: skip
    assert "failed" in text
    assert len(orders_at_simulator(simulator, "DUP-9")) == 1


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = httpx.get(simulator.control_url + "/orders").json()
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


async def test_stdio_serves_with_the_token_from_the_environment(
    rt: Runtime, settings: Settings, simulator: RunningSimulator
) -> None:
    reader = await token(rt, "smbi", "read", "stdio")
    env = {
        "DISTY_HOME": str(settings.home),
        "DISTY_DATABASE_URL": settings.resolved_database_url,
        "DISTY_SECRET_KEYS": settings.secret_keys.get_secret_value(),  # type: ignore[union-attr]
        "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1",
        "DISTY_MCP_TOKEN": reader,
    }
    params = StdioServerParameters(
        command=str(Path(sys.executable).parent / "disty"), args=["mcp"], env=env,
        cwd=os.getcwd(),
    )  # fmt: skip
    answers = Answers()
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "price_list" in names
        priced = await answers.call(client, "price_list", skus=["123512"])
        assert str(priced["offers"][0]["price"]) == "5.43"
        refused = await answers.error(
            client, "create_draft_po", po_number="S-1", supplier="ingram",
            lines=[{"sku": "123512", "quantity": 1}], ship_to=SHIP_TO,
        )  # fmt: skip
        assert "'order' scope" in refused
    answers.assert_no_secret(simulator.client_secret, reader)
