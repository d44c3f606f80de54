"""Whom a webhook delivery is for: the connection at its address, and the keys that verify it.

A delivery's address names the supplier (by the route it arrives at: one per codec), the
tenant's shortcut and the country; the connection there holds the webhook keys.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.crypto import SecretBox
from disty.db.base import utcnow
from disty.db.models import SupplierConnection, Tenant
from disty.domain.countries import SITES
from disty.services.connections import verification_key_windows

log = logging.getLogger(__name__)

_Address = tuple[str, str, int]  # supplier key, tenant shortcut, country id


@dataclass(frozen=True, slots=True)
class Destination:
    """A connection as the receiver needs it: who it is and the keys that verify deliveries.

    ``key_windows`` holds every key with the moment it stops verifying (None: the current key);
    ``keys`` is read at verification time, so a replaced key's grace period ends on the clock,
    not when this was looked up (and cached).
    """

    connection_id: int
    tenant_id: int
    supplier: str
    country_id: int
    key_windows: tuple[tuple[str, datetime | None], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys that verify a delivery now: the current ones and those still in grace."""
        now = utcnow()
        return tuple(k for k, until in self.key_windows if until is None or until > now)


class DestinationCache:
    """Destinations for a few seconds, so a burst of deliveries costs no query each.

    A connection saved in this process (console, API: ``connections.set_connection``) is
    forgotten at once (``forget``); on PostgreSQL, one saved by any other process (a replica,
    a CLI) too, by its notice (services/change_notices.py). Otherwise (a CLI beside ``disty
    serve`` on SQLite; a notice lost while the listener reconnects) it takes effect within
    ``2 * ttl_s`` (10 s): an entry is fresh for ``ttl_s``;
    after that it is still used while one lookup renews it, for up to another ``ttl_s``. Its
    age counts from when its lookup started, so a save committed during that lookup is no
    later than the bound either. The deliveries of a burst never wait for a lookup one by one:
    those that find an entry missing share one lookup; at a thousand deliveries a second, a
    lookup each would queue hundreds behind one another every few seconds.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, ttl_s: float = 5.0
    ) -> None:
        self.sessions = sessions
        self.box = box
        self.ttl_s = ttl_s
        self._entries: dict[_Address, tuple[float, Destination | None]] = {}
        self._lookups: dict[_Address, asyncio.Task[Destination | None]] = {}
        # Bumped by ``forget``: a lookup started before it may have read the old connection,
        # and must not put what it read back into the cache.
        self._generation = 0

    def forget(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._lookups.clear()  # those under way finish for their waiters, but fill nothing

    async def get(self, supplier: str, shortcut: str, country_id: int) -> Destination | None:
        key = (supplier, shortcut, country_id)
        entry = self._entries.get(key)
        if entry is not None:
            age = time.monotonic() - entry[0]
            if age >= self.ttl_s:
                self._look_up(key)
            if age < 2 * self.ttl_s:
                return entry[1]
        # Shielded: one waiting delivery that hangs up does not cancel the others' lookup.
        return await asyncio.shield(self._look_up(key))

    def _look_up(self, key: _Address) -> asyncio.Task[Destination | None]:
        lookup = self._lookups.get(key)
        if lookup is None:
            lookup = asyncio.create_task(self._find(key, self._generation))
            self._lookups[key] = lookup
            lookup.add_done_callback(lambda done: self._looked_up(key, done))
        return lookup

    def _looked_up(self, key: _Address, done: asyncio.Task[Destination | None]) -> None:
        if self._lookups.get(key) is done:
            del self._lookups[key]
        if not done.cancelled() and done.exception() is not None:
            # Whoever waited has the error; one that refreshed in the background keeps the
            # entry it had until it is too old, then the next delivery tries again.
            log.debug("destination lookup for %s %s/%d failed", *key)

    async def _find(self, key: _Address, generation: int) -> Destination | None:
        started = time.monotonic()
        async with self.sessions() as session:
            found = await find_destination(session, self.box, *key)
        if generation != self._generation:
            return found  # forgotten meanwhile: what was read may be stale; keep it out
        if len(self._entries) > 10_000:  # strangers probing shortcuts cannot grow it forever
            self._entries.clear()
        self._entries[key] = (started, found)
        return found


async def find_destination(
    session: AsyncSession, box: SecretBox, supplier: str, shortcut: str, country_id: int
) -> Destination | None:
    """The tenant's connection to that supplier in that country, or None (the receiver
    answers 404)."""
    if country_id not in SITES:
        return None
    connection = await session.scalar(
        select(SupplierConnection)
        .join(Tenant, Tenant.id == SupplierConnection.tenant_id)
        .where(
            Tenant.shortcut == shortcut,
            SupplierConnection.supplier == supplier,
            SupplierConnection.country_id == country_id,
        )
    )
    if connection is None:
        return None
    return Destination(
        connection_id=connection.id,
        tenant_id=connection.tenant_id,
        supplier=connection.supplier,
        country_id=connection.country_id,
        key_windows=tuple(verification_key_windows(connection, box)),
    )
