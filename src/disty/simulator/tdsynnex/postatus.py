"""PO status: ``POST /SynnexXML/POStatus`` (NOTES section 5).

Asked by customer PO number only; the answer echoes ``SynnexB2B@version`` and lists one
``Item`` per line with its state on the simulator's clock (accepted, shipped, invoiced,
deleted), packages with tracking and serial numbers once shipped, and, from version 2.4, the
fee elements. An unknown PO is ``notFound`` with empty ``Reason``, ``PODatetime`` and ``Items``.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex import b2b
from disty.simulator.tdsynnex.errors import b2b_error
from disty.simulator.tdsynnex.orders import TdLine, TdOrder
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import Handler, add, answer, endpoint, text

RESPONSE = "OrderStatusResponse"
FEES_FROM = (2, 4)  # 2.6: version 2.4 or later adds Freight, HandlingFee, Tax, RecyclingFee
# 5.4: the real answer to an empty or broken body.
BROKEN = ("PO Status XML", "Error on line -1: Premature end of file.")
HOLD = ("NL", "Hold Order")  # what a backordered line shows until it ships (4.6)


def handler(state: TdState, country: str) -> Handler:
    return endpoint(
        lambda got: respond(state, country, got.root, got.started),
        lambda exc: b2b_error(RESPONSE, *BROKEN),
    )


def _fees(version: str | None) -> bool:
    try:
        return tuple(int(p) for p in (version or "0").split(".")[:2]) >= FEES_FROM
    except ValueError:
        return False


def respond(state: TdState, country: str, root: Element, started: float) -> Response:
    version = root.get("version")
    request = root.find("OrderStatusRequest") if root.tag == "SynnexB2B" else None
    if request is None:
        return b2b_error(RESPONSE, *BROKEN, version=version)
    if not b2b.signed_in(state, root, request):
        return b2b.login_failed(RESPONSE)
    customer, po_number = text(request, "CustomerNumber"), text(request, "PONumber")
    if not po_number:
        return b2b_error(
            RESPONSE,
            "Client.IncompleteXML",
            "(1)OrderStatusRequest/PONumber: String value required",
            version=version,
        )
    out = Element("SynnexB2B", {"version": version} if version else {})
    response = add(out, RESPONSE)
    add(response, "CustomerNumber", customer)
    add(response, "PONumber", po_number)
    order = state.orders.by_po(country, customer, po_number)
    if order is None:
        add(response, "Code", "notFound")
        add(response, "Reason")
        add(response, "PODatetime")
        add(response, "ResponseDateTime", b2b.stamp(state.clock.now()))
        add(response, "Items")
    else:
        state.settled(order)
        add(response, "Code", order.code())
        add(response, "Reason")
        add(response, "PODatetime", order.po_datetime or b2b.stamp(order.created_at))
        add(response, "ResponseDateTime", b2b.stamp(state.clock.now()))
        items = add(response, "Items")
        for line in order.lines:
            _line(add(items, "Item"), order, line, fees=_fees(version))
    add(response, "ResponseElapsedTime", b2b.elapsed(started))
    return answer(out)


def _line(row: Element, order: TdOrder, line: TdLine, *, fees: bool) -> None:
    row.set("lineNumber", line.line_number)
    shipped = line.shipped_at is not None
    add(row, "Code", line.code)
    add(row, "ShipDatetime", b2b.stamp(line.shipped_at) if shipped else None)
    add(row, "OrderNumber", line.order_number)
    add(row, "OrderType", line.order_type)
    add(row, "OrderQuantity", line.quantity)
    add(row, "UnitPrice", repr(float(line.unit_price)))  # "795.0" style (5.2)
    add(row, "SKU", line.product.sku)
    add(row, "MfgPN", line.product.mfg_pn)
    add(row, "ProductName", line.product.description)
    add(row, "ShipQuantity", line.quantity if shipped else 0)
    warehouse = line.warehouse
    city, _, state_code = warehouse.city.partition(", ")
    add(row, "ShipFromWarehouse", warehouse.number)
    add(row, "ShipFromCity", city)
    add(row, "ShipFromState", state_code or None)
    add(row, "ShipFromZip", warehouse.zipcode)
    held = line.order_type == "BO" and not shipped and line.code != "deleted"
    method, description = HOLD if held else (order.ship_method, order.ship_method_description)
    add(row, "ShipMethod", method)
    add(row, "ShipMethodDescription", description or None)
    eta = line.next_step_at if held else None
    add(row, "ETADate", b2b.day(eta) if eta is not None else None)
    if fees:
        for name in ("Freight", "HandlingFee", "Tax", "RecyclingFee"):
            add(row, name, "0.00")
    packages = add(row, "Packages")
    for package in line.packages:
        box = add(packages, "Package")
        add(box, "TrackingNumber", package.tracking)
        add(box, "Weight", package.weight_lb)
        add(box, "ShipItemQuantity", package.quantity)
        if not package.serials:
            add(box, "SerialNo")
        for serial in package.serials:
            add(box, "SerialNo", serial)
