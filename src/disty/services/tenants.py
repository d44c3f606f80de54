"""Tenants: add, change, list, look up.

What these return to show (TenantView) lives in services.tenant_views, imported by the functions
that build one: looking a tenant up (get_tenant) is on the path of most commands, which need no
view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import Tenant, TenantCountry
from disty.domain.countries import country_site
from disty.domain.tenants import validate_name, validate_shortcut
from disty.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from disty.services.tenant_views import TenantView


def _country_ids(values: Iterable[int]) -> list[int]:
    ids = sorted(set(values))
    for country_id in ids:
        country_site(country_id)  # refuses unknown ids with the list of known ones
    return ids


async def get_tenant(session: AsyncSession, shortcut: str) -> Tenant:
    tenant = await session.scalar(select(Tenant).where(Tenant.shortcut == shortcut))
    if tenant is None:
        raise NotFound(f"no tenant {shortcut!r}: list them with 'disty tenant list'")
    return tenant


async def tenant_view(session: AsyncSession, shortcut: str) -> TenantView:
    from disty.services.tenant_views import TenantView

    return TenantView.of(await get_tenant(session, shortcut))


async def add_tenant(
    session: AsyncSession, shortcut: str, countries: Iterable[int], name: str | None = None
) -> TenantView:
    from disty.services.tenant_views import TenantView

    shortcut = validate_shortcut(shortcut)
    ids = _country_ids(countries)
    if not ids:
        raise InvalidInput(
            "a tenant needs at least one country: 1 (United States) and/or 29 (Canada)",
            field="countries",
        )
    tenant = Tenant(
        shortcut=shortcut,
        name=validate_name(name if name is not None else shortcut),
        countries=[TenantCountry(country_id=cid) for cid in ids],
    )
    session.add(tenant)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise InvalidInput(
            f"tenant {shortcut!r} exists already: change it with 'disty tenant set {shortcut}'",
            field="shortcut",
            console=f"tenant {shortcut!r} exists already: choose another shortcut",
        ) from None
    return TenantView.of(tenant)


async def update_tenant(
    session: AsyncSession,
    shortcut: str,
    *,
    name: str | None = None,
    add_countries: Iterable[int] = (),
    prefer: Sequence[str] | None = None,
    actor: str = "cli",
) -> TenantView:
    """Change a tenant; ``prefer`` replaces its supplier preference (empty: none). Callers
    check that the actor is the tenant's admin (or the operator: the CLI)."""
    from disty.services.tenant_views import TenantView

    tenant = await get_tenant(session, shortcut)
    if name is not None:
        tenant.name = validate_name(name)
    if prefer is not None:
        tenant.supplier_preference = supplier_preference(prefer)
        # Imported here: the audit log's model need not be mapped by every command that only
        # reads a tenant (disty tenant list, order show).
        from disty.services import audit

        audit.record(
            session, tenant_id=tenant.id, actor=actor, action="tenant.supplier_preference",
            target=tenant.shortcut, details={"prefer": tenant.supplier_preference},
        )  # fmt: skip
    for country_id in _country_ids(add_countries):
        if country_id not in tenant.country_ids:
            tenant.countries.append(TenantCountry(country_id=country_id))
    await session.commit()
    await session.refresh(tenant)
    return TenantView.of(tenant)


MAX_PREFERENCE = 10


def supplier_preference(keys: Sequence[str]) -> list[str]:
    """Suppliers' keys in order, each a registered supplier and named once."""
    from disty.suppliers import registry  # here: listing tenants needs no supplier loaded

    wanted = [key.strip().lower() for key in keys if key.strip()]
    known = registry.keys()
    unknown = [key for key in wanted if key not in known]
    if unknown:
        raise InvalidInput(
            f"unknown supplier {unknown[0][:40]!r} in the preference: use " + ", ".join(known),
            field="supplier_preference",
        )
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("the preference names a supplier twice", field="supplier_preference")
    if len(wanted) > MAX_PREFERENCE:
        raise InvalidInput(
            f"prefer at most {MAX_PREFERENCE} suppliers", field="supplier_preference"
        )
    return wanted


async def list_tenants(session: AsyncSession) -> list[TenantView]:
    from disty.services.tenant_views import TenantView

    tenants = await session.scalars(select(Tenant).order_by(Tenant.shortcut))
    return [TenantView.of(tenant) for tenant in tenants]
