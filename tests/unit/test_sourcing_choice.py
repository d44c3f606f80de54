"""The pure choice per line (domain/sourcing.py): matching by normalised MPN and manufacturer,
then stock, landed cost, preference; split and back-order; failures named in the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from disty.domain.freight import FreightEstimate
from disty.domain.nearby import parse_near, warehouse_state
from disty.domain.offers import Offer, OfferStatus, WarehouseStock
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
from disty.errors import InvalidInput
from disty.services.landed import Candidate, spread_by_value

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


# A warehouse near the ship-to, and freight in the landed cost.


def stocked(o: SourcedOffer, *warehouses: tuple[str, int]) -> SourcedOffer:
    """``o`` with its stock held in these (location, units) warehouses."""
    held = tuple(
        WarehouseStock(str(n), where, units) for n, (where, units) in enumerate(warehouses)
    )
    return replace(o, offer=replace(o.offer, available=None, warehouses=held))


@pytest.mark.parametrize(
    ("text", "state"),
    [("CA", "CA"), (" ca ", "CA"), ("US-CA", "CA"), ("CA, US", "CA"), ("Fremont, CA", "CA"),
     ("CA 94539", "CA"), ("california", "CA"), ("New York", "NY"), ("CA-ON", "ON"),
     ("ON, CA", "ON")],
)  # fmt: skip
def test_near_is_read_leniently(text: str, state: str) -> None:
    assert parse_near(text) == state


@pytest.mark.parametrize("text", ["", "94539", "Atlantis", "x" * 81])
def test_near_that_names_no_state_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="near"):
        parse_near(text)


def test_warehouse_locations_as_suppliers_write_them() -> None:
    assert warehouse_state("Fremont, CA") == "CA"
    assert warehouse_state("Mira Loma, CA 91752") == "CA"
    assert warehouse_state("Mississauga, ON") == "ON"
    assert warehouse_state("Fremont") is None
    assert warehouse_state(None) is None


def test_near_stock_in_one_warehouse_beats_a_lower_price() -> None:
    cheap = stocked(offer("a", "90.00", 0), ("Fort Worth, TX", 50))
    near = stocked(offer("b", "100.00", 0), ("Fremont, CA", 40), ("Fort Worth, TX", 5))
    line = choose(LINE, [cheap, near], near="CA")
    assert line.allocations == (Allocation("b", "B1", 40, Decimal("100.00"), False),)
    assert line.reason == "in stock near CA only at Beta Dist"


def test_near_stock_split_over_two_warehouses_is_not_near() -> None:
    a = stocked(offer("a", "90.00", 0), ("Fremont, CA", 30), ("Mira Loma, CA", 30))
    b = stocked(offer("b", "100.00", 0), ("Fort Worth, TX", 50))
    line = choose(LINE, [a, b], near="CA")
    assert [x.supplier for x in line.allocations] == ["a"]
    assert line.reason == "10.0% cheaper at Alpha Dist; not near CA"


def test_freight_share_decides_the_landed_cost() -> None:
    a = replace(offer("a", "100.00", 50), landed=Decimal("104.00"), freight=Decimal("4.00"))
    b = replace(offer("b", "101.00", 50), landed=Decimal("102.00"), freight=Decimal("1.00"))
    line = choose(LINE, [a, b], freight=True)
    # The PO carries the unit price; freight is the supplier's to invoice.
    assert line.allocations == (Allocation("b", "B1", 40, Decimal("101.00"), False),)
    assert line.reason == "1.9% cheaper landed at Beta Dist (freight included)"


def test_a_supplier_without_freight_is_ranked_on_its_price_and_named() -> None:
    a = offer("a", "100.00", 50)  # no freight known
    b = replace(offer("b", "101.00", 50), landed=Decimal("102.00"), freight=Decimal("1.00"))
    line = choose(LINE, [a, b], freight=True)
    assert [x.supplier for x in line.allocations] == ["a"]
    assert line.reason == "2.0% cheaper at Alpha Dist; freight unknown at Alpha Dist"


def test_freight_is_spread_over_a_suppliers_lines_by_value() -> None:
    def candidate(n: int, price: str, quantity: int) -> Candidate:
        return Candidate(n, replace(offer("a", price, 99).offer, currency="USD"), quantity, None)

    lines = [candidate(1, "100.00", 3), candidate(2, "50.00", 2)]  # values 300 and 100
    estimate = FreightEstimate("USD", Decimal("40.00"), None, None, None, ())
    assert spread_by_value(estimate, lines) == {1: Decimal("10.0000"), 2: Decimal("5.0000")}
    other = replace(estimate, currency="CAD")
    assert spread_by_value(other, lines) == "freight quoted in CAD, prices in USD"
    assert spread_by_value(replace(estimate, freight=None), lines) == (
        "the estimate states no freight"
    )
