"""The FastAPI app: health, the webhook receiver, and the in-process worker beside them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import Route
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from disty import __version__
from disty.config import Settings
from disty.db.engine import create_engine, is_sqlite, session_factory
from disty.jobs import worker
from disty.jobs.queue import Burst, InboxQueue
from disty.mcp import http as mcp_http
from disty.runtime import open_runtime
from disty.services import connections
from disty.services.change_notices import ChangeListener
from disty.services.throttle import Backoff, ThrottledLog
from disty.services.users import SignInGuard
from disty.services.webhooks import intake
from disty.services.webhooks.destinations import DestinationCache
from disty.services.webhooks.refusals import RejectionCounts
from disty.services.webhooks.writer import InboxWriter
from disty.suppliers.hub import SupplierHub
from disty.web import api, health, metrics, ui, webhooks
from disty.web.api import problems
from disty.web.guard import ControlCharacterGuard, QuietHangUps, SupplierDeadline
from disty.web.request_id import RequestId
from disty.web.security import HeaderPolicy, SecurityHeaders, install_docs
from disty.web.token_guard import BadTokenBackoff

if TYPE_CHECKING:
    from disty.jobs.pgqueue import Notifier

# A client may send this many unknown API tokens before each further one waits (1 s,
# doubling, at most 5 minutes): a misconfigured script notices, a guesser gets nowhere.
BAD_TOKENS_FREE = 20
BAD_TOKENS_MAX_DELAY_S = 300.0


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        first()
        second()

    return both


class DistyApp(FastAPI):
    """FastAPI, with webhook deliveries taken at the edge of its middleware stack
    (web/webhooks.py's ``WebhookDoor`` says why), behind only the trusted proxies' addresses
    (``trusted_proxies``), which every request has applied first."""

    security_headers = HeaderPolicy(https=False)
    trusted_proxies: tuple[str, ...] = ()

    def build_middleware_stack(self) -> ASGIApp:
        stack: ASGIApp = webhooks.WebhookDoor(
            super().build_middleware_stack(), self.security_headers
        )
        if self.trusted_proxies:
            # uvicorn types ASGI apps its own way; the call is the same.
            proxied = ProxyHeadersMiddleware(cast(Any, stack), list(self.trusted_proxies))
            stack = cast(ASGIApp, proxied)
        return stack


def share_throttles(app: FastAPI, engine: AsyncEngine) -> None:
    """On PostgreSQL: the app's failure counts (sign-ins, unknown API tokens) are kept with
    every replica's too, in the database (services/shared_state.py)."""
    from disty.services.shared_state import share

    guard: SignInGuard = app.state.sign_in_guard
    share(guard.accounts, engine, "account")
    share(guard.clients, engine, "client")
    share(app.state.bad_tokens, engine, "api-token")


# How long a thread that hands its result back to the busy event loop (the SQLite inbox
# writer's COMMIT, aiosqlite's queries) waits for Python's lock before the loop is asked to let
# it go: Python's default switch interval, 5 ms, made every SQLite batch's answer wait up to
# that long behind the loop. bench/receiver.py's load on SQLite, ``disty serve --no-worker``
# side by side, 5 rounds each: 0.65 of the minimal app's throughput at 5 ms, 0.71 at 0.5 ms
# (p99 1.49x, 1.33x); 0.64 at 0.5 ms and 0.72 at 0.1 ms in another run (p99 1.52x, 1.32x).
# On PostgreSQL the receiver's process runs Python in one thread, so nothing waits for the
# lock: 0.75 at 5 ms and 0.71 at 0.1 ms, each the faster in 2 of 4 rounds (noise).
SWITCH_INTERVAL_S = 0.0001


def create_app(
    settings: Settings | None = None,
    *,
    hub: Callable[[], SupplierHub] | None = None,
    run_worker: bool = True,
    own_process: bool = False,
) -> FastAPI:
    """``run_worker=False`` serves without background work (a test, or a web-only replica
    beside separate ``disty worker`` processes). ``hub`` makes the hub that talks to
    distributors (a test's retry policy); it is made and closed in the server's event loop.
    ``own_process``: the app is all this process serves (``disty serve``), so it may tune the
    process's garbage collector and switch interval (see ``lifespan``)."""
    chosen = settings or Settings()
    chosen.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        given = hub() if hub is not None else None
        async with (
            open_runtime(chosen, hub=given) as rt,
            assistants.session_manager.run(),
        ):
            # SQLite: the inbox is the queue, in this process. PostgreSQL: procrastinate's
            # queue, shared by every replica and worker (jobs/pgqueue.py).
            queue: InboxQueue | None = None
            jobs: Notifier | None = None
            burst: Burst | None = None
            if is_sqlite(chosen.resolved_database_url):
                queue = InboxQueue(rt.sessions)
                notify = queue.notify
            else:
                from disty.jobs.pgqueue import Notifier  # procrastinate, on PostgreSQL only

                jobs = Notifier(chosen.resolved_database_url)
                await jobs.open()
                notify = jobs.notify
                if run_worker:
                    # This process's worker makes way for its deliveries, as on SQLite.
                    burst = Burst()
                    notify = _both(jobs.notify, burst.notify)
            app.state.rt = rt
            if jobs is not None:
                # Failed sign-ins and unknown tokens counted by every replica together.
                share_throttles(app, rt.engine)
            # The receiver's own engine: its connections give up in seconds (a lock, an
            # unreachable server) so a delivery gets its 503, and the worker's connections
            # cannot use up its pool.
            receiver_engine = create_engine(chosen.resolved_database_url, bounded=True)
            receiver_sessions = session_factory(receiver_engine)
            # /readyz asks through it too: a probe answers in seconds whatever the database does.
            app.state.bounded_engine = receiver_engine
            destinations = DestinationCache(receiver_sessions, rt.box)
            app.state.destinations = destinations
            # A connection saved in this process (console, API) verifies with its new key at
            # once.
            connections.watch_changes(rt.engine.sync_engine, destinations)
            # One saved by another process (replica, worker, CLI): at once too, on PostgreSQL.
            listener: ChangeListener | None = None
            if jobs is not None:
                listener = ChangeListener(chosen.resolved_database_url, destinations)
                await listener.open()
            writer = InboxWriter(chosen.resolved_database_url)
            writer.start()
            refusal_log = ThrottledLog(intake.log)
            counts = RejectionCounts(receiver_sessions, refusal_log)
            webhooks.install(
                app,
                intake.Intake(
                    destinations=destinations,
                    writer=writer,
                    counts=counts,
                    refusal_log=refusal_log,
                    notify=notify,
                    body_timeout_s=chosen.webhook_body_timeout_s,
                ),
            )
            if own_process:
                # Everything made while starting (modules, the ORM's mappings, the app) lives
                # as long as the process: out of the collector's sight, a full collection walks
                # only what requests made, a few ms instead of about 100 (a webhook's p99).
                gc.collect()
                gc.freeze()
                sys.setswitchinterval(SWITCH_INTERVAL_S)
            stop = asyncio.Event()
            task = (
                asyncio.create_task(worker.run(rt, stop=stop, queue=queue, burst=burst))
                if run_worker
                else None
            )
            try:
                yield
            finally:
                stop.set()
                await counts.close()
                await writer.close()
                if jobs is not None:
                    await jobs.close()
                if listener is not None:
                    await listener.close()
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                        # The running jobs' grace, and a little to unregister the worker.
                        await asyncio.wait_for(task, timeout=chosen.job_shutdown_grace_s + 5)
                if given is not None:
                    await given.aclose()
                await receiver_engine.dispose()

    app = DistyApp(
        title="disty",
        version=__version__,
        lifespan=lifespan,
        # /docs comes from install_docs, with a policy of its own; no ReDoc (a second page
        # loading code from a CDN) and no OAuth redirect page (the API takes bearer tokens).
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        description="The hub between IT resellers and their distributors. Authenticate with "
        "'Authorization: Bearer <token>' (disty token create).",
    )
    # Failed sign-ins and failed API tokens, counted in memory per app (services/throttle.py)
    # and, on PostgreSQL, by every replica together (share_throttles, when the app starts).
    app.state.sign_in_guard = SignInGuard()
    app.state.bad_tokens = Backoff(free=BAD_TOKENS_FREE, cap_s=BAD_TOKENS_MAX_DELAY_S)
    problems.install(app, page=ui.error_page)
    app.security_headers = HeaderPolicy(https=(chosen.public_url or "").startswith("https://"))
    app.trusted_proxies = tuple(chosen.trusted_proxy_list)
    app.add_middleware(ControlCharacterGuard)
    app.add_middleware(QuietHangUps)
    # A person's page or an API client waits seconds for distributors, never minutes: past
    # this the request answers 429/503 with Retry-After (suppliers/http.py).
    app.add_middleware(SupplierDeadline, seconds=chosen.web_supplier_deadline_s)
    app.add_middleware(SecurityHeaders, policy=app.security_headers)
    app.add_middleware(RequestId)
    install_docs(app)
    # AI assistants (MCP) at /mcp, with the API's tokens (and its backoff for unknown ones);
    # its tools read app.state.rt.
    assistants = mcp_http.mounted(lambda: app.state.rt, chosen.effective_public_url)
    guarded = BadTokenBackoff(assistants.app, app.state.bad_tokens)
    app.router.routes.append(Route(mcp_http.PATH, guarded, include_in_schema=False))
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(webhooks.router())
    app.include_router(api.router)
    ui.install(app)
    return app
