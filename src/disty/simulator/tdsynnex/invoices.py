"""TD SYNNEX's invoices, derived from the orders (NOTES 7, 5.5): what the invoice query, the
invoice files and the REST invoice look-up all read, so the three agree.

A line is invoiced one step after it ships (orders.py). Its sales order's invoiced lines make
one invoice (the lines of one sales order always move together), numbered from the sales order:
``invoice_number`` adds 50,000,000, so 43061107 is invoiced as 93061107 and an invoice number
names its order without a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element

from disty.simulator.tdsynnex import b2b
from disty.simulator.tdsynnex.orders import Package, TdLine, TdOrder
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import add

INVOICE_OFFSET = 50_000_000
PAYMENT_TERM_DAYS = 30
PAYMENT_TERM_DESC = "NET 30"
DAY_S = 86_400.0
# Summary's fees, all 0.00 (7.1's list, then the SDK's additions).
FEES = ("SalesTax", "Freight", "MinOrderFee", "ProcessingFee", "BoxCharge", "RecyclingFee",
        "AllowanceOrCharge", "ExpenseTotal", "Rebate")  # fmt: skip


@dataclass(frozen=True)
class TdInvoice:
    number: str
    order: TdOrder
    order_number: str  # the sales order invoiced
    lines: list[TdLine]

    @property
    def invoiced_at(self) -> float:
        return max(line.invoiced_at or 0.0 for line in self.lines)

    @property
    def shipped_at(self) -> float:
        return min(line.shipped_at or 0.0 for line in self.lines)

    @property
    def due_at(self) -> float:
        return self.invoiced_at + PAYMENT_TERM_DAYS * DAY_S

    @property
    def packages(self) -> list[Package]:
        return [p for line in self.lines for p in line.packages]

    @property
    def total(self) -> Decimal:
        """Goods only: every fee, tax and freight is 0.00 here, as in POStatus."""
        return sum((Decimal(line.unit_price) * line.quantity for line in self.lines), Decimal(0))

    @property
    def weight_lb(self) -> Decimal:
        return sum((Decimal(p.weight_lb) for p in self.packages), Decimal(0))


def invoice_number(order_number: str) -> str:
    return str(int(order_number) + INVOICE_OFFSET)


def order_number_of(invoice_no: str) -> str | None:
    if not invoice_no.isascii() or not invoice_no.isdigit() or int(invoice_no) < INVOICE_OFFSET:
        return None
    return str(int(invoice_no) - INVOICE_OFFSET)


def of_order(state: TdState, order: TdOrder) -> list[TdInvoice]:
    """The order's invoices, caught up with the clock, in sales order number order."""
    state.settled(order)
    by_so: dict[str, list[TdLine]] = {}
    for line in order.lines:
        if line.code == "invoiced":
            by_so.setdefault(line.order_number, []).append(line)
    return [TdInvoice(invoice_number(so), order, so, lines) for so, lines in sorted(by_so.items())]


def by_number(state: TdState, invoice_no: str) -> TdInvoice | None:
    so = order_number_of(invoice_no)
    order = state.orders.by_number(so) if so is not None else None
    if order is None:
        return None
    return next((i for i in of_order(state, order) if i.number == invoice_no), None)


def every(state: TdState) -> list[TdInvoice]:
    return [invoice for order in state.orders.orders for invoice in of_order(state, order)]


def amount(value: Decimal) -> str:
    """Summary amounts with thousands separators ("1,234.56"): the SDK strips the commas
    before parsing (7.1), so the live feed sends them."""
    return f"{value:,.2f}"


def element(parent: Element, invoice: TdInvoice, *, joined_tracking: bool) -> Element:
    """One ``Invoice`` (7.1, 7.2). ``joined_tracking``: one ``TrackNumber`` with the numbers
    comma-joined, as the query answers (VC-INV splits on ","); else one element per package,
    as the files (the SFTP reader takes an array)."""
    order = invoice.order
    out = add(parent, "Invoice")
    add(out, "CustomerPONumber", order.po_number)
    add(out, "InvoiceDate", b2b.day(invoice.invoiced_at))
    add(out, "InvoiceNumber", invoice.number)
    add(out, "OrderType", invoice.lines[0].order_type)
    ship_to = add(out, "ShipTo")
    for tag, value in order.ship_to.items():
        add(ship_to, tag, value)
    add(out, "BillTo").set("code", order.customer)  # as the PO's Payment/BillTo names it
    add(out, "Discount", "0.00")
    add(out, "DiscountDays", 0)
    add(out, "PaymentTermDays", PAYMENT_TERM_DAYS)
    add(out, "PaymentTermDesc", PAYMENT_TERM_DESC)
    add(out, "ShipMethodCode", order.ship_method)
    add(out, "ShipDate", b2b.day(invoice.shipped_at))
    add(out, "InternalReferenceNumber", invoice.order_number)
    tracking = add(out, "Tracking")
    numbers = [p.tracking for p in invoice.packages]
    for number in [",".join(numbers)] if joined_tracking else numbers:
        add(tracking, "TrackNumber", number)
    items = add(out, "Items")
    for line in invoice.lines:
        item = add(items, "Item")
        add(item, "ManuafacturerPartNumber", line.product.mfg_pn)  # [sic], as the live feed
        add(item, "SKU", line.product.sku)
        add(item, "UnitPrice", f"{Decimal(line.unit_price):.2f}")
        add(item, "ShipQuantity", line.quantity)
        add(item, "ProductDescription", line.product.description)
        for package in line.packages:
            for serial in package.serials:
                add(item, "SerialNo", f"SN:{serial}")  # the prefix VC strips (7.1)
    summary = add(out, "Summary")
    add(summary, "TotalInvoiceAmount", amount(invoice.total))
    for name in FEES:
        add(summary, name, amount(Decimal(0)))
    add(summary, "TotalWeight", f"{invoice.weight_lb:.2f}")
    add(summary, "BoxCount", len(invoice.packages))
    add(summary, "Shipping", amount(Decimal(0)))
    return out
