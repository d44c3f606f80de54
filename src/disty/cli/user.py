"""disty user add: people who sign in to the web console."""

from __future__ import annotations

import getpass
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime

app = typer.Typer(help="Users of the web console.")


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
                session, email=email, shortcut=tenant, role=role, actor=f"cli:{getpass.getuser()}"
            )
        return password

    password = run(work)
    console.print(f"added {email.strip().lower()} ({role}); one-time password:", markup=False)
    typer.echo(password)
    console.print("It must be changed at first sign-in.", markup=False)


@app.command("link")
def link(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    hours: Annotated[float, typer.Option(help="How long the link works.", min=0.05, max=72)] = 1,
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
