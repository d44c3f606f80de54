"""Which supplier a console page asks, chosen by what it can do rather than by name.

Among the suppliers that can do what the page needs in the country, the tenant's connected
ones come first; of several, the first in registry order is chosen (one supplier per page
until sourcing across suppliers arrives, issue 23). With none connected the first capable
one is answered anyway, so the caller says which connection to set up, as it always has.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import SupplierConnection
from disty.domain.countries import country_site
from disty.errors import NotFound
from disty.services.tenants import get_tenant
from disty.suppliers import registry
from disty.suppliers.base import Capability


async def supplier_for(
    session: AsyncSession, *, shortcut: str, country_id: int, need: Capability, what: str
) -> str:
    """The key of the supplier to ask for ``what`` (capability ``need``) in the country."""
    able = [
        r.key
        for r in registry.registrations()
        if need in r.capabilities and country_id in r.countries
    ]
    if not able:
        raise NotFound(f"no supplier disty knows offers {what} in {country_site(country_id).name}")
    tenant = await get_tenant(session, shortcut)
    connected = set(
        await session.scalars(
            select(SupplierConnection.supplier).where(
                SupplierConnection.tenant_id == tenant.id,
                SupplierConnection.country_id == country_id,
            )
        )
    )
    return next((key for key in able if key in connected), able[0])
