"""Invoices a distributor issued for the reseller's orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class InvoiceSummary:
    """One row of an invoice search."""

    invoice_number: str
    status: str | None
    invoice_date: str | None
    due_date: str | None
    po_number: str | None  # the reseller's customerOrderNumber
    order_number: str | None  # the supplier's order (sub-order) it bills
    amount_due: Decimal | None
    total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    sku: str
    quantity: int
    unit_price: Decimal | None
    extended_price: Decimal | None
    line_number: str | None = None  # the PO's line number, when the supplier echoes it
    vendor_part_number: str | None = None
    description: str | None = None
    serial_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Invoice:
    invoice_number: str
    status: str | None
    invoice_date: str | None
    due_date: str | None
    po_number: str | None
    order_number: str | None
    currency: str | None
    lines: tuple[InvoiceLine, ...]
    net_amount: Decimal | None
    tax_amount: Decimal | None
    freight_amount: Decimal | None
    amount_due: Decimal | None
    raw: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
