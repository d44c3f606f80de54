"""The webhook inbox, receiving side: whom a delivery is for, what is kept, what is refused.

An accepted delivery is committed here before the receiver answers 200; a redelivery of a known
event id is answered 200 and stored nowhere new, unless its body differs: the first such body
is kept for audit (``ConflictingDelivery``), later ones only counted, and none is applied. A
refused delivery stores nothing but a count per connection and reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.crypto import SecretBox
from disty.db.base import upsert_insert, utcnow
from disty.db.models import (
    InboundEvent,
    RejectedDeliveries,
    SupplierConnection,
    Tenant,
)
from disty.domain.countries import SITES
from disty.services.connections import verification_key_windows
from disty.suppliers.ingram.webhooks import SIGNATURE_HEADER

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # a stock event of 4,000 SKUs is about 2 MiB


class Rejection(StrEnum):
    MISSING_SIGNATURE = "missing_signature"
    BAD_SIGNATURE = "bad_signature"
    NO_EVENT_ID = "no_event_id"
    NO_KEY = "no_key_configured"
    MALFORMED = "malformed_json"
    TOO_LARGE = "too_large"
    TOO_MANY_EVENTS = "too_many_events"


@dataclass(frozen=True, slots=True)
class Destination:
    """A connection as the receiver needs it: who it is and the keys that verify deliveries.

    ``key_windows`` holds every key with the moment it stops verifying (None: the current key);
    ``keys`` is read at verification time, so a replaced key's grace period ends on the clock,
    not when this was looked up (and cached).
    """

    connection_id: int
    tenant_id: int
    supplier: str
    country_id: int
    key_windows: tuple[tuple[str, datetime | None], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys that verify a delivery now: the current ones and those still in grace."""
        now = utcnow()
        return tuple(k for k, until in self.key_windows if until is None or until > now)


class DestinationCache:
    """Destinations for a few seconds, so a burst of deliveries costs no query each.

    A connection saved in this process (console, API: ``connections.set_connection``) is
    forgotten at once (``forget``). One saved by another process (a CLI beside ``disty serve``,
    another replica) takes effect within ``2 * ttl_s`` (10 s): an entry is fresh for ``ttl_s``;
    after that it is still used while one lookup renews it, for up to another ``ttl_s``. Its
    age counts from when its lookup started, so a save committed during that lookup is no
    later than the bound either. The deliveries of a burst never wait for a lookup one by one:
    those that find an entry missing share one lookup; at a thousand deliveries a second, a
    lookup each would queue hundreds behind one another every few seconds.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, ttl_s: float = 5.0
    ) -> None:
        self.sessions = sessions
        self.box = box
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, int], tuple[float, Destination | None]] = {}
        self._lookups: dict[tuple[str, int], asyncio.Task[Destination | None]] = {}
        # Bumped by ``forget``: a lookup started before it may have read the old connection,
        # and must not put what it read back into the cache.
        self._generation = 0

    def forget(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._lookups.clear()  # those under way finish for their waiters, but fill nothing

    async def get(self, shortcut: str, country_id: int) -> Destination | None:
        key = (shortcut, country_id)
        entry = self._entries.get(key)
        if entry is not None:
            age = time.monotonic() - entry[0]
            if age >= self.ttl_s:
                self._look_up(key)
            if age < 2 * self.ttl_s:
                return entry[1]
        # Shielded: one waiting delivery that hangs up does not cancel the others' lookup.
        return await asyncio.shield(self._look_up(key))

    def _look_up(self, key: tuple[str, int]) -> asyncio.Task[Destination | None]:
        lookup = self._lookups.get(key)
        if lookup is None:
            lookup = asyncio.create_task(self._find(key, self._generation))
            self._lookups[key] = lookup
            lookup.add_done_callback(lambda done: self._looked_up(key, done))
        return lookup

    def _looked_up(self, key: tuple[str, int], done: asyncio.Task[Destination | None]) -> None:
        if self._lookups.get(key) is done:
            del self._lookups[key]
        if not done.cancelled() and done.exception() is not None:
            # Whoever waited has the error; one that refreshed in the background keeps the
            # entry it had until it is too old, then the next delivery tries again.
            log.debug("destination lookup for %s/%d failed", *key)

    async def _find(self, key: tuple[str, int], generation: int) -> Destination | None:
        started = time.monotonic()
        async with self.sessions() as session:
            found = await find_destination(session, self.box, *key)
        if generation != self._generation:
            return found  # forgotten meanwhile: what was read may be stale; keep it out
        if len(self._entries) > 10_000:  # strangers probing shortcuts cannot grow it forever
            self._entries.clear()
        self._entries[key] = (started, found)
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
        key_windows=tuple(verification_key_windows(connection, box)),
    )


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request's headers as stored: never the signature, never credentials."""
    drop = {SIGNATURE_HEADER, "authorization", "cookie"}
    return {k.lower(): v for k, v in headers.items() if k.lower() not in drop}


async def count_rejection(
    session: AsyncSession, connection_id: int, reason: Rejection, count: int = 1
) -> None:
    now = utcnow()
    statement = upsert_insert(session.get_bind().dialect)(RejectedDeliveries).values(
        connection_id=connection_id, reason=reason.value, count=count, first_at=now, last_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["connection_id", "reason"],
            set_={"count": RejectedDeliveries.count + count, "last_at": now},
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

    def admit(self, key: str) -> str | None:
        """None when a line for ``key`` was logged less than a minute ago (it is counted);
        else the suffix to log it with (how many were left out since, or nothing)."""
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.every_s:
            self._skipped[key] = self._skipped.get(key, 0) + 1
            return None
        skipped = self._skipped.pop(key, 0)
        if len(self._last) > 10_000:
            self._last.clear()
        self._last[key] = now
        return f" ({skipped} more like it since the last one not logged)" if skipped else ""

    def warning(self, key: str, message: str, *args: object) -> None:
        suffix = self.admit(key)
        if suffix is not None:
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
