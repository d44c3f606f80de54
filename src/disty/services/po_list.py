"""A tenant's POs as a list: filters, search, keyset pages (services/keyset.py) and the rows of
a CSV export, read in batches so that exporting 100,000 POs holds one batch in memory.

Search (``q``) finds POs whose PO number, supplier order number (as the PO's lines record it)
or a line's SKU starts with the text, case as typed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.db.models import POLine, PurchaseOrder
from disty.domain.countries import country_site
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput
from disty.services import keyset
from disty.services.keyset import Cursor
from disty.services.tenants import get_tenant

SEARCH_MAX = 40


@dataclass(frozen=True, slots=True)
class POFilter:
    status: str | None = None
    supplier: str | None = None
    country_id: int | None = None
    created_from: date | None = None  # inclusive, UTC days
    created_to: date | None = None  # inclusive
    q: str | None = None

    def checked(self) -> POFilter:
        """The filter with its search trimmed; an unknown status is refused, naming the
        valid ones."""
        if self.status is not None and self.status not in {s.value for s in POStatus}:
            raise InvalidInput(
                f"there is no PO status {self.status!r}: use "
                + ", ".join(s.value for s in POStatus),
                field="status",
            )
        q = (self.q or "").strip()[:SEARCH_MAX] or None
        return POFilter(
            self.status, self.supplier or None, self.country_id, self.created_from,
            self.created_to, q,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PORow:
    """One PO as a list or a CSV row shows it."""

    po_number: str
    supplier: str
    country_id: int
    status: str
    supplier_order_numbers: list[str]
    quote_number: str | None
    lines: int
    total: Decimal | None  # at the prices known; None when no line is priced
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    next: str | None  # the cursor of the next page, None on the last


def total_of(
    lines: Iterable[tuple[int, Decimal | None, Decimal | None, str | None]],
) -> Decimal | None:
    """What a PO's lines cost at the prices known, from (quantity, current price, expected
    price, rejected reason): the supplier's price, else the expected one; removed (quantity 0)
    and rejected lines cost nothing. None when no line has a price."""
    total, priced = Decimal(0), False
    for quantity, current, expected, rejected in lines:
        price = current if current is not None else expected
        if quantity == 0 or rejected or price is None:
            continue
        total += Decimal(price) * quantity
        priced = True
    return total.quantize(Decimal("0.01")) if priced else None


def _matching(session: AsyncSession, tenant_id: int, f: POFilter) -> Select[*tuple[Any, ...]]:
    po = PurchaseOrder
    query = select(po).where(po.tenant_id == tenant_id)
    if f.status:
        query = query.where(po.status == f.status)
    if f.supplier:
        query = query.where(po.supplier == f.supplier)
    if f.country_id is not None:
        query = query.where(po.country_id == country_site(f.country_id).id)
    if f.created_from:
        query = query.where(po.created_at >= keyset.day_start(f.created_from))
    if f.created_to:
        query = query.where(po.created_at < keyset.day_end(f.created_to))
    if f.q:
        ids = union(
            select(po.id).where(
                po.tenant_id == tenant_id, keyset.prefix(session, po.po_number, f.q)
            ),
            select(POLine.po_id).where(keyset.prefix(session, POLine.sku, f.q)),
            select(POLine.po_id).where(keyset.prefix(session, POLine.supplier_order_number, f.q)),
        )
        query = query.where(po.id.in_(ids))
    return query


def _window(
    query: Select[*tuple[Any, ...]],
    after: Cursor | None,
    limit: int,
    *,
    newest_first: bool,
    offset: int = 0,
) -> Select[*tuple[Any, ...]]:
    po = PurchaseOrder
    query = query.where(keyset.after(po.created_at, po.id, after, newest_first=newest_first))
    query = query.order_by(*keyset.order(po.created_at, po.id, newest_first=newest_first))
    return query.offset(offset).limit(limit)


async def pos(
    session: AsyncSession,
    *,
    shortcut: str,
    f: POFilter,
    after: str | None = None,
    limit: int = keyset.PAGE_SIZE,
    newest_first: bool = True,
    offset: int = 0,
) -> Page:
    """The POs themselves (the API's answer, every part loaded): ``limit`` after the cursor
    (or, for older clients, after ``offset`` rows)."""
    tenant = await get_tenant(session, shortcut)
    f = f.checked()
    query = _window(
        _matching(session, tenant.id, f), keyset.cursor(after), limit + 1,
        newest_first=newest_first, offset=offset,
    )  # fmt: skip
    found = list(await session.scalars(query))
    return Page(found[:limit], _next(found, limit))


def _next(found: list[Any], limit: int) -> str | None:
    if len(found) <= limit:
        return None
    last = found[limit - 1]
    return Cursor(last.created_at, last.id).encode()


async def rows(
    session: AsyncSession,
    *,
    shortcut: str,
    f: POFilter,
    after: str | None = None,
    limit: int = keyset.PAGE_SIZE,
) -> Page:
    """One page of the console's list, newest first: the PO's own columns and its lines'
    count and total, without loading timelines, shipments or invoices."""
    tenant = await get_tenant(session, shortcut)
    f = f.checked()
    found = await _rows(session, tenant.id, f, keyset.cursor(after), limit + 1)
    return Page([row for _, row in found[:limit]], _next_row(found, limit))


def _next_row(found: list[tuple[int, PORow]], limit: int) -> str | None:
    if len(found) <= limit:
        return None
    pk, row = found[limit - 1]
    return Cursor(row.created_at, pk).encode()


async def _rows(
    session: AsyncSession, tenant_id: int, f: POFilter, after: Cursor | None, limit: int
) -> list[tuple[int, PORow]]:
    po = PurchaseOrder
    columns = (
        po.id, po.po_number, po.supplier, po.country_id, po.status, po.supplier_order_numbers,
        po.quote_number, po.created_at, po.updated_at,
    )  # fmt: skip
    query: Select[*tuple[Any, ...]] = _matching(session, tenant_id, f).with_only_columns(*columns)
    query = _window(query, after, limit, newest_first=True)
    found = list(await session.execute(query))
    lines: dict[int, list[tuple[int, Decimal | None, Decimal | None, str | None]]] = {}
    if found:
        read = select(
            POLine.po_id, POLine.quantity, POLine.current_price, POLine.expected_price,
            POLine.rejected_reason,
        ).where(POLine.po_id.in_([r.id for r in found]))  # fmt: skip
        for pk, *line in await session.execute(read):
            lines.setdefault(pk, []).append(tuple(line))  # type: ignore[arg-type]
    return [
        (
            r.id,
            PORow(
                r.po_number,
                r.supplier,
                r.country_id,
                r.status,
                list(r.supplier_order_numbers or []),
                r.quote_number,
                len(lines.get(r.id, [])),
                total_of(lines.get(r.id, [])),
                r.created_at,
                r.updated_at,
            ),
        )
        for r in found
    ]


async def export(
    sessions: async_sessionmaker[AsyncSession], *, shortcut: str, f: POFilter
) -> AsyncIterator[PORow]:
    """Every matching PO, newest first, read ``EXPORT_BATCH`` at a time, each batch in a
    session of its own (a slow download holds no connection between batches)."""
    async with sessions() as session:
        tenant_id = (await get_tenant(session, shortcut)).id
    f = f.checked()
    found = keyset.walk(
        sessions,
        lambda session, after, limit: _rows(session, tenant_id, f, after, limit),
        lambda found: Cursor(found[1].created_at, found[0]),
    )
    async for _, row in found:
        yield row
