"""Catalog search and product details, through one supplier connection of the tenant."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.config import Settings
from disty.crypto import SecretBox
from disty.domain.offers import CatalogItem, CatalogPage
from disty.services.connections import get_connection
from disty.services.suppliers import adapter_for
from disty.services.tenants import get_tenant
from disty.suppliers.hub import SupplierHub


async def search(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    box: SecretBox,
    hub: SupplierHub,
    settings: Settings,
    keyword: str | None = None,
    vendor: str | None = None,
    vendor_part_number: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> CatalogPage:
    tenant = await get_tenant(session, shortcut)
    connection = await get_connection(session, tenant, supplier, country_id)
    adapter = adapter_for(connection, box=box, hub=hub, settings=settings)
    return await adapter.search_catalog(
        keyword, vendor=vendor, vendor_part_number=vendor_part_number, page=page,
        page_size=page_size,
    )  # fmt: skip


async def details(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    sku: str,
    box: SecretBox,
    hub: SupplierHub,
    settings: Settings,
) -> CatalogItem:
    tenant = await get_tenant(session, shortcut)
    connection = await get_connection(session, tenant, supplier, country_id)
    adapter = adapter_for(connection, box=box, hub=hub, settings=settings)
    return await adapter.product_details(sku)
