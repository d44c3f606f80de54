"""Ingram's official SDK (xi-sdk-resellers) against the simulator over real HTTP.

The SDK is a client no one here wrote; its strict pydantic models parse every answer. It is
synchronous (urllib3), so these tests are plain functions.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fixtures.simulator import RunningSimulator

resellers = pytest.importorskip("xi.sdk.resellers")
from xi.sdk.resellers.api.accesstoken_api import AccesstokenApi  # noqa: E402
from xi.sdk.resellers.api.product_catalog_api import ProductCatalogApi  # noqa: E402
from xi.sdk.resellers.models.price_and_availability_request import (  # noqa: E402
    PriceAndAvailabilityRequest,
)
from xi.sdk.resellers.models.price_and_availability_request_products_inner import (  # noqa: E402
    PriceAndAvailabilityRequestProductsInner,
)


def _corr() -> str:
    return uuid.uuid4().hex  # 32 characters: the most Ingram accepts


def _catalog_api(sim: RunningSimulator) -> tuple[ProductCatalogApi, dict[str, Any]]:
    config = resellers.Configuration(host=sim.base_url)
    client = resellers.ApiClient(config)
    token = AccesstokenApi(client).get_accesstoken(
        "client_credentials", sim.client_id, sim.client_secret
    )
    assert token.token_type == "Bearer"
    assert isinstance(token.expires_in, str)
    config.access_token = token.access_token
    common: dict[str, Any] = {"im_customer_number": sim.customer_number, "im_country_code": "US"}
    return ProductCatalogApi(client), common


def test_token_search_paging_and_filters(simulator: RunningSimulator) -> None:
    api, common = _catalog_api(simulator)
    first = api.get_reseller_v6_productsearch(
        im_correlation_id=_corr(), keyword=["monitor"], page_size=10, page_number=1, **common
    )
    second = api.get_reseller_v6_productsearch(
        im_correlation_id=_corr(), keyword=["monitor"], page_size=10, page_number=2, **common
    )
    assert first.records_found is not None
    assert first.records_found == second.records_found
    assert first.records_found > 20
    assert first.catalog
    assert second.catalog
    a = {row.ingram_part_number for row in first.catalog}
    b = {row.ingram_part_number for row in second.catalog}
    assert len(a) == len(b) == 10
    assert not a & b
    assert first.next_page
    assert second.previous_page
    filtered = api.get_reseller_v6_productsearch(
        im_correlation_id=_corr(), vendor=["Dell"], category="Monitors", **common
    )
    assert filtered.catalog
    assert {(row.vendor_name or "").lower() for row in filtered.catalog} == {"dell"}


def test_details_by_ingram_and_vendor_part_number(simulator: RunningSimulator) -> None:
    api, common = _catalog_api(simulator)
    details = api.get_reseller_v6_productdetail("6YE881", im_correlation_id=_corr(), **common)
    assert details.vendor_part_number == "20VE0117MH"
    assert details.indicators is not None
    assert details.additional_information is not None
    same = api.get_reseller_v6_productdetailcmp(
        im_correlation_id=_corr(), vendor_part_number="20VE0117MH", **common
    )
    assert same.ingram_part_number == "6YE881"
    product = simulator.state.catalog.product(2000)
    generated = api.get_reseller_v6_productdetail(
        product.ingram_part_number, im_correlation_id=_corr(), **common
    )
    assert generated.upc == product.upc


def test_price_and_availability_with_unknown_skus(simulator: RunningSimulator) -> None:
    api, common = _catalog_api(simulator)
    known = [simulator.state.catalog.product(i).ingram_part_number for i in range(100, 148)]
    request = PriceAndAvailabilityRequest(
        products=[
            *(PriceAndAvailabilityRequestProductsInner(ingram_part_number=s) for s in known),
            PriceAndAvailabilityRequestProductsInner(ingram_part_number="ZZZZZ0"),
            PriceAndAvailabilityRequestProductsInner(vendor_part_number="NO-SUCH-PART"),
        ]
    )
    response = api.post_priceandavailability_with_http_info(
        True, True, im_correlation_id=_corr(), price_and_availability_request=request, **common
    )
    assert response.status_code == 207
    rows = response.data
    assert len(rows) == 50
    assert [r.product_status_code for r in rows[-2:]] == ["E", "E"]
    for row in rows[:-2]:
        assert row.product_status_code is None
        assert row.pricing is not None
        assert row.pricing.currency_code == "USD"
        assert row.availability is not None
        assert row.availability.availability_by_warehouse is not None
