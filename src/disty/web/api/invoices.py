"""/api/v1/invoices: a PO's invoices, one invoice by number, or the supplier's invoice search
(``read``). A PO number that is not the caller's tenant's answers 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from disty.errors import InvalidInput
from disty.services import invoices
from disty.web.api.deps import DEFAULT_SUPPLIER, Reader, Rt, Session, context
from disty.web.api.pagination import Page, Paging
from disty.web.api.views import CountryQ, SupplierQ, plain, supplier_page, supplier_window

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get(
    "",
    summary="A PO's invoices (po_number), or the supplier's invoice search (country_id)",
)
async def list_(
    caller: Reader,
    rt: Rt,
    session: Session,
    paging: Paging,
    po_number: Annotated[str | None, Query(max_length=18)] = None,
    country_id: Annotated[int | None, Query(description="1 = United States, 29 = Canada.")] = None,
    supplier: Annotated[str | None, Query(max_length=32)] = None,
    invoice_number: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[dict[str, Any]]:
    ctx = context(rt, caller)
    if po_number is not None:
        # The PO's own invoices, in full: what the PO's lines were billed at.
        found, total = await invoices.for_po(
            session, ctx, shortcut=caller.shortcut, po_number=po_number, supplier=supplier,
            country_id=country_id, offset=paging.offset, limit=paging.limit,
        )  # fmt: skip
        more = paging.offset + len(found) < total
        return Page[dict[str, Any]](
            items=[plain(x) for x in found],
            limit=paging.limit,
            offset=paging.offset,
            next_offset=paging.offset + paging.limit if more else None,
        )
    if country_id is None:
        raise InvalidInput(
            "name a PO (po_number) or the country to search (country_id)", field="country_id"
        )
    number, size = supplier_window(paging)
    page = await invoices.search(
        session, ctx, shortcut=caller.shortcut, country_id=country_id,
        supplier=supplier or DEFAULT_SUPPLIER, invoice_number=invoice_number, page=number,
        page_size=size,
    )  # fmt: skip
    return supplier_page(page, number, size)


@router.get("/{invoice_number}", summary="One invoice: lines, amounts, serial numbers")
async def show(
    caller: Reader,
    rt: Rt,
    session: Session,
    invoice_number: Annotated[str, Path(min_length=1, max_length=40)],
    country_id: CountryQ,
    supplier: SupplierQ = DEFAULT_SUPPLIER,
) -> dict[str, Any]:
    found = await invoices.details(
        session, context(rt, caller), shortcut=caller.shortcut, country_id=country_id,
        supplier=supplier, invoice_number=invoice_number,
    )  # fmt: skip
    answer: dict[str, Any] = plain(found)
    return answer
