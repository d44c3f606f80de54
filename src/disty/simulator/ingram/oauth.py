"""``/oauth/oauth20/token`` and ``/oauth/oauth30/token``: client-credentials tokens.

Accepted as the SDK sends it (GET with query parameters), as Ingram's docs say (POST with a
form body) and with HTTP Basic credentials (standard OAuth 2). ``expires_in`` is a string, as
the SDK's model and the spec declare. Bad credentials get Apigee's 401 ``invalid_client``;
missing or wrong parameters the spec's 400 ``{"message": ...}``. A token is issued to any app
with good credentials whatever its state: the state decides what the token may call.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram.gateway import state_of


async def token(request: Request) -> Response:
    params = dict(request.query_params)
    if request.method == "POST":
        body = (await request.body()).decode("utf-8", "replace")
        params.update(parse_qsl(body, keep_blank_values=True))
    basic = _basic_credentials(request)
    if basic is not None:
        params.setdefault("client_id", basic[0])
        params.setdefault("client_secret", basic[1])

    missing = [k for k in ("grant_type", "client_id", "client_secret") if not params.get(k)]
    if missing:
        return JSONResponse(
            {"message": f"Missing required parameter(s): {', '.join(missing)}"}, status_code=400
        )
    if params["grant_type"] != "client_credentials":
        return JSONResponse(
            {"message": f"Unsupported grant type : {params['grant_type']}"}, status_code=400
        )
    state = state_of(request)
    app = state.authenticate(params["client_id"], params["client_secret"])
    if app is None:
        return JSONResponse(
            {"ErrorCode": "invalid_client", "Error": "ClientId is Invalid"}, status_code=401
        )
    issued = state.issue_token(app)
    return JSONResponse(
        {"access_token": issued.value, "token_type": "Bearer", "expires_in": str(app.token_ttl_s)},
        headers={"Cache-Control": "no-store"},
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password
