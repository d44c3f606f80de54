"""Reading the webhook inbox: an event's statuses, a tenant's events as a filter narrows them,
one event by its id, and an event as JSON.

Apart from processing.py (what an event changes, which brings the ordering use cases and the
supplier plumbing): ``disty events list`` imports this alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from disty.db.models import InboundEvent
from disty.domain.countries import country_site
from disty.errors import InvalidInput, NotFound
from disty.services import keyset
from disty.services.tenants import get_tenant


class EventStatus(StrEnum):
    RECEIVED = "received"  # in the inbox, not processed yet
    PROCESSED = "processed"
    FAILED = "failed"  # failed at least once; retried with backoff
    DEAD = "dead"  # failed every allowed try; waits for a person to replay it


@dataclass(frozen=True, slots=True)
class EventFilter:
    shortcut: str
    country_id: int | None = None
    status: str | None = None
    limit: int = 100
    received_from: datetime | None = None  # inclusive
    received_to: datetime | None = None  # exclusive
    q: str | None = None  # the start of an event id


def events_query(session: AsyncSession, tenant_id: int, f: EventFilter) -> Select[Any]:
    """A tenant's accepted events as ``f`` narrows them, without their bodies and headers
    (a list never shows them, and a body may be megabytes); no order, no limit."""
    query = (
        select(InboundEvent)
        .where(InboundEvent.tenant_id == tenant_id)
        .options(defer(InboundEvent.body), defer(InboundEvent.headers))
    )
    if f.country_id is not None:
        query = query.where(InboundEvent.country_id == country_site(f.country_id).id)
    if f.status is not None:
        try:
            status = EventStatus(f.status)
        except ValueError:
            raise InvalidInput(
                f"unknown status {f.status!r}: use {', '.join(s.value for s in EventStatus)}",
                field="status",
            ) from None
        query = query.where(InboundEvent.status == status.value)
    if f.received_from is not None:
        query = query.where(InboundEvent.received_at >= f.received_from)
    if f.received_to is not None:
        query = query.where(InboundEvent.received_at < f.received_to)
    if f.q:
        query = query.where(keyset.prefix(session, InboundEvent.event_id, f.q))
    return query


async def list_events(session: AsyncSession, f: EventFilter) -> list[InboundEvent]:
    """Accepted events of a tenant, newest first."""
    tenant = await get_tenant(session, f.shortcut)
    query = events_query(session, tenant.id, f)
    query = query.order_by(InboundEvent.received_at.desc(), InboundEvent.id.desc())
    return list(await session.scalars(query.limit(f.limit)))


async def find_event(
    session: AsyncSession, *, shortcut: str, event_id: str, country_id: int | None = None
) -> InboundEvent:
    tenant = await get_tenant(session, shortcut)
    query = select(InboundEvent).where(
        InboundEvent.tenant_id == tenant.id, InboundEvent.event_id == event_id
    )
    if country_id is not None:
        query = query.where(InboundEvent.country_id == country_site(country_id).id)
    found = list(await session.scalars(query))
    if not found:
        raise NotFound(
            f"no event {event_id!r} for tenant {shortcut!r}: list them with 'disty events list'"
        )
    if len(found) > 1:
        raise InvalidInput(
            f"event {event_id!r} came for several countries: name one with --country"
        )
    return found[0]


def to_json(event: InboundEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "supplier": event.supplier,
        "country_id": event.country_id,
        "event_type": event.event_type,
        "status": event.status,
        "event_time": event.event_time.isoformat() if event.event_time else None,
        "received_at": event.received_at.isoformat(),
        "processed_at": event.processed_at.isoformat() if event.processed_at else None,
        "attempts": event.attempts,
        "error": event.error,
        "outcome": event.outcome,
        "unmatched": event.unmatched,
    }
