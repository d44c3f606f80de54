"""A client-side limiter per distributor app, so disty waits instead of drawing 429s.

An interface with an in-process implementation (a sliding window per key); a shared one can
replace it when several disty machines use the same distributor app.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol


class RateLimiter(Protocol):
    async def acquire(self, key: str, limit: int, period_s: float = 60.0) -> None:
        """Return once one more call under ``key`` keeps it within ``limit`` per period."""
        ...


class InProcessRateLimiter:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def acquire(self, key: str, limit: int, period_s: float = 60.0) -> None:
        # One waiter at a time per key keeps the window's order fair (first come, first sent).
        async with self._locks.setdefault(key, asyncio.Lock()):
            sent = self._sent.setdefault(key, deque())
            while True:
                now = self._clock()
                while sent and sent[0] <= now - period_s:
                    sent.popleft()
                if len(sent) < limit:
                    sent.append(now)
                    return
                await self._sleep(sent[0] + period_s - now)
