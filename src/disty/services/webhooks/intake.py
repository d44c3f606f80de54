"""Webhook deliveries in, for every supplier: one call from the receiver (``Intake.receive``).

Find the tenant's connection -> the cheap checks (a key configured, a signature header with at
most as many signatures as a delivery may hold envelopes) -> read the body (at most 10 MiB,
within a deadline) -> parse it (bounded by the supplier's codec; a large body only once an
event id it names verifies) -> verify every envelope's signature -> commit to the inbox ->
accepted. Nothing is processed here: the worker is woken and does it, so the supplier gets its
answer in milliseconds, and an accepted event survives any crash after the commit. A refused
delivery stores nothing but a count; a stranger's request is refused (or, if it hung up,
nothing) and costs at most one log line a minute per reason, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass

from disty import metrics
from disty.services.throttle import ThrottledLog
from disty.services.webhooks.destinations import Destination, DestinationCache
from disty.services.webhooks.refusals import MAX_BODY_BYTES, Refusal, RejectionCounts
from disty.services.webhooks.writer import Accepted, InboxWriter
from disty.suppliers import registry
from disty.suppliers.registry import Registration
from disty.suppliers.webhooks import Envelope, TooManyEnvelopes, WebhookCodec

log = logging.getLogger(__name__)


class HungUp(Exception):
    """The sender hung up before its whole body arrived (raised by ``Incoming.body``)."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """A delivery as it arrives: its headers, its body as it streams in (raising ``HungUp``
    when the sender goes), and who sent it (for the log)."""

    headers: Mapping[str, str]
    body: AsyncIterable[bytes]
    client: str


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal
    detail: str  # for the sender


class ByteBudget:
    """How fast the bytes of large webhook bodies are read, all deliveries together.

    Until its signature is checked, a body is a stranger's, and reading one costs the event
    loop about 2 ms a MiB: four strangers posting 10 MiB bodies back to back kept a core busy
    and tripled real deliveries' latency. Past the codec's ``prefilter_bytes`` a body's bytes
    are read at most ``rate`` a second (after a burst of ``burst``): 32 MiB/s is a tenth of
    what one core can take in, and the largest real delivery (a 2 MiB stock event every 15
    minutes per connection) still arrives in a fraction of a second, well inside the body
    deadline, with a hundred tenants' at once. Small bodies, every real order event, never wait
    for it.
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


_SLICE = 1024 * 1024


class Intake:
    """The receiver's pieces, made once per app: where deliveries go (``writer``), whom they
    are for (``destinations``), how refusals are counted and logged, the budget for large
    bodies, and ``notify`` (wakes the worker when events were stored). ``body_timeout_s``: how
    long a body may take to arrive."""

    def __init__(
        self,
        *,
        destinations: DestinationCache,
        writer: InboxWriter,
        counts: RejectionCounts,
        refusal_log: ThrottledLog,
        notify: Callable[[], None],
        body_timeout_s: float,
        budget: ByteBudget | None = None,
    ) -> None:
        self.destinations = destinations
        self.writer = writer
        self.counts = counts
        self.log = refusal_log
        self.notify = notify
        self.body_timeout_s = body_timeout_s
        self.budget = budget or ByteBudget()

    async def receive(
        self, supplier: str, shortcut: str, country_id: str, incoming: Incoming
    ) -> Accepted | Refused:
        """Admit the delivery and commit its events to the inbox before answering."""
        result = await self._receive(supplier, shortcut, country_id, incoming)
        if isinstance(result, Refused):
            metrics.WEBHOOK_DELIVERIES.labels(supplier, "refused").inc()
            metrics.WEBHOOK_REFUSALS.labels(supplier, result.reason.value).inc()
        else:
            outcome = "accepted" if result.stored else "duplicate"
            metrics.WEBHOOK_DELIVERIES.labels(supplier, outcome).inc()
            for name, n in (("stored", result.stored), ("duplicate", result.duplicates),
                            ("conflict", result.conflicts)):  # fmt: skip
                if n:
                    metrics.WEBHOOK_EVENTS.labels(supplier, name).inc(n)
        return result

    async def _receive(
        self, supplier: str, shortcut: str, country_id: str, incoming: Incoming
    ) -> Accepted | Refused:
        registration = registry.get(supplier)
        admitted = await self.admit(registration, shortcut, country_id, incoming)
        if isinstance(admitted, Refused):
            return admitted
        destination, items, codec = admitted
        # Committed (with whatever other deliveries arrived meanwhile) before the answer goes.
        try:
            accepted = await self.writer.accept(destination, items, incoming.headers)
        except Exception as exc:  # nothing was stored: the supplier delivers again later
            return self._unavailable(codec, "store-failed", "store the events", exc)
        if accepted.stored:
            self.notify()
        return accepted

    async def admit(
        self, registration: Registration, shortcut: str, country_id: str, incoming: Incoming
    ) -> tuple[Destination, list[Envelope], WebhookCodec] | Refused:
        """The delivery's destination and envelopes, every one verified, or why it is
        refused (logged, and counted for the connection): everything but the inbox."""
        codec = registration.webhooks
        if codec is None:
            raise ValueError(f"{registration.name} sends no webhooks")
        destination = None
        if country_id.isdigit() and len(country_id) < 4:
            try:
                destination = await self.destinations.get(
                    registration.key, shortcut, int(country_id)
                )
            except Exception as exc:
                return self._unavailable(codec, "lookup-failed", "look up the destination", exc)
        if destination is None:
            self.log.warning(
                "unknown-destination",
                "refused a webhook delivery for unknown tenant or country %r/%r",
                shortcut[:40],
                country_id[:8],
            )
            reason = Refusal.NOT_FOUND
            return Refused(reason, reason.answer(codec, supplier_name=registration.name))
        try:
            items = await self._read(codec, destination, incoming)
        except HungUp:  # nobody is left to answer
            self.log.warning("hung-up", "a webhook sender hung up before its whole body arrived")
            return Refused(Refusal.HUNG_UP, "")
        except TimeoutError:
            self.log.warning(
                "too-slow",
                "a webhook body did not arrive within %.0f s; the connection was closed",
                self.body_timeout_s,
            )
            return Refused(Refusal.TIMEOUT, Refusal.TIMEOUT.answer(codec))
        if isinstance(items, Refusal):
            return self._refuse(codec, destination, shortcut, incoming.client, items)
        return destination, items, codec

    async def _read(
        self, codec: WebhookCodec, destination: Destination, incoming: Incoming
    ) -> list[Envelope] | Refusal:
        """The cheap checks first, so that a request without a plausible signature costs no
        parsing (or no reading). Raises as ``_read_body`` does."""
        if not destination.keys:
            return Refusal.NO_KEY
        header = incoming.headers.get(codec.signature_header)
        if not header:
            return Refusal.MISSING_SIGNATURE
        limits = codec.limits
        try:
            signatures = codec.signatures(header)
        except TooManyEnvelopes:
            return Refusal.TOO_MANY_EVENTS
        if not signatures:  # none is even shaped like one: no need to read the body
            return Refusal.BAD_SIGNATURE
        body = await self._read_body(incoming, limits.prefilter_bytes)
        if body is None:
            return Refusal.TOO_LARGE
        if len(body) > limits.prefilter_bytes and not await _names_a_signed_event(
            codec, body, signatures, destination.keys
        ):
            return Refusal.BAD_SIGNATURE
        try:
            items = codec.envelopes(body)
        except TooManyEnvelopes:
            return Refusal.TOO_MANY_EVENTS
        except ValueError:  # not UTF-8, not JSON, JSON of another shape, too deep...
            return Refusal.MALFORMED
        if any(item.event_id is None or len(item.event_id) > limits.event_id_max for item in items):
            return Refusal.NO_EVENT_ID
        keys = destination.keys
        if not all(codec.verify(signatures, item.event_id or "", keys) for item in items):
            return Refusal.BAD_SIGNATURE
        return items

    async def _read_body(self, incoming: Incoming, prefilter_bytes: int) -> bytes | None:
        """The body, or None as soon as it is known to exceed ``MAX_BODY_BYTES`` (never read
        whole). Raises ``TimeoutError`` when it has not all arrived within
        ``body_timeout_s``, and ``HungUp`` when the sender hangs up first."""
        # 15 s by default: the largest delivery (2 MiB) at about 1 Mbit/s. A supplier's servers
        # send it in well under a second and redeliver what failed; a stranger trickling bytes
        # would otherwise hold a connection, an open file, for as long as it likes.
        declared = incoming.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return None
        body = bytearray()
        async with asyncio.timeout(self.body_timeout_s):
            async for chunk in incoming.body:
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    return None
                if len(body) > prefilter_bytes:
                    await self.budget.take(len(chunk))
        return bytes(body)

    def _refuse(
        self,
        codec: WebhookCodec,
        destination: Destination,
        shortcut: str,
        client: str,
        reason: Refusal,
    ) -> Refused:
        self.counts.add(destination.connection_id, reason)
        self.log.warning(
            f"{destination.connection_id}:{reason.value}",
            "refused a webhook delivery for %s/%d from %s: %s",
            shortcut,
            destination.country_id,
            client,
            reason.value,
        )
        # A body refused before it was read whole is read on and dropped by the server
        # (closing now would make the sender miss the answer); the server's deadline on
        # reading a request (web/server.py) ends one that never ends.
        return Refused(reason, reason.answer(codec))

    def _unavailable(self, codec: WebhookCodec, key: str, what: str, exc: Exception) -> Refused:
        """A failure of disty's own (the database): one log line a minute, no traceback;
        nothing was stored, and the supplier delivers again later."""
        self.log.warning(key, "could not %s for a webhook delivery: %s", what, type(exc).__name__)
        return Refused(Refusal.UNAVAILABLE, Refusal.UNAVAILABLE.answer(codec, what=what))


async def _names_a_signed_event(
    codec: WebhookCodec, body: bytes, signatures: list[bytes], keys: tuple[str, ...]
) -> bool:
    """Whether the body names an event id (among its first ``max_envelopes``) that one of the
    signatures signs: a MiB at a time, the event loop serving other requests in between, so four
    strangers' 10 MiB bodies at once never hold it for more than a few ms."""
    left = codec.limits.max_envelopes
    for start in range(0, len(body), _SLICE):
        named = codec.event_ids_named(body, start, start + _SLICE, left)
        if any(codec.verify(signatures, event_id, keys) for event_id in named):
            return True
        left -= len(named)
        if left <= 0:
            return False
        await asyncio.sleep(0)
    return False
