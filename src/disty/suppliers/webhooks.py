"""What a supplier with webhooks tells disty's one webhook intake: its webhook codec.

The intake (services/webhooks/ and the receiver in web/) is the same for every supplier; the
codec is the supplier's part of it: the address its deliveries arrive at, the header their
signatures arrive in, the limits a delivery is read within, how signatures verify, how a body
becomes envelopes, and what a stored event means, in the neutral facts below (the processing
knows no supplier's event kinds). And the words an admin reads in Run Test's webhook checks.

A delivery comes from a stranger until its signatures verify, so everything here that reads
one is bounded by the codec's ``limits``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from disty.domain.checks import Fix


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event of a delivery, as the inbox keeps it."""

    event_id: str | None  # None: the envelope names none (the delivery is refused)
    event_type: str
    topic: str | None
    event_time: datetime | None
    raw: str  # the envelope's JSON: the request body itself for a single envelope
    data: dict[str, Any]


class NotEnvelopes(ValueError):
    """The body is JSON but not what the supplier sends (or beyond the codec's limits)."""


class TooManyEnvelopes(NotEnvelopes):
    """More envelopes (or signatures) in one delivery than ``limits.max_envelopes``."""


@dataclass(frozen=True, slots=True)
class WebhookLimits:
    max_envelopes: int  # envelopes (and so signatures) in one delivery
    max_depth: int  # levels of JSON nesting
    prefilter_bytes: int  # a larger body is parsed only once an event id it names verifies
    event_id_max: int  # characters of an event id


# -- what a stored event means ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderRef:
    order_number: str | None  # the supplier's order number, when the body names it
    po_number: str | None  # the reseller's PO number


@dataclass(frozen=True, slots=True)
class OrdersTouched:
    """Orders changed at the supplier (shipped, invoiced, on hold...): read them afresh."""

    orders: tuple[OrderRef, ...]  # empty: the event names none


@dataclass(frozen=True, slots=True)
class OrderResult:
    """The asynchronous answer to an order placed as "accepted, order number to follow"."""

    po_number: str | None
    order_numbers: tuple[str, ...]
    refusal: str | None  # why nothing was placed, when the result says so


@dataclass(frozen=True, slots=True)
class StockRow:
    sku: str
    total_available: int
    backorder: bool


@dataclass(frozen=True, slots=True)
class StockChanged:
    rows: tuple[StockRow, ...]


@dataclass(frozen=True, slots=True)
class QuoteCreated:
    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ignored:
    """An event kind disty has nothing to do for."""

    kind: str


Fact = OrdersTouched | OrderResult | StockChanged | QuoteCreated | Ignored


class WebhookCodec(Protocol):
    @property
    def path(self) -> str:
        """Where deliveries arrive, with ``{shortcut}`` and ``{country_id}``: the Destination
        URL's path an admin pastes into the supplier's portal. It never changes."""
        ...

    @property
    def signature_header(self) -> str:
        """The HTTP header a delivery's signature(s) arrive in."""
        ...

    @property
    def limits(self) -> WebhookLimits: ...

    def signatures(self, header: str) -> list[bytes]:
        """The header's signatures shaped like one (the others left out), cheaply, before any
        body is read; raises ``TooManyEnvelopes`` for more than a delivery may hold."""
        ...

    def verify(self, signatures: list[bytes], event_id: str, keys: Iterable[str]) -> bool:
        """Whether one of the signatures signs the event id with one of the keys, every pair
        compared in constant time (``hmac.compare_digest``)."""
        ...

    def event_ids_named(self, body: bytes, start: int, stop: int, limit: int) -> list[str]:
        """The first ``limit`` event ids named in ``body[start:stop]``, without parsing it: a
        large body in which none verifies is refused unparsed."""
        ...

    def envelopes(self, body: bytes) -> list[Envelope]:
        """A delivery's envelopes. Raises ``ValueError``: ``TooManyEnvelopes``, or any other
        for a body that is not what the supplier sends."""
        ...

    def interpret(self, event_type: str, body: str) -> Fact:
        """What a stored event (one envelope's ``raw``) means; ``ValueError`` if unreadable."""
        ...

    @property
    def key_fix(self) -> Fix:
        """How an admin gets the webhook's signing key into disty (Run Test's fix)."""
        ...

    @property
    def test_delivery_fix(self) -> Fix:
        """How an admin makes the supplier send a delivery now, to see it arrive."""
        ...

    @property
    def stale_key_fix(self) -> Fix:
        """What to do when deliveries carry a signature that matches no saved key."""
        ...


def webhook_path(codec: WebhookCodec, shortcut: str, country_id: int) -> str:
    return codec.path.format(shortcut=shortcut, country_id=country_id)
