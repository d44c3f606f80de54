"""disty supplier set|show"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import click
import typer
from rich.table import Table
from rich.text import Text

from disty.cli._common import console, err_console, print_json, read_secrets, run
from disty.domain.checks import RunTestReport
from disty.domain.connections import ApiType, parse_api_type
from disty.runtime import Runtime
from disty.services import connections
from disty.services.connections import ConnectionChanges, ConnectionView
from disty.services.run_test import run_test

app = typer.Typer(help="Supplier connections: credentials, webhook keys, settings.")

STDIN_HELP = "Use - to read it from standard input, keeping it out of the process list."


@app.command("set")
def set_(
    supplier: Annotated[str, typer.Argument(help="Supplier: ingram.")],
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    api_type: Annotated[str | None, typer.Option(help="rest (APIS (Recommended)) or xml.")] = None,
    client_id: Annotated[str | None, typer.Option(help="Client ID of the distributor app.")] = None,
    client_secret: Annotated[str | None, typer.Option(help="Client secret. " + STDIN_HELP)] = None,
    customer_number: Annotated[
        str | None, typer.Option(help="Customer number, e.g. 20-222222.")
    ] = None,
    sender_id: Annotated[str | None, typer.Option(help="IM-SenderID (at most 32).")] = None,
    application_id: Annotated[str | None, typer.Option(help="IM-ApplicationID.")] = None,
    contact_email: Annotated[str | None, typer.Option(help="IM-CustomerContact e-mail.")] = None,
    xml_login: Annotated[str | None, typer.Option(help="XML API login id.")] = None,
    xml_password: Annotated[
        str | None, typer.Option(help="XML API password. " + STDIN_HELP)
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: production).")
    ] = None,
    webhook_key: Annotated[
        str | None,
        typer.Option(help="Webhook Signature Token from the portal. " + STDIN_HELP),
    ] = None,
    webhook_label: Annotated[
        str | None, typer.Option(help="Which webhook the key belongs to (default: default).")
    ] = None,
) -> None:
    """Create or update a connection; options left out keep their saved values."""

    def work_changes() -> ConnectionChanges:
        secrets = read_secrets(
            client_secret=client_secret, xml_password=xml_password, webhook_key=webhook_key
        )
        return ConnectionChanges(
            api_type=parse_api_type(api_type) if api_type is not None else None,
            client_id=client_id,
            client_secret=secrets["client_secret"],
            customer_number=customer_number,
            sender_id=sender_id,
            application_id=application_id,
            contact_email=contact_email,
            xml_login_id=xml_login,
            xml_password=secrets["xml_password"],
            base_url=base_url,
            webhook_key=secrets["webhook_key"],
            webhook_label=webhook_label,
        )

    async def work(rt: Runtime) -> ConnectionView:
        changes = work_changes()
        async with rt.sessions() as session:
            return await connections.set_connection(
                session,
                shortcut=tenant,
                supplier=supplier,
                country_id=country,
                changes=changes,
                box=rt.box,
                public_url=rt.settings.effective_public_url,
                grace=rt.settings.webhook_key_grace,
                actor=f"cli:{getpass.getuser()}",
                allow_custom_urls=rt.settings.allow_custom_supplier_urls,
            )

    view = run(work)
    console.print(
        f"saved {view.supplier_name} connection for {view.tenant} in {view.country}", markup=False
    )
    _print_view(view)
    if view.api_type is ApiType.XML:
        err_console.print(
            "note: the XML API type is not available yet: switch to APIS (Recommended) "
            "with --api-type rest",
            markup=False,
        )


@app.command("show")
def show(
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    supplier: Annotated[str | None, typer.Argument(help="Only this supplier.")] = None,
    country: Annotated[int | None, typer.Option(help="Only this country id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Show a tenant's connections, secrets masked."""

    async def work(rt: Runtime) -> list[ConnectionView]:
        async with rt.sessions() as session:
            return await connections.list_connections(
                session,
                shortcut=tenant,
                box=rt.box,
                public_url=rt.settings.effective_public_url,
                supplier=supplier,
                country_id=country,
            )

    views = run(work)
    if as_json:
        print_json(views)
        return
    if not views:
        console.print(
            f"no connections for {tenant} yet: add one with "
            f"'disty supplier set ingram --tenant {tenant} --country 1 ...'",
            markup=False,
        )
    for view in views:
        _print_view(view)


def _print_view(view: ConnectionView) -> None:
    table = Table(
        title=f"{view.supplier_name} · {view.tenant} · {view.country} ({view.country_id})",
        show_header=False,
    )
    table.add_column("setting", no_wrap=True)
    table.add_column("value", overflow="fold")
    rows = [
        ("API type", view.api_type_label),
        ("client id", view.client_id),
        ("client secret", view.client_secret),
        ("customer number", view.customer_number),
        ("sender id", view.sender_id),
        ("application id", view.application_id),
        ("contact e-mail", view.contact_email),
        ("XML login id", view.xml_login_id),
        ("XML password", view.xml_password),
        ("base URL", view.base_url),
    ]
    for key in view.webhook_keys:
        state = (
            "current"
            if key.status == "current"
            else f"valid until {key.valid_until:%Y-%m-%d %H:%M} UTC"
        )
        rows.append((f"webhook key {key.label}", f"{key.key} ({state})"))
    if not view.webhook_keys:
        rows.append(
            ("webhook keys", "none yet: add the portal's Signature Token with --webhook-key")
        )
    last = f"{view.last_test_at:%Y-%m-%d %H:%M} UTC" if view.last_test_at else "never run"
    rows.append(("last Run Test", last))
    for label, value in rows:
        table.add_row(Text(label), Text(value if value is not None else "—"))
    console.print(table)
    # Outside the table and never wrapped: it is pasted whole into the portal.
    click.echo(f"webhook URL: {view.webhook_url}")


@app.command("test")
def run_test_command(
    supplier: Annotated[str, typer.Argument(help="Supplier: ingram.")],
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run Test: check each capability of the connection and say what to fix.

    Exit status 0 when every required check passed, 1 otherwise.
    """

    async def work(rt: Runtime) -> RunTestReport:
        async with rt.sessions() as session:
            return await run_test(
                session,
                shortcut=tenant,
                supplier=supplier,
                country_id=country,
                box=rt.box,
                hub=rt.suppliers,
                settings=rt.settings,
            )

    report = run(work)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        table = Table("check", "status", "detail", "fix", title=f"Run Test · {tenant} · {country}")
        styles = {"pass": "green", "fail": "red", "skip": "dim", "warn": "yellow"}
        for check in report.checks:
            name = check.name + ("" if check.required else " (optional)")
            table.add_row(
                Text(name),
                Text(check.status.value, style=styles[check.status.value]),
                Text(check.detail),
                Text(check.fix or ""),
            )
        console.print(table)
        verdict = "all required checks passed" if report.ok else "some required checks failed"
        console.print(verdict, markup=False)
    if not report.ok:
        raise typer.Exit(1)
