"""What every answer carries for the browser's sake, and who the client is.

Headers (on the console, the API, the webhook receiver alike):
- Content-Security-Policy: scripts and styles only from disty itself, none inline, so markup
  that slipped into a page (a distributor's text, a tracking link) cannot run; no framing
  (clickjacking), no plugins, forms post only to disty;
- X-Frame-Options DENY (older browsers), X-Content-Type-Options nosniff;
- Referrer-Policy same-origin: sign-in links carry their token in the URL, and a PO page links
  to carriers' sites; neither may leak a URL to another site;
- Strict-Transport-Security when disty's public URL is https.

/docs (Swagger UI, from FastAPI) is the one page with a script of its own inline: it gets its
own policy that allows exactly that script (by hash) and Swagger UI's inline styles. Swagger
UI's files come from the swagger-ui-bundle-v2 package, served under /docs/assets: the page works
on a machine without internet access, and loads nothing from another site.

The client address (what sign-in and API throttling count by) is the connection's peer;
X-Forwarded-For is believed only from the proxies listed in DISTY_TRUSTED_PROXIES (uvicorn's
own handling, which trusts any local peer, is switched off in ``disty serve``).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
DOCS_ASSETS = "/docs/assets"  # Swagger UI's own files, from the swagger-ui-bundle-v2 package
HSTS = "max-age=31536000"


class HeaderPolicy:
    """The headers above, for an answer: ``completed`` adds each one the answer does not set
    itself. One per app, shared by ``SecurityHeaders`` and the webhook receiver's door
    (web/webhooks.py), which answers deliveries ahead of the middleware."""

    def __init__(self, *, https: bool) -> None:
        common = [
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if https:
            common.append((b"strict-transport-security", HSTS.encode()))
        self.common = common
        self.policy = (b"content-security-policy", CONSOLE_POLICY.encode())

    def completed(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        names = {name.lower() for name, _ in headers}
        added = [h for h in self.common if h[0] not in names]
        if b"content-security-policy" not in names:
            added.append(self.policy)
        return [*headers, *added]


class SecurityHeaders:
    """Adds the headers above to every HTTP answer that does not set its own policy."""

    def __init__(self, app: ASGIApp, *, policy: HeaderPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = self.policy.completed(list(message.get("headers", [])))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _script_hashes(html: str) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )


def install_docs(app: FastAPI) -> None:
    """/docs with a policy of its own (create the app with docs_url=None, redoc_url=None)."""

    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API",
            oauth2_redirect_url=None,
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}/favicon.ico",
        )
        html = bytes(page.body).decode()
        page.headers["content-security-policy"] = (
            f"default-src 'self'; script-src 'self' {_script_hashes(html)}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
        )
        return page

    app.add_route("/docs", docs, include_in_schema=False)
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")


def client_address(request: Request) -> str:
    """The client's address (after DISTY_TRUSTED_PROXIES were applied), for counting. An IPv6
    client is counted by its /64: one subscriber or machine is handed a whole /64, so counting
    single addresses would give it 2^64 fresh allowances."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return host
