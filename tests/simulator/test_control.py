"""The control API: apps, faults, counts, clock, reset; and the root page."""

from __future__ import annotations

from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import SEARCH, headers, token


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
