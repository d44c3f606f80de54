"""What the TD SYNNEX simulator holds: its catalog and the demo account (orders come later)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from disty.simulator.clock import SimClock
from disty.simulator.config import SimulatorConfig
from disty.simulator.tdsynnex.catalog import TdCatalog
from disty.simulator.tdsynnex.rest_access import RestAccess


@dataclass
class TdState:
    config: SimulatorConfig
    catalog: TdCatalog
    # The simulator's one clock (Ingram's SimState.clock, shared by app.py): REST tokens expire
    # and rate-limit windows turn on it.
    clock: SimClock = field(default_factory=SimClock)
    # The control API's switches (its fault rules live with Ingram's in SimState.faults).
    maintenance: bool = False
    counts: Counter[str] = field(default_factory=Counter)  # requests per path, faulted too
    rest: RestAccess = field(init=False)

    def __post_init__(self) -> None:
        self.rest = RestAccess.from_config(self.config)

    @classmethod
    def create(cls, config: SimulatorConfig, clock: SimClock | None = None) -> TdState:
        catalog = TdCatalog(config.products, config.seed)
        return cls(config, catalog, clock or SimClock(config.frozen_clock_at))

    def reset(self) -> None:
        """Back to the configured start (``POST /_control/reset``)."""
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
