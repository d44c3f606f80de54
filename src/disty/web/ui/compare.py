"""Compare: a pasted list sourced across every connected supplier (services/sourcing.py), the
offers side by side with disty's choice and its reason, a choice changed by hand per line,
then one PO per supplier in one step, linked to one requisition (services/requisitions.py).

What the page showed travels sealed (comparison.py, sealed.py) to the "Create POs" form; the
choices posted are checked against it, so a buyer who edits the HTML cannot order at a price
the page never showed or from a supplier that made no offer. Viewers compare; only buyers and
admins see the PO form and may post it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from disty.domain.countries import SITES
from disty.domain.nearby import parse_near
from disty.domain.orders import Address
from disty.domain.partlist import parse_part_list
from disty.domain.sourcing import SourcingRequest, WantedLine
from disty.errors import Conflict, DistyError, InvalidInput, NotFound
from disty.formatting import describe_age
from disty.runtime import Runtime
from disty.services import price_list, requisitions, sourcing
from disty.services.ordering import Context
from disty.services.tenant_views import TenantView
from disty.services.users import ConsoleUser, Role
from disty.suppliers import registry
from disty.suppliers.base import Capability
from disty.web.ui import buying, render
from disty.web.ui import session as web
from disty.web.ui.comparison import AS_CHOSEN, LEAVE_OUT, Comparison, chosen, field_name
from disty.web.ui.comparison import from_result as comparison_of
from disty.web.ui.render import signed_in
from disty.web.ui.sealed import Unsealed, seal, unseal
from disty.web.ui.session import PageNotFound

router = APIRouter(include_in_schema=False)

OFFERS_VALID_S = 3600  # a comparison older than this is made again before it becomes POs
# The compare form's freight ship-to: the PO form's ship-to fields, each name with this prefix
# (two forms on one page; the PO form starts from the freight ship-to, see ``_po_values``).
FREIGHT = "freight_"


def _candidates(country_id: int) -> list[registry.Registration]:
    """The suppliers a buyer may prefer: those that price live and take orders there."""
    need = Capability.PRICE_AVAILABILITY | Capability.ORDER_CREATE
    return [
        r for r in registry.registrations() if need in r.capabilities and country_id in r.countries
    ]


def _name(key: str) -> str:
    try:
        return registry.get(key).name
    except DistyError:
        return key


def _seal_key(rt: Runtime) -> bytes:
    # Its own purpose: a priced list sealed for the price page opens nowhere here.
    return rt.box.derive("disty console sourcing comparison")


async def _page(
    request: Request,
    user: ConsoleUser,
    tenant: TenantView,
    country_id: int,
    *,
    parts: str = "",
    split: bool = False,
    prefer: tuple[str, ...] = (),
    near: str = "",
    freight: bool = False,
    comparison: Comparison | None = None,
    sealed: str = "",
    values: dict[str, str] | None = None,
    error: str | None = None,
    order_error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    rt = render.rt(request)
    can_order = user.can(Role.BUYER)
    # The recent ship-tos: where freight is estimated to (the form), and where the POs go.
    async with rt.sessions() as session:
        recent = await price_list.recent_ship_tos(session, shortcut=tenant.shortcut)
    values = dict(values or {})
    for prefix in ("", FREIGHT):
        values.setdefault(f"{prefix}ship_to_choice", "recent" if recent else "typed")
    now = datetime.now(UTC)
    candidates = _candidates(country_id)
    keys = {r.key for r in candidates}
    # The tenant's stored preference is what sourcing uses when the form names none, so the
    # selects show it, changeable for this comparison.
    stored = tuple(k for k in tenant.supplier_preference if k in keys)
    return render.page(
        request, "compare.html", user, status, tenant=tenant, country_id=country_id,
        sites=[SITES[c] for c in tenant.country_ids if c in SITES],
        parts=parts, split=split, prefer=prefer or stored, stored=stored, candidates=candidates,
        near=near, freight=freight, FREIGHT=FREIGHT,
        comparison=comparison, sealed=sealed, values=values, error=error,
        order_error=order_error, recent=recent, can_order=can_order,
        address_fields=buying.ADDRESS_FIELDS, supplier_name=_name,
        field_name=field_name,
        age=lambda then: describe_age(then, now), AS_CHOSEN=AS_CHOSEN, LEAVE_OUT=LEAVE_OUT,
        orderable=comparison is not None and any(
            row.picks or any(c.buyable for c in row.cells.values()) for row in comparison.rows
        ),
    )  # fmt: skip


# -- 1. the form -------------------------------------------------------------------------------


@router.get("/t/{shortcut}/compare", response_class=HTMLResponse)
async def compare_form(request: Request, shortcut: str, country: str = "") -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    tenant = await buying.tenant(render.rt(request), shortcut)
    return await _page(request, user, tenant, buying.country(tenant, country))


# -- 2. the offers side by side ----------------------------------------------------------------


def _prefer(form: dict[str, str], country_id: int) -> tuple[str, ...]:
    """The preferred suppliers in order, from the form's ``prefer-1``, ``prefer-2``... selects;
    blanks skipped, a supplier named twice counted once, an unknown one refused."""
    keys = {r.key for r in _candidates(country_id)}
    chosen_keys: list[str] = []
    for n in range(1, len(keys) + 1):
        key = form.get(f"prefer-{n}", "").strip()
        if not key:
            continue
        if key not in keys:
            raise InvalidInput("the preferred supplier is not one that sells here: choose again")
        if key not in chosen_keys:
            chosen_keys.append(key)
    return tuple(chosen_keys)


@router.post("/t/{shortcut}/compare", response_class=HTMLResponse)
async def compare(request: Request, shortcut: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    form = await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    country_id = buying.country(tenant, form.get("country"))
    text = form.get("parts", "")[:100_000]
    split = form.get("split") == "on"
    near_text = form.get("near", "").strip()[:80]
    freight = form.get("freight") == "on"
    prefer: tuple[str, ...] = ()
    try:
        prefer = _prefer(form, country_id)
        wanted = parse_part_list(text, max_lines=sourcing.MAX_LINES)
        near = parse_near(near_text) if near_text else None
        ship_to = await _ship_to(rt, shortcut, form, FREIGHT) if freight else None
        ask = SourcingRequest(
            tuple(WantedLine(x.line_number, x.part, x.quantity) for x in wanted),
            split=split, prefer=prefer, near=near, freight=freight,
        )  # fmt: skip
        async with rt.sessions() as session:
            result = await sourcing.source(
                session, shortcut=shortcut, country_id=country_id, request=ask,
                suppliers=rt.suppliers, ship_to=ship_to,
            )  # fmt: skip
    except DistyError as exc:
        return await _page(
            request, user, tenant, country_id, parts=text, split=split, prefer=prefer,
            near=near_text, freight=freight, values=form, error=render.said(exc), status=422,
        )  # fmt: skip
    comparison = comparison_of(result, near=near, freight=freight)
    sealed = seal(
        _seal_key(rt), {"tenant": shortcut, "country": country_id, "offers": comparison.to_json()}
    )
    return await _page(
        request, user, tenant, country_id, parts=text, split=split, prefer=prefer,
        near=near or "", freight=freight, comparison=comparison, sealed=sealed,
        values=_po_values(form) if freight else form,
    )  # fmt: skip


def _po_values(form: dict[str, str]) -> dict[str, str]:
    """The compare form's values, with the PO form's ship-to starting where freight was
    estimated to: the buyer sees the cost of shipping there, so the POs go there unless
    changed."""
    values = dict(form)
    for name, value in form.items():
        if name.startswith(FREIGHT):
            values[name.removeprefix(FREIGHT)] = value
    return values


# -- 3. the POs, one per supplier --------------------------------------------------------------


def _opened(rt: Runtime, shortcut: str, token: str) -> tuple[int, Comparison]:
    """The country and the comparison this console sealed for this tenant within the hour."""
    value = unseal(_seal_key(rt), token, max_age_s=OFFERS_VALID_S)
    if not isinstance(value, dict) or value.get("tenant") != shortcut:
        raise Unsealed("the offers are another tenant's")
    return int(value["country"]), Comparison.from_json(value["offers"])


async def _ship_to(rt: Runtime, shortcut: str, form: dict[str, str], prefix: str = "") -> Address:
    """A recent ship-to or a typed address (an address stored at one supplier means nothing
    to the others, so it is not offered here); ``prefix``: the freight ship-to's fields."""
    chosen = await buying.recent_or_typed(rt, shortcut, form, prefix)
    if chosen is not None:
        return chosen
    what = "a freight estimate needs a ship-to" if prefix else "choose where to ship"
    raise InvalidInput(f"{what}: a recent ship-to or a typed address", field="ship_to")


@dataclass(frozen=True, slots=True)
class Placed:
    """A requisition as its page shows it, read while its session is open."""

    number: str
    created_by: str
    lines: list[dict[str, Any]]  # the confirmed choices, by line number
    pos: list[dict[str, Any]]  # po_number, supplier, status, supplier_order_numbers, failure
    errors: dict[str, str]  # supplier -> why its PO could not be placed in this run
    currency: str | None = None  # its country site's: the unit prices' currency

    @classmethod
    def of(cls, view: requisitions.RequisitionView) -> Placed:
        pos = [
            {"po_number": po.po_number, "supplier": po.supplier, "status": po.status,
             "supplier_order_numbers": list(po.supplier_order_numbers or []),
             "failure_reason": po.failure_reason}
            for po in view.pos
        ]  # fmt: skip
        lines = sorted(view.choices, key=lambda c: int(c["line_number"]))
        site = SITES.get(view.country_id)
        return cls(
            view.number, view.created_by, lines, pos, dict(view.errors),
            site.currency if site else None,
        )  # fmt: skip


async def _place(
    rt: Runtime, user: ConsoleUser, shortcut: str, country_id: int, comparison: Comparison,
    form: dict[str, str],
) -> Placed:  # fmt: skip
    choices = [
        requisitions.LineChoice(
            row.number, row.part, pick.supplier, pick.supplier_sku, pick.quantity, pick.unit_price
        )
        for row, picks in chosen(comparison, form)
        for pick in picks
    ]
    prefix = form.get("po_prefix", "")
    ship_to = await _ship_to(rt, shortcut, form)
    notes = form.get("notes", "").strip()
    if len(notes) > buying.NOTES_MAX:
        raise InvalidInput(
            f"the notes are longer than {buying.NOTES_MAX} characters", field="notes"
        )
    ctx = Context(rt.suppliers, f"console:{user.email}")
    async with rt.sessions() as session:
        try:
            view = await sourcing.place(
                session, ctx, shortcut=shortcut, country_id=country_id, choices=choices,
                po_prefix=prefix, ship_to=ship_to, notes=notes or None,
            )  # fmt: skip
            return Placed.of(view)
        except Conflict as exc:
            raise InvalidInput(f"{exc}", field="po_prefix") from None


def _parts_text(comparison: Comparison) -> str:
    return "\n".join(f"{row.part} {row.quantity}" for row in comparison.rows)


@router.post("/t/{shortcut}/compare/order", response_model=None)
async def order(request: Request, shortcut: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.BUYER)
    form = await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    token = form.get("offers", "")
    try:
        country_id, comparison = _opened(rt, shortcut, token)
    except Unsealed as exc:
        return await _page(
            request, user, tenant, buying.country(tenant, None), status=422,
            error=f"{exc}: the offers cannot be trusted, so compare the list again",
        )  # fmt: skip
    try:
        placed = await _place(rt, user, shortcut, country_id, comparison, form)
    except DistyError as exc:
        return await _page(
            request, user, tenant, country_id, parts=_parts_text(comparison),
            near=comparison.near or "", freight=comparison.freight, comparison=comparison,
            sealed=token, values=form, order_error=render.said(exc), status=422,
        )  # fmt: skip
    if placed.errors:
        # What failed in this run is said now (it is not kept); the POs placed are linked.
        return _requisition_page(request, user, tenant, placed, status=502)
    return render.redirect(f"/t/{shortcut}/requisitions/{quote(placed.number, safe='')}")


# -- 4. the requisition: its lines and POs -----------------------------------------------------


def _requisition_page(
    request: Request, user: ConsoleUser, tenant: TenantView, placed: Placed,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    return render.page(
        request, "requisition.html", user, status, tenant=tenant, req=placed,
        supplier_name=_name,
        po_url=lambda number: f"/t/{tenant.shortcut}/pos/{quote(number, safe='')}",
    )  # fmt: skip


@router.get("/t/{shortcut}/requisitions/{number}", response_class=HTMLResponse)
async def requisition(request: Request, shortcut: str, number: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    rt = render.rt(request)
    tenant = await buying.tenant(rt, shortcut)
    async with rt.sessions() as session:
        try:
            placed = Placed.of(
                await sourcing.requisition(session, shortcut=shortcut, number=number)
            )
        except NotFound:
            raise PageNotFound from None
    return _requisition_page(request, user, tenant, placed)
