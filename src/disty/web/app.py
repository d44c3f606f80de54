"""The FastAPI app: health, the webhook receiver, and the in-process worker beside them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from disty import __version__
from disty.config import Settings
from disty.jobs import worker
from disty.jobs.queue import InboxQueue
from disty.runtime import open_runtime
from disty.services.inbox import DestinationCache, GroupCommit, ThrottledLog
from disty.suppliers.hub import SupplierHub
from disty.web import api, health, ui, webhooks
from disty.web.api import problems
from disty.web.guard import ControlCharacterGuard


def create_app(
    settings: Settings | None = None,
    *,
    suppliers: Callable[[], SupplierHub] | None = None,
    run_worker: bool = True,
) -> FastAPI:
    """``run_worker=False`` serves without background work (a test, or a web-only replica
    beside separate ``disty worker`` processes). ``suppliers`` makes the hub that talks to
    distributors (a test's retry policy); it is made and closed in the server's event loop."""
    chosen = settings or Settings()
    chosen.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = suppliers() if suppliers is not None else None
        async with open_runtime(chosen, suppliers=hub) as rt:
            queue = InboxQueue(rt.sessions)
            app.state.rt = rt
            app.state.queue = queue
            app.state.destinations = DestinationCache()
            app.state.inbox = GroupCommit(rt.sessions)
            app.state.rejection_log = ThrottledLog()
            stop = asyncio.Event()
            task = (
                asyncio.create_task(worker.run(rt, stop=stop, queue=queue)) if run_worker else None
            )
            try:
                yield
            finally:
                stop.set()
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
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(api.router)
    ui.install(app)
    return app
