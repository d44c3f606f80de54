"""A lease kept alive while its holder works: the one way a PO's send and an event's
processing keep others off their row for longer than the lease itself.

A lease is a time in a row (``lease_until``) that other workers respect; it is short, so the
work of a process that died is taken up soon. Work that may outlast it (a send retried
through several timeouts, a processing that waits for a slow supplier) renews it every third
of its length. If the process dies, the renewals stop and the lease runs out as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


@asynccontextmanager
async def renewed(
    renew: Callable[[], Awaitable[object]], lease: timedelta, what: str
) -> AsyncIterator[None]:
    """Call ``renew`` (which moves ``lease_until`` on, in a session of its own) every third of
    ``lease`` until the block ends. A renewal that fails is logged: the lease still runs for
    two thirds of its length, and the next renewal may work."""
    stop = asyncio.Event()

    async def keep() -> None:
        while not await _stopped(stop, lease.total_seconds() / 3):
            try:
                await renew()
            except SQLAlchemyError as exc:
                log.warning("could not renew the lease of %s: %s", what, exc)

    task = asyncio.create_task(keep())
    try:
        yield
    finally:
        stop.set()
        await task


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` unless ``stop`` is set first; answers whether it was."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
