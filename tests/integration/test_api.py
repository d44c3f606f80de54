"""The JSON API over real HTTP, on SQLite and PostgreSQL: tokens and scopes, one tenant never
seeing another's data (404, not 403), problem details, pagination, secrets never echoed, the
audit log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from disty.services import connections, tenants, tokens
from disty.services.connections import ConnectionChanges
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, harness
from tests.fixtures.simulator import RunningSimulator, expected_signature

SECRET_KEY = "webhook-signature-token-0001"


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        for shortcut in ("smbi", "acme"):
            async with opened.sessions() as session:
                await tenants.add_tenant(session, shortcut, [1])
            async with opened.sessions() as session:
                await connections.set_connection(
                    session, shortcut=shortcut, supplier="ingram", country_id=1,
                    changes=ConnectionChanges.of(
                        client_id=simulator.client_id, client_secret=simulator.client_secret,
                        customer_number=simulator.customer_number, base_url=simulator.base_url,
                        application_id="APP-TEST", webhook_key=SECRET_KEY + shortcut,
                    ),
                    box=opened.box, public_url="https://d.example",
                    grace=opened.settings.webhook_key_grace,
                    allow_custom_urls=True,
                )  # fmt: skip
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings.model_copy(update={"poll_interval_s": 0.0})) as running:
        yield running


async def token(rt: Runtime, shortcut: str, *scopes: str) -> str:
    async with rt.sessions() as session:
        _, made = await tokens.create_token(
            session, shortcut=shortcut, scopes=list(scopes), name=None, actor="test"
        )
    return made


class Api:
    def __init__(self, served: ServedDisty, bearer: str | None) -> None:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        self.client = httpx.AsyncClient(
            base_url=served.url + "/api/v1", headers=headers, timeout=30
        )

    async def __aenter__(self) -> httpx.AsyncClient:
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


async def test_no_token_a_wrong_token_and_a_revoked_token_get_401(
    rt: Runtime, served: ServedDisty
) -> None:
    async with Api(served, None) as api:
        body = problem(await api.get("/events"), 401)
        assert "Bearer" in body["detail"]
    async with Api(served, "disty_not-a-real-token") as api:
        problem(await api.get("/events"), 401)
    made = await token(rt, "smbi", "read")
    async with Api(served, made) as api:
        assert (await api.get("/events")).status_code == 200
        async with rt.sessions() as session:
            [view] = await tokens.list_tokens(session, shortcut="smbi")
            await tokens.revoke_token(session, shortcut="smbi", token_id=view.id, actor="test")
        revoked = await api.get("/events")
        problem(revoked, 401)
        assert revoked.headers["www-authenticate"] == "Bearer"


async def test_scopes_nest_and_only_admin_reaches_connections(
    rt: Runtime, served: ServedDisty
) -> None:
    for scopes, expected in [(("read",), 403), (("order",), 403), (("admin",), 200)]:
        async with Api(served, await token(rt, "smbi", *scopes)) as api:
            response = await api.get("/connections")
            assert response.status_code == expected, (scopes, response.text)
            if expected == 403:
                assert "'admin' scope" in problem(response, 403)["detail"]
    # order implies read.
    async with Api(served, await token(rt, "smbi", "order")) as api:
        assert (await api.get("/events")).status_code == 200


async def test_connections_never_echo_a_secret(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    async with Api(served, await token(rt, "smbi", "admin")) as api:
        changed = await api.put(
            "/connections/ingram/1",
            json={"client_secret": "brand-new-secret-7788", "webhook_key": "new-key-4321"},
        )
        assert changed.status_code == 200, changed.text
        shown = await api.get("/connections/ingram/1")
        listed = await api.get("/connections")
        tested = await api.post("/connections/ingram/1/test")
        bad = await api.put("/connections/ingram/1", json={"customer_number": "not valid!!"})
    for response in (changed, shown, listed, tested, bad):
        for secret in ("brand-new-secret-7788", "new-key-4321", simulator.client_secret,
                       SECRET_KEY):  # fmt: skip
            assert secret not in response.text
    assert shown.json()["client_secret"].endswith("7788")
    assert listed.json()["items"][0]["tenant"] == "smbi"
    # The new secret is not the app's: Run Test says so, check by check.
    report = tested.json()
    assert report["ok"] is False
    assert report["checks"][0]["name"] == "credentials"
    assert report["checks"][0]["status"] == "fail"
    body = problem(bad, 422)
    assert body["errors"][0]["field"] == "customer_number"


async def test_connection_fields_are_the_suppliers_declared_settings(
    rt: Runtime, served: ServedDisty
) -> None:
    # A client learns the fields from GET /suppliers; an admin who sends anything else (a name
    # no supplier declares, a non-text value, a control character, an unknown supplier) gets a
    # 422 naming it, and nothing is saved.
    async with Api(served, await token(rt, "smbi", "admin")) as api:
        listed = await api.get("/suppliers")
        before = (await api.get("/connections/ingram/1")).json()
        refused = [
            await api.put("/connections/ingram/1", json={"evil_field": "x"}),
            await api.put("/connections/ingram/1", json={"client_id": 123}),
            await api.put("/connections/ingram/1", json={"client_id": "a\x00b"}),
            await api.put("/connections/ingram/1", json={"client_id": "x" * 600}),
            await api.put("/connections/nosuch/1", json={"client_id": "x"}),
        ]
        after = (await api.get("/connections/ingram/1")).json()
    assert listed.status_code == 200
    ingram = next(s for s in listed.json() if s["key"] == "ingram")
    secret = {s["name"] for s in ingram["settings"] if s["secret"]}
    assert secret == {"client_secret", "xml_password"}
    assert {"client_id", "customer_number"} <= {s["name"] for s in ingram["settings"]}
    assert ingram["webhooks"] is True
    assert ingram["usable_api_types"] == ["rest", "xml"]
    for response in refused:
        assert response.status_code == 422, response.text
    assert "evil_field" in refused[0].text
    assert problem(refused[-1], 422)["errors"][0]["field"] == "path.supplier"
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


async def test_another_tenants_data_is_404_not_403(rt: Runtime, served: ServedDisty) -> None:
    # smbi receives a webhook event; acme's admin token cannot see or replay it.
    event = {"eventId": "EVT-ISO-1", "resource": [{"eventType": "im::order_shipped"}]}
    async with httpx.AsyncClient() as client:
        delivered = await client.post(
            served.hook("smbi"),
            content=json.dumps(event),
            headers={"x-hub-signature": expected_signature(SECRET_KEY + "smbi", "EVT-ISO-1")},
        )
    assert delivered.status_code == 200
    async with Api(served, await token(rt, "acme", "admin")) as api:
        assert (await api.get("/events")).json()["items"] == []
        problem(await api.post("/events/EVT-ISO-1/replay"), 404)
        own = (await api.get("/connections")).json()["items"]
        assert [c["tenant"] for c in own] == ["acme"]
    async with Api(served, await token(rt, "smbi", "order")) as api:
        [seen] = (await api.get("/events")).json()["items"]
        assert seen["event_id"] == "EVT-ISO-1"
        replayed = await api.post("/events/EVT-ISO-1/replay")
        assert replayed.status_code == 200
        assert replayed.json()["status"] == "processed"


async def test_bad_input_is_a_problem_with_the_fields(rt: Runtime, served: ServedDisty) -> None:
    async with Api(served, await token(rt, "smbi", "read")) as api:
        body = problem(await api.post("/prices", json={"country_id": 1, "skus": []}), 422)
        assert body["errors"][0]["field"] == "skus"
        problem(await api.post("/prices", content=b"{not json"), 422)
        problem(await api.post("/prices", json={"country_id": 7, "skus": ["123512"]}), 422)
        problem(await api.get("/events", params={"limit": 0}), 422)
        problem(await api.get("/events", params={"status": "lost"}), 422)
        problem(await api.get("/no-such-route"), 404)
        # NUL cannot even be stored in PostgreSQL: refused as input, never a 500.
        problem(await api.get("/pos/A%00B"), 400)
        problem(await api.get("/events", params={"status": "x\x00"}), 400)
        nul = await api.post("/prices", json={"country_id": 1, "skus": ["12\u00003"]})
        assert "control characters" in problem(nul, 422)["errors"][0]["message"]


async def test_prices_and_catalog(rt: Runtime, served: ServedDisty) -> None:
    async with Api(served, await token(rt, "smbi", "read")) as api:
        priced = await api.post("/prices", json={"country_id": 1, "skus": ["123512", "NOSUCH"]})
        assert priced.status_code == 200, priced.text
        first, unknown = priced.json()
        assert (first["sku"], first["price"], first["currency"]) == ("123512", "5.43", "USD")
        assert unknown["status"] == "unknown"
        found = await api.get("/catalog", params={"country_id": 1, "keyword": "a", "limit": 5})
        assert found.status_code == 200, found.text
        page = found.json()
        assert len(page["items"]) == 5
        assert page["next_offset"] == 5
        sku = page["items"][0]["supplier_sku"]
        details = await api.get(f"/catalog/{sku}", params={"country_id": 1})
        assert details.json()["supplier_sku"] == sku


async def test_lists_page_and_changes_are_audited(rt: Runtime, served: ServedDisty) -> None:
    admin = await token(rt, "smbi", "admin")
    async with Api(served, admin) as api:
        for n in range(3):
            response = await api.put("/connections/ingram/1", json={"sender_id": f"S{n}"})
            assert response.status_code == 200
        last_request = response.headers["x-request-id"]
        first = (await api.get("/audit", params={"limit": 2})).json()
        second = (await api.get("/audit", params={"limit": 2, "offset": 2})).json()
    assert len(first["items"]) == 2
    assert first["next_offset"] == 2
    entries = first["items"] + second["items"]
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["connection.changed"] * 3
    assert entries[0]["actor"].startswith("token:")
    # The request's id too, so the operator finds its log lines (disty/logs.py).
    assert entries[0]["details"] == {"fields": ["sender_id"], "request_id": last_request}
    assert "token.created" in actions
    assert all("S1" not in json.dumps(e) for e in entries)  # names of fields, never values


def part(simulator: RunningSimulator, i: int) -> str:
    return str(simulator.state.catalog.product(i).ingram_part_number)


def po_body(simulator: RunningSimulator, number: str, **extra: Any) -> dict[str, Any]:
    return {
        "po_number": number,
        "country_id": 1,
        "lines": [{"sku": part(simulator, 21), "quantity": 1}],
        "ship_to": {
            "company": "Acme",
            "street": "1 Main St",
            "city": "Springfield",
            "state": "IL",
            "postcode": "62701",
            "country": "US",
        },
        **extra,
    }


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = httpx.get(simulator.control_url + "/orders").json()
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


async def test_ten_identical_posts_with_one_key_submit_once(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    async with Api(served, await token(rt, "smbi", "order")) as api:
        body = po_body(simulator, "API-IDEM-1")
        answers = await asyncio.gather(
            *(api.post("/pos", json=body, headers={"Idempotency-Key": "k-1"}) for _ in range(10))
        )
        assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
        assert len({a.text for a in answers}) == 1
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 9
        assert len(orders_at_simulator(simulator, "API-IDEM-1")) == 1
        # The key again with another request is refused; a new key for the same PO number
        # answers the existing PO and places nothing.
        other = po_body(simulator, "API-IDEM-2")
        problem(await api.post("/pos", json=other, headers={"Idempotency-Key": "k-1"}), 422)
        again = await api.post("/pos", json=body, headers={"Idempotency-Key": "k-2"})
        assert again.status_code == 200
        assert again.json()["po_number"] == "API-IDEM-1"
    assert len(orders_at_simulator(simulator, "API-IDEM-1")) == 1


async def test_a_po_through_the_api(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    async with Api(served, await token(rt, "smbi", "order")) as api:
        created = await api.post("/pos", json=po_body(simulator, "API-PO-1", hold=True))
        assert created.status_code == 201, created.text
        po = created.json()
        assert po["status"] == "on_hold"
        assert po["supplier_order_numbers"] == orders_at_simulator(simulator, "API-PO-1")
        listed = (await api.get("/pos", params={"status": "on_hold"})).json()
        assert [p["po_number"] for p in listed["items"]] == ["API-PO-1"]
        modified = await api.post(
            "/pos/API-PO-1/modify", json={"add": [{"sku": part(simulator, 22), "quantity": 2}]}
        )
        assert modified.status_code == 200, modified.text
        assert len(modified.json()["lines"]) == 2
        released = await api.post("/pos/API-PO-1/release")
        assert released.status_code == 200, released.text
        assert released.json()["status"] != "on_hold"
        refused = problem(await api.post("/pos/API-PO-1/cancel"), 422)
        assert "customer hold" in refused["detail"]
        problem(await api.post("/pos/API-PO-1/approve"), 403)  # approving needs admin
        problem(await api.get("/pos/NO-SUCH-PO"), 404)
        bad = problem(await api.post("/pos", json={**po_body(simulator, "X"), "lines": [
            {"sku": "A", "quantity": 0}]}), 422)  # fmt: skip
        assert bad["errors"][0]["field"] == "lines.0.quantity"
        # The supplier's registration says which order APIs there are, not the API's schema.
        bad = problem(await api.post("/pos", json={**po_body(simulator, "X"), "api_version": "v8"}),
                      422)  # fmt: skip
        assert bad["errors"] == [
            {"field": "api", "message": "unknown API version 'v8': use v6 or v7"}
        ]
        end_user = {"company": "City Hospital", "street": "9 Elm Rd", "city": "Springfield",
                    "country": "US", "contact": "Dr Roe"}  # fmt: skip
        stored = await api.post("/pos", json={
            **po_body(simulator, "API-PO-2"), "ship_to": {"address_id": "200"},
            "end_user": end_user})  # fmt: skip
        assert stored.status_code == 201, stored.text
        assert stored.json()["ship_to"]["address_id"] == "200"
        assert stored.json()["end_user"]["contact"] == "Dr Roe"
        empty = problem(await api.post("/pos", json={**po_body(simulator, "API-PO-3"),
                                                     "ship_to": {}}), 422)  # fmt: skip
        assert "ship_to needs company" in empty["detail"]
        read_only = await token(rt, "smbi", "read")
    async with Api(served, read_only) as api:
        assert (await api.get("/pos/API-PO-1")).status_code == 200
        problem(await api.post("/pos/API-PO-1/refresh"), 403)
        problem(await api.post("/pos", json=po_body(simulator, "API-PO-2")), 403)
    async with Api(served, await token(rt, "acme", "admin")) as api:
        problem(await api.get("/pos/API-PO-1"), 404)
        problem(await api.post("/pos/API-PO-1/refresh"), 404)
        assert (await api.get("/pos")).json()["items"] == []
    async with Api(served, await token(rt, "smbi", "admin")) as api:
        actions = [e["action"] for e in (await api.get("/audit")).json()["items"]]
    assert {"po.submitted", "po.modified", "po.released"} <= set(actions)
