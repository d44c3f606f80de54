"""The Partner REST API's OAuth2 token, and the check every REST call meets first.

NOTES 8.1: ``POST https://sso.us.tdsynnex.com/oauth2/v1/token`` with a form body
``grant_type=client_credentials&client_id=..&client_secret=..`` answers
``{"access_token", "token_type": "Bearer", "expires_in": 7200}``; one client posts to the API
host's ``/oauth2/v1/token`` instead. Both are served (``api.py``). Token errors carry the
standard OAuth2 ``error`` / ``error_description`` one client reads, and the REST error shape
(8.5) beside them, so a client reading either finds its fields. Only the form body is read,
as every client in the evidence sends it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.tdsynnex import rest_errors as e
from disty.simulator.tdsynnex.rest_access import TOKEN_TTL_S
from disty.simulator.tdsynnex.state import TdState


def token(state: TdState) -> Callable[[Request], Awaitable[Response]]:
    async def issue(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", "replace")
        params = dict(parse_qsl(body, keep_blank_values=True))
        missing = [k for k in ("grant_type", "client_id", "client_secret") if not params.get(k)]
        if missing:
            return _oauth_error(
                400, "invalid_request", f"Missing required parameter(s): {', '.join(missing)}"
            )
        if params["grant_type"] != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", f"Unsupported grant type: {params['grant_type']}"
            )
        if not state.rest.authenticate(params["client_id"], params["client_secret"]):
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        return JSONResponse(
            {
                "access_token": state.rest.issue(state.clock.now()),
                "token_type": "Bearer",
                "expires_in": TOKEN_TTL_S,
            },
            headers={"Cache-Control": "no-store"},
        )

    return issue


def admit(request: Request, state: TdState) -> Response | None:
    """None when the call may go on; else the answer: 401 for a missing, unknown or expired
    token, 429 with ``Retry-After`` past the client's calls per simulated minute."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return e.rest_error(401, e.NO_TOKEN, "Authorization: Bearer <access token> is required")
    now = state.clock.now()
    client, expired = state.rest.holder(value.strip(), now)
    if client is None:
        return e.rest_error(401, e.INVALID_TOKEN, "The access token is not valid")
    if expired:
        return e.rest_error(401, e.EXPIRED_TOKEN, "The access token has expired")
    verdict = state.rest.limiter.hit(client, "rest", state.rest.per_minute, now)
    if not verdict.allowed:
        retry_after = max(1, verdict.reset_at - int(now))
        return e.rest_error(
            429,
            e.RATE_LIMITED,
            f"Too many requests: at most {verdict.limit} a minute for client {client}",
            headers={"Retry-After": str(retry_after)},
        )
    return None


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    shape = e.body(error.upper(), description)
    return JSONResponse(
        {"error": error, "error_description": description, **shape},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
