"""Where accepted webhook events wait for the worker.

``EventQueue`` is the seam: the receiver calls ``notify`` after committing events, the worker
calls ``run`` with the function that processes one event. The first implementation,
``InboxQueue``, serves it from the inbox table itself (events are claimed with a lease, so
several workers on one PostgreSQL never process one event at the same time) and wakes at once
in the process that received them. A PostgreSQL-backed job queue (procrastinate) can take its
place when disty runs on several machines (jobs/pgqueue.py: ``notify`` defers a dispatch that
queues jobs each taking a batch of events); the inbox row stays the record either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.db.base import utcnow
from disty.services.webhooks import processing

log = logging.getLogger(__name__)

Handler = Callable[[int], Awaitable[object]]


class RepeatedFailure:
    """Logs a loop's failure with its traceback the first time, then (while it keeps failing,
    as every round does while the database is down) one line a minute, and says when it
    works again: an outage of an hour is a few dozen lines, not a traceback every round."""

    def __init__(self, what: str, every_s: float = 60.0) -> None:
        self.what, self.every_s = what, every_s
        self._since: float | None = None  # when the failures began
        self._logged_at = 0.0
        self._count = 0

    def failed(self, retry_s: float) -> None:
        now = time.monotonic()
        self._count += 1
        if self._since is None:
            self._since = self._logged_at = now
            log.exception("%s failed; trying again in %.0f s", self.what, retry_s)
        elif now - self._logged_at >= self.every_s:
            self._logged_at = now
            log.warning(
                "%s still failing (%d times in %.0f s): %s",
                self.what, self._count, now - self._since, _reason(),
            )  # fmt: skip

    def succeeded(self) -> None:
        if self._since is not None:
            log.warning(
                "%s works again after %d failures in %.0f s",
                self.what, self._count, time.monotonic() - self._since,
            )  # fmt: skip
            self._since, self._count = None, 0


def _reason() -> str:
    """The exception being handled, in one line."""
    exc = sys.exc_info()[1]
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" if exc else "?"


class EventQueue(Protocol):
    def notify(self) -> None:
        """Events were committed to the inbox: process them soon."""

    async def run(self, handle: Handler, stop: asyncio.Event) -> None:
        """Hand every due event to ``handle`` until ``stop`` is set."""


class Burst:
    """Deliveries arriving in this process, for the processing that runs beside them.

    Deliveries come first. While they keep arriving (a burst, such as a distributor's stock
    deltas; "arriving" means one within the last ``quiet_s``), processing waits for the burst
    to end: the events are committed and lose nothing by waiting, and processing would
    otherwise take the loop (and, on SQLite, the write lock) from under the deliveries. It
    waits at most ``max_defer_s``: a flood that goes on longer is processed one event at a
    time, each followed by a pause, so that processing takes at most ``share`` of the time
    and still makes steady progress.

    The SQLite worker's queue (``InboxQueue``) and, on PostgreSQL, the job queue's worker
    running inside ``disty serve`` (jobs/pgqueue.py) both make way this way. A worker of
    its own (``disty worker``) has no deliveries beside it: it never waits.
    """

    def __init__(self, *, quiet_s: float = 0.1, max_defer_s: float = 10.0, share: float = 0.2):
        self.quiet_s = quiet_s
        self.max_defer_s = max_defer_s
        self.share = share
        self._last_delivery = -quiet_s
        self._began = 0.0
        self._one_at_a_time = asyncio.Lock()

    def notify(self) -> None:
        """A delivery was committed (the receiver's ``notify``)."""
        now = time.monotonic()
        if now - self._last_delivery >= self.quiet_s:
            self._began = now
        self._last_delivery = now

    def streaming(self) -> bool:
        return time.monotonic() - self._last_delivery < self.quiet_s

    def defer_for(self) -> float:
        """How long processing should keep out of the deliveries' way from now (0: not)."""
        now = time.monotonic()
        until_quiet = self._last_delivery + self.quiet_s - now
        until_cap = self._began + self.max_defer_s - now
        return max(0.0, min(until_quiet, until_cap))

    def pause_after(self, took_s: float) -> float:
        """The pause after one event that took ``took_s`` while a flood streams: processing
        then takes at most ``share`` of the time. Wall time, not CPU time: waiting on the
        database counts too, so the pause errs on the side of the deliveries."""
        return took_s * (1 / self.share - 1)

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for this process's deliveries as above, then hold the turn to process one
        event (alone and followed by its pause while a flood streams)."""
        # Not a poll: each sleep lasts until the burst may have ended (a delivery since moves
        # that moment on), and no event would say so sooner.
        while wait := self.defer_for():  # noqa: ASYNC110
            await asyncio.sleep(wait)
        if not self.streaming():
            yield
            return
        async with self._one_at_a_time:
            started = time.monotonic()
            try:
                yield
            finally:
                await asyncio.sleep(self.pause_after(time.monotonic() - started))


class InboxQueue:
    """The inbox table as the queue, polled every ``idle_s`` and woken by ``notify``; making
    way for deliveries as ``Burst`` says (``quiet_s``, ``max_defer_s``, ``share``). Between
    bursts, ``concurrency`` events are processed at once.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        idle_s: float = 5.0,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=5),
        concurrency: int = 4,
        quiet_s: float = 0.1,
        max_defer_s: float = 10.0,
        share: float = 0.2,
    ) -> None:
        self.sessions = sessions
        self.idle_s = idle_s
        self.batch = batch
        self.lease = lease
        self.concurrency = concurrency
        self.burst = Burst(quiet_s=quiet_s, max_defer_s=max_defer_s, share=share)
        self._wake = asyncio.Event()

    def notify(self) -> None:
        self.burst.notify()
        self._wake.set()

    async def run(self, handle: Handler, stop: asyncio.Event) -> None:
        async def one(pk: int) -> None:
            try:
                await handle(pk)
            except Exception:  # the lease runs out and the event is tried again
                log.exception("processing event %d failed unexpectedly", pk)

        reading = RepeatedFailure("reading the inbox")
        burst = self.burst
        while not stop.is_set():
            self._wake.clear()
            if wait := burst.defer_for():
                await wait_unless_stopped(stop, wait)
                continue
            try:
                taken = await processing.claim(self.sessions, limit=self.batch, lease=self.lease)
                reading.succeeded()
            except Exception:
                reading.failed(self.idle_s)
                taken = []
            if not taken:
                await self._sleep(stop)
                continue
            while taken and not stop.is_set():
                if wait := burst.defer_for():
                    # The claimed events keep their lease meanwhile.
                    await wait_unless_stopped(stop, wait)
                elif burst.streaming():
                    started = time.monotonic()
                    await one(taken.pop(0))
                    await wait_unless_stopped(stop, burst.pause_after(time.monotonic() - started))
                else:
                    now, taken = taken[: self.concurrency], taken[self.concurrency :]
                    await asyncio.gather(*(one(pk) for pk in now))

    async def _sleep(self, stop: asyncio.Event) -> None:
        timeout = self.idle_s
        with contextlib.suppress(Exception):
            due = await processing.next_due(self.sessions)
            if due is not None:
                timeout = max(0.05, min(timeout, (due - utcnow()).total_seconds()))
        waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()


async def wait_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if the worker is stopped meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
