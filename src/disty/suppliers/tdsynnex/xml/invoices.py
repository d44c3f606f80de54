"""TD SYNNEX's invoices over its invoice query (NOTES 7.1): ``POST /webservice/invoice/query``
on the ``ws`` host beside the account's EC Express host, a ``SynnexB2B`` with an
``InvoiceRequest`` naming one key (``PONumber`` or ``InvoiceNumber``), answered with one
``Invoice`` per invoice.

The live feed's quirks are read as VAR Connect and the SDK read them: ``ManuafacturerPartNumber``
[sic], serial numbers prefixed ``SN:``, one ``TrackNumber`` holding comma-joined numbers,
amounts with thousands separators, and errors as ``ErrorCode``/``ErrorReason`` (whose values
are unknown: any code or reason saying "not found" is taken as no invoice).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from disty.domain.invoices import Invoice, InvoiceLine, InvoiceSummary
from disty.domain.paging import SupplierPage
from disty.suppliers.errors import NotFound, RequestRejected
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient, raise_for_error
from disty.suppliers.tdsynnex.xml.values import to_decimal, to_int
from disty.suppliers.xml import child, children, text

VERSION = "2.2"  # as VAR Connect sends it (NOTES 2.6)
INVOICE_ERROR_TAGS = ("ErrorCode", "ErrorReason")
_KEYS = ("PONumber", "InvoiceNumber")


def invoice_base_url(base_url: str) -> str:
    """The invoice query's host for a connection's EC Express base URL: ``ec.us`` ->
    ``ws.us``, ``testec.ca`` -> ``testws.ca``; any other URL (the simulator, an operator's
    proxy) serves it itself."""
    url = base_url.rstrip("/")
    return consts.INVOICE_HOSTS.get(url, url)


class _NoInvoice(Exception):
    """TD SYNNEX holds no invoice for the key asked."""


async def query(client: TdSynnexClient, key: str, value: str) -> list[Element]:
    """The ``Invoice`` elements for ``key`` (``PONumber`` or ``InvoiceNumber``) = ``value``;
    empty when TD SYNNEX has none. Raises the error tree for anything else."""
    if key not in _KEYS:  # pragma: no cover - a programming error
        raise ValueError(key)
    request = Element("InvoiceRequest")
    SubElement(request, "CustomerNumber").text = client.config.customer_number
    SubElement(request, key).text = value
    root = await client.b2b(
        consts.INVOICE_PATH,
        request,
        safe=True,
        version=VERSION,
        base_url=invoice_base_url(client.config.base_url),
    )
    try:
        _raise_for_invoice_error(root, client.describe)
    except _NoInvoice:
        return []
    response = child(root, "InvoiceResponse")
    if response is None:
        raise RequestRejected(
            f"{client.describe} answered the invoice query with <{root.tag}>, not an "
            "InvoiceResponse: check the base URL"
        )
    return children(response, "Invoice")


def _raise_for_invoice_error(root: Element, describe: str) -> None:
    response = child(root, "InvoiceResponse")
    holder = response if response is not None else root
    code = text(holder, "ErrorCode") or ""
    reason = text(holder, "ErrorReason") or ""
    said = f"{code} {reason}".lower().replace(" ", "")
    if code and "notfound" in said:
        raise _NoInvoice
    raise_for_error(root, describe, INVOICE_ERROR_TAGS)


# -- reading an Invoice ------------------------------------------------------------------------


def _due_date(invoice_date: str | None, days: int | None) -> str | None:
    if invoice_date is None or days is None or not 0 <= days <= 3650:
        return None
    try:
        return (date.fromisoformat(invoice_date[:10]) + timedelta(days=days)).isoformat()
    except ValueError:
        return None


def _po_number(invoice: Element, header: str | None) -> str | None:
    return text(invoice, "CustomerPONumber") or header


def tracking_numbers(invoice: Element) -> tuple[str, ...]:
    """Every ``TrackNumber``, each split on commas: one element with the numbers joined (the
    query) or one element per package (the files), NOTES 7.1."""
    tracking = child(invoice, "Tracking")
    if tracking is None:
        return ()
    numbers = [
        part.strip()
        for element in children(tracking, "TrackNumber")
        for part in (element.text or "").split(",")
    ]
    return tuple(n for n in numbers if n)


def _serials(item: Element) -> tuple[str, ...]:
    serials = []
    for element in children(item, "SerialNo"):
        value = (element.text or "").strip()
        if value[:3].upper() == "SN:":
            value = value[3:].strip()
        if value:
            serials.append(value)
    return tuple(serials)


def _line(item: Element) -> InvoiceLine:
    quantity = to_int(text(item, "ShipQuantity")) or 0
    unit_price = to_decimal(text(item, "UnitPrice"))
    return InvoiceLine(
        sku=text(item, "SKU") or "",
        quantity=quantity,
        unit_price=unit_price,
        extended_price=unit_price * quantity if unit_price is not None else None,
        # [sic] in the live feed; the correct spelling is read too, should TD SYNNEX fix it.
        vendor_part_number=text(item, "ManuafacturerPartNumber")
        or text(item, "ManufacturerPartNumber"),
        description=text(item, "ProductDescription"),
        serial_numbers=_serials(item),
    )


def _summary_amount(invoice: Element, name: str) -> Decimal | None:
    summary = child(invoice, "Summary")
    return to_decimal(text(summary, name)) if summary is not None else None


def summary(invoice: Element, header_po: str | None = None) -> InvoiceSummary:
    """TD SYNNEX's query says nothing of payments: the amount due is the invoice's total."""
    invoice_date = text(invoice, "InvoiceDate")
    total = _summary_amount(invoice, "TotalInvoiceAmount")
    return InvoiceSummary(
        invoice_number=text(invoice, "InvoiceNumber") or "",
        status=None,
        invoice_date=invoice_date,
        due_date=_due_date(invoice_date, to_int(text(invoice, "PaymentTermDays"))),
        po_number=_po_number(invoice, header_po),
        order_number=text(invoice, "InternalReferenceNumber"),  # the sales order it bills
        amount_due=total,
        total=total,
    )


def details(invoice: Element, currency: str | None, header_po: str | None = None) -> Invoice:
    head = summary(invoice, header_po)
    lines = tuple(_line(item) for item in _items(invoice))
    extended = [line.extended_price for line in lines]
    net = sum((e for e in extended if e is not None), Decimal(0)) if lines else None
    return Invoice(
        invoice_number=head.invoice_number,
        status=None,
        invoice_date=head.invoice_date,
        due_date=head.due_date,
        po_number=head.po_number,
        order_number=head.order_number,
        currency=currency,
        lines=lines,
        net_amount=net if None not in extended else None,
        tax_amount=_summary_amount(invoice, "SalesTax"),
        freight_amount=_summary_amount(invoice, "Freight"),
        amount_due=head.amount_due,
        raw={
            "tracking_numbers": list(tracking_numbers(invoice)),
            "ship_date": text(invoice, "ShipDate"),
            "ship_method_code": text(invoice, "ShipMethodCode"),
            "payment_terms": text(invoice, "PaymentTermDesc"),
            "order_type": text(invoice, "OrderType"),
        },
    )


def _items(invoice: Element) -> list[Element]:
    items = child(invoice, "Items")
    return children(items, "Item") if items is not None else []


# -- the InvoiceApi --------------------------------------------------------------------------


class Invoices:
    """One connection's invoices, by PO number or invoice number (TD SYNNEX's query has no
    listing of every invoice, nor paging: one answer holds every invoice of the key)."""

    def __init__(self, client: TdSynnexClient) -> None:
        self.client = client
        self.currency = consts.CURRENCY.get(client.config.country)

    async def search_invoices(
        self,
        *,
        po_number: str | None = None,
        invoice_number: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[InvoiceSummary]:
        key, value = _key(po_number, invoice_number)
        found = await query(self.client, key, value)
        rows = [summary(i, po_number) for i in found]
        if invoice_number and po_number:  # both given: the invoice, if it bills that PO
            rows = [r for r in rows if (r.po_number or "").upper() == po_number.strip().upper()]
        start = (max(page, 1) - 1) * page_size
        return SupplierPage(rows[start : start + page_size], len(rows), page, page_size)

    async def invoice_details(self, invoice_number: str) -> Invoice:
        number = invoice_number.strip()
        if not number:
            raise RequestRejected("give the TD SYNNEX invoice number")
        for invoice in await query(self.client, "InvoiceNumber", number):
            if text(invoice, "InvoiceNumber") == number:
                return details(invoice, self.currency)
        raise NotFound(f"{consts.NAME} has no invoice {number} for this account")


def _key(po_number: str | None, invoice_number: str | None) -> tuple[str, str]:
    if invoice_number and invoice_number.strip():
        return "InvoiceNumber", invoice_number.strip()
    if po_number and po_number.strip():
        return "PONumber", po_number.strip()
    raise RequestRejected(
        f"{consts.NAME} finds invoices by PO number or invoice number only: give one of them"
    )


async def invoice_numbers_by_order(client: TdSynnexClient, po_number: str) -> dict[str, list[str]]:
    """The invoice numbers of a PO, by TD SYNNEX sales order (``InternalReferenceNumber``), for
    order states built from POStatus; empty when nothing of the PO is invoiced yet."""
    by_order: dict[str, list[str]] = {}
    for invoice in await query(client, "PONumber", po_number):
        order = text(invoice, "InternalReferenceNumber")
        number = text(invoice, "InvoiceNumber")
        if order and number and number not in by_order.setdefault(order, []):
            by_order[order].append(number)
    return by_order
