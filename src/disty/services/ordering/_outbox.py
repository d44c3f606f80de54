"""The outbox: a PO is saved first; moving it to ``submitting`` is committed before anything
is sent, and so is each send (``submit_attempts``). If a send times out, its connection drops,
or the process dies before the answer is recorded, the PO stays ``submitting``; whoever picks
it up next (a retry, ``disty order refresh``, the worker) first asks the supplier for orders
with that PO number and only sends again if there are none. So the distributor holds at most
one order per PO whatever fails, and the PO reaches ``submitted`` without anyone acting."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain.orders import Address, OrderLine, OrderRequest
from disty.domain.po_status import POStatus
from disty.services import leases
from disty.services.ordering._common import Context, event, move
from disty.services.ordering._merge import apply_placed
from disty.services.ordering._schedule import checked
from disty.services.ordering._tracking import apply_current_states
from disty.suppliers.base import Supplier
from disty.suppliers.errors import AppNotApproved, RequestRejected, SupplierError

log = logging.getLogger(__name__)


async def _claim(session: AsyncSession, po: PurchaseOrder, lease: timedelta) -> bool:
    """Take the PO's lease, so no other worker sends it at the same time."""
    now = utcnow()
    result = await session.execute(
        update(PurchaseOrder)
        .where(
            PurchaseOrder.id == po.id,
            PurchaseOrder.status == POStatus.SUBMITTING.value,
            or_(PurchaseOrder.lease_until.is_(None), PurchaseOrder.lease_until < now),
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    await session.refresh(po)
    return bool(getattr(result, "rowcount", 0))


async def dispatch(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, ctx: Context
) -> PurchaseOrder:
    """Send a ``submitting`` PO at most once: search first if an earlier send may have landed."""
    lease = timedelta(seconds=ctx.settings.submit_lease_s)
    if po.status != POStatus.SUBMITTING.value or not await _claim(session, po, lease):
        return po
    try:
        async with _lease_kept(session, po, lease):
            await _send(session, po, adapter, ctx)
        if po.status != POStatus.SUBMITTING.value:
            # Placed (or refused): the supplier was just asked; follow it from now.
            checked(po, ctx, changed=True)
        return po
    finally:
        po.lease_until = None
        if po.status == POStatus.SUBMITTING.value:
            # No answer (nor found): due now, so the worker's outbox sweep takes it up at its
            # next round, polling or not (``resumable_ids``); the worker's own tries back off
            # (``refresh_one``).
            po.next_check_at = utcnow()
        await session.commit()


@asynccontextmanager
async def _lease_kept(
    session: AsyncSession, po: PurchaseOrder, lease: timedelta
) -> AsyncIterator[None]:
    """Renew the PO's lease every third of it while a send is in flight.

    The HTTP layer retries (a token first, then the order), so one send may take several
    timeouts; a lease that ran out meanwhile would let another worker take the PO, search,
    find nothing yet and send it a second time. The renewal runs in its own session (the
    sender's is busy).
    """
    engine = session.bind

    async def renew() -> None:
        async with AsyncSession(engine) as own:
            await own.execute(
                update(PurchaseOrder)
                .where(
                    PurchaseOrder.id == po.id,
                    PurchaseOrder.status == POStatus.SUBMITTING.value,
                    PurchaseOrder.lease_until.is_not(None),
                )
                .values(lease_until=utcnow() + lease)
                .execution_options(synchronize_session=False)
            )
            await own.commit()

    async with leases.renewed(renew, lease, f"PO {po.po_number}'s send"):
        yield


async def _send(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, ctx: Context
) -> PurchaseOrder:
    """The claimed PO's send: search first if an earlier one may have landed, then place it."""
    if po.submit_attempts > 0:
        found = await adapter.find_orders(po.po_number)
        if found:
            await _record_found(session, po, adapter, found, ctx)
            return po
    po.submit_attempts += 1
    await session.commit()  # before sending: a crash after this line means "maybe sent"
    request = OrderRequest(
        po_number=po.po_number,
        lines=tuple(
            OrderLine(x.line_number, x.sku, x.quantity, x.special_bid, x.expected_price)
            for x in po.lines
        ),
        ship_to=Address.from_dict(po.ship_to),
        end_user=Address.from_dict(po.end_user, "end_user") if po.end_user else None,
        hold=po.hold_for_review,
        notes=po.notes,
        api_version=po.api_version or None,
        quote_number=po.quote_number,
    )
    log.info("PO %s: sending it to %s (send %d)", po.po_number, po.supplier, po.submit_attempts)
    try:
        placed = await adapter.place_order(request)
    except (RequestRejected, AppNotApproved) as exc:
        # Refused outright (400), or this caller is not allowed to order at all (an app not
        # approved, a sending IP not registered): nothing was placed. Sending again on every
        # poll would only be refused again, so the PO fails with the reason and its fix; once
        # fixed, the same PO number is submitted again (searched for first, as any resend).
        po.failure_reason = exc.supplier_message or str(exc)
        log.warning("PO %s: refused by %s: %s", po.po_number, po.supplier, exc)
        move(po, POStatus.FAILED, "submit", ctx.actor, f"refused by the supplier: {exc}")
        return po
    except SupplierError as exc:
        log.warning("PO %s: no answer from %s (%s)", po.po_number, po.supplier, exc)
        event(
            po,
            "submit",
            ctx.actor,
            f"no answer from the supplier ({exc}); will look for it before sending again",
        )
        await session.commit()
        found = await _safe_find(adapter, po.po_number)
        if found:
            await _record_found(session, po, adapter, found, ctx)
        return po
    apply_placed(po, placed, ctx.actor)
    log.info("PO %s: placed at %s, %s", po.po_number, po.supplier, po.status)
    return po


async def _safe_find(adapter: Supplier, po_number: str) -> list[str]:
    try:
        return await adapter.find_orders(po_number)
    except SupplierError:
        return []  # still unknown: the next refresh asks again


async def _record_found(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, found: list[str], ctx: Context
) -> None:
    po.supplier_order_numbers = sorted(set(po.supplier_order_numbers) | set(found))
    log.info(
        "PO %s: found at %s as %s, not sent again", po.po_number, po.supplier, ", ".join(found)
    )
    move(
        po,
        POStatus.SUBMITTED,
        "submit",
        ctx.actor,
        f"found at the supplier as {', '.join(found)}: not sent again",
    )
    await session.commit()
    await apply_current_states(session, po, adapter, "poll", ctx)
