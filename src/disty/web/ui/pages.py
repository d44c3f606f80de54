"""The web console's pages. Server-rendered; every form post carries its CSRF token; routes
stay thin and call the same services as the CLI and the JSON API. Secrets are write-only:
the pages show them masked, and a blank secret field keeps the saved value."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from disty.domain.connections import ApiType
from disty.domain.countries import SITES, country_site
from disty.errors import DistyError, InvalidInput, NotFound
from disty.runtime import Runtime
from disty.services import (
    assistant,
    connections,
    keyset,
    po_summary,
    setup_guide,
    tenants,
    users,
)
from disty.services.connections import ConnectionChanges, ConnectionView
from disty.services.ordering import Context
from disty.services.run_test import run_test
from disty.services.users import ConsoleUser, Role
from disty.services.webhooks import event_list, event_lookup, processing, refusals
from disty.services.webhooks.event_lookup import EventFilter
from disty.services.webhooks.refusals import WebhookHealth
from disty.suppliers import registry
from disty.suppliers.registry import Registration, Setting
from disty.web.security import client_address
from disty.web.ui import csv_export, lists, render
from disty.web.ui import session as web
from disty.web.ui.render import said, signed_in
from disty.web.ui.session import Forbidden, PageNotFound, SignInNeeded

router = APIRouter(include_in_schema=False)

# -- signing in and out -----------------------------------------------------------------------


@router.get("/", response_model=None)
async def home(request: Request) -> Response:
    try:
        user = await web.current_user(request)
    except SignInNeeded:
        return render.redirect("/login")
    if user.is_operator:
        return render.redirect("/operator")
    return render.redirect(f"/t/{user.shortcut}")


def _login_page(request: Request, error: str | None, status: int = 200) -> HTMLResponse:
    token = web.login_csrf_token(request)
    response = render.page(
        request, "login.html", None, status, error=error, csrf_token=token,
        next=request.query_params.get("next", ""),
    )  # fmt: skip
    web.set_login_csrf(request, response, token)
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    return _login_page(request, None)


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = await request.form()
    given = str(form.get("csrf_token") or "")
    cookie = request.cookies.get(web.LOGIN_CSRF_COOKIE) or ""
    if not cookie or not hmac.compare_digest(given, cookie):
        raise Forbidden("the sign-in form expired: reload the page and sign in again")
    rt = render.rt(request)
    email = str(form.get("email") or "")
    try:
        async with rt.sessions() as session:
            user = await users.sign_in(
                session, email=email, password=str(form.get("password") or ""),
                client=client_address(request), guard=request.app.state.sign_in_guard,
                device=web.trusted_device(request, rt, email),
            )  # fmt: skip
            token = await users.open_session(session, user)
    except (users.Throttled, users.Busy) as exc:
        refused = _login_page(request, str(exc), 429)
        refused.headers["Retry-After"] = str(exc.retry_after_s)
        return refused
    except users.SignInRefused as exc:
        return _login_page(request, str(exc), 401)
    nxt = str(form.get("next") or "")
    target = "/password" if user.must_change_password else (nxt if nxt.startswith("/t/") else "/")
    response = render.redirect(target)
    web.set_session(request, response, rt, token)
    web.set_device(request, response, rt, user.email)
    return response


def _link_page(
    request: Request, *, token: str, email: str | None, error: str | None, status: int = 200
) -> HTMLResponse:
    csrf = web.login_csrf_token(request)
    response = render.page(
        request, "link.html", None, status, token=token, email=email, error=error, csrf_token=csrf
    )
    web.set_login_csrf(request, response, csrf)
    return response


@router.get("/login/link", response_class=HTMLResponse)
async def link_form(request: Request, token: str = "") -> HTMLResponse:
    # Showing the link spends nothing (mail scanners and previews open links); the button does.
    async with render.rt(request).sessions() as session:
        user = await users.link_user(session, token) if token else None
    if user is None:
        return _link_page(request, token="", email=None, status=410,
                          error="This sign-in link was used already or has expired.")  # fmt: skip
    return _link_page(request, token=token, email=user.email, error=None)


@router.post("/login/link", response_model=None)
async def link_sign_in(request: Request) -> Response:
    form = await request.form()
    given = str(form.get("csrf_token") or "")
    cookie = request.cookies.get(web.LOGIN_CSRF_COOKIE) or ""
    if not cookie or not hmac.compare_digest(given, cookie):
        raise Forbidden("the sign-in form expired: open the link again")
    rt = render.rt(request)
    try:
        async with rt.sessions() as session:
            user = await users.use_sign_in_link(session, str(form.get("token") or ""))
            token = await users.open_session(session, user, from_link=True)
    except users.LinkRefused as exc:
        return _link_page(request, token="", email=None, error=str(exc), status=410)
    response = render.redirect("/password" if user.must_change_password else "/")
    web.set_session(request, response, rt, token)
    web.set_device(request, response, rt, user.email)
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request) -> Response:
    user = await web.current_user(request)
    await web.check_csrf(request, user.csrf_token)
    token = web.session_token(request)
    if token:
        async with render.rt(request).sessions() as session:
            await users.close_session(session, token)
    response = render.redirect("/login")
    response.delete_cookie(web.COOKIE, path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_form(request: Request) -> HTMLResponse:
    user = await web.current_user(request)
    return render.page(request, "password.html", user, error=None)


@router.post("/password", response_model=None)
async def change_password(request: Request) -> Response:
    user = await web.current_user(request)
    form = await web.check_csrf(request, user.csrf_token)
    if form.get("password") != form.get("confirm"):
        return render.page(
            request, "password.html", user, 422, error="the two new passwords differ"
        )
    try:
        async with render.rt(request).sessions() as session:
            current = None if user.from_link else form.get("current", "")
            await users.change_password(session, user.id, current, form.get("password", ""))
            token = web.session_token(request)
            if token:
                await users.close_other_sessions(session, user.id, token)
                await users.password_chosen(session, token)
    except DistyError as exc:
        return render.page(request, "password.html", user, 422, error=said(exc))
    return render.redirect("/")


# -- the dashboard ---------------------------------------------------------------------------


async def _views(rt: Runtime, shortcut: str) -> list[ConnectionView]:
    async with rt.sessions() as session:
        return await connections.list_connections(
            session, shortcut=shortcut, box=rt.box, public_url=rt.settings.effective_public_url
        )


async def _health(
    session: AsyncSession, shortcut: str, registration: Registration, country_id: int
) -> WebhookHealth | None:
    """The connection's webhook deliveries, for a supplier that has webhooks."""
    if registration.webhooks is None:
        return None
    tenant = await tenants.get_tenant(session, shortcut)
    connection = await connections.get_connection(session, tenant, registration.key, country_id)
    return await refusals.webhook_health(session, connection.id)


@router.get("/t/{shortcut}", response_class=HTMLResponse)
async def dashboard(request: Request, shortcut: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut)
    saved = request.query_params.get("saved")
    return await _dashboard(request, user, shortcut, saved=_saved_note(saved) if saved else None)


async def _dashboard(
    request: Request,
    user: ConsoleUser,
    shortcut: str,
    *,
    prefer: list[str] | None = None,
    error: str | None = None,
    saved: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    rt = render.rt(request)
    async with rt.sessions() as session:
        try:
            tenant = await tenants.get_tenant(session, shortcut)
        except NotFound:
            raise PageNotFound from None
    views = {(v.supplier, v.country_id): v for v in await _views(rt, shortcut)}
    rows = []
    # One row per supplier and tenant country it serves, in registry order.
    for registration in registry.registrations():
        for country_id in tenant.country_ids:
            if country_id not in registration.countries:
                continue
            view = views.get((registration.key, country_id))
            health = None
            expires = None
            if view is not None:
                async with rt.sessions() as session:
                    health = await _health(session, shortcut, registration, country_id)
                    connection = await connections.get_connection(
                        session, tenant, registration.key, country_id
                    )
                    try:
                        expires = await rt.suppliers.adapter(connection).token_expires_at()
                    except DistyError:
                        expires = None
            rows.append(
                {
                    "supplier": registration.name,
                    "country": country_site(country_id),
                    "status": setup_guide.supplier_status(registration, view),
                    "view": view,
                    "health": health,
                    "webhooks": registration.webhooks is not None,
                    "token_expires_at": expires,
                    "href": _supplier_url(shortcut, registration.key, country_id),
                }
            )
    async with rt.sessions() as session:
        pos = await po_summary.summary(session, shortcut=shortcut)
    return render.page(
        request, "dashboard.html", user, status, tenant=tenant, rows=rows, pos=pos,
        suppliers=list(registry.registrations()), error=error, saved=saved,
        connected_any=bool(views),
        prefer=list(tenant.supplier_preference or []) if prefer is None else prefer,
    )  # fmt: skip


# -- Admin: suppliers, the webhook log, the supplier preference ------------------------------


@router.get("/t/{shortcut}/admin", response_class=HTMLResponse)
async def admin(request: Request, shortcut: str) -> HTMLResponse:
    """The Admin menu's page: each supplier the tenant may connect (set up or edit it), what AI
    assistants may submit alone, and the other admin pages."""
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    saved = request.query_params.get("saved") == "assistant-limits"
    return await _admin_page(request, user, shortcut, saved=saved)


async def _admin_page(
    request: Request,
    user: ConsoleUser,
    shortcut: str,
    *,
    limits_error: str | None = None,
    limits_given: dict[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    """``limits_given``: a refused limits form's values, shown again beside its error."""
    rt = render.rt(request)
    async with rt.sessions() as session:
        try:
            tenant = await tenants.get_tenant(session, shortcut)
        except NotFound:
            raise PageNotFound from None
        limits = await assistant.limits(session, shortcut)
    views = {(v.supplier, v.country_id): v for v in await _views(rt, shortcut)}
    rows = [
        {
            "supplier": registration.name,
            "country": country_site(country_id),
            "status": setup_guide.supplier_status(
                registration, views.get((registration.key, country_id))
            ),
            "saved": (registration.key, country_id) in views,
            "href": _supplier_url(shortcut, registration.key, country_id),
        }
        for registration in registry.registrations()
        for country_id in tenant.country_ids
        if country_id in registration.countries
    ]
    shown = limits_given or {
        "per_po": "" if limits.per_po is None else str(limits.per_po),
        "per_day": "" if limits.per_day is None else str(limits.per_day),
    }
    return render.page(
        request, "admin.html", user, status, tenant=tenant, rows=rows, limits=limits,
        limits_shown=shown, limits_error=limits_error, limits_saved=saved,
    )  # fmt: skip


# -- Admin > AI assistants' limits ------------------------------------------------------------


@router.post("/t/{shortcut}/assistant-limits", response_model=None)
async def set_assistant_limits(request: Request, shortcut: str) -> Response:
    """What order-scope AI assistants (MCP) may submit without a person: both limits (per PO,
    per UTC day), or both blank for drafts only. The same rules and audit entry as the API's
    PUT /api/v1/tenant/assistant-limits and ``disty tenant assistant-limits``."""
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    form = await web.check_csrf(request, user.csrf_token)
    given = {name: form.get(name, "").strip() for name in ("per_po", "per_day")}
    async with render.rt(request).sessions() as session:
        try:
            await assistant.set_limits(
                session, shortcut, per_po=assistant.parse_limit(given["per_po"], "per_po"),
                per_day=assistant.parse_limit(given["per_day"], "per_day"),
                actor=f"console:{user.email}",
            )  # fmt: skip
        except InvalidInput as exc:
            error = said(exc)
        else:
            return render.redirect(f"/t/{shortcut}/admin?saved=assistant-limits#assistant-limits")
    return await _admin_page(
        request, user, shortcut, limits_error=error, limits_given=given, status=422
    )


def _saved_note(query: str) -> str | None:
    """ "<Supplier> settings saved (<country>)." after Save and Exit
    (``?saved=<supplier>-<country id>``), None for anything else."""
    key, _, country = query.rpartition("-")
    try:
        registration = registry.get(key)
        site = country_site(int(country))
    except (InvalidInput, ValueError, KeyError):
        return None
    return f"{registration.name} settings saved ({site.name})."


# -- Admin > the supplier preference ----------------------------------------------------------


@router.post("/t/{shortcut}/supplier-preference", response_model=None)
async def set_supplier_preference(request: Request, shortcut: str) -> Response:
    """The tenant's stored preference: sourcing's tie-break when a comparison names none.
    Form fields ``prefer-1``, ``prefer-2``... in order; all blank clears it."""
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    form = await web.check_csrf(request, user.csrf_token)
    count = len(registry.registrations())
    chosen = [form.get(f"prefer-{n}", "").strip() for n in range(1, count + 1)]
    chosen = list(dict.fromkeys(key for key in chosen if key))  # a supplier twice: once
    rt = render.rt(request)
    async with rt.sessions() as session:
        try:
            await tenants.update_tenant(
                session, shortcut, prefer=chosen, actor=f"console:{user.email}"
            )
        except InvalidInput as exc:
            error = said(exc)
        else:
            return render.redirect(f"/t/{shortcut}#supplier-preference")
    return await _dashboard(request, user, shortcut, prefer=chosen, error=error, status=422)


# -- Admin > Suppliers > <a supplier> > <a country> ------------------------------------------


def _supplier_url(shortcut: str, supplier: str, country_id: int) -> str:
    return f"/t/{shortcut}/suppliers/{quote(supplier, safe='')}/{country_id}"


def _registration(supplier: str, country_id: int) -> Registration:
    """The supplier of a settings page: a 404 for a key disty does not know, or a country the
    supplier does not serve."""
    try:
        registration = registry.get(supplier)
    except InvalidInput:
        raise PageNotFound from None
    if country_id not in registration.countries or country_id not in SITES:
        raise PageNotFound
    return registration


def _form_groups(registration: Registration) -> list[tuple[str | None, list[Setting]]]:
    """The declared settings as the form shows them: those of every API type first, then
    those of some API types under a legend naming them ("For XML")."""
    groups: dict[frozenset[ApiType], list[Setting]] = {}
    for setting in registration.settings:
        groups.setdefault(setting.api_types, []).append(setting)
    shown: list[tuple[str | None, list[Setting]]] = []
    for types, settings in sorted(groups.items(), key=lambda group: bool(group[0])):
        labels = [label for t, label in registration.api_types.items() if t in types]
        shown.append(("For " + " and ".join(labels) if types else None, settings))
    return shown


async def _settings_page(
    request: Request,
    user: ConsoleUser,
    shortcut: str,
    registration: Registration,
    country_id: int,
    *,
    error: str | None = None,
    error_field: str | None = None,
    submitted: dict[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    """``submitted``: a refused form's values, shown again so that one bad field does not
    throw away the others (secrets excepted: never echoed), the error beside its field."""
    rt = render.rt(request)
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, shortcut)
        found = [
            v
            for v in await _views(rt, shortcut)
            if v.supplier == registration.key and v.country_id == country_id
        ]
        view = found[0] if found else None
        health = None
        evidence = None
        if view is not None:
            health = await _health(session, shortcut, registration, country_id)
            if registration.setup_guide is not None:
                connection = await connections.get_connection(
                    session, tenant, registration.key, country_id
                )
                evidence = await setup_guide.order_evidence(session, connection.id)
    url = connections.webhook_url(
        rt.settings.effective_public_url, registration.key, shortcut, country_id
    )
    return render.page(
        request, "supplier.html", user, status, tenant=tenant, site=country_site(country_id),
        supplier=registration, groups=_form_groups(registration), view=view,
        destination_url=url, steps=setup_guide.guide(registration, view, health, evidence),
        report=view.last_test_result if view else None, error=error,
        error_field=error_field, values=_shown_values(registration, submitted), saved=saved,
        secrets_dropped=_secrets_typed(registration, submitted),
        health=health, page_url=_supplier_url(shortcut, registration.key, country_id),
    )  # fmt: skip


def _shown_values(
    registration: Registration, submitted: dict[str, str] | None
) -> dict[str, str] | None:
    """A refused form's non-secret values, to fill the form with again."""
    if submitted is None:
        return None
    secret = {s.name for s in registration.settings if s.secret} | {"webhook_key"}
    return {
        k: _without_userinfo(v)
        for k, v in submitted.items()
        if k not in secret and k != "csrf_token"
    }


def _without_userinfo(value: str) -> str:
    """A typed URL without its ``user:password@``: a base URL holding a password is refused,
    and the password must not come back in the page that says so."""
    parts = urlsplit(value.strip())
    if not parts.netloc or "@" not in parts.netloc:
        return value
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _secrets_typed(registration: Registration, submitted: dict[str, str] | None) -> bool:
    """Whether a refused form carried secrets, which the page does not show again."""
    if submitted is None:
        return False
    secret = [s.name for s in registration.settings if s.secret] + ["webhook_key"]
    return any(submitted.get(name, "").strip() for name in secret)


@router.get("/t/{shortcut}/suppliers/{supplier}/{country_id}", response_class=HTMLResponse)
async def supplier_settings(
    request: Request, shortcut: str, supplier: str, country_id: int
) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    registration = _registration(supplier, country_id)
    saved = request.query_params.get("saved") == "1"
    return await _settings_page(request, user, shortcut, registration, country_id, saved=saved)


def _changes(registration: Registration, form: dict[str, str]) -> ConnectionChanges:
    """The update a settings form asks for: its declared settings only (other fields are
    ignored); a blank field keeps the saved value, so a secret, never shown, is kept."""

    def text(name: str) -> str | None:
        value = form.get(name, "").strip()
        return value or None

    declared = {s.name: text(s.name) for s in registration.settings}
    key = text("webhook_key") if registration.webhooks is not None else None
    return ConnectionChanges.of(
        **declared,
        api_type=text("api_type"),
        base_url=text("base_url"),
        webhook_key=key,
        webhook_label=text("webhook_label") if key else None,
    )


@router.post("/t/{shortcut}/suppliers/{supplier}/{country_id}", response_model=None)
async def save_supplier(
    request: Request, shortcut: str, supplier: str, country_id: int
) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    registration = _registration(supplier, country_id)
    form = await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    try:
        async with rt.sessions() as session:
            await connections.set_connection(
                session, shortcut=shortcut, supplier=registration.key, country_id=country_id,
                changes=_changes(registration, form), box=rt.box,
                public_url=rt.settings.effective_public_url, grace=rt.settings.webhook_key_grace,
                actor=f"console:{user.email}",
                allow_custom_urls=rt.settings.allow_custom_supplier_urls,
            )  # fmt: skip
    except DistyError as exc:
        return await _settings_page(
            request, user, shortcut, registration, country_id, error=said(exc), status=422,
            error_field=getattr(exc, "field", None), submitted=form,
        )  # fmt: skip
    if form.get("action") == "exit":
        return render.redirect(f"/t/{shortcut}?saved={quote(registration.key)}-{country_id}")
    return render.redirect(_supplier_url(shortcut, registration.key, country_id) + "?saved=1")


@router.get("/t/{shortcut}/suppliers/{supplier}/{country_id}/test", response_model=None)
async def test_address(request: Request, shortcut: str, supplier: str, country_id: int) -> Response:
    """Run Test's form address opened as a page (a reload after a refusal): its result is
    on the settings page, where the last Run Test is kept."""
    return render.redirect(_supplier_url(shortcut, supplier, country_id) + "#run-test")


@router.post("/t/{shortcut}/suppliers/{supplier}/{country_id}/test", response_model=None)
async def test_supplier(
    request: Request, shortcut: str, supplier: str, country_id: int
) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    registration = _registration(supplier, country_id)
    await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    try:
        async with rt.sessions() as session:
            await run_test(
                session, shortcut=shortcut, supplier=registration.key, country_id=country_id,
                suppliers=rt.suppliers,
            )  # fmt: skip
    except DistyError as exc:
        return await _settings_page(
            request, user, shortcut, registration, country_id, error=said(exc), status=422
        )
    # Redirect after the post: Run Test keeps its result on the connection (the dashboard and
    # the CLI show it too), so the settings page shows it, and a reload runs nothing again.
    return render.redirect(_supplier_url(shortcut, registration.key, country_id) + "#run-test")


# -- webhook log -------------------------------------------------------------------------------


EVENT_FILTERS = ("status", "from", "to", "q")


def _event_filter(shortcut: str, kept: dict[str, str]) -> EventFilter:
    """The log's filter (InvalidInput for a bad date or status): ``from``/``to`` are UTC days."""
    return EventFilter(
        shortcut, status=kept["status"] or None, limit=keyset.PAGE_SIZE,
        received_from=keyset.day_start(lists.day(kept, "from")),
        received_to=keyset.day_end(lists.day(kept, "to")), q=kept["q"] or None,
    )  # fmt: skip


@router.get("/t/{shortcut}/webhooks", response_class=HTMLResponse)
async def webhook_log(request: Request, shortcut: str) -> HTMLResponse:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    rt = render.rt(request)
    kept = lists.kept(request, *EVENT_FILTERS, limit=128)
    found, following, error = [], None, None
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, shortcut)
        try:
            listed = await event_list.events(
                session, _event_filter(shortcut, kept), after=request.query_params.get("after")
            )
            found, following = listed.rows, listed.next
        except InvalidInput as exc:
            error = str(exc)
        rejected = []
        for registration in registry.with_webhooks():
            for country_id in tenant.country_ids:
                try:
                    connection = await connections.get_connection(
                        session, tenant, registration.key, country_id
                    )
                except NotFound:
                    continue
                health = await refusals.webhook_health(session, connection.id)
                counts = await refusals.rejection_counts(session, connection.id)
                rejected.append(
                    {"supplier": registration.name, "country": country_site(country_id),
                     "health": health, "counts": counts}
                )  # fmt: skip
    base = f"/t/{shortcut}/webhooks"
    return render.page(
        request, "webhooks.html", user, 422 if error else 200, tenant=tenant, events=found,
        rejected=rejected, error=error, filters=kept,
        statuses=[s.value for s in event_lookup.EventStatus],
        next_url=lists.link(base, kept, after=following) if following else None,
        first_url=lists.link(base, kept) if request.query_params.get("after") else None,
        export_url=lists.link(base + ".csv", kept),
    )  # fmt: skip


@router.get("/t/{shortcut}/webhooks.csv", response_model=None)
async def webhook_export(request: Request, shortcut: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    try:
        chosen = _event_filter(shortcut, lists.kept(request, *EVENT_FILTERS, limit=128))
        if chosen.status is not None:
            event_lookup.EventStatus(chosen.status)
    except (InvalidInput, ValueError) as exc:
        return lists.invalid(exc)

    async def rows() -> AsyncIterator[list[Any]]:
        async for e in event_list.export(render.rt(request).sessions, chosen):
            yield [
                e.received_at, e.event_id, e.supplier, e.country_id, e.event_type, e.status,
                e.attempts, e.outcome, e.error, e.processed_at,
            ]  # fmt: skip

    header = [
        "Received (UTC)", "Event", "Supplier", "Country", "Type", "Status", "Attempts",
        "Outcome", "Error", "Processed (UTC)",
    ]  # fmt: skip
    return csv_export.response(f"{shortcut}-webhook-events.csv", header, rows())


@router.post("/t/{shortcut}/webhooks/{event_id}/replay", response_model=None)
async def replay(request: Request, shortcut: str, event_id: str) -> Response:
    user = await signed_in(request)
    web.tenant_page(user, shortcut, Role.ADMIN)
    await web.check_csrf(request, user.csrf_token)
    rt = render.rt(request)
    async with rt.sessions() as session:
        try:
            found = await event_lookup.find_event(session, shortcut=shortcut, event_id=event_id)
        except NotFound:
            raise PageNotFound from None
    ctx = Context(rt.suppliers, f"console:{user.email}")
    await processing.replay(rt.sessions, ctx, found.id)
    return render.redirect(f"/t/{shortcut}/webhooks#event-{quote(event_id)}")


# -- the platform operator -------------------------------------------------------------------


async def _operator_page(
    request: Request, user: ConsoleUser, error: str | None = None, status: int = 200
) -> HTMLResponse:
    async with render.rt(request).sessions() as session:
        listed = await tenants.list_tenants(session)
    return render.page(
        request, "operator.html", user, status, tenants=listed, error=error, sites=SITES
    )


async def _operator(request: Request) -> ConsoleUser:
    user = await signed_in(request)
    if not user.is_operator:
        raise Forbidden("this page is for the platform's operators")
    return user


@router.get("/operator", response_class=HTMLResponse)
async def operator(request: Request) -> HTMLResponse:
    return await _operator_page(request, await _operator(request))


@router.post("/operator/tenants", response_model=None)
async def add_tenant(request: Request) -> Response:
    user = await _operator(request)
    form = await web.check_csrf(request, user.csrf_token)
    try:
        countries = [int(str(c)) for c in (await request.form()).getlist("country")]
        async with render.rt(request).sessions() as session:
            await tenants.add_tenant(
                session, form.get("shortcut", ""), countries, form.get("name") or None
            )
    except (DistyError, ValueError) as exc:
        return await _operator_page(request, user, str(exc), 422)
    return render.redirect("/operator")
