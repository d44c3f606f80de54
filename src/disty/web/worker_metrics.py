"""``disty worker --metrics-port N``: a worker's own ``/metrics``, for what only the worker
counts (its calls to distributors: latency, 429s, errors) and the database's figures (job
queue depth and age) where no web replica is scraped.

The same page as a replica's (web/metrics.py, its ``router``), under the same rule for who may
read it (DISTY_METRICS_TOKEN), served by uvicorn in the worker's own event loop beside its
jobs. Off unless a port is given, and on 127.0.0.1 unless the operator names another address
(a Prometheus on another machine: then with the token). Production without a token would
answer nobody, so the worker refuses to start that way rather than serve a page no one reads.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from disty.db.engine import create_engine
from disty.errors import ConfigurationError
from disty.runtime import Runtime
from disty.web import metrics
from disty.web.server import config


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The worker's own handlers stop it (and this server with it): uvicorn's would
        # replace them.
        yield


def listen(host: str, port: int) -> socket.socket:
    """The endpoint's socket, bound before the worker starts: a port in use is said at once,
    in one sentence. Port 0: one the system picks (``getsockname`` tells which)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(
            f"cannot serve the worker's metrics on {host}:{port} ({exc.strerror}): choose "
            "another --metrics-port"
        ) from None
    sock.listen(64)
    sock.setblocking(False)
    return sock


def check(rt: Runtime) -> None:
    token = rt.settings.metrics_token
    if rt.settings.is_production and (token is None or not token.get_secret_value()):
        raise ConfigurationError(
            "a worker's /metrics in production needs DISTY_METRICS_TOKEN (without it nobody "
            "may read it): set the token Prometheus sends, or leave out --metrics-port"
        )


async def serve(rt: Runtime, sock: socket.socket, stop: asyncio.Event) -> None:
    """Serve ``/metrics`` on ``sock`` until ``stop`` is set."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.rt = rt
    app.state.bounded_engine = create_engine(rt.settings.resolved_database_url, bounded=True)
    app.include_router(metrics.router)
    host, port = sock.getsockname()[:2]
    server = _Server(config(app, rt.settings, host=host, port=port))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([serving, stopping], return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        stopping.cancel()
        await serving
    finally:
        await app.state.bounded_engine.dispose()
