"""TD SYNNEX's package parts that need no server: which host a connection calls, its settings'
validators, and how an answer that is not what EC Express sends is read."""

from __future__ import annotations

import pytest

from disty.errors import InvalidInput
from disty.suppliers.errors import AuthenticationFailed, RequestRejected, Unavailable
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.registration import host_for
from disty.suppliers.tdsynnex.settings import validate_customer_number, validate_warehouse
from disty.suppliers.tdsynnex.xml.client import TdSynnexConfig, parse, raise_for_error

WHERE = "TD SYNNEX at https://ec.us.tdsynnex.com"


@pytest.mark.parametrize(
    ("base_url", "country", "called"),
    [
        (consts.PRODUCTION_US, "US", consts.PRODUCTION_US),
        (consts.PRODUCTION_US, "CA", consts.PRODUCTION_CA),
        (consts.TEST_US + "/", "CA", consts.TEST_CA),
        (consts.PRODUCTION_CA, "US", consts.PRODUCTION_US),
        ("http://127.0.0.1:9000/tdsynnex/us", "CA", "http://127.0.0.1:9000/tdsynnex/us"),
    ],
)
def test_the_endpoint_names_the_environment_and_the_country_the_host(
    base_url: str, country: str, called: str
) -> None:
    assert host_for(base_url, country) == called


def test_validators() -> None:
    assert validate_customer_number(" 1150897 ") == "1150897"
    assert validate_warehouse(" us ") == "US"
    for bad in ("11-50897", "12345678901", ""):
        with pytest.raises(InvalidInput, match="customer number"):
            validate_customer_number(bad)
    with pytest.raises(InvalidInput, match="warehouse"):
        validate_warehouse("Fremont")


def test_the_config_repr_hides_the_password() -> None:
    config = TdSynnexConfig(consts.PRODUCTION_US, "1150897", "u@x.example", "pw-secret-1", "US")
    assert "pw-secret-1" not in repr(config)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<priceResponse><PriceAvailabilityList>",  # truncated
        b"Service Unavailable",  # not XML
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',  # an entity
    ],
)
def test_unreadable_answers_are_unavailable_with_what_to_do(body: bytes) -> None:
    with pytest.raises(Unavailable, match="try again later"):
        parse(body, WHERE)


@pytest.mark.parametrize(
    ("xml", "error"),
    [
        (
            b"<priceResponse><errormessage>Client.LoginFailed</errormessage>"
            b"<ErrorDetail>Login failed</ErrorDetail></priceResponse>",
            AuthenticationFailed,
        ),
        (
            b"<SynnexB2B><OrderResponse><ErrorMessage>Client.IncompleteXML</ErrorMessage>"
            b"<ErrorDetail>(1) PONumber</ErrorDetail></OrderResponse></SynnexB2B>",
            RequestRejected,
        ),
        (
            b"<priceResponse><ErrorMessage>ServerError</ErrorMessage>"
            b"<ErrorDetail>SYNNEX XML Server is not Available</ErrorDetail></priceResponse>",
            Unavailable,
        ),
    ],
)
def test_error_documents_map_to_the_error_tree(xml: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        raise_for_error(parse(xml, WHERE), WHERE)


def test_an_answer_without_an_error_passes() -> None:
    raise_for_error(
        parse(b"<priceResponse><customerNo>1</customerNo></priceResponse>", WHERE), WHERE
    )
