"""Saving a PO and sending it: the PO number is the idempotency key (the same PO again is
answered as it is, a failed one corrected and sent again), and a PO left ``draft`` or
``submitting`` is taken up again from here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import POLine, PurchaseOrder
from disty.domain.countries import country_site
from disty.domain.orders import (
    Address,
    validate_address,
    validate_address_limits,
    validate_po_number,
)
from disty.domain.po_status import POStatus
from disty.errors import Conflict, InvalidInput
from disty.services.connections import get_connection
from disty.services.ordering._common import Context, event, po_adapter, state, still
from disty.services.ordering._outbox import dispatch
from disty.services.ordering._prices import check_prices_then_send
from disty.services.ordering._refresh import refresh
from disty.services.tenants import get_tenant
from disty.suppliers import registry
from disty.suppliers.base import Capability
from disty.suppliers.errors import SupplierError
from disty.suppliers.registry import Registration


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    expected_price: Decimal | None = None
    special_bid: str | None = None


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
    requisition_id: int | None = None,
    send: bool = True,
    origin: str | None = None,
) -> tuple[PurchaseOrder, bool]:
    """Save the PO, check prices, and send it; answers the PO and whether this call made it.

    The PO number is the idempotency key. The same PO again is answered as it is, placing
    nothing new (one left ``draft`` by a request that died before queueing it is sent; one
    left ``submitting`` is taken up again: the outbox searches the supplier before it sends).
    A ``failed`` PO (refused, nothing placed) is replaced by what is given now and sent again,
    the supplier searched first. Anything else under an existing number is a ``Conflict``, and
    so is losing the race to create the PO to another request.

    ``api_version`` names one of the supplier's order APIs (its registration's
    ``order_apis``, the first by default); a quote is ordered through the one that orders
    quotes, at the quote's prices, its lines taken from the quote when none are given.
    ``requisition_id`` links a new PO to the requisition it is placed for (saved with it).
    ``send=False`` saves a new PO as a draft that a person (or a guarded assistant) sends
    later (``send_draft``); ``origin`` records who drafted it when it was not a person. A
    draft never sends anything: not even a ``failed`` PO under its number (a Conflict).
    """
    po_number = validate_po_number(po_number)
    quote_number = (quote_number or "").strip() or None
    registration = registry.get(supplier)
    _can_order(registration, hold)
    version = _order_api(registration, api_version, quote_number)
    if not lines and not quote_number:
        raise InvalidInput(
            "a PO needs at least one line: --line SKU=QTY[@PRICE]",
            console="a PO needs at least one line",
        )
    validate_address(ship_to, "ship_to")
    _can_ship_to(registration, ship_to)
    validate_address_limits(ship_to, registration.address_limits, registration.name, "ship_to")
    if end_user is not None:
        validate_address(end_user, "end_user")
        validate_address_limits(
            end_user, registration.address_limits, registration.name, "end_user"
        )
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
        return await _again(session, ctx, existing, content, send), False
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
        requisition_id=requisition_id,
        origin=origin,
    )
    _fill(po, content)
    session.add(po)
    event(po, "person", ctx.actor, "PO saved" if send else "PO drafted: a person submits it")
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
    if not send:
        return po, True

    adapter = ctx.suppliers.adapter(connection)
    await check_prices_then_send(session, po, adapter, ctx, "submit")
    return po, True


def _can_order(registration: Registration, hold: bool) -> None:
    """Refuse, before anything is saved, what the supplier cannot do with an order at all."""
    if Capability.ORDER_CREATE not in registration.capabilities:
        raise InvalidInput(
            f"{registration.name} takes no orders through its API: place the order on its own site",
            field="supplier",
        )
    if hold and Capability.ORDER_HOLD not in registration.capabilities:
        raise InvalidInput(
            f"{registration.name} has no customer hold: its orders are processed as soon as "
            "they are placed. Send the PO without hold, once it is ready to ship",
            field="hold",
        )


def _can_ship_to(registration: Registration, address: Address) -> None:
    stored_only = address.address_id and not (address.company or address.street)
    if stored_only and not registration.stored_addresses:
        raise InvalidInput(
            f"{registration.name} keeps no ship-to addresses for disty to name by id: "
            "give the whole address",
            field="ship_to",
        )


def _order_api(
    registration: Registration, api_version: str | None, quote_number: str | None
) -> str:
    """The supplier's order API for a PO, as the PO stores it ("" for a supplier with one)."""
    apis = registration.order_apis
    value = (
        api_version
        or (registration.quote_order_api if quote_number else None)
        or (apis[0] if apis else "")
    )
    version = value.strip().lower()
    if version not in apis and (version or apis):
        hint = (
            f"use {' or '.join(apis)}"
            if apis
            else f"{registration.name} has one order API: leave out --api"
        )
        console = f"use {' or '.join(apis)}" if apis else f"{registration.name} has one order API"
        raise InvalidInput(
            f"unknown API version {value!r}: {hint}",
            field="api",
            console=f"unknown API version {value!r}: {console}",
        )
    quote_api = registration.quote_order_api
    if quote_number and quote_api is not None and version != quote_api:
        raise InvalidInput(
            f"a quote is ordered through {registration.name}'s {quote_api} API: "
            f"leave out --api {version}",
            console=f"a quote is ordered through {registration.name}'s {quote_api} API, "
            f"not {version}",
        )
    return version


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
    session: AsyncSession, ctx: Context, po: PurchaseOrder, content: _Content, send: bool
) -> PurchaseOrder:
    """A submission under the number of an existing PO."""
    if po.status == POStatus.FAILED.value:
        if not send:
            # Sending it again is an order: a draft (an assistant's) must not place one.
            raise Conflict(
                f"PO {po.po_number} failed ({po.failure_reason or 'refused'}): a person "
                "corrects it and sends it again, or use a new PO number for a draft"
            )
        return await _send_again(session, ctx, po, content)
    if not content.same_as(po):
        taken = f"PO number {po.po_number} is taken by another PO ({state(po)}, with other lines "
        raise Conflict(
            taken + "or addresses): use a new PO number, or read that one with 'disty order show'",
            console=taken + "or addresses): use a new PO number, or open that one under "
            "Purchase orders",
        )
    if (
        send
        and po.status == POStatus.DRAFT.value
        and po.origin is None
        and po.price_check_at is None
        and not po.price_checks
    ):
        # A retry of a request that died between saving the PO and queueing it (its replica
        # killed): carried on from there, as a requisition's next run does. A draft made on
        # purpose (``origin``: an assistant's) waits for its person, whoever asks again.
        return await send_draft(session, po, ctx)
    if po.status == POStatus.SUBMITTING.value:
        # A retry of a send that was interrupted: take it up (only once its sender's lease
        # has run out; the supplier is searched before anything is sent again).
        try:
            return await dispatch(session, po, await po_adapter(session, po, ctx), ctx)
        except SupplierError:
            return po  # still unknown: the worker takes it up later
    return po  # placing nothing new: the PO number is the idempotency key


async def _send_again(
    session: AsyncSession, ctx: Context, po: PurchaseOrder, content: _Content
) -> PurchaseOrder:
    """Send a failed PO again, corrected as given now. The supplier refused it, so nothing
    was placed; and since it was sent before (``submit_attempts``), the outbox searches the
    supplier for the PO number before it sends: an order found is recorded, never doubled."""
    if not await still(session, po, (POStatus.FAILED,), POStatus.DRAFT):
        raise Conflict(
            f"PO {po.po_number} is being sent again by another request: read it with "
            "'disty order show' rather than sending it again",
            console=f"PO {po.po_number} is being sent again by another request: open it "
            "under Purchase orders rather than sending it again",
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
    event(po, "person", ctx.actor, "failed PO corrected and submitted again")
    await session.commit()
    adapter = await po_adapter(session, po, ctx)
    return await check_prices_then_send(session, po, adapter, ctx, "submit")


async def send_draft(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """Send a PO left ``draft``: saved, but never queued (the process stopped, or the
    connection could not be used, between saving it and checking its prices). Submitting its
    PO number again answers it as it is, so this is the way on: the prices are checked now,
    as ``submit`` does, then it is sent."""
    if po.status != POStatus.DRAFT.value:
        raise InvalidInput(f"PO {po.po_number} is {state(po)}: only a draft PO is sent this way")
    adapter = await po_adapter(session, po, ctx)
    return await check_prices_then_send(session, po, adapter, ctx, "person")


async def resume(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """Finish sending a PO left ``submitting`` (the outbox searches before it resends): the
    API's submit."""
    if po.status != POStatus.SUBMITTING.value:
        raise InvalidInput(f"PO {po.po_number} is {state(po)}: only a PO being sent is resumed")
    return await refresh(session, po, ctx)


async def send_or_resume(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    """Send a draft PO (saved but never queued), or finish sending one left ``submitting`` (as
    ``resume`` does): the console's Submit."""
    if po.status == POStatus.DRAFT.value:
        return await send_draft(session, po, ctx)
    if po.status != POStatus.SUBMITTING.value:
        raise InvalidInput(
            f"PO {po.po_number} is {state(po)}: only a draft PO or one being sent is submitted"
        )
    return await refresh(session, po, ctx)
