"""Reading Ingram's answers leniently: fields are optional, spelled in several ways, and
numbers sometimes arrive as strings. Only what disty uses is read; callers keep raw bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from disty.domain.offers import CatalogItem, Offer, OfferStatus, WarehouseStock

SUPPLIER = "ingram"


def _str(row: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _int(value: Any) -> int:
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return 0


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def is_unknown_row(row: dict[str, Any]) -> bool:
    return str(row.get("productStatusCode", "")).upper() == "E"


def offer_from_row(sku: str, row: dict[str, Any], fetched_at: datetime) -> Offer:
    """One P&A row as an Offer for the SKU the caller asked for."""
    if is_unknown_row(row):
        return Offer(
            supplier=SUPPLIER,
            sku=sku,
            status=OfferStatus.UNKNOWN,
            fetched_at=fetched_at,
            message=_str(row, "productStatusMessage"),
        )
    raw_availability = row.get("availability")
    availability: dict[str, Any] = raw_availability if isinstance(raw_availability, dict) else {}
    # The spec's 207 example nests pricing inside availability; the schema puts it at the top.
    pricing = row.get("pricing") or availability.get("pricing") or {}
    warehouses = tuple(
        WarehouseStock(
            warehouse_id=str(w.get("warehouseId", "")),
            location=_str(w, "location"),
            available=_int(w.get("quantityAvailable")),
            backordered=_int(w.get("quantityBackordered")),
            on_order=_int(w.get("quantityOnOrder")),
        )
        for w in availability.get("availabilityByWarehouse") or []
        if isinstance(w, dict)
    )
    total = availability.get("totalAvailability")
    return Offer(
        supplier=SUPPLIER,
        sku=sku,
        status=OfferStatus.OK,
        fetched_at=fetched_at,
        supplier_sku=_str(row, "ingramPartNumber"),
        vendor_part_number=_str(row, "vendorPartNumber"),
        vendor_name=_str(row, "vendorName"),
        description=_str(row, "description"),
        price=_decimal(pricing.get("customerPrice")),
        retail_price=_decimal(pricing.get("retailPrice")),
        currency=_str(pricing, "currencyCode"),
        available=_int(total) if total is not None else sum(w.available for w in warehouses),
        warehouses=warehouses,
        backorder_allowed=_bool(row.get("acceptBackOrder")),
        message=_str(row, "productStatusMessage"),
    )


def catalog_item(row: dict[str, Any]) -> CatalogItem:
    return CatalogItem(
        supplier=SUPPLIER,
        supplier_sku=_str(row, "ingramPartNumber") or "",
        vendor_part_number=_str(row, "vendorPartNumber"),
        vendor_name=_str(row, "vendorName"),
        description=_str(row, "description"),
        category=_str(row, "category"),
        upc=_str(row, "upcCode", "upc"),
        discontinued=_bool(row.get("discontinued")),
        direct_ship=_bool(row.get("directShip")),
    )


# Shared with the other readers of this package (quotes, invoices, returns, freight).
text = _str
integer = _int
decimal = _decimal


def rows(body: Any, key: str) -> list[dict[str, Any]]:
    """The objects under ``key`` of an answer that may be None (204), a list or an object."""
    if isinstance(body, list):  # some answers wrap the object in a list
        body = next((x for x in body if isinstance(x, dict)), {})
    found = body.get(key) if isinstance(body, dict) else None
    return [r for r in found or [] if isinstance(r, dict)] if isinstance(found, list) else []


def obj(body: Any) -> dict[str, Any]:
    if isinstance(body, list):
        body = next((x for x in body if isinstance(x, dict)), {})
    return body if isinstance(body, dict) else {}
