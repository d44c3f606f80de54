"""Quotes a distributor prepared for the reseller, and whether one can be ordered now."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class QuoteSummary:
    """One row of a quote search."""

    quote_number: str
    name: str | None
    status: str | None
    total: Decimal | None
    vendor_name: str | None = None
    special_bid: str | None = None
    created_on: str | None = None
    expires_on: str | None = None


@dataclass(frozen=True, slots=True)
class QuoteLine:
    line_number: int
    sku: str  # the supplier's part number: what an order line names
    quantity: int
    price: Decimal | None  # the agreed unit price
    vendor_part_number: str | None = None
    vendor_name: str | None = None
    description: str | None = None
    list_price: Decimal | None = None
    extended_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    quote_number: str
    name: str | None
    status: str | None
    currency: str | None
    lines: tuple[QuoteLine, ...]
    total: Decimal | None
    special_bid: str | None = None
    end_user: str | None = None
    created_on: str | None = None
    expires_on: str | None = None
    raw: dict[str, object] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class QuoteValidation:
    """The supplier's answer to "can this quote be ordered now?".

    ``reason`` says why not when ``valid`` is false; ``required_fields`` names what the vendor
    wants on the order (vendor-mandatory fields) that disty does not fill in.
    """

    quote_number: str
    valid: bool
    reason: str | None = None
    required_fields: tuple[str, ...] = ()
