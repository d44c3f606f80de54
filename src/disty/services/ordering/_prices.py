"""The price check before a PO is sent: every line's price (or the quote's) confirmed by the
distributor, a rise beyond the tolerance stopping the PO for an admin's approval, a failed
check tried again by the worker with backoff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import POLine, PurchaseOrder
from disty.domain.offers import OfferStatus
from disty.domain.orders import drifted
from disty.domain.po_status import POStatus
from disty.errors import DistyError
from disty.services.ordering._common import (
    Context,
    audit_act,
    event,
    move,
    po_adapter,
    sent_for,
    still,
)
from disty.services.ordering._outbox import dispatch
from disty.services.suppliers import offered
from disty.suppliers.base import Supplier
from disty.suppliers.errors import NotFound as SupplierNotFound
from disty.suppliers.errors import SupplierError


@dataclass
class _PriceCheck:
    """What the distributor says of a PO's prices now, before anything is sent."""

    rose: list[str] = field(default_factory=list)  # "SKU 5.43 -> 50.00"
    unconfirmed: list[str] = field(default_factory=list)  # lines no price can be had for
    failed: str | None = None  # the check itself failed (worth trying again): why

    def reasons(self) -> list[str]:
        said = []
        if self.unconfirmed:
            said.append("price not confirmed: " + "; ".join(self.unconfirmed))
        if self.rose:
            said.append("price rose beyond the tolerance: " + "; ".join(self.rose))
        return said


async def check_prices_then_send(
    session: AsyncSession,
    po: PurchaseOrder,
    adapter: Supplier,
    ctx: Context,
    source: str,
    *,
    audited: bool = True,
) -> PurchaseOrder:
    """Send the saved PO only once the distributor confirms every line's price.

    A price that rose beyond the tolerance, or one that cannot be had (unknown product, no
    price, a quote the distributor does not show), stops the PO for an admin's approval. When
    the check itself fails (price and availability down, slow or limited), nothing is sent:
    the PO stays ``draft`` and the worker checks again with backoff
    (``retry_price_checks``), until it stops for approval after the last try. ``audited``:
    a person's (or client's) act, recorded in the audit log; the worker's retries are not.
    """
    tolerance = Decimal(str(ctx.settings.price_tolerance))
    check = await _check_prices(po, adapter, tolerance)
    if check.failed is not None:
        return await _price_check_failed(session, po, ctx, source, check.failed, audited)
    po.price_check_at = None
    reasons = check.reasons()
    if reasons:
        if not await still(session, po, (POStatus.DRAFT,), POStatus.AWAITING_APPROVAL):
            return po  # cancelled (or sent) meanwhile by another request
        po.approval_reason = " | ".join(reasons)
        move(po, POStatus.AWAITING_APPROVAL, source, ctx.actor,
              f"{po.approval_reason}: nothing sent; needs an admin's approval")  # fmt: skip
        if audited:
            audit_act(session, po, ctx, "po.submitted")
        await session.commit()
        return po
    if not await still(session, po, (POStatus.DRAFT,), POStatus.SUBMITTING):
        return po  # cancelled (or sent) meanwhile by another request
    move(po, POStatus.SUBMITTING, source, ctx.actor, "queued for the supplier")
    if audited:
        audit_act(session, po, ctx, "po.submitted")
    await session.commit()
    return await dispatch(session, po, adapter, ctx)


async def _price_check_failed(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, source: str, why: str, audited: bool
) -> PurchaseOrder:
    """The distributor could not confirm the prices now: wait and check again, or, after the
    last try, stop for approval. Either way nothing is sent."""
    po.price_checks += 1
    retries = ctx.settings.price_check_retries
    stops = po.price_checks > retries
    next_status = POStatus.AWAITING_APPROVAL if stops else POStatus.DRAFT
    if not await still(session, po, (POStatus.DRAFT,), next_status):
        return po  # cancelled (or sent) meanwhile by another request
    if stops:
        po.price_check_at = None
        po.approval_reason = (
            f"price not confirmed: the distributor's price check failed {po.price_checks} "
            f"time(s), the last: {why}"
        )
        move(po, POStatus.AWAITING_APPROVAL, source, ctx.actor,
              f"{po.approval_reason}: nothing sent; needs an admin's approval")  # fmt: skip
    else:
        delay = ctx.settings.price_check_retry_s * 2 ** (po.price_checks - 1)
        po.price_check_at = utcnow() + timedelta(seconds=delay)
        event(po, source, ctx.actor,
               f"price not confirmed ({why}): nothing sent; checking again in {delay:.0f} s "
               f"(retry {po.price_checks} of {retries})")  # fmt: skip
    if audited:
        audit_act(session, po, ctx, "po.submitted")
    await session.commit()
    return po


async def _check_prices(po: PurchaseOrder, adapter: Supplier, tolerance: Decimal) -> _PriceCheck:
    """Each line's current price against the expected one (set to the current one where the
    buyer gave none: what they see now is what they expect)."""
    if po.quote_number:
        return await _check_quote(po, adapter, tolerance)
    check = _PriceCheck()
    try:
        offers = await adapter.price_and_availability([line.sku for line in po.lines])
    except SupplierError as exc:
        check.failed = str(exc)
        return check
    for line, offer in zip(po.lines, offers, strict=True):
        if offer.status is OfferStatus.ERROR:
            check.failed = f"{line.sku}: {offer.error or 'the distributor could not price it'}"
        elif offer.status is OfferStatus.UNKNOWN:
            check.unconfirmed.append(f"{line.sku} is unknown to the distributor")
        elif offer.price is None:
            check.unconfirmed.append(f"{line.sku} has no price at the distributor")
        else:
            _compare(line, offer.price, tolerance, check)
    return check


async def _check_quote(po: PurchaseOrder, adapter: Supplier, tolerance: Decimal) -> _PriceCheck:
    """A quote's order is priced by the distributor from the quote, so the quote is what is
    confirmed: it must be readable now, hold every line, and not cost more than expected."""
    check = _PriceCheck()
    try:
        quote = await offered(adapter.quotes, adapter, "quotes").quote_details(
            po.quote_number or ""
        )
    except SupplierNotFound:
        check.unconfirmed.append(f"quote {po.quote_number} is not found at the distributor")
        return check
    except SupplierError as exc:
        check.failed = str(exc)
        return check
    prices = {x.sku.strip().upper(): x.price for x in quote.lines if x.sku and x.quantity > 0}
    if not prices:
        check.unconfirmed.append(f"quote {po.quote_number} has no lines to order")
    for line in po.lines:
        price = prices.get(line.sku)
        if price is None:
            check.unconfirmed.append(f"{line.sku} has no price in quote {po.quote_number}")
        else:
            _compare(line, price, tolerance, check)
    return check


def _compare(line: POLine, price: Decimal, tolerance: Decimal, check: _PriceCheck) -> None:
    line.current_price = price
    if line.expected_price is None:
        line.expected_price = price
    elif drifted(line.expected_price, price, tolerance):
        check.rose.append(f"{line.sku} {_money(line.expected_price)} -> {_money(price)}")


def _money(value: Decimal) -> str:
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"


async def retry_price_checks(session: AsyncSession, ctx: Context) -> int:
    """The worker's round: check again the prices of every PO waiting for it now (and send
    those confirmed); answers how many were tried. A PO is taken for a while first, so two
    workers never check (and send) it at once, and one whose worker dies is tried again."""
    now = utcnow()
    due = list(
        await session.scalars(
            select(PurchaseOrder.id).where(
                PurchaseOrder.status == POStatus.DRAFT.value, PurchaseOrder.price_check_at <= now
            )
        )
    )
    tried = 0
    for po_id in due:
        taken = await session.execute(
            update(PurchaseOrder)
            .where(
                PurchaseOrder.id == po_id,
                PurchaseOrder.status == POStatus.DRAFT.value,
                PurchaseOrder.price_check_at <= now,
            )
            .values(price_check_at=now + timedelta(seconds=ctx.settings.submit_lease_s))
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        if not getattr(taken, "rowcount", 0):
            continue  # another worker has it
        po = await session.get(PurchaseOrder, po_id, populate_existing=True)
        if po is None:  # pragma: no cover - deleted meanwhile
            continue
        tried += 1
        try:
            async with sent_for(session, po):
                adapter = await po_adapter(session, po, ctx)
                await check_prices_then_send(session, po, adapter, ctx, "worker", audited=False)
        except DistyError:
            await session.rollback()
            continue  # taken until the lease ends, then tried again; no PO stops another
    return tried
