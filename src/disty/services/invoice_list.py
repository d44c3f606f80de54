"""A tenant's invoices across all its POs: the invoice numbers its suppliers reported on the
POs (webhooks and refreshes record them), newest PO first, in keyset pages and as CSV rows.

The list is disty's own record, so it is fast and tenant-wide; an invoice's amounts and lines
live at the distributor and are read when one invoice is opened. Search (``q``) finds the
start of an invoice number or of a PO number, case as typed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.db.models import POInvoice, PurchaseOrder
from disty.services import keyset
from disty.services.keyset import Cursor
from disty.services.po_list import SEARCH_MAX, Page
from disty.services.tenants import get_tenant


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    supplier: str | None = None
    po_from: date | None = None  # the PO's creation, inclusive UTC days
    po_to: date | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    invoice_number: str
    supplier_order_number: str | None
    po_number: str
    supplier: str
    country_id: int
    po_status: str
    po_created_at: datetime


def _query(session: AsyncSession, tenant_id: int, f: InvoiceFilter) -> Select[*tuple[Any, ...]]:
    po, inv = PurchaseOrder, POInvoice
    columns = (
        inv.id, inv.invoice_number, inv.supplier_order_number, po.po_number, po.supplier,
        po.country_id, po.status, po.created_at,
    )  # fmt: skip
    query: Select[*tuple[Any, ...]] = select(*columns).join(po, po.id == inv.po_id)
    query = query.where(po.tenant_id == tenant_id)
    if f.supplier:
        query = query.where(po.supplier == f.supplier)
    if f.po_from:
        query = query.where(po.created_at >= keyset.day_start(f.po_from))
    if f.po_to:
        query = query.where(po.created_at < keyset.day_end(f.po_to))
    q = (f.q or "").strip()[:SEARCH_MAX]
    if q:
        ids = union(
            select(inv.id).where(keyset.prefix(session, inv.invoice_number, q)),
            select(inv.id)
            .join(po, po.id == inv.po_id)
            .where(po.tenant_id == tenant_id, keyset.prefix(session, po.po_number, q)),
        )
        query = query.where(inv.id.in_(ids))
    return query


async def _rows(
    session: AsyncSession, tenant_id: int, f: InvoiceFilter, after: Cursor | None, limit: int
) -> list[tuple[int, InvoiceRow]]:
    po, inv = PurchaseOrder, POInvoice
    query = _query(session, tenant_id, f)
    query = query.where(keyset.after(po.created_at, inv.id, after, newest_first=True))
    query = query.order_by(*keyset.order(po.created_at, inv.id, newest_first=True)).limit(limit)
    return [(pk, InvoiceRow(*rest)) for pk, *rest in await session.execute(query)]


async def rows(
    session: AsyncSession,
    *,
    shortcut: str,
    f: InvoiceFilter,
    after: str | None = None,
    limit: int = keyset.PAGE_SIZE,
) -> Page:
    tenant = await get_tenant(session, shortcut)
    found = await _rows(session, tenant.id, f, keyset.cursor(after), limit + 1)
    following = None
    if len(found) > limit:
        pk, last = found[limit - 1]
        following = Cursor(last.po_created_at, pk).encode()
    return Page([row for _, row in found[:limit]], following)


async def export(
    sessions: async_sessionmaker[AsyncSession], *, shortcut: str, f: InvoiceFilter
) -> AsyncIterator[InvoiceRow]:
    async with sessions() as session:
        tenant_id = (await get_tenant(session, shortcut)).id
    found = keyset.walk(
        sessions,
        lambda session, after, limit: _rows(session, tenant_id, f, after, limit),
        lambda found: Cursor(found[1].po_created_at, found[0]),
    )
    async for _, row in found:
        yield row
