"""/api/v1/returns: return cases (``read``) and opening one (``order``, with an
``Idempotency-Key``: a retried request never opens a second case)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from disty.domain.returns import ReturnLineRequest, ReturnRequest
from disty.services import returns
from disty.web.api.deps import DEFAULT_SUPPLIER, Orderer, Reader, Rt, Session, SupplierName, context
from disty.web.api.idempotency import idempotent
from disty.web.api.pagination import Page, Paging
from disty.web.api.pos import AddressIn
from disty.web.api.views import CountryQ, SupplierQ, plain, supplier_page, supplier_window

router = APIRouter(prefix="/returns", tags=["returns"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Makes a retry safe."),
]


class ReturnLineIn(BaseModel):
    invoice_number: str = Field(min_length=1, max_length=40)
    sku: str = Field(min_length=1, max_length=40, description="The supplier's part number.")
    quantity: int = Field(ge=1, le=100_000)
    reason: str = Field(min_length=1, max_length=100)
    secondary_reason: str = Field("", max_length=100)
    serial_number: str | None = Field(None, max_length=100)
    notes: str | None = Field(None, max_length=500)


class ReturnIn(BaseModel):
    country_id: int
    supplier: SupplierName = DEFAULT_SUPPLIER
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    ship_from: AddressIn
    contact: str = Field(min_length=1, max_length=100)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    reference: str | None = Field(None, max_length=40)
    boxes: int = Field(1, ge=1, le=1000)


@router.get("", summary="Search return cases")
async def search(
    caller: Reader,
    rt: Rt,
    session: Session,
    paging: Paging,
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
    invoice_number: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[dict[str, Any]]:
    number, size = supplier_window(paging)
    found = await returns.search(
        session, context(rt, caller), shortcut=caller.shortcut, country_id=country_id,
        supplier=supplier, invoice_number=invoice_number, page=number, page_size=size,
    )  # fmt: skip
    return supplier_page(found, number, size)


@router.get("/{case_number}", summary="One return case: its products and status")
async def show(
    caller: Reader,
    rt: Rt,
    session: Session,
    case_number: Annotated[str, Path(min_length=1, max_length=40)],
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
) -> dict[str, Any]:
    found = await returns.details(
        session, context(rt, caller), shortcut=caller.shortcut, country_id=country_id,
        supplier=supplier, case_number=case_number,
    )  # fmt: skip
    answer: dict[str, Any] = plain(found)
    return answer


@router.post(
    "",
    status_code=201,
    summary="Open a return: one case per line",
    response_model=dict[str, Any],
)
async def create(
    caller: Orderer,
    rt: Rt,
    request: Request,
    body: ReturnIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    wanted = ReturnRequest(
        lines=tuple(ReturnLineRequest(**line.model_dump()) for line in body.lines),
        ship_from=body.ship_from.address(),
        contact=body.contact,
        email=body.email,
        reference=body.reference,
        boxes=body.boxes,
    )

    async def work() -> tuple[int, Any]:
        async with rt.sessions() as session:
            cases = await returns.create(
                session, context(rt, caller), shortcut=caller.shortcut,
                country_id=body.country_id, supplier=body.supplier, request=wanted,
            )  # fmt: skip
            return 201, {"cases": plain(cases)}

    return await idempotent(
        rt, caller, idempotency_key, method="POST", path=request.url.path,
        payload=body.model_dump(mode="json"), work=work,
    )  # fmt: skip
