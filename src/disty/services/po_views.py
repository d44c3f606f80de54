"""A PO as clients see it (CLI --json, the JSON API): statuses in their documented spellings,
money as strings so no float ever rounds a price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from disty.db.models import PurchaseOrder
from disty.domain.po_status import POStatus
from disty.domain.polling import followed


def _money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"


def next_check_at(po: PurchaseOrder) -> datetime | None:
    """When the worker next asks the supplier about the PO; None when it does not follow it
    (waiting for a person, final) or has not scheduled it (polling off: webhooks alone)."""
    return po.next_check_at if followed(POStatus(po.status)) else None


def po_json(po: PurchaseOrder) -> dict[str, Any]:
    return {
        "po_number": po.po_number,
        "supplier": po.supplier,
        "country_id": po.country_id,
        "status": po.status,
        "supplier_order_numbers": po.supplier_order_numbers,
        "api_version": po.api_version,
        "confirmation_number": po.confirmation_number,
        "quote_number": po.quote_number,
        "hold_for_review": po.hold_for_review,
        "failure_reason": po.failure_reason,
        "approval_reason": po.approval_reason,
        "next_price_check_at": po.price_check_at.isoformat() if po.price_check_at else None,
        # When the supplier was last asked about the PO, and when the worker asks next (None:
        # nobody follows it: waiting for a person, or final).
        "last_checked_at": po.refreshed_at.isoformat() if po.refreshed_at else None,
        "next_check_at": next_check.isoformat() if (next_check := next_check_at(po)) else None,
        "approved_by": po.approved_by,
        # "assistant:<token name>#<id>" for a draft an AI assistant made (MCP); else None.
        "drafted_by": po.origin,
        "ship_to": po.ship_to,
        "end_user": po.end_user,
        "notes": po.notes,
        "lines": [
            {
                "line_number": line.line_number,
                "sku": line.sku,
                "quantity": line.quantity,
                "removed": line.removed,
                "expected_price": _money(line.expected_price),
                "current_price": _money(line.current_price),
                "shipped_quantity": line.shipped_quantity,
                "backordered_quantity": line.backordered_quantity,
                "serial_numbers": line.serial_numbers,
                "rejected_reason": line.rejected_reason,
                "supplier_order_number": line.supplier_order_number,
                "supplier_line_number": line.supplier_line_number,
            }
            for line in po.lines
        ],
        "shipments": [
            {
                "sku": s.sku,
                "carrier": s.carrier,
                "tracking_number": s.tracking_number,
                "tracking_url": s.tracking_url,
                "shipped_on": s.shipped_on,
                "quantity": s.quantity,
            }
            for s in po.shipments
        ],
        "invoices": [i.invoice_number for i in po.invoices],
        "timeline": [
            {
                "at": e.at.isoformat(),
                "source": e.source,
                "actor": e.actor,
                "status": e.status,
                "message": e.message,
            }
            for e in po.timeline
        ],
        "created_at": po.created_at.isoformat(),
        "updated_at": po.updated_at.isoformat(),
    }
