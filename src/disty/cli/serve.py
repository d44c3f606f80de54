"""disty serve: the web app (webhook receiver, health checks) with its in-process worker."""

from __future__ import annotations

from typing import Annotated

import typer

from disty.cli._common import console, guarded


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[
        bool, typer.Option(help="Run the background worker in this process (the default).")
    ] = True,
) -> None:
    """Serve disty: webhooks at /supplierapi/distributorWebhook/..., /healthz and /readyz."""
    import uvicorn

    from disty.config import load_settings
    from disty.web import create_app
    from disty.web.server import config

    settings = load_settings()
    app = guarded(lambda: create_app(settings, run_worker=worker, own_process=True))
    console.print(
        f"disty serving on http://{host}:{port} (database: "
        f"{settings.resolved_database_url.split(':', 1)[0]}); Ctrl-C stops it",
        markup=False,
    )
    # Deadlines on slow clients, a connection limit and the open-file limit: web/server.py.
    uvicorn.Server(config(app, settings, host=host, port=port)).run()
