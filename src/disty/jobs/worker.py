"""The in-process worker: processes the webhook inbox as events arrive, refreshes open POs
every ``poll interval`` (the safety net when a webhook never comes), checks again the prices
of POs the distributor could not price yet, and prunes old bodies.

``disty serve`` runs it beside the web app; ``disty worker`` runs it alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from disty.jobs.queue import EventQueue, InboxQueue, RepeatedFailure, wait_unless_stopped
from disty.runtime import Runtime
from disty.services import ordering
from disty.services.ordering import Context
from disty.services.webhooks import processing

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0
PRICE_CHECK_EVERY_S = 5.0


def context(rt: Runtime, actor: str) -> Context:
    return Context(rt.suppliers, actor)


async def poll_round(rt: Runtime, *, older_than: timedelta, actor: str = "worker") -> int:
    """Finish interrupted submissions and refresh open POs; answers how many were looked at."""
    async with rt.sessions() as session:
        return await ordering.refresh_open(session, context(rt, actor), older_than=older_than)


async def price_round(rt: Runtime, *, actor: str = "worker") -> int:
    """Check again the prices of POs waiting for a confirmed price (and send those confirmed)."""
    async with rt.sessions() as session:
        return await ordering.retry_price_checks(session, context(rt, actor))


async def process_event(rt: Runtime, pk: int) -> None:
    await processing.process(rt.sessions, context(rt, "webhook"), pk)


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
        return await processing.prune(
            session, older_than=timedelta(days=rt.settings.event_retention_days)
        )


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
) -> None:
    """Work until ``stop`` is set. ``interval_s`` 0 switches polling off."""
    every = rt.settings.poll_interval_s if interval_s is None else interval_s
    inbox = queue or InboxQueue(rt.sessions)
    loops = [
        inbox.run(lambda pk: process_event(rt, pk), stop),
        _every(stop, PRUNE_EVERY_S, "pruned event bodies", lambda: prune_round(rt)),
    ]
    # POs whose price could not be confirmed wait minutes, not a poll interval: a cheap query
    # every few seconds finds those due (whether or not polling is on).
    price_every = min(PRICE_CHECK_EVERY_S, rt.settings.price_check_retry_s)
    loops.append(_every(stop, price_every, "price checks retried", lambda: price_round(rt)))
    if every > 0:
        age = timedelta(seconds=every)
        loops.append(_every(stop, every, "POs refreshed", lambda: poll_round(rt, older_than=age)))
    await asyncio.gather(*loops)
