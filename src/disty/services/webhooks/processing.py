"""Processing the webhook inbox: what each accepted event changes, retries, dead letters,
replay and retention. Reading the inbox (its statuses, a list, one event) is
services/webhooks/event_lookup.py, which a command that only lists events imports alone.

What an event means comes from its supplier's webhook codec, as neutral facts
(suppliers/webhooks.py). A supplier may sign only the event id, not the body, so an event's
body is a trigger and a hint, never the truth: an order event makes disty refresh that PO from
the supplier's order API through the same code path polling uses (``ordering.refresh``).
Because the state is always read afresh, an older event arriving late cannot overwrite newer
state; stock events, whose body is the only source, are applied only when newer than what is
stored.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty import logs
from disty.db.base import upsert_insert, utcnow
from disty.db.models import ConflictingDelivery, InboundEvent, PurchaseOrder, StockLevel
from disty.domain.po_status import FINAL, POStatus
from disty.errors import NotFound
from disty.services import audit, leases, ordering
from disty.services.ordering import Context
from disty.services.webhooks.event_lookup import EventStatus
from disty.suppliers import registry
from disty.suppliers.errors import SupplierError
from disty.suppliers.webhooks import (
    Ignored,
    OrderRef,
    OrderResult,
    OrdersTouched,
    QuoteCreated,
    StockChanged,
)

log = logging.getLogger(__name__)


class EventFailed(Exception):
    """Processing could not finish; the event is tried again later."""


# -- what one event changes ---------------------------------------------------------------------


async def apply(session: AsyncSession, ctx: Context, event: InboundEvent) -> tuple[str, bool]:
    """Carry out one event; answers what it did and whether it named something disty doesn't
    know (kept and reported, never dropped). Raises ``EventFailed`` to be retried."""
    if event.body is None:
        raise EventFailed("the event's body was pruned after the retention period")
    codec = registry.get(event.supplier).webhooks
    if codec is None:
        raise EventFailed(f"supplier {event.supplier!r} has no webhooks to read this event with")
    fact = codec.interpret(event.event_type, event.body)  # read as the receiver read it
    match fact:
        case OrdersTouched(orders):
            return await _orders_touched(session, ctx, event, orders)
        case OrderResult():
            return await _order_result(session, ctx, event, fact)
        case StockChanged():
            return await _stock_changed(session, event, fact), False
        case QuoteCreated(numbers):
            return f"quote {', '.join(numbers) or '(no number)'} created at the supplier", False
        case Ignored(kind):
            return f"nothing to do for event type {kind!r}", False


async def _find_po(
    session: AsyncSession, event: InboundEvent, ref: OrderRef
) -> PurchaseOrder | None:
    query = select(PurchaseOrder).where(PurchaseOrder.connection_id == event.connection_id)
    if ref.po_number:
        found = await session.scalar(query.where(PurchaseOrder.po_number == ref.po_number))
        if found is not None:
            return found
    if ref.order_number:
        # Order numbers sit in a JSON list; an open PO of this connection is few enough to scan.
        open_statuses = [s.value for s in POStatus if s not in FINAL]
        for po in await session.scalars(query.where(PurchaseOrder.status.in_(open_statuses))):
            if ref.order_number in po.supplier_order_numbers:
                return po
    return None


def _name(ref: OrderRef) -> str:
    parts = [f"order {ref.order_number}" if ref.order_number else "", f"PO {ref.po_number}"
             if ref.po_number else ""]  # fmt: skip
    return " / ".join(p for p in parts if p) or "an order without numbers"


async def _orders_touched(
    session: AsyncSession, ctx: Context, event: InboundEvent, refs: tuple[OrderRef, ...]
) -> tuple[str, bool]:
    if not refs:
        return "the event names no order: kept", True
    said: list[str] = []
    unmatched = False
    for ref in refs:
        po = await _find_po(session, event, ref)
        if po is None:
            unmatched = True
            said.append(f"{_name(ref)} is not a PO disty placed: kept and reported")
            continue
        before = po.status
        try:
            await ordering.refresh(session, po, ctx, source="webhook")
        except SupplierError as exc:
            raise EventFailed(f"could not read PO {po.po_number} from the supplier: {exc}") from exc
        change = f"{before} -> {po.status}" if po.status != before else f"still {po.status}"
        said.append(f"PO {po.po_number} refreshed: {change}")
    return "; ".join(said), unmatched


async def _order_result(
    session: AsyncSession, ctx: Context, event: InboundEvent, result: OrderResult
) -> tuple[str, bool]:
    po = (
        await _find_po(session, event, OrderRef(None, result.po_number))
        if result.po_number
        else None
    )
    if po is None:
        return f"v7 order result for PO {result.po_number or '?'}: no such PO, kept", True
    try:
        # The body says what happened; the supplier's order search confirms it.
        if result.order_numbers:
            await ordering.settle_accepted(session, po, ctx, source="webhook")
        else:
            await ordering.refuse_accepted(
                session, po, ctx, result.refusal or "refused", source="webhook"
            )
    except SupplierError as exc:
        raise EventFailed(f"could not confirm PO {po.po_number} at the supplier: {exc}") from exc
    return f"v7 result for PO {po.po_number}: {po.status}", False


async def _stock_changed(session: AsyncSession, event: InboundEvent, fact: StockChanged) -> str:
    """Upsert each SKU's level unless a newer event already spoke for it. One statement per
    chunk, atomic in the database, so two stock events processed at once cannot collide and
    the newer one wins whatever the order."""
    rows = list({row.sku: row for row in fact.rows}.values())
    when = event.event_time or event.received_at
    insert = upsert_insert(session.get_bind().dialect)
    for start in range(0, len(rows), 500):  # SQLite binds a bounded number of parameters
        statement = insert(StockLevel).values(
            [
                {
                    "connection_id": event.connection_id, "sku": row.sku,
                    "total_available": row.total_available, "backorder": row.backorder,
                    "source": "stock event", "event_id": event.event_id, "event_time": when,
                }
                for row in rows[start : start + 500]
            ]
        )  # fmt: skip
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["connection_id", "sku"],
                set_={
                    "total_available": statement.excluded.total_available,
                    "backorder": statement.excluded.backorder,
                    "source": statement.excluded.source,
                    "event_id": statement.excluded.event_id,
                    "event_time": statement.excluded.event_time,
                },
                where=StockLevel.event_time <= statement.excluded.event_time,
            )
        )
    return f"stock of {len(rows)} SKU(s) recorded, each unless a newer event had spoken for it"


# -- the job around it: attempts, backoff, dead letter ----------------------------------------


def backoff(attempt: int, base_s: float) -> timedelta:
    """Doubling from ``base_s``, at most an hour, with jitter so failed events spread out."""
    delay = min(base_s * 2 ** max(attempt - 1, 0), 3600.0)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311 (not security)


def _takeable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """What makes an event one to take now: waiting (new, or failed and to be tried again),
    due (no retry time, or one come), free (no lease, or one run out)."""
    return (
        InboundEvent.status.in_([EventStatus.RECEIVED.value, EventStatus.FAILED.value]),
        or_(InboundEvent.next_attempt_at.is_(None), InboundEvent.next_attempt_at <= now),
        or_(InboundEvent.lease_until.is_(None), InboundEvent.lease_until < now),
    )


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    *,
    limit: int,
    lease: timedelta,
) -> list[int]:
    """Take up to ``limit`` due events for this worker; another worker skips them."""
    now = utcnow()
    waiting, due, free = _takeable(now)
    async with sessions() as session:
        ids = list(
            await session.scalars(
                select(InboundEvent.id)
                .where(waiting, due, free)
                .order_by(InboundEvent.id)
                .limit(limit)
                # PostgreSQL: rows another claim is taking at this moment are skipped, not
                # waited for and then found taken, so two workers claiming at once take two
                # batches instead of one batch and nothing (SQLite has one writer anyway).
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        # One statement for the lot; the conditions are checked again as each row is updated,
        # so an event another worker took meanwhile is left to it.
        result = await session.execute(
            update(InboundEvent)
            .where(InboundEvent.id.in_(ids), waiting, free)
            # Taking an event counts a try: one that dies half-way still counts.
            .values(lease_until=now + lease, attempts=InboundEvent.attempts + 1)
            .returning(InboundEvent.id)
            .execution_options(synchronize_session=False)
        )
        taken = sorted(result.scalars())
        await session.commit()
    return taken


@asynccontextmanager
async def lease_kept(
    sessions: async_sessionmaker[AsyncSession], pks: Sequence[int], lease: timedelta
) -> AsyncIterator[None]:
    """Renew the leases of claimed events every third of it while their processing runs
    (one statement for them all).

    A lease shorter than one processing (a job queue's, so that a dead worker's events are
    taken up soon) would otherwise run out mid-way, or while an event of a batch waits its
    turn, and another worker would take the event and process it a second time. ``process``
    clears an event's lease when done; a renewal after that leaves it alone.
    """

    async def renew() -> None:
        async with sessions() as session:
            await session.execute(
                update(InboundEvent)
                .where(InboundEvent.id.in_(pks), InboundEvent.lease_until.is_not(None))
                .values(lease_until=utcnow() + lease)
                .execution_options(synchronize_session=False)
            )
            await session.commit()

    what = f"event {pks[0]}" if len(pks) == 1 else f"{len(pks)} events"
    async with leases.renewed(renew, lease, what):
        yield


async def due(sessions: async_sessionmaker[AsyncSession], *, limit: int) -> list[int]:
    """The events ``claim`` would take now, without taking them, oldest first (how many
    batch jobs the job queue needs)."""
    async with sessions() as session:
        return list(
            await session.scalars(
                select(InboundEvent.id)
                .where(*_takeable(utcnow()))
                .order_by(InboundEvent.id)
                .limit(limit)
            )
        )


async def next_due(sessions: async_sessionmaker[AsyncSession]) -> datetime | None:
    """When the earliest event waiting for a retry is due (None: nothing waits)."""
    async with sessions() as session:
        return await session.scalar(
            select(InboundEvent.next_attempt_at)
            .where(InboundEvent.status == EventStatus.FAILED.value)
            .order_by(InboundEvent.next_attempt_at)
            .limit(1)
        )


async def process(
    sessions: async_sessionmaker[AsyncSession], ctx: Context, pk: int, *, replay: bool = False
) -> InboundEvent:
    """One try at one event taken by ``claim`` (which counted the try), with its bookkeeping;
    ``replay`` tries any event once more, counting the try itself."""
    async with sessions() as session:
        event = await session.get(InboundEvent, pk)
        if event is None:
            raise NotFound(f"no event with id {pk}")
        # Its lines carry the id of the request that delivered it, whichever process runs it.
        with logs.request_id(event.headers.get(logs.HEADER)):
            if event.status == EventStatus.PROCESSED.value and not replay:
                return event  # a redelivery or a second worker: processed once only
            if replay:
                event.attempts += 1
                await session.commit()  # a try that dies half-way still counts
            try:
                outcome, unmatched = await apply(session, ctx, event)
                event.status = EventStatus.PROCESSED.value
                event.outcome = outcome
                event.unmatched = unmatched
                event.error = None
                event.next_attempt_at = None
                event.processed_at = utcnow()
                event.lease_until = None
                await session.commit()
                log.debug("event %s processed: %s", event.event_id, outcome)
                return event
            except Exception as exc:  # whatever broke, the event waits for a retry, never lost
                reason = str(exc) if isinstance(exc, EventFailed | SupplierError) else repr(exc)
                await session.rollback()
                reloaded = await session.get(InboundEvent, pk, populate_existing=True)
                if reloaded is None:  # pragma: no cover - deleted while it was being processed
                    raise NotFound(f"event {pk} disappeared while being processed") from exc
                event = reloaded
                _failed(event, reason, ctx, replay=replay)
                log.info("event %s failed (%s): %s", event.event_id, event.status, reason[:200])
            event.lease_until = None
            await session.commit()
            return event


def _failed(event: InboundEvent, reason: str, ctx: Context, *, replay: bool) -> None:
    event.error = reason[:2000]
    if replay or event.attempts >= ctx.settings.event_max_attempts:
        event.status = EventStatus.DEAD.value
        event.next_attempt_at = None
        return
    event.status = EventStatus.FAILED.value
    event.next_attempt_at = utcnow() + backoff(event.attempts, ctx.settings.event_retry_base_s)


# -- for people: replay, prune ---------------------------------------------------------------


async def replay(sessions: async_sessionmaker[AsyncSession], ctx: Context, pk: int) -> InboundEvent:
    """Process an event once more now, whatever its status (a person asked for it)."""
    done = await process(sessions, ctx, pk, replay=True)
    async with sessions() as session:
        audit.record(
            session, tenant_id=done.tenant_id, actor=ctx.actor, action="event.replayed",
            target=f"event {done.event_id}", details={"status": done.status},
        )  # fmt: skip
        await session.commit()
    return done


async def prune(session: AsyncSession, *, older_than: timedelta) -> int:
    """Drop the raw bodies of events processed before the retention period; answers how many."""
    cutoff = utcnow() - older_than
    result = await session.execute(
        update(InboundEvent)
        .where(
            InboundEvent.status == EventStatus.PROCESSED.value,
            InboundEvent.processed_at < cutoff,
            InboundEvent.body.is_not(None),
        )
        .values(body=None, pruned_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    conflicts = await session.execute(
        select(ConflictingDelivery).where(ConflictingDelivery.received_at < cutoff)
    )
    for row in conflicts.scalars():
        await session.delete(row)
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
