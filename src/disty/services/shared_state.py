"""The supplier hub's rate limiter and the sign-in throttles' counts shared by every replica and
worker, in PostgreSQL (runtime.py and web/app.py pick them there; SQLite keeps the in-memory
ones). The OAuth tokens are kept in the database on both: services/token_cache.py.

- ``SharedRateLimiter``: a sliding window per key (an app and endpoint), counted in a table
  under an advisory lock per key, on the database's clock: the distributor's limit holds
  for all processes together, not for each.
- ``SharedFailures``: a throttle's failure counts (services/throttle.py) for every replica,
  one row per key, with the delay computed by the database on its own clock.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from disty.db.models import RateLimitCall, SignInThrottle
from disty.services.throttle import Backoff
from disty.services.token_cache import ADVISORY_LOCK

_LIMIT_LOCK = 18  # the advisory locks' kind: apart from the token cache's (17)


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
            await connection.execute(ADVISORY_LOCK, {"key": key, "kind": _LIMIT_LOCK})
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


# A failure, in one statement: a row quiet for longer than forget_after starts again from one;
# from the ``free``-th failure on, the delay doubles with each (base_s, 2 base_s ... cap_s),
# as Backoff counts it in memory. The parameters are cast: the driver sends them untyped.
_FREE, _BASE, _CAP = "CAST(:free AS integer)", "CAST(:base AS float8)", "CAST(:cap AS float8)"
_FORGET = "make_interval(secs => CAST(:forget AS float8))"
_NEW_FAILURES = (
    f"CASE WHEN t.last_failure < EXCLUDED.last_failure - {_FORGET} THEN 1 ELSE t.failures + 1 END"
)
_FAILED = text(
    f"""
    INSERT INTO sign_in_throttles AS t (key, failures, blocked_until, last_failure)
    VALUES (:key, 1,
            CASE WHEN 1 >= {_FREE} THEN clock_timestamp() + make_interval(secs => {_BASE}) END,
            clock_timestamp())
    ON CONFLICT (key) DO UPDATE SET
        failures = {_NEW_FAILURES},
        blocked_until = CASE WHEN {_NEW_FAILURES} >= {_FREE}
            THEN EXCLUDED.last_failure + make_interval(secs => least(
                {_CAP}, {_BASE} * power(2, least({_NEW_FAILURES} - {_FREE}, 32))))
            END,
        last_failure = EXCLUDED.last_failure
    RETURNING failures,
        coalesce(extract(epoch FROM blocked_until - last_failure), 0)::float8
    """  # noqa: S608 (made of the constants above: no input reaches the text)
)
_READ = text(
    f"""
    SELECT failures,
        greatest(0, coalesce(extract(epoch FROM blocked_until - clock_timestamp()), 0))::float8
    FROM sign_in_throttles
    WHERE key = :key AND last_failure >= clock_timestamp() - {_FORGET}
    """  # noqa: S608 (made of the constants above)
)
_PRUNE = text(
    f"DELETE FROM sign_in_throttles WHERE last_failure < clock_timestamp() - {_FORGET}"  # noqa: S608
)


class SharedFailures:
    """One Backoff's counts in ``sign_in_throttles`` (the ``SharedCounts`` it is given on
    PostgreSQL). ``scope`` keeps apart the Backoffs whose keys could be alike (an account, a
    client address); a row's key is the SHA-256 of scope and key, so the table holds no
    e-mail address or device id."""

    def __init__(self, engine: AsyncEngine, scope: str, backoff: Backoff) -> None:
        self.engine, self.scope = engine, scope
        self._limits = {
            "free": backoff.free,
            "base": backoff.base_s,
            "cap": backoff.cap_s,
            "forget": backoff.forget_after_s,
        }

    def _key(self, key: str) -> str:
        return hashlib.sha256(f"{self.scope}\0{key}".encode()).hexdigest()

    async def read(self, key: str) -> tuple[int, float]:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    _READ, {"key": self._key(key), "forget": self._limits["forget"]}
                )
            ).first()
        return (0, 0.0) if row is None else (int(row[0]), float(row[1]))

    async def failed(self, key: str) -> tuple[int, float]:
        async with self.engine.begin() as connection:
            row = (await connection.execute(_FAILED, {"key": self._key(key), **self._limits})).one()
        return int(row[0]), float(row[1])

    async def forget(self, key: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(SignInThrottle).where(SignInThrottle.key == self._key(key))
            )


def share(backoff: Backoff, engine: AsyncEngine, scope: str) -> None:
    """Makes ``backoff`` count with every replica (PostgreSQL)."""
    backoff.shared = SharedFailures(engine, scope, backoff)


async def prune_throttles(engine: AsyncEngine, forget_after_s: float) -> int:
    """Drops the rows quiet for longer than ``forget_after_s`` (the retention job): they
    count as nothing already, and the table stays as small as the recent failures."""
    async with engine.begin() as connection:
        found = await connection.execute(_PRUNE, {"forget": forget_after_s})
    return int(found.rowcount or 0)
