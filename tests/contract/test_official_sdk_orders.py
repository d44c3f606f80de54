"""Ingram's official SDK runs every part-2 operation it has against the simulator over HTTP.

Orders (create v6 and v7, detail, search, modify, release, cancel), quotes (search, detail,
validate; the SDK has no quote create: plain HTTP creates one), invoices (search, v6.1 detail),
deals, renewals, returns (create, search, detail) and freight. Its strict pydantic models
parse every answer; a field of the wrong type fails the test.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.fixtures.simulator import RunningSimulator
from tests.simulator.helpers import attrs, order_body, stocked

resellers = pytest.importorskip("xi.sdk.resellers")
from xi.sdk.resellers.api.accesstoken_api import AccesstokenApi  # noqa: E402
from xi.sdk.resellers.api.deals_api import DealsApi  # noqa: E402
from xi.sdk.resellers.api.freight_estimate_api import FreightEstimateApi  # noqa: E402
from xi.sdk.resellers.api.invoices_api import InvoicesApi  # noqa: E402
from xi.sdk.resellers.api.orders_api import OrdersApi  # noqa: E402
from xi.sdk.resellers.api.quotes_api import QuotesApi  # noqa: E402
from xi.sdk.resellers.api.renewals_api import RenewalsApi  # noqa: E402
from xi.sdk.resellers.api.returns_api import ReturnsApi  # noqa: E402
from xi.sdk.resellers.models.freight_request import FreightRequest  # noqa: E402
from xi.sdk.resellers.models.order_create_request import OrderCreateRequest  # noqa: E402
from xi.sdk.resellers.models.order_create_v7_request import OrderCreateV7Request  # noqa: E402
from xi.sdk.resellers.models.order_modify_request import OrderModifyRequest  # noqa: E402
from xi.sdk.resellers.models.renewals_search_request import RenewalsSearchRequest  # noqa: E402
from xi.sdk.resellers.models.returns_create_request import ReturnsCreateRequest  # noqa: E402


def _corr() -> str:
    return uuid.uuid4().hex


def _client(sim: RunningSimulator) -> tuple[Any, dict[str, Any]]:
    config = resellers.Configuration(host=sim.base_url)
    client = resellers.ApiClient(config)
    token = AccesstokenApi(client).get_accesstoken(
        "client_credentials", sim.client_id, sim.client_secret
    )
    config.access_token = token.access_token
    return client, {"im_customer_number": sim.customer_number, "im_country_code": "US"}


def orders_api(client: Any) -> Any:
    return OrdersApi(client)


def freight_api(client: Any) -> Any:
    # The SDK is typed; its answers' fields are all Optional. Asserting each one here would
    # bury what is tested, so the tests hold its APIs as Any.
    return FreightEstimateApi(client)


def _advance(sim: RunningSimulator, seconds: float) -> None:
    httpx.post(sim.control_url + "/clock/advance", json={"seconds": seconds}).raise_for_status()


def test_orders_life_through_the_sdk(simulator: RunningSimulator) -> None:
    client, common = _client(simulator)
    orders: Any = OrdersApi(client)
    p = stocked(simulator.state, 4)
    available = simulator.state.inventory.available(p, "US")
    request = OrderCreateRequest.from_dict(
        order_body(
            "SDK-1",
            (p.ingram_part_number, available + 1),
            ("XXXXXX", 1),
            shipToInfo={
                "companyName": "ACME",
                "addressLine1": "1 MAIN ST",
                "city": "Austin",
                "state": "TX",
                "postalCode": "78701",
                "countryCode": "US",
            },
        )
    )
    created = orders.post_createorder_v6_with_http_info(
        im_correlation_id=_corr(), order_create_request=request, **common
    )
    assert created.status_code == 207
    sub = created.data.orders[0]
    number = sub.ingram_order_number
    assert sub.rejected_line_items[0].reject_code == "EN"
    detail = orders.get_orderdetails_v6_1(number, im_correlation_id=_corr(), **common)
    assert detail.order_status == "Processing"
    assert detail.ship_to_info.company_name == "ACME"
    _advance(simulator, 60)
    detail = orders.get_orderdetails_v6_1(number, im_correlation_id=_corr(), **common)
    assert detail.order_status == "Partially Shipped"
    tracking = detail.lines[0].shipment_details[0].carrier_details[0].tracking_details[0]
    assert tracking.tracking_url.endswith(tracking.tracking_number)
    for _ in range(3):
        _advance(simulator, 60)
    detail = orders.get_orderdetails_v6_1(number, im_correlation_id=_corr(), **common)
    assert detail.order_status == "Shipped"
    assert len(detail.lines[0].shipment_details) == 2
    found = orders.get_resellers_v6_ordersearch(
        im_correlation_id=_corr(), customer_order_number="SDK-1", **common
    )
    assert found.records_found == 1
    assert found.orders[0].ingram_order_number == number
    assert found.orders[0].order_status == "SHIPPED"
    # Invoices of that order, through the SDK.
    invoices: Any = InvoicesApi(client)
    listed = invoices.get_resellers_v6_invoicesearch(
        im_application_id="disty", im_correlation_id=_corr(), order_number=number, **common
    )
    assert listed.records_found == 2
    for row in listed.invoices:
        inv = invoices.get_invoicedetails_v6_1(
            row.invoice_number,
            im_correlation_id=_corr(),
            im_application_id="disty",
            include_serial_numbers=True,
            **common,
        )
        assert inv.customer_order_number == "SDK-1"
        assert inv.summary.totals.invoiced_amount_due == row.invoiced_amount_due
    # Returns against one of those invoices.
    returns: Any = ReturnsApi(client)
    claim = returns.post_returnscreate(
        im_correlation_id=_corr(),
        returns_create_request=ReturnsCreateRequest.from_dict(
            {
                "list": [
                    {
                        # The SDK's model requires every field.
                        "invoiceNumber": listed.invoices[0].invoice_number,
                        "invoiceDate": listed.invoices[0].invoice_date,
                        "customerOrderNumber": "SDK-1",
                        "ingramPartNumber": p.ingram_part_number,
                        "vendorPartNumber": p.vendor_part_number,
                        "serialNumber": "",
                        "quantity": 1,
                        "primaryReason": "Damaged",
                        "secondaryReason": "Box crushed",
                        "notes": "",
                        "referenceNumber": "RMA-1",
                        "billToAddressId": "000",
                        "shipFromInfo": [
                            {
                                "companyName": "ACME",
                                "contact": "Jo",
                                "addressLine1": "1 MAIN ST",
                                "addressLine2": "",
                                "addressLine3": "",
                                "city": "Austin",
                                "state": "TX",
                                "postalCode": "78701",
                                "countryCode": "US",
                                "email": "jo@acme.example",
                                "phoneNumber": "5125550100",
                            }
                        ],
                        "numberOfBoxes": 1,
                    }
                ]
            }
        ),
        **common,
    )
    case = claim.returns_claims[0].case_request_number
    again = returns.get_resellers_v6_returnsdetails(
        case_request_number=case, im_correlation_id=_corr(), **common
    )
    assert again.products[0].ingram_part_number == p.ingram_part_number
    search = returns.get_resellers_v6_returnssearch(im_correlation_id=_corr(), **common)
    assert [r.case_request_number for r in search.returns_claims] == [case]


def test_hold_modify_release_and_cancel_through_the_sdk(simulator: RunningSimulator) -> None:
    client, common = _client(simulator)
    orders: Any = OrdersApi(client)
    p = stocked(simulator.state, 4)
    hold = attrs(allowOrderOnCustomerHold="true")

    def place(con: str) -> str:
        r = orders.post_createorder_v6(
            im_correlation_id=_corr(),
            order_create_request=OrderCreateRequest.from_dict(
                order_body(con, (p.ingram_part_number, 1), additionalAttributes=hold)
            ),
            **common,
        )
        number: str = r.orders[0].ingram_order_number
        return number

    first = place("SDK-H1")
    modified = orders.put_ordermodify(
        first,
        im_correlation_id=_corr(),
        order_modify_request=OrderModifyRequest.from_dict(
            {
                "notes": "changed",
                "lines": [
                    {
                        "ingramLineNumber": "001",
                        "ingramPartNumber": p.ingram_part_number,
                        "addUpdateDeleteLine": "UPDATE",
                        "quantity": 2,
                    }
                ],
            }
        ),
        **common,
    )
    assert modified.lines[0].quantity_ordered == 2
    released = orders.put_ordermodify(
        first,
        im_correlation_id=_corr(),
        action_code="release",
        order_modify_request=OrderModifyRequest.from_dict({}),  # the SDK insists on a body
        **common,
    )
    assert released.order_status == "Processing"
    second = place("SDK-H2")
    orders.delete_ordercancel(second, im_correlation_id=_corr(), **common)
    detail = orders.get_orderdetails_v6_1(second, im_correlation_id=_corr(), **common)
    assert detail.order_status == "Canceled"
    with pytest.raises(resellers.ApiException) as refused:
        orders.delete_ordercancel(first, im_correlation_id=_corr(), **common)
    assert refused.value.status == 405


def test_quotes_v7_deals_renewals_freight_through_the_sdk(simulator: RunningSimulator) -> None:
    client, common = _client(simulator)
    p = stocked(simulator.state)
    r = httpx.post(
        simulator.base_url + "/resellers/v6/quotes/create",
        headers={
            "Authorization": f"Bearer {client.configuration.access_token}",
            "IM-CustomerNumber": simulator.customer_number,
            "IM-CountryCode": "US",
            "IM-CorrelationID": _corr(),
        },
        json={
            "quoteName": "SDK quote",
            "CustomerContact": "buyer@example.com",
            "products": [{"ingramPartNumber": p.ingram_part_number, "quantity": "3"}],
        },
    )
    number = r.json()["quoteNumber"]
    quotes: Any = QuotesApi(client)
    found = quotes.get_quotessearch_v6(
        im_customer_contact="me@example.com",
        im_correlation_id=_corr(),
        quote_number=number,
        **common,
    )
    assert [q.quote_number for q in found.quotes] == [number]
    detail = quotes.get_resellers_v6_quotes(
        quote_number=number, im_correlation_id=_corr(), **common
    )
    assert detail.products[0].ingram_part_number == p.ingram_part_number
    assert detail.quantity_total == 3
    valid = quotes.get_reseller_v6_validate_quote(number, im_correlation_id=_corr(), **common)
    assert valid.lines[0].quantity == 3
    v7 = orders_api(client).post_createorder_v7_with_http_info(
        im_correlation_id=_corr(),
        order_create_v7_request=OrderCreateV7Request.from_dict(
            {"customerOrderNumber": "SDK-V7", "quoteNumber": number}
        ),
        **common,
    )
    assert v7.status_code == 200
    assert v7.data.confirmation_number
    deals: Any = DealsApi(client)
    listed = deals.get_resellers_v6_dealssearch(im_correlation_id=_corr(), size=5, page=1, **common)
    assert listed.records_found == 20
    deal = deals.get_resellers_v6_dealsdetails(
        im_correlation_id=_corr(),
        im_application_id="disty",
        deal_id=listed.deals[0].deal_id,
        vendor_name=listed.deals[0].vendor,
        **common,
    )
    assert deal.products
    renewals: Any = RenewalsApi(client)
    page = renewals.post_renewalssearch(
        im_correlation_id=_corr(),
        renewals_search_request=RenewalsSearchRequest.from_dict({"vendor": ""}),
        **common,
    )
    assert page.renewals
    one = renewals.get_resellers_v6_renewalsdetails(
        im_correlation_id=_corr(), renewal_id=str(page.renewals[0].renewal_id), **common
    )
    assert one.products
    freight = freight_api(client).post_freightestimate(
        im_correlation_id=_corr(),
        im_customer_contact="me@example.com",
        freight_request=FreightRequest.from_dict(
            {
                "lines": [
                    {
                        "customerLineNumber": "001",
                        "ingramPartNumber": p.ingram_part_number,
                        "quantity": "2",
                    }
                ]
            }
        ),
        **common,
    )
    est = freight.freight_estimate_response
    assert est.gross_amount == round(est.total_net_amount + est.total_freight_amount, 2)
