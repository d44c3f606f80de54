"""Bringing a PO up to date from the supplier: one PO (a person, a webhook) or the POs due a
check (the worker's polling round, on the schedule of domain/polling.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain.po_status import FINAL, POStatus
from disty.domain.polling import followed
from disty.services.ordering._common import Context, po_adapter, sent_for
from disty.services.ordering._merge import awaiting_order
from disty.services.ordering._outbox import dispatch
from disty.services.ordering._schedule import after_failure
from disty.services.ordering._tracking import apply_current_states, settle
from disty.suppliers.errors import SupplierError

log = logging.getLogger(__name__)

FOLLOWED = [s.value for s in POStatus if followed(s)]


async def refresh(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, *, source: str = "poll"
) -> PurchaseOrder:
    """Bring the PO up to date from the supplier (and finish an interrupted submission).

    Polling and webhooks both come here (``source`` says which, for the timeline): the state
    is always read from the supplier's order detail, never taken from a webhook's body. Each
    check records when it was made and when the worker asks next (``next_check_at``).
    """
    adapter = await po_adapter(session, po, ctx)
    if po.status == POStatus.SUBMITTING.value:
        return await dispatch(session, po, adapter, ctx)
    if awaiting_order(po):
        return await settle(session, po, adapter, source, ctx)
    if POStatus(po.status) in FINAL or not po.supplier_order_numbers:
        return po
    await apply_current_states(session, po, adapter, source, ctx)
    return po


async def refresh_open(
    session: AsyncSession, ctx: Context, *, limit: int | None = None, due_only: bool = True
) -> int:
    """The polling round: the open POs due a check (``next_check_at`` passed, or never set),
    the most overdue first, at most ``limit`` (DISTY_POLL_ROUND_LIMIT); answers how many.

    ``due_only`` False takes every open PO (``disty worker --once``: a person asked). A PO
    whose supplier fails is asked again later (``after_failure``), never in the next round
    straight away, and stops no other PO.
    """
    ids = await due_ids(session, ctx, limit=limit, due_only=due_only)
    for pk in ids:
        await refresh_one(session, ctx, pk)
    return len(ids)


async def due_ids(
    session: AsyncSession, ctx: Context, *, limit: int | None = None, due_only: bool = True
) -> list[int]:
    """The open POs due a check, the most overdue first (see ``refresh_open``)."""
    now = utcnow()
    query = select(PurchaseOrder.id).where(PurchaseOrder.status.in_(FOLLOWED))
    if due_only:
        query = query.where(
            or_(PurchaseOrder.next_check_at.is_(None), PurchaseOrder.next_check_at <= now)
        )
    # NULL first (never scheduled: older rows, interrupted submissions), then by due time.
    query = query.order_by(
        PurchaseOrder.next_check_at.is_not(None), PurchaseOrder.next_check_at, PurchaseOrder.id
    )
    round_limit = ctx.settings.poll_round_limit if limit is None else limit
    return list(await session.scalars(query.limit(round_limit) if due_only else query))


async def resumable_ids(session: AsyncSession, *, limit: int) -> list[int]:
    """The outbox sweep: POs left ``submitting`` to take up now, whatever the poll interval
    (off included). A sender's lease that ran out means the sender died mid-send (a live one
    renews it, and clears it when done); a send that ended with no answer is due again at its
    ``next_check_at``. Either is searched for at the supplier before anything is sent."""
    now = utcnow()
    query = (
        select(PurchaseOrder.id)
        .where(
            PurchaseOrder.status == POStatus.SUBMITTING.value,
            or_(
                PurchaseOrder.lease_until < now,
                and_(PurchaseOrder.lease_until.is_(None), PurchaseOrder.next_check_at <= now),
            ),
        )
        .order_by(PurchaseOrder.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def refresh_one(session: AsyncSession, ctx: Context, pk: int) -> None:
    """One PO of a polling round or of the outbox sweep (the job queue runs one such job per
    PO at a time)."""
    po = await session.get(PurchaseOrder, pk)
    if po is None:
        return
    before, number = po.next_check_at, po.po_number
    async with sent_for(session, po):
        try:
            await refresh(session, po, ctx)
        except SupplierError as exc:
            await session.rollback()
            log.info("PO %s: the supplier could not be asked (%s)", number, exc)
            await _postpone(session, po, ctx)
            return  # one unreachable supplier stops no other PO
    held = po.lease_until
    if po.status == POStatus.SUBMITTING.value and held is not None and held > utcnow():
        # Another sender holds it (or held it, and died): due when that hold runs out, not a
        # poll interval later; the outbox sweep takes it up then. Only while it is still held:
        # a sender that let go meanwhile has set the next check itself, and a hold written
        # over it would leave the PO waiting a whole lease for nothing.
        await session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.id == po.id, PurchaseOrder.lease_until > utcnow())
            .values(next_check_at=PurchaseOrder.lease_until)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return
    unscheduled = po.next_check_at is None and followed(POStatus(po.status))
    unsent = po.status == POStatus.SUBMITTING.value
    if po.next_check_at == before or unscheduled or unsent:
        # Nothing was asked, or a send still unanswered: never left due, or every round
        # would take it first.
        await _postpone(session, po, ctx)


async def _postpone(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> None:
    await session.refresh(po)
    await _reschedule(session, po, after_failure(po, ctx, utcnow()))


async def _reschedule(session: AsyncSession, po: PurchaseOrder, at: datetime | None) -> None:
    await session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == po.id)
        .values(next_check_at=at)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    await session.refresh(po)
