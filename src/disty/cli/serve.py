"""disty serve: the web app (webhook receiver, health checks) with its in-process worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, guarded, run

if TYPE_CHECKING:
    from disty.runtime import Runtime


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[
        bool, typer.Option(help="Run the background worker in this process (the default).")
    ] = True,
) -> None:
    """Serve disty: the web console, the JSON API, webhooks at
    /supplierapi/distributorWebhook/..., /healthz and /readyz."""
    import uvicorn

    from disty.config import load_settings
    from disty.web import create_app
    from disty.web.server import config

    settings = load_settings()
    app = guarded(lambda: create_app(settings, run_worker=worker, own_process=True))
    first_steps = run(_first_steps)
    local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"  # noqa: S104
    console.print(
        f"disty serving on http://{host}:{port} (database: "
        f"{settings.resolved_database_url.split(':', 1)[0]}); Ctrl-C stops it",
        markup=False,
        soft_wrap=True,
    )
    # Where a person opens it: the public address when one is set (behind a proxy), else here.
    console.print(f"web console: {settings.public_url or local}/", markup=False, soft_wrap=True)
    for line in first_steps:
        console.print(line, markup=False, soft_wrap=True)
    # Deadlines on slow clients, a connection limit and the open-file limit: web/server.py.
    uvicorn.Server(config(app, settings, host=host, port=port)).run()


async def _first_steps(rt: Runtime) -> list[str]:
    """How to make the first user, while there is none (nobody can sign in to the console)."""
    from disty.services import tenants, users

    async with rt.sessions() as session:
        if await users.list_users(session):
            return []
        shortcuts = [t.shortcut for t in await tenants.list_tenants(session)]
    steps = [] if shortcuts else ["  disty tenant add SHORTCUT --country 1 --name 'Your Company'"]
    tenant = shortcuts[0] if len(shortcuts) == 1 else "SHORTCUT"
    return [
        "no users yet: make the first admin (it prints a one-time password), in another terminal:",
        *steps,
        f"  disty user add you@example.com --role admin --tenant {tenant}",
    ]
