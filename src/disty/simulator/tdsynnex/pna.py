"""Price and availability: ``POST /SynnexXML/PriceAvailability`` and ``/Availability``.

NOTES section 3: a ``priceRequest`` with the login inside it and one ``skuList`` per line (a
``synnexSKU`` or an ``mfgPN``, and a ``lineNumber`` echoed back as the only safe join key). The
answer is one ``PriceAvailabilityList`` per line, in order, its ``status`` saying Active,
Discontinued, Not found or Not authorized, with the short forms the evidence shows; stock is
listed for every warehouse of the country, 98 (manufacturer drop ship) included. On
``/Availability`` (``version="3.0"``) ``price`` is empty.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.catalog import TdProduct
from disty.simulator.tdsynnex.errors import document_error
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import Handler, add, answer, endpoint, text

MAX_LINES = 100  # NOTES Q10: the XML spec states no limit; the REST variant caps at 100


def handler(state: TdState, country: str, *, availability_only: bool) -> Handler:
    return endpoint(
        lambda got: respond(state, country, got.root, availability_only=availability_only),
        lambda exc: document_error(
            "priceResponse", "Client.IncompleteXML", f"(1)priceRequest: {exc}"
        ),
    )


def respond(state: TdState, country: str, root: Element, *, availability_only: bool) -> Response:
    if root.tag != "priceRequest":
        return document_error(
            "priceResponse", "Client.IncompleteXML", f"(1)priceRequest: expected, got {root.tag}"
        )
    customer, user = text(root, "customerNo"), text(root, "userName")
    if not state.signed_in(customer, user, text(root, "password")):
        # NOTES Q1: the P&A spec shows no request-level error; the PO's ErrorMessage and
        # ErrorDetail are the simulator's choice (simulator/README.md).
        return document_error(
            "priceResponse", "Client.LoginFailed",
            "Login failed: check the customer number, user name and password (the EC Express "
            "login).",
        )  # fmt: skip
    lines = root.findall("skuList")
    problems = [
        f"({n})priceRequest/skuList[{n - 1}]: synnexSKU or mfgPN required"
        for n, line in enumerate(lines, start=1)
        if not (text(line, "synnexSKU") or text(line, "mfgPN"))
    ]
    if not lines:
        problems.append("(1)priceRequest/skuList: at least one required")
    if len(lines) > MAX_LINES:
        problems.append(f"(1)priceRequest/skuList: at most {MAX_LINES} lines")
    if problems:
        return document_error("priceResponse", "Client.IncompleteXML", "\n".join(problems))
    version = root.get("version")
    out = Element("priceResponse", {"version": version} if version else {})
    add(out, "customerNo", customer)
    add(out, "userName", user)
    for line in lines:
        _line(out, state, country, line, availability_only=availability_only)
    return answer(out)


def _line(
    out: Element, state: TdState, country: str, line: Element, *, availability_only: bool
) -> None:
    sku, mfg_pn = text(line, "synnexSKU"), text(line, "mfgPN")
    # An mfgPN may name several SKUs: a row for each, all with the line's number (3.2).
    found = [state.catalog.by_sku(sku)] if sku else state.catalog.all_by_mfg_pn(mfg_pn)
    for product in found or [None]:
        _row(out, state, country, line, product, availability_only=availability_only)


def _row(
    out: Element,
    state: TdState,
    country: str,
    line: Element,
    product: TdProduct | None,
    *,
    availability_only: bool,
) -> None:
    sku, number = text(line, "synnexSKU"), text(line, "lineNumber")
    row = add(out, "PriceAvailabilityList")
    if product is None:  # the short form: what was sent, the status, the line
        add(row, "synnexSKU", sku or "0")
        add(row, "status", "Not found")
    elif not product.authorized:
        add(row, "synnexSKU", product.sku)
        add(row, "mfgPN", product.mfg_pn)
        add(row, "status", "Not authorized")
        add(row, "GlobalProductStatusCode", "Not authorized")
    elif product.discontinued:
        _identity(row, product, "Discontinued")
    else:
        _identity(row, product, "Active")
        add(row, "price", None if availability_only else product.price(country))
        for name in ("priceType", "specialDealNumber"):  # echoed when asked for
            if text(line, name):
                add(row, name, text(line, name))
        _stock(row, product, country, text(line, "requestWarehouse"))
    if number:
        add(row, "lineNumber", number)


def _identity(row: Element, product: TdProduct, status: str) -> None:
    add(row, "synnexSKU", product.sku)
    add(row, "mfgPN", product.mfg_pn)
    add(row, "mfgCode", product.mfg_code)
    add(row, "status", status)
    add(row, "description", product.description)
    add(row, "GlobalProductStatusCode", status)


def _stock(row: Element, product: TdProduct, country: str, wanted: str) -> None:
    only = {w.strip() for w in wanted.split(",") if w.strip()}
    stock = [s for s in product.stock(country) if not only or s[0].number in only]
    add(row, "totalQuantity", sum(on_hand for _, on_hand, _ in stock))
    for warehouse, on_hand, on_order in stock:
        block = add(row, "AvailabilityByWarehouse")
        info = add(block, "warehouseInfo")
        add(info, "number", warehouse.number)
        add(info, "zipcode", warehouse.zipcode)
        add(info, "city", warehouse.city)
        add(info, "addr", warehouse.addr)
        add(block, "qty", on_hand)
        if on_order:
            add(block, "onOrderQuantity", on_order)
