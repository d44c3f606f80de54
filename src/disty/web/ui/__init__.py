"""The web console (server-rendered, Jinja2): sign-in, the Supplier Status box, each
supplier's settings with its set-up guide and the webhook log (pages.py); products and live prices
(products.py); POs (orders.py); quotes, invoices and returns (documents.py); a list compared
across suppliers and bought as one PO per supplier (compare.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from disty.web.api.problems import Problem
from disty.web.ui import compare, documents, orders, products
from disty.web.ui.pages import router
from disty.web.ui.render import templates
from disty.web.ui.session import Forbidden, MustChangePassword, PageNotFound, SignInNeeded

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(products.router)
    app.include_router(orders.router)
    app.include_router(documents.router)
    app.include_router(compare.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def favicon(_: Request) -> Response:
        # Browsers ask for /favicon.ico whatever a page links: the console's SVG answers.
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    app.add_route("/favicon.ico", favicon, include_in_schema=False)

    async def sign_in(request: Request, _: Exception) -> Response:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    async def change_password(_: Request, __: Exception) -> Response:
        return RedirectResponse("/password", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        return _error(request, 403, "Not allowed", str(exc) or "This page is not for you.")

    async def not_found(request: Request, _: Exception) -> Response:
        return _error(request, 404, "Not found", "There is no such page.")

    app.add_exception_handler(SignInNeeded, sign_in)
    app.add_exception_handler(MustChangePassword, change_password)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(PageNotFound, not_found)


def error_page(request: Request, problem: Problem, headers: dict[str, str]) -> Response | None:
    """A person's browser gets a page for an error (a mistyped address, a reload of a form's
    address, a failure), not a problem document; API clients (``/api/``, or anything not
    asking for HTML: scripts, distributors' webhooks) get None, so the problem."""
    if request.url.path.startswith("/api/"):
        return None
    if "text/html" not in request.headers.get("accept", ""):
        return None
    detail = {
        404: "There is no such page.",
        405: "This address is a form's: go back to its page and send the form again.",
    }.get(problem.status, problem.detail)
    response = _error(request, problem.status, problem.title, detail)
    response.headers.update(headers)
    return response


def _error(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"user": None, "title": title, "detail": detail},
        status_code=status,
    )
