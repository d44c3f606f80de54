"""``POST /supplierapi/distributorWebhook/{shortcut}/{countryId}``: distributor webhooks in.

Find the tenant's connection -> read the body (at most 10 MiB) -> parse -> verify every
envelope's signature -> commit to the inbox -> 200. Nothing is processed here: the worker is
woken and does it, so the distributor gets its answer in milliseconds, and an accepted event
survives any crash after the commit. A refused delivery stores nothing but a count.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from disty.services import inbox
from disty.services.inbox import Destination, Rejection
from disty.suppliers.ingram import webhooks as ingram

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])

_STATUS = {
    Rejection.TOO_LARGE: 413,
    Rejection.MALFORMED: 400,
    Rejection.NO_EVENT_ID: 401,
    Rejection.NO_KEY: 401,
    Rejection.MISSING_SIGNATURE: 401,
    Rejection.BAD_SIGNATURE: 401,
}
_SAY = {
    Rejection.TOO_LARGE: f"the body is over {inbox.MAX_BODY_BYTES // (1024 * 1024)} MiB",
    Rejection.MALFORMED: "the body is not a JSON event or array of events",
    Rejection.NO_EVENT_ID: "an event has no eventId",
    Rejection.NO_KEY: "no webhook key is configured for this connection yet",
    Rejection.MISSING_SIGNATURE: "the x-hub-signature header is missing",
    Rejection.BAD_SIGNATURE: "the signature does not match",
}


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed ``limit`` (never read whole)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _unavailable(request: Request, what: str, exc: Exception) -> JSONResponse:
    """The database failed (unreachable, a lock held past the receiver's limits): nothing was
    stored, and the distributor delivers again later. One log line a minute, however many."""
    request.app.state.rejection_log.warning(
        f"unavailable:{what}",
        "could not %s for a webhook delivery (answered 503): %s",
        what,
        type(exc).__name__,
    )
    return JSONResponse(
        {"error": "unavailable", "detail": f"could not {what} now; deliver again later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _refuse(
    request: Request, destination: Destination, shortcut: str, reason: Rejection
) -> JSONResponse:
    try:
        async with request.app.state.receiver_sessions() as session:
            await inbox.count_rejection(session, destination.connection_id, reason)
    except Exception as exc:  # the count is the only record of a refusal: ask for it again
        return _unavailable(request, "count a refused delivery", exc)
    client = request.client.host if request.client else "?"
    request.app.state.rejection_log.warning(
        f"{destination.connection_id}:{reason.value}",
        "refused a webhook delivery for %s/%d from %s: %s",
        shortcut,
        destination.country_id,
        client,
        reason.value,
    )
    return JSONResponse(
        {"error": reason.value, "detail": _SAY[reason]}, status_code=_STATUS[reason]
    )


@router.post("/supplierapi/distributorWebhook/{shortcut}/{country_id}")
async def receive(shortcut: str, country_id: str, request: Request) -> JSONResponse:
    destination = None
    if country_id.isdigit() and len(country_id) < 4:
        try:
            destination = await request.app.state.destinations.get(shortcut, int(country_id))
        except Exception as exc:  # nothing is known of the delivery yet: it comes again
            return _unavailable(request, "look up the destination", exc)
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

    body = await _read_body(request, inbox.MAX_BODY_BYTES)
    if body is None:
        return await _refuse(request, destination, shortcut, Rejection.TOO_LARGE)
    try:
        items = ingram.envelopes(body)
    except ValueError:  # not JSON, not UTF-8, or JSON of another shape
        return await _refuse(request, destination, shortcut, Rejection.MALFORMED)
    if any(item.event_id is None or len(item.event_id) > ingram.EVENT_ID_MAX for item in items):
        return await _refuse(request, destination, shortcut, Rejection.NO_EVENT_ID)
    if not destination.keys:
        return await _refuse(request, destination, shortcut, Rejection.NO_KEY)
    header = request.headers.get(ingram.SIGNATURE_HEADER)
    if not header:
        return await _refuse(request, destination, shortcut, Rejection.MISSING_SIGNATURE)
    if not all(ingram.verify(header, item.event_id or "", destination.keys) for item in items):
        return await _refuse(request, destination, shortcut, Rejection.BAD_SIGNATURE)

    # Committed (with whatever other deliveries arrived meanwhile) before the answer goes out.
    try:
        accepted = await request.app.state.inbox.accept(destination, items, request.headers)
    except Exception as exc:  # nothing was stored: the distributor delivers again later
        return _unavailable(request, "write the inbox", exc)
    if accepted.stored:
        request.app.state.queue.notify()
    return JSONResponse(
        {
            "accepted": accepted.stored,
            "duplicates": accepted.duplicates,
            "conflicts": accepted.conflicts,
        }
    )
