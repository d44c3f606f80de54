"""A sourcing result as clients see it (CLI --json, the JSON API, the console): per line the
offers with their age and source, the choice and its reason; money as strings. And the
choices a buyer confirms without changing them (``disty source --order``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from disty.domain.offers import OfferStatus
from disty.domain.sourcing import SourcedLine, SourcedOffer, SourcingResult
from disty.services.pricing import supplier_name
from disty.services.requisitions import LineChoice


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def offer_json(o: SourcedOffer) -> dict[str, Any]:
    offer = o.offer
    return {
        "supplier": o.supplier,
        "supplier_name": o.supplier_name,
        "source": o.source,
        "age_s": o.age_s,
        "fetched_at": offer.fetched_at.isoformat(),
        "status": offer.status.value,
        "supplier_sku": offer.supplier_sku,
        "vendor_part_number": offer.vendor_part_number,
        "vendor_name": offer.vendor_name,
        "description": offer.description,
        "price": _money(offer.price),
        "landed": _money(o.landed),
        "freight": _money(o.freight),
        "currency": offer.currency,
        "available": o.stock if offer.status is OfferStatus.OK else None,
        "warehouses": [
            {"id": w.warehouse_id, "location": w.location, "available": w.available}
            for w in offer.warehouses
        ],
        "message": offer.message,
        "error": offer.error,
    }


def line_json(line: SourcedLine) -> dict[str, Any]:
    return {
        "line_number": line.wanted.line_number,
        "part": line.wanted.part,
        "quantity": line.wanted.quantity,
        "mpn": line.mpn,
        "manufacturer": line.manufacturer,
        "offers": [offer_json(o) for o in line.offers],
        "choice": [
            {
                "supplier": a.supplier,
                "supplier_name": supplier_name(a.supplier),
                "supplier_sku": a.supplier_sku,
                "quantity": a.quantity,
                "unit_price": _money(a.unit_price),
                "backorder": a.backorder,
            }
            for a in line.allocations
        ],
        "reason": line.reason,
        "flag": line.flag,
    }


def result_json(result: SourcingResult) -> dict[str, Any]:
    return {
        "asked_at": result.asked_at.isoformat() if result.asked_at else None,
        "suppliers_asked": list(result.suppliers_asked),
        "failures": dict(result.failures),
        "freight_unknown": dict(result.freight_unknown),
        "lines": [line_json(line) for line in result.lines],
    }


def confirmed(result: SourcingResult) -> list[LineChoice]:
    """Every allocation as chosen: what ``--order`` places when the buyer changes nothing.
    Lines left without a choice (ambiguous, not offered) are not ordered."""
    return [
        LineChoice(
            line.wanted.line_number,
            line.wanted.part,
            a.supplier,
            a.supplier_sku,
            a.quantity,
            a.unit_price,
        )
        for line in result.lines
        for a in line.allocations
    ]
