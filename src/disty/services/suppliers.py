"""From a stored connection to a ready adapter: decrypt, check completeness, build.

Every use case that calls a supplier starts here, with :class:`Suppliers` (what building an
adapter needs: the secret box, the shared hub and the operator's settings) and ends with a
:class:`SupplierContext` (the session, tenant, connection and adapter it works with). Which
supplier it is never matters here: its registration (suppliers/registry.py) says how to build
its adapter and what it can do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.crypto import SecretBox
from disty.db.models import SupplierConnection, Tenant
from disty.domain.connections import ApiType
from disty.errors import InvalidInput, NotFound
from disty.services.connections import connection_settings, get_connection, saved_names
from disty.services.tenants import get_tenant
from disty.suppliers import registry
from disty.suppliers.base import Capability, Supplier
from disty.suppliers.endpoints import check_base_url
from disty.suppliers.hub import SupplierHub
from disty.suppliers.registry import EVERY_CAPABILITY, Registration


@dataclass(frozen=True)
class Suppliers:
    """What every call to a supplier needs besides a session; one per process (Runtime)."""

    box: SecretBox
    hub: SupplierHub
    settings: Settings

    def adapter(
        self, connection: SupplierConnection, need: Capability = EVERY_CAPABILITY
    ) -> Supplier:
        """The adapter for a connection; refuses an API type without an adapter, settings
        still missing for ``need`` and a base URL secrets may not go to, clearly."""
        supplier = registry.get(connection.supplier)
        base_url = usable_base_url(connection, self.settings)
        factory = supplier.factory(ApiType(connection.api_type))
        missing = missing_settings(connection, need)
        if missing:
            shown = missing_settings(connection, need, console=True)
            raise InvalidInput(
                "the connection is not complete: save its " + ", ".join(missing) + " first",
                console=f"the {supplier.name} connection is not complete: an admin saves its "
                + ", ".join(shown)
                + " on its settings page first",
            )
        # The base URL as the rule reads it (trimmed), not as stored.
        plain = replace(connection_settings(connection, self.box), base_url=base_url)
        return factory(plain, self.hub, self.settings)

    async def context(
        self,
        session: AsyncSession,
        *,
        shortcut: str,
        supplier: str,
        country_id: int,
        need: Capability,
        what: str,
    ) -> SupplierContext:
        """The tenant's connection to one supplier in one country, ready to call; refuses
        clearly when that supplier cannot do ``what`` (capability ``need``) at all."""
        tenant = await get_tenant(session, shortcut)
        return await self.context_for(
            session, tenant=tenant, supplier=supplier, country_id=country_id, need=need, what=what
        )

    async def context_for(
        self,
        session: AsyncSession,
        *,
        tenant: Tenant,
        supplier: str,
        country_id: int,
        need: Capability = EVERY_CAPABILITY,
        what: str | None = None,
    ) -> SupplierContext:
        registration = registry.get(supplier)
        if what is not None and need not in registration.capabilities:
            raise _not_offered(registration.name, what)
        connection = await get_connection(session, tenant, supplier, country_id)
        adapter = self.adapter(connection, need)
        return SupplierContext(session, tenant, connection, registration, adapter)

    async def context_by_tenant_id(
        self, session: AsyncSession, *, tenant_id: int, supplier: str, country_id: int
    ) -> SupplierContext:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:  # pragma: no cover - foreign keys make this impossible
            raise NotFound("the tenant no longer exists")
        return await self.context_for(
            session, tenant=tenant, supplier=supplier, country_id=country_id
        )


@dataclass(frozen=True)
class SupplierContext:
    """One use case's view of one connection: where it runs, for whom, and what it calls."""

    session: AsyncSession
    tenant: Tenant
    connection: SupplierConnection
    registration: Registration
    adapter: Supplier


Part = TypeVar("Part")


def offered(part: Part | None, adapter: Supplier, what: str) -> Part:
    """An adapter's optional part (``adapter.quotes``, ``.invoices``...), or the refusal the
    capability check gives when the supplier has no such API."""
    if part is None:
        raise _not_offered(adapter.name, what)
    return part


def _not_offered(name: str, what: str) -> InvalidInput:
    return InvalidInput(f"{name} offers no {what} through its API", field="supplier")


def missing_settings(
    connection: SupplierConnection, need: Capability = EVERY_CAPABILITY, *, console: bool = False
) -> list[str]:
    """What must still be saved before the supplier can be called, as a person names it (in
    the CLI, or in the console)."""
    return registry.get(connection.supplier).missing(
        ApiType(connection.api_type), saved_names(connection), need, console=console
    )


def usable_base_url(connection: SupplierConnection, settings: Settings) -> str:
    """The connection's base URL if secrets may go there now, else InvalidInput saying what an
    admin must change. Checked on every use, not only when saved: a row saved before the rule,
    or edited in the database, must not send a secret to another host either."""
    try:
        return check_base_url(
            connection.base_url,
            supplier=connection.supplier,
            allow_custom=settings.allow_custom_supplier_urls,
        )
    except InvalidInput as exc:
        raise InvalidInput(
            f"the connection's saved base URL is not allowed, so nothing was sent: {exc} "
            "(an admin changes it in the connection's settings)",
            field="base_url",
        ) from None
