"""A tenant as the CLI, the API and the console show it.

Its own module so that what only looks a tenant up (services.tenants.get_tenant, on the path of
``disty order show`` and most services) does not build these pydantic models (~5 ms at start-up).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel

from disty.db.models import Tenant
from disty.domain.countries import country_site


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
