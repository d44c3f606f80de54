"""OAuth 2 client-credentials tokens, cached per app until shortly before they expire.

The cache is an interface: the in-process one serves a single machine; a shared one (a
database row or Redis key with a lock) can replace it when disty runs on several machines.
Concurrent callers that find no valid token share one refresh: the first takes the key's
lock and fetches, the others wait on the lock and then find the fresh token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Token:
    access_token: str
    expires_at: float  # epoch seconds
    lifetime_s: float

    def __repr__(self) -> str:
        return f"Token(expires_at={self.expires_at})"

    def fresh(self, now: float, margin_s: float) -> bool:
        # Renew ``margin_s`` early, or after 90% of a short lifetime, whichever comes first.
        return now < self.expires_at - min(margin_s, self.lifetime_s / 10)


class TokenCache(Protocol):
    async def get(self, key: str) -> Token | None: ...
    async def put(self, key: str, token: Token) -> None: ...
    async def discard(self, key: str, token: Token) -> None:
        """Forget ``token`` if it is still the cached one (a 401 said it is no longer good)."""
        ...

    def lock(self, key: str) -> AbstractAsyncContextManager[object]:
        """Held while one caller refreshes the key's token."""
        ...


class InProcessTokenCache:
    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, key: str) -> Token | None:
        return self._tokens.get(key)

    async def put(self, key: str, token: Token) -> None:
        self._tokens[key] = token

    async def discard(self, key: str, token: Token) -> None:
        if self._tokens.get(key) == token:
            del self._tokens[key]

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())


async def get_token(
    cache: TokenCache,
    key: str,
    fetch: Callable[[], Awaitable[Token]],
    *,
    margin_s: float = 300.0,
    clock: Callable[[], float] = time.time,
) -> Token:
    """A token valid for at least ``margin_s`` more seconds, fetching one only if needed."""
    token = await cache.get(key)
    if token is not None and token.fresh(clock(), margin_s):
        return token
    async with cache.lock(key):
        token = await cache.get(key)  # someone may have refreshed while we waited
        if token is not None and token.fresh(clock(), margin_s):
            return token
        token = await fetch()
        await cache.put(key, token)
        return token
