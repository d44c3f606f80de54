"""``OrderRequest`` (synchronous 2.0) -> ``OrderResponse`` (XML-NOTES 5).

The request is read into the REST create's body and placed by the same ``ordering.place``, so
the order is one of the account's orders like any other: REST order search and detail show it,
it lives on the same clock and sends the same webhooks. What IM-XML says differently:

- ``AutoRelease`` ``H`` puts the order on customer hold (REST's ``allowOrderOnCustomerHold``).
- ``BackOrderFlag`` ``N`` refuses a line that cannot ship now (REST ``acceptBackOrder`` false).
- ``KillOrderAfterLineError`` ``Y`` refuses the whole order when any line is refused
  ("fill or kill"); otherwise the order is placed without the bad lines, each shown with its
  ``LineError``.
- A whole order refused is a header error: 20044 (the one order error number the field table
  shows; its text is ours). (20195, an MPN naming several SKUs, cannot happen: the simulated
  catalog's manufacturer part numbers are unique.)
- The order number is REST's without its hyphen (``20-RD3QV`` -> ``BranchOrderNumber``
  ``20RD3QV``: 7 characters, branch then number); each shipment is a suffix (``11``, ``21``...).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from disty.simulator.ingram import ordering
from disty.simulator.ingram.orders import Order
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.xml.wire import Refused, add, text

ORDER_REFUSED = "20044"


class OrderRefused(ValueError):
    def __init__(self, number: str, message: str) -> None:
        super().__init__(message)
        self.number = number


def branch_order_number(order: Order) -> str:
    return order.number.replace("-", "")


def _line(raw: Element, position: int) -> dict[str, Any]:
    quantity = text(raw, "Quantity")
    if not quantity.isdigit() or int(quantity) > 65535:
        raise Refused("The value of the 'Quantity' element does not match its type.")
    line: dict[str, Any] = {
        "customerLineNumber": text(raw, "CustomerLineNumber") or f"{position:03d}",
        "quantity": int(quantity),
    }
    if text(raw, "SKU"):
        line["ingramPartNumber"] = text(raw, "SKU")
    elif text(raw, "ManufacturerPartNumber"):
        line["vendorPartNumber"] = text(raw, "ManufacturerPartNumber")
    elif text(raw, "UPC"):
        line["upc"] = text(raw, "UPC")
    return line


def rest_body(request: Element) -> tuple[dict[str, Any], list[str], bool]:
    """(the REST create body, comment lines, kill the order after a line error)."""
    header = request.find("OrderHeaderInformation")
    addressing = header.find("AddressingInformation") if header is not None else None
    options = header.find("ProcessingOptions") if header is not None else None
    shipment = options.find("ShipmentOptions") if options is not None else None
    address = addressing.find("ShipTo/Address") if addressing is not None else None
    ship_to = {
        "contact": text(addressing, "ShipToAttention"),
        "companyName": text(address, "ShipToAddress1"),
        "addressLine1": text(address, "ShipToAddress2"),
        "addressLine2": text(address, "ShipToAddress3"),
        "city": text(address, "ShipToCity"),
        "state": text(address, "ShipToProvince"),
        "postalCode": text(address, "ShipToPostalCode"),
        "countryCode": text(address, "ShipToCountryCode"),
    }
    suffix = text(addressing, "ShipTo/Suffix/ShipToSuffix")
    if suffix:
        ship_to["addressId"] = suffix
    lines_in = request.find("OrderLineInformation")
    raws = lines_in.findall("ProductLine") if lines_in is not None else []
    comments = (
        [text(c, "CommentText") for c in lines_in.findall("CommentLine")]
        if lines_in is not None
        else []
    )
    body: dict[str, Any] = {
        "customerOrderNumber": text(addressing, "CustomerPO"),
        "endCustomerOrderNumber": text(addressing, "EndUserPO"),
        "shipToInfo": {k: v for k, v in ship_to.items() if v},
        "lines": [_line(raw, n) for n, raw in enumerate(raws, start=1)],
        "notes": " ".join(c for c in comments if not c.startswith("///")),
        "acceptBackOrder": text(shipment, "BackOrderFlag").upper() != "N",
    }
    if text(options, "AutoRelease").upper() == "H":
        body["additionalAttributes"] = [
            {"attributeName": "allowOrderOnCustomerHold", "attributeValue": "true"}
        ]
    kill = text(options, "KillOrderAfterLineError").upper() == "Y"
    return body, comments, kill


def respond(
    state: SimState, client_id: str, country: str, request: Element, response: Element
) -> None:
    body, comments, kill = rest_body(request)
    if not body["customerOrderNumber"]:
        raise OrderRefused(ORDER_REFUSED, "ERROR: CustomerPO is required")
    if kill:
        for line in body["lines"]:
            _ident, product = ordering.find_product(state, line)
            if product is None:
                raise OrderRefused(
                    ORDER_REFUSED,
                    f"ERROR: Order Rejected-line {line['customerLineNumber']} SKU not found",
                )
    now = state.clock.now()
    order, rejected, refusal = ordering.place(state, client_id, country, body, now)
    if order is None:
        raise OrderRefused(ORDER_REFUSED, f"ERROR: Order Rejected-{refusal}")
    if kill and rejected:
        ordering.cancel(state, order, now)
        del state.orders.orders[order.number]
        raise OrderRefused(ORDER_REFUSED, f"ERROR: Order Rejected-{rejected[0]['rejectReason']}")
    _render(order, rejected, comments, response)


def _render(
    order: Order, rejected: list[dict[str, Any]], comments: list[str], response: Element
) -> None:
    numbers = add(add(response, "OrderInfo"), "OrderNumbers")
    add(numbers, "BranchOrderNumber", branch_order_number(order))
    add(numbers, "CustomerPO", order.customer_order_number)
    ship_to = order.ship_to
    add(numbers, "ShipToAttention", ship_to.get("contact", "").upper())
    add(numbers, "ThirdPartyFreightAccount", " ")
    add(numbers, "ShipToAddress1", ship_to.get("companyName", "").upper())
    add(numbers, "ShipToAddress2", ship_to.get("addressLine1", "").upper())
    add(numbers, "ShipToCity", ship_to.get("city", "").upper())
    add(numbers, "ShipToProvince", ship_to.get("state", "").upper())
    add(numbers, "ShipToPostalCode", ship_to.get("postalCode", "").replace(" ", "").upper())
    add(numbers, "AddressErrorMessage", AddressErrorType="  ")
    add(numbers, "ContractNumber")
    # Everything confirmed ships in the first distribution (11); a line's back-ordered rest
    # waits in the next one (12), as IM-NA describes BackOrderFlag Y.
    first = [ln for ln in order.lines if ln.confirmed]
    later = [ln for ln in order.lines if ln.backordered]
    for suffix, lines in (("11", first), ("12", later)):
        if not lines and not (suffix == "11" and rejected):
            continue
        block = add(numbers, "OrderSuffix", Suffix=suffix)
        add(block, "DistributionWeight", max(1, round(sum(ln.product.weight_kg for ln in lines))))
        add(block, "SuffixErrorResponse", SuffixErrorType="")
        add(block, "Carrier", "UPS GROUND", CarrierCode="UP")
        info = add(block, "LineInformation")
        for ln in lines:
            row = add(info, "ProductLine")
            add(row, "LineError")
            add(row, "SKU", ln.product.ingram_part_number)
            add(row, "ManufacturerPartNumber", ln.product.vendor_part_number)
            add(row, "UPC", ln.product.upc.zfill(13))
            add(row, "UnitPrice", f"{ln.unit_price:.2f}")
            add(row, "IngramLineNumber", ln.ingram_line_number)
            add(row, "CustomerLineNumber", ln.customer_line_number.zfill(3)[:3])
            add(row, "ShipFromBranch", ln.warehouse.id)
            add(row, "OrderQuantity", ln.quantity)
            add(row, "AllocatedQuantity", ln.confirmed if suffix == "11" else 0)
            add(row, "BackOrderedQuantity", ln.backordered if suffix == "12" else 0)
            add(row, "BackOrderETADate")
            add(row, "PriceDerivedFlag")
            add(row, "ForeignCurrency", "0.00")
            add(row, "FreightRate", "0.00")
            add(row, "TransitDays", "0")
            add(row, "LineBillToSuffix", "000")
        if suffix == "11":
            for item in rejected:
                row = add(info, "ProductLine")
                add(row, "LineError", str(item["rejectReason"])[:50])
                add(row, "SKU", str(item["ingramPartNumber"])[:12])
                add(row, "CustomerLineNumber", str(item["customerLineNumber"]).zfill(3)[:3])
                add(row, "OrderQuantity", item["quantityOrdered"])
            for n, comment in enumerate(comments, start=len(order.lines) + 1):
                line = add(info, "CommentLine")
                add(line, "CommentText", comment)
                add(line, "CommentLineNumber", f"{n:03d}")
