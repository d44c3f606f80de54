"""Bringing a PO up to date from the supplier: one PO (a person, a webhook) or every open PO
not refreshed lately (the worker's polling round)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain.orders import FINAL, POStatus
from disty.services.ordering._common import Context, po_adapter
from disty.services.ordering._merge import awaiting_order
from disty.services.ordering._outbox import dispatch
from disty.services.ordering._tracking import apply_current_states, settle
from disty.suppliers.errors import SupplierError


async def refresh(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, *, source: str = "poll"
) -> PurchaseOrder:
    """Bring the PO up to date from the supplier (and finish an interrupted submission).

    Polling and webhooks both come here (``source`` says which, for the timeline): the state
    is always read from the supplier's order detail, never taken from a webhook's body.
    """
    adapter = await po_adapter(session, po, ctx)
    if po.status == POStatus.SUBMITTING.value:
        return await dispatch(session, po, adapter, ctx)
    if awaiting_order(po):
        return await settle(session, po, adapter, source, ctx.actor)
    if POStatus(po.status) in FINAL or not po.supplier_order_numbers:
        return po
    await apply_current_states(session, po, adapter, source, ctx.actor)
    return po


async def refresh_open(session: AsyncSession, ctx: Context, *, older_than: timedelta) -> int:
    """The polling round: every open PO not refreshed for ``older_than``; answers how many."""
    due = utcnow() - older_than
    open_statuses = [
        s.value
        for s in POStatus
        if s not in FINAL and s is not POStatus.DRAFT and s is not POStatus.AWAITING_APPROVAL
    ]
    pos = list(
        await session.scalars(
            select(PurchaseOrder).where(
                PurchaseOrder.status.in_(open_statuses),
                or_(PurchaseOrder.refreshed_at.is_(None), PurchaseOrder.refreshed_at < due),
            )
        )
    )
    for po in pos:
        try:
            await refresh(session, po, ctx)
        except SupplierError:
            continue  # the next round tries again; one unreachable supplier stops no other PO
    return len(pos)
