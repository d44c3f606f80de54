"""What the TD SYNNEX simulator holds: its catalog and the demo account (orders come later)."""

from __future__ import annotations

from dataclasses import dataclass

from disty.simulator.config import SimulatorConfig
from disty.simulator.tdsynnex.catalog import TdCatalog


@dataclass
class TdState:
    config: SimulatorConfig
    catalog: TdCatalog

    @classmethod
    def create(cls, config: SimulatorConfig) -> TdState:
        return cls(config, TdCatalog(config.products, config.seed))

    def signed_in(self, customer: str, user: str, password: str) -> bool:
        """The EC Express login inside a document: account number, user (an e-mail), password."""
        c = self.config
        return (customer, user.lower(), password) == (
            c.tdsynnex_customer,
            c.tdsynnex_user.lower(),
            c.tdsynnex_password,
        )
