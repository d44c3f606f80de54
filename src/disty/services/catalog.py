"""Catalog search and product details, through one supplier connection of the tenant."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from disty.domain.offers import CatalogItem, CatalogPage
from disty.services.suppliers import Suppliers
from disty.suppliers.base import Capability


async def search(
    session: AsyncSession,
    *,
    shortcut: str,
    country_id: int,
    supplier: str,
    suppliers: Suppliers,
    keyword: str | None = None,
    vendor: str | None = None,
    vendor_part_number: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> CatalogPage:
    context = await suppliers.context(
        session, shortcut=shortcut, supplier=supplier, country_id=country_id,
        need=Capability.CATALOG_SEARCH, what="catalog search",
    )  # fmt: skip
    return await context.adapter.search_catalog(
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
    suppliers: Suppliers,
) -> CatalogItem:
    context = await suppliers.context(
        session, shortcut=shortcut, supplier=supplier, country_id=country_id,
        need=Capability.CATALOG_SEARCH, what="product details",
    )  # fmt: skip
    return await context.adapter.product_details(sku)
