"""/api/v1/sourcing: a list of parts priced at every connected supplier, each line's best
source with its reason (``read``, as /prices); and /api/v1/sourcing/orders: the confirmed
choices placed as one PO per supplier under one requisition (``order``, as /pos, with an
``Idempotency-Key``; the PO numbers make a repeat place nothing twice even without one).
/api/v1/requisitions/{number} reads a requisition and its POs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from disty.domain.sourcing import SourcingRequest, WantedLine
from disty.errors import InvalidInput
from disty.services import sourcing
from disty.services.sourcing_views import result_json
from disty.web.api.deps import CountryId, Orderer, Reader, Rt, Session, SupplierName, context
from disty.web.api.idempotency import idempotent
from disty.web.api.inputs import ApiInput
from disty.web.api.pos import ShipToIn

router = APIRouter(tags=["sourcing"])

Part = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\s*\S.*$")]


class WantedIn(ApiInput):
    part: Part = Field(description="A manufacturer part number or a supplier's SKU.")
    quantity: int = Field(ge=1, le=99_999)


class SourcingIn(ApiInput):
    country_id: CountryId = Field(description="1 = United States, 29 = Canada.")
    lines: list[WantedIn] = Field(min_length=1, max_length=500)
    split: bool = Field(False, description="Split a line no one can fill whole.")
    prefer: list[SupplierName] = Field(
        default_factory=list, max_length=10,
        description="Suppliers' keys, most preferred first (default: the tenant's preference).",
    )  # fmt: skip
    near: str | None = Field(
        None, max_length=80,
        description="Prefer stock in a warehouse in this state or province, e.g. CA or US-CA.",
    )  # fmt: skip
    near_ship_to: bool = Field(False, description="Prefer stock in the ship-to's state.")
    freight: bool = Field(False, description="Add each supplier's freight estimate (ship_to).")
    ship_to: ShipToIn | None = Field(None, description="Where the goods go (for freight).")


class ChoiceIn(ApiInput):
    line_number: int = Field(ge=1, le=100_000)
    part: str = Field(min_length=1, max_length=64)
    supplier: SupplierName
    supplier_sku: str = Field(min_length=1, max_length=40)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=4, description="The expected price."
    )


class SourcingOrdersIn(ApiInput):
    country_id: CountryId
    choices: list[ChoiceIn] = Field(min_length=1, max_length=500)
    po_prefix: str = Field(
        min_length=1, max_length=16, description="The requisition's number; POs are PREFIX-N."
    )
    ship_to: ShipToIn
    notes: str | None = Field(None, max_length=500)


@router.post("/sourcing", summary="Each line's offers at every supplier, the choice and why")
async def source(caller: Reader, rt: Rt, session: Session, body: SourcingIn) -> dict[str, Any]:
    ship_to = body.ship_to.address() if body.ship_to else None
    if (body.freight or body.near_ship_to) and ship_to is None:
        raise InvalidInput("freight and near_ship_to need a ship_to", field="ship_to")
    if body.near_ship_to and ship_to is not None and not ship_to.state.strip():
        raise InvalidInput("near_ship_to: the ship_to names no state", field="ship_to")
    request = SourcingRequest(
        tuple(WantedLine(n, x.part.strip(), x.quantity) for n, x in enumerate(body.lines, 1)),
        body.split,
        tuple(body.prefer),
        near=ship_to.state if body.near_ship_to and ship_to else body.near,
        freight=body.freight,
    )
    result = await sourcing.source(
        session, shortcut=caller.shortcut, country_id=body.country_id, request=request,
        suppliers=rt.suppliers, ship_to=ship_to,
    )  # fmt: skip
    return result_json(result)


@router.post(
    "/sourcing/orders",
    summary="Place the chosen lines as one PO per supplier, each at most once",
    response_model=dict[str, Any],
    responses={409: {"description": "the requisition exists with other lines or ship-to"}},
)
async def order(
    caller: Orderer,
    rt: Rt,
    request: Request,
    body: SourcingOrdersIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        async with rt.sessions() as session:
            placed = await sourcing.place(
                session, context(rt, caller), shortcut=caller.shortcut,
                country_id=body.country_id,
                choices=[sourcing.LineChoice(c.line_number, c.part, c.supplier, c.supplier_sku,
                                             c.quantity, c.unit_price) for c in body.choices],
                po_prefix=body.po_prefix, ship_to=body.ship_to.address(), notes=body.notes,
            )  # fmt: skip
            return 200, placed.to_json()

    return await idempotent(
        rt, caller, idempotency_key, method="POST", path=request.url.path,
        payload=body.model_dump(mode="json"), work=work,
    )  # fmt: skip


@router.get("/requisitions/{number}", summary="A requisition and its POs")
async def show(
    caller: Reader,
    session: Session,
    number: Annotated[str, Path(max_length=18, description="Its number: the PO prefix.")],
) -> dict[str, Any]:
    found = await sourcing.requisition(session, shortcut=caller.shortcut, number=number)
    return found.to_json()
