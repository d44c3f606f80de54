"""The price-and-availability algorithm every supplier adapter shares (suppliers/pna.py), with
a small in-memory distributor as the batch answerer: dedupe, batches, a failing batch, the
retry by manufacturer part number, the caller's order, and an answer disty cannot read."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from disty.domain.offers import Offer, OfferStatus
from disty.suppliers.errors import Unavailable
from disty.suppliers.pna import Ask, PnaRules, price_and_availability

OWN, MFR = "own", "mfr"
RULES = PnaRules(
    supplier="shop",
    name="The Shop",
    batch_size=2,
    first_ask=lambda sku: Ask(sku, OWN if sku.isdigit() else MFR, sku.upper()),
    retry_kind=MFR,
    keep_retried=frozenset({OfferStatus.OK}),
)


@dataclass
class Shop:
    """Knows products by its own numbers and by manufacturer part; can be told to fail."""

    by_own: dict[str, str] = field(default_factory=lambda: {"100": "9.99"})
    by_mfr: dict[str, str] = field(default_factory=lambda: {"ABC-1": "5.00", "200": "7.00"})
    fail_on: str | None = None  # a value whose batch fails as the supplier being down
    garbage_on: str | None = None  # a value whose batch answers what cannot be read
    asked: list[list[tuple[str, str]]] = field(default_factory=list)

    async def answer(self, batch: list[Ask]) -> list[Offer]:
        self.asked.append([(a.kind, a.value) for a in batch])
        values = {a.value for a in batch}
        if self.fail_on in values:
            raise Unavailable("The Shop is down: try again")
        if self.garbage_on in values:
            return []  # fewer rows than asked: nothing says which is which
        now = datetime.now(UTC)
        offers = []
        for a in batch:
            known = self.by_own if a.kind == OWN else self.by_mfr
            offers.append(
                Offer("shop", a.sku, OfferStatus.OK, now, message=known[a.value])
                if a.value in known
                else Offer("shop", a.sku, OfferStatus.UNKNOWN, now)
            )
        return offers


async def test_dedupes_batches_retries_and_answers_in_the_callers_order() -> None:
    shop = Shop()
    ticks: list[int] = []
    offers = await price_and_availability(
        ["abc-1", "100", " ABC-1 ", "", "200", "nope"], RULES, shop.answer, ticks.append
    )
    assert [(o.sku, o.status, o.message) for o in offers] == [
        ("abc-1", OfferStatus.OK, "5.00"),
        ("100", OfferStatus.OK, "9.99"),
        (" ABC-1 ", OfferStatus.OK, "5.00"),  # one ask, labelled as each spelling
        ("", OfferStatus.UNKNOWN, "empty SKU"),
        ("200", OfferStatus.OK, "7.00"),  # unknown by its own number, found by mfr part
        ("nope", OfferStatus.UNKNOWN, None),
    ]
    # Four distinct products in batches of two, then one retry; progress counts each once.
    assert sorted(len(batch) for batch in shop.asked) == [1, 2, 2]
    assert [(MFR, "200")] in shop.asked
    assert sum(ticks) == 4


async def test_a_failing_batch_marks_only_its_rows() -> None:
    shop = Shop(fail_on="100")
    offers = await price_and_availability(["100", "ABC-1", "X", "Y"], RULES, shop.answer)
    by_sku = {o.sku: o for o in offers}
    # Batches go out in order of first mention: ("100", "ABC-1"), then ("X", "Y").
    assert by_sku["100"].status is by_sku["ABC-1"].status is OfferStatus.ERROR
    assert by_sku["100"].error == "The Shop is down: try again"
    assert by_sku["X"].status is by_sku["Y"].status is OfferStatus.UNKNOWN


@pytest.mark.parametrize(("keep", "expected"), [
    (frozenset({OfferStatus.OK}), OfferStatus.UNKNOWN),
    (frozenset({OfferStatus.OK, OfferStatus.ERROR}), OfferStatus.ERROR),
])  # fmt: skip
async def test_which_retried_answers_replace_unknown(
    keep: frozenset[OfferStatus], expected: OfferStatus
) -> None:
    shop = Shop(by_own={})  # "100" is unknown by the shop's own number

    async def retry_fails(batch: list[Ask]) -> list[Offer]:
        if batch[0].kind == MFR:
            raise Unavailable("The Shop is down: try again")
        return await shop.answer(batch)

    [offer] = await price_and_availability(["100"], replace(RULES, keep_retried=keep), retry_fails)
    assert offer.status is expected


async def test_duplicates_in_other_spellings_keep_the_callers_spelling() -> None:
    offers = await price_and_availability(["abc-1", "ABC-1"], RULES, Shop().answer)
    assert [o.sku for o in offers] == ["abc-1", "ABC-1"]
    assert offers[0].price == offers[1].price  # asked once


async def test_an_answer_disty_cannot_read_fails_only_its_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shop = Shop(garbage_on="ABC-1")
    with caplog.at_level(logging.ERROR, logger="disty.suppliers.pna"):
        offers = await price_and_availability(["ABC-1", "Q", "100"], RULES, shop.answer)
    bad, with_it, fine = offers
    assert bad.status is with_it.status is OfferStatus.ERROR
    assert bad.error is not None
    assert "could not read The Shop's answer" in bad.error
    assert fine.status is OfferStatus.OK
    assert "could not be read" in caplog.text
