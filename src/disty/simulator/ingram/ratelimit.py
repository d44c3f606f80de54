"""Per-app fixed-window rate limits, as Ingram's gateway announces them.

A window is one minute aligned to the simulated clock; ``X-RateLimit-Reset`` is the epoch
second at which the window ends. In memory, one process: the simulator is one distributor.
"""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_S = 60


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateLimiter:
    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}

    def hit(self, app: str, bucket: str, limit: int, now: float) -> Verdict:
        start = int(now) // WINDOW_S * WINDOW_S
        key = (app, bucket)
        window, used = self._windows.get(key, (start, 0))
        if window != start:
            used = 0
        reset_at = start + WINDOW_S
        if used >= limit:
            self._windows[key] = (start, used)
            return Verdict(False, limit, 0, reset_at)
        used += 1
        self._windows[key] = (start, used)
        return Verdict(True, limit, limit - used, reset_at)

    def clear(self) -> None:
        self._windows.clear()
