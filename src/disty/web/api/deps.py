"""What the API routes ask for: the runtime, a database session, and the calling token with
the scope the route needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import IntEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from disty.errors import InvalidInput
from disty.runtime import Runtime
from disty.services.ordering import Context
from disty.services.throttle import Backoff
from disty.services.tokens import Principal, Scope, authenticate
from disty.suppliers import default_key, registry
from disty.web.api.problems import ApiProblem
from disty.web.security import client_address

bearer = HTTPBearer(auto_error=False, description="An API token: disty token create")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


async def session(rt: Annotated[Runtime, Depends(runtime)]) -> AsyncIterator[AsyncSession]:
    async with rt.sessions() as opened:
        yield opened


Rt = Annotated[Runtime, Depends(runtime)]
Session = Annotated[AsyncSession, Depends(session)]


async def principal(
    request: Request,
    rt: Rt,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The calling token. A client that sent too many unknown tokens must wait before it may
    send another (429 with Retry-After); that is checked before the database is asked, so
    guessing costs the guesser time and disty nothing. Valid tokens are never counted, and
    requests in flight are not either (a busy integration may send many at once); the price
    is that a burst of simultaneous bad tokens is counted only as its answers come in. On
    PostgreSQL each unknown token is also counted for every replica (one write, whose answer
    this process then holds to); a valid token costs no extra query."""
    unauthorized = ApiProblem(
        401,
        "unauthorized",
        "Authentication required",
        "send 'Authorization: Bearer <token>' with a token from 'disty token create'",
        {"WWW-Authenticate": "Bearer"},
    )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized
    failures: Backoff = request.app.state.bad_tokens
    client = client_address(request)
    wait = failures.wait_s(client)
    if wait > 0:
        raise too_many_bad_tokens(wait)
    async with rt.sessions() as opened:
        found = await authenticate(opened, credentials.credentials)
    if found is None:
        failures.failed(client)
        await failures.record(client, failed=True)  # PostgreSQL: counted for every replica
        unauthorized.detail = (
            "the token is unknown or revoked: create one with 'disty token create'"
        )
        raise unauthorized
    return found


def too_many_bad_tokens(wait_s: float) -> ApiProblem:
    """The answer to a client that must wait (``app.state.bad_tokens``): here and at /mcp."""
    seconds = max(1, int(wait_s + 0.999))
    return ApiProblem(
        429,
        "too-many-failed-authentications",
        "Too many unknown tokens",
        f"this client sent too many unknown or revoked tokens: wait {seconds} seconds, "
        "then retry with a valid token (disty token list shows them)",
        {"Retry-After": str(seconds)},
    )


def require(caller: Principal, scope: Scope) -> Principal:
    """The caller, if its token has ``scope``; else 403 saying which scope is needed."""
    if scope not in caller.scopes:
        raise ApiProblem(
            403,
            "forbidden",
            "Missing scope",
            f"this needs a token with the {scope.value!r} scope "
            f"(this one has {', '.join(sorted(s.value for s in caller.scopes))})",
        )
    return caller


def need(scope: Scope) -> object:
    async def check(caller: Annotated[Principal, Depends(principal)]) -> Principal:
        return require(caller, scope)

    return Depends(check)


Reader = Annotated[Principal, need(Scope.READ)]
Orderer = Annotated[Principal, need(Scope.ORDER)]
Admin = Annotated[Principal, need(Scope.ADMIN)]


def context(rt: Runtime, caller: Principal) -> Context:
    return Context(rt.suppliers, caller.actor)


def _registered(key: str) -> str:
    try:
        return registry.get(key).key
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None  # a 422 naming the field, as any bad value


# A registered supplier's key (GET /api/v1/suppliers lists them); a request that names none
# means DEFAULT_SUPPLIER. Checked against the registry when the request comes, so a supplier
# registered after this module was imported (a plug-in, a test's own) is accepted too.
SupplierName = Annotated[str, StringConstraints(max_length=32), AfterValidator(_registered)]
DEFAULT_SUPPLIER = default_key()


# The country sites, spelled out so the OpenAPI document (and clients generated from it) knows
# them.


class CountryId(IntEnum):
    """1 = United States, 29 = Canada (an enum, so "1" in a path or query is accepted)."""

    US = 1
    CA = 29
