"""The Compare page's choices checked against the offers it showed (web/ui/comparison.py):
disty's choice, another supplier's offer at the price shown, a split as made, or nothing; any
other value refused with the line named. And the offers survive their trip through the form."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from disty.domain.offers import Offer, OfferStatus
from disty.domain.sourcing import SourcedOffer, SourcingResult, WantedLine, choose
from disty.errors import InvalidInput
from disty.web.ui.comparison import AS_CHOSEN, LEAVE_OUT, Comparison, Pick, chosen, from_result

AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def offer(
    supplier: str, sku: str, price: str | None, stock: int, status: OfferStatus = OfferStatus.OK
) -> SourcedOffer:
    o = Offer(supplier, "PART-1", status, AT, supplier_sku=sku, vendor_part_number="PART-1",
              price=None if price is None else Decimal(price), currency="USD",
              available=stock)  # fmt: skip
    landed = o.price if status is OfferStatus.OK else None
    return SourcedOffer(supplier, supplier.upper(), o, "live", 0, landed)


def comparison(*lines: tuple[int, int, list[SourcedOffer]], split: bool = False) -> Comparison:
    sourced = tuple(
        choose(WantedLine(n, "PART-1", quantity), offers, split=split)
        for n, quantity, offers in lines
    )
    result = SourcingResult(sourced, ("a", "b"), {}, AT)
    # Through the seal and back: what the order form checks against.
    return Comparison.from_json(from_result(result).to_json())


def test_the_default_is_disty_s_choice_at_its_price() -> None:
    c = comparison((1, 2, [offer("a", "A1", "5.00", 10), offer("b", "B1", "6.00", 10)]))
    [(row, picks)] = chosen(c, {})
    assert row.default == "a"
    assert picks == (Pick("a", "A1", 2, Decimal("5.00"), False),)


def test_another_offer_chosen_by_hand_is_bought_at_its_shown_price() -> None:
    c = comparison((1, 20, [offer("a", "A1", "5.00", 30), offer("b", "B1", "6.00", 4)]))
    [(_, picks)] = chosen(c, {"line-1": "b"})
    assert picks == (Pick("b", "B1", 20, Decimal("6.00"), backorder=True),)


def test_a_split_is_kept_as_made_and_a_line_may_be_left_out() -> None:
    c = comparison(
        (1, 10, [offer("a", "A1", "5.00", 6), offer("b", "B1", "6.00", 6)]),
        (2, 1, [offer("a", "A1", "5.00", 6), offer("b", "B1", "6.00", 6)]),
        split=True,
    )
    assert c.rows[0].default == AS_CHOSEN
    [(row, picks)] = chosen(c, {"line-2": LEAVE_OUT})
    assert row.number == 1
    assert [(p.supplier, p.quantity) for p in picks] == [("a", 6), ("b", 4)]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("c", "made no offer"),  # a supplier not asked
        ("b", "made no offer"),  # asked, but did not know the part
        ("A", "made no offer"),  # case matters: keys are exact
        (AS_CHOSEN, "did not split"),
    ],
)
def test_a_choice_never_offered_is_refused_naming_the_line(value: str, says: str) -> None:
    c = comparison(
        (3, 1, [offer("a", "A1", "5.00", 6), offer("b", "B1", None, 0, status=OfferStatus.UNKNOWN)])
    )
    with pytest.raises(InvalidInput, match=f"line 3 .*{says}"):
        chosen(c, {"line-3": value})


def test_every_line_left_out_is_nothing_to_order() -> None:
    c = comparison((1, 1, [offer("a", "A1", "5.00", 6)]))
    with pytest.raises(InvalidInput, match="nothing to order"):
        chosen(c, {"line-1": LEAVE_OUT})
