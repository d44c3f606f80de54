"""The webhook inbox, receiving side: whom a delivery is for, what is kept, what is refused.

An accepted delivery is committed here before the receiver answers 200; a redelivery of a known
event id is answered 200 and stored nowhere new, unless its body differs, in which case it is
kept for audit (``ConflictingDelivery``) and never applied. A refused delivery stores nothing
but a count per connection and reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


_Key = tuple[int, str]  # (connection id, event id): unique in the inbox


@dataclass(frozen=True, slots=True)
class Delivery:
    """One accepted request, ready for the inbox: whom it is for, its envelopes (each with an
    eventId), and its headers as stored (``kept_headers``)."""

    destination: Destination
    items: list[Envelope]
    headers: dict[str, str]


async def accept(
    session: AsyncSession,
    destination: Destination,
    items: list[Envelope],
    headers: Mapping[str, str],
) -> Accepted:
    """Commit every envelope to the inbox (one transaction), each at most once."""
    [accepted] = await accept_many(session, [Delivery(destination, items, kept_headers(headers))])
    return accepted


async def accept_many(session: AsyncSession, deliveries: list[Delivery]) -> list[Accepted]:
    """Commit several deliveries to the inbox in one transaction, each answered as if it had
    come alone (a later one with an event id an earlier one stored is its redelivery).

    New events go in with one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``; only
    an event id already known (or repeated within the batch) costs a query of its own.
    """
    now = utcnow()
    entries: list[tuple[int, _Key, str, Envelope, Delivery]] = []
    rows: list[dict[str, Any]] = []
    first: set[_Key] = set()
    for index, delivery in enumerate(deliveries):
        d = delivery.destination
        for item in delivery.items:
            if item.event_id is None:  # the receiver refuses these before calling
                raise ValueError("an envelope without an eventId cannot enter the inbox")
            key = (d.connection_id, item.event_id)
            digest = hashlib.sha256(item.raw.encode()).hexdigest()
            entries.append((index, key, digest, item, delivery))
            if key in first:
                continue  # decided after the insert, against the stored row
            first.add(key)
            rows.append(
                {
                    "connection_id": d.connection_id,
                    "tenant_id": d.tenant_id,
                    "supplier": d.supplier,
                    "country_id": d.country_id,
                    "event_id": item.event_id,
                    "event_type": item.event_type,
                    "topic": item.topic,
                    "event_time": item.event_time,
                    "received_at": now,
                    "body": item.raw,
                    "body_sha256": digest,
                    "headers": delivery.headers,
                    "status": "received",
                    "attempts": 0,
                    "unmatched": False,
                }
            )
    inserted: set[_Key] = set()
    if rows:
        result = await session.execute(
            _insert(session)(InboundEvent)
            .on_conflict_do_nothing(index_elements=["connection_id", "event_id"])
            .returning(InboundEvent.connection_id, InboundEvent.event_id),
            rows,
        )
        inserted = {(connection_id, event_id) for connection_id, event_id in result}
    counts = [[0, 0, 0] for _ in deliveries]  # stored, duplicates, conflicts
    for index, key, digest, item, delivery in entries:
        if key in inserted:
            inserted.discard(key)  # the first envelope with this id is the one stored
            counts[index][0] += 1
            continue
        known = await session.scalar(
            select(InboundEvent.body_sha256).where(
                InboundEvent.connection_id == key[0], InboundEvent.event_id == key[1]
            )
        )
        if known == digest:
            counts[index][1] += 1
            continue
        counts[index][2] += 1
        session.add(
            ConflictingDelivery(
                connection_id=key[0],
                event_id=key[1],
                body=item.raw,
                body_sha256=digest,
                headers=delivery.headers,
                received_at=now,
            )
        )
        log.warning(
            "event %s for connection %d came again with another body: kept for audit, not applied",
            key[1],
            key[0],
        )
    await session.commit()
    return [Accepted(*c) for c in counts]


class GroupCommit:
    """The receiver's way into the inbox: deliveries that arrive while a commit is under way
    are committed together in the next one, each still answered only once its own commit is
    done.

    One commit per delivery made concurrent deliveries queue for SQLite's single write lock
    (its busy handler sleeps up to 100 ms a try) and pay one fsync each; together they share
    one transaction, one multi-row insert and one fsync (on PostgreSQL, one commit for many).
    Nothing waits for a batch to fill: a lone delivery is committed at once. The answer still
    goes out only after the commit that holds the delivery, so no accepted event is lost and
    SQLite keeps ``synchronous`` at its default (FULL under WAL: durable across power loss too).
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, max_envelopes: int = 500
    ) -> None:
        self.sessions = sessions
        self.max_envelopes = max_envelopes
        self._waiting: deque[tuple[Delivery, asyncio.Future[Accepted]]] = deque()
        self._task: asyncio.Task[None] | None = None

    async def accept(
        self, destination: Destination, items: list[Envelope], headers: Mapping[str, str]
    ) -> Accepted:
        future: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        self._waiting.append((Delivery(destination, items, kept_headers(headers)), future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit_waiting())
        # A request cancelled meanwhile (its client hung up) does not cancel the batch; its
        # events may still be stored, and a redelivery then finds them.
        return await asyncio.shield(future)

    async def _commit_waiting(self) -> None:
        batch: list[tuple[Delivery, asyncio.Future[Accepted]]] = []
        try:
            while self._waiting:
                batch = [self._waiting.popleft()]
                size = len(batch[0][0].items)
                while self._waiting and size < self.max_envelopes:
                    batch.append(self._waiting.popleft())
                    size += len(batch[-1][0].items)
                await self._commit(batch)
        except BaseException as exc:  # cancelled as the server stops: nobody waits forever
            for _, future in [*batch, *self._waiting]:
                _settle(future, exc=exc)
            self._waiting.clear()
            raise

    async def _commit(self, batch: list[tuple[Delivery, asyncio.Future[Accepted]]]) -> None:
        try:
            async with self.sessions() as session:
                answers = await accept_many(session, [delivery for delivery, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc=exc)
                return
            # Whatever broke, one delivery's trouble must not fail the others: each alone.
            for delivery, future in batch:
                try:
                    async with self.sessions() as session:
                        [answer] = await accept_many(session, [delivery])
                except Exception as alone:
                    _settle(future, exc=alone)
                else:
                    _settle(future, answer)
        else:
            for (_, future), answer in zip(batch, answers, strict=True):
                _settle(future, answer)


def _settle(
    future: asyncio.Future[Accepted],
    answer: Accepted | None = None,
    *,
    exc: BaseException | None = None,
) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    elif answer is not None:
        future.set_result(answer)


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
