"""What the TD SYNNEX PO and PO status tests share: the notes' documents filled in, posting
them, and picking products by stock."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import httpx
from defusedxml.ElementTree import fromstring

from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from disty.simulator.tdsynnex.state import TdState

FIXTURES = Path(__file__).parent / "fixtures" / "tdsynnex"
PO = "/tdsynnex/us/SynnexXML/PO"
STATUS = "/tdsynnex/us/SynnexXML/POStatus"
LOGIN = {
    "customer": DEMO_TDSYNNEX_CUSTOMER,
    "user": DEMO_TDSYNNEX_USER,
    "password": DEMO_TDSYNNEX_PASSWORD,
}
ELAPSED = re.compile(r"^\d+\.\d{3}s$")
STAMP = "2026-01-01T00:00:00"  # the test clock's start (tests/fixtures/simulator.py)


def fixture(name: str, **values: Any) -> str:
    return (FIXTURES / name).read_text().format(**{**LOGIN, **values})


def td_state(client: httpx.AsyncClient) -> TdState:
    state: TdState = client._transport.app.state.tdsynnex  # type: ignore[attr-defined]
    return state


def pick(c: TdCatalog, test: Any, start: int = 0) -> TdProduct:
    for i in range(start, c.ingram_size + c.extra):
        p = c.product(i)
        if p is not None and p.authorized and not p.discontinued and test(p):
            return p
    raise AssertionError("no such product in the catalog")


def in_stock(country: str, quantity: int = 2) -> Any:
    return lambda p: any(
        on_hand >= quantity for w, on_hand, _ in p.stock(country) if w.number != "98"
    )


def no_stock(country: str) -> Any:
    return lambda p: all(on_hand == 0 for w, on_hand, _ in p.stock(country) if w.number != "98")


def po_request(sku1: str, price1: str, sku2: str, price2: str, *, po: str = "DISTY-000123",
               backorder: str = "Y", qty1: int | str = 2, **login: str) -> str:  # fmt: skip
    values = dict(po=po, backorder=backorder, sku1=sku1, price1=price1, qty1=qty1)
    return fixture("po-request.xml", **values, sku2=sku2, price2=price2, **login)


def status_request(po: str, version: str = "2.4", **login: str) -> str:
    return fixture("postatus-request.xml", po=po, version=version, **login)


async def post(client: httpx.AsyncClient, path: str, body: str | bytes,
               content_type: str = "text/plain") -> Element:  # fmt: skip
    r = await client.post(path, content=body, headers={"Content-Type": content_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return fromstring(r.content)


def kids(el: Element) -> list[str]:
    return [child.tag for child in el]


def value(el: Element, path: str) -> str:
    found = el.find(path)
    assert found is not None, path
    return found.text or ""
