"""Freight for sourcing's landed cost ("the unit price, plus a freight estimate where asked").

- Each supplier with a freight API is asked ONE estimate, all suppliers at once, for the lines
  it is a candidate for: its offer can be bought and it has the whole quantity. Each line
  leaves from the warehouse that holds it whole (one in the ``near`` state first), so the
  supplier need not look its stock up again.
- The estimate's freight is spread over those lines by value (unit price × quantity): a
  line's share divided by its quantity is what each unit carries. Value, not weight: disty
  knows every line's price but not every product's weight, and a supplier's estimate is one
  sum per shipment, not per line.
- A supplier without a freight API, whose estimate fails, states no freight or quotes it in
  another currency than its prices stays unknown: its lines are ranked on price alone and
  the reason says so. Why, per supplier, is kept for the answer (``unknown``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from disty.domain.freight import FreightEstimate, FreightLine
from disty.domain.offers import Offer
from disty.domain.orders import Address
from disty.errors import DistyError
from disty.services.suppliers import Suppliers, offered
from disty.services.tenants import get_tenant
from disty.suppliers.base import Capability, FreightApi

PLACES = Decimal("0.0001")  # a unit's share, to the hundredth of a cent


@dataclass(frozen=True, slots=True)
class Candidate:
    line_number: int
    offer: Offer  # buyable, with the whole quantity in stock
    quantity: int
    warehouse_id: str | None  # the warehouse holding the whole quantity, if one does


@dataclass(frozen=True, slots=True)
class Freight:
    shares: dict[str, dict[int, Decimal]]  # supplier -> line number -> freight per unit
    unknown: dict[str, str]  # supplier -> why its freight is not known


async def estimate(
    session: AsyncSession,
    suppliers: Suppliers,
    *,
    shortcut: str,
    country_id: int,
    ship_to: Address,
    candidates: Mapping[str, Sequence[Candidate]],
) -> Freight:
    """Each supplier's freight for its candidate lines, spread per unit (see the module)."""
    unknown: dict[str, str] = {}
    apis: dict[str, FreightApi] = {}
    tenant = await get_tenant(session, shortcut)
    # Connections are read one by one (one session); the suppliers are then asked at once.
    for key in sorted(candidates):
        try:
            found = await suppliers.context_for(
                session, tenant=tenant, supplier=key, country_id=country_id,
                need=Capability.FREIGHT, what="freight estimates",
            )  # fmt: skip
            apis[key] = offered(found.adapter.freight, found.adapter, "freight estimates")
        except DistyError as exc:  # no freight API, or the connection cannot be used
            unknown[key] = str(exc)

    async def one(key: str) -> FreightEstimate | str:
        lines = [FreightLine(c.offer.supplier_sku or "", c.quantity, c.warehouse_id)
                 for c in candidates[key]]  # fmt: skip
        try:
            return await apis[key].freight_estimate(ship_to, lines)
        except DistyError as exc:
            return str(exc) or type(exc).__name__

    answers = await asyncio.gather(*(one(key) for key in apis))
    shares: dict[str, dict[int, Decimal]] = {}
    for key, answer in zip(apis, answers, strict=True):
        if isinstance(answer, str):
            unknown[key] = answer
            continue
        spread = spread_by_value(answer, candidates[key])
        if isinstance(spread, str):
            unknown[key] = spread
        else:
            shares[key] = spread
    return Freight(shares, unknown)


def spread_by_value(
    estimate: FreightEstimate, candidates: Sequence[Candidate]
) -> dict[int, Decimal] | str:
    """Each line's freight per unit, or why the estimate cannot be used."""
    if estimate.freight is None or estimate.freight < 0:
        return "the estimate states no freight"
    currencies = {c.offer.currency for c in candidates if c.offer.currency}
    if estimate.currency and currencies and currencies != {estimate.currency}:
        return f"freight quoted in {estimate.currency}, prices in {', '.join(sorted(currencies))}"
    values = {c.line_number: (c.offer.price or Decimal(0)) * c.quantity for c in candidates}
    total = sum(values.values(), Decimal(0))
    if total <= 0:
        return "no line has a price to spread the freight over"
    return {
        c.line_number: (estimate.freight * values[c.line_number] / total / c.quantity).quantize(
            PLACES
        )
        for c in candidates
    }
