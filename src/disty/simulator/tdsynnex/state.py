"""What the TD SYNNEX simulator holds: its catalog, the demo account, the IP allow-list for
POs and the orders, on the simulator's one clock (shared with Ingram's state)."""

from __future__ import annotations

from dataclasses import dataclass, field

from disty.simulator.clock import SimClock
from disty.simulator.config import SimulatorConfig
from disty.simulator.tdsynnex.catalog import TdCatalog
from disty.simulator.tdsynnex.orders import OrderBook, TdOrder, settle


@dataclass
class TdState:
    config: SimulatorConfig
    catalog: TdCatalog
    clock: SimClock
    orders: OrderBook = field(default_factory=OrderBook)
    allowed_ips: set[str] = field(default_factory=set)
    ship_after_s: float = 60.0

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
        """Back to the configured start (the clock is reset by its owner, Ingram's state)."""
        self.orders.clear()
        self.allowed_ips = set(self.config.tdsynnex_allowed_ips)
        self.ship_after_s = self.config.ship_after_s

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
        """The order caught up with the clock."""
        settle(order, self.clock.now(), self.ship_after_s)
        return order
