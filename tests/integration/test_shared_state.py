"""State that replicas and workers share on PostgreSQL: one token per distributor app and the
distributors' rate limits for the platform as a whole. Several engines stand for several
processes (each its own connection pool); SQLite (one process) keeps the in-memory ones."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from disty.db.engine import create_engine
from disty.db.models import SharedToken
from disty.runtime import Runtime
from disty.services.shared_state import SharedRateLimiter, SharedTokenCache
from disty.suppliers.oauth import InProcessTokenCache, Token, get_token
from disty.suppliers.ratelimit import InProcessRateLimiter


async def test_sqlite_keeps_the_in_memory_ones_postgresql_shares(runtime: Runtime) -> None:
    hub = runtime.hub
    if runtime.engine.dialect.name == "sqlite":
        assert isinstance(hub.tokens, InProcessTokenCache)
        assert isinstance(hub.limiter, InProcessRateLimiter)
    else:
        assert isinstance(hub.tokens, SharedTokenCache)
        assert isinstance(hub.limiter, SharedRateLimiter)


async def test_one_token_per_app_for_every_process(runtime: Runtime) -> None:
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite is one process: tests/unit cover the in-memory token cache")
    engines = [create_engine(runtime.settings.resolved_database_url) for _ in range(3)]
    fetched: list[int] = []

    async def fetch() -> Token:
        fetched.append(1)
        await asyncio.sleep(0.05)  # a token endpoint's round trip: the others must wait
        return Token(f"secret-token-{len(fetched)}", time.time() + 3600, 3600)

    try:
        caches = [SharedTokenCache(engine, runtime.box) for engine in engines]
        tokens = await asyncio.gather(*(get_token(c, "app-1", fetch) for c in caches * 3))
        assert len(fetched) == 1
        assert {t.access_token for t in tokens} == {"secret-token-1"}
        async with runtime.sessions() as session:
            stored = (await session.scalars(select(SharedToken))).one()
        assert "secret-token" not in stored.token_enc  # encrypted at rest
        # A 401 discards the token for everyone; a stale discard leaves a newer one alone.
        await caches[1].discard("app-1", tokens[0])
        assert await caches[0].get("app-1") is None
        await caches[0].put("app-1", Token("newer", time.time() + 3600, 3600))
        await caches[2].discard("app-1", tokens[0])
        again = await caches[2].get("app-1")
        assert again is not None
        assert again.access_token == "newer"
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_rate_limit_holds_across_processes(runtime: Runtime) -> None:
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite is one process: tests/unit cover the in-memory limiter")
    engines = [create_engine(runtime.settings.resolved_database_url) for _ in range(2)]
    granted: list[float] = []
    period_s, limit = 0.6, 4

    async def call(limiter: SharedRateLimiter) -> None:
        await limiter.acquire("app-1|orders", limit, period_s)
        granted.append(time.monotonic())

    try:
        limiters = [SharedRateLimiter(engine) for engine in engines]
        await asyncio.gather(*(call(limiters[i % 2]) for i in range(10)))
    finally:
        for engine in engines:
            await engine.dispose()
    granted.sort()
    assert len(granted) == 10
    # No window of one period holds more than the limit, whichever process sent the call
    # (a little slack for the clocks: the database's grants, this process's notes).
    for i, at in enumerate(granted):
        assert sum(1 for other in granted[i:] if other - at < period_s * 0.9) <= limit
    assert granted[-1] - granted[0] >= period_s * 2 * 0.9  # 10 calls at 4 a period: 2 waits
