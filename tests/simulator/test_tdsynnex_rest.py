"""TD SYNNEX's Partner REST API (NOTES 8): the OAuth2 token and its life on the simulated
clock, GetPriceAvailability's every element as 8.4 shows it and its agreement with the XML
P&A, the entitlement switch, the order and shipment look-ups answered from orders placed
through /SynnexXML/PO (agreeing with POStatus) and their not-found answer, every error shape
and 429.
The P&A request is the notes' example (fixtures/tdsynnex/rest-pna-request.json)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from disty.simulator import create_app
from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_REST_CLIENT_ID,
    DEMO_TDSYNNEX_REST_CLIENT_SECRET,
    SimulatorConfig,
)
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from tests.fixtures.simulator import FROZEN_AT, SimulatorClient
from tests.simulator import test_tdsynnex_invoices as invoices_test
from tests.simulator.tdsynnex_orders import PO, in_stock, no_stock, pick, po_request, post, td_state
from tests.simulator.test_tdsynnex_pna import catalog, first, request
from tests.simulator.test_tdsynnex_postatus import place, status

PNA = "/tdsynnex/{country}/api/v1/webservice/json/GetPriceAvailability"
EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "tdsynnex" / "rest-pna-request.json").read_text()
)
FORM = {
    "grant_type": "client_credentials",
    "client_id": DEMO_TDSYNNEX_REST_CLIENT_ID,
    "client_secret": DEMO_TDSYNNEX_REST_CLIENT_SECRET,
}


async def token(client: httpx.AsyncClient, path: str = "/tdsynnex/us/oauth2/v1/token") -> str:
    r = await client.post(path, data=FORM)
    assert r.status_code == 200, r.text
    value: str = r.json()["access_token"]
    return value


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def pna_body(sku: str, mfg_pn: str) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    body["skuList"][0]["synnexSKU"] = sku
    body["skuList"][1]["mfgPN"] = mfg_pn
    return body


async def pna(
    client: httpx.AsyncClient, body: object, country: str = "us", status: int = 200
) -> Any:
    r = await client.post(
        PNA.format(country=country), json=body, headers=bearer(await token(client))
    )
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def assert_error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert set(body) >= {"requestId", "data"}
    assert isinstance(body["requestId"], str)
    assert body["requestId"]
    assert set(body["data"]) == {"errorCode", "errorMessage"}
    assert body["data"]["errorCode"] == code
    assert body["data"]["errorMessage"]
    return body


async def advance(client: httpx.AsyncClient, seconds: float) -> None:
    r = await client.post("/_control/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200


@pytest.fixture
def active(simulator_client: SimulatorClient) -> TdProduct:
    return first(catalog(simulator_client), lambda p: p.authorized and not p.discontinued)


# -- the token ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/tdsynnex/us/oauth2/v1/token",
        "/tdsynnex/us/sso/oauth2/v1/token",
        "/tdsynnex/ca/oauth2/v1/token",
        "/tdsynnex/ca/sso/oauth2/v1/token",
    ],
)
async def test_the_token_is_served_on_the_sso_and_the_api_host_paths(
    simulator_client: SimulatorClient, path: str
) -> None:
    r = await simulator_client.post(path, data=FORM)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 7200
    assert body["access_token"]


async def test_a_token_lives_7200_simulated_seconds(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    value = await token(simulator_client)
    url = PNA.format(country="us")
    body = pna_body(active.sku, active.mfg_pn)
    await advance(simulator_client, 7199)
    assert (await simulator_client.post(url, json=body, headers=bearer(value))).status_code == 200
    await advance(simulator_client, 1)
    r = await simulator_client.post(url, json=body, headers=bearer(value))
    assert_error(r, 401, "EXPIRED_TOKEN")
    # A fresh token works again (what clients do on 401: retry once with a new one).
    fresh = await token(simulator_client)
    assert (await simulator_client.post(url, json=body, headers=bearer(fresh))).status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**FORM, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**FORM, "client_id": "someone-else"}, 401, "invalid_client"),
        ({k: v for k, v in FORM.items() if k != "client_secret"}, 400, "invalid_request"),
        ({k: v for k, v in FORM.items() if k != "grant_type"}, 400, "invalid_request"),
        ({**FORM, "grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
async def test_token_errors_carry_oauth2_and_the_rest_shape(
    simulator_client: SimulatorClient, form: dict[str, str], status: int, error: str
) -> None:
    r = await simulator_client.post("/tdsynnex/us/oauth2/v1/token", data=form)
    body = assert_error(r, status, error.upper())
    assert body["error"] == error
    assert body["error_description"] == body["data"]["errorMessage"]
    assert "access_token" not in body
    assert DEMO_TDSYNNEX_REST_CLIENT_SECRET not in r.text


# -- GetPriceAvailability -----------------------------------------------------------------------


async def test_the_notes_example_gets_every_element_of_8_4(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    c = catalog(simulator_client)
    other = first(c, lambda p: p.authorized and not p.discontinued, active.index + 1)
    answer = await pna(simulator_client, pna_body(active.sku, other.mfg_pn))
    assert list(answer) == ["customerNo", "PriceAvailabilityList"]
    assert answer["customerNo"] == DEMO_TDSYNNEX_CUSTOMER
    one, two = answer["PriceAvailabilityList"]
    assert list(one) == [
        "synnexSKU", "mfgPN", "mfgCode", "status", "description", "GlobalProductStatusCode",
        "price", "priceType", "msrp", "weight", "parcelShippable", "totalQuantity",
        "AvailabilityByWarehouse", "lineNumber",
    ]  # fmt: skip
    assert one["synnexSKU"] == active.sku
    assert one["mfgPN"] == active.mfg_pn
    assert one["mfgCode"] == active.mfg_code
    assert one["mfgCode"].isdigit()
    assert one["status"] == one["GlobalProductStatusCode"] == "Active"
    assert one["description"] == active.description
    assert one["price"] == active.price("US")
    assert isinstance(one["price"], str)
    assert one["priceType"] == "REGULAR"
    universal = c.universe.product(active.index)
    assert one["msrp"] == f"{universal.retail_cents / 100:.2f}"
    assert float(one["weight"]) == pytest.approx(universal.weight_kg * 2.20462, abs=0.01)
    assert one["parcelShippable"] == ("Y" if float(one["weight"]) <= 150 else "N")
    assert one["lineNumber"] == 1  # echoed as sent: a number
    warehouses = one["AvailabilityByWarehouse"]
    assert [w["warehouseInfo"]["number"] for w in warehouses] == [3, 4, 5, 6, 8, 98]
    assert warehouses[0]["warehouseInfo"] == {
        "number": 3, "zipcode": "94538", "city": "Fremont, CA", "addr": "44211 Nobel Drive",
    }  # fmt: skip
    assert warehouses[-1]["warehouseInfo"]["zipcode"] == "00000"
    assert one["totalQuantity"] == sum(w["qty"] for w in warehouses)
    for w in warehouses:
        assert isinstance(w["qty"], int)
        assert isinstance(w["onOrderQuantity"], int)
        if w["onOrderQuantity"]:
            arrival = w["estimatedArrivalDate"]
            assert len(arrival) == 8
            assert arrival.isdigit()
            assert arrival > "20260101"
        else:
            assert "estimatedArrivalDate" not in w
    assert two["synnexSKU"] == other.sku
    assert two["mfgPN"] == other.mfg_pn
    assert two["lineNumber"] == 2


async def test_some_warehouse_has_stock_on_order_with_its_arrival(
    simulator_client: SimulatorClient,
) -> None:
    c = catalog(simulator_client)
    product = first(
        c,
        lambda p: p.authorized and not p.discontinued and any(o for _, _, o in p.stock("US")),
    )
    answer = await pna(simulator_client, {"skuList": [{"synnexSKU": product.sku, "lineNumber": 1}]})
    (row,) = answer["PriceAvailabilityList"]
    assert row["priceType"] == "REGULAR"  # the default when none is asked for
    arrivals = [w["estimatedArrivalDate"] for w in row["AvailabilityByWarehouse"]
                if w["onOrderQuantity"]]  # fmt: skip
    assert arrivals
    assert all("20260104" <= a <= "20260121" for a in arrivals)  # 3 to 20 days on


async def test_short_forms_for_not_found_discontinued_and_not_authorized(
    simulator_client: SimulatorClient,
) -> None:
    c = catalog(simulator_client)
    gone = first(c, lambda p: p.discontinued and p.authorized)
    barred = first(c, lambda p: not p.authorized)
    body = {
        "version": "3.0",
        "skuList": [
            {"synnexSKU": "99999999", "lineNumber": 1},
            {"mfgPN": "ABC-100X", "lineNumber": 2, "priceType": "REGULAR"},
            {"customerPartNo": "MY-PART-1", "lineNumber": 3},
            {"synnexSKU": gone.sku, "lineNumber": 4},
            {"mfgPN": barred.mfg_pn, "lineNumber": 5},
        ],
    }
    rows = (await pna(simulator_client, body))["PriceAvailabilityList"]
    assert rows[0] == {"synnexSKU": "99999999", "status": "Not found", "lineNumber": 1}
    # 8.4's example row, exactly.
    assert rows[1] == {"synnexSKU": "0", "mfgPN": "ABC-100X", "status": "Not found",
                       "lineNumber": 2}  # fmt: skip
    assert rows[2] == {"synnexSKU": "0", "customerPartNo": "MY-PART-1", "status": "Not found",
                       "lineNumber": 3}  # fmt: skip
    assert rows[3] == {
        "synnexSKU": gone.sku, "mfgPN": gone.mfg_pn, "mfgCode": gone.mfg_code,
        "status": "Discontinued", "description": gone.description,
        "GlobalProductStatusCode": "Discontinued", "lineNumber": 4,
    }  # fmt: skip
    assert rows[4] == {
        "synnexSKU": barred.sku, "mfgPN": barred.mfg_pn, "status": "Not authorized",
        "GlobalProductStatusCode": "Not authorized", "lineNumber": 5,
    }  # fmt: skip


@pytest.mark.parametrize("country", ["us", "ca"])
async def test_prices_and_stock_agree_with_the_xml_pna(
    simulator_client: SimulatorClient, active: TdProduct, country: str
) -> None:
    xml = await simulator_client.post(
        f"/tdsynnex/{country}/SynnexXML/PriceAvailability",
        content=request(active.sku, active.mfg_pn),
    )
    xml_row = fromstring(xml.content).findall("PriceAvailabilityList")[0]
    answer = await pna(simulator_client, pna_body(active.sku, active.mfg_pn), country)
    row = answer["PriceAvailabilityList"][0]
    for name in ("synnexSKU", "mfgPN", "mfgCode", "status", "description", "price"):
        assert row[name] == xml_row.findtext(name), name
    assert row["totalQuantity"] == int(xml_row.findtext("totalQuantity") or -1)
    xml_stock = [
        (
            int(w.findtext("warehouseInfo/number") or -1),
            int(w.findtext("qty") or -1),
            int(w.findtext("onOrderQuantity") or 0),
        )
        for w in xml_row.findall("AvailabilityByWarehouse")
    ]
    json_stock = [(w["warehouseInfo"]["number"], w["qty"], w["onOrderQuantity"])
                  for w in row["AvailabilityByWarehouse"]]  # fmt: skip
    assert json_stock == xml_stock
    if country == "ca":
        assert [n for n, _, _ in json_stock] == [26, 29, 31, 60, 98]


async def test_at_most_100_lines(simulator_client: SimulatorClient, active: TdProduct) -> None:
    lines = [{"synnexSKU": active.sku, "lineNumber": n} for n in range(1, 101)]
    answer = await pna(simulator_client, {"version": "2.8", "skuList": lines})
    assert len(answer["PriceAvailabilityList"]) == 100
    lines.append({"synnexSKU": active.sku, "lineNumber": 101})
    r = await simulator_client.post(
        PNA.format(country="us"),
        json={"version": "2.8", "skuList": lines},
        headers=bearer(await token(simulator_client)),
    )
    assert_error(r, 400, "BAD_REQUEST")
    assert "100" in r.json()["data"]["errorMessage"]


# -- the entitlement ----------------------------------------------------------------------------


async def test_the_entitlement_switch_turns_the_endpoint_off_and_on(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    switch = "/_control/tdsynnex/rest/entitlements/price-availability"
    body = pna_body(active.sku, active.mfg_pn)
    off = await simulator_client.put(switch, json={"on": False})
    assert off.json() == {"on": False}
    r = await simulator_client.post(
        PNA.format(country="us"), json=body, headers=bearer(await token(simulator_client))
    )
    assert_error(r, 403, "NOT_ENTITLED")
    # The token still opens the look-ups: only P&A is gated.
    r = await simulator_client.get(
        "/tdsynnex/us/api/v1/orders/orderNo/1", headers=bearer(await token(simulator_client))
    )
    assert r.status_code == 404
    assert (await simulator_client.put(switch, json={"on": True})).json() == {"on": True}
    await pna(simulator_client, body)


async def test_a_control_reset_turns_the_entitlement_back_on_and_forgets_tokens(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    switch = "/_control/tdsynnex/rest/entitlements/price-availability"
    await simulator_client.put(switch, json={"on": False})
    await simulator_client.put("/_control/tdsynnex/rest/limits", json={"per_minute": 1})
    old = await token(simulator_client)
    assert (await simulator_client.post("/_control/reset")).status_code == 200
    r = await simulator_client.post(
        PNA.format(country="us"), json=pna_body(active.sku, active.mfg_pn), headers=bearer(old)
    )
    assert_error(r, 401, "INVALID_TOKEN")
    await pna(simulator_client, pna_body(active.sku, active.mfg_pn))
    await pna(simulator_client, pna_body(active.sku, active.mfg_pn))  # the limit is 60 again


async def test_the_entitlement_can_be_off_from_the_start() -> None:
    app = create_app(SimulatorConfig(frozen_clock_at=FROZEN_AT, tdsynnex_rest_pna=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
        c: TdCatalog = app.state.tdsynnex.catalog
        product = first(c, lambda p: p.authorized and not p.discontinued)
        r = await client.post(
            PNA.format(country="us"),
            json=pna_body(product.sku, product.mfg_pn),
            headers=bearer(await token(client)),
        )
        assert_error(r, 403, "NOT_ENTITLED")


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "MISSING_TOKEN"),
        ({"Authorization": "Bearer "}, "MISSING_TOKEN"),
        ({"Authorization": "Basic abc"}, "MISSING_TOKEN"),
        ({"Authorization": "Bearer not-a-token"}, "INVALID_TOKEN"),
    ],
)
async def test_a_missing_or_wrong_token_is_401(
    simulator_client: SimulatorClient, headers: dict[str, str], code: str
) -> None:
    r = await simulator_client.post(PNA.format(country="us"), json=EXAMPLE, headers=headers)
    assert_error(r, 401, code)
    r = await simulator_client.get(
        "/tdsynnex/us/api/v1/orders/shipment/details/orderNo/43061107", headers=headers
    )
    assert_error(r, 401, code)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"skuList": []}',
        b'{"skuList": "4512345"}',
        b'{"skuList": [{"lineNumber": 1}]}',
        b'{"skuList": [{"synnexSKU": "4512345", "lineNumber": 1, "priceType": "CHEAP"}]}',
        b'{"skuList": [7]}',
    ],
)
async def test_a_bad_request_is_400(simulator_client: SimulatorClient, body: bytes) -> None:
    r = await simulator_client.post(
        PNA.format(country="us"),
        content=body,
        headers={**bearer(await token(simulator_client)), "Content-Type": "application/json"},
    )
    assert_error(r, 400, "BAD_REQUEST")


async def test_unknown_paths_and_wrong_methods_answer_in_the_rest_shape(
    simulator_client: SimulatorClient,
) -> None:
    auth = bearer(await token(simulator_client))
    r = await simulator_client.get("/tdsynnex/us/api/v1/nothing/here", headers=auth)
    assert_error(r, 404, "NOT_FOUND")
    r = await simulator_client.get(PNA.format(country="ca"), headers=auth)
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    r = await simulator_client.get("/tdsynnex/us/oauth2/v1/token")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    # The XML side keeps its plain answers.
    r = await simulator_client.get("/tdsynnex/us/SynnexXML/Nothing")
    assert r.status_code == 404
    assert not r.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/orders/orderNo/43061107", 404, "NOT_FOUND"),
        ("/api/v1/orders/orderNo/43061107/orderType/SO", 404, "NOT_FOUND"),
        ("/api/v1/orders/orderNo/DISTY-000123/orderType/PO", 404, "NOT_FOUND"),
        ("/api/v1/orders/orderNo/43061107/orderType/XX", 400, "BAD_REQUEST"),
        ("/api/v1/orders/shipment/details/orderNo/43061107", 404, "NOT_FOUND"),
        ("/api/v1/invoices/invoiceNo/90123456/invoiceType/IV", 404, "NOT_FOUND"),
        ("/api/v1/invoices/invoiceNo/DISTY-000123/invoiceType/PO", 404, "NOT_FOUND"),
        ("/api/v1/invoices/invoiceNo/90123456/invoiceType/ZZ", 400, "BAD_REQUEST"),
    ],
)
async def test_look_ups_of_unknown_numbers(
    simulator_client: SimulatorClient, path: str, status: int, code: str
) -> None:
    r = await simulator_client.get(
        "/tdsynnex/us" + path, headers=bearer(await token(simulator_client))
    )
    assert_error(r, status, code)


# -- the order and shipment look-ups, from orders placed through /SynnexXML/PO -------------------

ORDER_FIELDS = {"orderNumber", "invoiceNumber", "purchaseOrderNumber", "salesOrderNumber",
                "orderStatus", "orderStatusCode", "orderPlacedDate", "total", "tax", "freight",
                "otherFees", "resellerContactName", "shipTo", "endUser", "lines", "uniqueID",
                "errorMessage"}  # fmt: skip
SHIPMENT_LINE = {"displayLineNumber", "lineNumber", "partNumber", "manufacturerPartNumber",
                 "configStatus", "totalQuantity", "hasMultipleTrackingNumbers",
                 "hasMultipleCarrier", "lineStatusCode", "lineStatus", "uniqueID",
                 "subLines"}  # fmt: skip
SUB_LINE = {"displayLineNumber", "techDataPONumber", "vendorSalesOrderNumber", "quantity",
            "shipDate", "warehouse", "deliveryNumber", "lineStatus", "tracking"}  # fmt: skip


async def look_up(client: httpx.AsyncClient, path: str, status: int = 200) -> Any:
    r = await client.get("/tdsynnex/us/api/v1" + path, headers=bearer(await token(client)))
    assert r.status_code == status, r.text
    return r.json()


async def placed_order(client: SimulatorClient) -> tuple[str, str]:
    """The notes' example PO (a stocked line, SO, and a backorder, BO): their order numbers."""
    _, _, placed = await place(client)
    so, bo = (row.findtext("OrderNumber") or "" for row in placed.findall("Items/Item"))
    return so, bo


async def test_an_order_by_its_number_or_po(simulator_client: SimulatorClient) -> None:
    so, bo = await placed_order(simulator_client)
    (order,) = await look_up(simulator_client, f"/orders/orderNo/{so}")
    assert set(order) == ORDER_FIELDS
    item = (await status(simulator_client)).find("OrderStatusResponse/Items/Item")
    assert item is not None
    assert order["orderNumber"] == order["salesOrderNumber"] == so
    assert order["purchaseOrderNumber"] == "DISTY-000123"
    assert (order["orderStatus"], order["orderStatusCode"]) == ("Open", "O")
    assert order["orderPlacedDate"] == "2026-01-01T00:00:00Z"
    assert order["total"] == f"{Decimal(item.findtext('UnitPrice') or '') * 3:.2f}"
    assert (order["tax"], order["freight"], order["otherFees"]) == ("0.00", "0.00", "0.00")
    assert order["shipTo"] == {"name": "ACME DENTAL GROUP", "addressLine1": "100 MAIN ST",
                               "addressLine2": "SUITE 200", "city": "FREMONT", "state": "CA",
                               "zipCode": "94539", "country": "US"}  # fmt: skip
    (line,) = order["lines"]
    assert line == {
        "lineNumber": "1",
        "partNumber": item.findtext("SKU"),
        "manufacturerPartNumber": item.findtext("MfgPN"),
        "description": item.findtext("ProductName"),
        "quantity": "3",
        "shipQuantity": "0",
        "unitPrice": line["unitPrice"],
        "orderType": "SO",
        "lineStatus": "Open",
    }
    assert float(line["unitPrice"]) == float(item.findtext("UnitPrice") or "")
    assert await look_up(simulator_client, f"/orders/orderNo/{so}/orderType/SO") == [order]
    # By the PO: every sales order of it, and case-insensitively (as POStatus).
    by_po = await look_up(simulator_client, "/orders/orderNo/disty-000123/orderType/PO")
    assert [o["orderNumber"] for o in by_po] == [so, bo]
    assert by_po[0] == order
    assert await look_up(simulator_client, "/orders/orderNo/DISTY-000123") == by_po
    # A sales order number is not a PO number.
    await look_up(simulator_client, f"/orders/orderNo/{so}/orderType/PO", 404)
    await look_up(simulator_client, "/orders/orderNo/DISTY-000123/orderType/SO", 404)


async def test_shipment_details_agree_with_po_status(simulator_client: SimulatorClient) -> None:
    so, bo = await placed_order(simulator_client)
    details = await look_up(simulator_client, f"/orders/shipment/details/orderNo/{so}")
    assert set(details) == {"orderNumber", "purchaseOrder", "orderStatus", "orderStatusCode",
                            "uniqueID", "errorMessage", "lines"}  # fmt: skip
    assert (details["orderNumber"], details["purchaseOrder"]) == (so, "DISTY-000123")
    assert (details["orderStatus"], details["orderStatusCode"]) == ("Open", "O")
    (line,) = details["lines"]
    assert set(line) == SHIPMENT_LINE
    assert (line["lineStatus"], line["subLines"]) == ("Open", [])

    await advance(simulator_client, 60)  # the SO line ships
    item = (await status(simulator_client)).find("OrderStatusResponse/Items/Item")
    assert item is not None
    assert item.findtext("Code") == "shipped"
    details = await look_up(simulator_client, f"/orders/shipment/details/orderNo/{so}")
    assert (details["orderStatus"], details["orderStatusCode"]) == ("Shipped", "S")
    (line,) = details["lines"]
    packages = item.findall("Packages/Package")
    assert line["displayLineNumber"] == "1"
    assert line["lineNumber"] == "000010"
    assert line["partNumber"] == item.findtext("SKU")
    assert line["manufacturerPartNumber"] == item.findtext("MfgPN")
    assert line["totalQuantity"] == item.findtext("ShipQuantity") == "3"
    assert line["hasMultipleTrackingNumbers"] is (len(packages) > 1)
    assert line["hasMultipleCarrier"] is False
    assert line["lineStatus"] == "Shipped"
    (sub,) = line["subLines"]
    assert set(sub) == SUB_LINE
    assert sub["displayLineNumber"] == "1.1"
    assert sub["quantity"] == "3"
    assert sub["shipDate"] == (item.findtext("ShipDatetime") or "")[:10] == "2026-01-01"
    assert sub["warehouse"] == item.findtext("ShipFromWarehouse")
    assert len(sub["deliveryNumber"]) == 10
    assert sub["deliveryNumber"].startswith("80")
    assert sub["lineStatus"] == "Shipped"
    assert sub["tracking"] == [
        {"trackingNumber": p.findtext("TrackingNumber"), "carrierDescription": "FedEx Ground"}
        for p in packages
    ]
    orders = await look_up(simulator_client, "/orders/orderNo/DISTY-000123/orderType/PO")
    assert [(o["orderStatus"], o["orderStatusCode"]) for o in orders] == [
        ("Shipped", "S"),
        ("Open", "O"),
    ]
    assert orders[0]["lines"][0]["shipQuantity"] == "3"

    await advance(simulator_client, 60)  # SO invoiced, BO shipped
    orders = await look_up(simulator_client, "/orders/orderNo/DISTY-000123")
    assert [o["orderStatusCode"] for o in orders] == ["I", "S"]
    # A second PO, cancelled by sales before anything shipped, reads as cancelled.
    so2, _ = await placed_order_again(simulator_client)
    r = await simulator_client.delete(f"/_control/tdsynnex/orders/{so2}")
    assert r.status_code == 200
    (order,) = await look_up(simulator_client, f"/orders/orderNo/{so2}")
    assert (order["orderStatus"], order["orderStatusCode"], order["total"]) == (
        "Cancelled",
        "C",
        "0.00",
    )
    details = await look_up(simulator_client, f"/orders/shipment/details/orderNo/{so2}")
    assert details["lines"][0]["lineStatus"] == "Cancelled"
    # Shipment details are asked by sales order number only.
    await look_up(simulator_client, "/orders/shipment/details/orderNo/DISTY-000123", 404)
    await look_up(simulator_client, f"/orders/shipment/details/orderNo/{bo}")


async def placed_order_again(client: SimulatorClient) -> tuple[str, str]:
    """Another PO like the notes' example, numbered DISTY-000124."""
    c = td_state(client).catalog
    a = pick(c, in_stock("US", 2))
    b = pick(c, no_stock("US"))
    body = po_request(a.sku, a.price("US"), b.sku, b.price("US"), po="DISTY-000124")
    placed = await post(client, PO, body)
    so, bo = (
        row.findtext("OrderNumber") or "" for row in placed.findall("OrderResponse/Items/Item")
    )
    return so, bo


async def test_a_stuck_order_reads_open_on_rest_too(simulator_client: SimulatorClient) -> None:
    so, _ = await placed_order(simulator_client)
    r = await simulator_client.put(f"/_control/tdsynnex/orders/{so}/stuck", json={"on": True})
    assert r.status_code == 200
    await advance(simulator_client, 600)
    details = await look_up(simulator_client, f"/orders/shipment/details/orderNo/{so}")
    assert details["orderStatusCode"] == "O"
    assert details["lines"][0]["subLines"] == []


INVOICE_FIELDS = {
    "shipComplete", "currency", "paymentTerms", "status", "shipDate", "netFreight",
    "netInvoiceDollars", "taxInDocumentCurrency", "handlingCharge", "stateFee",
    "plantDescription", "actualFreight", "salesOrderNumber", "purchaseOrderNumber",
    "invoiceNumber", "invoiceDate", "invoiceDueDate", "totalInvoiceAmount", "invoiceBalance",
    "customerName", "customerNumber", "contactName", "endUserPO", "floorplan", "blindPackaging",
    "soldToAddress", "vendorShipTracking", "lines", "handlingUnits",
}  # fmt: skip


async def test_invoices_agree_with_the_xml_invoice_query(
    simulator_client: SimulatorClient,
) -> None:
    """NOTES 8.2's invoice objects, from the invoices the XML query answers (7.1)."""
    stocked, _, so, bo = await invoices_test.place(simulator_client)
    auth = bearer(await token(simulator_client))
    url = "/tdsynnex/us/api/v1/invoices/invoiceNo/{}/invoiceType/{}"
    # Placed, not yet invoiced: nothing to find.
    r = await simulator_client.get(url.format("DISTY-000123", "PO"), headers=auth)
    assert_error(r, 404, "NOT_FOUND")
    await advance(simulator_client, 3 * invoices_test.STEP)
    xml = (
        await invoices_test.query(
            simulator_client, invoices_test.invoice_request("PONumber", "DISTY-000123")
        )
    )[0]
    by_po = (await simulator_client.get(url.format("disty-000123", "PO"), headers=auth)).json()
    assert [i["invoiceNumber"] for i in by_po] == [
        invoices_test.invoice_no(so),
        invoices_test.invoice_no(bo),
    ]
    for found, invoice in zip(by_po, xml.findall("Invoice"), strict=True):
        assert set(found) == INVOICE_FIELDS
        assert found["invoiceNumber"] == invoice.findtext("InvoiceNumber")
        assert found["salesOrderNumber"] == invoice.findtext("InternalReferenceNumber")
        assert found["purchaseOrderNumber"] == "DISTY-000123"
        assert found["invoiceDate"] == invoice.findtext("InvoiceDate") == "2026-01-01"
        assert found["invoiceDueDate"] == "2026-01-31"
        assert found["shipDate"] == invoice.findtext("ShipDate")
        total = (invoice.findtext("Summary/TotalInvoiceAmount") or "").replace(",", "")
        assert found["totalInvoiceAmount"] == found["invoiceBalance"] == total
        assert found["netInvoiceDollars"] == total
        assert (found["currency"], found["status"], found["paymentTerms"]) == (
            "USD", "Open", "NET 30")  # fmt: skip
        bill_to = invoice.find("BillTo")
        assert bill_to is not None
        assert found["customerNumber"] == bill_to.get("code")
        tracking = (invoice.findtext("Tracking/TrackNumber") or "").split(",")
        assert found["vendorShipTracking"]["trackingNumbers"] == tracking
        assert [u["trackingNumber"] for u in found["handlingUnits"]] == tracking
        (line,) = found["lines"]
        item = invoice.find("Items/Item")
        assert item is not None
        assert line["partNumber"] == item.findtext("SKU")
        assert line["manufacturerPartNumber"] == item.findtext("ManuafacturerPartNumber")
        assert line["quantity"] == item.findtext("ShipQuantity")
        assert line["unitPrice"] == item.findtext("UnitPrice")
        assert ["SN:" + n for n in line["serialNumbers"]] == [
            s.text for s in item.findall("SerialNo")
        ]
    assert len(by_po[0]["lines"][0]["serialNumbers"]) == 3
    assert by_po[0]["lines"][0]["partNumber"] == stocked.sku
    one = (
        await simulator_client.get(url.format(invoices_test.invoice_no(bo), "IV"), headers=auth)
    ).json()
    assert one == [by_po[1]]
    by_so = (await simulator_client.get(url.format(so, "so"), headers=auth)).json()
    assert by_so == [by_po[0]]
    for number, kind in ((so, "IV"), (invoices_test.invoice_no(so), "SO"), ("NOPE-1", "PO")):
        r = await simulator_client.get(url.format(number, kind), headers=auth)
        assert_error(r, 404, "NOT_FOUND")


# -- the rate limit -----------------------------------------------------------------------------


async def test_past_the_limit_429_with_retry_after(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    r = await simulator_client.put("/_control/tdsynnex/rest/limits", json={"per_minute": 3})
    assert r.json() == {"per_minute": 3}
    auth = bearer(await token(simulator_client))  # the token call is not counted
    url = PNA.format(country="us")
    body = pna_body(active.sku, active.mfg_pn)
    for _ in range(2):
        assert (await simulator_client.post(url, json=body, headers=auth)).status_code == 200
    # Every REST call counts, in both countries: the limit is the client's.
    order = "/tdsynnex/ca/api/v1/orders/orderNo/1"
    assert (await simulator_client.get(order, headers=auth)).status_code == 404
    r = await simulator_client.post(url, json=body, headers=auth)
    assert_error(r, 429, "RATE_LIMIT_EXCEEDED")
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    # The frozen clock sits on a minute boundary: the whole window is left.
    assert retry_after == 60 - int(FROZEN_AT) % 60
    await advance(simulator_client, retry_after)
    assert (await simulator_client.post(url, json=body, headers=auth)).status_code == 200


async def test_the_default_limit_is_60_a_minute(simulator_client: SimulatorClient) -> None:
    auth = bearer(await token(simulator_client))
    url = "/tdsynnex/us/api/v1/orders/orderNo/1"
    for _ in range(60):
        assert (await simulator_client.get(url, headers=auth)).status_code == 404
    assert_error(await simulator_client.get(url, headers=auth), 429, "RATE_LIMIT_EXCEEDED")


async def test_an_mfg_pn_sold_under_two_skus_answers_a_row_for_each(
    simulator_client: SimulatorClient,
) -> None:
    c = catalog(simulator_client)
    twinned = first(c, lambda p: c.has_twin(p.index) and p.authorized and not p.discontinued)
    twin = c.twin(twinned.index)
    assert twin is not None
    body = await pna(simulator_client, pna_body(twin.sku, twinned.mfg_pn))
    skus = [(row["synnexSKU"], row.get("lineNumber")) for row in body["PriceAvailabilityList"]]
    assert skus == [(twin.sku, 1), (twinned.sku, 2), (twin.sku, 2)]
