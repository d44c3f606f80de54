"""What the REST look-ups (NOTES 8.2, 8.3) answer from TD SYNNEX's orders (``TdState.orders``).

The REST API's order is a sales order: a PO placed as SO, BO and 99 lines has up to three, as
POStatus's ``OrderNumber`` shows. Each look-up catches the order up with the clock first, so
the answers agree with POStatus for the same order at the same moment.

- ``orders``: the array of order objects (8.2) for TD SYNNEX's sales order number (``SO``), the
  reseller's PO number (``PO``, every sales order of the PO), or either (``order_type`` None:
  the sales order number first).
- ``shipment_details``: one shipment-details object (8.3) for a sales order number.
- ``invoices``: the array of invoice objects (8.2), from the invoices the XML query answers.
"""

from __future__ import annotations

import time
import zlib
from decimal import Decimal
from typing import Any

from disty.simulator.ingram.catalog import mix64
from disty.simulator.tdsynnex import rest_invoices
from disty.simulator.tdsynnex.orders import TdLine, TdOrder, roll_up
from disty.simulator.tdsynnex.state import TdState

Json = dict[str, Any]

# POStatus's codes as the REST API names them (8.2 shows "Open"/"O"; 8.3 "Shipped"/"S").
STATUS = {
    "accepted": ("Open", "O"),
    "shipped": ("Shipped", "S"),
    "invoiced": ("Invoiced", "I"),
    "deleted": ("Cancelled", "C"),
}


def orders(state: TdState, order_no: str, order_type: str | None) -> list[Json] | None:
    found: list[tuple[TdOrder, str]] = []
    if order_type in (None, "SO"):
        order = state.orders.by_number(order_no)
        if order is not None:
            found = [(order, order_no)]
    if not found and order_type in (None, "PO"):
        for order in state.orders.orders:
            if order.po_number.upper() == order_no.upper():
                numbers = dict.fromkeys(line.order_number for line in order.lines)
                found += [(order, number) for number in numbers]
    return [_order(state.settled(order), number) for order, number in found] or None


def shipment_details(state: TdState, order_no: str) -> Json | None:
    order = state.orders.by_number(order_no)
    if order is None:
        return None
    lines = state.settled(order).sales_order(order_no)
    status, code = STATUS[roll_up(lines)]
    return {
        "orderNumber": order_no,
        "purchaseOrder": order.po_number,
        "orderStatus": status,
        "orderStatusCode": code,
        "uniqueID": None,
        "errorMessage": None,
        "lines": [_shipment_line(order, n, line) for n, line in enumerate(lines, 1)],
    }


def invoices(state: TdState, invoice_no: str, invoice_type: str) -> list[Json] | None:
    """From the invoices the XML query answers (rest_invoices.py); None before any exists."""
    found = rest_invoices.find(state, invoice_no, invoice_type)
    return [rest_invoices.to_json(invoice) for invoice in found] or None


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _order(order: TdOrder, number: str) -> Json:
    lines = order.sales_order(number)
    status, code = STATUS[roll_up(lines)]
    live = [line for line in lines if line.code != "deleted"]
    return {
        "orderNumber": number,
        "invoiceNumber": None,
        "purchaseOrderNumber": order.po_number,
        "salesOrderNumber": number,
        "orderStatus": status,
        "orderStatusCode": code,
        "orderPlacedDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(order.created_at)),
        "total": _money(sum((Decimal(ln.unit_price) * ln.quantity for ln in live), Decimal())),
        "tax": "0.00",  # as POStatus's fees (5.2)
        "freight": "0.00",
        "otherFees": "0.00",
        "resellerContactName": None,
        "shipTo": _ship_to(order.ship_to),
        "endUser": {},
        "lines": [_order_line(line) for line in lines],
        "uniqueID": None,
        "errorMessage": None,
    }


def _ship_to(sent: dict[str, str]) -> Json:
    """The PO's ShipTo under camelCase names (8.2 names the object, not its fields)."""
    names = {
        "AddressName1": "name",
        "AddressName2": "name2",
        "AddressLine1": "addressLine1",
        "AddressLine2": "addressLine2",
        "City": "city",
        "State": "state",
        "ZipCode": "zipCode",
        "Country": "country",
    }
    return {names[tag]: value for tag, value in sent.items() if tag in names and value}


def _order_line(line: TdLine) -> Json:
    return {
        "lineNumber": line.line_number,
        "partNumber": line.product.sku,
        "manufacturerPartNumber": line.product.mfg_pn,
        "description": line.product.description,
        "quantity": str(line.quantity),
        "shipQuantity": str(line.quantity if line.shipped_at is not None else 0),
        "unitPrice": line.unit_price,
        "orderType": line.order_type,
        "lineStatus": STATUS[line.code][0],
    }


def _shipment_line(order: TdOrder, n: int, line: TdLine) -> Json:
    status = STATUS[line.code][0]
    sub_lines = []
    if line.shipped_at is not None:
        sub_lines.append(
            {
                "displayLineNumber": f"{n}.1",
                "techDataPONumber": None,
                "vendorSalesOrderNumber": None,
                "quantity": str(line.quantity),
                "shipDate": time.strftime("%Y-%m-%d", time.gmtime(line.shipped_at)),
                "warehouse": line.warehouse.number,
                "deliveryNumber": _delivery_number(line),
                "lineStatus": status,
                "tracking": [
                    {
                        "trackingNumber": package.tracking,
                        "carrierDescription": order.ship_method_description or order.ship_method,
                    }
                    for package in line.packages
                ],
            }
        )
    return {
        "displayLineNumber": str(n),
        "lineNumber": f"{n * 10:06d}",  # SAP-style item numbers, as 8.3's guess
        "partNumber": line.product.sku,
        "manufacturerPartNumber": line.product.mfg_pn,
        "configStatus": None,
        "totalQuantity": str(line.quantity),
        "hasMultipleTrackingNumbers": len(line.packages) > 1,
        "hasMultipleCarrier": False,
        "lineStatusCode": None,
        "lineStatus": status,
        "uniqueID": None,
        "subLines": sub_lines,
    }


def _delivery_number(line: TdLine) -> str:
    """``80`` and 8 digits, fixed per line (8.3's example; the format is a guess)."""
    seed = int(line.order_number) * 1000 + zlib.crc32(line.line_number.encode())
    return f"80{mix64(seed) % 10**8:08d}"
