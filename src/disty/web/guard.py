"""Refuse, before any route runs, a path or query string holding control characters (NUL
above all): no route has a use for them, and PostgreSQL cannot even compare text with NUL,
so letting one through would turn a stranger's request into a 500."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from disty.suppliers.http import deadline
from disty.web.api.problems import MEDIA_TYPE

_BODY = json.dumps(
    {
        "type": "https://disty.dev/problems/invalid-request",
        "title": "Invalid request",
        "status": 400,
        "detail": "control characters (such as NUL) are not allowed in the path or query",
    }
).encode()


_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def _has_control(data: bytes) -> bool:
    # A regular expression, not a loop over the bytes: it runs on every request.
    return _CONTROL.search(data) is not None


def has_control_characters(scope: Scope) -> bool:
    """Whether the request's path or query string holds a control character."""
    path = scope.get("path", "").encode("utf-8", "surrogateescape")
    query = unquote_to_bytes(scope.get("query_string", b""))
    return _has_control(path) or _has_control(query)


class ControlCharacterGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and has_control_characters(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", MEDIA_TYPE.encode()),
                        (b"content-length", str(len(_BODY)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _BODY})
            return
        await self.app(scope, receive, send)


class SupplierDeadline:
    """Every HTTP request (a console page, an API call) spends at most ``seconds`` on
    distributors, all its calls together: a call that would wait longer (a Retry-After in a
    429 storm) fails at once, and the page or problem says when to try again."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with deadline(self.seconds):
            await self.app(scope, receive, send)


class QuietHangUps:
    """A client that hangs up (or is cut off by the server's deadlines, web/server.py) while a
    route reads its body leaves nobody to answer: end the request there, instead of a 500 and a
    traceback in the log for every stranger who does it on purpose."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            return
