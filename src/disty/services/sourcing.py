"""Sourcing a list of parts across every connected supplier: offers per line, the choice and
its reason (the rules: domain/sourcing.py); placing the confirmed choices as one PO per
supplier is services/requisitions.py (``place`` and ``LineChoice``, re-exported here).

Asking, in at most two rounds per supplier:

1. every supplier connected in the country is asked for every part as the buyer wrote it, at
   once (services/pricing.py);
2. a part one supplier resolved to an MPN that another supplier did not know (its answer was
   "unknown", not a failure) is asked again of just those suppliers, by that MPN: a buyer who
   pasted one distributor's SKU still sees the other's offer for the same product.

Then, when the request asks for freight, one freight estimate per supplier, all at once
(services/landed.py), added to each offer's landed cost. The tenant's stored supplier
preference stands in for a request that names none; a ``near`` state is read leniently
(domain/nearby.py).

Where a supplier's live answer failed, the last stock event's level for the part (the
stock_levels table, keyed by the supplier's SKU: found when the buyer wrote that SKU) stands
in for its offer, marked "stock event" with its age: shown, never chosen (it has no price).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import StockLevel, SupplierConnection
from disty.domain.countries import country_site
from disty.domain.nearby import parse_near, warehouse_state
from disty.domain.offers import Offer, OfferStatus
from disty.domain.orders import Address
from disty.domain.sourcing import (
    SourcedOffer,
    SourcingRequest,
    SourcingResult,
    WantedLine,
    choose,
    identify,
    normalize_mpn,
)
from disty.errors import InvalidInput
from disty.services import landed, pricing
from disty.services.requisitions import LineChoice, RequisitionView, place, requisition
from disty.services.suppliers import Suppliers
from disty.services.tenants import get_tenant

__all__ = ["LineChoice", "RequisitionView", "place", "requisition", "source"]

MAX_LINES = 500


async def source(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    request: SourcingRequest,
    suppliers: Suppliers,
    ship_to: Address | None = None,
) -> SourcingResult:
    """Every line's offers from every connected supplier, and where each is best bought.
    ``ship_to``: where the goods go, needed for ``request.freight``."""
    lines = _checked(request)
    near = parse_near(request.near) if request.near else None
    if request.freight and ship_to is None:
        raise InvalidInput("a freight estimate needs a ship-to address", field="ship_to")
    tenant = await get_tenant(session, shortcut)
    prefer = request.prefer or tuple(tenant.supplier_preference or ())
    parts = list(dict.fromkeys(line.part.strip().upper() for line in lines))
    first = await pricing.price_and_availability(
        session, shortcut=shortcut, country_id=country_id, skus=parts, suppliers=suppliers
    )
    asked = tuple(sorted({o.supplier for o in first}))
    by_part = {part: {o.supplier: o for o in first if o.sku.strip().upper() == part}
               for part in parts}  # fmt: skip
    await _second_round(session, shortcut, country_id, suppliers, by_part)
    failures = {o.supplier: o.error or "no answer"
                for offers in by_part.values() for o in offers.values()
                if o.status is OfferStatus.ERROR}  # fmt: skip
    levels = await _stock_levels(session, shortcut, country_id, by_part)
    now = datetime.now(UTC)
    shown: dict[int, list[SourcedOffer]] = {}
    for line in lines:
        offers = by_part[line.part.strip().upper()]
        shown[line.line_number] = [_sourced(offers[k], levels, now) for k in asked if k in offers]
    unknown: dict[str, str] = {}
    if request.freight and ship_to is not None:
        unknown = await _add_freight(
            session, suppliers, shortcut, country_id, ship_to, lines, shown, near
        )
    sourced = tuple(
        choose(line, shown[line.line_number], split=request.split, prefer=prefer,
               failures=failures, near=near, freight=request.freight)
        for line in lines
    )  # fmt: skip
    return SourcingResult(sourced, asked, failures, now, freight_unknown=unknown)


async def _add_freight(
    session: AsyncSession,
    suppliers: Suppliers,
    shortcut: str,
    country_id: int,
    ship_to: Address,
    lines: tuple[WantedLine, ...],
    shown: dict[int, list[SourcedOffer]],
    near: str | None,
) -> dict[str, str]:
    """Each candidate offer's landed cost with its freight share (in ``shown``, in place);
    returns why freight is unknown per supplier."""
    candidates: dict[str, list[landed.Candidate]] = {}
    for line in lines:
        offers = shown[line.line_number]
        if identify([o for o in offers if o.offer.status is OfferStatus.OK])[2]:
            continue  # two products: the buyer chooses by hand, freight would not decide
        for o in offers:
            if o.buyable and o.stock >= line.quantity:
                candidates.setdefault(o.supplier, []).append(landed.Candidate(
                    line.line_number, o.offer, line.quantity,
                    _warehouse(o, line.quantity, near),
                ))  # fmt: skip
    if not candidates:
        return {}
    found = await landed.estimate(
        session, suppliers, shortcut=shortcut, country_id=country_id, ship_to=ship_to,
        candidates=candidates,
    )  # fmt: skip
    for number, offers in shown.items():
        for n, o in enumerate(offers):
            share = found.shares.get(o.supplier, {}).get(number)
            if share is not None and o.landed is not None:
                offers[n] = replace(o, landed=o.landed + share, freight=share)
    return found.unknown


def _warehouse(o: SourcedOffer, quantity: int, near: str | None) -> str | None:
    """The warehouse holding the whole quantity (one in the ``near`` state first), or None:
    the supplier then picks one itself."""
    whole = [w for w in o.offer.warehouses if w.available >= quantity]
    if near:
        whole.sort(key=lambda w: warehouse_state(w.location) != near)
    return whole[0].warehouse_id if whole else None


def _checked(request: SourcingRequest) -> tuple[WantedLine, ...]:
    if not request.lines:
        raise InvalidInput("no lines to source: give at least one part and quantity")
    if len(request.lines) > MAX_LINES:
        raise InvalidInput(f"{len(request.lines)} lines: source at most {MAX_LINES} at a time")
    for line in request.lines:
        if not line.part.strip():
            raise InvalidInput(f"line {line.line_number}: no part number")
        if line.quantity < 1:
            raise InvalidInput(f"line {line.line_number}: the quantity must be 1 or more")
    return request.lines


async def _second_round(
    session: AsyncSession,
    shortcut: str,
    country_id: int,
    suppliers: Suppliers,
    by_part: dict[str, dict[str, Offer]],
) -> None:
    """Ask by the MPN one supplier found what another did not know under the part as written."""
    again: dict[str, set[str]] = {}  # MPN -> the suppliers to ask it of
    wanted_by: dict[str, list[str]] = {}  # MPN -> the parts it answers for
    for part, offers in by_part.items():
        mpns = {normalize_mpn(o.vendor_part_number): o.vendor_part_number
                for o in offers.values()
                if o.status is OfferStatus.OK and o.vendor_part_number}  # fmt: skip
        if len(mpns) != 1:
            continue  # none known, or already two products: nothing one MPN can settle
        [mpn] = mpns.values()
        if normalize_mpn(mpn) == normalize_mpn(part):
            continue  # asked by that MPN already
        unknown = {key for key, o in offers.items() if o.status is OfferStatus.UNKNOWN}
        if unknown:
            again.setdefault(mpn, set()).update(unknown)
            wanted_by.setdefault(mpn, []).append(part)
    if not again:
        return
    only = set().union(*again.values())
    answers = await pricing.price_and_availability(
        session, shortcut=shortcut, country_id=country_id, skus=list(again),
        suppliers=suppliers, only=only,
    )  # fmt: skip
    for offer in answers:
        mpn = offer.sku
        if offer.supplier not in again.get(mpn, ()) or offer.status is OfferStatus.UNKNOWN:
            continue
        for part in wanted_by[mpn]:
            if by_part[part][offer.supplier].status is OfferStatus.UNKNOWN:
                # Keep the buyer's part on the offer: it is this line's offer.
                by_part[part][offer.supplier] = _as_asked(offer, part)


def _as_asked(offer: Offer, part: str) -> Offer:
    return replace(offer, sku=part)


async def _stock_levels(
    session: AsyncSession, shortcut: str, country_id: int, by_part: dict[str, dict[str, Offer]]
) -> dict[tuple[str, str], StockLevel]:
    """(supplier, SKU) -> the last stock event's level, for the suppliers whose answer failed."""
    failed = {(key, part) for part, offers in by_part.items()
              for key, o in offers.items() if o.status is OfferStatus.ERROR}  # fmt: skip
    if not failed:
        return {}
    tenant = await get_tenant(session, shortcut)
    rows = await session.execute(
        select(SupplierConnection.supplier, StockLevel)
        .join(StockLevel, StockLevel.connection_id == SupplierConnection.id)
        .where(
            SupplierConnection.tenant_id == tenant.id,
            SupplierConnection.country_id == country_site(country_id).id,
            SupplierConnection.supplier.in_({key for key, _ in failed}),
            StockLevel.sku.in_({part for _, part in failed}),
        )
    )
    return {(key, level.sku.upper()): level for key, level in rows
            if (key, level.sku.upper()) in failed}  # fmt: skip


def _sourced(
    offer: Offer, levels: dict[tuple[str, str], StockLevel], now: datetime
) -> SourcedOffer:
    name = pricing.supplier_name(offer.supplier)
    level = levels.get((offer.supplier, offer.sku.strip().upper()))
    if offer.status is OfferStatus.ERROR and level is not None:
        kept = Offer(
            offer.supplier, offer.sku, OfferStatus.OK, level.event_time,
            supplier_sku=level.sku, available=level.total_available,
            message="the last stock event's level",
        )  # fmt: skip
        return SourcedOffer(offer.supplier, name, kept, "stock event",
                            pricing.age_seconds(kept, now), None)  # fmt: skip
    landed = offer.price if offer.status is OfferStatus.OK else None
    age = pricing.age_seconds(offer, now)
    return SourcedOffer(offer.supplier, name, offer, "live", age, landed)
