"""OAuth: the three ways to ask for a token, and the 401s of bad ones."""

from __future__ import annotations

import base64

import pytest

from disty.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import SEARCH, TOKEN_PATH, headers, token

CREDS = {
    "grant_type": "client_credentials",
    "client_id": DEMO_CLIENT_ID,
    "client_secret": DEMO_CLIENT_SECRET,
}


@pytest.mark.parametrize("version", ["oauth20", "oauth30"])
async def test_get_with_query_parameters_as_the_sdk_sends(
    simulator_client: SimulatorClient, version: str
) -> None:
    r = await simulator_client.get(f"/ingram/oauth/{version}/token", params=CREDS)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "86400"  # a string, as the SDK's model declares
    assert (
        await simulator_client.get(SEARCH, headers=headers(body["access_token"]))
    ).status_code == 200


async def test_post_with_a_form_body_as_the_docs_say(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.post(TOKEN_PATH, data=CREDS)
    assert r.status_code == 200
    assert isinstance(r.json()["expires_in"], str)


async def test_post_with_basic_credentials(simulator_client: SimulatorClient) -> None:
    basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
    r = await simulator_client.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200


async def test_wrong_secret_is_401(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.get(TOKEN_PATH, params={**CREDS, "client_secret": "nope"})
    assert r.status_code == 401
    assert r.json()["ErrorCode"] == "invalid_client"


async def test_missing_parameter_and_wrong_grant_are_400(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.get(TOKEN_PATH, params={"grant_type": "client_credentials"})
    assert r.status_code == 400
    assert "client_id" in r.json()["message"]
    r = await simulator_client.get(TOKEN_PATH, params={**CREDS, "grant_type": "password"})
    assert r.status_code == 400


async def test_unknown_token_is_401(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.get(SEARCH, headers=headers("not-a-token"))
    assert r.status_code == 401
    assert r.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidAccessToken"
    r = await simulator_client.get(SEARCH)
    assert r.status_code == 401


async def test_expired_token_is_401(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.patch(f"/_control/apps/{DEMO_CLIENT_ID}", json={"token_ttl_s": 60})
    assert r.status_code == 200
    access = await token(simulator_client)
    assert (await simulator_client.get(SEARCH, headers=headers(access))).status_code == 200
    await simulator_client.post("/_control/clock/advance", json={"seconds": 60})
    r = await simulator_client.get(SEARCH, headers=headers(access))
    assert r.status_code == 401
    assert r.json()["fault"]["faultstring"] == "Access Token expired"


async def test_revoked_token_is_401(simulator_client: SimulatorClient) -> None:
    access = await token(simulator_client)
    r = await simulator_client.post(f"/_control/apps/{DEMO_CLIENT_ID}/revoke-tokens")
    assert r.json() == {"revoked": 1}
    assert (await simulator_client.get(SEARCH, headers=headers(access))).status_code == 401
