"""disty events list|replay: the webhook inbox, as accepted and processed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime

app = typer.Typer(help="Webhook events received from distributors.")

TenantOpt = Annotated[str, typer.Option(help="Tenant shortcut.")]
CountryOpt = Annotated[int | None, typer.Option(help="Country id: 1 = US, 29 = Canada.")]


@app.command("list")
def list_(
    tenant: TenantOpt,
    country: CountryOpt = None,
    status: Annotated[str | None, typer.Option(help="received, processed, failed or dead.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Accepted events, newest first."""
    from rich.table import Table

    from disty.services.webhooks import event_lookup
    from disty.services.webhooks.event_lookup import EventFilter

    async def work(rt: Runtime) -> list[dict[str, object]]:
        async with rt.sessions() as session:
            found = await event_lookup.list_events(
                session, EventFilter(tenant, country, status, max(1, limit))
            )
            return [event_lookup.to_json(e) for e in found]

    rows = run(work)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("no events", markup=False)
        return
    table = Table("received", "event id", "type", "status", "tries", "outcome / error")
    for row in rows:
        table.add_row(
            str(row["received_at"])[:19],
            str(row["event_id"]),
            str(row["event_type"]),
            str(row["status"]),
            str(row["attempts"]),
            str(row["error"] or row["outcome"] or ""),
        )
    console.print(table)


@app.command("replay")
def replay(
    event_id: Annotated[str, typer.Argument(help="The distributor's eventId.")],
    tenant: TenantOpt,
    country: CountryOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the event as JSON.")] = False,
) -> None:
    """Process one event again now (a dead one, once its cause is fixed)."""
    from disty.jobs.worker import context
    from disty.services.webhooks import event_lookup, processing

    async def work(rt: Runtime) -> dict[str, object]:
        async with rt.sessions() as session:
            found = await event_lookup.find_event(
                session, shortcut=tenant, event_id=event_id, country_id=country
            )
        done = await processing.replay(rt.sessions, context(rt, "cli"), found.id)
        return event_lookup.to_json(done)

    row = run(work)
    if as_json:
        typer.echo(json.dumps(row, indent=2))
        return
    console.print(
        f"event {row['event_id']}: {row['status']} - {row['error'] or row['outcome']}",
        markup=False,
    )
    if row["status"] != "processed":
        raise typer.Exit(1)
