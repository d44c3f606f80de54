"""Returns (RMA cases): asking a distributor to take products back, and following the case."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from disty.domain.orders import Address


@dataclass(frozen=True, slots=True)
class ReturnLineRequest:
    invoice_number: str
    sku: str
    quantity: int
    reason: str
    secondary_reason: str = ""
    serial_number: str | None = None
    notes: str | None = None
    invoice_date: str | None = None  # an adapter whose supplier needs it looks it up


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    lines: tuple[ReturnLineRequest, ...]
    ship_from: Address  # where the carrier collects the goods
    contact: str
    email: str
    reference: str | None = None  # the reseller's own reference for the case
    boxes: int = 1


@dataclass(frozen=True, slots=True)
class ReturnLine:
    sku: str
    quantity: int
    invoice_number: str | None
    po_number: str | None = None
    vendor_part_number: str | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    extended_price: Decimal | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnCase:
    """A case as a search lists it (``lines`` empty) or as its detail shows it."""

    case_number: str
    status: str | None
    created_on: str | None
    reason: str | None
    reference: str | None
    estimated_value: Decimal | None
    lines: tuple[ReturnLine, ...] = ()
    return_address: str | None = None
    raw: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
