"""The distributors' OAuth tokens, kept in the database: every process on one database (the
replicas and workers on PostgreSQL; ``disty serve`` and each CLI command on SQLite) uses one
token per distributor app until it expires, instead of fetching its own.

On SQLite that is what a script calling ``disty pna`` a thousand times needs: one token
request to the distributor, not a thousand (a token lasts hours: 24 at one distributor).
Encrypted at rest, as every secret is (the deployment's secret key); ``disty keys rotate`` drops
them (services/keys.py) and one under a key no longer configured is fetched again.

Who fetches a missing or expiring token: on PostgreSQL one process at a time (an advisory lock
per app); the others wait and read it. SQLite has no lock to hold across processes without
stopping every writer (the webhook receiver's among them) for a whole token round trip, so
there one refresh runs at a time per process: two processes that find no token at the same
moment each fetch one, both valid, and the later one is kept.

Each supplier call reads its token's row (one SELECT by primary key and a decryption: ~0.6 ms on
SQLite and on PostgreSQL, measured), beside a call that takes the distributor hundreds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from disty.crypto import SecretBox
from disty.db.base import upsert_insert
from disty.db.models import SharedToken
from disty.errors import SecretKeyError
from disty.suppliers.oauth import Token

# A transaction's advisory lock on PostgreSQL, per key and kind (hashtextextended's seed): the
# token refreshes' kind here, the rate limiter's in services/shared_state.py.
ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, :kind))")
_TOKEN_LOCK = 17

log = logging.getLogger(__name__)


class DatabaseTokenCache:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self.engine, self.box = engine, box
        self._local_locks: dict[str, asyncio.Lock] = {}

    async def get(self, key: str) -> Token | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(SharedToken).where(SharedToken.key == key))
            ).first()
        if row is None:
            return None
        try:
            access_token = self.box.decrypt(row.token_enc)
        except SecretKeyError:
            # Stored under a key DISTY_SECRET_KEYS no longer holds. A token is disposable
            # (unlike a connection's secrets): fetch another rather than fail every call
            # until it expires.
            log.warning("a cached access token is under a removed secret key: fetching anew")
            return None
        return Token(access_token, row.expires_at, row.lifetime_s)

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
        if self.engine.dialect.name != "postgresql":
            async with self._local_locks.setdefault(key, asyncio.Lock()):
                yield None
            return
        async with self.engine.begin() as connection:
            await connection.execute(ADVISORY_LOCK, {"key": key, "kind": _TOKEN_LOCK})
            yield connection
