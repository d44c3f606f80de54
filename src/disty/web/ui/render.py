"""What every console page module shares: the templates, rendering a page, the 303 redirect
after a post, the runtime, and the signed-in check. Page modules (sign-in and settings,
products, POs, documents) each keep an APIRouter of their own and use only these."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from disty import formatting
from disty.errors import DistyError, InvalidInput
from disty.runtime import Runtime
from disty.services.users import ConsoleUser
from disty.suppliers import registry
from disty.web.ui import session as web
from disty.web.ui.session import MustChangePassword

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def http_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL, else None: the only URLs a page may turn
    into a link when they come from elsewhere (a distributor's tracking URL could be
    ``javascript:...``, which escaping does not defuse). Use it as ``{{ url | http_url }}``
    wherever such a URL becomes an href, and show the text alone when it answers None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


templates.env.filters["http_url"] = http_url
# Money, times and statuses in one format on every page (disty/formatting.py says which):
# ``{{ amount | money(currency) }}``, ``{{ moment | when }}``, ``{{ day | day }}``.
templates.env.filters.update(
    money=formatting.money,
    when=formatting.when,
    day=formatting.day,
    po_status=formatting.po_status,
    check_status=formatting.check_status,
    event_status=formatting.event_status,
)


def event_label(supplier: str, event_type: str) -> str:
    """A webhook event type as its supplier's registration names it."""
    try:
        return registry.get(supplier).event_label(event_type)
    except InvalidInput:  # a supplier no longer installed: its events still list
        return formatting.humanize(event_type)


templates.env.globals["event_label"] = event_label


def rt(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.rt
    return runtime


def page(
    request: Request, name: str, user: ConsoleUser | None, status: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"user": user, **context}, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def signed_in(request: Request) -> ConsoleUser:
    """The signed-in user, who has already changed a one-time password."""
    user = await web.current_user(request)
    if user.must_change_password:
        raise MustChangePassword
    return user


def said(exc: DistyError) -> str:
    """An error as the console says it: its console wording where its next step names a CLI
    command or option (errors.py), else its one message."""
    return exc.console_message or str(exc)
