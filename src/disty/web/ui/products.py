"""Products: catalog search, product details, live price and availability for a pasted list, and a
PO created from the priced list.

The priced list travels to the PO form sealed (signed and dated, see sealed.py): the PO's
expected prices are exactly the prices the page showed, so a buyer cannot lower them by
editing the HTML, and a list priced more than an hour ago must be priced again. Viewers may
search and price; only buyers and admins see the PO form, and only they may post it."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from disty.domain.countries import SITES
from disty.domain.offers import OfferStatus
from disty.domain.orders import Address, validate_address, validate_po_number
from disty.domain.partlist import parse_part_list
from disty.errors import Conflict, DistyError, InvalidInput, NotFound
from disty.formatting import describe_age
from disty.runtime import Runtime
from disty.services import catalog, last_offers, ordering, price_list, pricing
from disty.services.ordering import Context, LineInput
from disty.services.price_list import PricedLine
from disty.services.supplier_choice import supplier_for
from disty.services.tenant_views import TenantView
from disty.services.users import ConsoleUser, Role
from disty.suppliers import registry
from disty.suppliers.base import Capability
from disty.suppliers.errors import NotFound as SupplierNotFound
from disty.suppliers.errors import SupplierError
from disty.web.ui import buying, render
from disty.web.ui import session as web
from disty.web.ui.orders import failure
from disty.web.ui.render import signed_in
from disty.web.ui.sealed import Unsealed, seal, unseal

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
PRICES_VALID_S = 3600  # a priced list older than this is priced again before it becomes a PO


# -- what every products page needs ----------------------------------------------------------


async def _catalog_supplier(rt: Runtime, shortcut: str, country_id: int) -> str:
    """The supplier whose catalog the pages search (services/supplier_choice.py)."""
    async with rt.sessions() as session:
        return await supplier_for(
            session, shortcut=shortcut, country_id=country_id, need=Capability.CATALOG_SEARCH,
            what="catalog search",
        )  # fmt: skip


async def _price_supplier(rt: Runtime, shortcut: str, country_id: int) -> str | None:
    """The supplier the price list prices and orders from; None when no supplier can."""
    async with rt.sessions() as session:
        try:
            return await price_list.supplier(session, shortcut=shortcut, country_id=country_id)
        except NotFound:
            return None


def _common(tenant: TenantView, country_id: int, supplier: str | None) -> dict[str, Any]:
    registration = registry.get(supplier) if supplier else None
    return {
        "tenant": tenant,
        "country_id": country_id,
        "supplier_name": registration.name if registration else "the supplier",
        # Offer only what the supplier can do with an order (the service refuses the rest).
        "can_hold": registration is not None and Capability.ORDER_HOLD in registration.capabilities,
        "stored_addresses": registration is not None and registration.stored_addresses,
        "sites": [SITES[c] for c in tenant.country_ids if c in SITES],
    }


# -- price and stock beside products: the last known, and live on request ----------------------


async def _known_offers(
    rt: Runtime, shortcut: str, country_id: int, supplier: str | None, skus: list[str],
    live: bool,
) -> tuple[dict[str, last_offers.KnownOffer], str | None]:  # fmt: skip
    """Each product's last known offer at the supplier (keyed by upper-case part number),
    asked live first when ``live``; and what went wrong asking, if anything (the last known
    offers are still shown then)."""
    if not supplier or not skus:
        return {}, None
    error = None
    async with rt.sessions() as session:
        if live and Capability.PRICE_AVAILABILITY in registry.get(supplier).capabilities:
            try:
                offers = await pricing.price_and_availability(
                    session, shortcut=shortcut, country_id=country_id, skus=skus,
                    suppliers=rt.suppliers, only={supplier},
                )  # fmt: skip
            except SupplierError as exc:
                error = failure(exc)[0]
            except DistyError as exc:
                error = str(exc)
            else:
                failed = [o for o in offers if o.status is OfferStatus.ERROR]
                if failed:
                    error = f"Live price and availability failed: {failed[0].error}"
        known = await last_offers.last_known(
            session, shortcut=shortcut, country_id=country_id, supplier=supplier, skus=skus
        )
    return known, error


# -- 1. catalog search -----------------------------------------------------------------------


def _page_number(raw: str) -> int:
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


@router.get("/t/{shortcut}/products", response_class=HTMLResponse)
async def search(
    request: Request,
    shortcut: str,
    q: str = "",
    vendor: str = "",
    vpn: str = "",
    page: str = "1",
    country: str = "",
    live: str = "",
) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    country_id = buying.country(tenant, country)
    wanted = {"q": q.strip(), "vendor": vendor.strip(), "vpn": vpn.strip()}
    number = _page_number(page)
    results, error, status, supplier = None, None, 200, None
    if any(wanted.values()):
        try:
            supplier = await _catalog_supplier(rt, shortcut, country_id)
            async with rt.sessions() as session:
                results = await catalog.search(
                    session, shortcut=shortcut, country_id=country_id, supplier=supplier,
                    suppliers=rt.suppliers,
                    keyword=wanted["q"] or None, vendor=wanted["vendor"] or None,
                    vendor_part_number=wanted["vpn"] or None, page=number, page_size=PAGE_SIZE,
                )  # fmt: skip
        except SupplierError as exc:
            # A distributor that is limiting, down or slow is said as such (429/503/504).
            error, status = failure(exc)
        except DistyError as exc:
            error, status = render.said(exc), 422
    pages = math.ceil(results.total / max(results.page_size, 1)) if results else 0
    skus = [item.supplier_sku for item in results.items] if results else []
    known, live_error = await _known_offers(rt, shortcut, country_id, supplier, skus, live == "1")
    now = datetime.now(UTC)

    def page_url(n: int) -> str:
        query = {**wanted, "country": str(country_id), "page": str(n)}
        return f"/t/{shortcut}/products?{urlencode(query)}"

    return render.page(
        request, "products.html", user, status, **_common(tenant, country_id, supplier),
        wanted=wanted,
        results=results, error=error, page_number=number, pages=pages, page_url=page_url,
        known=known, live_error=live_error, asked_live=live == "1",
        age=lambda then: describe_age(then, now),
    )  # fmt: skip


# -- 3. a pasted list priced live (before the details route: "price" is not a SKU) -----------


async def _price_page(
    request: Request,
    user: ConsoleUser,
    tenant: TenantView,
    country_id: int,
    *,
    parts: str = "",
    lines: list[PricedLine] | None = None,
    sealed: str = "",
    recent: list[price_list.RecentShipTo] | None = None,
    values: dict[str, str] | None = None,
    error: str | None = None,
    order_error: str | None = None,
    correcting: str = "",
    status: int = 200,
) -> HTMLResponse:
    lines = lines or []
    recent = recent or []
    values = dict(values or {})
    if correcting:  # a failed PO sent again: its number, and its ship-to first
        values.setdefault("po_number", correcting)
        values.setdefault("recent_po", correcting)
    values.setdefault("ship_to_choice", "recent" if recent else "typed")
    now = datetime.now(UTC)
    supplier = await _price_supplier(render.rt(request), tenant.shortcut, country_id)
    return render.page(
        request, "products_price.html", user, status, **_common(tenant, country_id, supplier),
        parts=parts, lines=lines, sealed=sealed, recent=recent, values=values, error=error,
        order_error=order_error, correcting=correcting, now=now,
        age=lambda then: describe_age(then, now),
        totals=price_list.totals(lines),
        unknown=[x for x in lines if x.status is OfferStatus.UNKNOWN],
        failed=[x for x in lines if x.status is OfferStatus.ERROR],
        orderable=[x for x in lines if x.orderable],
        can_order=user.can(Role.BUYER), address_fields=buying.ADDRESS_FIELDS,
    )  # fmt: skip


@router.get("/t/{shortcut}/products/price", response_class=HTMLResponse)
async def price_form(
    request: Request, shortcut: str, parts: str = "", country: str = "", po: str = ""
) -> HTMLResponse:
    """The list form, empty or filled from the query: ``parts`` (a product's page, or a failed
    PO's lines) and ``po``, the failed PO being corrected (its page links here)."""
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    tenant = await buying.tenant(render.rt(request), shortcut)
    return await _price_page(
        request, user, tenant, buying.country(tenant, country), parts=parts[:10_000],
        correcting=_correcting(po),
    )  # fmt: skip


def _correcting(raw: str | None) -> str:
    """The number of the failed PO a list corrects, carried from its page to the PO form; only
    a prefill (ordering decides what the number may be used for), so a bad one is dropped."""
    try:
        return validate_po_number(raw or "") if raw else ""
    except InvalidInput:
        return ""


def _seal_key(rt: Runtime) -> bytes:
    return rt.box.derive("disty console priced list")


@router.post("/t/{shortcut}/products/price", response_class=HTMLResponse)
async def price(request: Request, shortcut: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    form = await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    country_id = buying.country(tenant, form.get("country"))
    correcting = _correcting(form.get("correcting"))
    text = form.get("parts", "")
    if form.get("quantity"):  # "Price this part" on a product's page: one part, its quantity
        text = f"{text.strip()} {form['quantity'].strip()}"
    try:
        wanted = parse_part_list(text)
        async with rt.sessions() as session:
            lines = await price_list.price_list(
                session, shortcut=shortcut, country_id=country_id, parts=wanted,
                suppliers=rt.suppliers,
            )  # fmt: skip
            # Sealed with the lines: the PO goes to the supplier that priced them.
            priced_by = await price_list.supplier(session, shortcut=shortcut, country_id=country_id)
    except DistyError as exc:
        return await _price_page(
            request, user, tenant, country_id, parts=text, error=render.said(exc),
            correcting=correcting, status=422,
        )  # fmt: skip
    sealed = seal(
        _seal_key(rt),
        {
            "tenant": shortcut,
            "country": country_id,
            "supplier": priced_by,
            "lines": [x.to_json() for x in lines],
        },
    )
    recent = await _recent(rt, user, shortcut, correcting)
    return await _price_page(
        request, user, tenant, country_id, parts=text, lines=lines, sealed=sealed,
        recent=recent, correcting=correcting,
    )  # fmt: skip


async def _recent(
    rt: Runtime, user: ConsoleUser, shortcut: str, correcting: str = ""
) -> list[price_list.RecentShipTo]:
    """The recent ship-tos; a refused PO being corrected offers its own again."""
    if not user.can(Role.BUYER):
        return []  # viewers see no PO form: no addresses either
    async with rt.sessions() as session:
        return await price_list.recent_ship_tos(
            session, shortcut=shortcut, correcting=correcting or None
        )


# -- 4. the PO made from the priced list -----------------------------------------------------


def _opened(rt: Runtime, shortcut: str, token: str) -> tuple[int, str, list[PricedLine]]:
    """The country, supplier and lines this console sealed for this tenant within the hour."""
    value = unseal(_seal_key(rt), token, max_age_s=PRICES_VALID_S)
    if not isinstance(value, dict) or value.get("tenant") != shortcut:
        raise Unsealed("the priced list is another tenant's")
    if not isinstance(value.get("supplier"), str):
        raise Unsealed("the priced list names no supplier")
    lines = [PricedLine.from_json(x) for x in value["lines"]]
    return int(value["country"]), value["supplier"], lines


async def _ship_to(rt: Runtime, shortcut: str, form: dict[str, str]) -> Address:
    chosen = await buying.recent_or_typed(rt, shortcut, form)
    if chosen is not None:
        return chosen
    choice = form.get("ship_to_choice", "")
    if choice == "stored":
        stored = form.get("stored_address_id", "").strip()
        if not stored:
            raise InvalidInput("type the stored address id, or choose another ship-to")
        return validate_address(Address.stored(stored), "ship_to")
    raise InvalidInput("choose where to ship: a recent ship-to, a typed address or a stored one")


def _end_user(form: dict[str, str]) -> Address | None:
    address = buying.address(form, "eu_")
    if not any(getattr(address, name) for name in buying.ADDRESS_FIELDS):
        return None  # optional: left blank
    return validate_address(address, "end_user")


def _order_lines(lines: list[PricedLine]) -> list[LineInput]:
    """The known, priced lines at the prices shown; one line per supplier part number."""
    merged: dict[str, LineInput] = {}
    for line in lines:
        if not line.orderable or line.supplier_sku is None:
            continue  # unknown or unpriced: left out, as the page said
        sku = line.supplier_sku.upper()
        seen = merged.get(sku)
        quantity = line.quantity + (seen.quantity if seen else 0)
        merged[sku] = LineInput(sku, quantity, line.price)
    if not merged:
        raise InvalidInput("no part of the list is known and priced: there is nothing to order")
    return list(merged.values())


async def _place(
    rt: Runtime, user: ConsoleUser, shortcut: str, country_id: int, supplier: str,
    lines: list[PricedLine], form: dict[str, str],
) -> str:  # fmt: skip
    """Check the form, then submit the PO; answers its number. InvalidInput says what to fix."""
    po_number = validate_po_number(form.get("po_number", ""))
    ship_to = await _ship_to(rt, shortcut, form)
    end_user = _end_user(form)
    notes = form.get("notes", "").strip()
    if len(notes) > buying.NOTES_MAX:
        raise InvalidInput(
            f"the notes are longer than {buying.NOTES_MAX} characters", field="notes"
        )
    order = _order_lines(lines)
    ctx = Context(rt.suppliers, f"console:{user.email}")
    async with rt.sessions() as session:
        # ordering decides what a used PO number means: the same PO posted again is answered
        # as it is (placed once), a failed one (refused, nothing placed) is replaced by this
        # list and sent again, anything else is a Conflict. Lines alone do not make the same
        # PO: another address, price or note under the number is another PO.
        try:
            po = await ordering.submit(
                session, ctx, shortcut=shortcut, country_id=country_id, supplier=supplier,
                po_number=po_number, lines=order, ship_to=ship_to,
                hold=form.get("hold") == "on", notes=notes or None, end_user=end_user,
            )  # fmt: skip
        except Conflict:
            raise InvalidInput(
                f"PO number {po_number} is taken by another PO (with other lines, prices or "
                "addresses), or is being sent by another request right now: choose another "
                f"number, or open PO {po_number} under Purchase orders to see it",
                field="po",
            ) from None
        return po.po_number


@router.post("/t/{shortcut}/products/price/order", response_model=None)
async def order(request: Request, shortcut: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.BUYER)
    form = await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    token = form.get("priced", "")
    try:
        country_id, supplier, lines = _opened(rt, shortcut, token)
    except Unsealed as exc:
        return await _price_page(
            request, user, tenant, buying.country(tenant, None), status=422,
            error=f"{exc}: the prices cannot be trusted, so price the list again",
        )  # fmt: skip
    try:
        po_number = await _place(rt, user, shortcut, country_id, supplier, lines, form)
    except DistyError as exc:
        correcting = _correcting(form.get("correcting"))
        return await _price_page(
            request, user, tenant, country_id, parts=_parts_text(lines), lines=lines,
            sealed=token, recent=await _recent(rt, user, shortcut, correcting), values=form,
            order_error=render.said(exc), status=422,
        )  # fmt: skip
    return render.redirect(f"/t/{shortcut}/pos/{quote(po_number, safe='')}")


def _parts_text(lines: list[PricedLine]) -> str:
    return "\n".join(f"{x.part} {x.quantity}" for x in lines)


# -- 2. product details ----------------------------------------------------------------------


@router.get("/t/{shortcut}/products/{sku}", response_class=HTMLResponse)
async def details(
    request: Request, shortcut: str, sku: str, country: str = "", live: str = ""
) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    country_id = buying.country(tenant, country)
    item, error, status, supplier = None, None, 200, None
    try:
        supplier = await _catalog_supplier(rt, shortcut, country_id)
        async with rt.sessions() as session:
            item = await catalog.details(
                session, shortcut=shortcut, country_id=country_id, supplier=supplier, sku=sku,
                suppliers=rt.suppliers,
            )  # fmt: skip
    except SupplierNotFound:
        name = registry.get(supplier).name if supplier else "The supplier"
        error, status = f"{name} knows no part {sku!r}: search the catalog for it.", 404
    except SupplierError as exc:
        error, status = failure(exc)
    except DistyError as exc:
        error, status = render.said(exc), 422
    skus = [item.supplier_sku] if item else []
    known, live_error = await _known_offers(rt, shortcut, country_id, supplier, skus, live == "1")
    now = datetime.now(UTC)
    return render.page(
        request, "product.html", user, status, **_common(tenant, country_id, supplier), sku=sku,
        item=item, error=error,
        offer=known.get(item.supplier_sku.upper()) if item else None, live_error=live_error,
        asked_live=live == "1", age=lambda then: describe_age(then, now),
    )  # fmt: skip
