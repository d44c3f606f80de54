"""One place owns how disty sends a request to a distributor: timeouts, retries with
backoff and jitter, Retry-After / X-RateLimit-Reset, and turning failures into the error tree.

Only *safe* calls are retried (reads, and price and availability, which changes nothing);
an order creation is sent exactly once, whatever happens: the ordering service makes a
resubmission safe by first asking the distributor whether the order exists.

No call waits past a deadline: ``RetryPolicy.deadline_s`` bounds each call, its attempts and
the waits between them included (DISTY_SUPPLIER_DEADLINE_S, for the CLI and the worker), and
a web request wraps its work in ``deadline(seconds)`` (DISTY_WEB_SUPPLIER_DEADLINE_S), one
budget shared by every call it makes. When a retry's wait (a Retry-After, say) would pass the
deadline, the call fails at once with the distributor's error, which says when to try again
(``RateLimited.retry_after``): a 429 storm answers "try again in 60 s" instead of holding a
person's page, or an API client, for minutes. A safe call's attempt is cut at the deadline
too; an unsafe one (an order), once sent, runs to its HTTP timeout (DISTY_SUPPLIER_TIMEOUT_S)
rather than be made an unknown outcome on purpose, and is not sent once the deadline is spent.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from email.utils import parsedate_to_datetime

import httpx

from disty import metrics
from disty.suppliers.errors import RateLimited, SupplierError, Timeout, Unavailable

# Their home is retry.py (free of httpx); the adapters' clients take them from here too.
from disty.suppliers.retry import RetryPolicy as RetryPolicy
from disty.suppliers.retry import worst_send_s as worst_send_s

log = logging.getLogger(__name__)


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
Clock = Callable[[], float]


class Deadline:
    """One time budget shared by every supplier call made under it (one web request). It
    starts with the first call, on that call's clock (the hub's: tests move a simulated one)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at: float | None = None

    def ends_at(self, clock: Clock) -> float:
        if self._ends_at is None:
            self._ends_at = clock() + self.seconds
        return self._ends_at


_shared: ContextVar[Deadline | None] = ContextVar("disty_supplier_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Supplier calls made inside (by this task, and tasks it starts) end within ``seconds``
    of the first one, all together; a call's own ``RetryPolicy.deadline_s`` still applies."""
    budget = Deadline(seconds)
    token = _shared.set(budget)
    try:
        yield budget
    finally:
        _shared.reset(token)


# More than any answer disty asks for (a 50-line price answer is a few hundred kB): a
# distributor, or something posing as one, that sends more is refused before it is all in
# memory, decompressed bytes counted (a small gzip body can unpack to gigabytes).
MAX_ANSWER_BYTES = 32 * 1024 * 1024


async def _bounded(
    client: httpx.AsyncClient, request: httpx.Request, max_bytes: int, describe: str, safe: bool
) -> httpx.Response:
    """The response with its body read, up to ``max_bytes``; past that, Unavailable."""
    response = await client.send(request, stream=True)
    try:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise Unavailable(
                    f"{describe} answered with more than {max_bytes // (1024 * 1024)} MiB, more "
                    "than any answer disty asks for"
                    + ("" if safe else ": the request may still have been processed")
                    + "; try again later"
                )
            chunks.append(chunk)
    finally:
        await response.aclose()
    # The body as read (already decoded): the new response must not decode it again.
    headers = [
        (name, value)
        for name, value in response.headers.raw
        if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=b"".join(chunks),
        request=request,
        extensions=response.extensions,
    )


async def send(
    client: httpx.AsyncClient,
    build: Callable[[], Awaitable[httpx.Request]],
    *,
    safe: bool,
    policy: RetryPolicy,
    classify: Classifier,
    describe: str,
    supplier: str,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> httpx.Response:
    """Send the request ``build`` makes (anew for each attempt: fresh correlation id and
    token) and return the successful response, or raise a SupplierError, within the deadline.

    ``describe`` names the target for messages ("<supplier> at https://..."); it never
    holds a secret. ``supplier`` (the registry's key) labels the call's metrics (disty/metrics.py:
    every attempt's time and outcome, by supplier and endpoint, the path with its ids cut out).
    """
    ends_at = clock() + policy.deadline_s
    shared = _shared.get()
    if shared is not None:
        ends_at = min(ends_at, shared.ends_at(clock))
    attempts = policy.attempts if safe else 1
    for attempt in range(attempts):
        last = attempt == attempts - 1
        left = ends_at - clock()
        if left <= 0:  # only when a shared deadline was spent by earlier calls
            raise Timeout(
                f"{describe} was not asked: this request's time for distributors is spent; "
                "try again in a moment"
            )
        request: httpx.Request | None = None
        started = time.perf_counter()
        status: int | None = None
        error: SupplierError | None = None
        try:
            # Building may wait for the client-side rate limiter: that counts too. An unsafe
            # call (an order) once started is not cut short by the deadline, only by the HTTP
            # timeout: cutting it would only turn an answer into an unknown outcome.
            async with asyncio.timeout(left if safe else None):
                request = await build()
                started = time.perf_counter()
                response = await _bounded(client, request, max_bytes, describe, safe)
                status = response.status_code
        except TimeoutError:
            error = _deadline_passed(request, describe, safe)
        except httpx.TimeoutException:
            error = Timeout(
                f"{describe} did not answer in time"
                + ("" if safe else ": the request may still have been processed")
                + "; try again later"
            )
        except httpx.TransportError as exc:
            error = Unavailable(
                f"cannot reach {describe} ({type(exc).__name__}): check the base URL and the "
                "network, then try again"
            )
        finally:
            if request is not None:  # sent (or tried): not when the rate limiter ran out
                metrics.supplier_call(
                    supplier, request.url.path, status, time.perf_counter() - started
                )
        if error is None:
            assert request is not None  # noqa: S101 - an answer came, so it was sent
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
            wait = max(wait, error.retry_after)
        if wait > policy.max_wait_s or clock() + wait >= ends_at:
            # Waiting would pass the deadline: answer now, saying when to try again.
            raise _without_waiting(error, wait)
        await sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _deadline_passed(request: httpx.Request | None, describe: str, safe: bool) -> SupplierError:
    if request is None:
        # Still waiting for disty's own per-app limit when the time ran out.
        return RateLimited(
            f"{describe}: disty's own limit of calls a minute for this app leaves no room "
            "before the deadline; try again in a minute",
            retry_after=60.0,
        )
    return Timeout(
        f"{describe} did not answer within disty's deadline"
        + ("" if safe else ": the request may still have been processed")
        + "; try again later"
    )


def _without_waiting(error: SupplierError, wait: float) -> SupplierError:
    if not isinstance(error, RateLimited):
        return error
    seconds = max(1, math.ceil(wait))
    return RateLimited(
        f"{error.message} (disty did not wait: try again in {seconds} s)",
        retry_after=float(seconds),
        status=error.status,
        supplier_message=error.supplier_message,
        correlation_id=error.correlation_id,
    )
