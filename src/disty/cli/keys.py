"""disty keys rotate|generate"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime

app = typer.Typer(help="The keys that encrypt stored secrets (DISTY_SECRET_KEYS).")


@app.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored secret under the first key of DISTY_SECRET_KEYS."""
    from disty.services.keys import rotate_secrets

    async def work(rt: Runtime) -> int:
        async with rt.sessions() as session:
            return await rotate_secrets(session, rt.box)

    count = run(work)
    console.print(
        f"re-encrypted {count} secret(s) under the current key; older keys can now be removed "
        "from DISTY_SECRET_KEYS",
        markup=False,
    )


@app.command("generate")
def generate() -> None:
    """Print a new Fernet key, to put first in DISTY_SECRET_KEYS."""
    from disty.crypto import generate_key

    typer.echo(generate_key())
