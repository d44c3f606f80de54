"""/api/v1/freight-estimate: what shipping these lines would cost (``read``: it orders
nothing)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from disty.domain.freight import FreightLine
from disty.services import freight
from disty.web.api.deps import DEFAULT_SUPPLIER, Reader, Rt, Session, SupplierName, context
from disty.web.api.pos import AddressIn
from disty.web.api.views import plain

router = APIRouter(tags=["freight"])


class FreightLineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=40, description="The supplier's part number.")
    quantity: int = Field(ge=1, le=1_000_000)
    warehouse_id: str | None = Field(None, max_length=20)


class FreightIn(BaseModel):
    country_id: int
    supplier: SupplierName = DEFAULT_SUPPLIER
    ship_to: AddressIn
    lines: list[FreightLineIn] = Field(min_length=1, max_length=500)


@router.post("/freight-estimate", summary="Estimate the freight of an order before placing it")
async def estimate(caller: Reader, rt: Rt, session: Session, body: FreightIn) -> dict[str, Any]:
    found = await freight.estimate(
        session, context(rt, caller), shortcut=caller.shortcut, country_id=body.country_id,
        supplier=body.supplier, ship_to=body.ship_to.address(),
        lines=[FreightLine(x.sku.strip().upper(), x.quantity, x.warehouse_id) for x in body.lines],
    )  # fmt: skip
    answer: dict[str, Any] = plain(found)
    return answer
