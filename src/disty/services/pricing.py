"""Live price and availability: a list of SKUs fanned out to every connected supplier of the
tenant in one country, at once; offers come back in the caller's order."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import SupplierConnection
from disty.domain.countries import country_site
from disty.domain.offers import Offer, OfferStatus
from disty.errors import DistyError, NotFound
from disty.services import last_offers
from disty.services.suppliers import Suppliers
from disty.services.tenants import get_tenant
from disty.suppliers import registry
from disty.suppliers.base import Capability, ProgressCallback


async def price_and_availability(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    skus: Sequence[str],
    suppliers: Suppliers,
    progress: ProgressCallback | None = None,
    only: Collection[str] | None = None,
) -> list[Offer]:
    """Offers for every SKU from every supplier connected in that country, SKU by SKU in the
    caller's order. A supplier that cannot be asked at all marks its rows ERROR with why.
    ``only``: ask just these suppliers (sourcing's second round, by the resolved MPN)."""
    site = country_site(country_id)
    tenant = await get_tenant(session, shortcut)
    connections = list(
        await session.scalars(
            select(SupplierConnection)
            .where(
                SupplierConnection.tenant_id == tenant.id,
                SupplierConnection.country_id == site.id,
            )
            .order_by(SupplierConnection.supplier)
        )
    )
    # Only suppliers that price live through their API are asked (pricing's capability).
    connections = [
        c for c in connections
        if Capability.PRICE_AVAILABILITY in registry.get(c.supplier).capabilities
        and (only is None or c.supplier in only)
    ]  # fmt: skip
    if not connections:
        keys = "|".join(r.key for r in registry.registrations())
        raise NotFound(
            f"tenant {shortcut!r} has no supplier connection in {site.name}: set one up with "
            f"'disty supplier set {keys} --tenant {shortcut} --country {site.id} ...'",
            console=f"no distributor is connected in {site.name} yet: an admin connects one "
            "under Admin > Suppliers",
        )

    async def one(connection: SupplierConnection) -> list[Offer]:
        try:
            adapter = suppliers.adapter(connection, Capability.PRICE_AVAILABILITY)
        except DistyError as exc:
            failed_at = utcnow()
            return [
                Offer(connection.supplier, sku, OfferStatus.ERROR, failed_at, error=str(exc))
                for sku in skus
            ]
        return await adapter.price_and_availability(skus, progress=progress)

    per_supplier = await asyncio.gather(*(one(c) for c in connections))
    # Kept as each product's last known offer (product pages show it with its age). Pricing
    # only reads otherwise, so committing here commits nothing of the caller's.
    await last_offers.remember(
        session, {c.supplier: c.id for c in connections},
        (offer for offers in per_supplier for offer in offers),
    )  # fmt: skip
    await session.commit()
    return [offers[i] for i in range(len(skus)) for offers in per_supplier]


def supplier_name(key: str) -> str:
    """The supplier's name as people write it, for showing an offer beside its key."""
    return registry.get(key).name


def age_seconds(offer: Offer, now: datetime) -> int:
    """How old an offer is (whole seconds, never negative): a live answer is a moment old by
    the time it is shown, a kept one (a price list, a cache) may be hours old."""
    return max(0, int((now - offer.fetched_at).total_seconds()))
