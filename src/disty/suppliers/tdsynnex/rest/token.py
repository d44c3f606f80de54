"""The Partner REST API's OAuth2 token (NOTES 8.1): client credentials in a form body, a JSON
answer with ``access_token`` and ``expires_in``.

Only what Run Test needs: one fresh token, proving the client id and secret. Nothing is cached
(no REST call uses the token yet), and neither the secret nor the token ever appears in an
error or a log line.
"""

from __future__ import annotations

import asyncio
import json

import httpx

from disty.suppliers.errors import AuthenticationFailed, SupplierError, Unavailable
from disty.suppliers.http import RetryPolicy, Sleep, send
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.client import TdSynnexConfig, classify

MAX_TOKEN_BYTES = 64 * 1024  # a token answer is a few hundred bytes


def token_url(base_url: str) -> str:
    """Where the token is asked: TD SYNNEX's sso host for its own endpoints (one for both
    countries, NOTES 8.1), else the base URL's own ``/oauth2/v1/token`` (the simulator serves
    it there, as the API host does for one client; an operator's proxy would too)."""
    url = base_url.rstrip("/")
    if url in consts.ENDPOINTS:
        return consts.REST_TOKEN_URL
    return url + consts.REST_TOKEN_PATH


def _classify(response: httpx.Response) -> SupplierError:
    # OAuth2 answers a wrong client 400 (invalid_client/invalid_request) or 401.
    if response.status_code in (400, 401):
        return AuthenticationFailed(
            f"{consts.NAME}'s token service refused the REST client ({response.status_code}"
            f"{_oauth_error(response)})",
            status=response.status_code,
        )
    return classify(response)


def _oauth_error(response: httpx.Response) -> str:
    """OAuth2's ``error`` code, when the answer carries a short one (never the description,
    which a server might fill with what it was sent)."""
    try:
        body = json.loads(response.content[:MAX_TOKEN_BYTES])
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str) and error.isascii() and len(error) <= 40:
        return f": {error}"
    return ""


class RestTokens:
    def __init__(
        self,
        config: TdSynnexConfig,
        *,
        http: httpx.AsyncClient,
        policy: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self._http = http
        self._policy = policy
        self._sleep = sleep
        self.url = token_url(config.base_url)

    @property
    def configured(self) -> bool:
        return bool(self.config.rest_client_id and self.config.rest_client_secret)

    async def fetch_expires_in(self) -> int:
        """Ask for a token; answer its lifetime in seconds (the token itself is dropped)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.rest_client_id or "",
            "client_secret": self.config.rest_client_secret or "",
        }

        async def build() -> httpx.Request:
            return self._http.build_request("POST", self.url, data=form)

        describe = f"{consts.NAME}'s token service at {httpx.URL(self.url).host}"
        response = await send(
            self._http,
            build,
            safe=True,
            policy=self._policy,
            classify=_classify,
            describe=describe,
            supplier=consts.KEY,
            sleep=self._sleep,
            max_bytes=MAX_TOKEN_BYTES,
        )
        unreadable = Unavailable(
            f"{describe} answered with no readable token: check the base URL and try again"
        )
        try:
            body = json.loads(response.content)
        except ValueError:
            raise unreadable from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise unreadable
        expires_in = body.get("expires_in")
        try:
            return int(expires_in)
        except (TypeError, ValueError):
            return 0
