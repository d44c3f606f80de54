"""TD SYNNEX's purchase orders (EC Express XML, NOTES section 4): the notes' example PO, every
answer element, the business rules of 4.4 and every error of 4.5."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from disty.simulator.tdsynnex.catalog import TdProduct
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.tdsynnex_orders import (
    ELAPSED,
    PO,
    STAMP,
    fixture,
    in_stock,
    kids,
    no_stock,
    pick,
    po_request,
    post,
    td_state,
    value,
)

HEADER = ["CustomerNumber", "PONumber", "Code", "ResponseDateTime", "ResponseElapsedTime", "Items"]
LINE = ["SKU", "OrderQuantity", "Code", "OrderNumber", "OrderType", "ShipFromWarehouse",
        "SynnexInternalReference"]  # fmt: skip


def products(client: SimulatorClient, country: str = "US") -> tuple[TdProduct, TdProduct]:
    c = td_state(client).catalog
    return pick(c, in_stock(country)), pick(c, no_stock(country))


def cents(price: str, delta: int) -> str:
    return str(Decimal(price) + Decimal(delta) / 100)


async def test_the_notes_example_po_is_accepted_with_every_element(
    simulator_client: SimulatorClient,
) -> None:
    stocked, empty = products(simulator_client)
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"))
    root = await post(simulator_client, PO, body)
    assert root.tag == "SynnexB2B"
    assert kids(root) == ["OrderResponse"]
    response = root[0]
    assert kids(response) == HEADER
    assert value(response, "CustomerNumber") == "1150897"
    assert value(response, "PONumber") == "DISTY-000123"
    assert value(response, "Code") == "accepted"
    assert value(response, "ResponseDateTime") == STAMP
    assert ELAPSED.match(value(response, "ResponseElapsedTime"))
    one, two = response.findall("Items/Item")
    assert [one.get("lineNumber"), two.get("lineNumber")] == ["1", "2"]
    for row in (one, two):
        assert kids(row) == LINE
        assert value(row, "Code") == "accepted"
        assert len(value(row, "OrderNumber")) == 8
        assert value(row, "OrderNumber").isdigit()
        assert value(row, "ShipFromWarehouse") == ""
    assert (value(one, "SKU"), value(one, "OrderQuantity")) == (stocked.sku, "2")
    assert value(one, "OrderType") == "SO"
    assert value(one, "SynnexInternalReference") == "SALESORDER,A-CIS---SOLINE,A-CIS"
    assert (value(two, "SKU"), value(two, "OrderQuantity")) == (empty.sku, "1")
    assert value(two, "OrderType") == "BO"
    assert value(two, "SynnexInternalReference") == ""
    # A sales order per order type, as in 4.8's sample.
    assert value(one, "OrderNumber") != value(two, "OrderNumber")
    order = td_state(simulator_client).orders.by_po("US", "1150897", "DISTY-000123")
    assert order is not None
    assert order.order_numbers == {
        value(one, "OrderNumber"),
        value(two, "OrderNumber"),
    }


async def test_the_form_field_xmldata_and_a_manufacturer_part_number_work(
    simulator_client: SimulatorClient,
) -> None:
    stocked, _ = products(simulator_client)
    body = po_request(stocked.sku, stocked.price("US"), "x", "1.00")
    body = body.replace(f"<SKU>{stocked.sku}</SKU>", f"<ManufacturerPartNumber>"
                        f"{stocked.mfg_pn}</ManufacturerPartNumber>")  # fmt: skip
    form = urlencode({"xmldata": body})
    root = await post(simulator_client, PO, form, "application/x-www-form-urlencoded")
    one, two = root.findall("OrderResponse/Items/Item")
    assert value(one, "SKU") == stocked.sku
    assert value(one, "OrderType") == "SO"
    # An unknown SKU is refused on its line; the PO stands on the other.
    assert (value(two, "Code"), value(two, "OrderType")) == ("rejected", "99")
    assert value(two, "Reason") == "Product not found."
    assert value(two, "OrderNumber") == ""
    assert value(root, "OrderResponse/Code") == "accepted"


async def test_a_duplicate_po_number_is_rejected_whole(simulator_client: SimulatorClient) -> None:
    stocked, empty = products(simulator_client)
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"))
    await post(simulator_client, PO, body)
    again = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"),
                       po="disty-000123")  # fmt: skip
    response = (await post(simulator_client, PO, again))[0]
    assert kids(response) == [*HEADER[:3], "Reason", *HEADER[3:]]
    assert value(response, "Code") == "rejected"
    assert "already exists" in value(response, "Reason")
    for row in response.findall("Items/Item"):
        assert kids(row) == [*LINE[:3], "Reason", *LINE[3:]]
        assert value(row, "Code") == "rejected"
        assert value(row, "OrderType") == "99"
        assert value(row, "SynnexInternalReference") == "DUPREJECT,R-PODUPE---DUPPOKILL,R-PODUPE"
        assert len(value(row, "OrderNumber")) == 8
    assert len(td_state(simulator_client).orders.orders) == 1


async def test_price_tolerance_is_one_cent_in_the_us(simulator_client: SimulatorClient) -> None:
    stocked, _ = products(simulator_client)
    other = pick(td_state(simulator_client).catalog, in_stock("US"), stocked.index + 1)
    body = po_request(stocked.sku, cents(stocked.price("US"), 1),
                      other.sku, cents(other.price("US"), -2))  # fmt: skip
    response = (await post(simulator_client, PO, body))[0]
    within, beyond = response.findall("Items/Item")
    assert value(within, "OrderType") == "SO"
    assert value(response, "Code") == "accepted"
    assert (value(beyond, "Code"), value(beyond, "OrderType")) == ("accepted", "99")
    reference = "POLINEQC,A-SALESPND---PRICEVAR,A-SALESPND"
    assert value(beyond, "SynnexInternalReference") == reference


async def test_price_tolerance_is_two_cents_in_canada(simulator_client: SimulatorClient) -> None:
    stocked, _ = products(simulator_client, "CA")
    other = pick(td_state(simulator_client).catalog, in_stock("CA"), stocked.index + 1)
    body = po_request(stocked.sku, cents(stocked.price("CA"), 2),
                      other.sku, cents(other.price("CA"), 3))  # fmt: skip
    body = body.replace("<State>CA</State>", "<State>ON</State>").replace(
        "<Country>US</Country>", "<Country>CA</Country>"
    )
    root = await post(simulator_client, "/tdsynnex/ca/SynnexXML/PO", body)
    within, beyond = root.findall("OrderResponse/Items/Item")
    assert value(within, "OrderType") == "SO"
    assert value(beyond, "OrderType") == "99"


async def test_no_stock_without_backorders_refuses_the_line(
    simulator_client: SimulatorClient,
) -> None:
    _, empty = products(simulator_client)
    body = po_request(empty.sku, empty.price("US"), empty.sku, empty.price("US"), backorder="N")
    response = (await post(simulator_client, PO, body))[0]
    assert value(response, "Code") == "rejected"
    assert value(response, "Reason") == "No line of the PO could be accepted."
    for row in response.findall("Items/Item"):
        assert value(row, "Code") == "rejected"
        assert "back orders not allowed" in value(row, "Reason")
    assert td_state(simulator_client).orders.orders == []


async def test_lines_the_account_may_not_buy_are_refused(
    simulator_client: SimulatorClient,
) -> None:
    c = td_state(simulator_client).catalog
    barred = next(p for i in range(c.ingram_size) if (p := c.product(i)) and not p.authorized)
    gone = next(
        p for i in range(c.ingram_size) if (p := c.product(i)) and p.authorized and p.discontinued
    )
    body = po_request(barred.sku, "1.00", gone.sku, "1.00")
    rows = (await post(simulator_client, PO, body)).findall("OrderResponse/Items/Item")
    assert [value(r, "Reason") for r in rows] == [
        "Not authorized to buy this product.",
        "Product is discontinued.",
    ]


async def test_comments_hold_the_line_for_a_look(simulator_client: SimulatorClient) -> None:
    stocked, empty = products(simulator_client)
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"))
    body = body.replace("<Items>", "<Comment>Leave at the back door</Comment><Items>")
    row = (await post(simulator_client, PO, body)).find("OrderResponse/Items/Item")
    assert row is not None
    reference = "OKCOMMENTS,A-SALESPND---CONVERTOK,A-SALESPND"
    assert (value(row, "OrderType"), value(row, "SynnexInternalReference")) == ("SO", reference)


async def test_an_unregistered_ip_gets_only_the_error(simulator_client: SimulatorClient) -> None:
    stocked, empty = products(simulator_client)
    r = await simulator_client.put("/_control/tdsynnex/allowed-ips", json={"ips": ["10.0.0.1"]})
    assert r.json() == {"ips": ["10.0.0.1"]}
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"))
    response = (await post(simulator_client, PO, body))[0]
    assert kids(response) == ["ErrorMessage", "ErrorDetail"]
    assert value(response, "ErrorMessage") == "IP Address Invalid"
    assert value(response, "ErrorDetail") == (
        "IP address: 127.0.0.1 not defined. We only accept PO from the IP address provided by "
        "customer due to security reason."
    )
    assert td_state(simulator_client).orders.orders == []
    await simulator_client.put("/_control/tdsynnex/allowed-ips", json={"ips": ["*"]})
    assert value(await post(simulator_client, PO, body), "OrderResponse/Code") == "accepted"
    await simulator_client.post("/_control/reset")
    r = await simulator_client.get("/_control/tdsynnex/allowed-ips")
    assert r.json() == {"ips": ["127.0.0.1", "::1", "testclient"]}
    assert td_state(simulator_client).orders.orders == []


async def test_a_wrong_login_fails_as_p_and_a_does(simulator_client: SimulatorClient) -> None:
    body = po_request("1", "1", "2", "2", password="wrong")
    response = (await post(simulator_client, PO, body))[0]
    assert kids(response) == ["ErrorMessage", "ErrorDetail"]
    assert value(response, "ErrorMessage") == "Client.LoginFailed"
    assert "wrong" not in value(response, "ErrorDetail")


async def test_incomplete_documents_get_numbered_messages(
    simulator_client: SimulatorClient,
) -> None:
    response = (await post(simulator_client, PO, fixture("po-incomplete.xml")))[0]
    assert value(response, "ErrorMessage") == "Client.IncompleteXML"
    assert value(response, "ErrorDetail").splitlines() == [
        "(1)OrderRequest/PONumber: String value required",
        "(2)OrderRequest/Shipment/ShipTo/ZipCode|State: Please fill in ZipCode and State while "
        "ShipToCountry equals 'US','CA' or 'MX'",
        "(3): Product to be ordered not specified. Please fill in one of SKU, "
        "SynnexPartNumber, ManufacturerPartNumber, CustomerPartNumber",
        "(4)OrderRequest/Items/Item[0]/UnitPrice: Float value required",
        "(5)OrderRequest/Items/Item[0]/OrderQuantity: Integer value required",
    ]


async def test_missing_addresses_flags_method_and_items(
    simulator_client: SimulatorClient,
) -> None:
    body = fixture("po-incomplete.xml")
    body = body.replace("<PONumber></PONumber>", "<PONumber>" + "P" * 21 + "</PONumber>")
    body = body.replace("<DropShipFlag>N</DropShipFlag>", "")
    body = body.replace("<City>FREMONT</City>", "").replace("<Code>FG</Code>", "")
    body = body.replace("<Country>US</Country>", "<Country>GB</Country>")
    start, end = body.index("<Items>"), body.index("</Items>") + len("</Items>")
    body = body[:start] + body[end:]
    detail = value(await post(simulator_client, PO, body), "OrderResponse/ErrorDetail")
    assert detail.splitlines() == [
        "(1)OrderRequest/PONumber: String length must not exceed 20",
        "(2)OrderRequest/DropShipFlag: Y or N required",
        "(3)OrderRequest/Shipment/ShipTo/City: String value required",
        "(4)OrderRequest/Shipment/ShipMethod/Code: String value required",
        "(5)OrderRequest/Items/Item: Element required",
    ]
    no_ship_to = body[: body.index("<Shipment>")] + body[body.index("</Shipment>") + 11 :]
    detail = value(await post(simulator_client, PO, no_ship_to), "OrderResponse/ErrorDetail")
    assert "(3)OrderRequest/Shipment/ShipTo: Element required" in detail.splitlines()


async def test_broken_and_foreign_documents(simulator_client: SimulatorClient) -> None:
    for body in (b"", b"<SynnexB2B><OrderRequest>", b"<priceRequest/>", b"<SynnexB2B/>"):
        response = (await post(simulator_client, PO, body))[0]
        assert kids(response) == ["ErrorMessage", "ErrorDetail"]
        assert value(response, "ErrorMessage") == "Client.IncompleteXML"
        assert value(response, "ErrorDetail").startswith("(1)SynnexB2B")
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><SynnexB2B>&a;</SynnexB2B>'
    detail = value(await post(simulator_client, PO, bomb), "OrderResponse/ErrorDetail")
    assert "DTDs" in detail


async def test_prices_and_quantities_must_be_plain_numbers(
    simulator_client: SimulatorClient,
) -> None:
    for price, quantity in (("NaN", "0"), ("1e3", "\u00b2"), ("-1.00", "-2"), ("1_000", "1.0")):
        body = po_request("10000001", price, "10000002", "1.00", qty1=quantity)
        detail = value(await post(simulator_client, PO, body), "OrderResponse/ErrorDetail")
        assert detail.splitlines() == [
            "(1)OrderRequest/Items/Item[0]/UnitPrice: Float value required",
            "(2)OrderRequest/Items/Item[0]/OrderQuantity: Integer value required",
        ]
