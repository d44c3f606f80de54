"""What the dashboard shows of a tenant's purchase orders: how many are in each status, and
the ones that moved last."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import PurchaseOrder
from disty.domain.po_status import POStatus
from disty.services.tenants import get_tenant


@dataclass(frozen=True, slots=True)
class POSummary:
    counts: dict[str, int]  # status -> POs, in the order of POStatus, only those with any
    recent: list[PurchaseOrder]  # last changed first
    needs_attention: int  # awaiting approval, on hold or failed: a person decides


ATTENTION = (POStatus.AWAITING_APPROVAL, POStatus.ON_HOLD, POStatus.FAILED)


async def summary(session: AsyncSession, *, shortcut: str, recent: int = 8) -> POSummary:
    tenant = await get_tenant(session, shortcut)
    rows = await session.execute(
        select(PurchaseOrder.status, func.count())
        .where(PurchaseOrder.tenant_id == tenant.id)
        .group_by(PurchaseOrder.status)
    )
    found: dict[str, int] = {status: count for status, count in rows}
    counts = {s.value: found[s.value] for s in POStatus if found.get(s.value)}
    latest = await session.scalars(
        select(PurchaseOrder)
        .where(PurchaseOrder.tenant_id == tenant.id)
        .order_by(PurchaseOrder.updated_at.desc(), PurchaseOrder.id.desc())
        .limit(recent)
    )
    return POSummary(
        counts=counts,
        recent=list(latest),
        needs_attention=sum(counts.get(s.value, 0) for s in ATTENTION),
    )
