"""Recording a check of a PO at its supplier and when the worker asks next (the schedule
itself is domain/polling.py)."""

from __future__ import annotations

from datetime import datetime

from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain import polling
from disty.domain.po_status import POStatus
from disty.services.ordering._common import Context
from disty.suppliers import registry

# What a check may change that says the order is moving (the backoff starts over then).
Fingerprint = tuple[object, ...]


def fingerprint(po: PurchaseOrder) -> Fingerprint:
    return (
        po.status,
        tuple(sorted(po.supplier_order_numbers or [])),
        tuple((line.line_number, line.shipped_quantity) for line in po.lines),
        len(po.shipments),
        len(po.invoices),
    )


def has_webhooks(supplier: str) -> bool:
    return registry.get(supplier).webhooks is not None


def checked(po: PurchaseOrder, ctx: Context, *, changed: bool) -> None:
    """The supplier was just asked about the PO: note when, and when to ask next."""
    now = utcnow()
    previous = None
    if po.refreshed_at and po.next_check_at and po.next_check_at > po.refreshed_at:
        previous = po.next_check_at - po.refreshed_at
    po.refreshed_at = now
    po.next_check_at = polling.next_check(
        ctx.polling, POStatus(po.status), now=now, webhooks=has_webhooks(po.supplier),
        changed=changed, previous=previous,
    )  # fmt: skip


def after_failure(po: PurchaseOrder, ctx: Context, now: datetime) -> datetime | None:
    """When to ask again about a PO whose check just failed."""
    return polling.after_failure(
        ctx.polling, POStatus(po.status), now=now, webhooks=has_webhooks(po.supplier),
        last_checked=po.refreshed_at,
    )  # fmt: skip
