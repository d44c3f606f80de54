"""The FastAPI app: health, the webhook receiver, and the in-process worker beside them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from disty import __version__
from disty.config import Settings
from disty.jobs import worker
from disty.jobs.queue import InboxQueue
from disty.runtime import open_runtime
from disty.services.inbox import DestinationCache, ThrottledLog
from disty.services.inbox_writer import InboxWriter
from disty.suppliers.hub import SupplierHub
from disty.web import api, health, ui, webhooks
from disty.web.api import problems
from disty.web.guard import ControlCharacterGuard, QuietHangUps


def create_app(
    settings: Settings | None = None,
    *,
    suppliers: Callable[[], SupplierHub] | None = None,
    run_worker: bool = True,
    own_process: bool = False,
) -> FastAPI:
    """``run_worker=False`` serves without background work (a test, or a web-only replica
    beside separate ``disty worker`` processes). ``suppliers`` makes the hub that talks to
    distributors (a test's retry policy); it is made and closed in the server's event loop.
    ``own_process``: the app is all this process serves (``disty serve``), so it may tune the
    process's garbage collector (see ``lifespan``)."""
    chosen = settings or Settings()
    chosen.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = suppliers() if suppliers is not None else None
        async with open_runtime(chosen, suppliers=hub) as rt:
            queue = InboxQueue(rt.sessions)
            app.state.rt = rt
            app.state.queue = queue
            app.state.destinations = DestinationCache(rt.sessions, rt.box)
            app.state.inbox = writer = InboxWriter(chosen.resolved_database_url)
            writer.start()
            app.state.rejection_log = ThrottledLog()
            app.state.large_bodies = webhooks.ByteBudget()
            counts = webhooks.RejectionCounts(rt.sessions, app.state.rejection_log)
            app.state.rejection_counts = counts
            if own_process:
                # Everything made while starting (modules, the ORM's mappings, the app) lives
                # as long as the process: out of the collector's sight, a full collection walks
                # only what requests made, a few ms instead of about 100 (a webhook's p99).
                gc.collect()
                gc.freeze()
            stop = asyncio.Event()
            task = (
                asyncio.create_task(worker.run(rt, stop=stop, queue=queue)) if run_worker else None
            )
            try:
                yield
            finally:
                stop.set()
                await counts.close()
                await writer.close()
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                        await asyncio.wait_for(task, timeout=10)
                if hub is not None:
                    await hub.aclose()

    app = FastAPI(
        title="disty",
        version=__version__,
        lifespan=lifespan,
        description="The hub between IT resellers and their distributors. Authenticate with "
        "'Authorization: Bearer <token>' (disty token create).",
    )
    problems.install(app)
    app.add_middleware(ControlCharacterGuard)
    app.add_middleware(QuietHangUps)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(api.router)
    ui.install(app)
    return app
