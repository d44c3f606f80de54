"""A priced line: its round trip through the PO form, and the list's total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from disty.domain.offers import OfferStatus
from disty.services.price_list import PricedLine, StockNote, totals

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_line_travels_through_json_unchanged() -> None:
    line = PricedLine(
        part="C9200L-24P-4G-E", quantity=3, status=OfferStatus.OK, fetched_at=NOW,
        supplier_sku="QQ0202", vendor_name="Cisco", vendor_part_number="C9200L-24P-4G-E",
        description="CATALYST", price=Decimal("1988.30"), currency="USD", available=12,
        stock=StockNote(40, True, NOW - timedelta(minutes=5)),
    )  # fmt: skip
    assert PricedLine.from_json(line.to_json()) == line
    unknown = PricedLine("ZZZZZ9", 1, OfferStatus.UNKNOWN, NOW)
    assert PricedLine.from_json(unknown.to_json()) == unknown
    assert line.orderable
    assert not unknown.orderable


def test_the_total_counts_only_known_priced_lines() -> None:
    lines = [
        PricedLine("A", 2, OfferStatus.OK, NOW, "A", price=Decimal("10.50"), currency="USD"),
        PricedLine("B", 1, OfferStatus.OK, NOW, "B", price=Decimal("0.25"), currency="USD"),
        PricedLine("C", 5, OfferStatus.UNKNOWN, NOW),
        PricedLine("D", 5, OfferStatus.ERROR, NOW, error="maintenance"),
        PricedLine("E", 5, OfferStatus.OK, NOW, "E"),  # stocked, but no price: not ordered
    ]
    assert totals(lines) == {"USD": Decimal("21.25")}
