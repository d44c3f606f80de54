"""Orders as Ingram keeps them, and the life they lead on the simulated clock.

No HTTP here: routes build orders through ``OrderBook`` and render them with ``order_wire``;
the scheduler (``life.py``) moves them on. Why it is shaped this way:

- One ``Order`` is the single source every endpoint reads (create answer, v6.1 detail, search,
  modify, invoices, webhooks), so they cannot disagree.
- Life, one step each ``ship_after_s`` of simulated time: ``processing`` -> the confirmed
  quantities ship (``shipped``, or ``partially_shipped`` while a backorder remains) -> those
  shipments are invoiced -> the backorder ships -> it is invoiced. An order with nothing in
  stock starts ``backordered``. ``on_hold`` (``allowOrderOnCustomerHold``) waits for a release
  and is ``voided`` 24 hours after it was placed. ``cancelled`` only from ``on_hold``.
- Each shipment is a sub-order (``20-ABCDE-11``, ``-21``...) with a carrier, a tracking number
  and URL, and serial numbers for serialised products; its invoice number is the sub-order
  without hyphens (``20ABCDE11``), as the spec's examples pair them.
- Confirmed quantities are taken from stock (``Inventory``) when the order is placed and given
  back when it is cancelled or voided; P&A and stock-update webhooks read the same figures.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.vocab import CURRENCY, WAREHOUSES, Warehouse

Stage = Literal[
    "on_hold",
    "processing",
    "backordered",
    "partially_shipped",
    "shipped",
    "invoiced",
    "voided",
    "cancelled",
]
STAGES: tuple[Stage, ...] = (
    "on_hold",
    "processing",
    "backordered",
    "partially_shipped",
    "shipped",
    "invoiced",
    "voided",
    "cancelled",
)
HOLD_LIMIT_S = 24 * 3600
_CODE = "0123456789BCDFGHJKLMNPQRSTVWXYZ"  # Ingram's order codes avoid vowels (20-RD3QV)

# The header status as v6.1 detail spells it (its schema's list) and as search spells it (its
# enum). Invoiced orders stay "Shipped": neither list has an invoiced status; the invoice
# numbers on the shipments say it.
DETAIL_STATUS: dict[Stage, str] = {
    "on_hold": "On Hold",
    "processing": "Processing",
    "backordered": "Backordered",
    "partially_shipped": "Partially Shipped",
    "shipped": "Shipped",
    "invoiced": "Shipped",
    "voided": "Canceled",
    "cancelled": "Canceled",
}
SEARCH_STATUS: dict[Stage, str] = {
    "on_hold": "ON HOLD",
    "processing": "PROCESSING",
    "backordered": "BACKORDERED",
    "partially_shipped": "PARTIALLY SHIPPED",
    "shipped": "SHIPPED",
    "invoiced": "SHIPPED",
    "voided": "CANCELLED",
    "cancelled": "CANCELLED",
}


@dataclass(frozen=True, slots=True)
class Carrier:
    code: str
    name: str
    url: str  # with {n} for the tracking number

    def tracking_url(self, number: str) -> str:
        return self.url.format(n=number)


CARRIERS = (
    Carrier("UP", "UPS GROUND", "https://www.ups.com/track?tracknum={n}"),
    Carrier("RG", "FEDEX GROUND", "https://www.fedex.com/fedextrack/?trknbr={n}"),
)
VIRTUAL = Carrier("VL", "VIRTUAL", "")


def _digest(*parts: object) -> int:
    raw = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


@dataclass(slots=True)
class Shipment:
    sub_order_number: str
    quantity: int
    warehouse: Warehouse
    carrier: Carrier
    tracking_number: str
    shipped_at: float
    serials: list[str]
    invoice_number: str | None = None
    invoiced_at: float | None = None

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url(self.tracking_number) if self.tracking_number else ""


@dataclass(slots=True)
class Line:
    ingram_line_number: str
    customer_line_number: str
    product: Product
    quantity: int
    unit_price: float
    confirmed: int
    backordered: int
    warehouse: Warehouse
    notes: str = ""
    cancelled: bool = False
    shipments: list[Shipment] = field(default_factory=list)

    @property
    def shipped(self) -> int:
        return sum(s.quantity for s in self.shipments)

    @property
    def extended_price(self) -> float:
        return round(self.unit_price * self.quantity, 2)

    @property
    def serialised(self) -> bool:
        return self.product.serialised

    def status(self, stage: Stage) -> str:
        if self.cancelled or stage in ("voided", "cancelled"):
            return "Canceled"
        if stage == "on_hold":
            return "On Hold"
        if self.shipped >= self.quantity:
            return "Shipped"
        if self.backordered and self.shipped >= self.confirmed:
            return "Backordered"
        return "In Progress"


@dataclass(slots=True)
class Address:
    fields: dict[str, str]


@dataclass
class Order:
    number: str
    client_id: str
    country: str
    customer_order_number: str
    created_at: float
    stage: Stage
    lines: list[Line]
    end_customer_order_number: str = ""
    notes: str = ""
    ship_to: dict[str, str] = field(default_factory=dict)
    end_user: dict[str, str] = field(default_factory=dict)
    bill_to_address_id: str = "000"
    special_bid_number: str = ""
    next_step_at: float | None = None
    modified_at: float | None = None
    quote_number: str = ""
    confirmation_number: str = ""  # v7 orders
    order_type: str = "S"  # S stock, D direct ship
    history: list[tuple[float, Stage]] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return CURRENCY.get(self.country, "USD")

    @property
    def live_lines(self) -> list[Line]:
        return [ln for ln in self.lines if not ln.cancelled]

    @property
    def subtotal(self) -> float:
        return round(sum(ln.extended_price for ln in self.live_lines), 2)

    @property
    def freight(self) -> float:
        kg = sum(
            ln.product.weight_kg * ln.quantity for ln in self.live_lines if not ln.product.digital
        )
        return round(4.5 + kg * 0.9, 2) if kg else 0.0

    @property
    def total(self) -> float:
        return round(self.subtotal + self.freight, 2)

    @property
    def shipments(self) -> list[Shipment]:
        return [s for ln in self.lines for s in ln.shipments]

    @property
    def closed(self) -> bool:
        return self.stage in ("voided", "cancelled", "invoiced")

    def set_stage(self, stage: Stage, at: float) -> None:
        self.stage = stage
        self.history.append((at, stage))


class Inventory:
    """Stock taken by orders, per (product index, country), on top of the computed catalog."""

    def __init__(self) -> None:
        self.taken: defaultdict[tuple[int, str], int] = defaultdict(int)
        self.dirty: dict[tuple[int, str], Product] = {}  # changed since the last stock event

    def available(self, product: Product, country: str) -> int:
        base = sum(s.available for s in product.stock(country))
        return max(0, base - self.taken[(product.index, country)])

    def take(self, product: Product, country: str, qty: int) -> None:
        if qty:
            self.taken[(product.index, country)] += qty
            self.dirty[(product.index, country)] = product

    def give_back(self, product: Product, country: str, qty: int) -> None:
        self.take(product, country, -qty)

    def clear(self) -> None:
        self.taken.clear()
        self.dirty.clear()


class OrderBook:
    """Every order of every app, by Ingram order number."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.orders: dict[str, Order] = {}
        self._serial = 0

    def clear(self) -> None:
        self.orders.clear()
        self._serial = 0

    def new_number(self, country: str) -> str:
        # Ingram style: branch prefix, a hyphen and 5 letters/digits; unique by construction
        # (a counter spread over 31**5 codes by a bijective affine map).
        self._serial += 1
        n = (self._serial * 7_368_787 + self.seed * 104_729) % (31**5)
        code = ""
        for _ in range(5):
            n, r = divmod(n, 31)
            code = _CODE[r] + code
        return f"{'40' if country == 'CA' else '20'}-{code}"

    def for_app(self, client_id: str) -> list[Order]:
        return [o for o in self.orders.values() if o.client_id == client_id]

    def find(self, client_id: str, number: str) -> Order | None:
        order = self.orders.get(number.upper())
        return order if order is not None and order.client_id == client_id else None

    def duplicate(self, client_id: str, customer_order_number: str) -> bool:
        return any(
            o.customer_order_number.upper() == customer_order_number.upper()
            and o.stage not in ("voided", "cancelled")
            for o in self.for_app(client_id)
        )


def pick_warehouse(product: Product, country: str) -> Warehouse:
    """The warehouse with most stock of the product (the first one when none has any)."""
    rows = product.stock(country)
    if not rows:
        return WAREHOUSES["US"][0]
    return max(rows, key=lambda s: s.available).warehouse


def make_shipment(order: Order, line: Line, qty: int, at: float) -> Shipment:
    seq = len(order.shipments) + 1
    sub = f"{order.number}-{seq}1"
    if line.product.digital:
        carrier, tracking = VIRTUAL, ""
    else:
        h = _digest(order.number, line.ingram_line_number, seq)
        carrier = CARRIERS[h % len(CARRIERS)]
        tracking = f"1Z{h % 10**16:016d}" if carrier.code == "UP" else f"{h % 10**12:012d}"
    serials = []
    if line.serialised:
        base = _digest(order.number, line.ingram_line_number, "serial")
        serials = [
            f"{line.product.vendor_name[:2].upper()}{(base + i) % 36**8:08X}"[:12]
            for i in range(qty)
        ]
    return Shipment(sub, qty, line.warehouse, carrier, tracking, at, serials)


def invoice_number_of(sub_order_number: str) -> str:
    return sub_order_number.replace("-", "")
