"""The webhook inbox, receiving side: whom a delivery is for, what is kept, what is refused.

An accepted delivery is committed here before the receiver answers 200; a redelivery of a known
event id is answered 200 and stored nowhere new, unless its body differs, in which case it is
kept for audit (``ConflictingDelivery``) and never applied. A refused delivery stores nothing
but a count per connection and reason.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from disty.crypto import SecretBox
from disty.db.base import utcnow
from disty.db.models import (
    ConflictingDelivery,
    InboundEvent,
    RejectedDeliveries,
    SupplierConnection,
    Tenant,
)
from disty.domain.countries import SITES
from disty.services.connections import verification_keys
from disty.suppliers.ingram.webhooks import SIGNATURE_HEADER, Envelope

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # a stock event of 4,000 SKUs is about 2 MiB


class Rejection(StrEnum):
    MISSING_SIGNATURE = "missing_signature"
    BAD_SIGNATURE = "bad_signature"
    NO_EVENT_ID = "no_event_id"
    NO_KEY = "no_key_configured"
    MALFORMED = "malformed_json"
    TOO_LARGE = "too_large"


@dataclass(frozen=True, slots=True)
class Destination:
    """A connection as the receiver needs it: who it is and the keys that verify deliveries."""

    connection_id: int
    tenant_id: int
    supplier: str
    country_id: int
    keys: tuple[str, ...]


class DestinationCache:
    """Destinations for a few seconds, so a burst of deliveries costs no query each.

    A new or replaced key takes effect within ``ttl_s``; ``forget`` makes it immediate in this
    process (and is what tests use).
    """

    def __init__(self, ttl_s: float = 5.0) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, int], tuple[float, Destination | None]] = {}

    def forget(self) -> None:
        self._entries.clear()

    async def get(
        self, session: AsyncSession, box: SecretBox, shortcut: str, country_id: int
    ) -> Destination | None:
        now = time.monotonic()
        entry = self._entries.get((shortcut, country_id))
        if entry is not None and now - entry[0] < self.ttl_s:
            return entry[1]
        found = await find_destination(session, box, shortcut, country_id)
        if len(self._entries) > 10_000:  # strangers probing shortcuts cannot grow it forever
            self._entries.clear()
        self._entries[(shortcut, country_id)] = (now, found)
        return found


async def find_destination(
    session: AsyncSession, box: SecretBox, shortcut: str, country_id: int
) -> Destination | None:
    """The tenant's Ingram connection for that country, or None (the receiver answers 404)."""
    if country_id not in SITES:
        return None
    connection = await session.scalar(
        select(SupplierConnection)
        .join(Tenant, Tenant.id == SupplierConnection.tenant_id)
        .where(
            Tenant.shortcut == shortcut,
            SupplierConnection.supplier == "ingram",
            SupplierConnection.country_id == country_id,
        )
    )
    if connection is None:
        return None
    return Destination(
        connection_id=connection.id,
        tenant_id=connection.tenant_id,
        supplier=connection.supplier,
        country_id=connection.country_id,
        keys=tuple(verification_keys(connection, box)),
    )


@dataclass(frozen=True, slots=True)
class Accepted:
    stored: int  # new events, to be processed
    duplicates: int  # redeliveries of known events with the same body
    conflicts: int  # known event ids with another body: kept for audit, never applied


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL do)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request's headers as stored: never the signature, never credentials."""
    drop = {SIGNATURE_HEADER, "authorization", "cookie"}
    return {k.lower(): v for k, v in headers.items() if k.lower() not in drop}


async def accept(
    session: AsyncSession,
    destination: Destination,
    items: list[Envelope],
    headers: Mapping[str, str],
) -> Accepted:
    """Commit every envelope to the inbox (one transaction), each at most once."""
    stored = duplicates = conflicts = 0
    now = utcnow()
    kept = kept_headers(headers)
    insert = _insert(session)
    for item in items:
        if item.event_id is None:  # the receiver refuses these before calling
            raise ValueError("an envelope without an eventId cannot enter the inbox")
        digest = hashlib.sha256(item.raw.encode()).hexdigest()
        result = await session.execute(
            insert(InboundEvent)
            .values(
                connection_id=destination.connection_id,
                tenant_id=destination.tenant_id,
                supplier=destination.supplier,
                country_id=destination.country_id,
                event_id=item.event_id,
                event_type=item.event_type,
                topic=item.topic,
                event_time=item.event_time,
                received_at=now,
                body=item.raw,
                body_sha256=digest,
                headers=kept,
                status="received",
                attempts=0,
                unmatched=False,
            )
            .on_conflict_do_nothing(index_elements=["connection_id", "event_id"])
            .returning(InboundEvent.id)
        )
        if result.scalar() is not None:
            stored += 1
            continue
        known = await session.scalar(
            select(InboundEvent.body_sha256).where(
                InboundEvent.connection_id == destination.connection_id,
                InboundEvent.event_id == item.event_id,
            )
        )
        if known == digest:
            duplicates += 1
            continue
        conflicts += 1
        session.add(
            ConflictingDelivery(
                connection_id=destination.connection_id,
                event_id=item.event_id,
                body=item.raw,
                body_sha256=digest,
                headers=kept,
                received_at=now,
            )
        )
        log.warning(
            "event %s for connection %d came again with another body: kept for audit, not applied",
            item.event_id,
            destination.connection_id,
        )
    await session.commit()
    return Accepted(stored, duplicates, conflicts)


async def count_rejection(session: AsyncSession, connection_id: int, reason: Rejection) -> None:
    now = utcnow()
    statement = _insert(session)(RejectedDeliveries).values(
        connection_id=connection_id, reason=reason.value, count=1, first_at=now, last_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["connection_id", "reason"],
            set_={"count": RejectedDeliveries.count + 1, "last_at": now},
        )
    )
    await session.commit()


class ThrottledLog:
    """At most one log line per key a minute, then how many were left out: a flood of forged
    deliveries cannot fill a disk."""

    def __init__(self, every_s: float = 60.0) -> None:
        self.every_s = every_s
        self._last: dict[str, float] = {}
        self._skipped: dict[str, int] = {}

    def warning(self, key: str, message: str, *args: object) -> None:
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.every_s:
            self._skipped[key] = self._skipped.get(key, 0) + 1
            return
        skipped = self._skipped.pop(key, 0)
        if len(self._last) > 10_000:
            self._last.clear()
        self._last[key] = now
        suffix = f" ({skipped} more like it since the last one not logged)" if skipped else ""
        log.warning(message + suffix, *args)


@dataclass(frozen=True, slots=True)
class WebhookHealth:
    last_verified_at: datetime | None
    rejected: dict[str, int]  # reason -> count since the last verified delivery (or ever)


async def webhook_health(session: AsyncSession, connection_id: int) -> WebhookHealth:
    last = await session.scalar(
        select(InboundEvent.received_at)
        .where(InboundEvent.connection_id == connection_id)
        .order_by(InboundEvent.received_at.desc())
        .limit(1)
    )
    query = select(RejectedDeliveries).where(RejectedDeliveries.connection_id == connection_id)
    if last is not None:
        query = query.where(RejectedDeliveries.last_at > last)
    rows = list(await session.scalars(query))
    return WebhookHealth(last, {row.reason: row.count for row in rows})


@dataclass(frozen=True, slots=True)
class RejectionCount:
    reason: str
    count: int
    last_at: datetime


async def rejection_counts(session: AsyncSession, connection_id: int) -> list[RejectionCount]:
    """Every reason deliveries were refused for, with how many and the last time."""
    rows = await session.scalars(
        select(RejectedDeliveries)
        .where(RejectedDeliveries.connection_id == connection_id)
        .order_by(RejectedDeliveries.count.desc())
    )
    return [RejectionCount(r.reason, r.count, r.last_at) for r in rows]
