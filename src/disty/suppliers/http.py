"""One place owns how disty sends a request to a distributor: timeouts, retries with
backoff and jitter, Retry-After / X-RateLimit-Reset, and turning failures into the error tree.

Only *safe* calls are retried (reads, and price and availability, which changes nothing);
an order creation is sent exactly once, whatever happens: the ordering service makes a
resubmission safe by first asking the distributor whether the order exists.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from disty.suppliers.errors import RateLimited, SupplierError, Timeout, Unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # for safe calls; unsafe calls get exactly one
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # Longest wait disty accepts from Retry-After / X-RateLimit-Reset before giving up waiting
    # and surfacing the RateLimited error instead.
    max_wait_s: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)] (attempt counts from 0)."""
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**attempt))  # noqa: S311


def worst_send_s(timeout_s: float, policy: RetryPolicy | None = None) -> float:
    """The longest one order send can take when every wait runs out: a token fetched first
    (a safe call, so each attempt may time out, with the longest backoffs between), then the
    order itself (sent once). A PO's send lease must outlast it."""
    policy = policy or RetryPolicy()
    backoffs = sum(
        (min(policy.max_delay_s, policy.base_delay_s * 2**n) for n in range(policy.attempts - 1)),
        0.0,
    )
    return policy.attempts * timeout_s + backoffs + timeout_s


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds to wait, from Retry-After (seconds or HTTP date) or X-RateLimit-Reset (epoch)."""
    moment = time.time() if now is None else now
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(header).timestamp() - moment)
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - moment)
        except ValueError:
            return None
    return None


Classifier = Callable[[httpx.Response], SupplierError]
Sleep = Callable[[float], Awaitable[None]]


async def send(
    client: httpx.AsyncClient,
    build: Callable[[], Awaitable[httpx.Request]],
    *,
    safe: bool,
    policy: RetryPolicy,
    classify: Classifier,
    describe: str,
    sleep: Sleep = asyncio.sleep,
) -> httpx.Response:
    """Send the request ``build`` makes (anew for each attempt: fresh correlation id and
    token) and return the successful response, or raise a SupplierError.

    ``describe`` names the target for messages ("Ingram Micro at https://..."); it never
    holds a secret.
    """
    attempts = policy.attempts if safe else 1
    for attempt in range(attempts):
        last = attempt == attempts - 1
        request = await build()
        started = time.perf_counter()
        try:
            response = await client.send(request)
        except httpx.TimeoutException:
            error: SupplierError = Timeout(
                f"{describe} did not answer in time"
                + ("" if safe else ": the request may still have been processed")
                + "; try again later"
            )
        except httpx.TransportError as exc:
            error = Unavailable(
                f"cannot reach {describe} ({type(exc).__name__}): check the base URL and the "
                "network, then try again"
            )
        else:
            # Method, path and status only: query strings and bodies may hold secrets.
            log.debug(
                "%s %s -> %s in %.0f ms (correlation id %s, attempt %d)",
                request.method,
                request.url.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                request.headers.get("IM-CorrelationID", "-"),
                attempt + 1,
            )
            if response.status_code < 400:
                return response
            error = classify(response)
        if last or not error.retryable:
            raise error
        wait = policy.backoff(attempt)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > policy.max_wait_s:
                raise error
            wait = max(wait, error.retry_after)
        await sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
