"""Why a webhook delivery is refused: one table of reasons with their HTTP status and their
words (to the sender, and in Run Test), and the per-connection counts of refusals.

A refused delivery stores nothing but a count per connection and reason: counted in memory
(``RejectionCounts``) and written together, never a row per refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.db.base import upsert_insert, utcnow
from disty.db.models import InboundEvent, RejectedDeliveries
from disty.services.throttle import ThrottledLog
from disty.suppliers.webhooks import WebhookCodec

MAX_BODY_BYTES = 10 * 1024 * 1024  # a stock event of 4,000 SKUs is about 2 MiB


class Refusal(StrEnum):
    """Why a delivery is not accepted; the value is the answer's ``error`` (and, for those
    counted, what is stored with the count)."""

    MISSING_SIGNATURE = "missing_signature"
    BAD_SIGNATURE = "bad_signature"
    NO_EVENT_ID = "no_event_id"
    NO_KEY = "no_key_configured"
    MALFORMED = "malformed_json"
    TOO_LARGE = "too_large"
    TOO_MANY_EVENTS = "too_many_events"
    # Not counted: no connection to count them for, or disty's own trouble.
    NOT_FOUND = "not_found"
    HUNG_UP = "hung_up"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"

    @property
    def status(self) -> int:
        return _TABLE[self].status

    @property
    def headers(self) -> Mapping[str, str]:
        return _TABLE[self].headers

    @property
    def counted(self) -> bool:
        """Counted per connection (a sender's delivery refused), and so shown by Run Test."""
        return _TABLE[self].seen is not None

    def answer(self, codec: WebhookCodec, supplier_name: str = "", what: str = "") -> str:
        """What the sender is told (``detail``): ``what`` disty could not do, for UNAVAILABLE."""
        return _TABLE[self].answer.format(**_facts(codec), name=supplier_name, what=what)

    def seen(self, codec: WebhookCodec) -> str:
        """Run Test's words for refused deliveries: "3 with <seen>"."""
        return (_TABLE[self].seen or self.value).format(**_facts(codec))


@dataclass(frozen=True, slots=True)
class _Row:
    status: int
    answer: str  # to the sender; {header}, {max_envelopes}, {max_depth}, {max_mib} filled in
    seen: str | None = None  # in Run Test; None: not counted
    headers: Mapping[str, str] = field(default_factory=dict)


_TABLE = {
    Refusal.MISSING_SIGNATURE: _Row(401, "the {header} header is missing", "no {header} header"),
    Refusal.BAD_SIGNATURE: _Row(
        401, "the signature does not match", "a signature that matches no webhook key"
    ),
    Refusal.NO_EVENT_ID: _Row(401, "an event has no eventId", "no eventId"),
    Refusal.NO_KEY: _Row(
        401, "no webhook key is configured for this connection yet", "no webhook key saved yet"
    ),
    Refusal.MALFORMED: _Row(
        400,
        "the body is not a UTF-8 JSON event or array of events (nested at most {max_depth} levels)",
        "a body that is not JSON",
    ),
    Refusal.TOO_LARGE: _Row(413, "the body is over {max_mib} MiB", "a body over {max_mib} MiB"),
    Refusal.TOO_MANY_EVENTS: _Row(
        413,
        "a delivery holds at most {max_envelopes} events",
        "more events in one delivery than disty accepts",
    ),
    Refusal.NOT_FOUND: _Row(404, "no {name} connection at this address"),
    Refusal.HUNG_UP: _Row(400, ""),  # nobody is left to read an answer
    Refusal.TIMEOUT: _Row(
        408,
        "the body did not arrive in time; deliver again",
        headers={"Connection": "close"},
    ),
    Refusal.UNAVAILABLE: _Row(
        503, "disty could not {what} now; deliver again", headers={"Retry-After": "5"}
    ),
}


def _facts(codec: WebhookCodec) -> dict[str, object]:
    return {
        "header": codec.signature_header,
        "max_envelopes": codec.limits.max_envelopes,
        "max_depth": codec.limits.max_depth,
        "max_mib": MAX_BODY_BYTES // (1024 * 1024),
    }


class RejectionCounts:
    """Refused deliveries, counted in memory and written together a second later (one
    statement per connection and reason): a flood of forged deliveries costs no database
    write each. One transaction per refusal, at a few hundred a second, took most of a core
    and SQLite's write lock from the inbox. The count is a courtesy (Run Test shows it): when
    it cannot be written, it is dropped with one log line a minute, and the refusals stand."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], log: ThrottledLog, every_s: float = 1.0
    ) -> None:
        self.sessions, self.log, self.every_s = sessions, log, every_s
        self._pending: Counter[tuple[int, Refusal]] = Counter()
        self._flusher: asyncio.Task[None] | None = None

    def add(self, connection_id: int, reason: Refusal) -> None:
        self._pending[(connection_id, reason)] += 1
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.every_s)
        self._flusher = None  # refusals from now on start the next round
        await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, Counter()
        for (connection_id, reason), count in pending.items():
            try:
                async with self.sessions() as session:
                    await count_rejection(session, connection_id, reason, count)
            except Exception as exc:
                self.log.warning(
                    "count-failed",
                    "could not count %d refused webhook deliveries: %s",
                    count,
                    type(exc).__name__,
                )

    async def close(self) -> None:
        """Write what is pending (the app is stopping)."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()


async def count_rejection(
    session: AsyncSession, connection_id: int, reason: Refusal, count: int = 1
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
