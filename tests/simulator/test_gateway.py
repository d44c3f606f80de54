"""Header checks, app states, rate limits and the maintenance switch."""

from __future__ import annotations

import pytest

from disty.simulator.config import DEMO_CLIENT_ID
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import DETAILS, PNA, PNA_QUERY, SEARCH, authed, headers, token

REQUIRED = ["IM-CustomerNumber", "IM-CountryCode", "IM-CorrelationID"]


@pytest.mark.parametrize("missing", REQUIRED)
async def test_each_missing_header_is_400_naming_it(
    simulator_client: SimulatorClient, missing: str
) -> None:
    h = await authed(simulator_client)
    del h[missing]
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 400
    (error,) = r.json()["errors"]
    assert error["type"] == "/errors/validation-failed"
    assert [f["field"] for f in error["fields"]] == [missing]


async def test_correlation_id_over_32_characters_is_400(simulator_client: SimulatorClient) -> None:
    # A hyphenated UUID is 36 characters: the classic mistake.
    h = await authed(simulator_client, correlation="123e4567-e89b-12d3-a456-426614174000")
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 400
    assert r.json()["errors"][0]["fields"][0]["field"] == "IM-CorrelationID"
    h = await authed(simulator_client, correlation="x" * 32)
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 200


async def test_customer_number_over_10_characters_is_400(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client, customer="20-2222222222")
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 400
    assert r.json()["errors"][0]["fields"][0]["field"] == "IM-CustomerNumber"


async def test_someone_elses_customer_number_gets_the_faultstring_form(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client, customer="20-999999")
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 400
    body = r.json()
    assert body["faultcode"] == "Server"
    assert "Invalid customer number" in body["faultstring"]


async def test_a_country_the_account_lacks_is_400(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client, country="GB")
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 400
    assert r.json()["errors"][0]["fields"][0]["field"] == "IM-CountryCode"
    await simulator_client.patch(f"/_control/apps/{DEMO_CLIENT_ID}", json={"countries": ["US"]})
    h = await authed(simulator_client, country="CA")
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 400


@pytest.mark.parametrize("state", ["in_review", "v7_only", "revoked"])
async def test_unapproved_apps_get_no_api_product_on_v6(
    simulator_client: SimulatorClient, state: str
) -> None:
    await simulator_client.patch(f"/_control/apps/{DEMO_CLIENT_ID}", json={"state": state})
    h = await authed(simulator_client)  # a token is still issued
    for r in (
        await simulator_client.get(SEARCH, headers=h),
        await simulator_client.get(f"{DETAILS}/123512", headers=h),
        await simulator_client.post(
            PNA, params=PNA_QUERY, headers=h, json={"products": [{"ingramPartNumber": "123512"}]}
        ),
    ):
        assert r.status_code == 401
        fault = r.json()["fault"]
        assert fault["faultstring"] == "Invalid API call as no apiproduct match found"
        assert fault["detail"]["errorcode"] == (
            "keymanagement.service.InvalidAPICallAsNoApiProductMatchFound"
        )


async def test_get_limit_is_60_a_minute_per_endpoint(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    for n in range(60):
        r = await simulator_client.get(SEARCH, headers=h)
        assert r.status_code == 200
        assert r.headers["X-RateLimit-Remaining"] == str(59 - n)
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 429
    assert r.headers["X-RateLimit-Limit"] == "60"
    assert r.headers["X-RateLimit-Remaining"] == "0"
    reset = int(r.headers["X-RateLimit-Reset"])
    assert reset > simulator_client.sim.clock.now() - 60
    # Another endpoint has its own budget.
    assert (await simulator_client.get(f"{DETAILS}/123512", headers=h)).status_code == 200
    # The next window opens at X-RateLimit-Reset.
    await simulator_client.post(
        "/_control/clock/advance", json={"seconds": reset - simulator_client.sim.clock.now()}
    )
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 200


async def test_pna_limit_is_per_app(simulator_client: SimulatorClient) -> None:
    await simulator_client.put("/_control/limits", json={"pna_per_minute": 3})
    other = (await simulator_client.post("/_control/apps", json={"client_id": "other"})).json()
    h = await authed(simulator_client)
    body = {"products": [{"ingramPartNumber": "123512"}]}
    for _ in range(3):
        assert (
            await simulator_client.post(PNA, params=PNA_QUERY, headers=h, json=body)
        ).status_code == 200
    r = await simulator_client.post(PNA, params=PNA_QUERY, headers=h, json=body)
    assert r.status_code == 429
    assert r.headers["X-RateLimit-Limit"] == "3"
    h2 = headers(await token(simulator_client, "other", other["client_secret"]))
    assert (
        await simulator_client.post(PNA, params=PNA_QUERY, headers=h2, json=body)
    ).status_code == 200


async def test_default_pna_limit_is_100(simulator_client: SimulatorClient) -> None:
    assert simulator_client.sim.pna_per_minute == 100


async def test_maintenance_answers_500_until_switched_off(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client)
    await simulator_client.put("/_control/maintenance", json={"on": True})
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.status_code == 500
    assert r.json()["errors"][0]["type"] == "/errors/system-errors"
    # Tokens still come: maintenance is the v6 back end's, not the gateway's.
    await token(simulator_client)
    await simulator_client.put("/_control/maintenance", json={"on": False})
    assert (await simulator_client.get(SEARCH, headers=h)).status_code == 200


async def test_maintenance_is_off_by_default(simulator_client: SimulatorClient) -> None:
    assert (await simulator_client.get("/_control")).json()["maintenance"] is False
