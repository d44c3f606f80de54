"""The last known offer per product and connection, on SQLite and PostgreSQL: kept from each
answer, replaced by a newer one, never by a late older one, and untouched by unknown parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from disty.domain.offers import Offer, OfferStatus
from disty.runtime import Runtime
from disty.services import connections, last_offers, tenants
from disty.services.connections import ConnectionChanges

T0 = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)


def _offer(sku: str, price: str, at: datetime, status: OfferStatus = OfferStatus.OK) -> Offer:
    return Offer("ingram", sku, status, at, supplier_sku=sku, price=Decimal(price),
                 currency="USD", available=7)  # fmt: skip


async def test_answers_are_kept_newest_wins(rt: Runtime) -> None:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(client_id="id", client_secret="secret-1234",
                                         customer_number="20-222222"),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
        )  # fmt: skip
        tenant = await tenants.get_tenant(session, "smbi")
        connection = await connections.get_connection(session, tenant, "ingram", 1)
        ids = {"ingram": connection.id}
        await last_offers.remember(session, ids, [_offer("qq0202", "1988.3012", T0)])
        await session.commit()
        # Newer replaces; a late, older answer and an unknown part change nothing.
        later = T0 + timedelta(hours=1)
        await last_offers.remember(session, ids, [_offer("QQ0202", "1990", later)])
        await last_offers.remember(
            session, ids,
            [_offer("QQ0202", "1", T0 - timedelta(hours=1)),
             _offer("QQ0202", "2", later + timedelta(hours=1), OfferStatus.UNKNOWN)],
        )  # fmt: skip
        await session.commit()
        known = await last_offers.last_known(
            session, shortcut="smbi", country_id=1, supplier="ingram", skus=["qq0202", "NONE"]
        )
    assert list(known) == ["QQ0202"]
    offer = known["QQ0202"]
    assert (offer.price, offer.currency, offer.available) == (Decimal("1990"), "USD", 7)
    assert offer.fetched_at == later
