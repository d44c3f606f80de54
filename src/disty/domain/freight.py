"""What shipping an order would cost, before it is placed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FreightLine:
    sku: str
    quantity: int
    warehouse_id: str | None = None


@dataclass(frozen=True, slots=True)
class CarrierOption:
    carrier_code: str
    ship_via: str | None
    charge: Decimal | None
    transit_days: int | None = None


@dataclass(frozen=True, slots=True)
class FreightShipment:
    """One shipment the order would make (one per warehouse), with the carrier it would take."""

    warehouse_id: str | None
    carrier_code: str | None
    ship_via: str | None
    charge: Decimal | None
    weight: Decimal | None
    transit_days: int | None
    options: tuple[CarrierOption, ...] = ()


@dataclass(frozen=True, slots=True)
class FreightEstimate:
    currency: str | None
    freight: Decimal | None
    net_amount: Decimal | None
    tax: Decimal | None
    total: Decimal | None
    shipments: tuple[FreightShipment, ...]
    raw: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
