"""The simulator's clock: the one place that reads the time.

Token lifetimes, rate-limit windows and (in part 2) order timelines all ask this clock, never
``time.time()`` directly, so tests move time forward instead of sleeping. The maintenance window
is deliberately *not* derived from it: it is a switch (see ``SimState.maintenance``).
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch, as the simulated world sees them."""
        ...


class SimClock:
    """Wall time plus an offset that only grows; ``frozen_at`` stops time for exact tests."""

    def __init__(self, frozen_at: float | None = None) -> None:
        self._offset = 0.0
        self._frozen_at = frozen_at

    def now(self) -> float:
        base = self._frozen_at if self._frozen_at is not None else time.time()
        return base + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the simulated clock never goes backwards")
        self._offset += seconds

    def reset(self) -> None:
        self._offset = 0.0
