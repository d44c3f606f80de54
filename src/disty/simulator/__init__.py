"""disty's distributor simulator: Ingram Micro's reseller API and TD SYNNEX's EC Express, served
alone or in-process.

It is the distributor's side of the wire and shares no code with disty's own supplier client,
services or webhook receiver: shared code would hide exactly the bugs it exists to catch.
"""

from disty.simulator.app import INGRAM_PREFIX, TDSYNNEX_PREFIX, create_app
from disty.simulator.clock import Clock, SimClock
from disty.simulator.config import SimulatorConfig

__all__ = [
    "INGRAM_PREFIX",
    "TDSYNNEX_PREFIX",
    "Clock",
    "SimClock",
    "SimulatorConfig",
    "create_app",
]
