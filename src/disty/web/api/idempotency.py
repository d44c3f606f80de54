"""``Idempotency-Key`` on every POST that creates or submits: a client's retry never does the
work twice.

The key is claimed by inserting a row before the work starts (unique per tenant and key), so
of ten identical requests sent at once exactly one works; the others wait for its answer and
get the same one back (with ``Idempotent-Replayed: true``). The same key with a different
request is refused. A failure on disty's or the distributor's side (5xx) frees the key, so the
client may retry; submissions stay safe then too, because the PO outbox never places a PO twice.

A request that dies with its process (a crash, kill -9, a lost machine) leaves its key in
progress with no one to finish it. Such a key is taken over by a retry once it is older than
``DISTY_SUBMIT_LEASE_S``: the bound on a send that may still be under way (config.check makes
it outlast one send, token and retries included), so by then the PO the dead request was
sending is free for the outbox too. Taking a key over early would still be safe (the retry
runs the same work, and the PO number and the outbox make a second run place nothing), only
less tidy; so the bound is about answers, not money. The retry then does the work again: it
completes the PO or answers the one that exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from disty.runtime import Runtime
from disty.services import idempotency
from disty.services.tokens import Principal
from disty.web.api.problems import MEDIA_TYPE, ApiProblem, problem_for

KEY_MAX = 255
WAIT_S = 30.0  # how long a concurrent retry waits for the first request's answer

Work = Callable[[], Awaitable[tuple[int, Any]]]


def _fingerprint(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps(jsonable_encoder(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _answer(status: int, body: Any, *, replayed: bool) -> JSONResponse:
    media = MEDIA_TYPE if status >= 400 else "application/json"
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(body, status_code=status, media_type=media, headers=headers)


async def _run(work: Work) -> tuple[int, Any]:
    try:
        status, body = await work()
        return status, jsonable_encoder(body)
    except Exception as exc:
        problem, _ = problem_for(exc)
        if problem.status >= 500 and not isinstance(exc, ApiProblem):
            raise
        return problem.status, problem.model_dump(exclude_none=True)


async def idempotent(
    rt: Runtime,
    caller: Principal,
    key: str | None,
    *,
    method: str,
    path: str,
    payload: Any,
    work: Work,
) -> JSONResponse:
    if key is None:
        status, body = await _run(work)
        return _answer(status, body, replayed=False)
    if not key.strip() or len(key) > KEY_MAX:
        raise ApiProblem(
            422, "invalid-idempotency-key", "Invalid Idempotency-Key",
            f"an Idempotency-Key has 1 to {KEY_MAX} characters",
        )  # fmt: skip
    fingerprint = _fingerprint(method, path, payload)
    async with rt.sessions() as session:
        claimed = await idempotency.claim(
            session, caller.tenant_id, key, method=method, path=path, fingerprint=fingerprint
        )
    if not claimed:
        replayed = await _replay(rt, caller, key, fingerprint)
        if replayed is not None:
            return replayed
        # The key was abandoned by a request that died: this one does the work instead.
    try:
        status, body = await _run(work)
    except BaseException:
        async with rt.sessions() as session:  # the client may try again
            await idempotency.free(session, caller.tenant_id, key)
        raise
    async with rt.sessions() as session:
        await idempotency.complete(session, caller.tenant_id, key, status, body)
    return _answer(status, body, replayed=False)


async def _replay(
    rt: Runtime, caller: Principal, key: str, fingerprint: str
) -> JSONResponse | None:
    """The first request's answer, waited for while it is in progress; None when that request
    died (its key older than the bound) and this one has taken the key over."""
    deadline = time.monotonic() + WAIT_S
    while True:
        async with rt.sessions() as session:
            row = await idempotency.find(session, caller.tenant_id, key)
        if row is None:  # the first request failed and freed the key
            raise ApiProblem(
                409, "idempotency-key-retry", "Try again",
                "the first request with this Idempotency-Key failed; send it again",
                {"Retry-After": "1"},
            )  # fmt: skip
        if row.request_sha256 != fingerprint:
            raise ApiProblem(
                422, "idempotency-key-reused", "Idempotency-Key already used",
                "this Idempotency-Key was used for another request: use a new key per request",
            )  # fmt: skip
        if row.status_code is not None:
            return _answer(row.status_code, row.response, replayed=True)
        async with rt.sessions() as session:
            taken = await idempotency.take_over(
                session, caller.tenant_id, key, lease_s=rt.settings.submit_lease_s
            )
        if taken:
            return None
        if time.monotonic() > deadline:
            raise ApiProblem(
                409, "idempotency-key-in-progress", "Still in progress",
                "a request with this Idempotency-Key is still being processed; retry later "
                f"(one that died is taken over by a retry after {rt.settings.submit_lease_s:g} s)",
                {"Retry-After": "2"},
            )  # fmt: skip
        await asyncio.sleep(0.05)
