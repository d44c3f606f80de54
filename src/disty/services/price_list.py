"""A pasted list of parts priced live, ready to become a PO: each line with its offer, the
price's age and source, and the last stock event's level where one was recorded; and the
ship-tos of the tenant's recent POs, offered again on the next PO."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import PurchaseOrder, StockLevel
from disty.domain.offers import Offer, OfferStatus
from disty.domain.orders import Address
from disty.domain.partlist import PartLine
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput
from disty.services import pricing
from disty.services.connections import get_connection
from disty.services.supplier_choice import supplier_for
from disty.services.suppliers import Suppliers
from disty.services.tenants import get_tenant
from disty.suppliers.base import Capability

# What the price list's supplier must do: price the parts, then order them as a PO.
PRICE_AND_ORDER = Capability.PRICE_AVAILABILITY | Capability.ORDER_CREATE


@dataclass(frozen=True, slots=True)
class StockNote:
    """The level the last stock event recorded for the part, and when the event happened."""

    available: int
    backorder: bool
    event_time: datetime


@dataclass(frozen=True, slots=True)
class PricedLine:
    part: str  # as the buyer wrote it: the supplier's or the vendor's part number
    quantity: int
    status: OfferStatus
    fetched_at: datetime
    supplier_sku: str | None = None
    vendor_name: str | None = None
    vendor_part_number: str | None = None
    description: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    available: int | None = None
    error: str | None = None
    stock: StockNote | None = None

    @property
    def orderable(self) -> bool:
        """Known to the supplier and priced: only such lines go into a PO."""
        return self.status is OfferStatus.OK and bool(self.supplier_sku) and self.price is not None

    @property
    def total(self) -> Decimal | None:
        return None if self.price is None else self.price * self.quantity

    def to_json(self) -> dict[str, Any]:
        """Money as strings, times as ISO text: the line travels signed in the PO form."""
        stock = self.stock
        return {
            "part": self.part, "quantity": self.quantity, "status": self.status.value,
            "fetched_at": self.fetched_at.isoformat(), "supplier_sku": self.supplier_sku,
            "vendor_name": self.vendor_name, "vendor_part_number": self.vendor_part_number,
            "description": self.description,
            "price": None if self.price is None else str(self.price),
            "currency": self.currency, "available": self.available, "error": self.error,
            "stock": None if stock is None else {
                "available": stock.available, "backorder": stock.backorder,
                "event_time": stock.event_time.isoformat(),
            },
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PricedLine:
        stock = data.get("stock")
        return cls(
            part=str(data["part"]),
            quantity=int(data["quantity"]),
            status=OfferStatus(data["status"]),
            fetched_at=datetime.fromisoformat(data["fetched_at"]),
            supplier_sku=data.get("supplier_sku"),
            vendor_name=data.get("vendor_name"),
            vendor_part_number=data.get("vendor_part_number"),
            description=data.get("description"),
            price=None if data.get("price") is None else Decimal(data["price"]),
            currency=data.get("currency"),
            available=data.get("available"),
            error=data.get("error"),
            stock=None
            if not stock
            else StockNote(
                int(stock["available"]),
                bool(stock["backorder"]),
                datetime.fromisoformat(stock["event_time"]),
            ),
        )


async def supplier(session: AsyncSession, *, shortcut: str, country_id: int) -> str:
    """The supplier the console prices and orders from in the country: one, for now (offers
    of others are not shown yet); services/supplier_choice.py says which."""
    return await supplier_for(
        session, shortcut=shortcut, country_id=country_id, need=PRICE_AND_ORDER,
        what="prices and orders",
    )  # fmt: skip


async def price_list(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    parts: list[PartLine],
    suppliers: Suppliers,
) -> list[PricedLine]:
    """Each part priced live at the supplier the console orders from in the country
    (:func:`supplier`), in the list's order. A supplier that fails marks its rows ERROR (with
    why) rather than raising; no connection raises NotFound."""
    tenant = await get_tenant(session, shortcut)
    chosen = await supplier(session, shortcut=shortcut, country_id=country_id)
    connection = await get_connection(session, tenant, chosen, country_id)
    asked = await pricing.price_and_availability(
        session, shortcut=shortcut, country_id=country_id, skus=[p.part for p in parts],
        suppliers=suppliers,
    )  # fmt: skip
    offers = [offer for offer in asked if offer.supplier == chosen]
    skus = {o.supplier_sku.upper() for o in offers if o.supplier_sku}
    levels = {
        level.sku: StockNote(level.total_available, level.backorder, level.event_time)
        for level in await session.scalars(
            select(StockLevel).where(
                StockLevel.connection_id == connection.id, StockLevel.sku.in_(skus)
            )
        )
    }
    return [_line(part, offer, levels) for part, offer in zip(parts, offers, strict=True)]


def _line(part: PartLine, offer: Offer, levels: dict[str, StockNote]) -> PricedLine:
    return PricedLine(
        part=part.part, quantity=part.quantity, status=offer.status,
        fetched_at=offer.fetched_at, supplier_sku=offer.supplier_sku,
        vendor_name=offer.vendor_name, vendor_part_number=offer.vendor_part_number,
        description=offer.description, price=offer.price, currency=offer.currency,
        available=offer.available, error=offer.error or offer.message,
        stock=levels.get((offer.supplier_sku or "").upper()),
    )  # fmt: skip


def totals(lines: list[PricedLine]) -> dict[str, Decimal]:
    """The orderable lines' total per currency (one, in practice)."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        if line.orderable and line.total is not None:
            key = line.currency or ""
            sums[key] = sums.get(key, Decimal(0)) + line.total
    return sums


@dataclass(frozen=True, slots=True)
class RecentShipTo:
    po_number: str  # the most recent PO shipped there: how the form names the choice
    address: Address

    @property
    def label(self) -> str:
        a = self.address
        if a.address_id and not a.company:
            return f"Stored address {a.address_id} at the supplier (PO {self.po_number})"
        place = ", ".join(x for x in (a.company, a.street, a.city, a.state, a.country) if x)
        return f"{place} (PO {self.po_number})"


async def recent_ship_tos(
    session: AsyncSession, *, shortcut: str, limit: int = 8, correcting: str | None = None
) -> list[RecentShipTo]:
    """The distinct ship-tos of the tenant's latest POs, newest first: one entry per place
    (the same address typed with other capitals, spaces or another contact is one), and none
    from a PO the supplier refused (its address may be why), except ``correcting``'s: the
    refused PO being corrected and sent again, whose ship-to the buyer keeps or changes."""
    tenant = await get_tenant(session, shortcut)
    found: dict[tuple[str, ...], RecentShipTo] = {}
    rows = await session.execute(
        select(PurchaseOrder.po_number, PurchaseOrder.ship_to)
        .where(
            PurchaseOrder.tenant_id == tenant.id,
            or_(
                PurchaseOrder.status != POStatus.FAILED.value,
                PurchaseOrder.po_number == (correcting or ""),
            ),
        )
        .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
        .limit(limit * 10)
    )
    for po_number, ship_to in rows:
        try:
            address = Address.from_dict(ship_to or {})
        except InvalidInput:
            continue  # a PO saved by an older disty with other fields: not offered again
        key = _place(address)
        if key not in found:
            found[key] = RecentShipTo(po_number, address)
        if len(found) == limit:
            break
    return list(found.values())


def _place(address: Address) -> tuple[str, ...]:
    """What makes two ship-tos the same place, as the picker shows them."""
    if address.address_id and not address.company:
        return ("stored", address.address_id.strip().casefold())
    fields = (address.company, address.street, address.street2, address.city, address.state,
              address.postcode, address.country)  # fmt: skip
    return tuple(" ".join((x or "").split()).casefold() for x in fields)


async def recent_ship_to(session: AsyncSession, *, shortcut: str, po_number: str) -> Address:
    """The ship-to of one of the tenant's POs, as the form's 'recent ship-to' choice names it."""
    tenant = await get_tenant(session, shortcut)
    ship_to = await session.scalar(
        select(PurchaseOrder.ship_to)
        .where(PurchaseOrder.tenant_id == tenant.id, PurchaseOrder.po_number == po_number)
        .limit(1)
    )
    if not ship_to:
        raise InvalidInput(
            "that recent ship-to is no longer there: choose another or type the address",
            field="ship_to",
        )
    return Address.from_dict(ship_to)
