"""Invoices: a PO's invoices (the numbers its supplier orders reported), one invoice by
number, and the supplier's invoice search; always through the tenant's own connection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.domain.invoices import Invoice, InvoiceSummary
from disty.domain.paging import SupplierPage
from disty.services import ordering
from disty.services.ordering import Context
from disty.services.suppliers import offered
from disty.suppliers.base import Capability


async def search(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    po_number: str | None = None,
    invoice_number: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> SupplierPage[InvoiceSummary]:
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.INVOICES, what="invoices",
    )  # fmt: skip
    return await offered(adapter.invoices, adapter, "invoices").search_invoices(
        po_number=po_number, invoice_number=invoice_number, page=page, page_size=page_size
    )


async def details(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    invoice_number: str,
) -> Invoice:
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.INVOICES, what="invoices",
    )  # fmt: skip
    return await offered(adapter.invoices, adapter, "invoices").invoice_details(invoice_number)


async def for_po(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    po_number: str,
    supplier: str | None = None,
    country_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Invoice], int]:
    """The details of the PO's invoices ``[offset:offset+limit]``, and how many it has.

    The numbers are those recorded on the PO (webhooks and refreshes add them), so another
    tenant's PO is simply not found. Refresh the PO first to pick up new invoices.
    """
    po = await ordering.find_po(
        session, shortcut=shortcut, po_number=po_number, supplier=supplier, country_id=country_id
    )
    numbers = [i.invoice_number for i in po.invoices]
    window = numbers[offset : offset + limit]
    if not window:
        return [], len(numbers)
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=po.country_id, supplier=po.supplier,
        need=Capability.INVOICES, what="invoices",
    )  # fmt: skip
    invoices = offered(adapter.invoices, adapter, "invoices")
    return [await invoices.invoice_details(n) for n in window], len(numbers)
