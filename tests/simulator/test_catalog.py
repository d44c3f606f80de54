"""Catalog search, paging, filters, details, and the generator's determinism."""

from __future__ import annotations

from disty.simulator.ingram.catalog import Catalog, SearchQuery
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import DETAILS, SEARCH, authed


async def test_pages_are_disjoint_and_cover_every_record(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    seen: list[str] = []
    page, total = 1, None
    while True:
        r = await simulator_client.get(
            SEARCH,
            headers=h,
            params={"keyword": "switch", "vendor": "Cisco", "pageSize": 20, "pageNumber": page},
        )
        assert r.status_code == 200
        body = r.json()
        total = body["recordsFound"]
        seen += [row["ingramPartNumber"] for row in body["catalog"]]
        assert all(row["vendorName"] == "Cisco" for row in body["catalog"])
        if "nextPage" not in body:
            break
        assert "pageNumber=" in body["nextPage"]
        page += 1
    assert len(seen) == len(set(seen)) == total
    assert total > 40  # really several pages


async def test_page_size_over_100_is_400(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    r = await simulator_client.get(SEARCH, headers=h, params={"pageSize": 101})
    assert r.status_code == 400
    assert r.json()["errors"][0]["fields"][0]["field"] == "pageSize"
    r = await simulator_client.get(SEARCH, headers=h)
    assert r.json()["pageSize"] == 25


async def test_no_match_is_404_no_records_found(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    r = await simulator_client.get(SEARCH, headers=h, params={"keyword": "zzzzzz-nothing"})
    assert r.status_code == 404
    assert r.json()["errors"][0]["message"] == "No Records Found"


async def test_filters_by_category_vendor_part_number_and_exact_codes(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client)
    r = await simulator_client.get(SEARCH, headers=h, params={"category": "Monitors"})
    assert {row["subCategory"] for row in r.json()["catalog"]} == {"Monitors"}
    r = await simulator_client.get(SEARCH, headers=h, params={"vendorPartNumber": "20VE0117MH"})
    assert [row["ingramPartNumber"] for row in r.json()["catalog"]] == ["6YE881"]
    product = simulator_client.sim.catalog.product(1234)
    for code in (product.ingram_part_number, product.vendor_part_number, product.upc):
        r = await simulator_client.get(SEARCH, headers=h, params={"keyword": code})
        assert [row["ingramPartNumber"] for row in r.json()["catalog"]] == [
            product.ingram_part_number
        ]
    r = await simulator_client.get(SEARCH, headers=h, params={"type": "IM::digital"})
    assert {row["type"] for row in r.json()["catalog"]} == {"IM::Digital"}


async def test_details_by_ingram_and_vendor_part_number_agree(
    simulator_client: SimulatorClient,
) -> None:
    h = await authed(simulator_client)
    product = simulator_client.sim.catalog.product(4321)
    by_ipn = await simulator_client.get(f"{DETAILS}/{product.ingram_part_number}", headers=h)
    by_vpn = await simulator_client.get(
        DETAILS, headers=h, params={"vendorPartNumber": product.vendor_part_number}
    )
    assert by_ipn.status_code == by_vpn.status_code == 200
    assert by_ipn.json() == by_vpn.json()
    assert by_ipn.json()["upc"] == product.upc


async def test_details_errors(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    assert (await simulator_client.get(f"{DETAILS}/ZZZZZ9", headers=h)).status_code == 404
    assert (await simulator_client.get(f"{DETAILS}/1234567", headers=h)).status_code == 400
    assert (await simulator_client.get(DETAILS, headers=h)).status_code == 400
    r = await simulator_client.get(DETAILS, headers=h, params={"vendorPartNumber": "NOPE-1"})
    assert r.status_code == 404


def test_same_seed_same_catalog_other_seed_other_catalog() -> None:
    a, b, c = Catalog(5000, seed=7), Catalog(5000, seed=7), Catalog(5000, seed=8)
    assert [a.product(i) for i in range(0, 5000, 97)] == [b.product(i) for i in range(0, 5000, 97)]
    assert a.product(100).ingram_part_number != c.product(100).ingram_part_number


def test_part_numbers_are_unique_six_characters_and_invert() -> None:
    catalog = Catalog(20_000, seed=3)
    ipns = [catalog.product(i).ingram_part_number for i in range(catalog.size)]
    assert len(set(ipns)) == catalog.size
    assert all(len(ipn) == 6 and ipn.isalnum() and ipn.upper() == ipn for ipn in ipns)
    for i in range(0, catalog.size, 37):
        p = catalog.product(i)
        assert catalog.by_ingram_part_number(p.ingram_part_number) == p
        assert catalog.by_vendor_part_number(p.vendor_part_number) == p
        assert catalog.by_upc(p.upc) == p


def test_search_counts_are_exact() -> None:
    catalog = Catalog(20_000, seed=5)
    query = SearchQuery(keywords=("notebook",), vendors=("Lenovo",))
    # Keywords search description, vendor, category and subcategory (pinned 6YE881 matches
    # through its subcategory "Notebooks & Tablets").
    expected = [
        i
        for i in range(catalog.size)
        if "notebook" in f"{(p := catalog.product(i)).description} {p.subcategory}".lower()
        and p.vendor_name == "Lenovo"
    ]
    total, page = catalog.search(query, page_number=2, page_size=10)
    assert total == len(expected)
    assert [p.index for p in page] == expected[10:20]


def test_a_million_products_answer_without_being_materialised() -> None:
    catalog = Catalog(1_000_000, seed=1)
    last = catalog.product(999_999)
    assert catalog.by_ingram_part_number(last.ingram_part_number) == last
    assert catalog.by_vendor_part_number(last.vendor_part_number) == last
    total, page = catalog.search(
        SearchQuery(keywords=("thinkpad",)), page_number=400, page_size=100
    )
    assert total > 40_000
    assert len(page) == 100
    assert all("THINKPAD" in p.description for p in page)
    # The only per-product memory is the one-byte template index behind keyword search.
    assert len(catalog._template_bytes()) == 1_000_000
