"""Quotes: search and read a supplier's quotes, and turn one into a PO.

A quote becomes a PO only after the supplier validated it (its refusal is passed on with its
reason) and only through the supplier's order API that orders quotes (its registration's
``quote_order_api``): the PO is then an ordinary PO of disty's outbox, its lines the quote's
products at the quote's prices.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import PurchaseOrder
from disty.domain.orders import Address, validate_po_number
from disty.domain.paging import SupplierPage
from disty.domain.po_status import POStatus
from disty.domain.quotes import Quote, QuoteSummary
from disty.errors import InvalidInput
from disty.services import ordering
from disty.services.ordering import Context, LineInput
from disty.services.suppliers import offered
from disty.services.tenants import get_tenant
from disty.suppliers.base import Capability


async def search(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    quote_number: str | None = None,
    status: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> SupplierPage[QuoteSummary]:
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.QUOTES, what="quotes",
    )  # fmt: skip
    return await offered(adapter.quotes, adapter, "quotes").search_quotes(
        quote_number=quote_number, status=status, page=page, page_size=page_size
    )


async def details(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    quote_number: str,
) -> Quote:
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.QUOTES, what="quotes",
    )  # fmt: skip
    return await offered(adapter.quotes, adapter, "quotes").quote_details(quote_number)


async def quote_to_po(
    session: AsyncSession,
    ctx: Context,
    shortcut: str,
    country_id: int,
    supplier: str,
    quote_number: str,
    po_number: str,
    ship_to: Address,
    *,
    notes: str | None = None,
    hold: bool = False,
) -> PurchaseOrder:
    """Read and validate the quote, then submit it as a PO at its prices (``hold``: on
    the distributor's customer hold, for review before it ships).

    An existing PO number answers that PO and places nothing (as ``ordering.submit`` does),
    so a client's retry is safe even without an Idempotency-Key; the same PO number for
    another quote or for an ordinary PO is refused.
    """
    po_number = validate_po_number(po_number)
    quote_number = quote_number.strip()
    if not quote_number:
        raise InvalidInput("a quote number is needed", field="quote_number")
    tenant = await get_tenant(session, shortcut)
    existing = await session.scalar(
        select(PurchaseOrder).where(
            PurchaseOrder.tenant_id == tenant.id,
            PurchaseOrder.supplier == supplier,
            PurchaseOrder.po_number == po_number,
        )
    )
    # A failed PO (refused, nothing placed) goes on to be sent again, as ordering.submit does.
    if existing is not None and existing.status != POStatus.FAILED.value:
        if existing.quote_number != quote_number:
            was = f"for quote {existing.quote_number}" if existing.quote_number else "not a quote's"
            raise InvalidInput(
                f"PO {po_number} already exists ({was}): use a new PO number", field="po_number"
            )
        return existing
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.QUOTE_TO_ORDER, what="ordering of quotes",
    )  # fmt: skip
    quotes = offered(adapter.quotes, adapter, "ordering of quotes")
    # The details first: a quote this account does not have is a plain "not found" (404).
    quote = await quotes.quote_details(quote_number)
    check = await quotes.validate_quote(quote_number)
    if not check.valid:
        raise InvalidInput(
            f"{adapter.name} will not order quote {quote_number}: {check.reason}. Check the "
            "quote's number and status (GET /api/v1/quotes/{quote_number})",
            field="quote_number",
        )
    blocked = await quotes.quote_orders_blocked()
    if blocked is not None:
        raise InvalidInput(f"quote {quote_number} cannot be ordered: {blocked}")
    # The quote's lines with their agreed prices, so the PO shows what it will cost; the
    # supplier prices a quote's order from the quote itself.
    lines = [
        LineInput(line.sku, line.quantity, line.price)
        for line in quote.lines
        if line.sku and line.quantity > 0
    ]
    return await ordering.submit(
        session, ctx, shortcut=shortcut, country_id=country_id, supplier=supplier,
        po_number=po_number, lines=lines, ship_to=ship_to, notes=notes,
        quote_number=quote_number, hold=hold,
    )  # fmt: skip
