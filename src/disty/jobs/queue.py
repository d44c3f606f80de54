"""Where accepted webhook events wait for the worker.

``EventQueue`` is the seam: the receiver calls ``notify`` after committing events, the worker
calls ``run`` with the function that processes one event. The first implementation,
``InboxQueue``, serves it from the inbox table itself (events are claimed with a lease, so
several workers on one PostgreSQL never process one event at the same time) and wakes at once
in the process that received them. A PostgreSQL-backed job queue (procrastinate) can take its
place when disty runs on several machines: ``notify`` defers one job per event, ``run`` is its
worker; the inbox row stays the record either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.db.base import utcnow
from disty.services import events

log = logging.getLogger(__name__)

Handler = Callable[[int], Awaitable[object]]


class EventQueue(Protocol):
    def notify(self) -> None:
        """Events were committed to the inbox: process them soon."""

    async def run(self, handle: Handler, stop: asyncio.Event) -> None:
        """Hand every due event to ``handle`` until ``stop`` is set."""


class InboxQueue:
    """The inbox table as the queue, polled every ``idle_s`` and woken by ``notify``.

    Deliveries come first: while they keep arriving in this process (a burst, such as
    Ingram's stock deltas), processing waits for a lull of ``quiet_s``, at most ``max_defer_s``
    at a time, so the distributor's answers stay fast; the events are committed and lose
    nothing by waiting. A flood that never pauses still gets a batch processed every
    ``max_defer_s``.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        idle_s: float = 5.0,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=5),
        concurrency: int = 4,
        quiet_s: float = 0.05,
        max_defer_s: float = 2.0,
    ) -> None:
        self.sessions = sessions
        self.idle_s = idle_s
        self.batch = batch
        self.lease = lease
        self.concurrency = concurrency
        self.quiet_s = quiet_s
        self.max_defer_s = max_defer_s
        self._wake = asyncio.Event()
        self._last_delivery = 0.0

    def notify(self) -> None:
        self._last_delivery = time.monotonic()
        self._wake.set()

    async def _lull(self, stop: asyncio.Event) -> None:
        """Wait while deliveries are streaming in (see the class docstring)."""
        started = time.monotonic()
        while not stop.is_set() and time.monotonic() - started < self.max_defer_s:
            since = time.monotonic() - self._last_delivery
            if since >= self.quiet_s:
                return
            await asyncio.sleep(self.quiet_s - since)

    async def run(self, handle: Handler, stop: asyncio.Event) -> None:
        limit = asyncio.Semaphore(self.concurrency)

        async def one(pk: int) -> None:
            async with limit:
                try:
                    await handle(pk)
                except Exception:  # the lease runs out and the event is tried again
                    log.exception("processing event %d failed unexpectedly", pk)

        while not stop.is_set():
            self._wake.clear()
            await self._lull(stop)
            try:
                taken = await events.claim(self.sessions, limit=self.batch, lease=self.lease)
            except Exception:
                log.exception("could not read the inbox; trying again in %.0f s", self.idle_s)
                taken = []
            if taken:
                await asyncio.gather(*(one(pk) for pk in taken))
                continue  # more may be waiting
            await self._sleep(stop)

    async def _sleep(self, stop: asyncio.Event) -> None:
        timeout = self.idle_s
        with contextlib.suppress(Exception):
            due = await events.next_due(self.sessions)
            if due is not None:
                timeout = max(0.05, min(timeout, (due - utcnow()).total_seconds()))
        waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
