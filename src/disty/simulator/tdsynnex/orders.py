"""TD SYNNEX's orders and their life on the simulator's clock (NOTES 4.4, 5.2, 5.5).

One order per accepted PO, found by account and PO number (the only key POStatus knows) or by
any of its sales order numbers (the control API's key). Each line lives on its own:
``accepted`` -> ``shipped`` (ship time, packages with tracking numbers, serial numbers for
serialised products) -> ``invoiced``, one step every ``ship_after_s`` simulated seconds. A
backordered line (BO) ships one step later than a stocked one; a line held for sales (99: price
variance) waits for the control API. Sales may cancel (``deleted``) what has not shipped.
The control API may make an order stuck: its lines take no step on the clock until released,
and then resume as if time had stood still for them (each pending step moves on by the time
stuck).

TD SYNNEX pushes nothing for hardware orders (NOTES 9.1), so nothing is scheduled: an order
catches up with the clock whenever it is read (``settle``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from disty.simulator.ingram.catalog import mix64
from disty.simulator.tdsynnex.catalog import TdProduct, TdWarehouse

FIRST_ORDER_NUMBER = 43_061_107  # 8 digits, as in the spec's samples
LBS_PER_KG = 2.20462
MAX_PACKAGES = 3  # a line's units go in at most this many boxes


@dataclass
class Package:
    tracking: str
    weight_lb: str
    quantity: int
    serials: list[str]


@dataclass
class TdLine:
    line_number: str
    product: TdProduct
    serialised: bool
    weight_kg: float
    quantity: int
    unit_price: str  # what TD SYNNEX charges: its price, or the PO's when sales must check it
    order_number: str
    order_type: str  # SO, BO or 99
    warehouse: TdWarehouse
    code: str = "accepted"  # accepted | shipped | invoiced | deleted
    next_step_at: float | None = None
    shipped_at: float | None = None
    invoiced_at: float | None = None  # the invoice's date (invoices.py)
    packages: list[Package] = field(default_factory=list)


@dataclass
class TdOrder:
    country: str
    customer: str
    po_number: str
    po_datetime: str
    ship_method: str
    ship_method_description: str
    created_at: float
    lines: list[TdLine]
    stuck_since: float | None = None  # the control API's stuck-order switch
    # The PO's Shipment/ShipTo fields as sent (AddressName1, City, ...): the invoice's ShipTo.
    ship_to: dict[str, str] = field(default_factory=dict)

    @property
    def order_numbers(self) -> set[str]:
        return {line.order_number for line in self.lines}

    def code(self) -> str:
        return roll_up(self.lines)

    def sales_order(self, number: str) -> list[TdLine]:
        return [line for line in self.lines if line.order_number == number]


def roll_up(lines: list[TdLine]) -> str:
    """A PO's (5.2) or sales order's code: deleted rows count only when every row is deleted."""
    live = {line.code for line in lines if line.code != "deleted"}
    if not live:
        return "deleted"
    if live == {"invoiced"}:
        return "invoiced"
    if live <= {"shipped", "invoiced"}:
        return "shipped"
    return "accepted"


def first_step_at(order_type: str, created_at: float, ship_after_s: float) -> float | None:
    """When a new line ships by itself: stock after one step, a backorder after two."""
    if order_type == "SO":
        return created_at + ship_after_s
    if order_type == "BO":
        return created_at + 2 * ship_after_s
    return None  # 99: sales decide (the control API's advance)


def step(line: TdLine, at: float, ship_after_s: float) -> bool:
    """Move one line one step at time ``at``; False when it has no further step."""
    if line.code == "accepted":
        line.code = "shipped"
        line.shipped_at = at
        line.packages = _packages(line)
        line.next_step_at = at + ship_after_s
        return True
    if line.code == "shipped":
        line.code = "invoiced"
        line.invoiced_at = at
        line.next_step_at = None
        return True
    return False


def settle(order: TdOrder, now: float, ship_after_s: float) -> list[TdLine]:
    """Catch the order up with ``now``; the lines that shipped on the way (ship notices)."""
    shipped = []
    for line in order.lines:
        while order.stuck_since is None and line.next_step_at is not None:
            if line.next_step_at > now:
                break
            was = line.code
            step(line, line.next_step_at, ship_after_s)
            if was == "accepted" and line.code == "shipped":
                shipped.append(line)
    return shipped


def stick(order: TdOrder, now: float) -> None:
    """Stop the order's clock (already caught up with ``now``)."""
    if order.stuck_since is None:
        order.stuck_since = now


def release(order: TdOrder, now: float) -> None:
    """Start it again: every pending step moves on by the time it was stuck."""
    if order.stuck_since is None:
        return
    stuck_for, order.stuck_since = now - order.stuck_since, None
    for line in order.lines:
        if line.next_step_at is not None:
            line.next_step_at += stuck_for


def _packages(line: TdLine) -> list[Package]:
    boxes = min(line.quantity, MAX_PACKAGES)
    # lineNumber is the customer's text (not always a number): hash it for the seed.
    seed = int(line.order_number) * 1000 + zlib.crc32(line.line_number.encode())
    out = []
    for box in range(boxes):
        units = line.quantity // boxes + (1 if box < line.quantity % boxes else 0)
        r = mix64(seed * 7 + box)
        serials = (
            [f"S{(mix64(r + n) % 10**11):011d}" for n in range(units)] if line.serialised else []
        )
        out.append(
            Package(
                tracking=f"{r % 10**15:015d}",  # FedEx Ground's 15 digits, as in the samples
                weight_lb=f"{max(line.weight_kg * units * LBS_PER_KG, 0.1):.2f}",
                quantity=units,
                serials=serials,
            )
        )
    return out


class OrderBook:
    def __init__(self) -> None:
        self.orders: list[TdOrder] = []
        self._by_po: dict[tuple[str, str, str], TdOrder] = {}
        self._by_number: dict[str, TdOrder] = {}
        self._next = FIRST_ORDER_NUMBER

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def new_number(self) -> str:
        number, self._next = str(self._next), self._next + 1
        return number

    def add(self, order: TdOrder) -> None:
        self.orders.append(order)
        self._by_po[(order.country, order.customer, order.po_number.upper())] = order
        for number in order.order_numbers:
            self._by_number[number] = order

    def by_po(self, country: str, customer: str, po_number: str) -> TdOrder | None:
        """PO numbers compare case-insensitively (SYNNEX's database keys are upper case)."""
        return self._by_po.get((country, customer, po_number.upper()))

    def by_number(self, number: str) -> TdOrder | None:
        return self._by_number.get(number)
