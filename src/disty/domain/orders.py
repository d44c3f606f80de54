"""Purchase orders: PO numbers, ship-to addresses, the price-drift rule and what an order says
to and from a supplier. Pure rules, no I/O (groundwork for the ordering service). Statuses and
the moves between them are in po_status.py."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from disty.domain.po_status import POStatus
from disty.errors import InvalidInput

# The strictest distributor's limit on the customer's order number: 18 characters fit every
# order API. No supplier's spec sets a pattern (their examples use letters, digits, - and _);
# a PO number is also one segment of disty's own URLs (/api/v1/pos/{po}, the console's
# /pos/{po}), so "/" is left out: a PO numbered A/B would be placed and then unreachable
# there. The one rule for CLI, API and console; POs saved before it keep their numbers
# (looking a PO up never applies it).
PO_NUMBER_MAX = 18
PO_NUMBER_CHARACTERS = "letters, digits and . _ -"
_PO_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def validate_po_number(value: str) -> str:
    number = value.strip()
    if len(number) <= PO_NUMBER_MAX and _PO_NUMBER.fullmatch(number):
        return number
    raise InvalidInput(
        f"invalid PO number {value!r}: use 1 to {PO_NUMBER_MAX} {PO_NUMBER_CHARACTERS}, "
        "starting with a letter or digit",
        field="po",
    )


def drifted(expected: Decimal, current: Decimal, tolerance: Decimal) -> bool:
    """True when the supplier's current price exceeds the expected one by more than the
    tolerance (a fraction: 0.02 is 2%). A lower price never stops a PO."""
    return current > expected * (1 + tolerance)


@dataclass(frozen=True, slots=True)
class Address:
    """A ship-to or end-user address. With ``address_id`` alone it names an address the
    reseller has stored at the supplier (given at onboarding); otherwise company, street,
    city and country are needed."""

    company: str
    street: str
    city: str
    state: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2
    street2: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    address_id: str = ""

    @classmethod
    def stored(cls, address_id: str) -> Address:
        return cls("", "", "", "", "", "", address_id=address_id)

    def to_dict(self) -> dict[str, str]:
        """The six main fields always, the optional ones when given (as the PO stores it)."""
        data = {k: getattr(self, k) for k in _ADDRESS_FIELDS}
        data.update({k: getattr(self, k) for k in _OPTIONAL_FIELDS if getattr(self, k)})
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object], field: str = "ship_to") -> Address:
        unknown = sorted(set(data) - set(_ADDRESS_FIELDS) - set(_OPTIONAL_FIELDS))
        if unknown:
            raise InvalidInput(
                f"unknown {field} field(s) {', '.join(unknown)}: use "
                + ", ".join(_ADDRESS_FIELDS + _OPTIONAL_FIELDS),
                field=field,
            )
        texts = {k: "" if v is None else str(v).strip() for k, v in data.items()}
        return cls(**{k: texts.get(k, "") for k in _ADDRESS_FIELDS + _OPTIONAL_FIELDS})


_ADDRESS_FIELDS = ("company", "street", "city", "state", "postcode", "country")
_OPTIONAL_FIELDS = ("street2", "contact", "phone", "email", "address_id")
# The strictest distributor's limits on ship-to and end-user addresses: checked before the PO
# is saved, so a long field is a clear error, not a 400 from the distributor after the PO went
# out.
_MAX_LENGTH = {
    "company": 40, "street": 70, "street2": 70, "city": 25, "state": 3, "postcode": 10,
    "contact": 70, "address_id": 10, "phone": 20, "email": 100,
}  # fmt: skip
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def validate_address(address: Address, field: str = "ship_to") -> Address:
    """The address as given, once it is complete enough to ship to; a clear error if not."""
    for name, limit in _MAX_LENGTH.items():
        if len(getattr(address, name)) > limit:
            raise InvalidInput(f"{field} {name} is longer than {limit} characters", field=field)
    if address.email and not _EMAIL.fullmatch(address.email):
        raise InvalidInput(f"{field} email {address.email!r} is not an e-mail address", field=field)
    if address.address_id and not (address.company or address.street):
        return address  # a stored address: the supplier knows the rest
    missing = [k for k in ("company", "street", "city", "country") if not getattr(address, k)]
    if missing:
        raise InvalidInput(
            f"{field} needs {', '.join(missing)} (or only address_id, for an address stored "
            "at the supplier)",
            field=field,
        )
    if not re.fullmatch(r"[A-Z]{2}", address.country.upper()):
        raise InvalidInput(
            f"invalid {field} country {address.country!r}: use a two-letter code such as US",
            field=field,
        )
    return address


def validate_address_limits(
    address: Address, limits: Mapping[str, int], supplier: str, field: str = "ship_to"
) -> Address:
    """The address as given, if it fits one supplier's own limits (stricter than the ones
    above: ``limits`` maps an Address field to its longest length at that supplier), else a
    clear error before anything is saved or sent."""
    for name, limit in limits.items():
        if len(getattr(address, name)) > limit:
            raise InvalidInput(
                f"{field} {name} is longer than {limit} characters, the most {supplier} "
                "takes: shorten it",
                field=field,
            )
    return address


def parse_ship_to(value: str, field: str = "ship_to") -> Address:
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
            f'invalid {field.replace("_", "-")}: use "Company|Street|City|State|Postcode|'
            'CountryCode" (six fields, a | inside a field written \\|)',
            field=field,
        )
    country = parts[5].upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidInput(
            f"invalid {field.replace('_', '-')} country {parts[5]!r}: use a two-letter code "
            "such as US or CA",
            field=field,
        )
    company, street, city, state, postcode = parts[:5]
    return validate_address(Address(company, street, city, state, postcode, country), field)


# -- what an order asks for and what the supplier says about it --------------------------------


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_number: int
    sku: str
    quantity: int
    special_bid: str | None = None
    # The price the PO expects to pay (its line's expected price), for a supplier whose order
    # carries one per line; None when the PO has none (a quote's order).
    unit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderRequest:
    po_number: str
    lines: tuple[OrderLine, ...]  # may be empty for a quote's order: the quote's lines then
    ship_to: Address
    hold: bool = False
    notes: str | None = None
    # The supplier's order API chosen for this PO, as its registration names it (opaque here);
    # None for a supplier with one order API.
    api_version: str | None = None
    quote_number: str | None = None
    end_user: Address | None = None


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """The supplier's answer to an order: its order number(s) and the lines it refused, or
    for an asynchronous order only a confirmation number (the order number follows)."""

    order_numbers: tuple[str, ...]
    rejected: dict[int, str]  # line number -> the supplier's reason
    confirmation_number: str | None = None
    # line number -> what the supplier says of a line it accepted but did not simply book
    # ("back-ordered", "held for the supplier's price review"); shown on the PO's line.
    line_notes: dict[int, str] = field(default_factory=dict)


class ChangeKind(StrEnum):
    ADD = "add"
    SET = "set"  # a line's quantity
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class LineChange:
    """One change to an order's lines while it is on hold.

    ``line_number`` is disty's (for an added line, the number the ordering service gives it);
    ``supplier_line_number`` is the supplier's name for an existing line, which the ordering
    service fills in from the order detail before an adapter sees the change.
    """

    kind: ChangeKind
    line_number: int | None = None
    sku: str | None = None
    quantity: int | None = None
    supplier_line_number: str | None = None

    @classmethod
    def add(cls, sku: str, quantity: int) -> LineChange:
        return cls(ChangeKind.ADD, sku=sku.strip().upper(), quantity=quantity)

    @classmethod
    def set_quantity(cls, line_number: int, quantity: int) -> LineChange:
        return cls(ChangeKind.SET, line_number=line_number, quantity=quantity)

    @classmethod
    def remove(cls, line_number: int) -> LineChange:
        return cls(ChangeKind.REMOVE, line_number=line_number)

    def describe(self) -> str:
        if self.kind is ChangeKind.ADD:
            return f"add {self.quantity} × {self.sku} as line {self.line_number}"
        if self.kind is ChangeKind.SET:
            return f"line {self.line_number} quantity to {self.quantity}"
        return f"remove line {self.line_number}"


@dataclass(frozen=True, slots=True)
class ModifiedOrder:
    """The supplier's answer to a modification, by disty line number."""

    rejected: dict[int, str]  # changes the supplier refused, with its reason
    supplier_line_numbers: dict[int, str]  # how the supplier names the lines it added


@dataclass(frozen=True, slots=True)
class Shipment:
    sku: str
    tracking_number: str
    carrier: str | None
    tracking_url: str | None
    shipped_on: str | None
    quantity: int
    serial_numbers: tuple[str, ...] = ()
    line_number: int | None = None  # the PO line it ships, when the supplier says


@dataclass(frozen=True, slots=True)
class LineState:
    line_number: int | None
    sku: str
    shipped: int
    backordered: int
    quantity: int = 0  # ordered
    supplier_line_number: str | None = None  # how the supplier addresses the line (modify)
    note: str | None = None  # as PlacedOrder.line_notes; None says nothing (keeps the last)


@dataclass(frozen=True, slots=True)
class OrderState:
    """One supplier order as the supplier shows it now."""

    order_number: str
    status: POStatus
    lines: tuple[LineState, ...]
    shipments: tuple[Shipment, ...]
    invoices: tuple[str, ...]
