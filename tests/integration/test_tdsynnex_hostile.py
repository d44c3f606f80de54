"""A distributor answering garbage: malformed, truncated, DTD/entity-bearing (billion laughs),
empty, HTML or over 20 MiB, on price and availability, PO status, the invoice query and the
freight quote. Each is a clear SupplierError naming what was wrong, never a traceback, never
an entity expanded. The server is a tiny Starlette app written here, over httpx's
ASGITransport; disty's own code runs unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from xml.etree.ElementTree import Element, SubElement

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from disty.domain.freight import FreightLine
from disty.domain.orders import Address
from disty.suppliers.errors import SupplierError
from disty.suppliers.hub import SupplierHub
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.checks import run_checks
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient, TdSynnexConfig
from disty.suppliers.tdsynnex.xml.freight import Freight
from disty.suppliers.tdsynnex.xml.invoices import Invoices
from tests.fixtures.ingram import FAST


def _laughs() -> str:
    """The billion laughs: nine levels of ten references each, 10**9 "lol"s if expanded."""
    levels = ['<!ENTITY lol1 "' + "&lol;" * 10 + '">']
    levels += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(levels) + "]>\n"
        "<priceResponse><PriceAvailabilityList><status>&lol9;</status>"
        "</PriceAvailabilityList></priceResponse>"
    )


LAUGHS = _laughs()
GOOD = (
    '<?xml version="1.0" encoding="UTF-8"?><SynnexB2B><OrderStatusResponse><Code>notFound'
    "</Code></OrderStatusResponse></SynnexB2B>"
)
BODIES: dict[str, bytes] = {
    "malformed": b"<SynnexB2B><priceResponse></SynnexB2B>",
    "truncated": GOOD[: len(GOOD) // 2].encode(),
    "billion-laughs": LAUGHS.encode(),
    "external-entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "empty": b"",
    "html": b"<html><body><h1>502 Bad Gateway</h1><p>nginx<br></body></html>",
    "huge": b"<SynnexB2B>" + b"<x>padding</x>" * (21 * 1024 * 1024 // 14) + b"</SynnexB2B>",
}
SAID = {
    "malformed": "not readable XML",
    "truncated": "not readable XML",
    "billion-laughs": "DTD or entity",
    "external-entity": "DTD or entity",
    "empty": "not readable XML",
    "html": "not readable XML",
    "huge": "more than 20 MiB",
}
SHIP_TO = Address("SMB Inc", "1 Main St", "Irvine", "CA", "92612", "US")


def garbage_app(body: bytes) -> Starlette:
    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/xml")

    return Starlette(routes=[Route("/{path:path}", answer, methods=["POST"])])


@pytest.fixture(params=list(BODIES))
async def hostile(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, TdSynnexClient]]:
    kind: str = request.param
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=garbage_app(BODIES[kind])))
    hub = SupplierHub(policy=FAST, http=http)
    config = TdSynnexConfig(
        base_url="http://td.invalid/tdsynnex/us",
        customer_number="1150897",
        user="buyer@disty.example",
        password="hostile-test-secret",
        country="US",
        ship_from_warehouse="3",
    )
    try:
        yield kind, TdSynnexClient(config, **hub.client_parts())
    finally:
        await hub.aclose()


def status_request() -> Element:
    request = Element("OrderStatusRequest")
    SubElement(request, "PONumber").text = "DISTY-1"
    return request


CALLS: dict[str, Callable[[TdSynnexClient], Awaitable[Any]]] = {
    "pna": lambda c: c.price_and_availability([("synnexSKU", "10000000")]),
    "po-status": lambda c: c.b2b(consts.STATUS_PATH, status_request(), safe=True),
    "invoice-query": lambda c: Invoices(c).search_invoices(po_number="DISTY-1"),
    "freight": lambda c: Freight(c).freight_estimate(SHIP_TO, [FreightLine("10000000", 1)]),
}


@pytest.mark.parametrize("call", list(CALLS))
async def test_garbage_is_a_clear_error(hostile: tuple[str, TdSynnexClient], call: str) -> None:
    kind, client = hostile
    with pytest.raises(SupplierError) as raised:
        await CALLS[call](client)
    message = str(raised.value)
    assert SAID[kind] in message, message
    assert "TD SYNNEX" in message
    assert "hostile-test-secret" not in message
    assert "lollol" not in message  # never expanded
    assert len(message) < 500


async def test_run_test_against_garbage_fails_credentials_and_skips_the_rest(
    hostile: tuple[str, TdSynnexClient],
) -> None:
    kind, client = hostile
    checks = await run_checks(client)
    assert [c.name for c in checks] == [name for name, _ in consts.CHECKS]
    assert checks[0].status.value == "fail"
    assert SAID[kind] in checks[0].detail
    assert checks[0].fix
    assert {c.status.value for c in checks[1:]} == {"skip"}
