"""Quotes, invoices, returns and freight through the JSON API over real HTTP, against the
simulator, on SQLite and PostgreSQL: tokens and scopes, tenant isolation (404), pagination,
problem details, quote to order end to end, and one order for ten concurrent retries.

smbi and acme each have their own app at the simulator, so each sees only its own quotes,
invoices and returns there, as two resellers' Ingram accounts would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from disty.services import connections, tenants
from disty.services.connections import ConnectionChanges
from disty.simulator.ingram.state import SimState
from disty.suppliers.ingram.rest.client import IngramClient
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, config, control, harness, new_app
from tests.fixtures.ingram import adapter as ingram_adapter
from tests.fixtures.simulator import TEST_CONFIG, RunningSimulator, SimulatorServer
from tests.integration.test_api import Api, problem, token

SHIP_TO = {
    "company": "SMB Inc",
    "street": "1 Main St",
    "city": "Irvine",
    "state": "CA",
    "postcode": "92612",
    "country": "US",
}
Apps = dict[str, tuple[str, str]]  # tenant -> (client id, client secret) at the simulator


async def connect(
    rt: Runtime, shortcut: str, base_url: str, app: tuple[str, str], customer: str
) -> None:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, shortcut, [1])
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut=shortcut, supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                client_id=app[0], client_secret=app[1], customer_number=customer,
                base_url=base_url, application_id="APP-TEST",
                contact_email="buyer@example.com",
            ),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip


@pytest.fixture
def apps(simulator: RunningSimulator) -> Apps:
    return {
        "smbi": (simulator.client_id, simulator.client_secret),
        "acme": new_app(simulator, customer_number="20-333333", countries=["US"]),
    }


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator, apps: Apps) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        await connect(opened, "smbi", simulator.base_url, apps["smbi"], simulator.customer_number)
        await connect(opened, "acme", simulator.base_url, apps["acme"], "20-333333")
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings.model_copy(update={"poll_interval_s": 0.0})) as running:
        yield running


def client_of(rt: Runtime, simulator: RunningSimulator, app: tuple[str, str]) -> IngramClient:
    """disty's own Ingram client for one app: the test's way to make quotes at the simulator."""
    return ingram_adapter(rt.hub, config(simulator, client_id=app[0], client_secret=app[1])).client


async def make_quote(client: IngramClient, products: list[dict[str, Any]]) -> str:
    created = await client.request(
        "POST", "/resellers/v6/quotes/create",
        json={"quoteName": "Lab refresh", "CustomerContact": "buyer@example.com",
              "products": products}, safe=False,
    )  # fmt: skip
    return str(created.json()["quoteNumber"])


def parts(simulator: RunningSimulator, *indexes: int) -> list[str]:
    return [str(simulator.state.catalog.product(i).ingram_part_number) for i in indexes]


def orders_for(simulator: RunningSimulator, po_number: str) -> list[dict[str, Any]]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o for o in body if o["customer_order_number"] == po_number]


def order_body(po_number: str) -> dict[str, Any]:
    return {"po_number": po_number, "country_id": 1, "ship_to": SHIP_TO}


# -- authentication and scopes --------------------------------------------------------------

Call = tuple[str, str, dict[str, Any] | None]
READS: list[Call] = [
    ("GET", "/quotes?country_id=1", None),
    ("GET", "/quotes/QUO-1?country_id=1", None),
    ("GET", "/invoices?po_number=PO-1", None),
    ("GET", "/invoices/20ABCDE11?country_id=1", None),
    ("GET", "/returns?country_id=1", None),
    ("GET", "/returns/CAS-1?country_id=1", None),
    ("POST", "/freight-estimate", {}),
]
WRITES: list[Call] = [
    ("POST", "/quotes/QUO-1/order", order_body("PO-1")),
    ("POST", "/returns", {}),
]


async def test_every_route_needs_a_token_and_posts_need_the_order_scope(
    rt: Runtime, served: ServedDisty
) -> None:
    async with Api(served, None) as api:
        for method, path, body in READS + WRITES:
            response = await api.request(method, path, json=body)
            assert problem(response, 401)["title"] == "Authentication required", path
    async with Api(served, await token(rt, "smbi", "read")) as api:
        for method, path, body in WRITES:
            response = await api.request(method, path, json=body)
            assert "'order' scope" in problem(response, 403)["detail"], path


# -- quotes ---------------------------------------------------------------------------------


async def test_quotes_are_searched_in_pages_and_read_with_their_prices(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, apps: Apps
) -> None:
    number = await make_quote(
        client_of(rt, simulator, apps["smbi"]),
        [{"ingramPartNumber": p, "quantity": 2} for p in parts(simulator, 23, 24)],
    )
    async with Api(served, await token(rt, "smbi", "read")) as api:
        first = (await api.get("/quotes", params={"country_id": 1, "limit": 3})).json()
        second = await api.get("/quotes", params={"country_id": 1, "limit": 3, "offset": 3})
        one = await api.get("/quotes", params={"country_id": 1, "quote_number": number})
        shown = await api.get(f"/quotes/{number}", params={"country_id": 1})
        problem(await api.get("/quotes", params={"country_id": 1, "limit": 0}), 422)
        problem(await api.get("/quotes"), 422)  # which country: required
        missing = await api.get("/quotes/QUO-10000000-Z9Z9Z9", params={"country_id": 1})
    # Three standing quotes and the one just made: a full page, then the last one.
    assert (len(first["items"]), first["next_offset"]) == (3, 3)
    assert second.status_code == 200, second.text
    assert [q["quote_number"] for q in second.json()["items"]] == [number]
    assert second.json()["next_offset"] is None
    assert [q["quote_number"] for q in one.json()["items"]] == [number]
    assert shown.status_code == 200, shown.text
    quote = shown.json()
    assert "raw" not in quote
    assert [(x["sku"], x["quantity"]) for x in quote["lines"]] == [
        (p, 2) for p in parts(simulator, 23, 24)
    ]
    detail = simulator.state.quotes[number]
    assert [x["price"] for x in quote["lines"]] == [
        f"{p['price']['quotePrice']:.2f}" for p in detail["products"]
    ]
    problem(missing, 404)


async def test_another_tenants_quote_is_404(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, apps: Apps
) -> None:
    number = await make_quote(
        client_of(rt, simulator, apps["smbi"]),
        [{"ingramPartNumber": parts(simulator, 5)[0], "quantity": 1}],
    )
    async with Api(served, await token(rt, "acme", "order")) as api:
        problem(await api.get(f"/quotes/{number}", params={"country_id": 1}), 404)
        listed = await api.get("/quotes", params={"country_id": 1, "quote_number": number})
        ordered = await api.post(f"/quotes/{number}/order", json=order_body("PO-ACME-1"))
        assert listed.json()["items"] == []
        problem(ordered, 404)
        problem(await api.get("/pos/PO-ACME-1"), 404)  # nothing was saved
    assert orders_for(simulator, "PO-ACME-1") == []


async def test_a_quote_is_ordered_end_to_end_at_its_prices(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, apps: Apps
) -> None:
    products = [
        {"ingramPartNumber": parts(simulator, 31)[0], "quantity": 2},
        {"ingramPartNumber": parts(simulator, 32)[0], "quantity": 1},
    ]
    number = await make_quote(client_of(rt, simulator, apps["smbi"]), products)
    quoted = {
        p["ingramPartNumber"]: p["price"]["quotePrice"]
        for p in simulator.state.quotes[number]["products"]
    }
    async with Api(served, await token(rt, "smbi", "order")) as api:
        placed = await api.post(
            f"/quotes/{number}/order", json=order_body("PO-Q2O-1"),
            headers={"Idempotency-Key": "q2o-1"},
        )  # fmt: skip
        assert placed.status_code == 201, placed.text
        po = placed.json()
        assert (po["status"], po["api_version"], po["quote_number"]) == ("submitted", "v7", number)
        assert po["confirmation_number"]
        assert po["supplier_order_numbers"] == []
        control(simulator, "POST", "/run")  # the simulator places the queued v7 order
        refreshed = await api.post("/pos/PO-Q2O-1/refresh")
        assert refreshed.status_code == 200, refreshed.text
        po = refreshed.json()
        # The same quote and PO number again answers the PO, placing nothing.
        again = await api.post(f"/quotes/{number}/order", json=order_body("PO-Q2O-1"))
        # A PO number already used for something else is refused.
        clash = await api.post("/quotes/QUO-10000000-Z9Z9Z9/order", json=order_body("PO-Q2O-1"))
    [order] = orders_for(simulator, "PO-Q2O-1")
    assert po["supplier_order_numbers"] == [order["number"]]
    assert po["status"] != "failed"
    assert [(x["sku"], x["quantity"], x["expected_price"]) for x in po["lines"]] == [
        (p["ingramPartNumber"], p["quantity"], f"{quoted[p['ingramPartNumber']]:.2f}")
        for p in products
    ]
    # Ingram placed the order at the quote's prices, not at today's list prices.
    detail = await client_of(rt, simulator, apps["smbi"]).order_detail(order["number"])
    assert {x["ingramPartNumber"]: x["unitPrice"] for x in detail["lines"]} == quoted
    assert again.status_code == 200, again.text
    assert again.json()["supplier_order_numbers"] == [order["number"]]
    assert "already exists" in problem(clash, 422)["detail"]


async def test_bad_quote_orders_are_problems_and_save_nothing(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, apps: Apps
) -> None:
    number = await make_quote(
        client_of(rt, simulator, apps["smbi"]),
        [{"ingramPartNumber": parts(simulator, 7)[0], "quantity": 1}],
    )
    async with Api(served, await token(rt, "smbi", "order")) as api:
        long_po = await api.post(f"/quotes/{number}/order", json=order_body("x" * 19))
        no_ship_to = await api.post(
            f"/quotes/{number}/order", json={"po_number": "PO-B", "country_id": 1}
        )
        bad_country = await api.post(
            f"/quotes/{number}/order", json={**order_body("PO-B"), "country_id": 7}
        )
        unknown = await api.post("/quotes/QUO-10000000-Z9Z9Z9/order", json=order_body("PO-B"))
        problem(await api.get("/pos/PO-B"), 404)
    assert any(e["field"] == "po_number" for e in problem(long_po, 422)["errors"])
    assert any(e["field"] == "ship_to" for e in problem(no_ship_to, 422)["errors"])
    problem(bad_country, 422)
    problem(unknown, 404)
    assert orders_for(simulator, "PO-B") == []


async def test_the_adapter_reads_ingrams_refusals_of_quote_orders(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    quotes = ingram_adapter(rt.hub, config(simulator)).quotes
    # validate-quote's 400 and its reason are an answer, which the service passes on.
    refused = await quotes.validate_quote("QUO-10000000-Z9Z9Z9")
    assert not refused.valid
    assert "Quote not found" in (refused.reason or "")
    assert await quotes.quote_orders_blocked() is None
    # An app the gateway does not let through to v7 gets its 401: the adapter says what to do.
    control(simulator, "PATCH", f"/apps/{simulator.client_id}", json={"state": "in_review"})
    blocked = await quotes.quote_orders_blocked()
    assert blocked is not None
    assert "subscribe the production app to the v7 Order API" in blocked


def without_v7(app: Any) -> Any:
    """Ingram's API gateway for an app not subscribed to v7: every v7 call gets the gateway's
    401 (written from Ingram's documented answer); everything else reaches the simulator."""
    fault = {
        "fault": {
            "faultstring": "Invalid API call as no apiproduct match found",
            "detail": {"errorcode": "keymanagement.service.InvalidAPICallAsNoApiProductMatchFound"},
        }
    }

    async def gateway(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and "/resellers/v7/" in scope["path"]:
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": json.dumps(fault).encode()})
            return
        await app(scope, receive, send)

    gateway.state = app.state  # type: ignore[attr-defined]
    return gateway


async def test_an_app_without_v7_gets_a_problem_saying_to_subscribe_it(
    rt: Runtime, served: ServedDisty
) -> None:
    from disty.simulator import INGRAM_PREFIX, create_app

    inner = create_app(TEST_CONFIG)
    server = SimulatorServer(TEST_CONFIG, app=without_v7(inner))
    port = server.start()
    try:
        base_url = f"http://127.0.0.1:{port}{INGRAM_PREFIX}"
        app = (TEST_CONFIG.client_id, TEST_CONFIG.client_secret)
        await connect(rt, "nov7", base_url, app, TEST_CONFIG.customer_number)
        state: SimState = inner.state.sim
        async with httpx.AsyncClient() as http:
            token_answer = await http.post(
                base_url + "/oauth/oauth20/token",
                data={"grant_type": "client_credentials", "client_id": app[0],
                      "client_secret": app[1]},
            )  # fmt: skip
            access = token_answer.json()["access_token"]
            created = await http.post(
                base_url + "/resellers/v6/quotes/create",
                json={"quoteName": "No v7", "CustomerContact": "buyer@example.com", "products": [
                    {"ingramPartNumber": state.catalog.product(3).ingram_part_number,
                     "quantity": 1}]},
                headers={"Authorization": f"Bearer {access}",
                         "IM-CustomerNumber": TEST_CONFIG.customer_number,
                         "IM-CountryCode": "US", "IM-CorrelationID": "c" * 32},
            )  # fmt: skip
        number = created.json()["quoteNumber"]
        async with Api(served, await token(rt, "nov7", "order")) as api:
            refused = await api.post(f"/quotes/{number}/order", json=order_body("PO-NOV7"))
            body = problem(refused, 422)
            problem(await api.get("/pos/PO-NOV7"), 404)  # nothing saved, nothing waiting
        assert "v7 Order API" in body["detail"]
        assert "subscribe" in body["detail"]
        assert not [o for o in state.orders.orders.values()]
    finally:
        server.stop()


async def test_ten_concurrent_retries_of_a_quote_order_place_one_order(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, apps: Apps
) -> None:
    number = await make_quote(
        client_of(rt, simulator, apps["smbi"]),
        [{"ingramPartNumber": parts(simulator, 41)[0], "quantity": 3}],
    )
    async with Api(served, await token(rt, "smbi", "order")) as api:
        answers = await asyncio.gather(
            *(
                api.post(
                    f"/quotes/{number}/order",
                    json=order_body("PO-Q2O-10"),
                    headers={"Idempotency-Key": "ten-at-once"},
                )
                for _ in range(10)
            )
        )
        control(simulator, "POST", "/run")
        reused = await api.post(
            f"/quotes/{number}/order", json=order_body("PO-Q2O-11"),
            headers={"Idempotency-Key": "ten-at-once"},
        )  # fmt: skip
    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 9
    assert len({a.json()["confirmation_number"] for a in answers}) == 1
    assert len(orders_for(simulator, "PO-Q2O-10")) == 1
    assert "Idempotency-Key" in problem(reused, 422)["detail"]


# -- invoices and returns -------------------------------------------------------------------


async def invoiced_po(api: httpx.AsyncClient, simulator: RunningSimulator, po: str) -> str:
    """A v6 PO of one line, shipped and invoiced at the simulator; answers its invoice."""
    placed = await api.post(
        "/pos",
        json={**order_body(po), "lines": [{"sku": parts(simulator, 51)[0], "quantity": 2}]},
    )
    assert placed.status_code == 201, placed.text
    [number] = placed.json()["supplier_order_numbers"]
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "invoiced"})
    refreshed = await api.post(f"/pos/{po}/refresh")
    assert refreshed.status_code == 200, refreshed.text
    [invoice] = refreshed.json()["invoices"]
    return str(invoice)


async def test_invoices_per_po_and_by_number_and_returns_against_them(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    async with Api(served, await token(rt, "smbi", "admin")) as api:
        invoice = await invoiced_po(api, simulator, "PO-INV-1")
        per_po = await api.get("/invoices", params={"po_number": "PO-INV-1"})
        by_number = await api.get(f"/invoices/{invoice}", params={"country_id": 1})
        searched = await api.get("/invoices", params={"country_id": 1, "limit": 1})
        problem(await api.get("/invoices"), 422)  # neither a PO nor a country
        problem(await api.get("/invoices", params={"po_number": "PO-NONE"}), 404)

        line = {"invoice_number": invoice, "sku": parts(simulator, 51)[0], "quantity": 1,
                "reason": "Defective"}  # fmt: skip
        wanted = {
            "country_id": 1, "lines": [line], "ship_from": SHIP_TO, "contact": "Pat Buyer",
            "email": "pat@example.com", "reference": "RMA-7",
        }  # fmt: skip
        key = {"Idempotency-Key": "return-1"}
        opened = await api.post("/returns", json=wanted, headers=key)
        again = await api.post("/returns", json=wanted, headers=key)
        too_many = await api.post("/returns", json={**wanted, "lines": [{**line, "quantity": 3}]})
        zero = await api.post("/returns", json={**wanted, "lines": [{**line, "quantity": 0}]})
        listed = await api.get("/returns", params={"country_id": 1, "limit": 1})
        audit = (await api.get("/audit")).json()["items"]

    assert per_po.status_code == 200, per_po.text
    [found] = per_po.json()["items"]
    assert per_po.json()["next_offset"] is None
    assert found["invoice_number"] == invoice
    assert found["po_number"] == "PO-INV-1"
    [billed] = found["lines"]
    assert (billed["sku"], billed["quantity"]) == (parts(simulator, 51)[0], 2)
    assert isinstance(billed["unit_price"], str)
    assert isinstance(found["amount_due"], str)
    assert by_number.json() == found
    assert [x["invoice_number"] for x in searched.json()["items"]] == [invoice]

    assert opened.status_code == 201, opened.text
    [case] = opened.json()["cases"]
    assert case["case_number"].startswith("CAS-")
    assert again.json() == opened.json()
    assert again.headers["idempotent-replayed"] == "true"
    rejected = problem(too_many, 422)
    assert rejected["errors"][0]["field"] == "list[0].quantity"
    assert problem(zero, 422)["errors"][0]["field"] == "lines.0.quantity"
    # One case at the supplier, whatever was retried.
    assert [c["case_number"] for c in listed.json()["items"]] == [case["case_number"]]
    assert listed.json()["next_offset"] is None
    [entry] = [e for e in audit if e["action"] == "return.created"]
    assert case["case_number"] in entry["target"]
    assert entry["details"]["lines"] == [
        {"invoice_number": invoice, "sku": parts(simulator, 51)[0], "quantity": 1}
    ]

    async with Api(served, await token(rt, "smbi", "read")) as api:
        shown = await api.get(f"/returns/{case['case_number']}", params={"country_id": 1})
    assert shown.status_code == 200, shown.text
    [returned] = shown.json()["lines"]
    assert (returned["sku"], returned["quantity"], returned["invoice_number"]) == (
        parts(simulator, 51)[0], 1, invoice,
    )  # fmt: skip

    # acme sees none of it: not the PO's invoices, not the invoice, not the return.
    async with Api(served, await token(rt, "acme", "order")) as api:
        problem(await api.get("/invoices", params={"po_number": "PO-INV-1"}), 404)
        problem(await api.get(f"/invoices/{invoice}", params={"country_id": 1}), 404)
        problem(await api.get(f"/returns/{case['case_number']}", params={"country_id": 1}), 404)
        assert (await api.get("/returns", params={"country_id": 1})).json()["items"] == []
        stolen = await api.post("/returns", json=wanted)
        problem(stolen, 404)  # the invoice is not acme's account's


# -- freight ----------------------------------------------------------------------------------


async def test_freight_estimate(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    skus = parts(simulator, 61, 62)
    async with Api(served, await token(rt, "smbi", "read")) as api:
        estimated = await api.post(
            "/freight-estimate",
            json={"country_id": 1, "ship_to": SHIP_TO,
                  "lines": [{"sku": skus[0], "quantity": 2}, {"sku": skus[1], "quantity": 1}]},
        )  # fmt: skip
        empty = await api.post(
            "/freight-estimate", json={"country_id": 1, "ship_to": SHIP_TO, "lines": []}
        )
        unknown = await api.post(
            "/freight-estimate",
            json={"country_id": 1, "ship_to": SHIP_TO, "lines": [{"sku": "ZZZZZZ", "quantity": 1}]},
        )
    assert estimated.status_code == 200, estimated.text
    body = estimated.json()
    assert body["currency"] == "USD"
    assert body["shipments"]
    assert all(len(s["options"]) == 2 for s in body["shipments"])
    cheapest = [min(float(o["charge"]) for o in s["options"]) for s in body["shipments"]]
    assert float(body["freight"]) == pytest.approx(sum(cheapest))
    assert isinstance(body["total"], str)
    assert problem(empty, 422)["errors"][0]["field"] == "lines"
    assert problem(unknown, 422)["errors"][0]["field"] == "lines[0].ingramPartNumber"
