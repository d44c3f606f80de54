"""What clients written elsewhere caught in the simulator (issue 25), each through Ingram's
official SDK where it has the operation, else real HTTP. Search filters and simulateStatus have
their own tests (test_search_filters.py, tests/simulator/test_orders.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.conftest import Calls
from tests.contract.test_official_sdk_orders import _client, _corr
from tests.fixtures.simulator import RunningSimulator, WebhookReceiver
from tests.simulator.helpers import attrs, order_body, stocked

resellers = pytest.importorskip("xi.sdk.resellers")
from xi.sdk.resellers.api.orders_api import OrdersApi  # noqa: E402
from xi.sdk.resellers.api.product_catalog_api import ProductCatalogApi  # noqa: E402
from xi.sdk.resellers.models.order_create_v7_request import OrderCreateV7Request  # noqa: E402
from xi.sdk.resellers.models.vendor_required_info_request import (  # noqa: E402
    VendorRequiredInfoRequest,
)


def _hook(sim: RunningSimulator, rx: WebhookReceiver, events: list[str]) -> None:
    r = httpx.post(sim.control_url + f"/apps/{sim.client_id}/webhooks",
                   json={"destination_url": rx.url("i25"), "events": events})  # fmt: skip
    rx.expect("i25", r.json()["secret"])


def test_vendor_required_info_and_plans_through_the_sdk(simulator: RunningSimulator) -> None:
    client, ids = _client(simulator)
    p = stocked(simulator.state)
    catalog: Any = ProductCatalogApi(client)
    plan = catalog.get_reseller_v6_productdetailcmp(
        **ids, im_correlation_id=_corr(), plan_id="SIMPLAN0001"
    )
    [details] = plan.subscription_details
    assert details.plan_id == "SIMPLAN0001"
    by_name = catalog.get_reseller_v6_productdetailcmp(
        **ids, im_correlation_id=_corr(), plan_name=details.plan_name.upper()
    )
    assert by_name.ingram_part_number == plan.ingram_part_number
    with pytest.raises(resellers.ApiException) as missing:
        catalog.get_reseller_v6_productdetailcmp(**ids, im_correlation_id=_corr(), plan_id="NOPE")
    assert missing.value.status == 404

    orders: Any = OrdersApi(client)
    rows = orders.vendor_required_info(
        **ids,
        im_correlation_id=_corr(),
        im_sender_id="disty",
        vendor_required_info_request=VendorRequiredInfoRequest.from_dict(
            {
                "products": [
                    {"ingramPartNumber": p.ingram_part_number},
                    {"vendorPartNumber": p.vendor_part_number},
                    {"planID": "SIMPLAN0001"},
                    {"ingramPartNumber": "ZZZZZZ"},
                ]
            }
        ),
    )
    assert [r.ingram_part_number for r in rows[:2]] == [p.ingram_part_number] * 2
    assert rows[2].plan_id == "SIMPLAN0001"
    assert rows[2].vri_additional_attributes
    assert rows[3].response_messages[0].message == "Product not found"
    bad = httpx.post(simulator.base_url + "/resellers/v7/vendorrequiredinfo",
                     headers=Calls(simulator).h, json={})  # fmt: skip
    assert bad.status_code == 400


def test_v7_without_po_number_and_a_refusal_that_says_why(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    _hook(simulator, webhook_receiver, ["order_async_create", "order_hold"])
    client, ids = _client(simulator)
    p = stocked(simulator.state)
    orders: Any = OrdersApi(client)
    # customerOrderNumber is optional on v7 (spec and SDK).
    ok = orders.post_createorder_v7(**ids, im_correlation_id=_corr(),
        order_create_v7_request=OrderCreateV7Request.from_dict(
            {"lines": [{"ingramPartNumber": p.ingram_part_number, "quantity": 1}]}))  # fmt: skip
    assert ok.confirmation_number
    # Nothing orderable: the result says how many lines failed and why.
    orders.post_createorder_v7(**ids, im_correlation_id=_corr(),
        order_create_v7_request=OrderCreateV7Request.from_dict({"customerOrderNumber": "I25-BAD",
            "lines": [{"ingramPartNumber": "ZZZZZZ", "quantity": 1}]}))  # fmt: skip
    call = Calls(simulator)
    call.advance(1)
    results = {r.body["resource"]["customerOrderNumber"]: r.body["resource"]
               for r in webhook_receiver.of("i25")}  # fmt: skip
    assert results[""]["orders"][0]["ingramOrderNumber"]
    [refused] = results["I25-BAD"]["orders"]
    assert refused["ingramOrderNumber"] == ""
    assert refused["numberOfLinesWithError"] == 1
    assert refused["notes"]
    assert results["I25-BAD"]["rejectedLineItems"][0]["rejectCode"] == "EN"
    # A held order's webhook lines use only the schema's statuses.
    call("POST", "/resellers/v6/orders", json=order_body("I25-HOLD", (p.ingram_part_number, 1),
         additionalAttributes=attrs(allowOrderOnCustomerHold="true")))  # fmt: skip
    call.advance(1)
    statuses = {
        ln["lineStatus"]
        for r in webhook_receiver.of("i25")
        if isinstance(r.body["resource"], list)
        for ln in r.body["resource"][0]["lines"]
    }
    assert statuses
    assert statuses <= {"Backordered", "Open", "Shipped"}


def test_empty_next_page_is_the_same_everywhere(world: dict[str, Any]) -> None:
    call: Calls = world["call"]
    pages = [
        call("GET", "/resellers/v6/invoices").json(),
        call("POST", "/resellers/v6/renewals/search", params={"size": 100}, json={}).json(),
        call("GET", "/resellers/v6/returns/search").json(),
        call("GET", "/resellers/v6/deals/search", params={"Size": 100}).json(),
        call("GET", "/resellers/v6/orders/search").json(),
    ]
    assert [p["nextPage"] for p in pages] == [""] * 5
    assert [p.get("previousPage", "") for p in pages] == [""] * 5


def test_quote_create_rules_follow_the_spec(world: dict[str, Any]) -> None:
    call: Calls = world["call"]
    p = world["p"]
    products = [{"vendorPartNumber": p.vendor_part_number, "quantity": "1"}]
    # CustomerContact is the one required field; quoteName is optional.
    made = call("POST", "/resellers/v6/quotes/create",
                json={"CustomerContact": "buyer@example.com", "products": products})  # fmt: skip
    assert made.status_code == 200, made.text
    detail = call("GET", f"/resellers/v6/quotes/{made.json()['quoteNumber']}").json()
    assert detail["products"][0]["ingramPartNumber"] == p.ingram_part_number
    refused = call("POST", "/resellers/v6/quotes/create",
                   json={"quoteName": "X", "products": products})  # fmt: skip
    assert refused.status_code == 400
    assert "CustomerContact" in refused.text
