"""What the TD SYNNEX simulator holds: its catalog and the demo account (orders come later)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from disty.simulator.config import SimulatorConfig
from disty.simulator.tdsynnex.catalog import TdCatalog


@dataclass
class TdState:
    config: SimulatorConfig
    catalog: TdCatalog
    # The control API's switches (its fault rules live with Ingram's in SimState.faults).
    maintenance: bool = False
    counts: Counter[str] = field(default_factory=Counter)  # requests per path, faulted too

    @classmethod
    def create(cls, config: SimulatorConfig) -> TdState:
        return cls(config, TdCatalog(config.products, config.seed))

    def reset(self) -> None:
        """Back to the configured start (``POST /_control/reset``)."""
        self.maintenance = False
        self.counts.clear()

    def signed_in(self, customer: str, user: str, password: str) -> bool:
        """The EC Express login inside a document: account number, user (an e-mail), password."""
        c = self.config
        return (customer, user.lower(), password) == (
            c.tdsynnex_customer,
            c.tdsynnex_user.lower(),
            c.tdsynnex_password,
        )
