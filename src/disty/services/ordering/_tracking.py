"""Following a placed PO at the supplier: reading its orders' states into it, and finding the
order of a PO accepted before the order exists.

Some suppliers accept an order with a confirmation number and place it later: the PO is
``submitted`` with that number before any order exists. The order number is then found by
searching the supplier for the PO number (``settle_accepted``: polling, or a webhook's hint); a
refusal announced by the supplier fails the PO only once a search confirms there is no order
(``refuse_accepted``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import PurchaseOrder
from disty.domain.orders import OrderState
from disty.domain.po_status import POStatus
from disty.services.ordering._common import Context, event, merge_and_commit, move, po_adapter
from disty.services.ordering._merge import apply_states, awaiting_order, mark_missing_lines
from disty.services.ordering._schedule import checked, fingerprint
from disty.suppliers.base import Supplier


async def apply_current_states(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, source: str, ctx: Context
) -> None:
    states: list[OrderState] = await adapter.order_states(po.po_number, po.supplier_order_numbers)
    before = fingerprint(po)

    def merge() -> None:
        apply_states(po, states, source, ctx.actor)
        checked(po, ctx, changed=fingerprint(po) != before)

    await merge_and_commit(session, po, merge)


async def settle_accepted(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, *, source: str = "poll"
) -> PurchaseOrder:
    """Find the order of a PO accepted with a confirmation number by searching the supplier
    for its PO number.

    Called by ``refresh`` (polling) and by the webhook processor when the supplier announces
    it placed the order (``source="webhook"``; the event's body is only a hint, so the supplier is
    asked). No order yet: nothing changes. Any other PO is answered as it is.
    """
    if not awaiting_order(po):
        return po
    return await settle(session, po, await po_adapter(session, po, ctx), source, ctx)


async def settle(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, source: str, ctx: Context
) -> PurchaseOrder:
    actor = ctx.actor
    found = await adapter.find_orders(po.po_number)
    if not found:
        checked(po, ctx, changed=False)
        await session.commit()
        return po
    po.supplier_order_numbers = sorted(set(found))
    event(po, source, actor, f"the supplier placed it as {', '.join(po.supplier_order_numbers)}")
    await session.commit()  # the order numbers are kept even if reading the detail fails
    states = await adapter.order_states(po.po_number, po.supplier_order_numbers)
    apply_states(po, states, source, actor)
    mark_missing_lines(po, states)
    checked(po, ctx, changed=True)
    await session.commit()
    return po


async def refuse_accepted(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, reason: str, *, source: str
) -> PurchaseOrder:
    """The supplier announced that an order it accepted was refused: fail the PO with the
    reason, but only if a search for its PO number finds no order (the announcement is only
    a hint: an order found is recorded instead). Any other PO is answered as it is."""
    if not awaiting_order(po):
        return po
    adapter = await po_adapter(session, po, ctx)
    await settle(session, po, adapter, source, ctx)
    if po.supplier_order_numbers:
        return po
    po.failure_reason = reason
    move(po, POStatus.FAILED, source, ctx.actor, f"refused by the supplier: {reason}")
    await session.commit()
    return po
