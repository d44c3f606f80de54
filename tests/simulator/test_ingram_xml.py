"""The simulated IM-XML endpoint (XML-NOTES 12) over httpx's ASGITransport: each transaction's
success and error answers, the paths, ISO-8859-1 both ways, schema errors, per-login
entitlements, one order book with REST, and hostile bodies (billion laughs, external entity,
huge body, wrong encoding, garbage), each answered with the schema error and nothing else."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from disty.simulator.config import DEMO_XML_LOGIN, DEMO_XML_PASSWORD
from tests.fixtures.simulator import SimulatorClient

URL = "/ingram/mustang"


def header(
    login: str = DEMO_XML_LOGIN, password: str = DEMO_XML_PASSWORD, country: str = "MD"
) -> str:
    return (
        "<Version>2.0</Version><TransactionHeader><SenderID>ME</SenderID>"
        f"<ReceiverID>YOU</ReceiverID><CountryCode>{country}</CountryCode><LoginID>{login}</LoginID>"
        f"<Password>{password}</Password><TransactionID>42</TransactionID></TransactionHeader>"
    )


def order(po: str, lines: str, *, kill: str = "N", backorder: str = "Y", release: str = "1") -> str:
    return (
        f"<OrderRequest>{header()}<OrderHeaderInformation><AddressingInformation>"
        f"<CustomerPO>{po}</CustomerPO><ShipToAttention>Zoë Müller</ShipToAttention>"
        "<ShipTo><Address>"
        "<ShipToAddress1>Café Acme</ShipToAddress1><ShipToCity>Springfield</ShipToCity>"
        "<ShipToProvince>IL</ShipToProvince><ShipToPostalCode>62701</ShipToPostalCode>"
        "</Address></ShipTo></AddressingInformation><ProcessingOptions>"
        f"<AutoRelease>{release}</AutoRelease><KillOrderAfterLineError>{kill}</KillOrderAfterLineError>"
        f"<ShipmentOptions><BackOrderFlag>{backorder}</BackOrderFlag><SplitShipmentFlag>N</SplitShipmentFlag>"
        "<ShipFromBranches/></ShipmentOptions></ProcessingOptions></OrderHeaderInformation>"
        f"<OrderLineInformation>{lines}</OrderLineInformation><ShowDetail>2</ShowDetail></OrderRequest>"
    )


def line(sku: str, qty: int, n: int) -> str:
    return (
        f"<ProductLine><SKU>{sku}</SKU><Quantity>{qty}</Quantity>"
        f"<CustomerLineNumber>{n:03d}</CustomerLineNumber></ProductLine>"
    )


async def post(client: SimulatorClient, body: str | bytes) -> Element:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    r = await client.post(URL, content=raw)
    assert r.status_code == 200
    assert r.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    root: Element = fromstring(r.content)
    return root


def at(root: Element, path: str) -> Element:
    found = root.find(path)
    assert found is not None, path
    return found


def error_number(root: Element) -> str:
    status = root.find("TransactionHeader/ErrorStatus")
    assert status is not None
    return str(status.get("ErrorNumber"))


def part(client: SimulatorClient, i: int) -> str:
    return str(client.sim.catalog.product(i).ingram_part_number)


@pytest.mark.parametrize("path", ["/ingram/mustang", "/ingram/MUSTANG", "/ingram/"])
async def test_pna_on_every_path_with_the_header_swapped(
    simulator_client: SimulatorClient, path: str
) -> None:
    sku = part(simulator_client, 10)
    body = (
        f'<PNARequest>{header()}<PNAInformation SKU="{sku}" Quantity="1"/>'
        '<PNAInformation SKU="ZZZZZZ"/><ShowDetail>2</ShowDetail></PNARequest>'
    )
    r = await simulator_client.post(path, content=body)
    root = fromstring(r.content)
    assert root.tag == "PNAResponse"
    assert error_number(root) == ""
    head = at(root, "TransactionHeader")
    assert (
        head.findtext("SenderID"),
        head.findtext("ReceiverID"),
        head.findtext("TransactionID"),
    ) == ("YOU", "ME", "42")
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", head.findtext("DocumentID") or "")
    found, unknown = root.findall("PriceAndAvailability")
    assert found.get("SKU") == sku
    assert found.findtext("Price")
    assert found.findall("Branch")
    assert unknown.findtext("SKUStatus") == "ERROR: SKU not found"


async def test_a_bad_login_or_country_is_20007_and_an_unentitled_one_20002(
    simulator_client: SimulatorClient,
) -> None:
    pna = '<PNAInformation SKU="ZZZZZZ"/>'
    assert (
        error_number(
            await post(
                simulator_client, f"<PNARequest>{header(password='wrong-pw')}{pna}</PNARequest>"
            )
        )
        == "20007"
    )
    assert (
        error_number(
            await post(simulator_client, f"<PNARequest>{header(country='FR')}{pna}</PNARequest>")
        )
        == "20007"
    )
    r = await simulator_client.put(
        "/_control/ingram/xml-logins/NOPNA01",
        json={"password": "secret1", "transactions": ["OrderStatusRequest"]},
    )
    assert r.status_code == 200
    assert "secret1" not in r.text
    root = await post(
        simulator_client, f"<PNARequest>{header('NOPNA01', 'secret1')}{pna}</PNARequest>"
    )
    assert error_number(root) == "20002"
    assert root.find("PriceAndAvailability") is None  # only the header on an error


async def test_schema_failures_are_the_bare_error_document(
    simulator_client: SimulatorClient,
) -> None:
    short = await post(
        simulator_client, f'<PNARequest>{header(login="abc")}<PNAInformation SKU="X"/></PNARequest>'
    )
    assert short.tag == "ERROR"
    assert short.get("Number") == "-1061158593"
    assert "Length is less than the minimum length." in (short.text or "")
    misplaced = header().replace("<Version>2.0</Version>", "") + "<Version>2.0</Version>"
    wrong_order = await post(
        simulator_client, f'<PNARequest>{misplaced}<PNAInformation SKU="X"/></PNARequest>'
    )
    assert wrong_order.tag == "ERROR"
    assert (
        await post(simulator_client, f"<NoSuchRequest>{header()}</NoSuchRequest>")
    ).tag == "ERROR"


async def test_an_order_over_xml_is_a_rest_order_and_lives_on_the_clock(
    simulator_client: SimulatorClient,
) -> None:
    c = simulator_client
    sku = part(c, 10)
    body = order("PO-XML-1", line(sku, 60000, 1) + line("ZZZZZZ", 1, 2)).encode("iso-8859-1")
    root = await post(c, b'<?xml version="1.0" encoding="ISO-8859-1"?>' + body)
    assert error_number(root) == ""
    numbers = at(root, "OrderInfo/OrderNumbers")
    branch_order = numbers.findtext("BranchOrderNumber") or ""
    assert len(branch_order) == 7
    assert numbers.findtext("ShipToAttention") == "ZOË MÜLLER"  # ISO-8859-1 both ways, upper-cased
    suffixes = {s.get("Suffix"): s for s in numbers.findall("OrderSuffix")}
    assert set(suffixes) == {"11", "12"}  # stock now, the rest back-ordered
    errors = [p.findtext("LineError") for p in suffixes["11"].iter("ProductLine")]
    assert "SKU-NOTFOUND    ZZZZZZ" in errors
    # The same order in REST order search (one book).
    [rest] = [o for o in c.sim.orders.orders.values() if o.customer_order_number == "PO-XML-1"]
    assert rest.number.replace("-", "") == branch_order
    status = await post(
        c,
        f"<OrderStatusRequest>{header()}<OrderHeaderInfo><CustomerPO>PO-XML-1</CustomerPO></OrderHeaderInfo></OrderStatusRequest>",
    )
    assert [s.findtext("OrderStatus") for s in status.iter("OrderSuffix")] == ["OPEN"]
    await c.post("/_control/clock/advance", json={"seconds": 61})
    await c.post("/_control/clock/advance", json={"seconds": 86_400})
    detail = await post(
        c,
        f"<OrderDetailRequest>{header()}<OrderHeaderInfo><BranchOrderNumber>{branch_order}</BranchOrderNumber><CustomerPO>PO-XML-1</CustomerPO></OrderHeaderInfo><ShowDetail>2</ShowDetail></OrderDetailRequest>",
    )
    said = {s.get("ID"): s.findtext("OrderStatus") for s in detail.iter("OrderSuffix")}
    assert said["11"] in ("Shipped", "Invoiced")
    assert len(said) == 2
    tracking = await post(
        c,
        f"<OrderTrackingRequest>{header()}<TrackingRequestHeader><BranchOrderNumber>{branch_order}</BranchOrderNumber><CustomerPO>PO-XML-1</CustomerPO></TrackingRequestHeader><ShowDetail>2</ShowDetail></OrderTrackingRequest>",
    )
    package = at(tracking, "Order/Suffix/Package")
    assert package.get("ID")
    assert package.findtext("Contents/ContentDetail/SKU") == sku


async def test_fill_or_kill_no_backorder_and_lookups_that_find_nothing(
    simulator_client: SimulatorClient,
) -> None:
    c = simulator_client
    killed = await post(
        c, order("PO-KILL", line(part(c, 10), 1, 1) + line("ZZZZZZ", 1, 2), kill="Y")
    )
    assert error_number(killed) == "20044"
    assert not c.sim.orders.orders
    none = await post(
        c,
        f"<OrderStatusRequest>{header()}<OrderHeaderInfo><CustomerPO>PO-NONE</CustomerPO></OrderHeaderInfo></OrderStatusRequest>",
    )
    assert error_number(none) == "20086"
    track = await post(
        c,
        f"<OrderTrackingRequest>{header()}<TrackingRequestHeader><CustomerPO>PO-NONE</CustomerPO></TrackingRequestHeader></OrderTrackingRequest>",
    )
    assert error_number(track) == "20035"
    detail = await post(
        c,
        f"<OrderDetailRequest>{header()}<OrderHeaderInfo><BranchOrderNumber>2000000</BranchOrderNumber><OrderSuffix/><CustomerPO>PO-NONE</CustomerPO></OrderHeaderInfo></OrderDetailRequest>",
    )
    assert error_number(detail) == "20086"  # an empty OrderSuffix is accepted (XML-NOTES Q4)


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
        for i in range(1, 10)
    )
    + b"]><PNARequest>&lol9;</PNARequest>"
)
HOSTILE = {
    "billion laughs": LAUGHS,
    "external entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><PNARequest>&x;</PNARequest>',
    "wrong encoding": "<PNARequest><Version>2.0</Version><x>é</x></PNARequest>".encode(
        "iso-8859-1"
    ),
    "garbage": b"\x00\xff not xml at all <<<",
    "huge body": b"<PNARequest>" + b" " * (3 * 1024 * 1024) + b"</PNARequest>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_bodies_get_the_schema_error(
    simulator_client: SimulatorClient, name: str
) -> None:
    root = await post(simulator_client, HOSTILE[name])
    assert root.tag == "ERROR"
    assert root.get("Number") == "-1061158593"
    assert b"root:" not in HOSTILE[name] or "root:" not in (root.text or "")
