"""Price and availability, and catalog entries, as every supplier adapter returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class OfferStatus(StrEnum):
    OK = "ok"  # priced and/or stocked
    UNKNOWN = "unknown"  # the supplier does not know this product
    ERROR = "error"  # the supplier could not answer for this product (see Offer.error)


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    warehouse_id: str
    location: str | None
    available: int
    backordered: int = 0
    on_order: int = 0


@dataclass(frozen=True, slots=True)
class Offer:
    """One supplier's price and availability for one requested product, at ``fetched_at``.

    ``sku`` is what the caller asked for (a supplier part number or a vendor part number);
    ``supplier_sku`` is the supplier's own part number once it is known.
    """

    supplier: str
    sku: str
    status: OfferStatus
    fetched_at: datetime
    supplier_sku: str | None = None
    vendor_part_number: str | None = None
    vendor_name: str | None = None
    description: str | None = None
    price: Decimal | None = None
    retail_price: Decimal | None = None
    currency: str | None = None
    available: int | None = None
    warehouses: tuple[WarehouseStock, ...] = ()
    backorder_allowed: bool | None = None
    discontinued: bool | None = None
    message: str | None = None  # the supplier's own words about this row, if any
    error: str | None = None  # for status ERROR: what failed and what to do


@dataclass(frozen=True, slots=True)
class CatalogItem:
    supplier: str
    supplier_sku: str
    vendor_part_number: str | None
    vendor_name: str | None
    description: str | None
    category: str | None = None
    upc: str | None = None
    discontinued: bool | None = None
    direct_ship: bool | None = None


@dataclass(frozen=True, slots=True)
class CatalogPage:
    items: list[CatalogItem]
    total: int
    page: int
    page_size: int
    raw: dict[str, object] = field(default_factory=dict, repr=False)
