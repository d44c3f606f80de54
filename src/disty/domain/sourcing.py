"""Sourcing a list of parts across suppliers: which offers are the same product, and where
each line is bought, with its reason in plain words. Pure: no I/O (services/sourcing.py asks
the suppliers and places the POs).

The rules, as decided for issue 23:

- Matching. A line names a manufacturer part number (MPN) or one supplier's own SKU; each
  supplier's offer says which MPN it resolved the part to (``Offer.vendor_part_number``).
  Offers are the same product when their MPNs are equal once normalised (:func:`normalize_mpn`:
  case, spaces, dashes, dots, slashes and underscores do not count) and, where both suppliers
  name the manufacturer, the names agree (normalised the same way). A supplier that names no
  manufacturer (one whose price answer carries only a numeric code) is matched on the MPN
  alone: a code cannot be compared with a name. Two different MPNs for one line, or two
  different manufacturers, make the line *ambiguous*: it is flagged, nothing is allocated, and
  the reason says which products disagree, so the buyer chooses by hand.
- Choosing. Only a live offer with a price, a supplier SKU and no "discontinued" can be bought
  (an offer from the last stock event is shown, with its age, but has no price: never chosen).
  First, enough stock for the whole quantity; with ``near`` (a state, domain/nearby.py) the
  offers with the whole quantity in one warehouse in that state come first, and when none has
  it there the line falls back to total stock, its reason saying "not near <state>". Then the
  lowest landed cost: the unit price, plus, when freight was asked, the supplier's freight
  estimate spread over its lines by value (services/landed.py); a supplier whose freight is
  unknown is ranked on its price alone, and the reason says so. Then the preference
  (``prefer``, suppliers' keys in order: the request's, else the tenant's stored one); then
  the supplier's key, so the choice never depends on the order answers arrived in. Prices in
  different currencies are never compared: such a line is flagged ambiguous.
- Short everywhere. With ``split`` the quantity is taken from the suppliers in that same order,
  each up to its stock, and what no one has is back-ordered at the best source; without it
  the whole line is back-ordered at the best source that takes back-orders. Both are flagged.
- A supplier that could not answer never hides the others: the line is chosen among those that
  did, and the reason names the failure ("<supplier> could not answer: ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from disty.domain.nearby import warehouse_state
from disty.domain.offers import Offer, OfferStatus

Source = Literal["live", "stock event"]
_NOT_COUNTED = re.compile(r"[\s\-./_]+")
_NOT_IN_NAME = re.compile(r"[^0-9a-z]+")

# A line's flag: what the buyer should look at before ordering it.
AMBIGUOUS = "ambiguous"
NOT_OFFERED = "not offered"
BACKORDER = "backorder"
SPLIT = "split"


def normalize_mpn(text: str) -> str:
    """An MPN as compared across suppliers: 'c9200l 24p/4g.e' and 'C9200L-24P-4G-E' agree."""
    return _NOT_COUNTED.sub("", text).upper()


def normalize_manufacturer(text: str) -> str:
    """'Hewlett-Packard' and 'HEWLETT PACKARD' agree; 'HP' and 'Hewlett Packard' do not."""
    return _NOT_IN_NAME.sub("", text.lower())


@dataclass(frozen=True, slots=True)
class WantedLine:
    line_number: int  # the buyer's own numbering (1-based), kept in every answer
    part: str  # an MPN or a supplier's SKU, as written
    quantity: int


@dataclass(frozen=True, slots=True)
class SourcingRequest:
    lines: tuple[WantedLine, ...]
    split: bool = False
    prefer: tuple[str, ...] = ()  # suppliers' keys, most preferred first
    near: str | None = None  # a state or province (domain/nearby.py's parse_near)
    freight: bool = False  # add each supplier's freight estimate to the landed cost


@dataclass(frozen=True, slots=True)
class SourcedOffer:
    supplier: str
    supplier_name: str
    offer: Offer
    source: Source
    age_s: int  # how old the offer was when the result was made
    landed: Decimal | None  # what one unit costs delivered: the unit price (+ ``freight``)
    freight: Decimal | None = None  # this unit's share of the freight, when estimated

    @property
    def stock(self) -> int:
        """Units available now: the supplier's total, else the sum of its warehouses."""
        if self.offer.available is not None:
            return max(0, self.offer.available)
        return sum(max(0, w.available) for w in self.offer.warehouses)

    def stock_near(self, state: str) -> int:
        """The most units one warehouse in ``state`` holds (one shipment from nearby)."""
        return max(
            (max(0, w.available) for w in self.offer.warehouses
             if warehouse_state(w.location) == state),
            default=0,
        )  # fmt: skip

    @property
    def buyable(self) -> bool:
        o = self.offer
        return (
            self.source == "live"
            and o.status is OfferStatus.OK
            and bool(o.supplier_sku)
            and self.landed is not None
            and self.landed > 0
            and not o.discontinued
        )


@dataclass(frozen=True, slots=True)
class Allocation:
    supplier: str
    supplier_sku: str
    quantity: int
    unit_price: Decimal
    backorder: bool  # some or all of the quantity is not in stock there now


@dataclass(frozen=True, slots=True)
class SourcedLine:
    wanted: WantedLine
    mpn: str | None  # the product's MPN as a supplier wrote it (None: no one knows it)
    manufacturer: str | None
    offers: tuple[SourcedOffer, ...]
    allocations: tuple[Allocation, ...]
    reason: str
    flag: str | None = None  # AMBIGUOUS, NOT_OFFERED, BACKORDER, SPLIT or None


@dataclass(frozen=True, slots=True)
class SourcingResult:
    lines: tuple[SourcedLine, ...]
    suppliers_asked: tuple[str, ...]
    failures: dict[str, str] = field(default_factory=dict)  # supplier -> what failed
    asked_at: datetime | None = None
    freight_unknown: dict[str, str] = field(default_factory=dict)  # supplier -> why


def choose(
    wanted: WantedLine,
    offers: Sequence[SourcedOffer],
    *,
    split: bool = False,
    prefer: Sequence[str] = (),
    failures: Mapping[str, str] | None = None,
    near: str | None = None,
    freight: bool = False,
) -> SourcedLine:
    """Where one line is bought (see the module's rules), with the reason in plain words.
    ``near``: a state code (domain/nearby.py); ``freight``: whether freight was estimated
    (an offer's ``freight`` is then its share, None where it is unknown)."""
    failures = failures or {}
    found = [o for o in offers if o.offer.status is OfferStatus.OK]
    mpn, manufacturer, conflict = identify(found)
    failed = _failed_note(offers, failures)

    def line(allocations: tuple[Allocation, ...], reason: str, flag: str | None) -> SourcedLine:
        return SourcedLine(
            wanted, mpn, manufacturer, tuple(offers), allocations, reason + failed, flag
        )

    if conflict:
        return line((), conflict, AMBIGUOUS)
    buyable = [o for o in offers if o.buyable]
    currencies = {o.offer.currency for o in buyable if o.offer.currency}
    if len(currencies) > 1:
        # Prices in two currencies are not compared by number: the buyer decides.
        what = ", ".join(f"{o.offer.currency} at {o.supplier_name}" for o in buyable)
        return line((), f"ambiguous: prices in different currencies ({what}); choose by hand",
                    AMBIGUOUS)  # fmt: skip
    ranked = sorted(buyable, key=_ranking(prefer))
    if not ranked:
        return line((), _why_none(found), NOT_OFFERED)
    quantity = wanted.quantity
    whole = [o for o in ranked if o.stock >= quantity]
    notes = _freight_note(ranked) if freight else ""
    if whole:
        close = [o for o in whole if near and o.stock_near(near) >= quantity]
        if near and not close:
            notes = f"; not near {near}" + notes
        best = (close or whole)[0]
        reason = _why(best, close or whole, ranked, prefer, near if close else None)
        return line((_allocate(best, quantity, False),), reason + notes, None)
    if split and sum(o.stock for o in ranked) > 0:
        allocations, reason, flag = _split(ranked, quantity)
        return line(allocations, reason + notes, flag)
    best = next((o for o in ranked if o.offer.backorder_allowed is not False), ranked[0])
    most = max(ranked, key=lambda o: o.stock)
    short = f"back-ordered at {best.supplier_name}: no supplier has {quantity}"
    if most.stock:
        short += f" (most: {most.stock} at {most.supplier_name})"
    return line((_allocate(best, quantity, True),), short + notes, BACKORDER)


def identify(found: Sequence[SourcedOffer]) -> tuple[str | None, str | None, str | None]:
    """(MPN, manufacturer, why the offers are not one product or None) of a line's offers."""
    mpns: dict[str, SourcedOffer] = {}
    for o in found:
        if o.offer.vendor_part_number:
            mpns.setdefault(normalize_mpn(o.offer.vendor_part_number), o)
    makers: dict[str, SourcedOffer] = {}
    for o in found:
        if o.offer.vendor_name:
            makers.setdefault(normalize_manufacturer(o.offer.vendor_name), o)
    first_mpn = next(iter(mpns.values()), None)
    first_maker = next(iter(makers.values()), None)
    mpn = first_mpn.offer.vendor_part_number if first_mpn else None
    manufacturer = first_maker.offer.vendor_name if first_maker else None
    if len(mpns) > 1:
        what = ", ".join(
            f"{o.offer.vendor_part_number} at {o.supplier_name}" for o in mpns.values()
        )
        return mpn, manufacturer, f"ambiguous: different products ({what}); choose by hand"
    if len(makers) > 1:
        what = ", ".join(f"{o.offer.vendor_name} at {o.supplier_name}" for o in makers.values())
        return mpn, manufacturer, f"ambiguous: manufacturers differ ({what}); choose by hand"
    return mpn, manufacturer, None


def _ranking(prefer: Sequence[str]) -> Callable[[SourcedOffer], tuple[Decimal, int, str]]:
    order = {key: n for n, key in enumerate(prefer)}

    def key(o: SourcedOffer) -> tuple[Decimal, int, str]:
        return _price(o), order.get(o.supplier, len(order)), o.supplier

    return key


def _price(o: SourcedOffer) -> Decimal:
    """A buyable offer's landed cost (buyable: it has one)."""
    return o.landed if o.landed is not None else Decimal(0)


def _allocate(o: SourcedOffer, quantity: int, backorder: bool) -> Allocation:
    """The PO line: at the supplier's unit price (freight is the supplier's to invoice)."""
    price = o.offer.price if o.offer.price is not None else _price(o)
    return Allocation(o.supplier, o.offer.supplier_sku or "", quantity, price, backorder)


def _why(
    best: SourcedOffer,
    whole: list[SourcedOffer],
    ranked: list[SourcedOffer],
    prefer: Sequence[str],
    near: str | None,
) -> str:
    """Why ``best`` won among ``whole`` (those with the quantity, near ``near`` if given)."""
    if len(ranked) == 1:
        return f"only {best.supplier_name} offers it" + (f", in stock near {near}" if near else "")
    if len(whole) == 1:
        return f"in stock {f'near {near} ' if near else ''}only at {best.supplier_name}"
    price, runner = _price(best), _price(whole[1])
    if price < runner:
        percent = (runner - price) / runner * 100
        if best.freight is not None and whole[1].freight is not None:
            return f"{percent:.1f}% cheaper landed at {best.supplier_name} (freight included)"
        return f"{percent:.1f}% cheaper at {best.supplier_name}"
    if best.supplier in prefer:
        return f"same price: {best.supplier_name} preferred"
    return f"same price, no preference: {best.supplier_name} (first by name)"


def _freight_note(ranked: Sequence[SourcedOffer]) -> str:
    """'; freight unknown at <supplier>' for each candidate ranked on its price alone."""
    return "".join(f"; freight unknown at {o.supplier_name}" for o in ranked if o.freight is None)


def _split(ranked: list[SourcedOffer], quantity: int) -> tuple[tuple[Allocation, ...], str, str]:
    allocations: list[Allocation] = []
    left = quantity
    for o in ranked:
        take = min(o.stock, left)
        if take:
            allocations.append(_allocate(o, take, False))
            left -= take
    parts = ", ".join(f"{a.quantity} at {_name(ranked, a.supplier)}" for a in allocations)
    reason = f"no supplier has {quantity}: split {parts}"
    if left:
        # What no one has waits at the best source, on the line it already has there.
        best = allocations[0]
        allocations[0] = Allocation(
            best.supplier, best.supplier_sku, best.quantity + left, best.unit_price, True
        )
        reason += f"; {left} back-ordered at {_name(ranked, best.supplier)}"
    return tuple(allocations), reason, SPLIT


def _name(offers: Sequence[SourcedOffer], supplier: str) -> str:
    return next(o.supplier_name for o in offers if o.supplier == supplier)


def _why_none(found: Sequence[SourcedOffer]) -> str:
    if not found:
        return "no supplier offers it"
    notes = "; ".join(f"{o.supplier_name}: {o.offer.message or 'no price'}" for o in found)
    return f"no supplier can sell it now ({notes})"


def _failed_note(offers: Sequence[SourcedOffer], failures: Mapping[str, str]) -> str:
    """'; <supplier> could not answer: ...' for each supplier whose live answer failed."""
    notes = []
    for o in offers:
        error = o.offer.error if o.offer.status is OfferStatus.ERROR else None
        error = error or (failures.get(o.supplier) if o.source == "stock event" else None)
        if o.offer.status is OfferStatus.ERROR or o.source == "stock event":
            notes.append(f"{o.supplier_name} could not answer: {error or 'no answer'}")
    return "".join(f"; {n}" for n in notes)
