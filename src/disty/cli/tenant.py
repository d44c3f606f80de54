"""disty tenant add|set|list"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, print_json, run

if TYPE_CHECKING:
    from disty.runtime import Runtime
    from disty.services.tenant_views import TenantView

app = typer.Typer(help="Reseller accounts (tenants) and the countries they are served in.")

CountryOpt = Annotated[
    list[int], typer.Option("--country", help="Country id: 1 = United States, 29 = Canada.")
]


@app.command("add")
def add(
    shortcut: Annotated[str, typer.Argument(help="Short name, e.g. smbi (used in webhook URLs).")],
    country: CountryOpt,
    name: Annotated[str | None, typer.Option(help="Display name (default: the shortcut).")] = None,
) -> None:
    """Add a tenant served in one or more countries."""
    from disty.services import tenants

    async def work(rt: Runtime) -> TenantView:
        async with rt.sessions() as session:
            return await tenants.add_tenant(session, shortcut, country, name)

    tenant = run(work)
    console.print(f"added tenant {tenant.shortcut} ({_countries(tenant)})", markup=False)


@app.command("set")
def set_(
    shortcut: str,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    add_country: Annotated[
        list[int] | None, typer.Option("--add-country", help="Add a country id (1 or 29).")
    ] = None,
    prefer: Annotated[
        str | None,
        typer.Option(
            help="Suppliers' keys, most preferred first, e.g. a,b: sourcing's tie-break when "
            "a request names none ('' clears it)."
        ),
    ] = None,
) -> None:
    """Change a tenant's name, add countries or set its supplier preference."""
    from disty.services import tenants

    keys = None if prefer is None else prefer.split(",")

    async def work(rt: Runtime) -> TenantView:
        async with rt.sessions() as session:
            return await tenants.update_tenant(
                session, shortcut, name=name, add_countries=add_country or [], prefer=keys
            )

    tenant = run(work)
    console.print(f"updated tenant {tenant.shortcut} ({_countries(tenant)})", markup=False)
    if tenant.supplier_preference:
        console.print("preferred: " + ", ".join(tenant.supplier_preference), markup=False)


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List tenants."""
    from rich.table import Table
    from rich.text import Text

    from disty.services import tenants

    async def work(rt: Runtime) -> list[TenantView]:
        async with rt.sessions() as session:
            return await tenants.list_tenants(session)

    found = run(work)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no tenants yet: add one with 'disty tenant add SHORTCUT --country 1'")
        return
    table = Table("shortcut", "name", "countries")
    for tenant in found:
        table.add_row(Text(tenant.shortcut), Text(tenant.name), Text(_countries(tenant)))
    console.print(table)


def _countries(tenant: TenantView) -> str:
    return ", ".join(f"{c.id} {c.iso}" for c in tenant.countries)


@app.command("assistant-limits")
def assistant_limits(
    shortcut: Annotated[str, typer.Argument(help="The tenant's shortcut.")],
    per_po: Annotated[
        str | None, typer.Option(help="Most an assistant may submit in one PO, e.g. 500.")
    ] = None,
    per_day: Annotated[
        str | None, typer.Option(help="Most assistants may submit in total per UTC day.")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Assistants only draft again.")] = False,
) -> None:
    """Show, or set, what AI assistants (MCP) with an order token may submit without a person.

    By default they only draft POs that a person submits in the console."""
    import getpass

    from disty.services import assistant

    async def work(rt: Runtime) -> assistant.Limits:
        async with rt.sessions() as session:
            if not off and per_po is None and per_day is None:
                return await assistant.limits(session, shortcut)
            return await assistant.set_limits(
                session, shortcut,
                per_po=None if off else assistant.parse_limit(per_po, "--per-po"),
                per_day=None if off else assistant.parse_limit(per_day, "--per-day"),
                actor=f"cli:{getpass.getuser()}",
            )  # fmt: skip

    found = run(work)
    if found.allowed:
        console.print(
            f"assistants of {shortcut} may submit POs up to {found.per_po} each, "
            f"{found.per_day} a day",
            markup=False,
        )
    else:
        console.print(
            f"assistants of {shortcut} only draft POs: a person submits them", markup=False
        )
