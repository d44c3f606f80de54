"""The pure merge of what a supplier says into a PO: its answer to placing the order, its
orders' states (lines, shipments, serials, invoices, status) and its answer to a change of
lines. No I/O: each function changes the PO in memory, the caller commits."""

from __future__ import annotations

from collections.abc import Iterable

from disty.db.models import POInvoice, POLine, POShipment, PurchaseOrder
from disty.domain.orders import ChangeKind, LineChange, OrderState, PlacedOrder, Shipment
from disty.domain.po_status import FINAL, POStatus
from disty.services.ordering._common import move


def apply_placed(po: PurchaseOrder, placed: PlacedOrder, actor: str) -> None:
    """Record the supplier's answer to the PO's order: its order numbers and refused lines,
    or only a confirmation number when the order number follows."""
    if placed.confirmation_number and not placed.order_numbers:
        po.confirmation_number = placed.confirmation_number
        move(
            po,
            POStatus.SUBMITTED,
            "submit",
            actor,
            f"accepted by the supplier with confirmation number {placed.confirmation_number}; "
            "the order number follows",
        )
        return
    for line in po.lines:
        if line.line_number in placed.rejected:
            line.rejected_reason = placed.rejected[line.line_number]
        if line.line_number in placed.line_notes:
            line.supplier_note = placed.line_notes[line.line_number]
    if not placed.order_numbers:
        po.failure_reason = "; ".join(placed.rejected.values()) or "no order was created"
        move(po, POStatus.FAILED, "submit", actor, f"every line refused: {po.failure_reason}")
        return
    po.supplier_order_numbers = list(placed.order_numbers)
    status = POStatus.ON_HOLD if po.hold_for_review else POStatus.SUBMITTED
    refused = f"; {len(placed.rejected)} line(s) refused" if placed.rejected else ""
    move(po, status, "submit", actor, f"placed as {', '.join(placed.order_numbers)}{refused}")


def awaiting_order(po: PurchaseOrder) -> bool:
    """A PO the supplier accepted with a confirmation number, whose order number (found by
    searching the supplier for the PO number) is not known yet."""
    return (
        po.confirmation_number is not None
        and po.status == POStatus.SUBMITTED.value
        and not po.supplier_order_numbers
    )


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
            if snapshot.note is not None:  # "" clears it (e.g. a back-order that shipped)
                line.supplier_note = snapshot.note or None
        add_shipments(po, state.shipments)
        add_invoices(po, state.invoices, state.order_number)
    if not states:
        return
    finals = [s.status for s in states if s.status in FINAL]
    if finals and len(finals) == len(states) and len(set(finals)) == 1:
        new = finals[0]
    else:
        # Several orders for one PO: it is as far along as its least advanced order, except
        # that one order shipped while another waits (a back-order, a line the supplier
        # reviews) is a PO partly shipped: its goods are on the way. A hold still shows, as it
        # waits for a person.
        moving = [s.status for s in states if s.status in _ORDER]
        new = min(moving, key=_ORDER.index) if moving else POStatus(po.status)
        if new in (POStatus.SUBMITTED, POStatus.BACKORDERED) and any(
            s in (POStatus.PARTLY_SHIPPED, POStatus.SHIPPED, POStatus.INVOICED) for s in moving
        ):
            new = POStatus.PARTLY_SHIPPED
    if new.value != po.status:
        shipped = sum(x.shipped_quantity for x in po.lines)
        move(
            po,
            new,
            source,
            actor,
            f"{new.value}: {shipped} shipped, {len(po.shipments)} package(s), "
            f"{len(po.invoices)} invoice(s)",
        )


def add_shipments(po: PurchaseOrder, shipments: Iterable[Shipment]) -> int:
    """Add the packages the PO does not hold yet (by tracking number and SKU), their serial
    numbers to their line (named by number, else by SKU: a line ordered by manufacturer part
    number ships under the supplier's SKU); answers how many were added (idempotent)."""
    by_sku = {line.sku: line for line in po.lines if not line.removed}
    by_number = {line.line_number: line for line in po.lines if not line.removed}
    known = {(s.tracking_number, s.sku) for s in po.shipments}
    added = 0
    for shipment in shipments:
        if (shipment.tracking_number, shipment.sku) in known:
            continue
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
        added += 1
        line = (
            by_number.get(shipment.line_number) if shipment.line_number is not None else None
        ) or by_sku.get(shipment.sku)
        if line is not None and shipment.serial_numbers:
            line.serial_numbers = sorted(set(line.serial_numbers) | set(shipment.serial_numbers))
    return added


def add_invoices(po: PurchaseOrder, numbers: Iterable[str], order_number: str | None) -> int:
    """Add the invoice numbers the PO does not hold yet; answers how many (idempotent)."""
    invoiced = {i.invoice_number for i in po.invoices}
    added = 0
    for number in numbers:
        if number not in invoiced:
            po.invoices.append(POInvoice(invoice_number=number, supplier_order_number=order_number))
            invoiced.add(number)
            added += 1
    return added


def mark_missing_lines(po: PurchaseOrder, states: list[OrderState]) -> None:
    """A supplier that accepts an order before placing it refuses lines in its later result;
    what polling sees is their absence."""
    numbers = {x.line_number for s in states for x in s.lines if x.line_number is not None}
    skus = {x.sku for s in states for x in s.lines}
    for line in po.lines:
        present = line.line_number in numbers or (not numbers and line.sku in skus)
        if not present and not line.removed and line.rejected_reason is None:
            line.rejected_reason = "not in the supplier's order: refused by the supplier"


def apply_changes(
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
