"""/api/v1/quotes: a supplier's quotes (``read``), and ordering one (``order``, with an
``Idempotency-Key``): validated by the supplier, then placed as a PO at the quote's prices.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from disty.errors import NotFound
from disty.services import ordering, quotes
from disty.services.po_views import po_json
from disty.web.api.deps import DEFAULT_SUPPLIER, Orderer, Reader, Rt, Session, SupplierName, context
from disty.web.api.idempotency import idempotent
from disty.web.api.pagination import Page, Paging
from disty.web.api.pos import AddressIn
from disty.web.api.views import CountryQ, SupplierQ, plain, supplier_page, supplier_window

router = APIRouter(prefix="/quotes", tags=["quotes"])

QuoteNumber = Annotated[str, Path(min_length=1, max_length=40, description="The quote number.")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Makes a retry safe."),
]


class QuoteOrderIn(BaseModel):
    po_number: str = Field(min_length=1, max_length=18)
    country_id: int
    supplier: SupplierName = DEFAULT_SUPPLIER
    ship_to: AddressIn
    notes: str | None = Field(None, max_length=500)


@router.get("", summary="Search the supplier's quotes")
async def search(
    caller: Reader,
    rt: Rt,
    session: Session,
    paging: Paging,
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
    quote_number: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[dict[str, Any]]:
    number, size = supplier_window(paging)
    found = await quotes.search(
        session, context(rt, caller), shortcut=caller.shortcut, country_id=country_id,
        supplier=supplier, quote_number=quote_number, status=status, page=number,
        page_size=size,
    )  # fmt: skip
    return supplier_page(found, number, size)


@router.get("/{quote_number}", summary="One quote: its lines and their agreed prices")
async def show(
    caller: Reader,
    rt: Rt,
    session: Session,
    quote_number: QuoteNumber,
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
) -> dict[str, Any]:
    quote = await quotes.details(
        session, context(rt, caller), shortcut=caller.shortcut, country_id=country_id,
        supplier=supplier, quote_number=quote_number,
    )  # fmt: skip
    answer: dict[str, Any] = plain(quote)
    return answer


@router.post(
    "/{quote_number}/order",
    status_code=201,
    summary="Order a quote: validated by the supplier, then a PO at the quote's prices",
    response_model=dict[str, Any],
)
async def order(
    caller: Orderer,
    rt: Rt,
    request: Request,
    quote_number: QuoteNumber,
    body: QuoteOrderIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        async with rt.sessions() as session:
            try:
                await ordering.find_po(
                    session, shortcut=caller.shortcut, po_number=body.po_number,
                    supplier=body.supplier,
                )  # fmt: skip
                existed = True  # answered as it is (200), placing nothing
            except NotFound:
                existed = False
            po = await quotes.quote_to_po(
                session, context(rt, caller), caller.shortcut, body.country_id, body.supplier,
                quote_number, body.po_number, body.ship_to.address(),
                notes=body.notes,
            )  # fmt: skip
            return (200 if existed else 201), po_json(po)

    return await idempotent(
        rt, caller, idempotency_key, method="POST", path=request.url.path,
        payload=body.model_dump(mode="json"), work=work,
    )  # fmt: skip
