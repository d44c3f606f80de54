"""The last price and availability each supplier answered per product, kept from every live
price-and-availability answer (services/pricing.py) so that product pages show a price and
stock at once, with its age, and ask live only when a person wants it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import upsert_insert
from disty.db.models import LastOffer, SupplierConnection
from disty.domain.offers import Offer, OfferStatus
from disty.services.tenants import get_tenant


@dataclass(frozen=True, slots=True)
class KnownOffer:
    """A product's last answered price and availability at one supplier."""

    supplier: str
    sku: str
    price: Decimal | None
    currency: str | None
    available: int | None
    fetched_at: datetime


async def remember(
    session: AsyncSession, connections: Mapping[str, int], offers: Iterable[Offer]
) -> None:
    """Keep the answered offers (``connections``: supplier key -> its connection id), each
    replacing an older one of the same product; unknown and failed rows change nothing. The
    caller commits."""
    rows: dict[tuple[int, str], dict[str, object]] = {}
    for offer in offers:
        connection_id = connections.get(offer.supplier)
        if offer.status is not OfferStatus.OK or not offer.supplier_sku or connection_id is None:
            continue
        if offer.price is None and offer.available is None:
            continue
        sku = offer.supplier_sku.strip().upper()[:64]
        rows[(connection_id, sku)] = {
            "connection_id": connection_id, "sku": sku, "price": offer.price,
            "currency": offer.currency, "available": offer.available,
            "fetched_at": offer.fetched_at,
        }  # fmt: skip
    if not rows:
        return
    insert = upsert_insert(session.get_bind().dialect)(LastOffer)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["connection_id", "sku"],
            set_={
                "price": insert.excluded.price,
                "currency": insert.excluded.currency,
                "available": insert.excluded.available,
                "fetched_at": insert.excluded.fetched_at,
            },
            # An answer that arrives late never replaces a newer one.
            where=LastOffer.fetched_at <= insert.excluded.fetched_at,
        ),
        list(rows.values()),
    )


async def last_known(
    session: AsyncSession, *, shortcut: str, country_id: int, supplier: str, skus: Iterable[str]
) -> dict[str, KnownOffer]:
    """The last answered offer of each of these supplier part numbers (upper case keys)."""
    wanted = {s.strip().upper() for s in skus if s}
    if not wanted:
        return {}
    tenant = await get_tenant(session, shortcut)
    rows = await session.scalars(
        select(LastOffer)
        .join(SupplierConnection, SupplierConnection.id == LastOffer.connection_id)
        .where(
            SupplierConnection.tenant_id == tenant.id,
            SupplierConnection.country_id == country_id,
            SupplierConnection.supplier == supplier,
            LastOffer.sku.in_(wanted),
        )
    )
    return {
        row.sku: KnownOffer(
            supplier, row.sku, row.price, row.currency, row.available, row.fetched_at
        )
        for row in rows
    }
