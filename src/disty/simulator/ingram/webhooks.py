"""Webhooks out: what Ingram's portal configures per app, and how deliveries go.

- A ``Subscription`` is one webhook of one app: destination URL, the events it subscribes to,
  and its own secret ("Signature Token"; "Generate New Key" replaces it).
- An ``Event`` is created once (a new 18-character ``eventId`` each time) and fanned out to
  every subscription of its app that wants its kind: one ``Delivery`` per subscription.
- Each delivery is a JSON POST with ``x-hub-signature`` = base64(HMAC-SHA512(secret,
  eventId)): only the event id is signed, as Ingram documents. The signature is computed here
  with the standard library on purpose; disty's receiver has its own code, and the tests'
  receiver yet another, so a mistake in one cannot hide in the others.
- Deliveries of one subscription go out one at a time, in event order (``Dispatcher.drain``),
  so a receiver sees an order's life in order unless the control API asks otherwise. A failed
  attempt (non-2xx, connection error, timeout) is retried on the simulated clock after 10 s,
  30 s, 90 s, 270 s, 810 s, then given up (``failed``); every attempt is logged without the
  secret. The control API can redeliver any event, deliver a set in a chosen order, or switch
  deliveries off (events are then recorded as ``suppressed``: polling has to find them).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import string
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from disty.simulator.clock import SimClock

log = logging.getLogger("disty.simulator.webhooks")

EventKind = Literal[
    "order_shipped",
    "order_invoiced",
    "order_hold",
    "order_voided",
    "order_backordered",
    "order_async_create",
    "quote_create",
    "stock_update",
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "order_shipped",
    "order_invoiced",
    "order_hold",
    "order_voided",
    "order_backordered",
    "order_async_create",
    "quote_create",
    "stock_update",
)
RETRY_AFTER_S = (10.0, 30.0, 90.0, 270.0, 810.0)
DELIVERY_TIMEOUT_S = 5.0
DeliveryStatus = Literal["pending", "delivering", "delivered", "retrying", "failed", "suppressed"]
_EVENT_ID_ALPHABET = string.ascii_uppercase + string.digits


def sign(secret: str, event_id: str) -> str:
    """Ingram's ``x-hub-signature``: base64(HMAC-SHA512(key=secret, msg=eventId))."""
    mac = hmac.new(secret.encode(), event_id.encode(), hashlib.sha512).digest()
    return base64.b64encode(mac).decode()


def new_event_id() -> str:
    # 18 upper-case letters and digits, like the spec's examples (N01CIB9VVFYKR9J6ZW).
    return "".join(secrets.choice(_EVENT_ID_ALPHABET) for _ in range(18))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


@dataclass(slots=True)
class Subscription:
    id: str
    client_id: str
    destination_url: str
    events: tuple[EventKind, ...]
    secret: str
    active: bool = True
    # The country (marketplace) it serves: its events only. None: every country of the app,
    # still one event per country (a stock figure never stands without its country).
    country: str | None = None

    def wants(self, kind: EventKind, country: str | None) -> bool:
        return (
            self.active
            and kind in self.events
            and (self.country is None or country is None or self.country == country)
        )

    def public(self) -> dict[str, object]:
        # The secret is shown once (create, regenerate); afterwards only its last 4 characters.
        return {
            "id": self.id,
            "client_id": self.client_id,
            "destination_url": self.destination_url,
            "events": list(self.events),
            "country": self.country,
            "secret": "****" + self.secret[-4:],
            "active": self.active,
        }


@dataclass(slots=True)
class Event:
    id: str
    kind: EventKind
    client_id: str
    created_at: float
    body: dict[str, Any]
    country: str | None = None


@dataclass(slots=True)
class Attempt:
    at: float
    status_code: int | None
    error: str | None


@dataclass(slots=True)
class Delivery:
    id: int
    event: Event
    subscription_id: str
    status: DeliveryStatus = "pending"
    next_attempt_at: float | None = None
    attempts: list[Attempt] = field(default_factory=list)

    def public(self) -> dict[str, object]:
        last = self.attempts[-1] if self.attempts else None
        return {
            "id": self.id,
            "event_id": self.event.id,
            "event_kind": self.event.kind,
            "subscription_id": self.subscription_id,
            "status": self.status,
            "attempts": len(self.attempts),
            "last_status_code": last.status_code if last else None,
            "last_error": last.error if last else None,
            "next_attempt_at": self.next_attempt_at,
        }


class Dispatcher:
    """Subscriptions, events and deliveries, and the tasks that send them."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.subscriptions: dict[str, Subscription] = {}
        self.events: dict[str, Event] = {}
        self.deliveries: list[Delivery] = []
        self.enabled = True
        self._draining: dict[str, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def clear(self) -> None:
        self.subscriptions.clear()
        self.events.clear()
        self.deliveries.clear()
        self.enabled = True

    # -- configuration ----------------------------------------------------------------------

    def subscribe(
        self,
        client_id: str,
        url: str,
        events: tuple[EventKind, ...],
        secret: str | None = None,
        country: str | None = None,
    ) -> Subscription:
        sub = Subscription(
            "wh-" + secrets.token_hex(4),
            client_id,
            url,
            events,
            secret or new_secret(),
            country=country,
        )
        self.subscriptions[sub.id] = sub
        return sub

    # -- events -----------------------------------------------------------------------------

    def emit(
        self,
        kind: EventKind,
        client_id: str | None,
        body: dict[str, Any],
        country: str | None = None,
    ) -> list[Event]:
        """Record an event per app (``client_id`` None: every app) and queue its deliveries
        to the app's webhooks for ``country`` (None: every webhook).

        ``body`` is the envelope without ``eventId``; each app's event gets a fresh id.
        """
        out = []
        apps = (
            {client_id}
            if client_id is not None
            else {s.client_id for s in self.subscriptions.values()}
        )
        now = self.clock.now()
        for app in sorted(apps):
            subs = [
                s
                for s in self.subscriptions.values()
                if s.client_id == app and s.wants(kind, country)
            ]
            if not subs and client_id is None:
                continue
            event = Event(new_event_id(), kind, app, now, {**body}, country)
            event.body["eventId"] = event.id
            self.events[event.id] = event
            out.append(event)
            for sub in subs:
                self._queue(event, sub.id, now)
        return out

    def _queue(self, event: Event, subscription_id: str, at: float) -> Delivery:
        d = Delivery(len(self.deliveries) + 1, event, subscription_id)
        if self.enabled:
            d.next_attempt_at = at
        else:
            d.status = "suppressed"
        self.deliveries.append(d)
        return d

    def redeliver(self, event_id: str, subscription_id: str | None = None) -> list[Delivery]:
        """A fresh delivery of an old event (same id, same body) to its subscriptions."""
        event = self.events[event_id]
        subs = [
            s
            for s in self.subscriptions.values()
            if s.client_id == event.client_id
            and (subscription_id is None or s.id == subscription_id)
        ]
        now = self.clock.now()
        out = []
        for s in subs:
            d = Delivery(len(self.deliveries) + 1, event, s.id, next_attempt_at=now)
            self.deliveries.append(d)
            out.append(d)
        return out

    # -- sending ----------------------------------------------------------------------------

    def due(self, now: float) -> bool:
        return any(
            d.next_attempt_at is not None
            and d.next_attempt_at <= now
            and d.status in ("pending", "retrying")
            for d in self.deliveries
        )

    def start_due(self) -> None:
        """Start (or keep) one draining task per subscription that has a due delivery."""
        now = self.clock.now()
        for sub_id in {
            d.subscription_id
            for d in self.deliveries
            if d.status in ("pending", "retrying")
            and d.next_attempt_at is not None
            and d.next_attempt_at <= now
        }:
            task = self._draining.get(sub_id)
            if task is None or task.done():
                self._draining[sub_id] = asyncio.get_running_loop().create_task(self.drain(sub_id))

    async def drain(self, subscription_id: str) -> None:
        while True:
            now = self.clock.now()
            due = [
                d
                for d in self.deliveries
                if d.subscription_id == subscription_id
                and d.status in ("pending", "retrying")
                and d.next_attempt_at is not None
                and d.next_attempt_at <= now
            ]
            if not due:
                return
            await self.attempt(min(due, key=lambda d: (d.next_attempt_at or 0.0, d.id)))

    async def deliver_in_order(self, deliveries: list[Delivery]) -> None:
        """Send these now, one after the other, in the given order (out-of-order tests)."""
        for d in deliveries:
            await self.attempt(d)

    async def attempt(self, d: Delivery) -> None:
        sub = self.subscriptions.get(d.subscription_id)
        now = self.clock.now()
        if sub is None:
            d.status, d.next_attempt_at = "failed", None
            d.attempts.append(Attempt(now, None, "the webhook was deleted"))
            return
        d.status = "delivering"
        payload = json.dumps(d.event.body).encode()
        headers = {
            "content-type": "application/json",
            "x-hub-signature": sign(sub.secret, d.event.id),
            "user-agent": "disty-simulator-ingram-webhooks",
        }
        code: int | None = None
        error: str | None = None
        try:
            r = await self._http().post(sub.destination_url, content=payload, headers=headers)
            code = r.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        d.attempts.append(Attempt(self.clock.now(), code, error))
        if error is None:
            d.status, d.next_attempt_at = "delivered", None
            log.info("delivered %s event %s to %s", d.event.kind, d.event.id, sub.id)
            return
        n = len(d.attempts)
        if n > len(RETRY_AFTER_S):
            d.status, d.next_attempt_at = "failed", None
            log.warning(
                "gave up on event %s to %s after %d attempts: %s", d.event.id, sub.id, n, error
            )
        else:
            d.status = "retrying"
            d.next_attempt_at = self.clock.now() + RETRY_AFTER_S[n - 1]
            log.warning(
                "delivery of event %s to %s failed (%s); retry in %.0f s",
                d.event.id,
                sub.id,
                error,
                RETRY_AFTER_S[n - 1],
            )

    def _http(self) -> httpx.AsyncClient:
        # One client per event loop: tests run several loops, uvicorn runs one.
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_S)
            self._loop = loop
        return self._client

    async def idle(self, timeout_s: float = 15.0) -> None:
        """Wait until no delivery task is running (the control API waits before answering)."""
        tasks = [t for t in self._draining.values() if not t.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)
