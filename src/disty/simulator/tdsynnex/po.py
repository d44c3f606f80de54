"""Purchase orders: ``POST /SynnexXML/PO`` (NOTES section 4).

A ``SynnexB2B`` with the login in ``Credential`` and an ``OrderRequest``; the answer is an
``OrderResponse`` with a code for the PO and one ``Item`` per line (its sales order number,
order type SO/BO/99 and SYNNEX's internal reference). Checked in the order a real server must:
the sending IP against the account's registered addresses (4.5), the login, the document
(``Client.IncompleteXML``, numbered as the real capture is), then the PO number's uniqueness for
the account (4.4), then each line (price tolerance, stock, backorder).

An ``OrderStatusRequest`` posted here is answered as ``/POStatus`` would (NOTES 2.2, Q3: the
SDK posts status requests to this path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex import b2b, postatus
from disty.simulator.tdsynnex.catalog import WAREHOUSES, TdProduct, TdWarehouse
from disty.simulator.tdsynnex.errors import b2b_error
from disty.simulator.tdsynnex.orders import TdLine, TdOrder, first_step_at
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import Arrived, Handler, add, answer, endpoint, text

RESPONSE = "OrderResponse"
TOLERANCE_CENTS = {"US": 1, "CA": 2}  # 4.4: a price off by more stops for sales
ZIP_COUNTRIES = ("US", "CA", "MX")

# 4.3: SynnexInternalReference as the samples show it.
REF_SALES_ORDER = "SALESORDER,A-CIS---SOLINE,A-CIS"
REF_PRICE_VARIANCE = "POLINEQC,A-SALESPND---PRICEVAR,A-SALESPND"
REF_DUPLICATE = "DUPREJECT,R-PODUPE---DUPPOKILL,R-PODUPE"
REF_COMMENTS = "OKCOMMENTS,A-SALESPND---CONVERTOK,A-SALESPND"

DUPLICATE_REASON = (
    "This PO# already exists in our system for your account. The PO has been rejected to "
    "prevent a duplicate shipment. Please contact your sales representative."
)
IP_DETAIL = (
    "IP address: {ip} not defined. We only accept PO from the IP address provided by customer "
    "due to security reason."
)
PRODUCT_MISSING = (
    ": Product to be ordered not specified. Please fill in one of SKU, SynnexPartNumber, "
    "ManufacturerPartNumber, CustomerPartNumber"
)


def handler(state: TdState, country: str) -> Handler:
    def order_or_status(got: Arrived) -> Response:
        if got.root.tag == "SynnexB2B" and got.root.find("OrderStatusRequest") is not None:
            return postatus.respond(state, country, got.root, got.started)
        return respond(state, country, got.root, got.ip, got.started)

    return endpoint(
        order_or_status,
        lambda exc: b2b_error(RESPONSE, "Client.IncompleteXML", f"(1)SynnexB2B: {exc}"),
    )


def respond(state: TdState, country: str, root: Element, ip: str, started: float) -> Response:
    order = root.find("OrderRequest") if root.tag == "SynnexB2B" else None
    if order is None:
        return b2b_error(
            RESPONSE, "Client.IncompleteXML", "(1)SynnexB2B/OrderRequest: Element required"
        )
    if not state.ip_allowed(ip):
        return b2b_error(RESPONSE, "IP Address Invalid", IP_DETAIL.format(ip=ip))
    if not b2b.signed_in(state, root, order):
        return b2b.login_failed(RESPONSE)
    problems = validate(order, country)
    if problems:
        numbered = [f"({n}){p}" for n, p in enumerate(problems, start=1)]
        return b2b_error(RESPONSE, "Client.IncompleteXML", "\n".join(numbered))
    customer, po_number = text(order, "CustomerNumber"), text(order, "PONumber")
    out = Element("SynnexB2B")
    response = add(out, RESPONSE)
    add(response, "CustomerNumber", customer)
    add(response, "PONumber", po_number)
    if state.orders.by_po(country, customer, po_number) is not None:
        _duplicate(state, response, order, started)
    else:
        _place(state, country, response, order, started)
    return answer(out)


def validate(order: Element, country: str) -> list[str]:
    """The ``Client.IncompleteXML`` messages, unnumbered, in document order (4.5)."""
    problems = []
    po_number = text(order, "PONumber")
    if not po_number:
        problems.append("OrderRequest/PONumber: String value required")
    elif len(po_number) > 20:
        problems.append("OrderRequest/PONumber: String length must not exceed 20")
    if text(order, "DropShipFlag").upper() not in ("Y", "N"):
        problems.append("OrderRequest/DropShipFlag: Y or N required")
    ship_to = order.find("Shipment/ShipTo")
    if ship_to is None:
        problems.append("OrderRequest/Shipment/ShipTo: Element required")
    else:
        for name in ("AddressName1", "AddressLine1", "City"):
            if not text(ship_to, name):
                problems.append(f"OrderRequest/Shipment/ShipTo/{name}: String value required")
        ship_country = (text(ship_to, "Country") or country).upper()
        if ship_country in ZIP_COUNTRIES and not (
            text(ship_to, "ZipCode") and text(ship_to, "State")
        ):
            problems.append(
                "OrderRequest/Shipment/ShipTo/ZipCode|State: Please fill in ZipCode and State "
                "while ShipToCountry equals 'US','CA' or 'MX'"
            )
    if not text(order, "Shipment/ShipMethod/Code"):
        problems.append("OrderRequest/Shipment/ShipMethod/Code: String value required")
    items = order.findall("Items/Item")
    if not items:
        problems.append("OrderRequest/Items/Item: Element required")
    for i, item in enumerate(items):
        where = f"OrderRequest/Items/Item[{i}]"
        if not any(text(item, name) for name in _PRODUCT_KEYS):
            problems.append(PRODUCT_MISSING)
        if _price(text(item, "UnitPrice")) is None:
            problems.append(f"{where}/UnitPrice: Float value required")
        if _quantity(text(item, "OrderQuantity")) is None:
            problems.append(f"{where}/OrderQuantity: Integer value required")
    return problems


_PRODUCT_KEYS = ("SKU", "SynnexPartNumber", "ManufacturerPartNumber", "CustomerPartNumber")


# Plain decimals only: Decimal() alone would also take "NaN", "1e999" and "1_000".
_PRICE = re.compile(r"[0-9]{1,9}(\.[0-9]{1,6})?")
_QUANTITY = re.compile(r"[0-9]{1,6}")


def _price(value: str) -> Decimal | None:
    return Decimal(value) if _PRICE.fullmatch(value) else None


def _quantity(value: str) -> int | None:
    return int(value) if _QUANTITY.fullmatch(value) and int(value) > 0 else None


@dataclass
class _Outcome:
    """One line's answer before order numbers are given out."""

    item: Element
    sku: str
    code: str  # accepted | rejected
    reason: str = ""
    order_type: str = "99"
    reference: str = ""
    product: TdProduct | None = None
    warehouse: TdWarehouse | None = None
    unit_price: str = ""


def _item_header(parent: Element, item: Element, n: int, sku: str) -> Element:
    row = add(parent, "Item")
    row.set("lineNumber", item.get("lineNumber") or str(n))
    add(row, "SKU", sku)
    add(row, "OrderQuantity", text(item, "OrderQuantity"))
    return row


def _times(response: Element, started: float, state: TdState) -> None:
    add(response, "ResponseDateTime", b2b.stamp(state.clock.now()))
    add(response, "ResponseElapsedTime", b2b.elapsed(started))


def _duplicate(state: TdState, response: Element, order: Element, started: float) -> None:
    add(response, "Code", "rejected")
    add(response, "Reason", DUPLICATE_REASON)
    _times(response, started, state)
    items = add(response, "Items")
    number = state.orders.new_number()  # the killed order's number, as the sample shows one
    for n, item in enumerate(order.findall("Items/Item"), start=1):
        row = _item_header(items, item, n, _sent_sku(item))
        add(row, "Code", "rejected")
        add(row, "Reason", DUPLICATE_REASON)
        add(row, "OrderNumber", number)
        add(row, "OrderType", "99")
        add(row, "ShipFromWarehouse")
        add(row, "SynnexInternalReference", REF_DUPLICATE)


def _sent_sku(item: Element) -> str:
    return text(item, "SKU") or text(item, "SynnexPartNumber")


def _place(state: TdState, country: str, response: Element, order: Element, started: float) -> None:
    comments = any(text(order, name) for name in ("Comment", "ShipComment", "ShipCommentInternal"))
    items_in = order.findall("Items/Item")
    outcomes = [_line(state, country, order, item, comments) for item in items_in]
    accepted = [o for o in outcomes if o.code == "accepted"]
    add(response, "Code", "accepted" if accepted else "rejected")
    if not accepted:
        add(response, "Reason", "No line of the PO could be accepted.")
    _times(response, started, state)
    # One sales order per order type: stock (SO), backorder (BO) and held for sales (99).
    numbers: dict[str, str] = {}
    for o in accepted:
        if o.order_type not in numbers:
            numbers[o.order_type] = state.orders.new_number()
    now = state.clock.now()
    lines: list[TdLine] = []
    items = add(response, "Items")
    for n, o in enumerate(outcomes, start=1):
        row = _item_header(items, o.item, n, o.sku)
        add(row, "Code", o.code)
        if o.reason:
            add(row, "Reason", o.reason)
        add(row, "OrderNumber", numbers.get(o.order_type) if o.code == "accepted" else None)
        add(row, "OrderType", o.order_type)
        add(row, "ShipFromWarehouse")  # every sample leaves it empty; POStatus names it
        add(row, "SynnexInternalReference", o.reference)
        if o.code == "accepted" and o.product is not None and o.warehouse is not None:
            full = state.catalog.universe.product(o.product.index)
            lines.append(
                TdLine(
                    line_number=row.get("lineNumber", str(n)),
                    product=o.product,
                    serialised=full.serialised,
                    weight_kg=full.weight_kg,
                    quantity=int(text(o.item, "OrderQuantity")),
                    unit_price=o.unit_price,
                    order_number=numbers[o.order_type],
                    order_type=o.order_type,
                    warehouse=o.warehouse,
                    next_step_at=first_step_at(o.order_type, now, state.ship_after_s),
                )
            )
    if lines:
        state.orders.add(
            TdOrder(
                country=country,
                customer=text(order, "CustomerNumber"),
                po_number=text(order, "PONumber"),
                po_datetime=text(order, "PODateTime"),
                ship_method=text(order, "Shipment/ShipMethod/Code").upper(),
                ship_method_description=text(order, "Shipment/ShipMethod/Description"),
                created_at=now,
                lines=lines,
                ship_to={
                    child.tag: (child.text or "").strip()
                    for child in order.findall("Shipment/ShipTo/*")
                },
            )
        )


def _line(state: TdState, country: str, order: Element, item: Element, comments: bool) -> _Outcome:
    sku = _sent_sku(item)
    mfg_pn = text(item, "ManufacturerPartNumber")
    if sku:
        product = state.catalog.by_sku(sku)
    elif mfg_pn:
        product = state.catalog.by_mfg_pn(mfg_pn)
    else:
        product = None  # a CustomerPartNumber: no account here has a cross-reference
    if product is None:
        return _Outcome(item, sku, "rejected", "Product not found.")
    if not product.authorized:
        return _Outcome(item, product.sku, "rejected", "Not authorized to buy this product.")
    if product.discontinued:
        return _Outcome(item, product.sku, "rejected", "Product is discontinued.")
    quantity = int(text(item, "OrderQuantity"))
    sent = _price(text(item, "UnitPrice")) or Decimal(0)
    ours = Decimal(product.price(country))
    wanted = (
        text(item, "ShipFromWarehouse")
        or text(order, "Shipment/ShipFromWarehouse")
        or text(order, "ShipFromWarehouse")
    )
    warehouse, in_stock = _warehouse(product, country, quantity, wanted)
    outcome = _Outcome(item, product.sku, "accepted", product=product, warehouse=warehouse)
    outcome.unit_price = str(ours)
    if abs(sent - ours) * 100 > TOLERANCE_CENTS[country]:
        outcome.reference = REF_PRICE_VARIANCE
        outcome.unit_price = str(sent)  # sales decide; the status shows what the PO asked
    elif not in_stock:
        if text(order, "BackOrderFlag").upper() != "Y":
            return _Outcome(
                item, product.sku, "rejected", "Insufficient stock and back orders not allowed."
            )
        outcome.order_type = "BO"  # 4.3: a backorder's reference is empty
    else:
        outcome.order_type = "SO"
        outcome.reference = REF_COMMENTS if comments else REF_SALES_ORDER
    return outcome


def _warehouse(
    product: TdProduct, country: str, quantity: int, wanted: str
) -> tuple[TdWarehouse, bool]:
    """The requested warehouse when it holds the quantity, else the first that does; with
    none, the requested one (or the country's first) for the backorder."""
    stock = [(w, on_hand) for w, on_hand, _ in product.stock(country) if w.number != "98"]
    enough = [w for w, on_hand in stock if on_hand >= quantity]
    for w in enough:
        if w.number == wanted:
            return w, True
    if enough:
        return enough[0], True
    for w, _ in stock:
        if w.number == wanted:
            return w, False
    return WAREHOUSES[country][0], False
