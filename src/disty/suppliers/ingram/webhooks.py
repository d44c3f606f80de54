"""Ingram Micro's webhooks as they arrive: the signature, the envelopes and what they point at.

Facts (../shared/ingram/NOTES.md): each delivery is a JSON POST whose ``x-hub-signature`` is
base64(HMAC-SHA512(key = the webhook's Signature Token, message = eventId)). Only the event id
is signed, never the body, so a body is a hint: disty reads an order's state from the order
detail API, and uses the body only to know which order to look at.

The envelope is ``{"topic", "event", "eventTimeStamp", "eventId", "resource"}``; order events
carry ``resource`` as an array of orders, the v7 asynchronous order result as one object. The
spec's v7 examples send an array of envelopes: each is verified and kept as its own event.
Since one request has one header, the header then carries one signature per envelope,
separated by commas (base64 never holds a comma); a single envelope carries exactly one.
Spelling and case vary (``eventTimeStamp``/``evenTtimeStamp``, ``orderNumber``/
``ingramOrderNumber``), so every field is read leniently.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SIGNATURE_HEADER = "x-hub-signature"
EVENT_ID_MAX = 128

# Event kinds, by the resource's eventType.
ORDER_EVENTS = frozenset(
    {
        "im::order_shipped",
        "im::order_invoiced",
        "im::order_hold",
        "im::order_voided",
        "im::order_backordered",
    }
)
V7_ORDER_RESULT = "im::async_order_create"
QUOTE_CREATED = "im::quote_create"
STOCK_UPDATE = "im::stock_update"


def expected_signature(key: str, event_id: str) -> bytes:
    return hmac.new(key.encode(), event_id.encode(), hashlib.sha512).digest()


def _decode(signature: str) -> bytes | None:
    try:
        return base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def verify(header: str | None, event_id: str, keys: Iterable[str]) -> bool:
    """Whether one of the header's signatures is the event id signed with one of the keys.

    Every pair is compared, in constant time, so the time taken says nothing about which
    key or signature came close.
    """
    if not header:
        return False
    given = [d for d in (_decode(part) for part in header.split(",")) if d is not None]
    matched = False
    for key in keys:
        wanted = expected_signature(key, event_id)
        for digest in given:
            matched |= hmac.compare_digest(wanted, digest)
    return matched


@dataclass(frozen=True, slots=True)
class Envelope:
    event_id: str | None
    event_type: str
    topic: str | None
    event_time: datetime | None
    raw: str  # the envelope's JSON: the request body itself for a single envelope
    data: dict[str, Any]


class NotEnvelopes(ValueError):
    """The body is JSON but not an envelope nor an array of envelopes."""


def envelopes(body: bytes) -> list[Envelope]:
    """Parse a delivery. Raises ``ValueError`` (``json.JSONDecodeError``) for a body that is
    not JSON and ``NotEnvelopes`` for JSON of another shape."""
    document = json.loads(body)
    if isinstance(document, dict):
        return [_envelope(document, body.decode("utf-8", errors="replace"))]
    if isinstance(document, list) and document and all(isinstance(e, dict) for e in document):
        return [_envelope(e, json.dumps(e, separators=(",", ":"))) for e in document]
    raise NotEnvelopes("expected a JSON object (one event) or an array of them")


def _get(data: dict[str, Any], *names: str) -> Any:
    """A field under any of its spellings, ignoring case."""
    lowered = {k.lower(): v for k, v in data.items() if isinstance(k, str)}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _resources(data: dict[str, Any]) -> list[dict[str, Any]]:
    resource = _get(data, "resource")
    if isinstance(resource, dict):
        return [resource]
    if isinstance(resource, list):
        return [r for r in resource if isinstance(r, dict)]
    return []


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: str) -> str:
    """Control characters removed: these fields are stored and shown, never compared as
    signed data (NUL cannot even be stored in PostgreSQL text)."""
    return _CONTROL.sub("", text)


def _envelope(data: dict[str, Any], raw: str) -> Envelope:
    event_id = _get(data, "eventId")
    if isinstance(event_id, str) and _CONTROL.search(event_id):
        event_id = None  # not an id Ingram issues: refused like a missing one
    types = [
        str(t).strip().lower()
        for t in [_get(r, "eventType") for r in _resources(data)] + [_get(data, "eventType")]
        if isinstance(t, str) and t.strip()
    ]
    event_type = types[0] if types else str(_get(data, "event") or "unknown").strip().lower()
    topic = _get(data, "topic")
    return Envelope(
        event_id=event_id.strip() if isinstance(event_id, str) and event_id.strip() else None,
        event_type=_clean(event_type)[:64],
        topic=_clean(str(topic))[:64] if topic else None,
        event_time=_time(_get(data, "eventTimeStamp", "evenTtimeStamp", "eventTime")),
        raw=raw,
        data=data,
    )


# -- what an event points at -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderRef:
    order_number: str | None  # Ingram's order number, when the body names it
    po_number: str | None  # the reseller's customerOrderNumber


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def order_refs(data: dict[str, Any]) -> list[OrderRef]:
    """The orders an order event is about (normally one)."""
    top_po = _text(_get(data, "customerOrderNumber"))
    refs: list[OrderRef] = []
    for resource in _resources(data):
        ref = OrderRef(
            order_number=_text(_get(resource, "orderNumber", "ingramOrderNumber")),
            po_number=_text(_get(resource, "customerOrderNumber")) or top_po,
        )
        if (ref.order_number or ref.po_number) and ref not in refs:
            refs.append(ref)
    if not refs and top_po:
        refs.append(OrderRef(None, top_po))
    return refs


@dataclass(frozen=True, slots=True)
class V7Result:
    po_number: str | None
    order_numbers: tuple[str, ...]
    refusal: str | None  # why nothing was placed, when the result says so


def v7_result(data: dict[str, Any]) -> V7Result:
    resources = _resources(data)
    resource = resources[0] if resources else {}
    numbers: list[str] = []
    reasons: list[str] = []
    for order in _get(resource, "orders") or []:
        if isinstance(order, dict):
            number = _text(_get(order, "ingramOrderNumber", "orderNumber"))
            if number and number not in numbers:
                numbers.append(number)
    for item in _get(resource, "rejectedLineItems") or []:
        if isinstance(item, dict):
            reason = _text(_get(item, "rejectReason", "rejectCode"))
            if reason:
                reasons.append(reason)
    for error in _get(resource, "errors") or []:
        if isinstance(error, dict):
            reason = _text(_get(error, "message", "description"))
            if reason:
                reasons.append(reason)
    refusal = None
    if not numbers:
        refusal = "; ".join(reasons) or "the supplier placed no order for it"
    return V7Result(
        po_number=_text(_get(resource, "customerOrderNumber"))
        or _text(_get(data, "customerOrderNumber")),
        order_numbers=tuple(numbers),
        refusal=refusal,
    )


@dataclass(frozen=True, slots=True)
class StockRow:
    sku: str
    total_available: int
    backorder: bool


def stock_rows(data: dict[str, Any]) -> list[StockRow]:
    rows: list[StockRow] = []
    for resource in _resources(data):
        sku = _text(_get(resource, "ingramPartNumber"))
        if sku is None:
            continue
        try:
            total = int(float(str(_get(resource, "totalAvailability"))))
        except (TypeError, ValueError):
            continue  # a row we cannot read tells nothing; the others still count
        flag = str(_get(resource, "backOrderFlag") or "").strip().upper()
        rows.append(StockRow(sku.upper(), max(total, 0), flag in ("Y", "YES", "TRUE")))
    return rows


def quote_numbers(data: dict[str, Any]) -> list[str]:
    return [n for n in (_text(_get(r, "quoteNumber")) for r in _resources(data)) if n]
