"""Returns (RMA cases): search, read, and open one; opening one is audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.domain.paging import SupplierPage
from disty.domain.returns import ReturnCase, ReturnRequest
from disty.errors import InvalidInput
from disty.services import audit
from disty.services.ordering import Context
from disty.services.suppliers import offered
from disty.services.tenants import get_tenant
from disty.suppliers.base import Capability


async def search(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    case_number: str | None = None,
    invoice_number: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> SupplierPage[ReturnCase]:
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.RETURNS, what="returns",
    )  # fmt: skip
    return await offered(adapter.returns, adapter, "returns").search_returns(
        case_number=case_number, invoice_number=invoice_number, page=page, page_size=page_size
    )


async def details(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    case_number: str,
) -> ReturnCase:
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.RETURNS, what="returns",
    )  # fmt: skip
    return await offered(adapter.returns, adapter, "returns").return_details(case_number)


async def create(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    request: ReturnRequest,
) -> list[ReturnCase]:
    """Open the cases at the supplier (sent once) and record them in the audit log."""
    if not request.lines:
        raise InvalidInput("a return needs at least one line", field="lines")
    for line in request.lines:
        if line.quantity < 1:
            raise InvalidInput(f"invalid quantity {line.quantity} for {line.sku}", field="lines")
    tenant = await get_tenant(session, shortcut)
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.RETURNS, what="returns",
    )  # fmt: skip
    cases = await offered(adapter.returns, adapter, "returns").create_return(request)
    audit.record(
        session, tenant_id=tenant.id, actor=ctx.actor, action="return.created",
        target=f"return {', '.join(c.case_number for c in cases) or '(no case number)'} "
        f"({supplier})",
        details={
            "country_id": country_id,
            "cases": [c.case_number for c in cases],
            "lines": [
                {"invoice_number": x.invoice_number, "sku": x.sku, "quantity": x.quantity}
                for x in request.lines
            ],
        },
    )  # fmt: skip
    await session.commit()
    return cases
