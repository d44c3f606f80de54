"""The webhook log as a list: a tenant's accepted events, newest first, in keyset pages
(services/keyset.py) and as the rows of a CSV export read in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.db.models import InboundEvent
from disty.services import keyset
from disty.services.keyset import Cursor
from disty.services.po_list import Page
from disty.services.tenants import get_tenant
from disty.services.webhooks.event_lookup import EventFilter, events_query


async def _after(
    session: AsyncSession,
    tenant_id: int,
    f: EventFilter,
    after: Cursor | None,
    limit: int,
    offset: int = 0,
) -> list[InboundEvent]:
    e = InboundEvent
    query = events_query(session, tenant_id, f)
    query = query.where(keyset.after(e.received_at, e.id, after, newest_first=True))
    query = query.order_by(*keyset.order(e.received_at, e.id, newest_first=True))
    return list(await session.scalars(query.offset(offset).limit(limit)))


async def events(
    session: AsyncSession, f: EventFilter, *, after: str | None = None, offset: int = 0
) -> Page:
    """``f.limit`` events after the cursor (or, for older API clients, ``offset`` rows)."""
    tenant = await get_tenant(session, f.shortcut)
    found = await _after(session, tenant.id, f, keyset.cursor(after), f.limit + 1, offset)
    following = None
    if len(found) > f.limit:
        last = found[f.limit - 1]
        following = Cursor(last.received_at, last.id).encode()
    return Page(found[: f.limit], following)


async def export(
    sessions: async_sessionmaker[AsyncSession], f: EventFilter
) -> AsyncIterator[InboundEvent]:
    """Every matching event, newest first, ``EXPORT_BATCH`` at a time (a session each)."""
    async with sessions() as session:
        tenant_id = (await get_tenant(session, f.shortcut)).id
    found = keyset.walk(
        sessions,
        lambda session, after, limit: _after(session, tenant_id, f, after, limit),
        lambda event: Cursor(event.received_at, event.id),
    )
    async for event in found:
        yield event
