"""/api/v1/suppliers: the distributors disty can connect to and what each needs and offers.

A client builds its connection form from this (the settings each supplier declares, which are
secret) instead of knowing any supplier: PUT /api/v1/connections/{supplier}/{country_id} takes
exactly these names."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from disty.suppliers import registry
from disty.suppliers.registry import Registration
from disty.web.api.deps import Reader

router = APIRouter(prefix="/suppliers", tags=["suppliers"])


class SettingOut(BaseModel):
    name: str
    label: str
    help: str
    secret: bool  # write-only: answers show it masked
    required: bool  # needed before any call
    api_types: list[str]  # the API types that use it (all when empty)


class SupplierOut(BaseModel):
    key: str
    name: str
    countries: list[int]
    api_types: dict[str, str]  # value -> the supplier's own label
    usable_api_types: list[str]  # those disty has an adapter for today
    capabilities: list[str]
    webhooks: bool
    settings: list[SettingOut]


def _out(supplier: Registration) -> SupplierOut:
    return SupplierOut(
        key=supplier.key,
        name=supplier.name,
        countries=list(supplier.countries),
        api_types={t.value: label for t, label in supplier.api_types.items()},
        usable_api_types=[t.value for t in supplier.adapters],
        capabilities=[c.name.lower() for c in supplier.capabilities if c.name],
        webhooks=supplier.webhooks is not None,
        settings=[
            SettingOut(
                name=s.name,
                label=s.label,
                help=s.help,
                secret=s.secret,
                required=s.required_for == registry.EVERY_CAPABILITY,
                api_types=sorted(t.value for t in s.api_types),
            )
            for s in supplier.settings
        ],
    )


@router.get("", summary="The suppliers disty connects to, their settings and capabilities")
async def list_(caller: Reader) -> list[SupplierOut]:
    return [_out(supplier) for supplier in registry.registrations()]
