"""disty webhook url"""

from __future__ import annotations

from typing import Annotated

import click
import typer

from disty.cli._common import run
from disty.domain.connections import webhook_url
from disty.domain.countries import country_site
from disty.runtime import Runtime
from disty.services.tenants import get_tenant

app = typer.Typer(help="Webhooks from distributors.")


@app.command("url")
def url(
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
) -> None:
    """Print only the Destination URL to paste into the distributor's portal."""

    async def work(rt: Runtime) -> str:
        site = country_site(country)
        async with rt.sessions() as session:
            found = await get_tenant(session, tenant)
        if site.id not in found.country_ids:
            from disty.errors import InvalidInput

            raise InvalidInput(
                f"tenant {tenant!r} is not served in {site.name}: add it with "
                f"'disty tenant set {tenant} --add-country {site.id}'"
            )
        return webhook_url(rt.settings.effective_public_url, found.shortcut, site.id)

    # click.echo, not rich: the URL must come out whole, never wrapped, for copying and scripts.
    click.echo(run(work))
