"""The in-process worker: runs the polling round every ``interval`` seconds until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from disty.runtime import Runtime
from disty.services import ordering
from disty.services.ordering import Context

log = logging.getLogger(__name__)


async def poll_round(rt: Runtime, *, older_than: timedelta, actor: str = "worker") -> int:
    """Finish interrupted submissions and refresh open POs; answers how many were looked at."""
    async with rt.sessions() as session:
        return await ordering.refresh_open(
            session, Context(rt.box, rt.suppliers, rt.settings, actor), older_than=older_than
        )


async def run(rt: Runtime, *, interval_s: float, stop: asyncio.Event) -> None:
    """Poll until ``stop`` is set. A failing round is logged and the next one still runs."""
    age = timedelta(seconds=interval_s)
    while not stop.is_set():
        try:
            count = await poll_round(rt, older_than=age)
            if count:
                log.info("polling round: %d PO(s) refreshed", count)
        except Exception:  # one bad round must not end the worker
            log.exception("polling round failed; trying again in %.0f s", interval_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
