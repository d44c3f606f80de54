"""/api/v1/prices and /api/v1/catalog: live price and availability, catalog search, details."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from disty.services import catalog
from disty.services.pricing import age_seconds, price_and_availability, supplier_name
from disty.web.api.deps import DEFAULT_SUPPLIER, CountryId, Reader, Rt, Session, SupplierName
from disty.web.api.inputs import ApiInput
from disty.web.api.pagination import Page, Paging

router = APIRouter(tags=["prices and catalog"])

CountryQ = Annotated[CountryId, Query(description="Country id: 1 = United States, 29 = Canada.")]
SupplierQ = Annotated[SupplierName, Query(description="The supplier.")]


class PricesIn(ApiInput):
    country_id: CountryId = Field(description="1 = United States, 29 = Canada.")
    skus: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=1000, description="Supplier or vendor part numbers."
    )


def _plain(value: Any) -> dict[str, Any]:
    data = dataclasses.asdict(value)
    data.pop("raw", None)
    return data


@router.post("/prices", summary="Live price and availability from every connected supplier")
async def prices(caller: Reader, rt: Rt, session: Session, body: PricesIn) -> list[dict[str, Any]]:
    offers = await price_and_availability(
        session, shortcut=caller.shortcut, country_id=body.country_id, skus=body.skus,
        suppliers=rt.suppliers,
    )  # fmt: skip
    now = datetime.now(UTC)
    return [
        # The supplier's name to show, and how old the offer is as it leaves.
        _plain(offer) | {"supplier_name": supplier_name(offer.supplier),
                         "age_s": age_seconds(offer, now)}
        for offer in offers
    ]  # fmt: skip


@router.get("/catalog", summary="Search a supplier's catalog")
async def search(
    caller: Reader,
    rt: Rt,
    session: Session,
    paging: Paging,
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
    keyword: Annotated[str | None, Query(max_length=200)] = None,
    vendor: Annotated[str | None, Query(max_length=200)] = None,
    vendor_part_number: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[dict[str, Any]]:
    # The supplier pages by number; the offset is rounded down to a page boundary.
    number = paging.offset // paging.limit + 1
    found = await catalog.search(
        session, shortcut=caller.shortcut, country_id=country_id, supplier=supplier,
        suppliers=rt.suppliers, keyword=keyword, vendor=vendor,
        vendor_part_number=vendor_part_number, page=number, page_size=paging.limit,
    )  # fmt: skip
    offset = (number - 1) * paging.limit
    more = offset + len(found.items) < found.total and len(found.items) == paging.limit
    return Page[dict[str, Any]](
        items=[_plain(item) for item in found.items],
        limit=paging.limit,
        offset=offset,
        next_offset=offset + paging.limit if more else None,
    )


@router.get("/catalog/{sku}", summary="One product's details")
async def details(
    caller: Reader,
    rt: Rt,
    session: Session,
    sku: str,
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
) -> dict[str, Any]:
    item = await catalog.details(
        session, shortcut=caller.shortcut, country_id=country_id, supplier=supplier, sku=sku,
        suppliers=rt.suppliers,
    )  # fmt: skip
    return _plain(item)
