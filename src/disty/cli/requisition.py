"""disty requisition show: a sourced list's POs, one per supplier, as they are now."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from disty.cli._common import run
from disty.cli.source import print_requisition

if TYPE_CHECKING:
    from disty.runtime import Runtime

app = typer.Typer(help="Requisitions: a sourced list bought as one PO per supplier.")


@app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="The requisition's number: its PO prefix.")],
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The requisition's lines and its POs with their statuses."""
    from disty.services import sourcing

    async def work(rt: Runtime) -> dict[str, Any]:
        async with rt.sessions() as session:
            found = await sourcing.requisition(session, shortcut=tenant, number=number)
            return found.to_json()

    data = run(work)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print_requisition(data)
