"""disty supplier set|show"""

from __future__ import annotations

import getpass
import inspect
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from disty.cli._common import console, err_console, print_json, read_secrets, run
from disty.errors import ApiTypeNotAvailable
from disty.suppliers import registry

if TYPE_CHECKING:
    from disty.domain.checks import RunTestReport
    from disty.runtime import Runtime
    from disty.services.connections import ConnectionChanges, ConnectionView
    from disty.suppliers.registry import Setting

app = typer.Typer(help="Supplier connections: credentials, webhook keys, settings.")

STDIN_HELP = "Use - to read it from standard input, keeping it out of the process list."


def _declared_options() -> list[inspect.Parameter]:
    """One ``--option`` per setting any registered supplier declares (suppliers/registry.py),
    so a new supplier's settings appear here without a line of this module changing. A name
    two suppliers declare is one option; its help says which suppliers use it."""
    users: dict[str, list[tuple[str, Setting]]] = {}
    for supplier in registry.registrations():
        for setting in supplier.settings:
            users.setdefault(setting.name, []).append((supplier.name, setting))
    every = len(registry.registrations())
    params = []
    for name, declared in users.items():
        setting = declared[0][1]
        helps = {s.help for _, s in declared}
        if len(helps) == 1:
            # One meaning: say it once, and who uses it unless everyone does.
            help_text = setting.help
            if len(declared) < every:
                help_text += f" ({', '.join(supplier for supplier, _ in declared)})"
        else:
            # The same flag means each supplier's own thing (a customer number has a different
            # shape at each): give every supplier's help, not just the first one's.
            help_text = " ".join(f"{supplier}: {s.help}" for supplier, s in declared)
        if any(s.secret for _, s in declared):
            help_text += " " + STDIN_HELP
        option = typer.Option(setting.cli_flag, help=help_text)
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[str | None, option],
            )
        )
    return params


def set_(
    supplier: Annotated[str, typer.Argument(help="Supplier: " + ", ".join(registry.keys()) + ".")],
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    api_type: Annotated[
        str | None, typer.Option(help="rest or xml (each supplier names its own).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: production).")
    ] = None,
    webhook_key: Annotated[
        str | None,
        typer.Option(help="Webhook signing key from the portal. " + STDIN_HELP),
    ] = None,
    webhook_label: Annotated[
        str | None, typer.Option(help="Which webhook the key belongs to (default: default).")
    ] = None,
    **declared: str | None,
) -> None:
    """Create or update a connection; options left out keep their saved values."""
    from disty.services import connections
    from disty.services.connections import ConnectionChanges

    def work_changes() -> ConnectionChanges:
        registration = registry.get(supplier)
        given = {name: value for name, value in declared.items() if value is not None}
        for name in given:  # an option another supplier declares: say so, save nothing
            registration.setting(name)
        secret_names = [s.name for s in registration.settings if s.secret and s.name in given]
        secrets = read_secrets(
            webhook_key=webhook_key, **{name: given[name] for name in secret_names}
        )
        values = {**given, **{name: secrets[name] for name in secret_names}}
        return ConnectionChanges(
            api_type=api_type,
            base_url=base_url,
            webhook_key=secrets["webhook_key"],
            webhook_label=webhook_label,
            values={k: v for k, v in values.items() if v is not None},
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
    unavailable = api_type_unavailable(view)
    if unavailable:
        err_console.print(f"note: {unavailable}", markup=False)


class _SetCommand:
    """``set_`` as Typer sees it: its fixed options plus one per declared setting, read from
    the registry each time the command line is built (Typer reads a command's signature then),
    so a supplier registered after this module was imported (a plug-in) is offered too."""

    __name__ = "set"
    __doc__ = set_.__doc__

    @property
    def __signature__(self) -> inspect.Signature:
        fixed = inspect.signature(set_, eval_str=True)
        params = [p for p in fixed.parameters.values() if p.kind is not p.VAR_KEYWORD]
        return fixed.replace(parameters=[*params, *_declared_options()])

    @property
    def __annotations__(self) -> dict[str, object]:  # type: ignore[override]
        params = self.__signature__.parameters.values()
        return {**{p.name: p.annotation for p in params}, "return": None}

    def __call__(self, **options: Any) -> None:
        set_(**options)


app.command("set")(_SetCommand())


def api_type_unavailable(view: ConnectionView) -> str | None:
    """Why the connection's API type cannot be used yet (None: it can)."""
    try:
        registry.get(view.supplier).factory(view.api_type)
    except ApiTypeNotAvailable as exc:
        return str(exc)
    return None


@app.command("show")
def show(
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    supplier: Annotated[str | None, typer.Argument(help="Only this supplier.")] = None,
    country: Annotated[int | None, typer.Option(help="Only this country id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Show a tenant's connections, secrets masked."""
    from disty.services import connections

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
            f"'disty supplier set {'|'.join(registry.keys())} --tenant {tenant} --country 1 ...'",
            markup=False,
        )
    for view in views:
        _print_view(view)


def _print_view(view: ConnectionView) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{view.supplier_name} · {view.tenant} · {view.country} ({view.country_id})",
        show_header=False,
    )
    table.add_column("setting", no_wrap=True)
    table.add_column("value", overflow="fold")
    declared = registry.get(view.supplier).settings
    rows = [
        ("API type", view.api_type_label),
        *((setting.label, view.setting(setting.name)) for setting in declared),
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
    typer.echo(f"webhook URL: {view.webhook_url}")


@app.command("test")
def run_test_command(
    supplier: Annotated[str, typer.Argument(help="Supplier: " + ", ".join(registry.keys()) + ".")],
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run Test: check each capability of the connection and say what to fix.

    Exit status 0 when every required check passed, 1 otherwise.
    """
    from rich.table import Table
    from rich.text import Text

    from disty.services.run_test import run_test

    async def work(rt: Runtime) -> RunTestReport:
        async with rt.sessions() as session:
            return await run_test(
                session,
                shortcut=tenant,
                supplier=supplier,
                country_id=country,
                suppliers=rt.suppliers,
            )

    report = run(work)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
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
