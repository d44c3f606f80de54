"""The Ingram Micro REST client: one method per API operation, answering parsed JSON.

This is where the wire rules live: the OAuth token (cached, shared refresh, one retry on
401), the headers each operation needs, the client-side rate limits, and retries of safe
calls (via disty.suppliers.http). The adapter (adapter.py) turns answers into disty's types.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from disty.suppliers.errors import AuthenticationFailed, RequestRejected, SupplierError
from disty.suppliers.http import Clock, RetryPolicy, Sleep, send
from disty.suppliers.ingram import consts
from disty.suppliers.ingram.rest.errors import classify
from disty.suppliers.oauth import Token, TokenCache, get_token
from disty.suppliers.ratelimit import RateLimiter

JSON = Any


@dataclass(frozen=True, slots=True)
class IngramConfig:
    """One connection's settings, in plaintext; repr hides the secret."""

    base_url: str
    client_id: str
    client_secret: str
    customer_number: str
    country: str  # ISO code, sent as IM-CountryCode
    sender_id: str | None = None
    application_id: str | None = None
    contact_email: str | None = None
    get_per_minute: int = consts.GET_PER_MINUTE
    pna_per_minute: int = consts.PNA_PER_MINUTE

    def __repr__(self) -> str:
        return (
            f"IngramConfig(base_url={self.base_url!r}, client_id={self.client_id!r}, "
            f"customer_number={self.customer_number!r}, country={self.country!r})"
        )

    @property
    def app_key(self) -> str:
        """Identifies the app (rate limits are per app)."""
        return f"ingram|{self.base_url}|{self.client_id}"

    @property
    def token_key(self) -> str:
        # A changed secret must not reuse the old token: the key includes a digest of it.
        digest = hashlib.sha256(self.client_secret.encode()).hexdigest()[:16]
        return f"{self.app_key}|{digest}"


def correlation_id() -> str:
    return uuid.uuid4().hex  # 32 characters: Ingram's limit (a hyphenated UUID is 36)


class IngramClient:
    def __init__(
        self,
        config: IngramConfig,
        *,
        http: httpx.AsyncClient,
        tokens: TokenCache,
        limiter: RateLimiter,
        policy: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._http = http
        self._tokens = tokens
        self._limiter = limiter
        self._policy = policy
        self._describe = f"Ingram Micro at {config.base_url}"

    # -- OAuth ---------------------------------------------------------------------------

    async def fetch_token(self) -> Token:
        """A new token (POST with a form body, as Ingram's reseller docs say)."""

        async def build() -> httpx.Request:
            return self._http.build_request(
                "POST",
                self.config.base_url + consts.TOKEN_PATH,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.config.client_id,
                    "client_secret": self.config.client_secret,
                },
            )

        response = await send(
            self._http,
            build,
            safe=True,
            policy=self._policy,
            classify=_classify_token,
            describe=self._describe,
            supplier=consts.KEY,
            sleep=self._sleep,
            clock=self._clock,
        )
        body = _json(response)
        try:
            access_token = str(body["access_token"])
            expires_in = float(body.get("expires_in") or 3600)  # Ingram sends a string
        except (KeyError, TypeError, ValueError):
            raise AuthenticationFailed(
                f"{self._describe} answered the token request without a usable token: check "
                "the base URL"
            ) from None
        return Token(access_token, time.time() + expires_in, expires_in)

    async def token(self) -> Token:
        return await get_token(self._tokens, self.config.token_key, self.fetch_token)

    async def token_expires_at(self) -> datetime | None:
        """The cached token's expiry, without fetching one."""
        token = await self._tokens.get(self.config.token_key)
        return datetime.fromtimestamp(token.expires_at, UTC) if token else None

    # -- requests ------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: JSON = None,
        safe: bool = True,
        limit: tuple[str, int] | None = None,
        application_id: bool = False,
        contact: bool = False,
    ) -> httpx.Response:
        """Send one API call; ``limit`` is (bucket, calls per minute) for the client limiter.

        A 401 that says the token is no longer good drops it, fetches a new one and retries
        once, for every call (a 401 means the request was not processed).
        """
        if application_id and not self.config.application_id:
            raise RequestRejected(
                "this Ingram Micro call needs the application id (IM-ApplicationID): set it "
                "on the connection with --application-id",
                console="this Ingram Micro call needs the application id (IM-ApplicationID): "
                "an admin saves it on the Ingram Micro settings page",
            )
        if contact and not self.config.contact_email:
            raise RequestRejected(
                "this Ingram Micro call needs the contact e-mail (IM-CustomerContact): set it "
                "on the connection with --contact-email",
                console="this Ingram Micro call needs the contact e-mail (IM-CustomerContact): "
                "an admin saves it on the Ingram Micro settings page",
            )
        for attempt in (1, 2):
            token = await self.token()

            async def build(token: Token = token) -> httpx.Request:
                # Every attempt, retries included, counts against the app's limit.
                if limit is not None:
                    bucket, per_minute = limit
                    await self._limiter.acquire(f"{self.config.app_key}|{bucket}", per_minute)
                return self._http.build_request(
                    method,
                    self.config.base_url + path,
                    params=_params(params),
                    json=json,
                    headers=self._headers(token, application_id=application_id, contact=contact),
                )

            try:
                return await send(
                    self._http,
                    build,
                    safe=safe,
                    policy=self._policy,
                    classify=classify,
                    describe=self._describe,
                    supplier=consts.KEY,
                    sleep=self._sleep,
                    clock=self._clock,
                )
            except AuthenticationFailed:
                await self._tokens.discard(self.config.token_key, token)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(self, token: Token, *, application_id: bool, contact: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token.access_token}",
            "IM-CustomerNumber": self.config.customer_number,
            "IM-CountryCode": self.config.country,
            "IM-CorrelationID": correlation_id(),
            "Accept": "application/json",
        }
        if self.config.sender_id:
            headers["IM-SenderID"] = self.config.sender_id
        if self.config.application_id and application_id:
            headers["IM-ApplicationID"] = self.config.application_id
        if self.config.contact_email and contact:
            headers["IM-CustomerContact"] = self.config.contact_email
        return headers

    def _get_limit(self, operation: str) -> tuple[str, int]:
        return (f"GET {operation}", self.config.get_per_minute)

    async def _get(self, path: str, operation: str, **kwargs: Any) -> JSON:
        response = await self.request("GET", path, limit=self._get_limit(operation), **kwargs)
        return None if response.status_code == 204 else _json(response)

    # -- catalog ---------------------------------------------------------------------------

    async def search_catalog(self, **params: Any) -> JSON:
        return await self._get("/resellers/v6/catalog", "catalog", params=params)

    async def product_details(self, ingram_part_number: str) -> JSON:
        return await self._get(
            f"/resellers/v6/catalog/details/{_segment(ingram_part_number)}", "details"
        )

    async def product_details_by_vendor_part(self, vendor_part_number: str) -> JSON:
        return await self._get(
            "/resellers/v6/catalog/details",
            "details-by-vpn",
            params={"vendorPartNumber": vendor_part_number},
        )

    async def price_and_availability(self, products: list[dict[str, str]]) -> tuple[int, JSON]:
        """One call of at most 50 products; answers (status, rows). 207 means some unknown."""
        if len(products) > consts.PNA_BATCH:
            raise ValueError(f"at most {consts.PNA_BATCH} products a call")
        response = await self.request(
            "POST",
            "/resellers/v6/catalog/priceandavailability",
            params={"includeAvailability": "true", "includePricing": "true"},
            json={"products": products},
            limit=("pna", self.config.pna_per_minute),
        )
        return response.status_code, _json(response)

    # -- orders ----------------------------------------------------------------------------

    async def create_order(self, order: JSON, *, v7: bool = False) -> tuple[int, JSON]:
        """Never retried: the ordering service resolves an unknown outcome by searching."""
        path = "/resellers/v7/orders" if v7 else "/resellers/v6/orders"
        response = await self.request("POST", path, json=order, safe=False)
        return response.status_code, _json(response)

    async def modify_order(
        self, order_number: str, changes: JSON | None = None, *, release: bool = False
    ) -> JSON:
        response = await self.request(
            "PUT",
            f"/resellers/v6/orders/{_segment(order_number)}",
            params={"actionCode": "release"} if release else None,
            json=changes or {},
            safe=False,
        )
        return _json(response) if response.content else None

    async def cancel_order(self, order_number: str) -> None:
        await self.request("DELETE", f"/resellers/v6/orders/{_segment(order_number)}", safe=False)

    async def order_detail(self, order_number: str) -> JSON:
        return await self._get(f"/resellers/v6.1/orders/{_segment(order_number)}", "order")

    async def search_orders(self, **params: Any) -> JSON:
        """None when nothing matches (Ingram answers 204)."""
        return await self._get("/resellers/v6/orders/search", "order-search", params=params)

    # -- invoices, quotes, freight, returns -------------------------------------------------

    async def search_invoices(self, **params: Any) -> JSON:
        return await self._get(
            "/resellers/v6/invoices", "invoice-search", params=params, application_id=True
        )

    async def invoice_detail(self, invoice_number: str) -> JSON:
        return await self._get(
            f"/resellers/v6.1/invoices/{_segment(invoice_number)}", "invoice", application_id=True
        )

    async def search_quotes(self, **params: Any) -> JSON:
        return await self._get(
            "/resellers/v6/quotes/search", "quote-search", params=params, contact=True
        )

    async def quote_detail(self, quote_number: str) -> JSON:
        return await self._get(f"/resellers/v6/quotes/{_segment(quote_number)}", "quote")

    async def validate_quote(self, quote_number: str) -> JSON:
        return await self._get(
            "/resellers/v6/q2o/validatequote",
            "validate-quote",
            params={"quoteNumber": quote_number},
        )

    async def freight_estimate(self, request: JSON) -> JSON:
        response = await self.request(
            "POST", "/resellers/v6/freightestimate", json=request, contact=True
        )
        return _json(response)

    async def search_returns(self, **params: Any) -> JSON:
        return await self._get("/resellers/v6/returns/search", "return-search", params=params)

    async def return_detail(self, case_request_number: str) -> JSON:
        return await self._get(f"/resellers/v6/returns/{_segment(case_request_number)}", "return")

    async def create_return(self, request: JSON) -> JSON:
        response = await self.request(
            "POST", "/resellers/v6/returns/create", json=request, safe=False
        )
        return _json(response)


def _classify_token(response: httpx.Response) -> SupplierError:
    error = classify(response)
    if response.status_code in (400, 401):
        # The token endpoint answers 400/401 for wrong credentials: never a customer problem.
        return AuthenticationFailed(
            f"Ingram Micro refused the app's credentials ({response.status_code}: "
            f"{error.supplier_message}). Check the client id and client secret: copy them again "
            "from the production app in Ingram Micro's developer portal",
            status=response.status_code,
            supplier_message=error.supplier_message,
        )
    return error


def _params(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _json(response: httpx.Response) -> JSON:
    try:
        return response.json()
    except ValueError:
        raise RequestRejected(
            f"Ingram Micro answered {response.status_code} with a body that is not JSON: check "
            "the base URL"
        ) from None
