"""What the REST look-ups (NOTES 8.2, 8.3) ask of TD SYNNEX's orders: the seam to fill in.

Nothing found is None, and the routes in ``rest_orders.py`` answer 404 in the REST error
shape (``orders`` and ``shipment_details`` still find nothing; ``invoices`` reads the
orders). Each returns the JSON the evidence shows, built from ``TdState``:

- ``orders``: the array of order objects (8.2: ``orderNumber``, ``purchaseOrderNumber``,
  ``orderStatus``, ``orderStatusCode``, ``lines`` ...) for an order number, TD SYNNEX's sales
  order (``SO``) or the reseller's PO (``PO``); ``None`` for either when ``order_type`` is None.
- ``shipment_details``: one shipment-details object (8.3) for an order number.
- ``invoices``: the array of invoice objects (8.2) for an invoice number of type ``IV``, or the
  invoices of a PO or sales order (``PO``, ``SO``).
"""

from __future__ import annotations

from typing import Any

from disty.simulator.tdsynnex import rest_invoices
from disty.simulator.tdsynnex.state import TdState

Json = dict[str, Any]


def orders(state: TdState, order_no: str, order_type: str | None) -> list[Json] | None:
    return None


def shipment_details(state: TdState, order_no: str) -> Json | None:
    return None


def invoices(state: TdState, invoice_no: str, invoice_type: str) -> list[Json] | None:
    """From the invoices the XML query answers (rest_invoices.py); None before any exists."""
    found = rest_invoices.find(state, invoice_no, invoice_type)
    return [rest_invoices.to_json(invoice) for invoice in found] or None
