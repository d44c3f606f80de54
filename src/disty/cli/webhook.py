"""disty webhook url"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import run
from disty.domain.countries import country_site
from disty.errors import InvalidInput
from disty.suppliers import registry

if TYPE_CHECKING:
    from disty.runtime import Runtime

app = typer.Typer(help="Webhooks from distributors.")


def _supplier(given: str | None) -> str:
    """The supplier named, or the only one that sends webhooks."""
    if given is not None:
        return registry.get(given).key
    senders = [r.key for r in registry.with_webhooks()]
    if len(senders) != 1:
        raise InvalidInput(f"name the supplier with --supplier: {', '.join(senders)}")
    return senders[0]


@app.command("url")
def url(
    tenant: Annotated[str, typer.Option(help="Tenant shortcut.")],
    country: Annotated[int, typer.Option(help="Country id: 1 = United States, 29 = Canada.")],
    supplier: Annotated[
        str | None,
        typer.Option(help="Supplier (only needed when several send webhooks)."),
    ] = None,
) -> None:
    """Print only the Destination URL to paste into the distributor's portal."""
    from disty.services.connections import webhook_url
    from disty.services.tenants import get_tenant

    async def work(rt: Runtime) -> str:
        site = country_site(country)
        key = _supplier(supplier)
        async with rt.sessions() as session:
            found = await get_tenant(session, tenant)
        if site.id not in found.country_ids:
            raise InvalidInput(
                f"tenant {tenant!r} is not served in {site.name}: add it with "
                f"'disty tenant set {tenant} --add-country {site.id}'"
            )
        address = webhook_url(rt.settings.effective_public_url, key, found.shortcut, site.id)
        if address is None:
            raise InvalidInput(f"{registry.get(key).name} sends no webhooks")
        return address

    # typer.echo, not rich: the URL must come out whole, never wrapped, for copying and scripts.
    typer.echo(run(work))
