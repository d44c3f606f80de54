"""Connection changes told to every process at once on PostgreSQL (LISTEN/NOTIFY).

A connection saved anywhere (a replica's console or API, a CLI, a worker) announces itself in
the same transaction (``announce``: PostgreSQL delivers the notice when it commits, never for
a change rolled back). Each web replica listens (``ChangeListener``) and drops its cached
webhook destinations at once, so a new or replaced webhook key verifies, and a key past its
grace refuses, on every replica within the notice's delivery (milliseconds), not when a
cache entry expires. A listener that loses its connection connects again and forgets
everything once listening (notices sent meanwhile are lost); until then the cache's own expiry
bounds what it keeps. It keeps the cache while disconnected: when the database is down no key
can change, and the receiver goes on refusing forged deliveries from what it knows (a valid
one gets its 503: it cannot be stored). SQLite is one process: ``watch_changes`` in
services/connections.py serves alone there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.engine import libpq_conninfo

log = logging.getLogger(__name__)

CHANNEL = "disty_connection_changed"
RECONNECT_S = 1.0


async def announce(session: AsyncSession) -> None:
    """Tell every process, once this transaction commits, that a connection changed."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class Forgets(Protocol):
    """Something that keeps connections for a while (the webhook receiver's destination cache)
    and must drop them when one is saved."""

    def forget(self) -> None: ...


class ChangeListener:
    """One connection of its own, LISTENing; ``cache.forget()`` on every notice."""

    def __init__(
        self, database_url: str, cache: Forgets, *, reconnect_s: float = RECONNECT_S
    ) -> None:
        self.conninfo = libpq_conninfo(database_url)
        self.cache = cache
        self.reconnect_s = reconnect_s
        self.listening = asyncio.Event()  # set while notices are being received
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        import psycopg  # the PostgreSQL driver, imported where PostgreSQL is used

        failing = False  # logged once an outage, not at every try
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    # Whatever changed before this point is read afresh from now on.
                    self.cache.forget()
                    self.listening.set()
                    if failing:
                        log.warning("told of connection changes again")
                        failing = False
                    async for _notice in connection.notifies():
                        self.cache.forget()
            except Exception as exc:  # the server restarted, the network dropped
                if not failing:
                    log.warning("not told of connection changes (%s): trying again", exc)
                    failing = True
            self.listening.clear()
            await asyncio.sleep(self.reconnect_s)
