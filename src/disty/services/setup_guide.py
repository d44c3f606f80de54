"""What the console shows about a connection: its status in the Supplier Status box, and the
supplier's set-up guide (when it has one), whose steps tick themselves as disty sees each done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models.orders import POInvoice, PurchaseOrder
from disty.domain.guide import GuideStep, SetupState
from disty.errors import ApiTypeNotAvailable
from disty.services.connections import ConnectionView
from disty.services.webhooks.refusals import WebhookHealth
from disty.suppliers.registry import Registration


@dataclass(frozen=True, slots=True)
class SupplierStatus:
    state: str  # connected, in_review, failing, not_configured
    label: str
    detail: str


def _saved(registration: Registration, view: ConnectionView) -> frozenset[str]:
    return frozenset(s.name for s in registration.settings if view.setting(s.name))


def _checks(result: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {str(c.get("name")): dict(c) for c in (result or {}).get("checks", [])}


def supplier_status(registration: Registration, view: ConnectionView | None) -> SupplierStatus:
    api_type = view.api_type if view else registration.default_api_type
    missing = [
        s.label
        for s in registration.settings
        if s.required_for and s.applies_to(api_type) and not (view and view.setting(s.name))
    ]
    if view is None or missing:
        return SupplierStatus(
            "not_configured", "not configured", f"Not saved yet: {', '.join(missing)}."
        )
    try:
        registration.factory(view.api_type)
    except ApiTypeNotAvailable as exc:
        return SupplierStatus("failing", "failing", str(exc))
    result = view.last_test_result
    if result is None:
        return SupplierStatus("failing", "not tested", "Saved, but Run Test has not run yet.")
    if result.get("ok"):
        return SupplierStatus("connected", "connected", "Every required check passed.")
    checks = _checks(result)
    review = checks.get(registration.review_check or "")
    if review is not None and review.get("status") == "fail":
        return SupplierStatus("in_review", "in review", str(review.get("detail") or ""))
    failed = [c for c in checks.values() if c.get("status") == "fail"]
    detail = str(failed[0].get("detail")) if failed else "A required check did not pass."
    return SupplierStatus("failing", "failing", detail)


@dataclass(frozen=True, slots=True)
class OrderEvidence:
    """What the connection's own POs show of its set-up."""

    orders_placed: int = 0  # POs the supplier accepted (it gave an order number)
    invoices_received: int = 0  # invoices recorded for the connection's POs


async def order_evidence(session: AsyncSession, connection_id: int) -> OrderEvidence:
    # supplier_order_numbers is a JSON list: a PO with an order number reads '["...'. The
    # cast to text compares the same on SQLite and PostgreSQL (whose json type has no "=").
    numbered = cast(PurchaseOrder.supplier_order_numbers, String).like('["%')
    placed = await session.scalar(
        select(func.count(PurchaseOrder.id)).where(
            PurchaseOrder.connection_id == connection_id, numbered
        )
    )
    invoiced = await session.scalar(
        select(func.count(POInvoice.id))
        .join(PurchaseOrder, POInvoice.po_id == PurchaseOrder.id)
        .where(PurchaseOrder.connection_id == connection_id)
    )
    return OrderEvidence(int(placed or 0), int(invoiced or 0))


def setup_state(
    registration: Registration,
    view: ConnectionView | None,
    health: WebhookHealth | None,
    evidence: OrderEvidence | None = None,
) -> SetupState:
    if view is None:
        return SetupState()
    evidence = evidence or OrderEvidence()
    return SetupState(
        saved=_saved(registration, view),
        checks={name: str(c.get("status")) for name, c in _checks(view.last_test_result).items()},
        webhook_keys=len(view.webhook_keys),
        last_delivery_at=health.last_verified_at if health else None,
        destination_url=view.webhook_url,
        orders_placed=evidence.orders_placed,
        invoices_received=evidence.invoices_received,
    )


def guide(
    registration: Registration,
    view: ConnectionView | None,
    health: WebhookHealth | None,
    evidence: OrderEvidence | None = None,
) -> list[GuideStep]:
    """The supplier's set-up steps for this connection (none when it has no guide)."""
    if registration.setup_guide is None:
        return []
    return registration.setup_guide(setup_state(registration, view, health, evidence))
