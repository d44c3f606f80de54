"""What all adapters of one disty process share: the HTTP connection pool, the token cache
and the rate limiter (each behind its interface, so shared implementations can replace the
in-process ones when disty runs on several machines)."""

from __future__ import annotations

import asyncio
import time
from typing import TypedDict

import httpx

from disty.suppliers.http import Clock, RetryPolicy, Sleep
from disty.suppliers.oauth import InProcessTokenCache, TokenCache
from disty.suppliers.ratelimit import InProcessRateLimiter, RateLimiter


class ClientParts(TypedDict):
    http: httpx.AsyncClient
    tokens: TokenCache
    limiter: RateLimiter
    policy: RetryPolicy
    sleep: Sleep
    clock: Clock


class SupplierHub:
    def __init__(
        self,
        *,
        timeout_s: float = 30.0,
        policy: RetryPolicy | None = None,
        tokens: TokenCache | None = None,
        limiter: RateLimiter | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        # ``sleep`` is how retries wait and ``clock`` what deadlines are measured on; tests
        # hand in a simulated pair.
        self.sleep = sleep
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.tokens: TokenCache = tokens or InProcessTokenCache()
        self.limiter: RateLimiter = limiter or InProcessRateLimiter()
        self.http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )

    def client_parts(self) -> ClientParts:
        """What a supplier's client shares with every other adapter of this process, as the
        keyword arguments its constructor takes."""
        return ClientParts(
            http=self.http,
            tokens=self.tokens,
            limiter=self.limiter,
            policy=self.policy,
            sleep=self.sleep,
            clock=self.clock,
        )

    async def aclose(self) -> None:
        await self.http.aclose()
