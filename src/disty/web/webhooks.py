"""``POST /supplierapi/distributorWebhook/{shortcut}/{countryId}``: distributor webhooks in.

Find the tenant's connection -> the cheap checks (a key configured, a signature header with at
most as many signatures as a delivery may hold envelopes) -> read the body (at most 10 MiB,
within a deadline) -> parse it (bounded: see suppliers/ingram/webhooks.py; a large body only once
an event id it names verifies) -> verify every envelope's signature -> commit to the inbox ->
200. Nothing is processed here: the worker is woken and does it, so the distributor gets its
answer in milliseconds, and an accepted event survives any crash after the commit. A refused
delivery stores nothing but a count; a stranger's request is answered 4xx (or, if it hung up,
nothing) and costs at most one log line a minute per reason, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect

from disty.services import inbox
from disty.services.inbox import Destination, Rejection, ThrottledLog
from disty.suppliers.ingram import webhooks as ingram

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])

_STATUS = {
    Rejection.TOO_LARGE: 413,
    Rejection.TOO_MANY_EVENTS: 413,
    Rejection.MALFORMED: 400,
    Rejection.NO_EVENT_ID: 401,
    Rejection.NO_KEY: 401,
    Rejection.MISSING_SIGNATURE: 401,
    Rejection.BAD_SIGNATURE: 401,
}
_SAY = {
    Rejection.TOO_LARGE: f"the body is over {inbox.MAX_BODY_BYTES // (1024 * 1024)} MiB",
    Rejection.TOO_MANY_EVENTS: f"a delivery holds at most {ingram.MAX_ENVELOPES} events",
    Rejection.MALFORMED: "the body is not a UTF-8 JSON event or array of events "
    f"(nested at most {ingram.MAX_DEPTH} levels)",
    Rejection.NO_EVENT_ID: "an event has no eventId",
    Rejection.NO_KEY: "no webhook key is configured for this connection yet",
    Rejection.MISSING_SIGNATURE: "the x-hub-signature header is missing",
    Rejection.BAD_SIGNATURE: "the signature does not match",
}


class RejectionCounts:
    """Refused deliveries, counted in memory and written together a second later (one
    statement per connection and reason): a flood of forged deliveries costs no database
    write each. One transaction per refusal, at a few hundred a second, took most of a core
    and SQLite's write lock from the inbox. The count is a courtesy (Run Test shows it): when
    it cannot be written, it is dropped with one log line a minute, and the refusals stand."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], log: ThrottledLog, every_s: float = 1.0
    ) -> None:
        self.sessions, self.log, self.every_s = sessions, log, every_s
        self._pending: Counter[tuple[int, Rejection]] = Counter()
        self._flusher: asyncio.Task[None] | None = None

    def add(self, connection_id: int, reason: Rejection) -> None:
        self._pending[(connection_id, reason)] += 1
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.every_s)
        self._flusher = None  # refusals from now on start the next round
        await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, Counter()
        for (connection_id, reason), count in pending.items():
            try:
                async with self.sessions() as session:
                    await inbox.count_rejection(session, connection_id, reason, count)
            except Exception as exc:
                self.log.warning(
                    "count-failed",
                    "could not count %d refused webhook deliveries: %s",
                    count,
                    type(exc).__name__,
                )

    async def close(self) -> None:
        """Write what is pending (the app is stopping)."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()


class ByteBudget:
    """How fast the bytes of large webhook bodies are read, all deliveries together.

    Until its signature is checked, a body is a stranger's, and reading one costs the event
    loop about 2 ms a MiB: four strangers posting 10 MiB bodies back to back kept a core busy
    and tripled real deliveries' latency. Past ``ingram.PREFILTER_BYTES`` a body's bytes are
    read at most ``rate`` a second (after a burst of ``burst``): 32 MiB/s is a tenth of what one
    core can take in, and Ingram's largest delivery (a 2 MiB stock event every 15 minutes per
    connection) still arrives in a fraction of a second, well inside the body deadline, with a
    hundred tenants' at once. Small bodies, every real order event, never wait for it.
    """

    def __init__(self, rate: float = 32 * 1024 * 1024, burst: float = 16 * 1024 * 1024) -> None:
        self.rate, self.burst = rate, burst
        self._tokens = burst
        self._at = time.monotonic()

    async def take(self, n: int) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate) - n
        self._at = now
        if self._tokens < 0:  # in debt: wait until it is paid, each reader for its own share
            await asyncio.sleep(-self._tokens / self.rate)


async def _read_body(
    request: Request, limit: int, deadline_s: float, budget: ByteBudget
) -> bytes | None:
    """The body, or None as soon as it is known to exceed ``limit`` (never read whole).
    Raises ``TimeoutError`` when it has not all arrived within ``deadline_s``, and starlette's
    ``ClientDisconnect`` when the sender hangs up first."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async with asyncio.timeout(deadline_s):
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return None
            if len(body) > ingram.PREFILTER_BYTES:
                await budget.take(len(chunk))
    return bytes(body)


_SLICE = 1024 * 1024


async def _names_a_signed_event(
    body: bytes, signatures: list[bytes], keys: tuple[str, ...]
) -> bool:
    """Whether the body names an event id (among its first ``MAX_ENVELOPES``) that one of the
    signatures signs: a MiB at a time, the event loop serving other requests in between, so four
    strangers' 10 MiB bodies at once never hold it for more than a few ms."""
    left = ingram.MAX_ENVELOPES
    for start in range(0, len(body), _SLICE):
        named = ingram.event_ids_named(body, start, start + _SLICE, limit=left)
        if any(ingram.verify(signatures, event_id, keys) for event_id in named):
            return True
        left -= len(named)
        if left <= 0:
            return False
        await asyncio.sleep(0)
    return False


async def read_delivery(
    request: Request, destination: Destination
) -> list[ingram.Envelope] | Rejection:
    """The delivery's envelopes, every one verified, or why it is refused: the cheap checks
    first, so that a request without a plausible signature costs no parsing (or no reading).
    Raises as ``_read_body`` does."""
    if not destination.keys:
        return Rejection.NO_KEY
    header = request.headers.get(ingram.SIGNATURE_HEADER)
    if not header:
        return Rejection.MISSING_SIGNATURE
    if header.count(",") >= ingram.MAX_ENVELOPES:  # one signature per envelope
        return Rejection.TOO_MANY_EVENTS
    signatures = [s for s in ingram.signatures(header) if len(s) == ingram.SIGNATURE_BYTES]
    if not signatures:  # none is even shaped like one: no need to read the body
        return Rejection.BAD_SIGNATURE
    # 15 s by default: Ingram's largest (2 MiB) at about 1 Mbit/s. A distributor's servers send
    # it in well under a second and redeliver what failed; a stranger trickling bytes would
    # otherwise hold a connection, an open file, for as long as it likes.
    deadline_s = request.app.state.rt.settings.webhook_body_timeout_s
    budget = request.app.state.large_bodies
    body = await _read_body(request, inbox.MAX_BODY_BYTES, deadline_s, budget)
    if body is None:
        return Rejection.TOO_LARGE
    if len(body) > ingram.PREFILTER_BYTES and not await _names_a_signed_event(
        body, signatures, destination.keys
    ):
        return Rejection.BAD_SIGNATURE
    try:
        text = ingram.decode(body)
    except ValueError:  # not UTF-8
        return Rejection.MALFORMED
    try:
        items = ingram.envelopes(text)
    except ingram.TooManyEnvelopes:
        return Rejection.TOO_MANY_EVENTS
    except ValueError:  # not JSON, JSON of another shape, too deep, or not Unicode
        return Rejection.MALFORMED
    if any(item.event_id is None or len(item.event_id) > ingram.EVENT_ID_MAX for item in items):
        return Rejection.NO_EVENT_ID
    if not all(ingram.verify(signatures, item.event_id or "", destination.keys) for item in items):
        return Rejection.BAD_SIGNATURE
    return items


def _refuse(
    request: Request, destination: Destination, shortcut: str, reason: Rejection
) -> JSONResponse:
    request.app.state.rejection_counts.add(destination.connection_id, reason)
    throttled = request.app.state.rejection_log
    client = request.client.host if request.client else "?"
    throttled.warning(
        f"{destination.connection_id}:{reason.value}",
        "refused a webhook delivery for %s/%d from %s: %s",
        shortcut,
        destination.country_id,
        client,
        reason.value,
    )
    # A body refused before it was read whole is read on and dropped by the server (closing
    # now would make the sender miss the answer); the server's deadline on reading a request
    # (web/server.py) ends one that never ends.
    return JSONResponse(
        {"error": reason.value, "detail": _SAY[reason]}, status_code=_STATUS[reason]
    )


def _unavailable(request: Request, key: str, what: str, exc: Exception) -> JSONResponse:
    """A failure of disty's own (the database): 503 and one log line a minute, no traceback;
    nothing was stored, and the distributor delivers again later."""
    request.app.state.rejection_log.warning(
        key, "could not %s for a webhook delivery: %s", what, type(exc).__name__
    )
    return JSONResponse(
        {"error": "unavailable", "detail": f"disty could not {what} now; deliver again"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


@router.post("/supplierapi/distributorWebhook/{shortcut}/{country_id}")
async def receive(shortcut: str, country_id: str, request: Request) -> Response:
    destination = None
    if country_id.isdigit() and len(country_id) < 4:
        try:
            destination = await request.app.state.destinations.get(shortcut, int(country_id))
        except Exception as exc:
            return _unavailable(request, "lookup-failed", "look up the destination", exc)
    if destination is None:
        request.app.state.rejection_log.warning(
            "unknown-destination",
            "refused a webhook delivery for unknown tenant or country %r/%r",
            shortcut[:40],
            country_id[:8],
        )
        return JSONResponse(
            {"error": "not_found", "detail": "no Ingram Micro connection at this address"},
            status_code=404,
        )

    try:
        items = await read_delivery(request, destination)
    except ClientDisconnect:  # nobody is left to answer
        request.app.state.rejection_log.warning(
            "hung-up", "a webhook sender hung up before its whole body arrived"
        )
        return Response(status_code=400)
    except TimeoutError:
        request.app.state.rejection_log.warning(
            "too-slow",
            "a webhook body did not arrive within %.0f s; the connection was closed",
            request.app.state.rt.settings.webhook_body_timeout_s,
        )
        return JSONResponse(
            {"error": "timeout", "detail": "the body did not arrive in time; deliver again"},
            status_code=408,
            headers={"Connection": "close"},
        )
    if isinstance(items, Rejection):
        return _refuse(request, destination, shortcut, items)

    # Committed (with whatever other deliveries arrived meanwhile) before the answer goes out.
    try:
        accepted = await request.app.state.inbox.accept(destination, items, request.headers)
    except Exception as exc:  # nothing was stored: the distributor delivers again later
        return _unavailable(request, "store-failed", "store the events", exc)
    if accepted.stored:
        request.app.state.queue.notify()
    return JSONResponse(
        {
            "accepted": accepted.stored,
            "duplicates": accepted.duplicates,
            "conflicts": accepted.conflicts,
        }
    )
