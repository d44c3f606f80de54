"""POs: the list with filters, each PO's page (timeline, lines, shipments, serials, invoices;
updated live), submit, approve price drift, release, cancel, refresh.

The PO page is read through ``po_json`` (what the API and CLI show), so the console never
shows a PO differently from them. Its live part is one section that console.js re-reads every
few seconds: webhooks change the PO in the database and the page follows without a reload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from disty.domain.countries import SITES
from disty.domain.po_status import FINAL, POStatus
from disty.domain.polling import followed
from disty.errors import DistyError, InvalidInput, NotFound
from disty.formatting import when
from disty.services import ordering
from disty.services import po_list as po_list_service
from disty.services.ordering import Action, Context
from disty.services.po_list import POFilter, PORow, total_of
from disty.services.po_views import po_json
from disty.services.price_list import PRICE_AND_ORDER
from disty.services.users import ConsoleUser, Role
from disty.suppliers import errors as supplier
from disty.suppliers import registry
from disty.web.ui import csv_export, lists, render
from disty.web.ui import session as web
from disty.web.ui.render import signed_in
from disty.web.ui.session import PageNotFound

router = APIRouter(include_in_schema=False)

STATUSES = [s.value for s in POStatus]


# -- shared with documents.py ------------------------------------------------------------------


def context(request: Request, user: ConsoleUser) -> Context:
    rt = render.rt(request)
    return Context(rt.suppliers, f"console:{user.email}")


def failure(exc: DistyError) -> tuple[str, int]:
    """What a person reads when an action or a supplier call fails, and the page's status.

    The statuses are the JSON API's (problems.py): a refusal is 422, an unknown thing 404, a
    distributor that is slow, limited or down 429/503/504, a refused connection 502.
    """
    said = render.said(exc)
    if isinstance(exc, supplier.RequestRejected):
        return f"The distributor refused the request: {said}", 422
    if isinstance(exc, supplier.NotFound):
        return f"The distributor does not know it: {said}", 404
    if isinstance(exc, supplier.RateLimited):
        return f"The distributor's rate limit was hit: {said}", 429
    if isinstance(exc, supplier.Maintenance):
        return f"The distributor is in maintenance: {said}", 503
    if isinstance(exc, supplier.Timeout):
        return f"The distributor did not answer in time: {said}", 504
    if isinstance(exc, supplier.Unavailable):
        return f"The distributor is unavailable: {said}", 503
    if isinstance(exc, supplier.SupplierError):
        return f"The distributor refused the connection (an admin should Run Test): {said}", 502
    if isinstance(exc, NotFound):
        return said, 404
    return said, 422


def po_url(shortcut: str, po_number: str) -> str:
    return f"/t/{shortcut}/pos/{quote(po_number, safe='')}"


def relative(value: str | None, now: datetime | None = None) -> str:
    """A time as a person reads it beside "now": "3 min ago", "in 2 h 5 min", "now"."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value)
    seconds = round((moment - (now or datetime.now(UTC))).total_seconds())
    span = abs(seconds)
    if span < 30:
        return "now"
    if span < 90:
        words = "1 min"
    elif span < 3600:
        words = f"{round(span / 60)} min"
    else:
        hours, minutes = divmod(round(span / 60), 60)
        words = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"in {words}" if seconds > 0 else f"{words} ago"


# -- reading POs -------------------------------------------------------------------------------


def _total(po: dict[str, Any]) -> Decimal | None:
    """What the PO's lines cost at the prices known (po_json's exact decimal strings)."""

    def price(value: str | None) -> Decimal | None:
        return Decimal(value) if value is not None else None

    return total_of(
        (line["quantity"], price(line["current_price"]), price(line["expected_price"]),
         line["rejected_reason"])
        for line in po["lines"]
    )  # fmt: skip


def _currency(country_id: int) -> str | None:
    """A PO's currency: its country site's (POs are priced in the site's currency)."""
    site = SITES.get(country_id)
    return site.currency if site else None


@dataclass(frozen=True)
class Actions:
    """The buttons a PO offers this user now; viewers get none."""

    submit: bool = False
    approve: bool = False
    awaiting_admin: bool = False  # a buyer's note instead of the Approve button
    release: bool = False
    cancel: bool = False
    refresh: bool = False
    correct: bool = False  # a link to the price list, to correct a failed PO and send it again

    @property
    def any(self) -> bool:
        return (
            self.submit or self.approve or self.release or self.cancel or self.refresh
            or self.correct
        )  # fmt: skip


def actions(po: dict[str, Any], user: ConsoleUser) -> Actions:
    if not user.can(Role.BUYER):
        return Actions()
    status = POStatus(po["status"])
    waiting = status is POStatus.AWAITING_APPROVAL
    return Actions(
        submit=status in (POStatus.DRAFT, POStatus.SUBMITTING),
        approve=waiting and user.can(Role.ADMIN),
        awaiting_admin=waiting and not user.can(Role.ADMIN),
        release=status is POStatus.ON_HOLD,
        cancel=status in (POStatus.DRAFT, POStatus.AWAITING_APPROVAL, POStatus.ON_HOLD),
        refresh=status not in FINAL and status not in (POStatus.DRAFT, POStatus.AWAITING_APPROVAL),
        # The distributor refused it and nothing was placed: the same PO number may be sent
        # again with corrected lines, made on the Products page (when its supplier is one the
        # price list can order from; not a quote's PO, whose lines are the quote's).
        correct=status is POStatus.FAILED
        and PRICE_AND_ORDER in registry.get(po["supplier"]).capabilities
        and not po["quote_number"],
    )


def correct_url(shortcut: str, po: dict[str, Any]) -> str:
    """The price list holding a failed PO's lines, its number carried to the PO form."""
    parts = "\n".join(f"{line['sku']} {line['quantity']}" for line in po["lines"])
    query = urlencode({"parts": parts, "po": po["po_number"], "country": po["country_id"]})
    return f"/t/{shortcut}/products/price?{query}"


def _view(po: dict[str, Any]) -> dict[str, Any]:
    """The PO page's view: po_json's, with times as the console writes them."""
    view = dict(po)
    for event in view["timeline"]:
        event["when"] = when(event["at"])
    view["created"] = when(view["created_at"])
    view["updated"] = when(view["updated_at"])
    view["total"] = _total(po)
    view["currency"] = _currency(po["country_id"])
    view["supplier_name"] = registry.get(po["supplier"]).name
    view["next_check"] = when(view["next_price_check_at"])
    # When the supplier was last asked about the PO and when the worker asks next.
    view["checked"] = when(view["last_checked_at"])
    view["checked_ago"] = relative(view["last_checked_at"])
    view["next_supplier_check"] = when(view["next_check_at"])
    view["next_supplier_check_in"] = relative(view["next_check_at"])
    view["followed"] = followed(POStatus(po["status"]))
    view["hold_badge"] = _hold_badge(po)
    return view


def _hold_badge(po: dict[str, Any]) -> str | None:
    """ "held for review" says where the PO is, so only while it is held; before the
    distributor has it, "to be held for review". A PO released, shipped or cancelled after a
    hold says so in its timeline, not beside its status."""
    if not po["hold_for_review"]:
        return None
    status = POStatus(po["status"])
    if status is POStatus.ON_HOLD:
        return "held for review"
    not_there_yet = status in (POStatus.DRAFT, POStatus.AWAITING_APPROVAL, POStatus.SUBMITTING)
    if not_there_yet or (status is POStatus.SUBMITTED and not po["supplier_order_numbers"]):
        return "to be held for review"
    return None


async def _po_page(
    request: Request,
    user: ConsoleUser,
    shortcut: str,
    po_number: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    async with render.rt(request).sessions() as session:
        try:
            po = po_json(await ordering.find_po(session, shortcut=shortcut, po_number=po_number))
        except NotFound:
            raise PageNotFound from None
    view, allowed = _view(po), actions(po, user)
    corrected = correct_url(shortcut, po) if allowed.correct else ""
    return render.page(
        request, "po.html", user, status, shortcut=shortcut, po=view, actions=allowed,
        correct_url=corrected, error=error,
    )  # fmt: skip


PO_FILTERS = ("status", "supplier", "from", "to", "q")


def _po_filter(kept: dict[str, str]) -> POFilter:
    """The list's filter (InvalidInput for a bad date or status)."""
    return POFilter(
        status=kept["status"] or None, supplier=kept["supplier"] or None,
        created_from=lists.day(kept, "from"), created_to=lists.day(kept, "to"),
        q=kept["q"] or None,
    ).checked()  # fmt: skip


@router.get("/t/{shortcut}/pos", response_class=HTMLResponse)
async def po_list(request: Request, shortcut: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    kept = lists.kept(request, *PO_FILTERS)
    rows: list[dict[str, Any]] = []
    following, error = None, None
    try:
        chosen = _po_filter(kept)
        async with render.rt(request).sessions() as session:
            found = await po_list_service.rows(
                session, shortcut=shortcut, f=chosen, after=request.query_params.get("after")
            )
        rows = [_list_row(row) for row in found.rows]
        following = found.next
    except InvalidInput as exc:
        error = str(exc)
    base = f"/t/{shortcut}/pos"
    return render.page(
        request, "pos.html", user, 422 if error else 200, shortcut=shortcut, rows=rows,
        chosen=kept["status"], statuses=STATUSES, error=error, filters=kept,
        suppliers=[(r.key, r.name) for r in registry.registrations()],
        next_url=lists.link(base, kept, after=following) if following else None,
        first_url=lists.link(base, kept) if request.query_params.get("after") else None,
        export_url=lists.link(base + ".csv", kept),
    )  # fmt: skip


def _list_row(row: PORow) -> dict[str, Any]:
    return {
        "po_number": row.po_number,
        "supplier": registry.get(row.supplier).name,
        "status": row.status,
        "supplier_order_numbers": row.supplier_order_numbers,
        "lines": row.lines,
        "total": row.total,
        "currency": _currency(row.country_id),
        "created": when(row.created_at),
        "updated": when(row.updated_at),
    }


@router.get("/t/{shortcut}/pos.csv", response_model=None)
async def po_export(request: Request, shortcut: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    try:
        chosen = _po_filter(lists.kept(request, *PO_FILTERS))
    except InvalidInput as exc:
        return lists.invalid(exc)

    async def rows() -> AsyncIterator[list[Any]]:
        found = po_list_service.export(render.rt(request).sessions, shortcut=shortcut, f=chosen)
        async for r in found:
            yield [
                r.po_number, r.supplier, r.country_id, r.status, r.supplier_order_numbers,
                r.quote_number, r.lines, r.total, r.created_at, r.updated_at,
            ]  # fmt: skip

    header = [
        "PO number", "Supplier", "Country", "Status", "Supplier orders", "Quote", "Lines",
        "Total", "Created (UTC)", "Last change (UTC)",
    ]  # fmt: skip
    return csv_export.response(f"{shortcut}-pos.csv", header, rows())


@router.get("/t/{shortcut}/pos/{po_number}", response_class=HTMLResponse)
async def po_page(request: Request, shortcut: str, po_number: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    return await _po_page(request, user, shortcut, po_number)


# -- acting on a PO ----------------------------------------------------------------------------

# Each action and the least role that may take it: approving price drift is an admin's call.
ACTIONS: dict[str, tuple[Action, Role]] = {
    "submit": (ordering.send_or_resume, Role.BUYER),
    "approve": (ordering.approve, Role.ADMIN),
    "release": (ordering.release, Role.BUYER),
    "cancel": (ordering.cancel, Role.BUYER),
    "refresh": (ordering.refresh, Role.BUYER),
}


async def _action_page(request: Request, shortcut: str, po_number: str, action: str) -> Response:
    """An action's address opened as a page: Cancel asks first (it cannot be undone, and a
    link or a reload must not cancel anything); the others, whose form is on the PO's page
    (a reload after a refusal), lead back there."""
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    if action != "cancel":
        return render.redirect(po_url(shortcut, po_number))
    async with render.rt(request).sessions() as session:
        try:
            po = po_json(await ordering.find_po(session, shortcut=shortcut, po_number=po_number))
        except NotFound:
            raise PageNotFound from None
    if not actions(po, user).cancel:  # cancelled already, or not this user's to cancel
        return render.redirect(po_url(shortcut, po_number))
    return render.page(request, "po_cancel.html", user, shortcut=shortcut, po=_view(po))


def _action_address(action: str) -> Any:
    async def opened(request: Request, shortcut: str, po_number: str) -> Response:
        return await _action_page(request, shortcut, po_number, action)

    return opened


# One GET per action, not a path parameter: /pos/{po}/invoices is another module's page.
for _name in ACTIONS:
    router.add_api_route(
        f"/t/{{shortcut}}/pos/{{po_number}}/{_name}",
        _action_address(_name),
        methods=["GET"],
        response_model=None,
        include_in_schema=False,
    )


@router.post("/t/{shortcut}/pos/{po_number}/{action}", response_model=None)
async def act(request: Request, shortcut: str, po_number: str, action: str) -> Response:
    if action not in ACTIONS:
        raise PageNotFound
    work, role = ACTIONS[action]
    user = await signed_in(request)
    web.tenant_page(user, shortcut, role)
    await web.check_csrf(request, user.csrf_token)
    try:
        async with render.rt(request).sessions() as session:
            await ordering.act(
                session, context(request, user), work, shortcut=shortcut, po_number=po_number
            )
    except DistyError as exc:
        # The PO is read again in a new session: what the failed action changed is not shown
        # (and a PO that does not exist is the page's 404 there).
        message, status = failure(exc)
        return await _po_page(request, user, shortcut, po_number, error=message, status=status)
    return render.redirect(po_url(shortcut, po_number))
