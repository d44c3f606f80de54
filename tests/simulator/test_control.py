"""The control API: apps, faults, counts, clock, reset; and the root page."""

from __future__ import annotations

from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import PNA, PNA_QUERY, SEARCH, authed, headers, token


async def test_root_answers_200(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.get("/")
    assert r.status_code == 200
    assert r.json()["distributors"]["ingram"] == "/ingram"


async def test_create_use_and_change_an_app(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.post(
        "/_control/apps",
        json={"client_id": "acme", "customer_number": "20-123456", "countries": ["ca"]},
    )
    assert r.status_code == 201
    created = r.json()
    assert created["countries"] == ["CA"]
    access = await token(simulator_client, "acme", created["client_secret"])
    h = headers(access, customer="20-123456", country="CA")
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 200
    listed = (await simulator_client.get("/_control/apps")).json()
    acme = next(a for a in listed if a["client_id"] == "acme")
    assert acme["client_secret"] == "****" + created["client_secret"][-4:]
    r = await simulator_client.patch("/_control/apps/acme", json={"customer_number": "20-654321"})
    assert r.json()["customer_number"] == "20-654321"
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 400
    assert (
        await simulator_client.post("/_control/apps", json={"client_id": "acme"})
    ).status_code == 409
    assert (await simulator_client.patch("/_control/apps/nobody", json={})).status_code == 404


async def test_faults_listed_and_removed(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.post("/_control/faults", json={"kind": "latency", "latency_ms": 5})
    fault_id = r.json()["id"]
    assert [f["id"] for f in (await simulator_client.get("/_control/faults")).json()] == [fault_id]
    assert (await simulator_client.delete(f"/_control/faults/{fault_id}")).status_code == 200
    assert (await simulator_client.get("/_control/faults")).json() == []
    assert (
        await simulator_client.post("/_control/faults", json={"kind": "melt"})
    ).status_code == 422


async def test_counts_per_endpoint_and_reset(simulator_client: SimulatorClient) -> None:
    access = await token(simulator_client)
    await simulator_client.get(SEARCH, headers=headers(access))
    await simulator_client.get(SEARCH, headers=headers(access))
    counts = (await simulator_client.get("/_control/counts")).json()
    assert counts == {"get-accesstoken": 1, "get-reseller-v6-productsearch": 2}
    await simulator_client.post("/_control/clock/advance", json={"seconds": 10})
    await simulator_client.put("/_control/maintenance", json={"on": True})
    await simulator_client.post("/_control/reset")
    overview = (await simulator_client.get("/_control")).json()
    assert overview["maintenance"] is False
    assert overview["faults"] == []
    assert (await simulator_client.get("/_control/counts")).json() == {}
    # Reset also forgets tokens.
    assert (await simulator_client.get(SEARCH, headers=headers(access))).status_code == 401


async def test_unknown_ingram_path_is_the_gateways_404(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.get("/ingram/resellers/v9/nothing")
    assert r.status_code == 404
    assert "fault" in r.json()


async def test_a_moved_price_is_what_pna_quotes_until_reset(
    simulator_client: SimulatorClient,
) -> None:
    ipn = simulator_client.sim.catalog.product(40).ingram_part_number
    body = {"products": [{"ingramPartNumber": ipn}]}

    async def customer_price() -> float:
        h = await authed(simulator_client)
        r = await simulator_client.post(PNA, params=PNA_QUERY, json=body, headers=h)
        price: float = r.json()[0]["pricing"]["customerPrice"]
        return price

    before = await customer_price()
    r = await simulator_client.put(
        f"/_control/prices/{ipn}", json={"customer_price_usd": "1234.56"}
    )
    assert r.status_code == 200
    assert r.json() == {"ingram_part_number": ipn, "customer_price_usd": "1234.56"}
    assert await customer_price() == 1234.56
    assert simulator_client.sim.catalog.product(40).customer_cents == 123456
    await simulator_client.post("/_control/reset")
    assert await customer_price() == before


async def test_a_price_for_no_product_or_no_money_is_refused(
    simulator_client: SimulatorClient,
) -> None:
    r = await simulator_client.put("/_control/prices/ZZZZZZZ", json={"customer_price_usd": "1"})
    assert r.status_code == 404
    ipn = simulator_client.sim.catalog.product(3).ingram_part_number
    for bad in ("0", "-5", "1.234", "lots"):
        r = await simulator_client.put(f"/_control/prices/{ipn}", json={"customer_price_usd": bad})
        assert r.status_code == 422, bad
