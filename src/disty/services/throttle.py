"""Growing delays after failed attempts (sign-ins, API tokens), counted per key in memory;
and log lines at most one a minute per key (``ThrottledLog``).

A key (an account, a client address) may fail ``free`` times; after that each attempt must
wait ``base_s`` seconds, doubling with every further failure, at most ``cap_s``. The delay
is something the owner can wait out: nothing is locked for good, and a success (where the
caller says so) forgets the key's failures.

Counting happens BEFORE the expensive check: ``admit`` reserves a place (an attempt "in
flight") or answers how long to wait, and ``done`` says how the attempt ended. Once the free
failures are used up (counting those still in flight), only one attempt at a time is let
through, so forty parallel guesses get at most ``free`` password checks, not forty.

Why memory first: a flood of failures must cost no database writes beyond what the throttled
rate lets through (on SQLite every write takes the one write lock the webhook receiver
needs). On SQLite (one process) memory is all there is. On PostgreSQL a Backoff also has a
``shared`` count (services/shared_state.py, one row per key) that every replica reads and
writes, so N replicas do not give a guesser N times the allowance: ``consult`` reads it
(only for an attempt the memory let through), ``record`` writes a failure or a success's
forgetting, and both copy the shared count into memory (``adopt``), so a key blocked by
another replica is refused here without asking the database again until the delay ends.
An answer the database gave while this process counted a later failure of the key (answers
come back after the client has its 401 and may already have sent its next guess) is older
than the memory: it may raise the count and the delay, never lower them.
Attempts still in flight are counted per process only: a burst sent at the same moment to
N replicas can reach N times ``free`` checks once, after which the shared count (the delay
doubling with each of them) holds for all.

The synchronous methods are called from the event loop only, so a check and its
reservation can never interleave with another request's.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class SharedCounts(Protocol):
    """A key's failures kept where every replica sees them: each answer is the key's
    failure count and the seconds it must still wait (0.0 if none)."""

    async def read(self, key: str) -> tuple[int, float]: ...

    async def failed(self, key: str) -> tuple[int, float]: ...

    async def forget(self, key: str) -> None: ...


# How long a quiet key's failures are remembered (every Backoff of disty's uses this).
FORGET_AFTER_S = 3600.0


@dataclass(slots=True)
class _Bucket:
    failures: int = 0
    in_flight: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0
    # The Backoff's ``_changes`` when this process last counted a failure or a forgetting.
    changed: int = 0


class Backoff:
    """Failure counts per key, with growing delays; see the module docstring."""

    def __init__(
        self,
        *,
        free: int,
        base_s: float = 1.0,
        cap_s: float = 300.0,
        forget_after_s: float = FORGET_AFTER_S,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.base_s = base_s
        self.cap_s = cap_s
        # A key quiet this long starts again from nothing.
        self.forget_after_s = forget_after_s
        # Memory stays bounded under a flood of distinct keys: the least recently touched
        # keys are dropped first (a client that was blocked long ago, not one being blocked).
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        # Set on PostgreSQL when the app starts (web/app.py): the count every replica shares.
        self.shared: SharedCounts | None = None
        # Counts the failures and forgettings this process has seen: whether a shared answer
        # is older than the memory (``adopt``).
        self._changes = 0

    def _bucket(self, key: str, now: float) -> _Bucket | None:
        bucket = self._buckets.get(key)
        if bucket is None:
            return None
        if not bucket.in_flight and now - bucket.last_failure > self.forget_after_s:
            del self._buckets[key]
            return None
        return bucket

    def wait_s(self, key: str) -> float:
        """Seconds before an attempt for ``key`` may start; 0.0 means now."""
        now = self._clock()
        bucket = self._bucket(key, now)
        if bucket is None or bucket.failures + bucket.in_flight < self.free:
            return 0.0
        if bucket.in_flight:
            # The free attempts are all taken by ones still being checked: their answers
            # decide the next delay, so come back shortly.
            return max(self.base_s, bucket.blocked_until - now)
        return max(0.0, bucket.blocked_until - now)

    def reserve(self, key: str) -> None:
        """Counts an attempt as started (after ``wait_s`` said 0.0, with no await between)."""
        bucket = self._buckets.pop(key, None) or _Bucket()
        bucket.in_flight += 1
        self._buckets[key] = bucket  # now the most recently touched
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def admit(self, key: str) -> float:
        """Reserves an attempt and answers 0.0, or answers the seconds to wait."""
        wait = self.wait_s(key)
        if wait == 0.0:
            self.reserve(key)
        return wait

    def done(self, key: str, *, failed: bool, forget: bool = False) -> None:
        """How a reserved attempt ended. ``forget``: a success that clears the key."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return
        bucket.in_flight = max(0, bucket.in_flight - 1)
        if failed or forget:
            self._changes += 1
            bucket.changed = self._changes
        if failed:
            now = self._clock()
            bucket.failures += 1
            bucket.last_failure = now
            if bucket.failures >= self.free:
                delay = self.base_s * 2 ** min(bucket.failures - self.free, 32)
                bucket.blocked_until = now + min(self.cap_s, delay)
        elif forget:
            bucket.failures = 0
            bucket.blocked_until = 0.0
        if not bucket.in_flight and not bucket.failures:
            del self._buckets[key]

    def adopt(self, key: str, failures: int, wait_s: float, asked: int | None = None) -> None:
        """Takes the shared count as this process's (it is the whole truth: a success on
        another replica may have cleared it); attempts in flight here stay counted.

        ``asked``: ``_changes`` when the database was asked. If this process has counted a
        failure (or forgotten) the key since, the answer predates it: it only raises."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if not failures:
                return
            self.reserve(key)
            bucket = self._buckets[key]
            bucket.in_flight -= 1
        now = self._clock()
        blocked_until = now + wait_s if wait_s > 0 else 0.0
        if asked is not None and bucket.changed > asked:
            failures = max(failures, bucket.failures)
            blocked_until = max(blocked_until, bucket.blocked_until)
        bucket.failures = failures
        bucket.blocked_until = blocked_until
        if failures:
            bucket.last_failure = now
        elif not bucket.in_flight:
            del self._buckets[key]

    async def consult(self, key: str) -> float:
        """The seconds the shared count says to wait (0.0: none, or nothing shared). Call it
        after ``admit``/``reserve``, so only attempts the memory lets through ask."""
        if self.shared is None:
            return 0.0
        asked = self._changes
        failures, wait = await self.shared.read(key)
        self.adopt(key, failures, wait, asked)
        bucket = self._buckets.get(key)
        # A failure counted here meanwhile may have made the delay longer than the answer's.
        return max(wait, bucket.blocked_until - self._clock()) if bucket else wait

    async def record(self, key: str, *, failed: bool, forget: bool = False) -> None:
        """Tells the shared count how an attempt ended (after ``done`` or ``failed``): one
        write for a failure or a forgetting success, none otherwise."""
        if self.shared is None:
            return
        if failed:
            asked = self._changes
            self.adopt(key, *await self.shared.failed(key), asked)
        elif forget:
            await self.shared.forget(key)

    def failed(self, key: str) -> None:
        """A failure counted after the fact (for checks cheap enough to need no reservation)."""
        self.reserve(key)
        self.done(key, failed=True)

    def release(self, key: str) -> None:
        """A reserved attempt that never ran (the server was too busy): counts nothing."""
        self.done(key, failed=False)


class ThrottledLog:
    """At most one log line per key a minute, then how many were left out: a flood of forged
    deliveries cannot fill a disk. Lines go to ``logger`` (the module using it)."""

    def __init__(self, logger: logging.Logger, every_s: float = 60.0) -> None:
        self.logger = logger
        self.every_s = every_s
        self._last: dict[str, float] = {}
        self._skipped: dict[str, int] = {}

    def admit(self, key: str) -> str | None:
        """None when a line for ``key`` was logged less than a minute ago (it is counted);
        else the suffix to log it with (how many were left out since, or nothing)."""
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.every_s:
            self._skipped[key] = self._skipped.get(key, 0) + 1
            return None
        skipped = self._skipped.pop(key, 0)
        if len(self._last) > 10_000:
            self._last.clear()
        self._last[key] = now
        return f" ({skipped} more like it since the last one not logged)" if skipped else ""

    def warning(self, key: str, message: str, *args: object) -> None:
        suffix = self.admit(key)
        if suffix is not None:
            self.logger.warning(message + suffix, *args)
