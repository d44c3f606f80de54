"""The supplier hub's token cache and rate limiter shared by every replica and worker, in
PostgreSQL (runtime.py picks them there; SQLite, one process, keeps the in-memory ones).

- ``SharedTokenCache``: one OAuth token per distributor app for the whole platform, encrypted
  at rest; one process at a time fetches a new one (an advisory lock per app), the others
  wait and then read it.
- ``SharedRateLimiter``: a sliding window per key (an app and endpoint), counted in a table
  under an advisory lock per key, on the database's clock: the distributor's limit holds
  for all processes together, not for each.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from disty.crypto import SecretBox
from disty.db.base import upsert_insert
from disty.db.models import RateLimitCall, SharedToken
from disty.suppliers.oauth import Token

# The two kinds of advisory lock, apart: hashtextextended's seed.
_TOKEN_LOCK, _LIMIT_LOCK = 17, 18
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, :kind))")


class SharedTokenCache:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self.engine, self.box = engine, box

    async def get(self, key: str) -> Token | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(SharedToken).where(SharedToken.key == key))
            ).first()
        if row is None:
            return None
        return Token(self.box.decrypt(row.token_enc), row.expires_at, row.lifetime_s)

    async def put(self, key: str, token: Token) -> None:
        values = {
            "key": key,
            "token_enc": self.box.encrypt(token.access_token),
            "expires_at": token.expires_at,
            "lifetime_s": token.lifetime_s,
        }
        async with self.engine.begin() as connection:
            statement = upsert_insert(connection.dialect)(SharedToken).values(values)
            await connection.execute(
                statement.on_conflict_do_update(index_elements=["key"], set_=values)
            )

    async def discard(self, key: str, token: Token) -> None:
        # Only the token the 401 was for: one fetched meanwhile by another process stays.
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(SharedToken).where(
                    SharedToken.key == key, SharedToken.expires_at == token.expires_at
                )
            )

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[object]:
        async with self.engine.begin() as connection:
            await connection.execute(_LOCK, {"key": key, "kind": _TOKEN_LOCK})
            yield connection


class SharedRateLimiter:
    def __init__(
        self, engine: AsyncEngine, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.engine, self._sleep = engine, sleep

    async def acquire(self, key: str, limit: int, period_s: float = 60.0) -> None:
        period = timedelta(seconds=period_s)
        while True:
            wait = await self._try(key, limit, period)
            if wait <= 0:
                return
            await self._sleep(wait)

    async def _try(self, key: str, limit: int, period: timedelta) -> float:
        """Count one call now if the window has room (0), else the seconds until it has."""
        async with self.engine.begin() as connection:
            await connection.execute(_LOCK, {"key": key, "kind": _LIMIT_LOCK})
            now: datetime = (await connection.execute(select(func.clock_timestamp()))).scalar_one()
            calls = cast(Table, RateLimitCall.__table__)
            await connection.execute(
                delete(calls).where(calls.c.key == key, calls.c.at <= now - period)
            )
            count, oldest = (
                await connection.execute(
                    select(func.count(), func.min(calls.c.at)).where(calls.c.key == key)
                )
            ).one()
            if count < limit:
                await connection.execute(insert(calls).values(key=key, at=now))
                return 0.0
            return max(0.01, float((oldest + period - now).total_seconds()))
