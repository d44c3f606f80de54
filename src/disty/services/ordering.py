"""Purchase orders that are never placed twice, followed to shipment and invoice.

The outbox: a PO is saved first; moving it to ``submitting`` is committed before anything is
sent, and so is each send (``submit_attempts``). If a send times out, its connection drops, or
the process dies before the answer is recorded, the PO stays ``submitting``; whoever picks it
up next (a retry, ``disty order refresh``, the worker) first asks the supplier for orders with
that PO number and only sends again if there are none. So the distributor holds at most one
order per PO whatever fails, and the PO reaches ``submitted`` without anyone acting.

Asynchronous (Ingram v7) orders: the supplier answers a confirmation number, and the PO is
``submitted`` with it before any order exists. The order number is then found by searching the
supplier for the PO number (``settle_v7``: polling, or a webhook's hint); a refusal announced
by the supplier fails the PO only once a search confirms there is no order (``v7_refused``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import POEvent, POInvoice, POLine, POShipment, PurchaseOrder
from disty.domain.countries import country_site
from disty.domain.offers import OfferStatus
from disty.domain.orders import (
    FINAL,
    Address,
    ChangeKind,
    LineChange,
    OrderLine,
    OrderRequest,
    OrderState,
    POStatus,
    drifted,
    validate_address,
    validate_api_version,
    validate_po_number,
)
from disty.errors import Conflict, DistyError, InvalidInput, NotFound
from disty.services import audit
from disty.services.connections import get_connection
from disty.services.suppliers import Suppliers, offered
from disty.services.tenants import get_tenant
from disty.suppliers.base import Capability, Supplier
from disty.suppliers.errors import NotFound as SupplierNotFound
from disty.suppliers.errors import RequestRejected, SupplierError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    expected_price: Decimal | None = None
    special_bid: str | None = None


@dataclass(frozen=True)
class Context:
    """What the ordering use cases need besides a session: how to reach suppliers, and who
    acts (for the PO's timeline and the audit log)."""

    suppliers: Suppliers
    actor: str

    @property
    def settings(self) -> Settings:
        return self.suppliers.settings

    async def adapter(
        self,
        session: AsyncSession,
        *,
        shortcut: str,
        country_id: int,
        supplier: str,
        need: Capability,
        what: str,
    ) -> Supplier:
        """The tenant's adapter for one supplier and country, refusing clearly when that
        supplier cannot do ``what`` (capability ``need``) at all."""
        context = await self.suppliers.context(
            session, shortcut=shortcut, supplier=supplier, country_id=country_id, need=need,
            what=what,
        )  # fmt: skip
        return context.adapter


def _event(po: PurchaseOrder, source: str, actor: str, message: str) -> None:
    po.timeline.append(POEvent(source=source, actor=actor, status=po.status, message=message))


def _audit(session: AsyncSession, po: PurchaseOrder, ctx: Context, action: str) -> None:
    """The audit log's entry for a person's (or client's) act on a PO; committed with it."""
    audit.record(
        session, tenant_id=po.tenant_id, actor=ctx.actor, action=action,
        target=f"PO {po.po_number} ({po.supplier})", details={"status": po.status},
    )  # fmt: skip


def _move(po: PurchaseOrder, status: POStatus, source: str, actor: str, message: str) -> None:
    po.status = status.value
    _event(po, source, actor, message)


async def _still(
    session: AsyncSession, po: PurchaseOrder, was: tuple[POStatus, ...], now: POStatus
) -> bool:
    """Move the PO from one of ``was`` to ``now`` in the database, only if it is still there.

    A person's cancel and the sending of the same PO (the worker's price round, a buyer's
    submit, an admin's approval) run in different requests, each on the PO as it read it; a
    plain write would let the later one overwrite the other, and a cancelled PO be placed.
    This conditional update lets exactly one of them win. False: another request moved the
    PO first; its pending changes here are dropped and it is read again as it is now."""
    moved = await session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == po.id, PurchaseOrder.status.in_([s.value for s in was]))
        .values(status=now.value)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0):
        return True
    await session.rollback()
    await session.refresh(po)
    return False


async def _adapter(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> Supplier:
    context = await ctx.suppliers.context_by_tenant_id(
        session, tenant_id=po.tenant_id, supplier=po.supplier, country_id=po.country_id
    )
    return context.adapter


async def find_po(
    session: AsyncSession,
    *,
    shortcut: str,
    po_number: str,
    supplier: str | None = None,
    country_id: int | None = None,
) -> PurchaseOrder:
    tenant = await get_tenant(session, shortcut)
    query = select(PurchaseOrder).where(
        PurchaseOrder.tenant_id == tenant.id, PurchaseOrder.po_number == po_number
    )
    if supplier is not None:
        query = query.where(PurchaseOrder.supplier == supplier)
    if country_id is not None:
        query = query.where(PurchaseOrder.country_id == country_id)
    found = list(await session.scalars(query))
    if not found:
        raise NotFound(
            f"no PO {po_number!r} for tenant {shortcut!r}: list them with 'disty order list'"
        )
    if len(found) > 1:
        raise InvalidInput(
            f"PO {po_number!r} exists for several suppliers: name one with --supplier"
        )
    return found[0]


async def list_pos(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int | None = None,
    status: str | None = None,
) -> list[PurchaseOrder]:
    tenant = await get_tenant(session, shortcut)
    query = select(PurchaseOrder).where(PurchaseOrder.tenant_id == tenant.id)
    if country_id is not None:
        query = query.where(PurchaseOrder.country_id == country_site(country_id).id)
    if status is not None:
        query = query.where(PurchaseOrder.status == POStatus(status).value)
    return list(await session.scalars(query.order_by(PurchaseOrder.created_at, PurchaseOrder.id)))


# A person's action on one PO (approve, release, cancel, refresh...), as the CLI, the console
# and the API take it by the PO's number.
Action = Callable[[AsyncSession, PurchaseOrder, Context], Awaitable[PurchaseOrder]]


async def act(
    session: AsyncSession,
    ctx: Context,
    action: Action,
    *,
    shortcut: str,
    po_number: str,
    supplier: str | None = None,
    country_id: int | None = None,
) -> PurchaseOrder:
    """Take an action on the tenant's PO with this number (see ``find_po``)."""
    po = await find_po(
        session, shortcut=shortcut, po_number=po_number, supplier=supplier, country_id=country_id
    )
    return await action(session, po, ctx)


async def submit(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    po_number: str,
    lines: list[LineInput],
    ship_to: Address,
    hold: bool = False,
    notes: str | None = None,
    api_version: str | None = None,
    quote_number: str | None = None,
    end_user: Address | None = None,
) -> PurchaseOrder:
    """Save the PO, check prices, and send it (see ``place``, which also says whether this
    call created the PO)."""
    po, _ = await place(
        session, ctx, shortcut=shortcut, country_id=country_id, supplier=supplier,
        po_number=po_number, lines=lines, ship_to=ship_to, hold=hold, notes=notes,
        api_version=api_version, quote_number=quote_number, end_user=end_user,
    )  # fmt: skip
    return po


@dataclass(frozen=True)
class _Content:
    """What a submission asks for, to tell a retry of a PO from another PO under its number."""

    lines: list[LineInput]
    ship_to: Address
    end_user: Address | None
    hold: bool
    notes: str | None
    api_version: str
    quote_number: str | None

    def same_as(self, po: PurchaseOrder) -> bool:
        if (
            po.ship_to != self.ship_to.to_dict()
            or po.end_user != (self.end_user.to_dict() if self.end_user else None)
            or po.hold_for_review != self.hold
            or (po.notes or None) != (self.notes or None)
            or po.api_version != self.api_version
            or po.quote_number != self.quote_number
        ):
            return False
        if not self.lines and self.quote_number:
            return True  # a quote's lines: the PO holds them once the supplier placed it
        if len(po.lines) != len(self.lines):
            return False
        return all(
            saved.sku == given.sku.strip().upper()
            and saved.quantity == given.quantity
            and (saved.special_bid or None) == (given.special_bid or None)
            # No price given means "the price now", which the PO then holds as expected.
            and (given.expected_price is None or saved.expected_price == given.expected_price)
            for saved, given in zip(po.lines, self.lines, strict=True)
        )


async def place(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    po_number: str,
    lines: list[LineInput],
    ship_to: Address,
    hold: bool = False,
    notes: str | None = None,
    api_version: str | None = None,
    quote_number: str | None = None,
    end_user: Address | None = None,
) -> tuple[PurchaseOrder, bool]:
    """Save the PO, check prices, and send it; answers the PO and whether this call made it.

    The PO number is the idempotency key. The same PO again is answered as it is, placing
    nothing (one left ``submitting`` is taken up again: the outbox searches the supplier
    before it sends). A ``failed`` PO (refused, nothing placed) is replaced by what is given
    now and sent again, the supplier searched first. Anything else under an existing number
    is a ``Conflict``, and so is losing the race to create the PO to another request.

    ``api_version`` is ``v6`` (the default) or ``v7`` (asynchronous); a quote is ordered
    through v7 at the quote's prices, its lines taken from the quote when none are given.
    """
    po_number = validate_po_number(po_number)
    quote_number = (quote_number or "").strip() or None
    version = validate_api_version(api_version or ("v7" if quote_number else "v6"))
    if quote_number and version != "v7":
        raise InvalidInput("a quote is ordered through Ingram's v7 API: leave out --api v6")
    if not lines and not quote_number:
        raise InvalidInput("a PO needs at least one line: --line SKU=QTY[@PRICE]")
    validate_address(ship_to, "ship_to")
    if end_user is not None:
        validate_address(end_user, "end_user")
    for line in lines:
        if line.quantity < 1:
            raise InvalidInput(f"invalid quantity {line.quantity} for {line.sku}: use 1 or more")
    content = _Content(lines, ship_to, end_user, hold, notes, version, quote_number)
    tenant = await get_tenant(session, shortcut)
    existing = await session.scalar(
        select(PurchaseOrder).where(
            PurchaseOrder.tenant_id == tenant.id,
            PurchaseOrder.supplier == supplier,
            PurchaseOrder.po_number == po_number,
        )
    )
    if existing is not None:
        return await _again(session, ctx, existing, content), False
    connection = await get_connection(session, tenant, supplier, country_id)
    po = PurchaseOrder(
        tenant_id=tenant.id,
        connection_id=connection.id,
        supplier=supplier,
        country_id=country_site(country_id).id,
        po_number=po_number,
        status=POStatus.DRAFT.value,
        supplier_order_numbers=[],
        shipments=[],
        invoices=[],
        timeline=[],
    )
    _fill(po, content)
    session.add(po)
    _event(po, "person", ctx.actor, "PO saved")
    try:
        await session.commit()
    except IntegrityError:
        # Another request saved this PO number a moment ago: it is that request's PO.
        await session.rollback()
        raise Conflict(
            f"PO {po_number} was created by another request at the same moment; nothing was "
            f"placed by this one. Read it (disty order show, GET /api/v1/pos/{po_number}) "
            "rather than sending it again"
        ) from None

    adapter = ctx.suppliers.adapter(connection)
    await _check_prices_then_send(session, po, adapter, ctx, "submit")
    return po, True


def _fill(po: PurchaseOrder, content: _Content) -> None:
    """The PO's content as submitted (lines numbered from 1)."""
    po.hold_for_review = content.hold
    po.ship_to = content.ship_to.to_dict()
    po.end_user = content.end_user.to_dict() if content.end_user is not None else None
    po.notes = content.notes
    po.api_version = content.api_version
    po.quote_number = content.quote_number
    po.lines = [
        POLine(
            line_number=n,
            sku=line.sku.strip().upper(),
            quantity=line.quantity,
            expected_price=line.expected_price,
            special_bid=line.special_bid,
            serial_numbers=[],
        )
        for n, line in enumerate(content.lines, start=1)
    ]


async def _again(
    session: AsyncSession, ctx: Context, po: PurchaseOrder, content: _Content
) -> PurchaseOrder:
    """A submission under the number of an existing PO."""
    if po.status == POStatus.FAILED.value:
        return await _send_again(session, ctx, po, content)
    if not content.same_as(po):
        raise Conflict(
            f"PO number {po.po_number} is taken by another PO ({po.status}, with other lines "
            "or addresses): use a new PO number, or read that one with 'disty order show'"
        )
    if po.status == POStatus.SUBMITTING.value:
        # A retry of a send that was interrupted: take it up (only once its sender's lease
        # has run out; the supplier is searched before anything is sent again).
        try:
            return await dispatch(session, po, await _adapter(session, po, ctx), ctx)
        except SupplierError:
            return po  # still unknown: the worker takes it up later
    return po  # placing nothing new: the PO number is the idempotency key


async def _send_again(
    session: AsyncSession, ctx: Context, po: PurchaseOrder, content: _Content
) -> PurchaseOrder:
    """Send a failed PO again, corrected as given now. The supplier refused it, so nothing
    was placed; and since it was sent before (``submit_attempts``), the outbox searches the
    supplier for the PO number before it sends: an order found is recorded, never doubled."""
    if not await _still(session, po, (POStatus.FAILED,), POStatus.DRAFT):
        raise Conflict(
            f"PO {po.po_number} is being sent again by another request: read it with "
            "'disty order show' rather than sending it again"
        )
    await session.commit()
    await session.refresh(po)
    po.lines = []
    await session.flush()  # the old lines go before new ones take their numbers
    _fill(po, content)
    po.failure_reason = po.approval_reason = po.approved_by = po.confirmation_number = None
    po.supplier_order_numbers = []
    po.price_checks = 0
    po.price_check_at = None
    _event(po, "person", ctx.actor, "failed PO corrected and submitted again")
    await session.commit()
    adapter = await _adapter(session, po, ctx)
    return await _check_prices_then_send(session, po, adapter, ctx, "submit")


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


async def _check_prices_then_send(
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
        if not await _still(session, po, (POStatus.DRAFT,), POStatus.AWAITING_APPROVAL):
            return po  # cancelled (or sent) meanwhile by another request
        po.approval_reason = " | ".join(reasons)
        _move(po, POStatus.AWAITING_APPROVAL, source, ctx.actor,
              f"{po.approval_reason}: nothing sent; needs an admin's approval")  # fmt: skip
        if audited:
            _audit(session, po, ctx, "po.submitted")
        await session.commit()
        return po
    if not await _still(session, po, (POStatus.DRAFT,), POStatus.SUBMITTING):
        return po  # cancelled (or sent) meanwhile by another request
    _move(po, POStatus.SUBMITTING, source, ctx.actor, "queued for the supplier")
    if audited:
        _audit(session, po, ctx, "po.submitted")
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
    if not await _still(session, po, (POStatus.DRAFT,), next_status):
        return po  # cancelled (or sent) meanwhile by another request
    if stops:
        po.price_check_at = None
        po.approval_reason = (
            f"price not confirmed: the distributor's price check failed {po.price_checks} "
            f"time(s), the last: {why}"
        )
        _move(po, POStatus.AWAITING_APPROVAL, source, ctx.actor,
              f"{po.approval_reason}: nothing sent; needs an admin's approval")  # fmt: skip
    else:
        delay = ctx.settings.price_check_retry_s * 2 ** (po.price_checks - 1)
        po.price_check_at = utcnow() + timedelta(seconds=delay)
        _event(po, source, ctx.actor,
               f"price not confirmed ({why}): nothing sent; checking again in {delay:.0f} s "
               f"(retry {po.price_checks} of {retries})")  # fmt: skip
    if audited:
        _audit(session, po, ctx, "po.submitted")
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
            adapter = await _adapter(session, po, ctx)
            await _check_prices_then_send(session, po, adapter, ctx, "worker", audited=False)
        except DistyError:
            await session.rollback()
            continue  # taken until the lease ends, then tried again; no PO stops another
    return tried


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
            return await _send(session, po, adapter, ctx)
    finally:
        po.lease_until = None
        await session.commit()


@asynccontextmanager
async def _lease_kept(
    session: AsyncSession, po: PurchaseOrder, lease: timedelta
) -> AsyncIterator[None]:
    """Renew the PO's lease every third of it while a send is in flight.

    The HTTP layer retries (a token first, then the order), so one send may take several
    timeouts; a lease that ran out meanwhile would let another worker take the PO, search,
    find nothing yet and send it a second time. The renewal runs in its own session (the
    sender's is busy); if the process dies, renewals stop and the lease runs out as before.
    """
    engine = session.bind
    stop = asyncio.Event()

    async def renew() -> None:
        while not await _stopped(stop, lease.total_seconds() / 3):
            try:
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
            except SQLAlchemyError as exc:
                # The lease still covers one send (config.check); the next renewal may work.
                log.warning("could not renew the send lease of PO %s: %s", po.po_number, exc)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        stop.set()
        await task


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` unless ``stop`` is set first; answers whether it was."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


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
        lines=tuple(OrderLine(x.line_number, x.sku, x.quantity, x.special_bid) for x in po.lines),
        ship_to=Address.from_dict(po.ship_to),
        end_user=Address.from_dict(po.end_user, "end_user") if po.end_user else None,
        hold=po.hold_for_review,
        notes=po.notes,
        api_version=po.api_version,
        quote_number=po.quote_number,
    )
    try:
        placed = await adapter.place_order(request)
    except RequestRejected as exc:
        # Refused outright (400): nothing was placed.
        po.failure_reason = exc.supplier_message or str(exc)
        _move(po, POStatus.FAILED, "submit", ctx.actor, f"refused by the supplier: {exc}")
        return po
    except SupplierError as exc:
        _event(
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
    if placed.confirmation_number and not placed.order_numbers:
        po.confirmation_number = placed.confirmation_number
        _move(
            po,
            POStatus.SUBMITTED,
            "submit",
            ctx.actor,
            f"accepted by the supplier with confirmation number {placed.confirmation_number}; "
            "the order number follows",
        )
        return po
    for line in po.lines:
        if line.line_number in placed.rejected:
            line.rejected_reason = placed.rejected[line.line_number]
    if not placed.order_numbers:
        po.failure_reason = "; ".join(placed.rejected.values()) or "no order was created"
        _move(po, POStatus.FAILED, "submit", ctx.actor, f"every line refused: {po.failure_reason}")
        return po
    po.supplier_order_numbers = list(placed.order_numbers)
    status = POStatus.ON_HOLD if po.hold_for_review else POStatus.SUBMITTED
    refused = f"; {len(placed.rejected)} line(s) refused" if placed.rejected else ""
    _move(po, status, "submit", ctx.actor, f"placed as {', '.join(placed.order_numbers)}{refused}")
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
    _move(
        po,
        POStatus.SUBMITTED,
        "submit",
        ctx.actor,
        f"found at the supplier as {', '.join(found)}: not sent again",
    )
    await session.commit()
    await _apply_states(session, po, adapter, "poll", ctx.actor)


def _awaiting_order(po: PurchaseOrder) -> bool:
    """An asynchronous order the supplier confirmed but whose order number is not known yet."""
    return (
        po.api_version == "v7"
        and po.status == POStatus.SUBMITTED.value
        and not po.supplier_order_numbers
    )


async def settle_v7(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, *, source: str = "poll"
) -> PurchaseOrder:
    """Find the order of a confirmed v7 PO by searching the supplier for its PO number.

    Called by ``refresh`` (polling) and by the webhook processor when an async-order-create
    event arrives (``source="webhook"``; the event's body is only a hint, so the supplier is
    asked). No order yet: nothing changes. Any other PO is answered as it is.
    """
    if not _awaiting_order(po):
        return po
    return await _settle_v7(session, po, await _adapter(session, po, ctx), source, ctx.actor)


async def _settle_v7(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, source: str, actor: str
) -> PurchaseOrder:
    found = await adapter.find_orders(po.po_number)
    if not found:
        return po
    po.supplier_order_numbers = sorted(set(found))
    _event(po, source, actor, f"the supplier placed it as {', '.join(po.supplier_order_numbers)}")
    await session.commit()  # the order numbers are kept even if reading the detail fails
    states = [await adapter.order_state(n) for n in po.supplier_order_numbers]
    apply_states(po, states, source, actor)
    _mark_missing_lines(po, states)
    po.refreshed_at = utcnow()
    await session.commit()
    return po


def _mark_missing_lines(po: PurchaseOrder, states: list[OrderState]) -> None:
    """v7 refuses lines in its asynchronous result; what polling sees is their absence."""
    numbers = {x.line_number for s in states for x in s.lines if x.line_number is not None}
    skus = {x.sku for s in states for x in s.lines}
    for line in po.lines:
        present = line.line_number in numbers or (not numbers and line.sku in skus)
        if not present and not line.removed and line.rejected_reason is None:
            line.rejected_reason = "not in the supplier's order: refused by the supplier"


async def v7_refused(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, reason: str, *, source: str
) -> PurchaseOrder:
    """The supplier announced that a confirmed v7 order was refused: fail the PO with the
    reason, but only if a search for its PO number finds no order (the announcement is only
    a hint: an order found is recorded instead). Any other PO is answered as it is."""
    if not _awaiting_order(po):
        return po
    adapter = await _adapter(session, po, ctx)
    await _settle_v7(session, po, adapter, source, ctx.actor)
    if po.supplier_order_numbers:
        return po
    po.failure_reason = reason
    _move(po, POStatus.FAILED, source, ctx.actor, f"refused by the supplier: {reason}")
    await session.commit()
    return po


async def approve(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    if po.status != POStatus.AWAITING_APPROVAL.value:
        raise InvalidInput(f"PO {po.po_number} is {po.status}, not awaiting approval")
    if not await _still(session, po, (POStatus.AWAITING_APPROVAL,), POStatus.SUBMITTING):
        raise InvalidInput(f"PO {po.po_number} is {po.status} now, not awaiting approval")
    po.approved_by = ctx.actor
    _move(po, POStatus.SUBMITTING, "person", ctx.actor, "price approved; queued for the supplier")
    _audit(session, po, ctx, "po.approved")
    await session.commit()
    return await dispatch(session, po, await _adapter(session, po, ctx), ctx)


async def send_draft(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """Send a PO left ``draft``: saved, but never queued (the process stopped, or the
    connection could not be used, between saving it and checking its prices). Submitting its
    PO number again answers it as it is, so this is the way on: the prices are checked now,
    as ``submit`` does, then it is sent."""
    if po.status != POStatus.DRAFT.value:
        raise InvalidInput(f"PO {po.po_number} is {po.status}: only a draft PO is sent this way")
    adapter = await _adapter(session, po, ctx)
    return await _check_prices_then_send(session, po, adapter, ctx, "person")


async def resume(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """Finish sending a PO left ``submitting`` (the outbox searches before it resends): the
    API's submit."""
    if po.status != POStatus.SUBMITTING.value:
        raise InvalidInput(f"PO {po.po_number} is {po.status}: only a PO being sent is resumed")
    return await refresh(session, po, ctx)


async def send_or_resume(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """Send a draft PO (saved but never queued), or finish sending one left ``submitting`` (as
    ``resume`` does): the console's Submit."""
    if po.status == POStatus.DRAFT.value:
        return await send_draft(session, po, ctx)
    if po.status != POStatus.SUBMITTING.value:
        raise InvalidInput(
            f"PO {po.po_number} is {po.status}: only a draft PO or one being sent is submitted"
        )
    return await refresh(session, po, ctx)


async def release(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    if po.status != POStatus.ON_HOLD.value:
        raise InvalidInput(f"PO {po.po_number} is {po.status}: only a PO on hold can be released")
    adapter = await _adapter(session, po, ctx)
    try:
        for number in po.supplier_order_numbers:
            await adapter.release_order(number)
    except SupplierError as exc:
        raise InvalidInput(
            f"the supplier refused to release PO {po.po_number}: {exc}{_late(exc)}"
        ) from None
    _event(po, "person", ctx.actor, "released")
    _audit(session, po, ctx, "po.released")
    await session.commit()
    return await refresh(session, po, ctx)


async def cancel(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    status = POStatus(po.status)
    if status in (POStatus.DRAFT, POStatus.AWAITING_APPROVAL):
        if not await _still(
            session, po, (POStatus.DRAFT, POStatus.AWAITING_APPROVAL), POStatus.CANCELLED
        ):
            raise InvalidInput(
                f"PO {po.po_number} changed meanwhile and is {po.status} now: it can no "
                "longer be cancelled this way; refresh it to see its state"
            )
        _move(po, POStatus.CANCELLED, "person", ctx.actor, "cancelled before it was sent")
        _audit(session, po, ctx, "po.cancelled")
        await session.commit()
        return po
    if status is not POStatus.ON_HOLD:
        raise InvalidInput(
            f"PO {po.po_number} is {po.status}: the supplier cancels only orders still on "
            "customer hold (held for review and not released)"
        )
    adapter = await _adapter(session, po, ctx)
    try:
        for number in po.supplier_order_numbers:
            await adapter.cancel_order(number)
    except SupplierError as exc:
        raise InvalidInput(
            f"the supplier refused to cancel PO {po.po_number}: {exc}{_late(exc)}"
        ) from None
    _move(po, POStatus.CANCELLED, "person", ctx.actor, "cancelled at the supplier")
    _audit(session, po, ctx, "po.cancelled")
    await session.commit()
    return po


_HOLD_RULE = (
    "Ingram Micro modifies, releases or cancels an order only while it is on customer hold, "
    "within 24 hours of placing it (after that it is voided)"
)


def _late(exc: SupplierError) -> str:
    if exc.status in (400, 405):
        return f". {_HOLD_RULE}; refresh the PO to see its state"
    return ""


@dataclass
class Modification:
    """A modified PO and the changes the supplier refused, each with its reason."""

    po: PurchaseOrder
    refused: list[tuple[LineChange, str]] = field(default_factory=list)


async def modify(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, changes: Sequence[LineChange]
) -> Modification:
    """Add lines, change quantities or remove lines of a PO held for review.

    Added lines get the next line numbers (a refused one is kept with the supplier's reason,
    as at submission); a removed line is kept with quantity 0. The supplier refuses some
    changes and applies the others (Ingram's 207): the refused ones are answered with their
    reasons and written in the timeline.
    """
    if po.status != POStatus.ON_HOLD.value:
        raise InvalidInput(f"PO {po.po_number} is {po.status}: only a PO on hold can be modified")
    if not changes:
        raise InvalidInput("nothing to change: use --add SKU=QTY, --set LINE=QTY or --remove LINE")
    by_number = {line.line_number: line for line in po.lines}
    seen: set[int] = set()
    for change in changes:
        if change.kind is not ChangeKind.REMOVE and (change.quantity or 0) < 1:
            raise InvalidInput(f"invalid quantity {change.quantity} in {change.describe()}")
        if change.kind is ChangeKind.ADD:
            if not change.sku:
                raise InvalidInput("an added line needs a SKU: --add SKU=QTY")
            continue
        line = by_number.get(change.line_number or 0)
        if line is None or line.removed or line.rejected_reason is not None:
            raise InvalidInput(
                f"PO {po.po_number} has no line {change.line_number} at the supplier: "
                "see its lines with 'disty order show'"
            )
        if line.line_number in seen:
            raise InvalidInput(f"line {line.line_number} is changed twice: change it once")
        seen.add(line.line_number)

    adapter = await _adapter(session, po, ctx)
    if Capability.ORDER_MODIFY not in adapter.capabilities:
        raise InvalidInput(f"{adapter.name} does not let orders be changed once placed")
    # The supplier names existing lines its own way, and the order may have left the hold
    # since the last poll: read it as it is now.
    states = [await adapter.order_state(n) for n in po.supplier_order_numbers]
    apply_states(po, states, "poll", ctx.actor)
    po.refreshed_at = utcnow()
    await session.commit()
    if po.status != POStatus.ON_HOLD.value:
        raise InvalidInput(
            f"PO {po.po_number} is no longer on hold at the supplier (it is {po.status}). "
            f"{_HOLD_RULE}"
        )

    next_number = max(by_number, default=0) + 1
    grouped: dict[str, list[LineChange]] = {}
    for change in changes:
        if change.kind is ChangeKind.ADD:
            change = replace(change, line_number=next_number)
            next_number += 1
            order_number = po.supplier_order_numbers[0]
        else:
            line = by_number[change.line_number or 0]
            if not line.supplier_line_number or not line.supplier_order_number:
                raise InvalidInput(
                    f"the supplier's order does not show line {line.line_number} of PO "
                    f"{po.po_number}: refresh the PO and try again"
                )
            change = replace(change, supplier_line_number=line.supplier_line_number)
            order_number = line.supplier_order_number
        grouped.setdefault(order_number, []).append(change)

    result = Modification(po)
    try:
        for order_number, group in grouped.items():
            answer = await adapter.modify_order(order_number, group)
            result.refused += _apply_changes(po, order_number, group, answer.rejected,
                                             answer.supplier_line_numbers)  # fmt: skip
    except SupplierError as exc:
        await session.commit()  # what an earlier order of the PO accepted stays recorded
        raise InvalidInput(
            f"the supplier refused to modify PO {po.po_number}: {exc}{_late(exc)}"
        ) from None
    refused_lines = {change.line_number for change, _ in result.refused}
    done = [c.describe() for c in _flat(grouped) if c.line_number not in refused_lines]
    message = "modified: " + ("; ".join(done) or "nothing")
    if result.refused:
        message += " | refused: " + "; ".join(f"{c.describe()}: {why}" for c, why in result.refused)
    _event(po, "person", ctx.actor, message)
    _audit(session, po, ctx, "po.modified")
    await session.commit()
    # Confirmed and back-ordered quantities follow the changes.
    await _apply_states(session, po, adapter, "poll", ctx.actor)
    return result


def _flat(grouped: dict[str, list[LineChange]]) -> list[LineChange]:
    return [change for group in grouped.values() for change in group]


def _apply_changes(
    po: PurchaseOrder,
    order_number: str,
    changes: list[LineChange],
    rejected: dict[int, str],
    supplier_lines: dict[int, str],
) -> list[tuple[LineChange, str]]:
    by_number = {line.line_number: line for line in po.lines}
    refused: list[tuple[LineChange, str]] = []
    for change in changes:
        number = change.line_number or 0
        reason = rejected.get(number)
        if reason is not None:
            refused.append((change, reason))
        if change.kind is ChangeKind.ADD:
            # Kept even when refused, with the reason, as refused lines are at submission.
            po.lines.append(
                POLine(
                    line_number=number,
                    sku=change.sku or "",
                    quantity=change.quantity or 0,
                    rejected_reason=reason,
                    supplier_order_number=None if reason else order_number,
                    supplier_line_number=None if reason else supplier_lines.get(number),
                    serial_numbers=[],
                )
            )
        elif reason is None and change.kind is ChangeKind.SET:
            by_number[number].quantity = change.quantity or 0
        elif reason is None:
            by_number[number].quantity = 0  # removed: kept, with nothing ordered
            by_number[number].backordered_quantity = 0
    return refused


async def refresh(
    session: AsyncSession, po: PurchaseOrder, ctx: Context, *, source: str = "poll"
) -> PurchaseOrder:
    """Bring the PO up to date from the supplier (and finish an interrupted submission).

    Polling and webhooks both come here (``source`` says which, for the timeline): the state
    is always read from the supplier's order detail, never taken from a webhook's body.
    """
    adapter = await _adapter(session, po, ctx)
    if po.status == POStatus.SUBMITTING.value:
        return await dispatch(session, po, adapter, ctx)
    if _awaiting_order(po):
        return await _settle_v7(session, po, adapter, source, ctx.actor)
    if POStatus(po.status) in FINAL or not po.supplier_order_numbers:
        return po
    await _apply_states(session, po, adapter, source, ctx.actor)
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


async def _apply_states(
    session: AsyncSession, po: PurchaseOrder, adapter: Supplier, source: str, actor: str
) -> None:
    states: list[OrderState] = [await adapter.order_state(n) for n in po.supplier_order_numbers]
    # Two refreshes of one PO may run at once (two events of one order, or an event and the
    # poll); the later commit then meets the shipments or invoices the other just saved. Merging
    # is idempotent, so it is done again on the PO as now saved, adding only what is missing.
    for attempt in range(3):
        apply_states(po, states, source, actor)
        po.refreshed_at = utcnow()
        try:
            await session.commit()
            return
        except IntegrityError:
            await session.rollback()
            if attempt == 2:
                raise
            await session.refresh(po, ["lines", "shipments", "invoices", "timeline"])
            await session.refresh(po)


_ORDER = [
    POStatus.ON_HOLD,
    POStatus.SUBMITTED,
    POStatus.BACKORDERED,
    POStatus.PARTLY_SHIPPED,
    POStatus.SHIPPED,
    POStatus.INVOICED,
]


def apply_states(po: PurchaseOrder, states: list[OrderState], source: str, actor: str) -> None:
    """Merge what the supplier says into the PO (idempotent: applying twice changes nothing)."""
    if not po.lines:
        # A quote's order sent without lines: the supplier's order says what was ordered.
        snapshots = [x for state in states for x in state.lines]
        given = [x.line_number for x in snapshots]
        line_numbers = (
            [n for n in given if n is not None]
            if None not in given and len(set(given)) == len(given)
            else list(range(1, len(snapshots) + 1))  # the supplier's own are unusable
        )
        for line_number, snapshot in zip(line_numbers, snapshots, strict=True):
            po.lines.append(
                POLine(
                    line_number=line_number, sku=snapshot.sku, quantity=snapshot.quantity,
                    serial_numbers=[],
                )
            )  # fmt: skip
    by_line = {line.line_number: line for line in po.lines}
    by_sku = {line.sku: line for line in po.lines if not line.removed}
    for state in states:
        for snapshot in state.lines:
            line = (
                by_line.get(snapshot.line_number) if snapshot.line_number is not None else None
            ) or by_sku.get(snapshot.sku)
            if line is None:
                continue
            line.shipped_quantity = snapshot.shipped
            line.backordered_quantity = snapshot.backordered
            line.supplier_order_number = state.order_number
            if snapshot.supplier_line_number:
                line.supplier_line_number = snapshot.supplier_line_number
        known = {(s.tracking_number, s.sku) for s in po.shipments}
        for shipment in state.shipments:
            if (shipment.tracking_number, shipment.sku) not in known:
                po.shipments.append(
                    POShipment(
                        sku=shipment.sku,
                        carrier=shipment.carrier,
                        tracking_number=shipment.tracking_number,
                        tracking_url=shipment.tracking_url,
                        shipped_on=shipment.shipped_on,
                        quantity=shipment.quantity,
                    )
                )
                known.add((shipment.tracking_number, shipment.sku))
                line = by_sku.get(shipment.sku)
                if line is not None and shipment.serial_numbers:
                    line.serial_numbers = sorted(
                        set(line.serial_numbers) | set(shipment.serial_numbers)
                    )
        invoiced = {i.invoice_number for i in po.invoices}
        for number in state.invoices:
            if number not in invoiced:
                po.invoices.append(
                    POInvoice(invoice_number=number, supplier_order_number=state.order_number)
                )
                invoiced.add(number)
    if not states:
        return
    finals = [s.status for s in states if s.status in FINAL]
    if finals and len(finals) == len(states) and len(set(finals)) == 1:
        new = finals[0]
    else:
        # Several orders for one PO: it is as far along as its least advanced order.
        moving = [s.status for s in states if s.status in _ORDER]
        new = min(moving, key=_ORDER.index) if moving else POStatus(po.status)
    if new.value != po.status:
        shipped = sum(x.shipped_quantity for x in po.lines)
        _move(
            po,
            new,
            source,
            actor,
            f"{new.value}: {shipped} shipped, {len(po.shipments)} package(s), "
            f"{len(po.invoices)} invoice(s)",
        )
