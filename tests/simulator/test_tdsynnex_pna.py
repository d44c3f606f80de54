"""TD SYNNEX's price and availability (EC Express XML), checked against the elements NOTES
section 3 names: the request written as the evidence's documents are, every answer element,
and the error paths, including hostile bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from tests.fixtures.simulator import SimulatorClient

PNA = "/tdsynnex/us/SynnexXML/PriceAvailability"
REQUEST = (Path(__file__).parent / "fixtures" / "tdsynnex" / "pna-request.xml").read_text()


def catalog(client: SimulatorClient) -> TdCatalog:
    app = client._transport.app  # type: ignore[attr-defined]
    found: TdCatalog = app.state.tdsynnex.catalog
    return found


def first(c: TdCatalog, test: object, start: int = 0) -> TdProduct:
    """The first product from ``start`` for which ``test(product)`` holds."""
    for i in range(start, c.ingram_size + c.extra):
        p = c.product(i)
        if p is not None and test(p):  # type: ignore[operator]
            return p
    raise AssertionError("no such product in the catalog")


def request(sku: str, mfg_pn: str, **login: str) -> str:
    values = {
        "customer": DEMO_TDSYNNEX_CUSTOMER,
        "user": DEMO_TDSYNNEX_USER,
        "password": DEMO_TDSYNNEX_PASSWORD,
        "sku": sku,
        "mfg_pn": mfg_pn,
        **login,
    }
    return REQUEST.format(**values)


async def post(client: httpx.AsyncClient, body: str | bytes, path: str = PNA,
               content_type: str = "text/plain") -> Element:  # fmt: skip
    r = await client.post(path, content=body, headers={"Content-Type": content_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return fromstring(r.content)


def rows(answer: Element) -> list[Element]:
    return answer.findall("PriceAvailabilityList")


def kids(row: Element) -> list[str]:
    return [child.tag for child in row]


@pytest.fixture
def active(simulator_client: SimulatorClient) -> TdProduct:
    return first(catalog(simulator_client), lambda p: p.authorized and not p.discontinued)


async def test_the_notes_example_request_gets_every_element_in_order(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    c = catalog(simulator_client)
    other = first(c, lambda p: p.authorized and not p.discontinued, active.index + 1)
    answer = await post(simulator_client, request(active.sku, other.mfg_pn))
    assert answer.tag == "priceResponse"
    assert answer.get("version") == "2.1"  # echoed
    assert answer.findtext("customerNo") == DEMO_TDSYNNEX_CUSTOMER
    assert answer.findtext("userName") == DEMO_TDSYNNEX_USER
    one, two, three = rows(answer)
    assert kids(one)[:8] == [
        "synnexSKU", "mfgPN", "mfgCode", "status", "description", "GlobalProductStatusCode",
        "price", "totalQuantity",
    ]  # fmt: skip
    assert kids(one)[-1] == "lineNumber"
    assert one.findtext("synnexSKU") == active.sku
    assert one.findtext("mfgPN") == active.mfg_pn
    assert one.findtext("status") == "Active"
    assert one.findtext("price") == active.price("US")
    warehouses = one.findall("AvailabilityByWarehouse")
    numbers = [w.findtext("warehouseInfo/number") for w in warehouses]
    assert numbers == ["3", "4", "5", "6", "8", "98"]
    drop_ship = warehouses[-1].find("warehouseInfo")
    assert drop_ship is not None
    assert (drop_ship.findtext("zipcode"), drop_ship.findtext("city")) == (
        "00000",
        "MFG Drop Shipped",
    )
    assert int(one.findtext("totalQuantity") or -1) == sum(
        int(w.findtext("qty") or 0) for w in warehouses
    )
    # By manufacturer part number: found, its priceType echoed.
    assert two.findtext("synnexSKU") == other.sku
    assert two.findtext("priceType") == "EDUCATION"
    assert two.findtext("lineNumber") == "2"
    # Unknown: the short form.
    assert kids(three) == ["synnexSKU", "status", "lineNumber"]
    assert three.findtext("status") == "Not found"


async def test_discontinued_and_not_authorized_have_their_short_forms(
    simulator_client: SimulatorClient,
) -> None:
    c = catalog(simulator_client)
    gone = first(c, lambda p: p.discontinued and p.authorized)
    barred = first(c, lambda p: not p.authorized)
    answer = await post(simulator_client, request(gone.sku, barred.mfg_pn))
    discontinued, not_authorized, _ = rows(answer)
    assert kids(discontinued) == [
        "synnexSKU", "mfgPN", "mfgCode", "status", "description", "GlobalProductStatusCode",
        "lineNumber",
    ]  # fmt: skip
    assert discontinued.findtext("status") == "Discontinued"
    assert kids(not_authorized) == [
        "synnexSKU", "mfgPN", "status", "GlobalProductStatusCode", "lineNumber",
    ]  # fmt: skip
    assert not_authorized.findtext("GlobalProductStatusCode") == "Not authorized"


async def test_availability_only_empties_the_price_and_canada_has_its_warehouses(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    body = request(active.sku, active.mfg_pn).replace('version="2.1"', 'version="3.0"')
    answer = await post(simulator_client, body, "/tdsynnex/us/SynnexXML/Availability")
    assert answer.get("version") == "3.0"
    price = rows(answer)[0].find("price")
    assert price is not None
    assert not price.text
    canada = await post(simulator_client, request(active.sku, active.mfg_pn),
                        "/tdsynnex/ca/SynnexXML/PriceAvailability")  # fmt: skip
    row = rows(canada)[0]
    assert row.findtext("price") == active.price("CA") != active.price("US")
    numbers = [w.findtext("warehouseInfo/number") for w in row.findall("AvailabilityByWarehouse")]
    assert numbers == ["26", "29", "31", "60", "98"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "text/xml; charset=utf-8"]
)
async def test_any_content_type_and_the_xmldata_form_field(
    simulator_client: SimulatorClient, active: TdProduct, content_type: str
) -> None:
    body = request(active.sku, active.mfg_pn)
    raw = await post(simulator_client, body, content_type=content_type)
    form = await post(simulator_client, urlencode({"xmldata": body}),
                      content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert rows(raw)[0].findtext("price") == rows(form)[0].findtext("price") == active.price("US")


async def test_a_wrong_login_is_an_error_document_and_prices_nothing(
    simulator_client: SimulatorClient, active: TdProduct
) -> None:
    for login in ({"password": "wrong"}, {"customer": "999999"}, {"user": "someone@else"}):
        answer = await post(simulator_client, request(active.sku, active.mfg_pn, **login))
        assert answer.findtext("ErrorMessage") == "Client.LoginFailed"
        assert rows(answer) == []
        assert "wrong" not in (answer.findtext("ErrorDetail") or "")


async def test_incomplete_and_malformed_documents_get_numbered_messages(
    simulator_client: SimulatorClient,
) -> None:
    empty_line = request("", "")
    answer = await post(simulator_client, empty_line)
    assert answer.findtext("ErrorMessage") == "Client.IncompleteXML"
    assert (answer.findtext("ErrorDetail") or "").startswith(
        "(1)priceRequest/skuList[0]: synnexSKU or mfgPN required"
    )
    broken = await post(simulator_client, "<priceRequest><customerNo>1</priceRequest>")
    assert broken.findtext("ErrorMessage") == "Client.IncompleteXML"
    no_form_field = await post(simulator_client, "other=1",
                               content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert "xmldata" in (no_form_field.findtext("ErrorDetail") or "")


async def test_an_xml_bomb_and_an_external_entity_are_refused_unexpanded(
    simulator_client: SimulatorClient,
) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
        + "]><priceRequest><customerNo>&lol9;</customerNo></priceRequest>"
    ).replace("&lol0;", "&lol;")
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<priceRequest><customerNo>&x;</customerNo></priceRequest>"
    )
    for body in (bomb, xxe):
        answer = await post(simulator_client, body)
        assert answer.findtext("ErrorMessage") == "Client.IncompleteXML"
        assert "not accepted" in (answer.findtext("ErrorDetail") or "")
        assert "root:" not in (answer.findtext("ErrorDetail") or "")


async def test_a_body_over_20_mb_is_refused_before_it_is_read(
    simulator_client: SimulatorClient,
) -> None:
    big = b"<priceRequest>" + b" " * (20 * 1024 * 1024) + b"</priceRequest>"
    r = await simulator_client.post(PNA, content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b"<priceRequest>"
        for _ in range(21):
            yield b" " * (1024 * 1024)

    r = await simulator_client.post(PNA, content=chunks(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 413


def test_the_catalog_overlaps_ingrams_by_manufacturer_part_number(
    simulator_client: SimulatorClient,
) -> None:
    c = catalog(simulator_client)
    ingram = simulator_client.sim.catalog
    both = [i for i in range(ingram.size) if c.product(i) is not None]
    assert 0.75 * ingram.size < len(both) < 0.95 * ingram.size
    for i in both[:200]:
        ours, theirs = c.product(i), ingram.product(i)
        assert ours is not None
        assert ours.mfg_pn == theirs.vendor_part_number
        assert ours.description == theirs.description.upper()
        assert ours.manufacturer == theirs.vendor_name
    # Cheaper at one or the other, and parts only one of them carries.
    ours_cents = {i: p.cents for i in both[:200] if (p := c.product(i)) is not None}
    cheaper_here = len([i for i, cents in ours_cents.items()
                        if cents < ingram.product(i).customer_cents])  # fmt: skip
    assert 20 < cheaper_here < 180
    only_here = c.product(c.only_here()[0])
    assert only_here is not None
    assert ingram.by_vendor_part_number(only_here.mfg_pn) is None
    assert any(c.product(i) is None for i in range(ingram.size))  # only at Ingram


async def test_an_mfg_pn_sold_under_two_skus_answers_a_row_for_each(
    simulator_client: SimulatorClient,
) -> None:
    # NOTES 3.1: "mfgPN may map to several SYNNEX SKUs -> several result rows", each carrying
    # the line's number, the only safe join key.
    c = catalog(simulator_client)
    twinned = first(c, lambda p: c.has_twin(p.index) and p.authorized and not p.discontinued)
    twin = c.twin(twinned.index)
    assert twin is not None
    assert twin.sku != twinned.sku
    answer = await post(simulator_client, request(twin.sku, twinned.mfg_pn))
    by_sku, *by_mfg_pn, _unknown = rows(answer)
    assert by_sku.findtext("synnexSKU") == twin.sku  # the second SKU alone is found too
    assert [r.findtext("synnexSKU") for r in by_mfg_pn] == [twinned.sku, twin.sku]
    assert {r.findtext("mfgPN") for r in by_mfg_pn} == {twinned.mfg_pn}
    assert [r.findtext("lineNumber") for r in by_mfg_pn] == ["2", "2"]
    assert [r.findtext("price") for r in by_mfg_pn] == [twinned.price("US"), twin.price("US")]
