"""TD SYNNEX's invoices (NOTES 7): the invoice query by PO, invoice and sales order number with
every element 7.1 names and its quirks (``ManuafacturerPartNumber``, ``SN:`` serials,
comma-joined ``TrackNumber``, "1,234.56" amounts), its errors, and the invoice files (7.2)."""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from disty.simulator.tdsynnex.catalog import TdProduct
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.tdsynnex_orders import (
    LOGIN,
    PO,
    STATUS,
    fixture,
    in_stock,
    kids,
    no_stock,
    pick,
    po_request,
    post,
    status_request,
    td_state,
    value,
)

QUERY = "/tdsynnex/{country}/webservice/invoice/query"
FILES = "/_control/tdsynnex/invoice-files"
STEP = 60.0  # SimulatorConfig.ship_after_s
INVOICE = ["CustomerPONumber", "InvoiceDate", "InvoiceNumber", "OrderType", "ShipTo", "BillTo",
           "Discount", "DiscountDays", "PaymentTermDays", "PaymentTermDesc", "ShipMethodCode",
           "ShipDate", "InternalReferenceNumber", "Tracking", "Items", "Summary"]  # fmt: skip
ITEM = ["ManuafacturerPartNumber", "SKU", "UnitPrice", "ShipQuantity", "ProductDescription"]
SUMMARY = ["TotalInvoiceAmount", "SalesTax", "Freight", "MinOrderFee", "ProcessingFee",
           "BoxCharge", "RecyclingFee", "AllowanceOrCharge", "ExpenseTotal", "Rebate",
           "TotalWeight", "BoxCount", "Shipping"]  # fmt: skip
SHIP_TO = {"AddressName1": "ACME DENTAL GROUP", "AddressLine1": "100 MAIN ST",
           "AddressLine2": "SUITE 200", "City": "FREMONT", "State": "CA", "ZipCode": "94539",
           "Country": "US"}  # fmt: skip
ERROR = ["ErrorCode", "ErrorReason"]


async def place(client: SimulatorClient) -> tuple[TdProduct, TdProduct, str, str]:
    """NOTES 4.7's PO: three of a stocked, serialised product worth over 1,000 (SO) and one of
    a product with no stock (BO); answers the two products and sales order numbers."""
    c = td_state(client).catalog
    stocked = pick(c, lambda p: in_stock("US", 3)(p) and c.universe.product(p.index).serialised
                   and Decimal(p.price("US")) * 3 >= 1000)  # fmt: skip
    empty = pick(c, no_stock("US"))
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"), qty1=3)
    placed = (await post(client, PO, body))[0]
    so, bo = (value(row, "OrderNumber") for row in placed.findall("Items/Item"))
    return stocked, empty, so, bo


async def advance(client: SimulatorClient, seconds: float) -> None:
    r = await client.post("/_control/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200


def invoice_request(key: str, value: str, version: str = "2.2", **login: str) -> str:
    return fixture("invoice-request.xml", key=key, value=value, version=version, **login)


async def query(client: SimulatorClient, body: str, country: str = "us",
                content_type: str = "application/xml") -> Element:  # fmt: skip
    root = await post(client, QUERY.format(country=country), body, content_type)
    assert root.tag == "SynnexB2B"
    assert kids(root) == ["InvoiceResponse"]
    return root


def error(root: Element) -> tuple[str, str]:
    response = root[0]
    assert kids(response) == ERROR
    return value(response, "ErrorCode"), value(response, "ErrorReason")


def invoice_no(order_number: str) -> str:
    return str(int(order_number) + 50_000_000)


async def test_by_po_every_element_and_quirk(simulator_client: SimulatorClient) -> None:
    stocked, empty, so, bo = await place(simulator_client)
    await advance(simulator_client, 3 * STEP)  # both lines shipped and invoiced
    status = (await post(simulator_client, STATUS, status_request("DISTY-000123")))[0]
    shipped = status.findall("Items/Item")

    root = await query(simulator_client, invoice_request("PONumber", "disty-000123"))
    assert root.get("version") == "2.2"
    response = root[0]
    assert kids(response) == ["CustomerPONumber", "Invoice", "Invoice"]
    assert value(response, "CustomerPONumber") == "DISTY-000123"
    first, second = response.findall("Invoice")
    for invoice, order_number, order_type, row in ((first, so, "SO", shipped[0]),
                                                   (second, bo, "BO", shipped[1])):  # fmt: skip
        assert kids(invoice) == INVOICE
        assert value(invoice, "CustomerPONumber") == "DISTY-000123"
        assert value(invoice, "InvoiceNumber") == invoice_no(order_number)
        assert value(invoice, "InvoiceDate") == "2026-01-01"
        assert value(invoice, "OrderType") == order_type
        ship_to = invoice.find("ShipTo")
        assert ship_to is not None
        assert {c.tag: c.text for c in ship_to} == SHIP_TO
        bill_to = invoice.find("BillTo")
        assert bill_to is not None
        assert bill_to.get("code") == LOGIN["customer"]
        assert [value(invoice, n) for n in ("Discount", "DiscountDays", "PaymentTermDays",
                                            "PaymentTermDesc", "ShipMethodCode")] == [
            "0.00", "0", "30", "NET 30", "FG"]  # fmt: skip
        assert value(invoice, "ShipDate") == "2026-01-01"
        assert value(invoice, "InternalReferenceNumber") == order_number
        # One TrackNumber, the package numbers comma-joined (VC-INV splits on ",").
        tracking = invoice.findall("Tracking/TrackNumber")
        assert len(tracking) == 1
        packages = [value(p, "TrackingNumber") for p in row.findall("Packages/Package")]
        assert tracking[0].text == ",".join(packages)
        # The serials POStatus shows, each "SN:"-prefixed.
        serials = [s.text for s in row.findall("Packages/Package/SerialNo") if s.text]
        (item,) = invoice.findall("Items/Item")
        assert kids(item) == ITEM + ["SerialNo"] * len(serials)
        assert [s.text for s in item.findall("SerialNo")] == [f"SN:{s}" for s in serials]
        summary = invoice.find("Summary")
        assert summary is not None
        assert kids(summary) == SUMMARY
        assert value(summary, "BoxCount") == str(len(packages))
        weights = sum(Decimal(value(p, "Weight")) for p in row.findall("Packages/Package"))
        assert Decimal(value(summary, "TotalWeight")) == weights
        for fee in [*SUMMARY[1:10], "Shipping"]:
            assert value(summary, fee) == "0.00"

    one = first.find("Items/Item")
    assert one is not None
    assert [value(one, n) for n in ITEM] == [
        stocked.mfg_pn, stocked.sku, f"{Decimal(stocked.price('US')):.2f}", "3",
        stocked.description]  # fmt: skip
    assert len(one.findall("SerialNo")) == 3  # serialised: one per unit
    assert len(value(first, "Tracking/TrackNumber").split(",")) == 3
    # Amounts with thousands separators, as the live feed sends them.
    total = Decimal(stocked.price("US")) * 3
    assert value(first, "Summary/TotalInvoiceAmount") == f"{total:,.2f}"
    assert "," in value(first, "Summary/TotalInvoiceAmount")
    two = second.find("Items/Item")
    assert two is not None
    assert (value(two, "SKU"), value(two, "ShipQuantity")) == (empty.sku, "1")


async def test_invoices_appear_once_lines_are_invoiced(simulator_client: SimulatorClient) -> None:
    _, _, so, bo = await place(simulator_client)
    body = invoice_request("PONumber", "DISTY-000123")
    assert error(await query(simulator_client, body)) == (
        "Client.InvoiceNotFound",
        "No invoice found for PONumber DISTY-000123.",
    )
    await advance(simulator_client, STEP)  # the stocked line ships: still no invoice
    assert error(await query(simulator_client, body))[0] == "Client.InvoiceNotFound"
    await advance(simulator_client, STEP)  # it is invoiced; the backorder ships
    response = (await query(simulator_client, body))[0]
    assert [value(i, "InvoiceNumber") for i in response.findall("Invoice")] == [invoice_no(so)]
    await advance(simulator_client, STEP)
    response = (await query(simulator_client, body))[0]
    assert [value(i, "InvoiceNumber") for i in response.findall("Invoice")] == [
        invoice_no(so),
        invoice_no(bo),
    ]


async def test_a_held_line_is_invoiced_after_the_control_api_moves_it(
    simulator_client: SimulatorClient,
) -> None:
    c = td_state(simulator_client).catalog
    p = pick(c, in_stock("US"))
    q = pick(c, in_stock("US"), start=p.index + 1)
    body = po_request(p.sku, "0.01", q.sku, q.price("US"), po="HELD-1")  # line 1: price variance
    held = value((await post(simulator_client, PO, body))[0], "Items/Item/OrderNumber")
    for _ in range(2):
        r = await simulator_client.post(f"/_control/tdsynnex/orders/{held}/advance")
        assert r.status_code == 200
    root = await query(simulator_client, invoice_request("OrderNumber", held))
    (invoice,) = root.findall("InvoiceResponse/Invoice")
    assert value(invoice, "OrderType") == "99"
    assert value(invoice, "Items/Item/UnitPrice") == "0.01"  # what sales let through
    assert value(invoice, "Summary/TotalInvoiceAmount") == "0.02"


async def test_by_invoice_and_sales_order_number(simulator_client: SimulatorClient) -> None:
    _, _, so, bo = await place(simulator_client)
    await advance(simulator_client, 3 * STEP)
    root = await query(simulator_client, invoice_request("InvoiceNumber", invoice_no(bo), "1.0"))
    assert root.get("version") == "1.0"
    response = root[0]
    assert kids(response) == ["CustomerPONumber", "Invoice"]
    assert value(response, "CustomerPONumber") == "DISTY-000123"
    assert value(response, "Invoice/InvoiceNumber") == invoice_no(bo)
    # The SDK's OrderNumber: the invoice of that sales order; form-posted as xmldata too.
    r = await simulator_client.post(
        QUERY.format(country="us"), data={"xmldata": invoice_request("OrderNumber", so)}
    )
    root = fromstring(r.content)
    assert [value(i, "InvoiceNumber") for i in root.findall("InvoiceResponse/Invoice")] == [
        invoice_no(so)
    ]


@pytest.mark.parametrize(
    ("key", "sent", "code"),
    [
        ("PONumber", "NOPE-1", "Client.InvoiceNotFound"),
        ("InvoiceNumber", "93061199", "Client.InvoiceNotFound"),
        ("InvoiceNumber", "12", "Client.InvoiceNotFound"),
        ("InvoiceNumber", "INV-١٢", "Client.InvoiceNotFound"),
        ("OrderNumber", "43061199", "Client.InvoiceNotFound"),
        ("Comment", "no key", "Client.IncompleteXML"),
    ],
)
async def test_unknown_keys(simulator_client: SimulatorClient, key: str, sent: str,
                            code: str) -> None:  # fmt: skip
    await place(simulator_client)
    await advance(simulator_client, 3 * STEP)
    root = await query(simulator_client, invoice_request(key, sent))
    assert root.get("version") == "2.2"
    got = error(root)
    assert got[0] == code
    if code == "Client.IncompleteXML":
        assert got[1] == (
            "(1)InvoiceRequest/PONumber|InvoiceNumber|OrderNumber: String value required"
        )
    else:
        assert got[1] == f"No invoice found for {key} {sent}."


async def test_invoices_stay_in_their_country(simulator_client: SimulatorClient) -> None:
    _, _, so, _ = await place(simulator_client)
    await advance(simulator_client, 3 * STEP)
    for key, sent in (("PONumber", "DISTY-000123"), ("InvoiceNumber", invoice_no(so)),
                      ("OrderNumber", so)):  # fmt: skip
        root = await query(simulator_client, invoice_request(key, sent), country="ca")
        assert error(root)[0] == "Client.InvoiceNotFound"


@pytest.mark.parametrize(
    "login",
    [{"password": "wrong"}, {"user": "someone@else.example"}, {"customer": "999999"}],
)
async def test_a_wrong_login(simulator_client: SimulatorClient, login: dict[str, str]) -> None:
    await place(simulator_client)
    await advance(simulator_client, 3 * STEP)
    root = await query(simulator_client, invoice_request("PONumber", "DISTY-000123", **login))
    code, reason = error(root)
    assert code == "Client.LoginFailed"
    for sent in ("wrong", "someone", "999999"):
        assert sent not in reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "(1)SynnexB2B: the body is not well-formed XML"),
        ("not xml", "(1)SynnexB2B: the body is not well-formed XML"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><SynnexB2B/>', "(1)SynnexB2B: DTDs, entities"),
        ("<SynnexB2B/>", "(1)SynnexB2B/InvoiceRequest: Element required"),
        ("<InvoiceRequest/>", "(1)SynnexB2B/InvoiceRequest: Element required"),
    ],
)
async def test_a_malformed_document(simulator_client: SimulatorClient, body: str,
                                    reason: str) -> None:  # fmt: skip
    root = await query(simulator_client, body, content_type="text/plain")
    code, got = error(root)
    assert code == "Client.IncompleteXML"
    assert got.startswith(reason)


async def test_a_status_request_sent_here_is_not_an_invoice_request(
    simulator_client: SimulatorClient,
) -> None:
    root = await query(simulator_client, status_request("DISTY-000123"))
    assert root.get("version") == "2.4"
    assert error(root) == ("Client.IncompleteXML", "(1)SynnexB2B/InvoiceRequest: Element required")


async def test_invoice_files(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.get(FILES)
    assert (r.status_code, r.json()) == (200, [])
    _, _, so, bo = await place(simulator_client)
    await advance(simulator_client, 2 * STEP)
    names = [f["name"] for f in (await simulator_client.get(FILES)).json()]
    assert names == [f"{invoice_no(so)}_{LOGIN['customer']}_810.xml"]
    await advance(simulator_client, STEP)
    listing = (await simulator_client.get(FILES)).json()
    assert [f["name"] for f in listing] == [
        f"{invoice_no(so)}_{LOGIN['customer']}_810.xml",
        f"{invoice_no(bo)}_{LOGIN['customer']}_810.xml",
    ]
    assert listing[0]["written_at"] < listing[1]["written_at"]
    queried = (await query(simulator_client, invoice_request("PONumber", "DISTY-000123")))[0]
    boxes = []
    for entry, asked in zip(listing, queried.findall("Invoice"), strict=True):
        r = await simulator_client.get(f"{FILES}/{entry['name']}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/xml")
        assert len(r.content) == entry["size"]
        assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        root = fromstring(r.content)
        assert (root.tag, kids(root)) == ("SynnexB2B", ["Invoice"])  # //SynnexB2B/Invoice
        (invoice,) = root
        assert kids(invoice) == INVOICE
        # The same invoice as the query's, but one TrackNumber per package.
        tracks = [t.text or "" for t in invoice.findall("Tracking/TrackNumber")]
        assert ",".join(tracks) == value(asked, "Tracking/TrackNumber")
        assert all(len(t) == 15 for t in tracks)
        boxes.append(len(tracks))
        for tag in INVOICE:
            if tag != "Tracking":
                mine, theirs = invoice.find(tag), asked.find(tag)
                assert mine is not None
                assert theirs is not None
                assert [(e.tag, e.text, e.attrib) for e in mine.iter()] == [
                    (e.tag, e.text, e.attrib) for e in theirs.iter()
                ]
    assert boxes == [3, 1]  # three units in three boxes; the backorder's one
    r = await simulator_client.get(f"{FILES}/nothing.xml")
    assert r.status_code == 404
    assert (await simulator_client.post("/_control/reset")).status_code == 200
    assert (await simulator_client.get(FILES)).json() == []


async def test_maintenance_answers_in_the_invoice_error_form(
    simulator_client: SimulatorClient,
) -> None:
    r = await simulator_client.put(
        "/_control/maintenance", json={"on": True, "distributor": "tdsynnex"}
    )
    assert r.status_code == 200
    root = await query(simulator_client, invoice_request("PONumber", "DISTY-000123"))
    assert error(root) == ("ServerError", "SYNNEX XML Server is not Available")
