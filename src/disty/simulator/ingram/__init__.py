"""The simulated Ingram Micro reseller API (``XI-Resellers-API-Spec.json``)."""

from disty.simulator.ingram.api import create_ingram_app
from disty.simulator.ingram.faults import ConnectionDropped
from disty.simulator.ingram.state import App, FaultRule, SimState

__all__ = ["App", "ConnectionDropped", "FaultRule", "SimState", "create_ingram_app"]
