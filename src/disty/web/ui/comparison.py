"""The Compare page's data: a sourcing result as the page shows it (one row per line, one cell
per supplier), in a form that travels sealed through the "Create POs" form and back.

Why a copy of the result rather than the result itself: the page is rendered again from what
comes back (after a refused PO form), and the POs are made from it. Sealed (sealed.py), it is
exactly what the buyer saw; a choice posted by hand is checked against it (:func:`chosen`), so
nobody orders at a price the page never showed, or from a supplier that never offered the part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from disty.domain.offers import OfferStatus
from disty.domain.sourcing import SourcedLine, SourcingResult
from disty.errors import InvalidInput

# The choices a line offers besides one supplier's offer (radio values; supplier keys are
# lower-case words, so neither is one).
AS_CHOSEN = "split as chosen"  # a line disty split across suppliers, as it split it
LEAVE_OUT = "leave out"  # not ordered


@dataclass(frozen=True, slots=True)
class Cell:
    """One supplier's offer for one line, as shown."""

    supplier: str
    status: str  # OfferStatus value: ok, unknown, error
    source: str  # "live" or "stock event"
    fetched_at: datetime
    buyable: bool  # may be chosen by hand: live, priced, known SKU, not discontinued
    supplier_sku: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    stock: int = 0
    note: str | None = None  # the supplier's error or message
    # This unit's share of the supplier's freight estimate, when freight was asked and known;
    # ``price`` stays the unit price the PO carries (freight is the supplier's to invoice).
    freight: Decimal | None = None

    @property
    def landed(self) -> Decimal | None:
        if self.price is None or self.freight is None:
            return None
        return self.price + self.freight

    def to_json(self) -> dict[str, Any]:
        return {
            "supplier": self.supplier, "status": self.status, "source": self.source,
            "fetched_at": self.fetched_at.isoformat(), "buyable": self.buyable,
            "supplier_sku": self.supplier_sku,
            "price": None if self.price is None else str(self.price),
            "currency": self.currency, "stock": self.stock, "note": self.note,
            "freight": None if self.freight is None else str(self.freight),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cell:
        return cls(
            supplier=str(data["supplier"]), status=str(data["status"]),
            source=str(data["source"]), fetched_at=datetime.fromisoformat(data["fetched_at"]),
            buyable=bool(data["buyable"]), supplier_sku=data.get("supplier_sku"),
            price=None if data.get("price") is None else Decimal(data["price"]),
            currency=data.get("currency"), stock=int(data.get("stock") or 0),
            note=data.get("note"),
            freight=None if data.get("freight") is None else Decimal(data["freight"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pick:
    """Part of a line bought at one supplier: disty's allocation, or the buyer's choice."""

    supplier: str
    supplier_sku: str
    quantity: int
    unit_price: Decimal
    backorder: bool

    def to_json(self) -> list[Any]:
        return [self.supplier, self.supplier_sku, self.quantity, str(self.unit_price),
                self.backorder]  # fmt: skip

    @classmethod
    def from_json(cls, data: list[Any]) -> Pick:
        supplier, sku, quantity, price, backorder = data
        return cls(str(supplier), str(sku), int(quantity), Decimal(price), bool(backorder))


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # the line's number in the pasted list
    part: str
    quantity: int
    mpn: str | None
    manufacturer: str | None
    reason: str
    flag: str | None
    cells: dict[str, Cell]  # by supplier key; a supplier not asked for this line has none
    picks: tuple[Pick, ...]  # disty's choice (empty: nothing chosen, e.g. ambiguous)

    @property
    def chosen_suppliers(self) -> set[str]:
        return {p.supplier for p in self.picks}

    @property
    def default(self) -> str:
        """The radio checked before the buyer touches anything: the one supplier disty chose
        (its offer is the same pick), the split as disty made it, or nothing."""
        if len(self.picks) == 1:
            return self.picks[0].supplier
        return AS_CHOSEN if self.picks else LEAVE_OUT

    @property
    def split(self) -> bool:
        return len(self.picks) > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "part": self.part, "quantity": self.quantity,
            "mpn": self.mpn, "manufacturer": self.manufacturer, "reason": self.reason,
            "flag": self.flag, "cells": [c.to_json() for c in self.cells.values()],
            "picks": [p.to_json() for p in self.picks],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        cells = [Cell.from_json(c) for c in data["cells"]]
        return cls(
            number=int(data["number"]), part=str(data["part"]), quantity=int(data["quantity"]),
            mpn=data.get("mpn"), manufacturer=data.get("manufacturer"),
            reason=str(data["reason"]), flag=data.get("flag"),
            cells={c.supplier: c for c in cells},
            picks=tuple(Pick.from_json(p) for p in data["picks"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Comparison:
    suppliers: tuple[str, ...]  # the columns, in the order asked
    rows: tuple[Row, ...]
    failures: dict[str, str]  # supplier -> what failed for the whole list
    # What the list was compared with, so a page rendered again from the seal says the same.
    near: str | None = None  # the state or province code stock was looked for in
    freight: bool = False  # whether freight estimates were asked
    freight_unknown: dict[str, str] = field(default_factory=dict)  # supplier -> why

    def to_json(self) -> dict[str, Any]:
        return {
            "suppliers": list(self.suppliers),
            "rows": [r.to_json() for r in self.rows],
            "failures": self.failures,
            "near": self.near,
            "freight": self.freight,
            "freight_unknown": self.freight_unknown,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Comparison:
        return cls(
            suppliers=tuple(str(s) for s in data["suppliers"]),
            rows=tuple(Row.from_json(r) for r in data["rows"]),
            failures={str(k): str(v) for k, v in dict(data.get("failures") or {}).items()},
            near=None if data.get("near") is None else str(data["near"]),
            freight=bool(data.get("freight")),
            freight_unknown={
                str(k): str(v) for k, v in dict(data.get("freight_unknown") or {}).items()
            },
        )


def _row(line: SourcedLine) -> Row:
    cells: dict[str, Cell] = {}
    for sourced in line.offers:
        offer = sourced.offer
        cells.setdefault(
            sourced.supplier,
            Cell(
                supplier=sourced.supplier, status=offer.status.value, source=sourced.source,
                fetched_at=offer.fetched_at, buyable=sourced.buyable,
                supplier_sku=offer.supplier_sku,
                price=offer.price,
                currency=offer.currency, stock=sourced.stock,
                note=offer.error if offer.status is OfferStatus.ERROR else offer.message,
                freight=sourced.freight,
            ),
        )  # fmt: skip
    picks = tuple(
        Pick(a.supplier, a.supplier_sku, a.quantity, a.unit_price, a.backorder)
        for a in line.allocations
    )
    return Row(
        number=line.wanted.line_number, part=line.wanted.part, quantity=line.wanted.quantity,
        mpn=line.mpn, manufacturer=line.manufacturer, reason=line.reason, flag=line.flag,
        cells=cells, picks=picks,
    )  # fmt: skip


def from_result(
    result: SourcingResult, *, near: str | None = None, freight: bool = False
) -> Comparison:
    return Comparison(
        suppliers=tuple(result.suppliers_asked),
        rows=tuple(_row(line) for line in result.lines),
        failures=dict(result.failures),
        near=near,
        freight=freight,
        freight_unknown=dict(result.freight_unknown),
    )


def field_name(row: Row) -> str:
    """The radio group's name for a line."""
    return f"line-{row.number}"


def chosen(comparison: Comparison, form: dict[str, str]) -> list[tuple[Row, tuple[Pick, ...]]]:
    """What the buyer chose per line, checked against the sealed offers: disty's choice, one
    supplier's offer at the price shown (its stock permitting, else back-ordered), or nothing.
    A value the page never offered is refused with the line named, and nothing is ordered.
    Lines left out are not answered."""
    picked: list[tuple[Row, tuple[Pick, ...]]] = []
    for row in comparison.rows:
        value = form.get(field_name(row), row.default)
        if value == LEAVE_OUT:
            continue
        if value == AS_CHOSEN:
            if not row.split:
                raise InvalidInput(
                    f"line {row.number} ({row.part}): disty did not split this line; choose "
                    "one of the offers shown, or leave it out",
                    field="choice",
                )
            picked.append((row, row.picks))
            continue
        cell = row.cells.get(value)
        if cell is None or not cell.buyable or cell.supplier_sku is None or cell.price is None:
            raise InvalidInput(
                f"line {row.number} ({row.part}): that supplier made no offer that can be "
                "ordered; choose one of the offers shown, or compare again",
                field="choice",
            )
        pick = Pick(cell.supplier, cell.supplier_sku, row.quantity, cell.price,
                    backorder=cell.stock < row.quantity)  # fmt: skip
        picked.append((row, (pick,)))
    if not picked:
        raise InvalidInput("every line is left out: there is nothing to order", field="choice")
    return picked
