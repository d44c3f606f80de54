"""State that every process on one database shares. On both databases, one token per
distributor app, kept encrypted in the database: ``disty serve`` and every CLI command on
SQLite, every replica and worker on PostgreSQL. On PostgreSQL, also the distributors' rate
limits for the platform as a whole. Several engines stand for several processes (each its own
connection pool)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from disty.crypto import SecretBox
from disty.db.engine import create_engine
from disty.db.models import SharedToken
from disty.runtime import Runtime
from disty.services.keys import rotate_secrets
from disty.services.shared_state import SharedRateLimiter
from disty.services.token_cache import DatabaseTokenCache
from disty.simulator.ingram.consts import OP_TOKEN
from disty.suppliers.oauth import Token, get_token
from disty.suppliers.ratelimit import InProcessRateLimiter
from tests.conftest import Cli
from tests.fixtures.simulator import RunningSimulator
from tests.integration.test_tdsynnex_connection import connect_ingram


async def test_tokens_are_kept_in_the_database_and_limits_shared_on_postgresql(
    runtime: Runtime,
) -> None:
    hub = runtime.hub
    assert isinstance(hub.tokens, DatabaseTokenCache)
    if runtime.engine.dialect.name == "sqlite":
        assert isinstance(hub.limiter, InProcessRateLimiter)
    else:
        assert isinstance(hub.limiter, SharedRateLimiter)


async def test_one_token_per_app_for_every_process(runtime: Runtime) -> None:
    engines = [create_engine(runtime.settings.resolved_database_url) for _ in range(3)]
    fetched: list[int] = []

    async def fetch() -> Token:
        fetched.append(1)
        await asyncio.sleep(0.05)  # a token endpoint's round trip: the others must wait
        return Token(f"secret-token-{len(fetched)}", time.time() + 3600, 3600)

    try:
        caches = [DatabaseTokenCache(engine, runtime.box) for engine in engines]
        if runtime.engine.dialect.name == "sqlite":
            # No lock across processes (services/token_cache.py): callers in one process
            # wait for its one fetch; other processes, asking after, read that token.
            first = await asyncio.gather(*(get_token(caches[0], "app-1", fetch) for _ in "abc"))
            tokens = first + await asyncio.gather(
                *(get_token(c, "app-1", fetch) for c in caches[1:] * 3)
            )
        else:  # every process at the same moment: one fetches, the others wait for it
            tokens = await asyncio.gather(*(get_token(c, "app-1", fetch) for c in caches * 3))
        assert len(tokens) == 9
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


def test_cli_commands_in_a_row_ask_the_distributor_for_one_token(
    cli: Cli, simulator: RunningSimulator
) -> None:
    # Each command opens its own runtime and supplier hub, as each process of a script does.
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_ingram(cli, simulator)

    def token_requests() -> int:
        counts = httpx.get(simulator.control_url + "/counts").raise_for_status().json()
        return int(counts.get(OP_TOKEN, 0))

    for _ in range(3):
        priced = cli("pna", "123512", "--tenant", "smbi", "--country", "1", "--json")
        assert priced.exit_code == 0, priced.output
        assert '"status": "ok"' in priced.stdout
    assert token_requests() == 1
    # A token the distributor no longer honours (revoked: a 401) is dropped and replaced once.
    revoked = httpx.post(f"{simulator.control_url}/apps/{simulator.client_id}/revoke-tokens")
    assert revoked.json() == {"revoked": 1}
    for _ in range(2):
        priced = cli("pna", "123512", "--tenant", "smbi", "--country", "1", "--json")
        assert priced.exit_code == 0, priced.output
        assert '"status": "ok"' in priced.stdout
    assert token_requests() == 2


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


async def test_a_key_rotation_drops_the_cached_tokens_and_no_key_change_breaks_a_call(
    runtime: Runtime,
) -> None:
    # A cached token is disposable, unlike a connection's secrets: 'disty keys rotate' drops
    # them rather than leaving them under the old key, and a token that the keys cannot
    # decrypt (the old key removed before a rotation) is fetched again, not an error on every
    # supplier call until it expires (24 hours at Ingram Micro).
    old, new = Fernet.generate_key(), Fernet.generate_key()
    fetched: list[int] = []

    async def fetch() -> Token:
        fetched.append(1)
        return Token(f"token-{len(fetched)}", time.time() + 3600, 3600)

    under_old = DatabaseTokenCache(runtime.engine, SecretBox([old]))
    await get_token(under_old, "app-1", fetch)
    await get_token(under_old, "app-2", fetch)
    only_new = DatabaseTokenCache(runtime.engine, SecretBox([new]))
    assert (await get_token(only_new, "app-1", fetch)).access_token == "token-3"
    assert (await only_new.get("app-1")) is not None  # stored again, under the new key

    async with runtime.sessions() as session:
        await rotate_secrets(session, SecretBox([new, old]))
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(SharedToken))) == []
    assert (await get_token(only_new, "app-2", fetch)).access_token == "token-4"
