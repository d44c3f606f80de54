"""Console sign-in state: the session cookie (signed, HttpOnly, SameSite=Lax), the signed-in
user, and the CSRF check every form post goes through.

The cookie holds a random session token and its HMAC; the database holds only the token's
SHA-256. The HMAC key is derived from DISTY_SECRET_KEYS, so a forged or truncated cookie is
refused before any query. CSRF: each session has its own token, put in every form and
compared in constant time on every post; the sign-in form, before any session exists, uses
a double-submit cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from fastapi import Request
from fastapi.responses import Response

from disty.runtime import Runtime
from disty.services import users
from disty.services.users import ConsoleUser, Role

COOKIE = "disty_session"
LOGIN_CSRF_COOKIE = "disty_login_csrf"
# A browser that signed in to an account before: its attempts on that account are counted on
# their own (users.sign_in), so a stranger's guesses cannot keep the owner out.
DEVICE_COOKIE = "disty_device"
DEVICE_LIFETIME_S = 90 * 24 * 3600


class SignInNeeded(Exception):
    """No valid session: the console answers with the sign-in page."""


class MustChangePassword(Exception):
    """Signed in with a one-time password: it must be changed first."""


class Forbidden(Exception):
    """Signed in, but this page is not for this user's role."""


class PageNotFound(Exception):
    """Not found, or another tenant's page (the two look the same)."""


def _key(rt: Runtime) -> bytes:
    return rt.box.derive("disty console session cookie")


def _mac(rt: Runtime, value: str) -> str:
    digest = hmac.new(_key(rt), value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed(rt: Runtime, value: str) -> str:
    return f"{value}.{_mac(rt, value)}"


def unsigned(rt: Runtime, cookie: str | None) -> str | None:
    if not cookie or "." not in cookie or len(cookie) > 200:
        return None
    value, _, mac = cookie.rpartition(".")
    return value if hmac.compare_digest(mac, _mac(rt, value)) else None


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, rt: Runtime, token: str) -> None:
    response.set_cookie(
        COOKIE,
        signed(rt, token),
        max_age=int(users.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def login_csrf_token(request: Request) -> str:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return cookie if cookie and len(cookie) < 100 else secrets.token_urlsafe(32)


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure(request)
    )


async def current_user(request: Request) -> ConsoleUser:
    rt: Runtime = request.app.state.rt
    token = unsigned(rt, request.cookies.get(COOKIE))
    if token is None:
        raise SignInNeeded
    async with rt.sessions() as session:
        user = await users.find_session(session, token)
    if user is None:
        raise SignInNeeded
    return user


def session_token(request: Request) -> str | None:
    rt: Runtime = request.app.state.rt
    return unsigned(rt, request.cookies.get(COOKIE))


async def check_csrf(request: Request, expected: str) -> dict[str, str]:
    """The posted form, once its CSRF token matched; Forbidden otherwise."""
    form = await request.form()
    given = form.get("csrf_token")
    if not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise Forbidden("the form expired or did not come from this console: reload and retry")
    return {k: v for k, v in form.items() if isinstance(v, str)}


def tenant_page(user: ConsoleUser, shortcut: str, role: Role = Role.VIEWER) -> None:
    """A tenant's pages are its own users' (and operators'); others get a 404."""
    if not user.is_operator and user.shortcut != shortcut:
        raise PageNotFound
    if not user.can(role):
        raise Forbidden(f"this page is for a tenant's {role.value}s")


def _device_mac(rt: Runtime, account: str, value: str) -> str:
    key = rt.box.derive("disty console device cookie")
    digest = hmac.new(key, f"{account}\n{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def trusted_device(request: Request, rt: Runtime, email: str) -> str | None:
    """The id of this browser when it signed in to ``email``'s account before (and its cookie
    has not expired), else None. The cookie names no account: it is signed for one."""
    cookie = request.cookies.get(DEVICE_COOKIE) or ""
    value, _, mac = cookie.rpartition(".")
    device, _, until = value.partition(".")
    if not (device and until.isdigit() and len(cookie) < 200):
        return None
    if int(until) < time.time():
        return None
    account = users.account_key(email)
    return device if hmac.compare_digest(mac, _device_mac(rt, account, value)) else None


def set_device(request: Request, response: Response, rt: Runtime, email: str) -> None:
    """Remember this browser for ``email``'s account (after a successful sign-in)."""
    value = f"{secrets.token_urlsafe(12)}.{int(time.time()) + DEVICE_LIFETIME_S}"
    response.set_cookie(
        DEVICE_COOKIE,
        f"{value}.{_device_mac(rt, users.account_key(email), value)}",
        max_age=DEVICE_LIFETIME_S,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/login",
    )
