"""What stands between a business call and its handler, in Ingram's order.

1. the API gateway: bearer token (401), the app's subscription to v6 (401 "no apiproduct
   match"), rate limits (429 with ``X-RateLimit-*``);
2. the maintenance switch (v6 answers 500);
3. the API's own header checks (400, ``errors[]``; ``faultstring`` for a foreign customer).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from disty.simulator.ingram import errors
from disty.simulator.ingram.consts import (
    EXPIRED_TOKEN,
    EXPIRED_TOKEN_CODE,
    INVALID_TOKEN,
    INVALID_TOKEN_CODE,
    MAX_CORRELATION_ID,
    MAX_CUSTOMER_NUMBER,
    MAX_SENDER_ID,
    NO_API_PRODUCT,
    NO_API_PRODUCT_CODE,
    QUOTA_CODE,
)
from disty.simulator.ingram.state import App, SimState


@dataclass(frozen=True, slots=True)
class CallContext:
    app: App
    country: str
    correlation_id: str
    headers: dict[str, str]  # to send back: correlation id, sender id, rate-limit figures
    maintenance: bool = False  # only ever True for v7 calls, which queue during maintenance


def state_of(request: Request) -> SimState:
    state: SimState = request.app.state.sim
    return state


def authorise(request: Request, state: SimState) -> App | Response:
    """The gateway's token check (Apigee's 401 bodies)."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    token = state.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return errors.gateway_fault(401, INVALID_TOKEN, INVALID_TOKEN_CODE)
    if state.clock.now() >= token.expires_at:
        return errors.gateway_fault(401, EXPIRED_TOKEN, EXPIRED_TOKEN_CODE)
    app = state.apps.get(token.client_id)
    if app is None:
        return errors.gateway_fault(401, INVALID_TOKEN, INVALID_TOKEN_CODE)
    return app


async def admit_v6(
    request: Request,
    *,
    bucket: str,
    per_minute: int,
    required: tuple[str, ...] = (),
    v7: bool = False,
) -> CallContext | Response:
    """Run every check a v6 call meets before its handler; a Response means "answer this".

    ``required``: headers this operation needs beyond the usual three (``IM-ApplicationID``
    for invoices, ``IM-CustomerContact`` for quote search and freight). ``v7``: the v7 API
    product, which ``v7_only`` apps are subscribed to as well, and which stays open during the
    maintenance window (it queues orders; ``CallContext.maintenance`` says so).
    """
    state = state_of(request)
    app = authorise(request, state)
    if isinstance(app, Response):
        return app
    allowed = ("approved", "v7_only") if v7 else ("approved",)
    if app.state not in allowed:
        # In review, subscribed to v7 only, or revoked: the gateway finds no API product.
        return errors.gateway_fault(401, NO_API_PRODUCT, NO_API_PRODUCT_CODE)

    verdict = state.limiter.hit(app.client_id, bucket, per_minute, state.clock.now())
    echo = _echo_headers(request)
    echo.update(verdict.headers())
    if not verdict.allowed:
        return errors.gateway_fault(
            429,
            f"Rate limit quota violation. Quota limit exceeded. Identifier : {app.client_id}",
            QUOTA_CODE,
            headers=echo,
        )

    correlation_id = request.headers.get("im-correlationid", "")
    now = state.clock.now()
    if state.maintenance and not v7:
        return errors.system_error(
            correlation_id=correlation_id or None,
            now=now,
            headers=echo,
            message="Service unavailable due to scheduled maintenance",
        )

    problem = check_headers(request, app, echo, now, required)
    if problem is not None:
        return problem
    country = request.headers["im-countrycode"].upper()
    return CallContext(app, country, correlation_id, echo, state.maintenance)


def check_headers(
    request: Request,
    app: App,
    echo: dict[str, str],
    now: float,
    required: tuple[str, ...] = (),
) -> Response | None:
    h = request.headers
    customer = h.get("im-customernumber")
    country = h.get("im-countrycode")
    correlation = h.get("im-correlationid")
    sender = h.get("im-senderid")
    fields: list[dict[str, str]] = []
    for name, value in (
        ("IM-CustomerNumber", customer),
        ("IM-CountryCode", country),
        ("IM-CorrelationID", correlation),
        *((name, h.get(name)) for name in required),
    ):
        if not value:
            fields.append({"field": name, "value": "", "message": "Required field is missing"})
    if correlation and len(correlation) > MAX_CORRELATION_ID:
        fields.append(
            {
                "field": "IM-CorrelationID",
                "value": correlation,
                "message": f"IM-CorrelationID must be at most {MAX_CORRELATION_ID} characters",
            }
        )
    if customer and len(customer) > MAX_CUSTOMER_NUMBER:
        fields.append(
            {
                "field": "IM-CustomerNumber",
                "value": customer,
                "message": f"IM-CustomerNumber must be at most {MAX_CUSTOMER_NUMBER} characters",
            }
        )
    if sender and len(sender) > MAX_SENDER_ID:
        fields.append(
            {
                "field": "IM-SenderID",
                "value": sender,
                "message": f"IM-SenderID must be at most {MAX_SENDER_ID} characters",
            }
        )
    if country and (len(country) != 2 or not country.isalpha()):
        fields.append(
            {
                "field": "IM-CountryCode",
                "value": country,
                "message": "IM-CountryCode must be a two-letter ISO country code",
            }
        )
    if fields:
        return errors.validation_failed(fields, correlation_id=correlation, now=now, headers=echo)
    if customer is None or country is None:  # checked just above; this narrows the types
        return None
    if customer != app.customer_number:
        return errors.customer_fault(customer, headers=echo)
    if country.upper() not in app.countries:
        return errors.validation_failed(
            [
                {
                    "field": "IM-CountryCode",
                    "value": country,
                    "message": f"Customer {customer} is not set up for country {country.upper()}",
                }
            ],
            correlation_id=correlation,
            now=now,
            headers=echo,
        )
    return None


def _echo_headers(request: Request) -> dict[str, str]:
    out = {}
    for name in ("IM-CorrelationID", "IM-SenderID"):
        value = request.headers.get(name)
        if value:
            out[name] = value
    return out
