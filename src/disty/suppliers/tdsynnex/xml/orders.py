"""TD SYNNEX purchase orders over EC Express XML (NOTES 4): disty's OrderRequest as an
``OrderRequest`` document, and the ``OrderResponse`` read back into a PlacedOrder.

What cannot go out right is refused here, before anything is sent (RequestRejected: the PO
fails with the reason, nothing placed): a ship-to TD SYNNEX cannot take, a line without a
price (TD SYNNEX requires ``UnitPrice``), a hold or a quote (TD SYNNEX has neither). What
comes back unreadable is "may have landed" (Unavailable): disty asks POStatus by PO number
before it sends again.

A duplicate-PO refusal (4.4, ``DUPREJECT``) is not an answer by itself: the adapter asks
POStatus what TD SYNNEX holds under the number, and ``already_placed`` accepts it only if it
is this PO's order (its SKUs and quantities), never another order that used the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from disty.domain.orders import Address, OrderLine, OrderRequest, PlacedOrder
from disty.suppliers.errors import RequestRejected, Unavailable
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.client import TdSynnexConfig
from disty.suppliers.tdsynnex.xml.status import StatusAnswer, StatusRow, code_of, line_note
from disty.suppliers.xml import child, children, local, text

_SIX_PLACES = Decimal("0.000001")  # UnitPrice: a plain decimal (the simulator takes 6 places)
# TD SYNNEX SKUs are numbers of at most 8 digits (NOTES 3.1, as price and availability reads
# them); anything else is the manufacturer's part number, which a PO may name instead (4.1).
_SYNNEX_SKU = re.compile(r"[0-9]{1,8}")


# -- the request -------------------------------------------------------------------------------


def order_document(request: OrderRequest, config: TdSynnexConfig, now: datetime) -> Element:
    """The ``OrderRequest`` element (the client wraps it in ``SynnexB2B``/``Credential``)."""
    _refuse_what_cannot_go(request)
    order = Element("OrderRequest")
    SubElement(order, "CustomerNumber").text = config.customer_number
    SubElement(order, "PONumber").text = request.po_number
    SubElement(order, "PODateTime").text = now.strftime("%Y-%m-%dT%H:%M:%S")
    # N: TD SYNNEX ships to the address given with its standard paperwork; disty asks for no
    # blind drop-ship packing slip (an account-level arrangement with TD SYNNEX).
    SubElement(order, "DropShipFlag").text = "N"
    # Y: what is not in stock is back-ordered (OrderType BO), as at Ingram, not refused.
    SubElement(order, "BackOrderFlag").text = "Y"
    if config.ship_from_warehouse:
        SubElement(order, "ShipFromWarehouse").text = config.ship_from_warehouse
    shipment = SubElement(order, "Shipment")
    _address(SubElement(shipment, "ShipTo"), request.ship_to)
    _contact(shipment, request.ship_to)
    method = config.ship_method or consts.DEFAULT_SHIP_METHOD.get(config.country, "FG")
    ship_method = SubElement(shipment, "ShipMethod")
    SubElement(ship_method, "Code").text = method
    if method in consts.SHIP_METHODS:
        SubElement(ship_method, "Description").text = consts.SHIP_METHODS[method]
    if request.end_user is not None:
        _address(SubElement(order, "EndUser"), request.end_user)
    if request.notes:
        # NOTES 4.1: a comment sends the order past TD SYNNEX's sales before it converts.
        SubElement(order, "Comment").text = request.notes
    items = SubElement(order, "Items")
    for line in request.lines:
        _item(SubElement(items, "Item", {"lineNumber": str(line.line_number)}), line)
    return order


def _refuse_what_cannot_go(request: OrderRequest) -> None:
    name = consts.NAME
    if request.hold:
        raise RequestRejected(f"{name} has no customer hold: send the PO without hold")
    if request.quote_number:
        raise RequestRejected(f"{name}'s quotes are not ordered through disty: order its lines")
    if not request.lines:
        raise RequestRejected(f"a {name} PO needs at least one line")
    ship_to = request.ship_to
    if ship_to.address_id and not (ship_to.company or ship_to.street):
        raise RequestRejected(
            f"{name} keeps no ship-to addresses for disty to name by id: give the full address"
        )
    for label, address in (("ship_to", ship_to), ("end_user", request.end_user)):
        if address is None:
            continue
        for field_name, limit in consts.ADDRESS_LIMITS.items():
            if len(getattr(address, field_name)) > limit:
                raise RequestRejected(
                    f"{label} {field_name} is longer than {limit} characters, the most {name} "
                    "takes: shorten it and submit the PO again"
                )
    if ship_to.country.upper() in consts.ZIP_COUNTRIES and not (ship_to.state and ship_to.postcode):
        raise RequestRejected(
            f"{name} needs the ship-to state and postcode for an address in the US, Canada or "
            "Mexico: add them and submit the PO again"
        )
    unpriced = [f"line {x.line_number} ({x.sku})" for x in request.lines if x.unit_price is None]
    if unpriced:
        raise RequestRejected(
            f"{name} needs a unit price on every PO line, and {', '.join(unpriced)} has none: "
            "give each line its expected price and submit the PO again"
        )


def _address(element: Element, address: Address) -> None:
    fields = (
        ("AddressName1", address.company),
        ("AddressLine1", address.street),
        ("AddressLine2", address.street2),
        ("City", address.city),
        ("State", address.state.upper()),
        ("ZipCode", address.postcode),
        ("Country", address.country.upper()),
    )
    for name, value in fields:
        if value:
            SubElement(element, name).text = value


def _contact(shipment: Element, address: Address) -> None:
    fields = (
        ("ContactName", address.contact),
        ("PhoneNumber", address.phone),
        ("EmailAddress", address.email),
    )
    if any(value for _, value in fields):
        contact = SubElement(shipment, "ShipToContact")
        for name, value in fields:
            if value:
                SubElement(contact, name).text = value


def _item(item: Element, line: OrderLine) -> None:
    kind = "SKU" if _SYNNEX_SKU.fullmatch(line.sku) else "ManufacturerPartNumber"
    SubElement(item, kind).text = line.sku
    price = (line.unit_price or Decimal(0)).quantize(_SIX_PLACES).normalize()
    SubElement(item, "UnitPrice").text = f"{price:f}"
    SubElement(item, "OrderQuantity").text = str(line.quantity)
    if line.special_bid:
        SubElement(item, "SpecialPriceReferenceNumber").text = line.special_bid


# -- the answer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderAnswer:
    """TD SYNNEX's answer to a PO: placed (or refused) as it says, or a duplicate PO number
    the adapter must look up before saying anything."""

    placed: PlacedOrder
    duplicate: bool = False
    reason: str = ""  # TD SYNNEX's words, for a duplicate
    lines: dict[int, str] = field(default_factory=dict)


def read_answer(root: Element, request: OrderRequest, describe: str) -> OrderAnswer:
    """The ``OrderResponse`` (errors were raised by the client already)."""
    response = child(root, "OrderResponse") if local(root.tag) == "synnexb2b" else None
    if response is None:
        raise Unavailable(
            f"{describe} answered the PO with <{root.tag}>, not an OrderResponse: it may have "
            "been placed, so disty asks TD SYNNEX by PO number before sending it again"
        )
    header = code_of(text(response, "Code"))
    header_reason = text(response, "Reason") or ""
    items = children(child(response, "Items") or Element("Items"), "Item")
    numbers: list[str] = []
    rejected: dict[int, str] = {}
    notes: dict[int, str] = {}
    duplicate = "alreadyexists" in "".join(header_reason.lower().split())
    for position, item in enumerate(items, start=1):
        line = _line_number(item.get("lineNumber"), position)
        reference = (text(item, "SynnexInternalReference") or "").upper()
        if "DUPREJECT" in reference or "PODUPE" in reference:
            duplicate = True
        code = code_of(text(item, "Code")) or header
        if code == "rejected":
            rejected[line] = text(item, "Reason") or header_reason or "refused by TD SYNNEX"
            continue
        number = text(item, "OrderNumber")
        if number and number not in numbers:
            numbers.append(number)
        note = line_note(code, text(item, "OrderType"), reference, None)
        if note:
            notes[line] = note
    if duplicate and header == "rejected":
        return OrderAnswer(PlacedOrder((), {}), duplicate=True, reason=header_reason)
    if header == "rejected" or (not numbers and rejected):
        reason = header_reason or "refused by TD SYNNEX"
        refused = {x.line_number: rejected.get(x.line_number, reason) for x in request.lines}
        return OrderAnswer(PlacedOrder((), refused))
    if not numbers:
        # Accepted (or left for sales, an empty Code) with no sales order number to follow.
        raise Unavailable(
            f"{describe} accepted the PO without naming its sales order: disty asks TD "
            "SYNNEX by PO number for it"
        )
    return OrderAnswer(PlacedOrder(tuple(numbers), rejected, line_notes=notes))


def _line_number(value: str | None, position: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return position  # the lines come back in the order sent


# -- a duplicate PO number ---------------------------------------------------------------------


def already_placed(request: OrderRequest, status: StatusAnswer, reason: str) -> PlacedOrder:
    """TD SYNNEX refused the PO as a duplicate of its own number: the order it holds under it,
    if that order is this PO (an earlier send whose answer was lost); else a clear refusal,
    attaching nothing."""
    name = consts.NAME
    rows = status.rows
    if status.code in ("notfound", "rejected") or not rows:
        # It says the number is taken but shows nothing under it (yet): no order is attached
        # and nothing is sent until its status shows the order (the outbox asks again).
        raise Unavailable(
            f"{name} refused PO {request.po_number} as a duplicate ({reason or 'DUPREJECT'}) "
            "but its status shows no order under that number yet: disty asks again before "
            "sending anything"
        )
    by_line = {x.line_number: x for x in request.lines}
    if not all(_same_line(row, by_line.get(row.line_number or -1)) for row in rows):
        ours = ", ".join(f"{x.quantity} × {x.sku}" for x in request.lines)
        theirs = ", ".join(f"{row.quantity} × {row.sku}" for row in rows)
        raise RequestRejected(
            f"PO number {request.po_number} is already used at {name} for another order "
            f"({theirs}, not this PO's {ours}): choose another PO number. Nothing was ordered "
            "and nothing of that order was attached to this PO"
        )  # no supplier_message: a failed PO's reason is then this whole message, with the fix
    numbers = list(dict.fromkeys(row.order_number for row in rows if row.order_number))
    held = {row.line_number for row in rows}
    missing = {
        x.line_number: f"not in the order {name} holds under this PO number"
        for x in request.lines
        if x.line_number not in held
    }
    notes = {row.line_number: row.note for row in rows if row.line_number is not None and row.note}
    return PlacedOrder(tuple(numbers), missing, line_notes=notes)


def _same_line(row: StatusRow, line: OrderLine | None) -> bool:
    if line is None:
        return False
    sku = line.sku.strip().upper()
    return sku in (row.sku.upper(), (row.mfg_pn or "").upper()) and row.quantity == line.quantity
