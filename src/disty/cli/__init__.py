"""The ``disty`` command line: one module per command group."""

from __future__ import annotations

from typing import Annotated

import typer

from disty import __version__
from disty.cli import (
    db,
    events,
    keys,
    order,
    requisition,
    supplier,
    tenant,
    token,
    user,
    webhook,
)
from disty.cli._common import configure_logging
from disty.cli.demo import demo
from disty.cli.pna import pna
from disty.cli.serve import serve
from disty.cli.simulator import simulator
from disty.cli.source import source
from disty.cli.worker import worker

# Known errors end in one sentence (see _common.run). Anything else is a bug and gets Python's
# plain traceback; never one with local variables, which could hold a secret.
app = typer.Typer(
    name="disty",
    help="disty: the open-source hub between IT resellers and their distributors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(tenant.app, name="tenant")
app.add_typer(supplier.app, name="supplier")
app.add_typer(webhook.app, name="webhook")
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(order.app, name="order")
app.add_typer(events.app, name="events")
app.add_typer(token.app, name="token")
app.add_typer(user.app, name="user")
app.add_typer(requisition.app, name="requisition")
app.command("demo")(demo)
app.command("pna")(pna)
app.command("source")(source)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("simulator")(simulator)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"disty {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    configure_logging(verbose)


def main() -> None:
    app()
