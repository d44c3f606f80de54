"""disty user add|list|link|reset-password|remove: people who sign in to the web console."""

from __future__ import annotations

import getpass
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime
    from disty.services.users import UserView

app = typer.Typer(help="Users of the web console.")

HoursOpt = Annotated[float, typer.Option(help="How long the link works.", min=0.05, max=72)]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The person's e-mail address (their sign-in).")],
    role: Annotated[str, typer.Option(help="admin, buyer, viewer, or operator (platform).")],
    tenant: Annotated[
        str | None, typer.Option(help="Tenant shortcut (every role but operator).")
    ] = None,
) -> None:
    """Add a user and print a one-time password, to be changed at first sign-in."""
    from disty.services import users

    async def work(rt: Runtime) -> str:
        async with rt.sessions() as session:
            _, password = await users.add_user(
                session, email=email, shortcut=tenant, role=role, actor=_actor()
            )
        return password

    password = run(work)
    console.print(f"added {email.strip().lower()} ({role}); one-time password:", markup=False)
    typer.echo(password)
    console.print("It must be changed at first sign-in.", markup=False)


@app.command("link")
def link(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    hours: HoursOpt = 1,
) -> None:
    """Print a one-use link that signs the user in (they then choose a password if they have
    none of their own yet). Send it to them over a channel you trust."""
    from disty.services import users

    async def work(rt: Runtime) -> str:
        async with rt.sessions() as session:
            token = await users.create_sign_in_link(session, email, timedelta(hours=hours))
        return f"{rt.settings.effective_public_url.rstrip('/')}/login/link?token={token}"

    url = run(work)
    console.print(f"one-use sign-in link for {email.strip().lower()}, valid {hours:g} h:",
                  markup=False)  # fmt: skip
    typer.echo(url)


@app.command("list")
def list_(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's users.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List the users: e-mail address, role, tenant, last sign-in."""
    from rich.table import Table
    from rich.text import Text

    from disty.services import users

    async def work(rt: Runtime) -> list[UserView]:
        async with rt.sessions() as session:
            return await users.list_users(session, tenant)

    found = run(work)
    if as_json:
        typer.echo(json.dumps([u.to_json() for u in found], indent=2, ensure_ascii=False))
        return
    if not found:
        console.print("no users yet: add one with 'disty user add EMAIL --role admin --tenant "
                      "SHORTCUT'", markup=False)  # fmt: skip
        return
    table = Table("e-mail address", "role", "tenant", "last sign-in", "password")
    for u in found:
        table.add_row(*(Text(v) for v in (
            u.email, u.role.value, u.tenant or "(platform)",
            f"{u.last_sign_in_at:%Y-%m-%d %H:%M} UTC" if u.last_sign_in_at else "never",
            "to be changed" if u.must_change_password else "chosen",
        )))  # fmt: skip
    console.print(table)


@app.command("reset-password")
def reset_password(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    hours: HoursOpt = 1,
) -> None:
    """Stop the user's password and sessions at once and print a one-use sign-in link with
    which they choose a new one. Send it to them over a channel you trust."""
    from disty.services import users

    async def work(rt: Runtime) -> str:
        async with rt.sessions() as session:
            token = await users.reset_password(
                session, email, actor=_actor(), lifetime=timedelta(hours=hours)
            )
        return f"{rt.settings.effective_public_url.rstrip('/')}/login/link?token={token}"

    url = run(work)
    console.print(f"the password of {email.strip().lower()} no longer works and its sessions "
                  f"ended; one-use link to choose a new one, valid {hours:g} h:",
                  markup=False, soft_wrap=True)  # fmt: skip
    typer.echo(url)


@app.command("remove")
def remove(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a user: they are signed out and cannot sign in again."""
    from disty.services import users

    if not yes:
        typer.confirm(f"Remove {email.strip().lower()}?", abort=True)

    async def work(rt: Runtime) -> None:
        async with rt.sessions() as session:
            await users.remove_user(session, email, actor=_actor())

    run(work)
    console.print(f"removed {email.strip().lower()}", markup=False)
