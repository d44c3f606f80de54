"""A person's actions on a PO, as the CLI, the console and the API take them by the PO's
number: approve a price, release or cancel a hold, modify the lines of a PO on hold."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain.orders import ChangeKind, LineChange
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput
from disty.services.ordering._common import (
    Context,
    audit_act,
    event,
    move,
    po_adapter,
    state,
    still,
)
from disty.services.ordering._merge import apply_changes, apply_states
from disty.services.ordering._outbox import dispatch
from disty.services.ordering._refresh import refresh
from disty.services.ordering._tracking import apply_current_states
from disty.services.po_lookup import find_po
from disty.suppliers import registry
from disty.suppliers.base import Capability
from disty.suppliers.errors import SupplierError

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


async def approve(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    if po.status != POStatus.AWAITING_APPROVAL.value:
        raise InvalidInput(f"PO {po.po_number} is {state(po)}, not awaiting approval")
    if not await still(session, po, (POStatus.AWAITING_APPROVAL,), POStatus.SUBMITTING):
        raise InvalidInput(f"PO {po.po_number} is {state(po)} now, not awaiting approval")
    po.approved_by = ctx.actor
    move(po, POStatus.SUBMITTING, "person", ctx.actor, "price approved; queued for the supplier")
    audit_act(session, po, ctx, "po.approved")
    await session.commit()
    return await dispatch(session, po, await po_adapter(session, po, ctx), ctx)


async def release(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    if po.status != POStatus.ON_HOLD.value:
        raise InvalidInput(f"PO {po.po_number} is {state(po)}: only a PO on hold can be released")
    adapter = await po_adapter(session, po, ctx)
    try:
        for number in po.supplier_order_numbers:
            await adapter.release_order(number)
    except SupplierError as exc:
        raise InvalidInput(
            f"the supplier refused to release PO {po.po_number}: {exc}{_late(exc, po)}"
        ) from None
    event(po, "person", ctx.actor, "released")
    audit_act(session, po, ctx, "po.released")
    await session.commit()
    return await refresh(session, po, ctx)


async def cancel(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> PurchaseOrder:
    status = POStatus(po.status)
    if status in (POStatus.DRAFT, POStatus.AWAITING_APPROVAL):
        if not await still(
            session, po, (POStatus.DRAFT, POStatus.AWAITING_APPROVAL), POStatus.CANCELLED
        ):
            raise InvalidInput(
                f"PO {po.po_number} changed meanwhile and is {state(po)} now: it can no "
                "longer be cancelled this way; refresh it to see its state"
            )
        move(po, POStatus.CANCELLED, "person", ctx.actor, "cancelled before it was sent")
        audit_act(session, po, ctx, "po.cancelled")
        await session.commit()
        return po
    if status is not POStatus.ON_HOLD:
        raise InvalidInput(
            f"PO {po.po_number} is {state(po)}: the supplier cancels only orders still on "
            "customer hold (held for review and not released)"
        )
    adapter = await po_adapter(session, po, ctx)
    try:
        for number in po.supplier_order_numbers:
            await adapter.cancel_order(number)
    except SupplierError as exc:
        raise InvalidInput(
            f"the supplier refused to cancel PO {po.po_number}: {exc}{_late(exc, po)}"
        ) from None
    move(po, POStatus.CANCELLED, "person", ctx.actor, "cancelled at the supplier")
    audit_act(session, po, ctx, "po.cancelled")
    await session.commit()
    return po


def _hold_rule(po: PurchaseOrder) -> str:
    """When the PO's supplier still lets its order be changed (the supplier's own words)."""
    return registry.get(po.supplier).hold_rule


def _late(exc: SupplierError, po: PurchaseOrder) -> str:
    if exc.status in (400, 405):
        return f". {_hold_rule(po)}; refresh the PO to see its state"
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
    changes and applies the others (a partial success): the refused ones are answered with their
    reasons and written in the timeline.
    """
    if po.status != POStatus.ON_HOLD.value:
        raise InvalidInput(f"PO {po.po_number} is {state(po)}: only a PO on hold can be modified")
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

    adapter = await po_adapter(session, po, ctx)
    if Capability.ORDER_MODIFY not in adapter.capabilities:
        raise InvalidInput(f"{adapter.name} does not let orders be changed once placed")
    # The supplier names existing lines its own way, and the order may have left the hold
    # since the last poll: read it as it is now.
    states = await adapter.order_states(po.po_number, po.supplier_order_numbers)
    apply_states(po, states, "poll", ctx.actor)
    po.refreshed_at = utcnow()
    await session.commit()
    if po.status != POStatus.ON_HOLD.value:
        raise InvalidInput(
            f"PO {po.po_number} is no longer on hold at the supplier (it is {state(po)}). "
            f"{_hold_rule(po)}"
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
            result.refused += apply_changes(po, order_number, group, answer.rejected,
                                             answer.supplier_line_numbers)  # fmt: skip
    except SupplierError as exc:
        await session.commit()  # what an earlier order of the PO accepted stays recorded
        raise InvalidInput(
            f"the supplier refused to modify PO {po.po_number}: {exc}{_late(exc, po)}"
        ) from None
    refused_lines = {change.line_number for change, _ in result.refused}
    done = [c.describe() for c in _flat(grouped) if c.line_number not in refused_lines]
    message = "modified: " + ("; ".join(done) or "nothing")
    if result.refused:
        message += " | refused: " + "; ".join(f"{c.describe()}: {why}" for c, why in result.refused)
    event(po, "person", ctx.actor, message)
    audit_act(session, po, ctx, "po.modified")
    await session.commit()
    # Confirmed and back-ordered quantities follow the changes.
    await apply_current_states(session, po, adapter, "poll", ctx)
    return result


def _flat(grouped: dict[str, list[LineChange]]) -> list[LineChange]:
    return [change for group in grouped.values() for change in group]
