"""Small helpers the simulator tests share: tokens and Ingram's required headers."""

from __future__ import annotations

import httpx

from disty.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_NUMBER

TOKEN_PATH = "/ingram/oauth/oauth20/token"
SEARCH = "/ingram/resellers/v6/catalog"
DETAILS = "/ingram/resellers/v6/catalog/details"
PNA = "/ingram/resellers/v6/catalog/priceandavailability"
PNA_QUERY = {"includeAvailability": "true", "includePricing": "true"}


async def token(
    client: httpx.AsyncClient,
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
) -> str:
    r = await client.get(
        TOKEN_PATH,
        params={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    assert r.status_code == 200, r.text
    value: str = r.json()["access_token"]
    return value


def headers(
    access_token: str,
    *,
    customer: str = DEMO_CUSTOMER_NUMBER,
    country: str = "US",
    correlation: str = "test-correlation-1",
) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {access_token}",
        "IM-CustomerNumber": customer,
        "IM-CountryCode": country,
        "IM-CorrelationID": correlation,
    }


async def authed(client: httpx.AsyncClient, **kw: str) -> dict[str, str]:
    return headers(await token(client), **kw)


def skus(body: list[dict[str, object]]) -> list[object]:
    return [row.get("ingramPartNumber") for row in body]
