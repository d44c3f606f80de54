"""TD SYNNEX's freight quote (EC Express XML), checked against NOTES section 6: requests written
as 6.4's example (version 1.0) and 6.1's full address (2.0), every answer element 6.2 names, the
eight error messages of 6.3 byte for byte, a wrong login and malformed documents, in the US and
Canada."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

import pytest

from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from disty.simulator.tdsynnex.catalog import TdProduct
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.test_tdsynnex_pna import catalog, first, post

FIXTURES = Path(__file__).parent / "fixtures" / "tdsynnex"
V1 = (FIXTURES / "freight-request-1.0.xml").read_text()
V2 = (FIXTURES / "freight-request-2.0.xml").read_text()
US = "/tdsynnex/us/SynnexXML/FreightQuote"
CA = "/tdsynnex/ca/SynnexXML/FreightQuote"

RESPONSE_ELEMENTS_V1 = [
    "CustomerNumber", "ResponseDateTime", "ResponseElapsedTime", "TotalWeight", "TotalSales",
    "FreeFreightThreshold", "ShipFromWarehouse", "ShipToZipCode", "ShipMethodCode",
    "ShipMethodDescription", "ServiceLevel", "Items", "AvailableShipMethods", "OtherCharges",
    "SynnexInternalReference",
]  # fmt: skip
RESPONSE_ELEMENTS_V2 = ["ShipTo" if tag == "ShipToZipCode" else tag for tag in RESPONSE_ELEMENTS_V1]


def fill(template: str, one: TdProduct, two: TdProduct, **values: str) -> str:
    defaults = {
        "customer": DEMO_TDSYNNEX_CUSTOMER, "user": DEMO_TDSYNNEX_USER,
        "password": DEMO_TDSYNNEX_PASSWORD, "warehouse": "29", "zip": "M9W 5Z9",
        "method": "", "level": "2", "sku": one.sku, "mfg_pn": two.mfg_pn,
        "city": "Toronto", "state": "ON", "country": "CA",
    }  # fmt: skip
    return template.format(**{**defaults, **values})


def quote(answer: Element) -> Element:
    assert answer.tag == "SynnexB2B"
    found = answer.find("FreightQuoteResponse")
    assert found is not None
    return found


def kids(el: Element | None) -> list[str]:
    assert el is not None
    return [child.tag for child in el]


def methods(response: Element) -> dict[str, tuple[str, int, str]]:
    return {
        m.get("code", ""): (
            m.findtext("ShipMethodDescription") or "",
            int(m.findtext("ServiceLevel") or -1),
            m.findtext("Freight") or "",
        )
        for m in response.findall("AvailableShipMethods/AvailableShipMethod")
    }


@pytest.fixture
def products(simulator_client: SimulatorClient) -> tuple[TdProduct, TdProduct]:
    c = catalog(simulator_client)
    one = first(c, lambda p: p.authorized and not p.discontinued)
    return one, first(c, lambda p: p.authorized and not p.discontinued, one.index + 1)


def weight_kg(client: SimulatorClient, p: TdProduct) -> float:
    return catalog(client).universe.product(p.index).weight_kg


async def test_the_notes_example_in_canada_gets_every_element(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    one, two = products
    response = quote(await post(simulator_client, fill(V1, one, two), CA))
    assert response.get("version") == "1.0"
    assert kids(response) == RESPONSE_ELEMENTS_V1
    assert response.findtext("CustomerNumber") == DEMO_TDSYNNEX_CUSTOMER
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", response.findtext("ResponseDateTime") or ""
    )
    assert re.fullmatch(r"\d+\.\d+s", response.findtext("ResponseElapsedTime") or "")
    kg = weight_kg(simulator_client, one) + 3 * weight_kg(simulator_client, two)
    assert response.findtext("TotalWeight") == f"{kg:.2f}"  # kilograms in Canada
    sales = float(one.price("CA")) + 3 * float(two.price("CA"))
    assert response.findtext("TotalSales") == f"{sales:.2f}"
    assert response.findtext("FreeFreightThreshold") == "0.0"
    assert kids(response.find("ShipFromWarehouse")) == ["Number", "ZipCode", "City", "Addr"]
    assert response.findtext("ShipFromWarehouse/Number") == "29"
    assert response.findtext("ShipFromWarehouse/City") == "Guelph, ON"
    assert response.findtext("ShipToZipCode") == "M9W 5Z9"
    assert response.findtext("ShipMethodCode") == ""
    assert response.findtext("ShipMethodDescription") == ""
    assert response.findtext("ServiceLevel") == "2"
    items = response.findall("Items/item")  # lower case, as the real 2016 answer
    assert [i.get("lineNumber") for i in items] == ["1", "2"]
    assert kids(items[0]) == ["SKU", "MfgPartNumber", "Description", "Quantity"]
    echoed = [
        (i.findtext("SKU"), i.findtext("MfgPartNumber"), i.findtext("Quantity")) for i in items
    ]
    assert echoed == [(one.sku, one.mfg_pn, "1"), (two.sku, two.mfg_pn, "3")]
    assert items[1].findtext("Description") == two.description
    offered = methods(response)
    assert {"PUX", "UPG", "LMG", "FDXH", "P9X", "WCGU"} <= set(offered)
    assert all(kids(m) == ["ShipMethodDescription", "ServiceLevel", "Freight"]
               for m in response.findall("AvailableShipMethods/AvailableShipMethod"))  # fmt: skip
    assert offered["WCGU"] == ("Pick-Up Guelph", 0, "0.00")
    assert offered["PUX"][:2] == ("Purolator Express Ground", 1)
    assert all(level <= 2 for _, level, _ in offered.values())
    assert all(re.fullmatch(r"\d+\.\d\d", freight) for _, _, freight in offered.values())
    assert not any(code.startswith("F") and len(code) == 2 for code in offered)  # no US methods
    assert kids(response.find("OtherCharges")) == ["MinOrderFee", "CODFee"]
    assert re.fullmatch(r"SPID \d+, batch_no \d+, version \d+",
                        response.findtext("SynnexInternalReference") or "")  # fmt: skip


async def test_version_2_in_the_us_echoes_the_address_and_weighs_in_pounds(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    one, two = products
    body = fill(V2, one, two, warehouse="3", zip="22407", city="Fredericksburg", state="VA",
                country="US", level="")  # fmt: skip
    response = quote(await post(simulator_client, body, US))
    assert response.get("version") == "2.0"
    assert kids(response) == RESPONSE_ELEMENTS_V2
    assert kids(response.find("ShipTo")) == [
        "AddressName1", "AddressName2", "AddressLine1", "City", "State", "ZipCode", "Country",
        "AddressType",
    ]  # fmt: skip
    assert response.findtext("ShipTo/City") == "Fredericksburg"
    assert response.findtext("ShipTo/AddressType") == "Commercial"
    kg = weight_kg(simulator_client, one) + 3 * weight_kg(simulator_client, two)
    assert response.findtext("TotalWeight") == f"{kg * 2.20462:.2f}"
    offered = methods(response)
    # Coast to coast: the overnight methods are next day, ground takes longer, no local delivery.
    assert offered["FO"][:2] == ("FedEx Standard Overnight", 1)
    assert offered["FG"][1] > 2
    assert offered["WC"] == ("SYNNEX Will Call", 0, "0.00")
    assert "DE" not in offered
    assert "PUG" not in offered


async def test_amounts_are_a_pure_function_of_weight_and_distance(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    one, two = products

    async def freight(**values: str) -> dict[str, tuple[str, int, str]]:
        return methods(quote(await post(simulator_client, fill(V1, one, two, **values), US)))

    near = await freight(warehouse="3", zip="94105", level="")
    assert near == await freight(warehouse="3", zip="94105", level="")  # same request, same quote
    far = await freight(warehouse="3", zip="10001", level="")
    assert float(far["FG"][2]) > float(near["FG"][2])
    assert far["FG"][1] > near["FG"][1]  # ground takes longer across the country
    assert near["DE"][1] == 0  # local delivery only near the warehouse
    heavier = fill(V1, one, two, warehouse="3", zip="94105", level="").replace(
        "<Quantity>3</Quantity>", "<Quantity>30</Quantity>"
    )
    heavy = methods(quote(await post(simulator_client, heavier, US)))
    assert float(heavy["FG"][2]) > float(near["FG"][2])
    assert heavy["WC"][2] == "0.00"


async def test_a_ship_method_code_narrows_the_list_and_is_described(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    one, two = products
    body = fill(V1, one, two, warehouse="3", zip="94538", method="FG", level="")
    response = quote(await post(simulator_client, body, US))
    assert list(methods(response)) == ["FG"]
    assert response.findtext("ShipMethodCode") == "FG"
    assert response.findtext("ShipMethodDescription") == "FedEx Ground"
    # Sent as a form field too (NOTES 2.3).
    form = await post(simulator_client, urlencode({"xmldata": body}), US,
                      content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert methods(quote(form)) == methods(response)


def _error_cases(one: TdProduct, two: TdProduct, barred: TdProduct) -> dict[str, tuple[str, str]]:
    """Each of NOTES 6.3's errors: the request that causes it (Canada unless said)."""
    return {
        "No Result Found": (fill(V1, one, two, method="WC"), CA),  # real, but not quoted
        "[ErrorNode]": (fill(V1, one, two).replace("<Quantity>3<", "<Quantity>x<"), CA),
        "InvalidSKU": (fill(V1, one, two, sku="99999999"), CA),
        "Not Authorized SKU": (fill(V1, one, two, mfg_pn=barred.mfg_pn), CA),
        "Invalid Ship Method Code, Service Level or Carrier": (fill(V1, one, two, method="ZZ"), CA),
        "Invalid ZIP Code ": (fill(V1, one, two, zip="ABCDE"), CA),
        "Invalid Address (Not Found) ": (
            fill(V2, one, two, warehouse="3", zip="22407", state="CA", country="US"), US,
        ),
        "Invalid Warehouse Number ": (fill(V1, one, two, warehouse="3"), CA),  # a US one
    }  # fmt: skip


DETAILS = {
    "No Result Found": "We do not have any ship method meet your request",
    "[ErrorNode]": "XML format error or missing mandatory tag, please check and submit again.",
    "InvalidSKU": "At least one of the sku requested is invalid",
    "Not Authorized SKU": (
        "At least one of the sku requested is not authorized to buy from customer"
    ),
    "Invalid Ship Method Code, Service Level or Carrier": "please check and submit again.",
    "Invalid ZIP Code ": "please check and submit again.",
    "Invalid Address (Not Found) ": "please check and submit again.",
    "Invalid Warehouse Number ": "please check and submit again.",
}  # fmt: skip


@pytest.mark.parametrize("message", list(DETAILS))
async def test_each_freight_error_of_the_spec(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct], message: str
) -> None:
    barred = first(catalog(simulator_client), lambda p: not p.authorized)
    body, path = _error_cases(*products, barred)[message]
    response = quote(await post(simulator_client, body, path))
    assert kids(response) == ["ErrorMessage", "ErrorDetail"]
    assert response.findtext("ErrorMessage") == message  # trailing spaces and all
    assert response.findtext("ErrorDetail") == DETAILS[message]
    assert response.get("version") in {"1.0", "2.0"}


@pytest.mark.parametrize(
    ("change", "into"),
    [
        ("<ShipToZipCode>M9W 5Z9</ShipToZipCode>", ""),  # v1 without its ZIP code
        ('version="1.0"', 'version="2.0"'),  # v2 without a ShipTo
        ("<ShipFromWarehouse>29</ShipFromWarehouse>", ""),
        ("<Quantity>1</Quantity>", "<Quantity>0</Quantity>"),
    ],
)
async def test_missing_mandatory_tags_are_error_node(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct], change: str, into: str
) -> None:
    body = fill(V1, *products).replace(change, into)
    response = quote(await post(simulator_client, body, CA))
    assert response.findtext("ErrorMessage") == "[ErrorNode]"


async def test_a_service_level_too_short_for_any_method_finds_nothing(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    body = fill(V1, *products, warehouse="3", zip="10001", method="FG", level="1")
    response = quote(await post(simulator_client, body, US))
    assert response.findtext("ErrorMessage") == "No Result Found"
    bad_level = fill(V1, *products, warehouse="3", zip="10001", level="soon")
    response = quote(await post(simulator_client, bad_level, US))
    assert response.findtext("ErrorMessage") == "Invalid Ship Method Code, Service Level or Carrier"


async def test_a_wrong_login_and_malformed_documents(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    one, two = products
    for login in ({"password": "wrong"}, {"customer": "999999"}, {"user": "someone@else"}):
        response = quote(await post(simulator_client, fill(V1, one, two, **login), CA))
        assert response.findtext("ErrorMessage") == "Client.LoginFailed"
        assert "wrong" not in (response.findtext("ErrorDetail") or "")
        assert response.find("AvailableShipMethods") is None
    for broken in ("<SynnexB2B><FreightQuoteRequest></SynnexB2B>", "<priceRequest/>",
                   "<SynnexB2B><Credential/></SynnexB2B>"):  # fmt: skip
        response = quote(await post(simulator_client, broken, US))
        assert response.findtext("ErrorMessage") == "Client.IncompleteXML"
    entity = '<!DOCTYPE x [<!ENTITY e "e">]><SynnexB2B>&e;</SynnexB2B>'
    response = quote(await post(simulator_client, entity, US))
    assert response.findtext("ErrorMessage") == "Client.IncompleteXML"


async def test_version_2_from_canada_to_the_us_as_the_spec_sample(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    one, two = products
    body = fill(V2, one, two, zip="22407", city="Fredericksburg", state="VA", country="US",
                method="PUG", level="")  # fmt: skip
    response = quote(await post(simulator_client, body, CA))
    assert kids(response) == RESPONSE_ELEMENTS_V2
    assert response.findtext("ShipTo/Country") == "US"
    assert response.findtext("ShipMethodDescription") == "Purolator Ground"
    offered = methods(response)
    assert list(offered) == ["PUG"]
    domestic = fill(V2, one, two, zip="N1H 6J3", city="Guelph", state="ON", method="PUG")
    near = methods(quote(await post(simulator_client, domestic, CA)))
    assert float(offered["PUG"][2]) > float(near["PUG"][2])  # the border and distance cost
    assert offered["PUG"][1] > near["PUG"][1]


async def test_the_drop_ship_warehouse_is_no_origin(
    simulator_client: SimulatorClient, products: tuple[TdProduct, TdProduct]
) -> None:
    response = quote(await post(simulator_client, fill(V1, *products, warehouse="98"), CA))
    assert response.findtext("ErrorMessage") == "Invalid Warehouse Number "
