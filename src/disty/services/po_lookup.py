"""Finding a tenant's POs: one by its number, or all of them (by country, by status).

Apart from the ordering package (which offers them as ``ordering.find_po`` and
``ordering.list_pos``): a command that only reads a PO, such as ``disty order show``, imports
these without the ordering use cases and the supplier plumbing they bring.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import PurchaseOrder, Tenant
from disty.domain.countries import country_site
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput, NotFound
from disty.services.tenants import get_tenant


async def find_po(
    session: AsyncSession,
    *,
    shortcut: str,
    po_number: str,
    supplier: str | None = None,
    country_id: int | None = None,
) -> PurchaseOrder:
    # The tenant as a subquery, not loaded first: one statement fewer (two with the tenant's
    # countries) on the way of every command that acts on one PO. Only a PO not found asks
    # whether the tenant exists, to say which of the two is missing.
    tenant_id = select(Tenant.id).where(Tenant.shortcut == shortcut).scalar_subquery()
    query = select(PurchaseOrder).where(
        PurchaseOrder.tenant_id == tenant_id, PurchaseOrder.po_number == po_number
    )
    if supplier is not None:
        query = query.where(PurchaseOrder.supplier == supplier)
    if country_id is not None:
        query = query.where(PurchaseOrder.country_id == country_id)
    found = list(await session.scalars(query))
    if not found:
        await get_tenant(session, shortcut)  # raises NotFound naming the tenant
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
