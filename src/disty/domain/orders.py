"""Purchase orders: statuses and the moves between them, PO numbers, ship-to addresses and the
price-drift rule. Pure rules, no I/O (groundwork for the ordering service)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from disty.errors import InvalidInput


class POStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"  # price drift beyond tolerance: a person decides
    SUBMITTING = "submitting"  # in the outbox; the supplier may or may not have it yet
    SUBMITTED = "submitted"
    ON_HOLD = "on_hold"
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    BACKORDERED = "backordered"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"
    VOIDED = "voided"
    FAILED = "failed"  # the supplier refused the whole order; nothing was placed


FINAL = frozenset({POStatus.INVOICED, POStatus.CANCELLED, POStatus.VOIDED, POStatus.FAILED})

# States the supplier reports once the order exists there; any may follow another, because
# webhooks and polls arrive out of order and a supplier may skip steps.
_AT_SUPPLIER = frozenset(
    {
        POStatus.SUBMITTED,
        POStatus.ON_HOLD,
        POStatus.PARTLY_SHIPPED,
        POStatus.SHIPPED,
        POStatus.BACKORDERED,
        POStatus.INVOICED,
        POStatus.CANCELLED,
        POStatus.VOIDED,
    }
)

_MOVES: dict[POStatus, frozenset[POStatus]] = {
    POStatus.DRAFT: frozenset(
        {POStatus.SUBMITTING, POStatus.AWAITING_APPROVAL, POStatus.CANCELLED}
    ),
    POStatus.AWAITING_APPROVAL: frozenset({POStatus.SUBMITTING, POStatus.CANCELLED}),
    POStatus.SUBMITTING: _AT_SUPPLIER | {POStatus.FAILED},
    **{status: _AT_SUPPLIER - {status} for status in _AT_SUPPLIER - FINAL},
    **{status: frozenset() for status in FINAL},
}


def can_move(current: POStatus, new: POStatus) -> bool:
    return new in _MOVES[current]


def require_move(current: POStatus, new: POStatus) -> None:
    if not can_move(current, new):
        raise InvalidInput(f"a PO that is {current.value} cannot become {new.value}")


# Ingram's customerOrderNumber: 35 characters in v6 but 18 in v7, so 18 fits both.
PO_NUMBER_MAX = 18
_PO_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


def validate_po_number(value: str) -> str:
    number = value.strip()
    if len(number) <= PO_NUMBER_MAX and _PO_NUMBER.fullmatch(number):
        return number
    raise InvalidInput(
        f"invalid PO number {value!r}: use 1 to {PO_NUMBER_MAX} letters, digits and . _ / -, "
        "starting with a letter or digit",
        field="po",
    )


def drifted(expected: Decimal, current: Decimal, tolerance: Decimal) -> bool:
    """True when the supplier's current price exceeds the expected one by more than the
    tolerance (a fraction: 0.02 is 2%). A lower price never stops a PO."""
    return current > expected * (1 + tolerance)


@dataclass(frozen=True, slots=True)
class Address:
    company: str
    street: str
    city: str
    state: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2


_ADDRESS_FIELDS = ("company", "street", "city", "state", "postcode", "country")


def parse_ship_to(value: str) -> Address:
    """``Company|Street|City|State|Postcode|CountryCode``; a ``|`` inside a field is ``\\|``."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in "|\\" else ch + nxt)
        elif ch == "|":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    if len(parts) != len(_ADDRESS_FIELDS) or not all(parts[:3]) or not parts[5]:
        raise InvalidInput(
            'invalid ship-to: use "Company|Street|City|State|Postcode|CountryCode" (six fields, '
            "a | inside a field written \\|)",
            field="ship_to",
        )
    country = parts[5].upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidInput(
            f"invalid ship-to country {parts[5]!r}: use a two-letter code such as US or CA",
            field="ship_to",
        )
    company, street, city, state, postcode = parts[:5]
    return Address(company, street, city, state, postcode, country)


# -- what an order asks for and what the supplier says about it --------------------------------


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_number: int
    sku: str
    quantity: int
    special_bid: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRequest:
    po_number: str
    lines: tuple[OrderLine, ...]
    ship_to: Address
    hold: bool = False
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """The supplier's answer to an order: its order number(s) and the lines it refused."""

    order_numbers: tuple[str, ...]
    rejected: dict[int, str]  # line number -> the supplier's reason


@dataclass(frozen=True, slots=True)
class Shipment:
    sku: str
    tracking_number: str
    carrier: str | None
    tracking_url: str | None
    shipped_on: str | None
    quantity: int
    serial_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineState:
    line_number: int | None
    sku: str
    shipped: int
    backordered: int


@dataclass(frozen=True, slots=True)
class OrderState:
    """One supplier order as the supplier shows it now."""

    order_number: str
    status: POStatus
    lines: tuple[LineState, ...]
    shipments: tuple[Shipment, ...]
    invoices: tuple[str, ...]
