"""The pure choice per line (domain/sourcing.py): matching by normalised MPN and manufacturer,
then stock, landed cost, preference; split and back-order; failures named in the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from disty.domain.offers import Offer, OfferStatus
from disty.domain.sourcing import (
    AMBIGUOUS,
    BACKORDER,
    NOT_OFFERED,
    SPLIT,
    Allocation,
    SourcedOffer,
    WantedLine,
    choose,
    normalize_mpn,
)

NOW = datetime(2026, 12, 8, tzinfo=UTC)
NAMES = {"a": "Alpha Dist", "b": "Beta Dist"}


def offer(
    supplier: str,
    price: str | None,
    available: int,
    *,
    mpn: str = "C9200L-24P-4G-E",
    maker: str | None = None,
    sku: str | None = None,
    status: OfferStatus = OfferStatus.OK,
    error: str | None = None,
    backorder_allowed: bool | None = None,
) -> SourcedOffer:
    o = Offer(
        supplier, "C9200L-24P-4G-E", status, NOW, supplier_sku=sku or f"{supplier.upper()}1",
        vendor_part_number=mpn if status is OfferStatus.OK else None, vendor_name=maker,
        price=None if price is None else Decimal(price), available=available, error=error,
        backorder_allowed=backorder_allowed,
    )  # fmt: skip
    landed = o.price if status is OfferStatus.OK else None
    return SourcedOffer(supplier, NAMES[supplier], o, "live", 0, landed)


LINE = WantedLine(1, "C9200L-24P-4G-E", 40)


@pytest.mark.parametrize(
    "text", ["c9200l-24p-4g-e", "C9200L 24P 4G E", "C9200L.24P/4G_E", " C9200L--24P4GE "]
)
def test_normalised_mpns_agree(text: str) -> None:
    assert normalize_mpn(text) == "C9200L24P4GE"


def test_enough_stock_comes_before_price() -> None:
    line = choose(LINE, [offer("a", "90.00", 10), offer("b", "99.00", 50)])
    assert line.allocations == (Allocation("b", "B1", 40, Decimal("99.00"), False),)
    assert line.reason == "in stock only at Beta Dist"
    assert line.flag is None


def test_cheaper_wins_with_its_margin_in_percent() -> None:
    line = choose(LINE, [offer("a", "100.00", 50), offer("b", "97.90", 50)])
    assert [a.supplier for a in line.allocations] == ["b"]
    assert line.reason == "2.1% cheaper at Beta Dist"


def test_same_price_goes_to_the_preferred_supplier() -> None:
    offers = [offer("a", "50", 50), offer("b", "50", 50)]
    assert choose(LINE, offers, prefer=("b", "a")).allocations[0].supplier == "b"
    assert choose(LINE, offers, prefer=("b", "a")).reason == "same price: Beta Dist preferred"
    # No preference: the first by key, said so.
    plain = choose(LINE, offers)
    assert plain.allocations[0].supplier == "a"
    assert "no preference" in plain.reason


def test_preference_never_beats_a_lower_price() -> None:
    line = choose(LINE, [offer("a", "49.99", 50), offer("b", "50", 50)], prefer=("b",))
    assert line.allocations[0].supplier == "a"


def test_split_takes_the_cheapest_stock_first() -> None:
    line = choose(LINE, [offer("a", "10", 25), offer("b", "11", 15)], split=True)
    assert line.allocations == (
        Allocation("a", "A1", 25, Decimal("10"), False),
        Allocation("b", "B1", 15, Decimal("11"), False),
    )
    assert line.reason == "no supplier has 40: split 25 at Alpha Dist, 15 at Beta Dist"
    assert line.flag == SPLIT


def test_split_back_orders_what_no_one_has_at_the_best_source() -> None:
    line = choose(LINE, [offer("a", "10", 20), offer("b", "11", 5)], split=True)
    assert line.allocations == (
        Allocation("a", "A1", 35, Decimal("10"), True),
        Allocation("b", "B1", 5, Decimal("11"), False),
    )
    assert line.reason.endswith("; 15 back-ordered at Alpha Dist")


def test_without_split_the_line_is_back_ordered_at_the_best_source() -> None:
    line = choose(LINE, [offer("a", "10", 20), offer("b", "11", 30)])
    assert line.allocations == (Allocation("a", "A1", 40, Decimal("10"), True),)
    assert line.reason == "back-ordered at Alpha Dist: no supplier has 40 (most: 30 at Beta Dist)"
    assert line.flag == BACKORDER


def test_back_order_skips_a_supplier_that_takes_none() -> None:
    line = choose(LINE, [offer("a", "10", 0, backorder_allowed=False), offer("b", "11", 0)])
    assert line.allocations[0].supplier == "b"


def test_two_products_for_one_line_are_flagged_never_chosen() -> None:
    line = choose(LINE, [offer("a", "10", 50), offer("b", "9", 50, mpn="C9200L-24P-4X-E")])
    assert line.allocations == ()
    assert line.flag == AMBIGUOUS
    assert "C9200L-24P-4G-E at Alpha Dist" in line.reason
    assert "C9200L-24P-4X-E at Beta Dist" in line.reason


def test_the_same_mpn_spelled_otherwise_is_one_product() -> None:
    line = choose(LINE, [offer("a", "10", 50), offer("b", "9", 50, mpn="c9200l 24p 4g e")])
    assert line.flag is None
    assert line.allocations[0].supplier == "b"


def test_manufacturers_are_compared_only_when_both_name_one() -> None:
    named = [offer("a", "10", 50, maker="Cisco Systems"), offer("b", "9", 50, maker="Netgear")]
    clash = choose(LINE, named)
    assert clash.flag == AMBIGUOUS
    assert clash.allocations == ()
    assert "manufacturers differ" in clash.reason
    # One names none (a numeric code only): the MPN alone decides.
    one = choose(LINE, [offer("a", "10", 50, maker="Cisco Systems"), offer("b", "9", 50)])
    assert one.flag is None
    assert one.manufacturer == "Cisco Systems"
    # Spelling aside, the same name.
    same = [offer("a", "10", 50, maker="CISCO-SYSTEMS"), offer("b", "9", 50, maker="Cisco Systems")]
    assert choose(LINE, same).flag is None


def test_a_failed_supplier_is_named_and_the_other_chosen() -> None:
    down = offer("a", None, 0, status=OfferStatus.ERROR, error="Alpha is in maintenance")
    line = choose(LINE, [down, offer("b", "11", 50)])
    assert line.allocations[0].supplier == "b"
    assert (
        line.reason
        == "only Beta Dist offers it; Alpha Dist could not answer: Alpha is in maintenance"
    )


def test_no_buyable_offer_is_flagged() -> None:
    unknown = offer("a", None, 0, status=OfferStatus.UNKNOWN)
    no_price = offer("b", None, 0)
    line = choose(LINE, [unknown, no_price])
    assert line.allocations == ()
    assert line.flag == NOT_OFFERED
    assert line.reason.startswith("no supplier can sell it now")


def test_a_stock_event_offer_is_shown_but_never_chosen() -> None:
    live = offer("b", "11", 5)
    kept = SourcedOffer("a", "Alpha Dist", offer("a", None, 500).offer, "stock event", 3600, None)
    line = choose(LINE, [kept, live], failures={"a": "timed out"})
    assert [a.supplier for a in line.allocations] == ["b"]
    assert line.allocations[0].backorder
    assert "Alpha Dist could not answer: timed out" in line.reason
    assert kept in line.offers


def test_prices_in_two_currencies_are_not_compared() -> None:
    usd, cad = offer("a", "100", 50), offer("b", "90", 50)
    cad = SourcedOffer(cad.supplier, cad.supplier_name,
                       replace(cad.offer, currency="CAD"), "live", 0, cad.landed)  # fmt: skip
    usd = SourcedOffer(usd.supplier, usd.supplier_name,
                       replace(usd.offer, currency="USD"), "live", 0, usd.landed)  # fmt: skip
    chosen = choose(LINE, [usd, cad])
    assert chosen.flag == AMBIGUOUS
    assert chosen.allocations == ()
    assert "different currencies" in chosen.reason
    assert "CAD at Beta Dist" in chosen.reason
