"""Freight estimate: what shipping these lines to this address would cost, before ordering."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.domain.freight import FreightEstimate, FreightLine
from disty.domain.orders import Address
from disty.errors import InvalidInput
from disty.services.ordering import Context
from disty.services.suppliers import offered
from disty.suppliers.base import Capability


async def estimate(
    session: AsyncSession,
    ctx: Context,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    ship_to: Address,
    lines: list[FreightLine],
) -> FreightEstimate:
    if not lines:
        raise InvalidInput("a freight estimate needs at least one line", field="lines")
    adapter = await ctx.adapter(
        session, shortcut=shortcut, country_id=country_id, supplier=supplier,
        need=Capability.FREIGHT, what="freight estimates",
    )  # fmt: skip
    freight = offered(adapter.freight, adapter, "freight estimates")
    return await freight.freight_estimate(ship_to, lines)
