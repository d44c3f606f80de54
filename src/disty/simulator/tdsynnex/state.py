"""What the TD SYNNEX simulator holds: its catalog, the demo account, the IP allow-list for
POs and the orders, on the simulator's one clock (shared with Ingram's state)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from disty.simulator.clock import SimClock
from disty.simulator.config import SimulatorConfig
from disty.simulator.tdsynnex.catalog import TdCatalog
from disty.simulator.tdsynnex.invoicefile import InvoiceFile
from disty.simulator.tdsynnex.orders import OrderBook, TdLine, TdOrder, settle
from disty.simulator.tdsynnex.rest_access import RestAccess
from disty.simulator.tdsynnex.ship_notices import ShipNotices


@dataclass
class TdState:
    config: SimulatorConfig
    catalog: TdCatalog
    # The simulator's one clock (Ingram's SimState.clock, shared by app.py): orders move, REST
    # tokens expire and rate-limit windows turn on it.
    clock: SimClock = field(default_factory=SimClock)
    orders: OrderBook = field(default_factory=OrderBook)
    ship_notices: ShipNotices = field(default_factory=ShipNotices)  # the FTP folder (9.2)
    allowed_ips: set[str] = field(default_factory=set)
    ship_after_s: float = 60.0
    # The control API's switches (its fault rules live with Ingram's in SimState.faults).
    maintenance: bool = False
    counts: Counter[str] = field(default_factory=Counter)  # requests per path, faulted too
    # The invoice files written so far (invoicefiles.py), by file name.
    invoice_files: dict[str, InvoiceFile] = field(default_factory=dict)
    rest: RestAccess = field(init=False)

    def __post_init__(self) -> None:
        self.rest = RestAccess.from_config(self.config)

    @classmethod
    def create(cls, config: SimulatorConfig, clock: SimClock | None = None) -> TdState:
        state = cls(
            config,
            TdCatalog(config.products, config.seed),
            clock or SimClock(config.frozen_clock_at),
        )
        state.reset()
        return state

    def reset(self) -> None:
        """Back to the configured start (``POST /_control/reset``; the clock is reset by its
        owner, Ingram's state)."""
        self.orders.clear()
        self.ship_notices.clear()
        self.invoice_files.clear()
        self.allowed_ips = set(self.config.tdsynnex_allowed_ips)
        self.ship_after_s = self.config.ship_after_s
        self.maintenance = False
        self.counts.clear()
        self.rest.reset(self.config)  # the REST client's tokens, entitlement and rate limit

    def signed_in(self, customer: str, user: str, password: str) -> bool:
        """The EC Express login inside a document: account number, user (an e-mail), password."""
        c = self.config
        return (customer, user.lower(), password) == (
            c.tdsynnex_customer,
            c.tdsynnex_user.lower(),
            c.tdsynnex_password,
        )

    def ip_allowed(self, ip: str) -> bool:
        return "*" in self.allowed_ips or ip in self.allowed_ips

    def settled(self, order: TdOrder) -> TdOrder:
        """The order caught up with the clock, its shipments' notices written."""
        self.shipped(order, settle(order, self.clock.now(), self.ship_after_s))
        return order

    def shipped(self, order: TdOrder, lines: list[TdLine]) -> None:
        """Write the ship-notice files of lines that have just shipped."""
        if lines:
            self.ship_notices.write(order, lines, self.config.tdsynnex_company)

    def settle_all(self) -> None:
        for order in self.orders.orders:
            self.settled(order)
