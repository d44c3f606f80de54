"""``OrderStatusRequest``, ``OrderDetailRequest``, ``OrderTrackingRequest`` (XML-NOTES 6-8)
over the account's orders, however they were placed.

An order's distributions (suffixes) are read from its REST life: each shipment is one
(``20-RD3QV-11`` -> suffix ``11``), and what has not shipped yet is the next one, the suffix
its shipment will get. Status words are IM-XML's (XML-NOTES 10): upper case in OrderStatus,
mixed case in OrderDetail. Looking up a voided or cancelled PO's status answers 20086 ("Invalid
PO"-type); its detail still shows it ``Voided``. Tracking without a suffix covers orders
shipped in the last 2 months only, and a package's contents are known from the day after it
shipped (the nightly batch).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from disty.simulator.ingram.orders import Line, Order, Shipment
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.xml.ordering import branch_order_number
from disty.simulator.ingram.xml.wire import add, date, text

NOT_FOUND = ("20086", "ERROR:Order Not Found")
NO_ORDER = (
    "20035",
    "ERROR: Order does not exist for this account. Please enter a valid Branch Order Number "
    "- Order Suffix - Customer PO",
)
TRACKING_WINDOW_S = 61 * 86_400  # "the last 2 months"
DETAIL_WINDOW_S = 548 * 86_400  # "last 18 months"


class NotFound(LookupError):
    def __init__(self, error: tuple[str, str]) -> None:
        super().__init__(error[1])
        self.error = error


@dataclass
class Suffix:
    id: str
    status: str  # as OrderDetail spells it
    branch: str
    rows: list[tuple[Line, int, int, int]] = field(
        default_factory=list
    )  # line, ordered, shipped, back-ordered
    shipment: Shipment | None = None

    @property
    def total(self) -> float:
        return round(sum(line.unit_price * qty for line, qty, _s, _b in self.rows), 2)


_OPEN = {
    "on_hold": "Customer Hold",
    "processing": "Open",
    "backordered": "Open",
    "partially_shipped": "Open",
    "shipped": "Open",
    "invoiced": "Open",
    "voided": "Voided",
    "cancelled": "Voided",
}


def suffixes(order: Order) -> list[Suffix]:
    out: list[Suffix] = []
    for line in order.lines:
        for shipment in line.shipments:
            status = "Invoiced" if shipment.invoice_number else "Shipped"
            suffix = Suffix(
                shipment.sub_order_number.rsplit("-", 1)[1], status, shipment.warehouse.id
            )
            suffix.rows.append((line, shipment.quantity, shipment.quantity, 0))
            suffix.shipment = shipment
            out.append(suffix)
    rest = Suffix(f"{len(order.shipments) + 1}1", _OPEN[order.stage], "")
    for line in order.lines:
        left = line.quantity - line.shipped
        if left <= 0:
            continue
        if line.cancelled or order.stage in ("voided", "cancelled"):
            rest.status = "Voided"
        backordered = max(0, left - max(0, line.confirmed - line.shipped))
        rest.rows.append((line, left, 0, backordered))
        rest.branch = rest.branch or line.warehouse.id
    if rest.rows:
        out.append(rest)
    return sorted(out, key=lambda s: int(s.id))


def orders_for(state: SimState, client_id: str, country: str, po: str) -> list[Order]:
    wanted = po.strip().upper()
    return [
        o
        for o in state.orders.for_app(client_id)
        if o.country == country and o.customer_order_number.strip().upper() == wanted
    ]


# -- OrderStatus ---------------------------------------------------------------------------


def status(
    state: SimState, client_id: str, country: str, request: Element, response: Element
) -> None:
    po = text(request, "OrderHeaderInfo/CustomerPO")
    found = [
        o
        for o in orders_for(state, client_id, country, po)
        if o.stage not in ("voided", "cancelled")
    ]
    if not found:
        raise NotFound(NOT_FOUND)
    holder = add(add(response, "OrderStatusInformation"), "CustomerPO", Number=po)
    for order in found:
        info = add(holder, "OrderInfo")
        add(info, "BranchOrderNumber", branch_order_number(order))
        add(info, "OrderEntryDate", date(order.created_at))
        for suffix in suffixes(order):
            block = add(info, "OrderSuffix", ID=suffix.id)
            add(block, "ShipFromBranch", _branch_name(order, suffix.branch), Number=suffix.branch)
            add(block, "OrderStatus", suffix.status.upper())
            add(block, "TotalSales", f"{suffix.total:.2f}")
            if suffix.shipment is not None:
                if suffix.shipment.invoiced_at is not None:
                    add(block, "InvoiceDate", date(suffix.shipment.invoiced_at))
                add(block, "ShippedDate", date(suffix.shipment.shipped_at))
            add(block, "OrderCreditMemo", Code="")


def _branch_name(order: Order, branch: str) -> str:
    for line in order.lines:
        if line.warehouse.id == branch:
            return line.warehouse.location.split(",")[0]
    return ""


# -- OrderDetail ---------------------------------------------------------------------------


def _one(
    state: SimState, client_id: str, country: str, number: str, po: str, window: float
) -> Order:
    now = state.clock.now()
    for order in orders_for(state, client_id, country, po):
        if (
            branch_order_number(order) == number.strip().upper()
            and now - order.created_at <= window
        ):
            return order
    raise NotFound(NOT_FOUND)


def detail(
    state: SimState, client_id: str, country: str, request: Element, response: Element
) -> None:
    head = request.find("OrderHeaderInfo")
    order = _one(
        state,
        client_id,
        country,
        text(head, "BranchOrderNumber"),
        text(head, "CustomerPO"),
        DETAIL_WINDOW_S,
    )
    wanted = text(head, "OrderSuffix")
    chosen = [s for s in suffixes(order) if not wanted or s.id == wanted]
    if not chosen:
        raise NotFound(NOT_FOUND)
    info = add(response, "OrderInformation")
    add(info, "BranchOrderNumber", branch_order_number(order))
    add(info, "CustomerPO", order.customer_order_number)
    add(info, "EndUserPO", order.end_customer_order_number or None)
    add(
        info,
        "OrderWeight",
        max(1, round(sum(ln.product.weight_kg * ln.quantity for ln in order.live_lines))),
    )
    add(info, "OrderEntryDate", date(order.created_at))
    add(info, "OrderType", "O")
    add(info, "HoldReason", "CH" if order.stage == "on_hold" else None)
    add(info, "EntryMethod", "X")
    totals = add(info, "OrderTotals")
    add(totals, "SalesTotal", f"{order.subtotal:.2f}")
    add(totals, "FreightTotal", f"{order.freight:.2f}")
    add(totals, "GrandTotal", f"{order.total:.2f}")
    add(totals, "CurrencyCode", order.currency)
    ship_to = order.ship_to
    for suffix in chosen:
        block = add(info, "OrderSuffix", ID=suffix.id)
        where = add(block, "ShipToInformation")
        add(where, "ShipToAttention", ship_to.get("contact", "").upper())
        add(where, "ShipToAddress1", ship_to.get("companyName", "").upper())
        add(where, "ShipToAddress2", ship_to.get("addressLine1", "").upper())
        add(where, "ShipToCity", ship_to.get("city", "").upper())
        add(where, "ShipToProvince", ship_to.get("state", "").upper())
        add(where, "ShipToPostalCode", ship_to.get("postalCode", "").upper())
        add(block, "ShipFromBranch", _branch_name(order, suffix.branch), Number=suffix.branch)
        add(block, "OrderStatus", suffix.status)
        shipment = suffix.shipment
        if shipment is not None:
            add(block, "Carrier", shipment.carrier.name, Code=shipment.carrier.code)
            if shipment.invoiced_at is not None:
                add(block, "InvoiceDate", date(shipment.invoiced_at))
            add(block, "OrderShipDate", date(shipment.shipped_at))
        lines = add(block, "OrderLineDetail")
        for line, ordered, shipped, backordered in suffix.rows:
            row = add(lines, "ProductLine")
            add(row, "SKU", line.product.ingram_part_number)
            add(row, "ManufacturerPartNumber", line.product.vendor_part_number)
            add(row, "SKUDescription", line.product.description)
            add(row, "OrderQuantity", ordered)
            add(row, "ShipQuantity", shipped)
            add(row, "BackOrderQuantity", backordered)
            add(row, "UnitPrice", f"{line.unit_price:.2f}")
            add(row, "LineSalesTotal", f"{line.unit_price * ordered:.2f}")
            add(row, "CustomerLineNumber", line.customer_line_number.zfill(3)[:3])
            add(row, "IngramLineNumber", line.ingram_line_number)
            add(row, "VendorName", line.product.vendor_name.upper())
            if shipment is not None and shipment.serials:
                serials = add(row, "SkuSerialNumber")
                for serial in shipment.serials:
                    add(serials, "SerialNumber", serial)
        if order.notes and suffix is chosen[0]:
            add(add(lines, "CommentLine"), "Comment", order.notes[:216])


# -- OrderTracking -------------------------------------------------------------------------


def tracking(
    state: SimState, client_id: str, country: str, request: Element, response: Element
) -> None:
    head = request.find("TrackingRequestHeader")
    po = text(head, "CustomerPO")
    number = text(head, "BranchOrderNumber").upper()
    wanted = text(head, "OrderSuffix")
    now = state.clock.now()
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    orders = [
        o for o in orders_for(state, client_id, country, po)
        if not number or branch_order_number(o) == number
    ]  # fmt: skip
    add(response, "CustomerPO", po)
    any_order = False
    for order in orders:
        shipped = [
            (s, s.shipment)
            for s in suffixes(order)
            if s.shipment is not None
            and (s.id == wanted if wanted else now - s.shipment.shipped_at <= TRACKING_WINDOW_S)
        ]
        if not shipped:
            continue
        any_order = True
        block = add(response, "Order")
        add(block, "BranchOrderNumber", branch_order_number(order))
        add(
            block,
            "TotalWeight",
            f"{sum(ln.product.weight_kg * ln.quantity for ln in order.live_lines):.2f}",
        )
        add(block, "CartonCount", len(shipped))
        for n, (suffix, shipment) in enumerate(shipped, start=1):
            part = add(block, "Suffix", SuffixNumber=suffix.id)
            add(part, "Carrier", shipment.carrier.name, Code=shipment.carrier.code)
            package = add(part, "Package", ID=shipment.tracking_number)
            add(package, "ShipDate", date(shipment.shipped_at))
            add(package, "BoxNumber", f"{n:03d}")
            line = suffix.rows[0][0]
            add(package, "BoxWeight", f"{line.product.weight_kg * shipment.quantity:.2f}")
            if shipment.tracking_url:
                add(package, "TrackingURL", shipment.tracking_url.upper())
            contents = add(package, "Contents")
            shipped_on = dt.datetime.fromtimestamp(shipment.shipped_at, dt.UTC).date()
            if today > shipped_on:  # contents come with the nightly batch
                detail = add(contents, "ContentDetail")
                add(detail, "SKU", line.product.ingram_part_number)
                add(detail, "Quantity", shipment.quantity)
                add(detail, "IngramLineNumber", int(line.ingram_line_number))
    if not any_order:
        raise NotFound(NO_ORDER)
