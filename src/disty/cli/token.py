"""disty token create|list|revoke: API tokens of a tenant, for the JSON API."""

from __future__ import annotations

import dataclasses
import getpass
import json
from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime
    from disty.services.tokens import TokenView

app = typer.Typer(help="API tokens for the JSON API (/api/v1).")

TenantOpt = Annotated[str, typer.Option(help="Tenant shortcut.")]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _json(view: TokenView) -> dict[str, object]:
    data = dataclasses.asdict(view)
    for name in ("created_at", "last_used_at", "revoked_at"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


@app.command("create")
def create(
    tenant: TenantOpt,
    scope: Annotated[list[str], typer.Option(help="read, order or admin; repeat for several.")],
    name: Annotated[str | None, typer.Option(help="A name to tell tokens apart.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a token and print it once: it is stored only as a hash."""
    from disty.services import tokens

    async def work(rt: Runtime) -> tuple[TokenView, str]:
        async with rt.sessions() as session:
            return await tokens.create_token(
                session, shortcut=tenant, scopes=scope, name=name, actor=_actor()
            )

    view, token = run(work)
    if as_json:
        typer.echo(json.dumps({**_json(view), "token": token}, indent=2))
        return
    console.print(
        f"token {view.name} (#{view.id}) for {tenant}, scopes {', '.join(view.scopes)}:",
        markup=False,
    )
    typer.echo(token)  # whole, unwrapped, for copying
    console.print("It is shown only now: store it in your tool's secret settings.", markup=False)


@app.command("list")
def list_(
    tenant: TenantOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """The tenant's tokens (never the tokens themselves)."""
    from rich.table import Table

    from disty.services import tokens

    async def work(rt: Runtime) -> list[TokenView]:
        async with rt.sessions() as session:
            return await tokens.list_tokens(session, shortcut=tenant)

    views = run(work)
    if as_json:
        typer.echo(json.dumps([_json(v) for v in views], indent=2))
        return
    table = Table("id", "name", "starts with", "scopes", "created", "last used", "revoked")
    for v in views:
        table.add_row(
            str(v.id), v.name, v.prefix + "…", ", ".join(v.scopes), f"{v.created_at:%Y-%m-%d}",
            f"{v.last_used_at:%Y-%m-%d %H:%M}" if v.last_used_at else "",
            f"{v.revoked_at:%Y-%m-%d %H:%M}" if v.revoked_at else "",
        )  # fmt: skip
    console.print(table)


@app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (disty token list).")],
    tenant: TenantOpt,
) -> None:
    """Revoke a token: it stops working at once."""
    from disty.services import tokens

    async def work(rt: Runtime) -> TokenView:
        async with rt.sessions() as session:
            return await tokens.revoke_token(
                session, shortcut=tenant, token_id=token_id, actor=_actor()
            )

    view = run(work)
    console.print(f"token {view.name} (#{view.id}) revoked", markup=False)
