"""The REST invoice objects (NOTES 8.2's field list), from the same invoices as the XML query
and files (invoices.py), so the two APIs agree on numbers, dates, lines and amounts.

Amounts and quantities are strings with two decimals and no thousands separators (8.3 shows
string quantities; the XML feed's "1,234.56" is its own quirk). What the simulator does not know
(the reseller's name and contact, the end user's PO) is null; nothing is ever paid, so the
balance is the total and the status ``Open``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from disty.simulator.tdsynnex import b2b, invoices
from disty.simulator.tdsynnex.invoices import PAYMENT_TERM_DESC, TdInvoice
from disty.simulator.tdsynnex.state import TdState

Json = dict[str, Any]
CURRENCIES = {"US": "USD", "CA": "CAD"}
ZERO = "0.00"


def find(state: TdState, number: str, invoice_type: str) -> list[TdInvoice]:
    """``IV``: the invoice; ``PO``: every invoice of the reseller's PO; ``SO``: of a sales order."""
    if invoice_type == "IV":
        one = invoices.by_number(state, number)
        return [one] if one is not None else []
    if invoice_type == "PO":
        wanted = number.upper()  # PO numbers compare as POStatus compares them
        orders = [o for o in state.orders.orders if o.po_number.upper() == wanted]
        return [i for o in orders for i in invoices.of_order(state, o)]
    order = state.orders.by_number(number)
    every = invoices.of_order(state, order) if order is not None else []
    return [i for i in every if i.order_number == number]


def to_json(invoice: TdInvoice) -> Json:
    order = invoice.order
    total = f"{invoice.total:.2f}"
    return {
        "shipComplete": False,
        "currency": CURRENCIES[order.country],
        "paymentTerms": PAYMENT_TERM_DESC,
        "status": "Open",
        "shipDate": b2b.day(invoice.shipped_at),
        "netFreight": ZERO,
        "netInvoiceDollars": total,
        "taxInDocumentCurrency": ZERO,
        "handlingCharge": ZERO,
        "stateFee": ZERO,
        "plantDescription": invoice.lines[0].warehouse.city,
        "actualFreight": ZERO,
        "salesOrderNumber": invoice.order_number,
        "purchaseOrderNumber": order.po_number,
        "invoiceNumber": invoice.number,
        "invoiceDate": b2b.day(invoice.invoiced_at),
        "invoiceDueDate": b2b.day(invoice.due_at),
        "totalInvoiceAmount": total,
        "invoiceBalance": total,
        "customerName": None,
        "customerNumber": order.customer,
        "contactName": None,
        "endUserPO": None,
        "floorplan": False,
        "blindPackaging": False,
        "soldToAddress": {"customerNumber": order.customer},
        "vendorShipTracking": {
            "carrier": order.ship_method_description or order.ship_method,
            "trackingNumbers": [p.tracking for p in invoice.packages],
        },
        "lines": [
            {
                "lineNumber": line.line_number,
                "partNumber": line.product.sku,
                "manufacturerPartNumber": line.product.mfg_pn,
                "description": line.product.description,
                "quantity": str(line.quantity),
                "unitPrice": f"{Decimal(line.unit_price):.2f}",
                "extendedPrice": f"{Decimal(line.unit_price) * line.quantity:.2f}",
                "serialNumbers": [s for p in line.packages for s in p.serials],
            }
            for line in invoice.lines
        ],
        "handlingUnits": [
            {"trackingNumber": p.tracking, "weight": p.weight_lb, "quantity": str(p.quantity)}
            for p in invoice.packages
        ],
    }
