"""disty db upgrade|status"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime

app = typer.Typer(help="The database schema.")


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration (disty also does this whenever it starts)."""
    from disty.db import migrate

    async def work(rt: Runtime) -> str | None:
        await migrate.upgrade(rt.engine)
        return await migrate.current_revision(rt.engine)

    revision = run(work, apply_migrations=False)
    console.print(f"database is at revision {revision} (the latest)", markup=False)


@app.command("status")
def status() -> None:
    """Show the database, its revision and whether migrations are pending."""
    from disty.db import migrate
    from disty.db.engine import describe

    async def work(rt: Runtime) -> tuple[str, str | None]:
        return describe(rt.settings.resolved_database_url), await migrate.current_revision(
            rt.engine
        )

    where, revision = run(work, apply_migrations=False)
    head = migrate.head_revision()
    state = "current" if revision == head else f"behind: run 'disty db upgrade' to reach {head}"
    console.print(f"{where}\nrevision {revision or 'none'} ({state})", markup=False)
