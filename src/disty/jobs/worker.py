"""The in-process worker: processes the webhook inbox as events arrive, asks suppliers about
the POs due a check (domain/polling.py: every ``poll interval`` for a supplier with webhooks,
the safety net when a webhook never comes; from 2 minutes to hourly for one without), reads
distributors' ship-notice files, checks again the prices of POs the distributor could not
price yet, and prunes old bodies.

``disty serve`` runs it beside the web app; ``disty worker`` runs it alone. On PostgreSQL the
same rounds run as jobs of procrastinate's queue (jobs/pgqueue.py), so any number of replicas
and workers share them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from disty.db.engine import is_sqlite
from disty.jobs.queue import Burst, EventQueue, InboxQueue, RepeatedFailure, wait_unless_stopped
from disty.runtime import Runtime
from disty.services import ordering, ship_notices
from disty.services.ordering import Context
from disty.services.throttle import FORGET_AFTER_S as FORGET_THROTTLES_AFTER_S
from disty.services.webhooks import processing

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0
PRICE_CHECK_EVERY_S = 5.0
# How often the worker looks for POs due a check: a cheap indexed query (next_check_at), so a
# PO due in 2 minutes is asked about within seconds of it, whatever the poll interval.
POLL_TICK_S = 10.0
SHIP_NOTICES_EVERY_S = 60.0
# How often the worker looks for sends to take up (a sender that died, its lease run out; a
# send that got no answer, come due): whatever the poll interval, polling off included.
OUTBOX_EVERY_S = 5.0
OUTBOX_ROUND_LIMIT = 50


def context(rt: Runtime, actor: str, poll_interval_s: float | None = None) -> Context:
    return Context(rt.suppliers, actor, poll_interval_s)


async def poll_round(
    rt: Runtime,
    *,
    poll_interval_s: float | None = None,
    due_only: bool = True,
    actor: str = "worker",
) -> int:
    """Finish interrupted submissions and refresh the POs due a check (every open PO when
    not ``due_only``); answers how many were looked at."""
    ctx = context(rt, actor, poll_interval_s)
    async with rt.sessions() as session:
        return await ordering.refresh_open(session, ctx, due_only=due_only)


async def outbox_round(
    rt: Runtime, *, poll_interval_s: float | None = None, actor: str = "worker"
) -> int:
    """Take up the sends left ``submitting`` (``ordering.resumable_ids``); answers how many."""
    ctx = context(rt, actor, poll_interval_s)
    async with rt.sessions() as session:
        ids = await ordering.resumable_ids(session, limit=OUTBOX_ROUND_LIMIT)
        for pk in ids:
            await ordering.refresh_one(session, ctx, pk)
    return len(ids)


async def ship_notice_round(rt: Runtime, *, actor: str = "worker") -> int:
    """Read the distributors' ship-notice files of every connection with a folder set."""
    async with rt.sessions() as session:
        return await ship_notices.ingest_all(session, rt.settings, actor=actor)


async def price_round(rt: Runtime, *, actor: str = "worker") -> int:
    """Check again the prices of POs waiting for a confirmed price (and send those confirmed)."""
    async with rt.sessions() as session:
        return await ordering.retry_price_checks(session, context(rt, actor))


async def process_event(rt: Runtime, pk: int) -> None:
    await processing.process(rt.sessions, context(rt, "webhook"), pk)


async def process_claimed(
    rt: Runtime,
    pks: Sequence[int],
    lease: timedelta,
    *,
    at_once: int = 1,
    turn: Callable[[], AbstractAsyncContextManager[object]] = contextlib.nullcontext,
) -> None:
    """Process events claimed with a short ``lease`` (the job queue's), ``at_once`` at a time,
    each in a ``turn`` (making way for deliveries, jobs/queue.py ``Burst``). Their leases are
    renewed until the last is done: a processing may wait for a supplier up to
    DISTY_SUPPLIER_DEADLINE_S, and an event may wait for its turn longer than a lease."""
    slots = asyncio.Semaphore(at_once)

    async def one(pk: int) -> None:
        async with slots, turn():
            try:
                await process_event(rt, pk)
            except Exception:  # its lease runs out and it is taken up again; the rest go on
                log.exception("processing event %d failed unexpectedly", pk)

    async with processing.lease_kept(rt.sessions, pks, lease):
        await asyncio.gather(*(one(pk) for pk in pks))


async def drain_events(rt: Runtime) -> int:
    """Process every event due now, once each; answers how many were tried."""
    tried = 0
    while taken := await processing.claim(rt.sessions, limit=50, lease=timedelta(minutes=5)):
        for pk in taken:
            await process_event(rt, pk)
        tried += len(taken)
    return tried


async def prune_round(rt: Runtime) -> int:
    async with rt.sessions() as session:
        pruned = await processing.prune(
            session, older_than=timedelta(days=rt.settings.event_retention_days)
        )
    if rt.engine.dialect.name == "postgresql":
        # Failure counts quiet for longer than any throttle remembers (used on PostgreSQL).
        from disty.services.shared_state import prune_throttles

        pruned += await prune_throttles(rt.engine, FORGET_THROTTLES_AFTER_S)
    return pruned


async def _every(
    stop: asyncio.Event, interval_s: float, what: str, job: Callable[[], Awaitable[int]]
) -> None:
    """Run ``job()`` every ``interval_s`` until stopped; a failing round never ends the loop."""
    failures = RepeatedFailure(what)
    while not stop.is_set():
        try:
            count = await job()
            failures.succeeded()
            if count:
                log.info("%s: %d", what, count)
        except Exception:
            failures.failed(interval_s)
        await wait_unless_stopped(stop, interval_s)


async def run(
    rt: Runtime,
    *,
    stop: asyncio.Event,
    interval_s: float | None = None,
    queue: EventQueue | None = None,
    burst: Burst | None = None,
) -> None:
    """Work until ``stop`` is set. ``interval_s`` 0 switches polling off. ``burst``: the
    deliveries of the server this worker runs in, on PostgreSQL (on SQLite the ``queue``
    knows them): its events wait for a burst to end (jobs/queue.py)."""
    every = rt.settings.poll_interval_s if interval_s is None else interval_s
    if queue is None and not is_sqlite(rt.settings.resolved_database_url):
        from disty.jobs import pgqueue  # procrastinate's import, on PostgreSQL only

        await pgqueue.work(rt, stop, poll_interval_s=every, burst=burst)
        return
    inbox = queue or InboxQueue(rt.sessions)
    loops = [
        inbox.run(lambda pk: process_event(rt, pk), stop),
        _every(stop, PRUNE_EVERY_S, "pruned event bodies", lambda: prune_round(rt)),
    ]
    # POs whose price could not be confirmed wait minutes, not a poll interval: a cheap query
    # every few seconds finds those due (whether or not polling is on).
    price_every = min(PRICE_CHECK_EVERY_S, rt.settings.price_check_retry_s)
    # Ship-notice files are facts like webhooks: read whether or not polling is on.
    notices_every = min(SHIP_NOTICES_EVERY_S, every) if every > 0 else SHIP_NOTICES_EVERY_S
    loops.append(_every(stop, notices_every, "ship notices read", lambda: ship_notice_round(rt)))
    loops.append(_every(stop, price_every, "price checks retried", lambda: price_round(rt)))
    # The outbox's sweep, polling or not (a short poll interval, a test's, shortens it).
    outbox_every = min(OUTBOX_EVERY_S, every) if every > 0 else OUTBOX_EVERY_S
    loops.append(
        _every(
            stop,
            outbox_every,
            "interrupted sends taken up",
            lambda: outbox_round(rt, poll_interval_s=every),
        )
    )
    if every > 0:
        # Every tick finds the POs due by now (their schedule uses this poll interval).
        tick = min(POLL_TICK_S, every)
        loops.append(
            _every(stop, tick, "POs refreshed", lambda: poll_round(rt, poll_interval_s=every))
        )
    await asyncio.gather(*loops)
