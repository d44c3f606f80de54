"""Tenants: add, change, list, look up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import Tenant, TenantCountry
from disty.domain.countries import country_site
from disty.domain.tenants import validate_name, validate_shortcut
from disty.errors import InvalidInput, NotFound


class CountryView(BaseModel):
    id: int
    iso: str
    name: str
    currency: str


class TenantView(BaseModel):
    shortcut: str
    name: str
    countries: list[CountryView]
    supplier_preference: list[str] = []  # suppliers' keys, most preferred first
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, tenant: Tenant) -> TenantView:
        countries = [CountryView(**asdict(country_site(cid))) for cid in tenant.country_ids]
        return cls(
            shortcut=tenant.shortcut,
            name=tenant.name,
            countries=countries,
            supplier_preference=list(tenant.supplier_preference or []),
            created_at=tenant.created_at,
            updated_at=tenant.updated_at,
        )

    @property
    def country_ids(self) -> list[int]:
        return [country.id for country in self.countries]


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
    return TenantView.of(await get_tenant(session, shortcut))


async def add_tenant(
    session: AsyncSession, shortcut: str, countries: Iterable[int], name: str | None = None
) -> TenantView:
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
    tenants = await session.scalars(select(Tenant).order_by(Tenant.shortcut))
    return [TenantView.of(tenant) for tenant in tenants]
