"""Quotes (search, open, turn into a PO), invoices per PO, returns (list, open one).

These live at the distributor: each page asks it through the tenant's connection for one
country (``?country=``, the tenant's first by default). A distributor that is down, slow or
limiting is said on the page with the API's status, never shown as a server error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from disty.domain.countries import country_site
from disty.domain.orders import Address
from disty.domain.paging import SupplierPage
from disty.errors import DistyError, InvalidInput, NotFound
from disty.services import invoice_list as invoice_list_service
from disty.services import invoices, ordering, quotes, returns, tenants
from disty.services.invoice_list import InvoiceFilter
from disty.services.supplier_choice import supplier_for
from disty.services.users import ConsoleUser, Role
from disty.suppliers import registry
from disty.suppliers.base import Capability
from disty.web.ui import csv_export, lists, render
from disty.web.ui import session as web
from disty.web.ui.orders import context, failure, po_url
from disty.web.ui.render import signed_in
from disty.web.ui.session import PageNotFound

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
# A CSV export of a distributor's list reads its pages of this size, up to this many rows.
EXPORT_PAGE = 100
EXPORT_MAX = 2_000


async def _country(request: Request, shortcut: str) -> int:
    """The country asked for, when it is one of the tenant's; else the tenant's first."""
    async with render.rt(request).sessions() as session:
        try:
            tenant = await tenants.get_tenant(session, shortcut)
        except NotFound:
            raise PageNotFound from None
        ids = tenant.country_ids
    asked = request.query_params.get("country", "")
    return int(asked) if asked.isdigit() and int(asked) in ids else ids[0]


def _page_number(request: Request) -> int:
    asked = request.query_params.get("page", "")
    return max(1, min(int(asked), 10_000)) if asked.isdigit() else 1


async def _viewer(request: Request, shortcut: str) -> tuple[ConsoleUser, int]:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    return user, await _country(request, shortcut)


async def _supplier(
    request: Request, shortcut: str, country_id: int, need: Capability, what: str
) -> str:
    """The supplier a page asks: the tenant's connected one that can (services/
    supplier_choice.py); NotFound, said on the page, when no supplier can."""
    async with render.rt(request).sessions() as session:
        return await supplier_for(
            session, shortcut=shortcut, country_id=country_id, need=need, what=what
        )


def _shown(
    request: Request,
    name: str,
    user: ConsoleUser,
    shortcut: str,
    country_id: int,
    supplier: str | None,
    **kw: Any,
) -> HTMLResponse:
    """A documents page; an ``error`` in ``kw`` sets its status (see orders.failure)."""
    status = kw.pop("status", 200)
    shown = registry.get(supplier) if supplier else None
    return render.page(
        request, name, user, status, shortcut=shortcut, country=country_site(country_id),
        supplier_name=shown.name if shown else "the supplier",
        quote_order_api=shown.quote_order_api if shown else None, **kw,
    )  # fmt: skip


# -- quotes ------------------------------------------------------------------------------------


@router.get("/t/{shortcut}/quotes", response_class=HTMLResponse)
async def quote_list(request: Request, shortcut: str) -> HTMLResponse:
    """The distributor's quotes, its own pages and filters (quote number, status as it names
    them) passed through: the list lives there."""
    user, country_id = await _viewer(request, shortcut)
    number = _page_number(request)
    kept = lists.kept(request, "q", "status")
    found, error, status, supplier = None, None, 200, None
    try:
        supplier = await _supplier(request, shortcut, country_id, Capability.QUOTES, "quotes")
        async with render.rt(request).sessions() as session:
            found = await quotes.search(
                session, context(request, user), shortcut=shortcut, country_id=country_id,
                supplier=supplier, quote_number=kept["q"] or None,
                status=kept["status"] or None, page=number, page_size=PAGE_SIZE,
            )  # fmt: skip
    except DistyError as exc:
        error, status = failure(exc)
    return _shown(
        request, "quotes.html", user, shortcut, country_id, supplier, status=status,
        q=kept["q"], filters=kept, found=found, error=error,
        **_pager(f"/t/{shortcut}/quotes", kept, country_id, number, _pages(found)),
    )  # fmt: skip


def _pager(
    base: str, kept: dict[str, str], country_id: int, number: int, pages: int
) -> dict[str, Any]:
    """A distributor list's links: previous and next of its numbered pages, and the export."""
    given = {**kept, "country": str(country_id)}
    return {
        "page_number": number,
        "pages": pages,
        "prev_url": lists.link(base, given, page=str(number - 1)) if number > 1 else None,
        "next_url": lists.link(base, given, page=str(number + 1)) if number < pages else None,
        "export_url": lists.link(base + ".csv", given),
        "export_note": f"at most {EXPORT_MAX:,} rows",
    }


async def _walk(
    request: Request, search: Callable[..., Awaitable[SupplierPage[Any]]], **kw: Any
) -> AsyncIterator[Any]:
    """Every row of a distributor's search, page after page of its largest size, at most
    ``EXPORT_MAX`` rows (each page is a call to the distributor, under its rate limits)."""
    rt = render.rt(request)
    page, seen = 1, 0
    while seen < EXPORT_MAX:
        async with rt.sessions() as session:
            found = await search(session, page=page, page_size=EXPORT_PAGE, **kw)
        for item in found.items[: EXPORT_MAX - seen]:
            yield item
        seen += len(found.items)
        if len(found.items) < EXPORT_PAGE or seen >= found.total:
            return
        page += 1


async def _export_of(
    request: Request, shortcut: str, need: Capability, what: str
) -> tuple[ConsoleUser, int, str]:
    user, country_id = await _viewer(request, shortcut)
    supplier = await _supplier(request, shortcut, country_id, need, what)
    return user, country_id, supplier


@router.get("/t/{shortcut}/quotes.csv", response_model=None)
async def quote_export(request: Request, shortcut: str) -> Response:
    try:
        user, country_id, supplier = await _export_of(
            request, shortcut, Capability.QUOTES, "quotes"
        )
    except DistyError as exc:
        return lists.invalid(*failure(exc))
    kept = lists.kept(request, "q", "status")

    async def rows() -> AsyncIterator[list[Any]]:
        found = _walk(
            request, partial(quotes.search, ctx=context(request, user)),
            shortcut=shortcut, country_id=country_id, supplier=supplier,
            quote_number=kept["q"] or None, status=kept["status"] or None,
        )  # fmt: skip
        async for q in found:
            yield [
                q.quote_number, q.name, q.status, q.vendor_name, q.total, q.created_on,
                q.expires_on,
            ]  # fmt: skip

    header = ["Quote", "Name", "Status", "Vendor", "Total", "Created", "Expires"]
    return csv_export.response(f"{shortcut}-quotes.csv", header, rows())


def _pages(found: Any) -> int:
    if found is None or not found.total:
        return 1
    return (int(found.total) + PAGE_SIZE - 1) // PAGE_SIZE


async def _quote_page(
    request: Request,
    user: ConsoleUser,
    shortcut: str,
    country_id: int,
    number: str,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    quote, supplier = None, None
    try:
        supplier = await _supplier(request, shortcut, country_id, Capability.QUOTES, "quotes")
        async with render.rt(request).sessions() as session:
            quote = await quotes.details(
                session, context(request, user), shortcut=shortcut, country_id=country_id,
                supplier=supplier, quote_number=number,
            )  # fmt: skip
    except DistyError as exc:
        # The quote cannot be read: that failure is what the page says (a 404 for none).
        error, status = failure(exc)
    return _shown(
        request, "quote.html", user, shortcut, country_id, supplier, status=status,
        number=number, quote=quote, error=error, form=form or {}, can_order=user.can(Role.BUYER),
    )  # fmt: skip


@router.get("/t/{shortcut}/quotes/{number}", response_class=HTMLResponse)
async def quote_page(request: Request, shortcut: str, number: str) -> HTMLResponse:
    user, country_id = await _viewer(request, shortcut)
    return await _quote_page(request, user, shortcut, country_id, number)


def _ship_to(form: dict[str, str]) -> Address:
    """A stored address by its id, or the typed one (the service says what is missing)."""
    stored = form.get("address_id", "").strip()
    if stored:
        return Address.stored(stored)
    fields = ("company", "street", "city", "state", "postcode", "country", "contact")
    return Address.from_dict({k: form.get(k, "") for k in fields})


@router.post("/t/{shortcut}/quotes/{number}/order", response_model=None)
async def order_quote(request: Request, shortcut: str, number: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.BUYER)
    form = await web.check_csrf(request, user.csrf_token)
    country_id = await _country(request, shortcut)
    po_number = form.get("po_number", "").strip()
    try:
        # The supplier whose quotes the quote pages show: the quote is one of its.
        supplier = await _supplier(request, shortcut, country_id, Capability.QUOTES, "quotes")
        async with render.rt(request).sessions() as session:
            po = await quotes.quote_to_po(
                session, context(request, user), shortcut, country_id, supplier, number,
                po_number, _ship_to(form), notes=form.get("notes", "").strip() or None,
                hold=form.get("hold") == "on",
            )  # fmt: skip
            po_number = po.po_number
    except DistyError as exc:
        message, status = failure(exc)
        return await _quote_page(
            request, user, shortcut, country_id, number, error=message, status=status, form=form
        )
    return render.redirect(po_url(shortcut, po_number))


# -- invoices ----------------------------------------------------------------------------------


@router.get("/t/{shortcut}/pos/{po_number}/invoices", response_class=HTMLResponse)
async def po_invoices(request: Request, shortcut: str, po_number: str) -> HTMLResponse:
    user, country_id = await _viewer(request, shortcut)
    found: list[Any] = []
    error, status = None, 200
    async with render.rt(request).sessions() as session:
        try:
            po = await ordering.find_po(session, shortcut=shortcut, po_number=po_number)
        except NotFound:
            raise PageNotFound from None
        country_id, supplier = po.country_id, po.supplier
    try:
        async with render.rt(request).sessions() as session:
            found, _ = await invoices.for_po(
                session, context(request, user), shortcut=shortcut, po_number=po_number,
                limit=100,
            )  # fmt: skip
    except DistyError as exc:
        error, status = failure(exc)
    return _shown(
        request, "invoices.html", user, shortcut, country_id, supplier, status=status,
        po_number=po_number, invoices=found, error=error,
    )  # fmt: skip


INVOICE_FILTERS = ("supplier", "from", "to", "q")


def _invoice_filter(kept: dict[str, str]) -> InvoiceFilter:
    return InvoiceFilter(
        supplier=kept["supplier"] or None, po_from=lists.day(kept, "from"),
        po_to=lists.day(kept, "to"), q=kept["q"] or None,
    )  # fmt: skip


@router.get("/t/{shortcut}/invoices", response_class=HTMLResponse)
async def invoice_list(request: Request, shortcut: str) -> HTMLResponse:
    """Every invoice the tenant's suppliers reported on its POs (disty's own record)."""
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    kept = lists.kept(request, *INVOICE_FILTERS)
    found, following, error = [], None, None
    try:
        async with render.rt(request).sessions() as session:
            listed = await invoice_list_service.rows(
                session, shortcut=shortcut, f=_invoice_filter(kept),
                after=request.query_params.get("after"),
            )  # fmt: skip
        found, following = listed.rows, listed.next
    except InvalidInput as exc:
        error = str(exc)
    base = f"/t/{shortcut}/invoices"
    return render.page(
        request, "invoice_list.html", user, 422 if error else 200, shortcut=shortcut,
        invoices=found, error=error, filters=kept,
        suppliers=[(r.key, r.name) for r in registry.registrations()],
        supplier_names={r.key: r.name for r in registry.registrations()},
        next_url=lists.link(base, kept, after=following) if following else None,
        first_url=lists.link(base, kept) if request.query_params.get("after") else None,
        export_url=lists.link(base + ".csv", kept),
    )  # fmt: skip


@router.get("/t/{shortcut}/invoices.csv", response_model=None)
async def invoice_export(request: Request, shortcut: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    try:
        chosen = _invoice_filter(lists.kept(request, *INVOICE_FILTERS))
    except InvalidInput as exc:
        return lists.invalid(exc)

    async def rows() -> AsyncIterator[list[Any]]:
        found = invoice_list_service.export(
            render.rt(request).sessions, shortcut=shortcut, f=chosen
        )
        async for r in found:
            yield [
                r.invoice_number, r.supplier_order_number, r.po_number, r.supplier,
                r.country_id, r.po_status, r.po_created_at,
            ]  # fmt: skip

    header = [
        "Invoice", "Supplier order", "PO number", "Supplier", "Country", "PO status",
        "PO created (UTC)",
    ]  # fmt: skip
    return csv_export.response(f"{shortcut}-invoices.csv", header, rows())


@router.get("/t/{shortcut}/invoices/{number}", response_class=HTMLResponse)
async def invoice_page(request: Request, shortcut: str, number: str) -> HTMLResponse:
    user, country_id = await _viewer(request, shortcut)
    invoice, error, status, supplier = None, None, 200, None
    try:
        supplier = await _supplier(request, shortcut, country_id, Capability.INVOICES, "invoices")
        async with render.rt(request).sessions() as session:
            invoice = await invoices.details(
                session, context(request, user), shortcut=shortcut, country_id=country_id,
                supplier=supplier, invoice_number=number,
            )  # fmt: skip
    except DistyError as exc:
        error, status = failure(exc)
    return _shown(
        request, "invoice.html", user, shortcut, country_id, supplier, status=status,
        number=number, invoice=invoice, error=error,
    )  # fmt: skip


# -- returns -----------------------------------------------------------------------------------


@router.get("/t/{shortcut}/returns", response_class=HTMLResponse)
async def return_list(request: Request, shortcut: str) -> HTMLResponse:
    """The distributor's return cases, its own pages and filters (case number, invoice
    number) passed through."""
    user, country_id = await _viewer(request, shortcut)
    number = _page_number(request)
    kept = lists.kept(request, "q", "invoice")
    found, error, status, supplier = None, None, 200, None
    try:
        supplier = await _supplier(request, shortcut, country_id, Capability.RETURNS, "returns")
        async with render.rt(request).sessions() as session:
            found = await returns.search(
                session, context(request, user), shortcut=shortcut, country_id=country_id,
                supplier=supplier, case_number=kept["q"] or None,
                invoice_number=kept["invoice"] or None, page=number, page_size=PAGE_SIZE,
            )  # fmt: skip
    except DistyError as exc:
        error, status = failure(exc)
    return _shown(
        request, "returns.html", user, shortcut, country_id, supplier, status=status,
        filters=kept, found=found, error=error,
        **_pager(f"/t/{shortcut}/returns", kept, country_id, number, _pages(found)),
    )  # fmt: skip


@router.get("/t/{shortcut}/returns.csv", response_model=None)
async def return_export(request: Request, shortcut: str) -> Response:
    try:
        user, country_id, supplier = await _export_of(
            request, shortcut, Capability.RETURNS, "returns"
        )
    except DistyError as exc:
        return lists.invalid(*failure(exc))
    kept = lists.kept(request, "q", "invoice")

    async def rows() -> AsyncIterator[list[Any]]:
        found = _walk(
            request, partial(returns.search, ctx=context(request, user)),
            shortcut=shortcut, country_id=country_id, supplier=supplier,
            case_number=kept["q"] or None, invoice_number=kept["invoice"] or None,
        )  # fmt: skip
        async for c in found:
            yield [c.case_number, c.status, c.created_on, c.reason, c.reference, c.estimated_value]

    header = ["Case", "Status", "Created", "Reason", "Reference", "Estimated value"]
    return csv_export.response(f"{shortcut}-returns.csv", header, rows())


@router.get("/t/{shortcut}/returns/{number}", response_class=HTMLResponse)
async def return_page(request: Request, shortcut: str, number: str) -> HTMLResponse:
    user, country_id = await _viewer(request, shortcut)
    case, error, status, supplier = None, None, 200, None
    try:
        supplier = await _supplier(request, shortcut, country_id, Capability.RETURNS, "returns")
        async with render.rt(request).sessions() as session:
            case = await returns.details(
                session, context(request, user), shortcut=shortcut, country_id=country_id,
                supplier=supplier, case_number=number,
            )  # fmt: skip
    except DistyError as exc:
        error, status = failure(exc)
    return _shown(
        request, "return.html", user, shortcut, country_id, supplier, status=status,
        number=number,
        case=case, error=error,
    )  # fmt: skip
