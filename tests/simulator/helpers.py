"""Small helpers the simulator tests share: tokens and Ingram's required headers."""

from __future__ import annotations

import httpx

from disty.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_NUMBER
from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.state import SimState

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


# -- part 2: orders and the rest ----------------------------------------------------------------

ORDERS = "/ingram/resellers/v6/orders"
ORDERS_V7 = "/ingram/resellers/v7/orders"
ORDER_DETAIL = "/ingram/resellers/v6.1/orders/"
ORDER_SEARCH = "/ingram/resellers/v6/orders/search"
INVOICES = "/ingram/resellers/v6/invoices"
INVOICE_DETAIL = "/ingram/resellers/v6.1/invoices/"


def stocked(state: SimState, at_least: int = 5, *, skip: int = 0, country: str = "US") -> Product:
    """A serialised product that ships from stock, with at least this many available."""
    found = 0
    for i in range(state.catalog.size):
        p = state.catalog.product(i)
        if p.digital or p.direct_ship or p.discontinued or not p.serialised:
            continue
        if state.inventory.available(p, country) >= at_least:
            if found == skip:
                return p
            found += 1
    raise AssertionError("no stocked product")


def out_of_stock(state: SimState, country: str = "US") -> Product:
    for i in range(state.catalog.size):
        p = state.catalog.product(i)
        if p.digital or p.direct_ship or p.discontinued:
            continue
        if state.inventory.available(p, country) == 0:
            return p
    raise AssertionError("no product out of stock")


def order_body(con: str, *lines: tuple[str, int], **extra: object) -> dict[str, object]:
    return {
        "customerOrderNumber": con,
        "lines": [
            {"customerLineNumber": str(n + 1), "ingramPartNumber": ipn, "quantity": qty}
            for n, (ipn, qty) in enumerate(lines)
        ],
        **extra,
    }


def attrs(**values: str) -> list[dict[str, str]]:
    return [{"attributeName": k, "attributeValue": v} for k, v in values.items()]


async def advance(client: httpx.AsyncClient, seconds: float) -> None:
    r = await client.post("/_control/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200, r.text
