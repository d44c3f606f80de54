"""Price and availability: limits, unknown products, currencies, warehouses."""

from __future__ import annotations

from typing import Any

from disty.simulator.ingram.vocab import CAD_PER_USD
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import PNA, PNA_QUERY, SEARCH, authed, skus


def _products(client: SimulatorClient, n: int, start: int = 100) -> list[dict[str, str]]:
    return [
        {"ingramPartNumber": client.sim.catalog.product(i).ingram_part_number}
        for i in range(start, start + n)
    ]


async def test_fifty_products_answer_and_fifty_one_are_400(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client)
    r = await simulator_client.post(
        PNA, params=PNA_QUERY, headers=h, json={"products": _products(simulator_client, 50)}
    )
    assert r.status_code == 200
    assert len(r.json()) == 50
    r = await simulator_client.post(
        PNA, params=PNA_QUERY, headers=h, json={"products": _products(simulator_client, 51)}
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["fields"][0]["field"] == "products"


async def test_unknown_products_come_back_as_E_rows_with_207(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client)
    r = await simulator_client.post(
        PNA,
        params=PNA_QUERY,
        headers=h,
        json={
            "products": [
                {"ingramPartNumber": "123512"},
                {"ingramPartNumber": "12351211"},
                {"vendorPartNumber": "NO-SUCH-VPN"},
            ]
        },
    )
    assert r.status_code == 207
    rows: list[dict[str, Any]] = r.json()
    assert skus(rows) == ["123512", "12351211", None]
    assert "productStatusCode" not in rows[0]
    assert rows[1]["productStatusCode"] == rows[2]["productStatusCode"] == "E"
    assert rows[1]["productStatusMessage"] == "Product not found for IngramPartNumber:  12351211"
    assert rows[2]["vendorPartNumber"] == "NO-SUCH-VPN"


async def test_products_by_vendor_part_number_and_upc(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    p = simulator_client.sim.catalog.product(777)
    r = await simulator_client.post(
        PNA,
        params=PNA_QUERY,
        headers=h,
        json={"products": [{"vendorPartNumber": p.vendor_part_number}, {"upc": p.upc}]},
    )
    assert r.status_code == 200
    assert skus(r.json()) == [p.ingram_part_number] * 2


async def test_prices_follow_the_country(simulator_client: SimulatorClient) -> None:
    body = {"products": [{"ingramPartNumber": "QQ0202"}]}
    us = (
        await simulator_client.post(
            PNA, params=PNA_QUERY, json=body, headers=await authed(simulator_client)
        )
    ).json()[0]
    ca = (
        await simulator_client.post(
            PNA, params=PNA_QUERY, json=body, headers=await authed(simulator_client, country="CA")
        )
    ).json()[0]
    assert us["pricing"]["currencyCode"] == "USD"
    assert ca["pricing"]["currencyCode"] == "CAD"
    assert ca["pricing"]["customerPrice"] == round(us["pricing"]["customerPrice"] * CAD_PER_USD, 2)
    us_wh = {w["warehouseId"] for w in us["availability"]["availabilityByWarehouse"]}
    ca_wh = {w["warehouseId"] for w in ca["availability"]["availabilityByWarehouse"]}
    assert us_wh
    assert ca_wh
    assert not us_wh & ca_wh


async def test_availability_by_warehouse_and_include_flags(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client)
    r = await simulator_client.post(
        PNA,
        params=PNA_QUERY,
        headers=h,
        json={
            "products": [{"ingramPartNumber": "3N7314"}],
            "availabilityByWarehouse": [{"availabilityByWarehouseId": "40"}],
        },
    )
    (row,) = r.json()
    (wh,) = row["availability"]["availabilityByWarehouse"]
    assert wh["warehouseId"] == "40"
    assert row["availability"]["totalAvailability"] == wh["quantityAvailable"]
    r = await simulator_client.post(
        PNA,
        headers=h,
        json={"products": [{"ingramPartNumber": "3N7314"}]},
        params={"includeAvailability": "false", "includePricing": "false"},
    )
    assert "availability" not in r.json()[0]
    assert "pricing" not in r.json()[0]
    r = await simulator_client.post(
        PNA,
        headers=h,
        params={"includePricing": "true"},
        json={"products": [{"ingramPartNumber": "3N7314"}]},
    )
    assert r.status_code == 400


async def test_catalog_has_backordered_direct_ship_and_discontinued_items(
    simulator_client: SimulatorClient,
) -> None:
    catalog = simulator_client.sim.catalog
    sample = [catalog.product(i) for i in range(10, 1000)]
    assert any(p.backordered for p in sample)
    assert any(p.direct_ship for p in sample)
    assert any(p.discontinued for p in sample)
    h = await authed(simulator_client)
    back = next(p for p in sample if p.backordered)
    direct = next(p for p in sample if p.direct_ship)
    r = await simulator_client.post(
        PNA,
        params=PNA_QUERY,
        headers=h,
        json={
            "products": [
                {"ingramPartNumber": back.ingram_part_number},
                {"ingramPartNumber": direct.ingram_part_number},
            ]
        },
    )
    back_row, direct_row = r.json()
    assert back_row["availability"]["available"] is False
    assert all(
        w["quantityBackordered"] > 0 and w["backOrderInfo"]
        for w in back_row["availability"]["availabilityByWarehouse"]
    )
    assert direct_row["productClass"] == "X"
    r = await simulator_client.get(SEARCH, headers=h, params={"keyword": direct.ingram_part_number})
    assert r.json()["catalog"][0]["directShip"] == "true"
