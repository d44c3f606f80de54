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

A delivery comes from a stranger until its signatures verify, so reading one is bounded: text
is UTF-8 (``decode``, the one way bytes become text, at the door and in the worker alike), at
most ``MAX_ENVELOPES`` envelopes and ``MAX_DEPTH`` levels of nesting, and a large body is
parsed only once an event id it names is signed (``event_ids_named``).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from disty.domain.checks import Fix
from disty.suppliers.webhooks import (
    Envelope,
    Fact,
    Ignored,
    NotEnvelopes,
    OrderRef,
    OrderResult,
    OrdersTouched,
    QuoteCreated,
    StockChanged,
    StockRow,
    TooManyEnvelopes,
    WebhookLimits,
)

# The Destination URL resellers have pasted into Ingram's portal: it never changes.
PATH = "/supplierapi/distributorWebhook/{shortcut}/{country_id}"
SIGNATURE_HEADER = "x-hub-signature"
SIGNATURE_BYTES = 64  # HMAC-SHA512
EVENT_ID_MAX = 128
# Envelopes in one delivery. Ingram sends one (the v7 examples wrap that one in an array; stock
# deltas are one envelope of up to 4,000 SKUs): 100 is far above anything it sends, and low
# enough that a stranger's array of 655k tiny envelopes is refused after the 100th.
MAX_ENVELOPES = 100
# Levels of nesting of JSON in a delivery. Ingram's deepest (an order's lines' shipments'
# packages' serials) is under 10; deep nesting only exists to exhaust a recursive parser (Python's
# stops near 1,000 with RecursionError), and whatever is accepted is parsed again by the worker.
MAX_DEPTH = 32
# Bodies above this size are parsed only once an event id they name verifies
# (``event_ids_named``): parsing 64 KiB takes well under a millisecond, parsing 10 MiB a good
# fraction of a second of the event loop.
PREFILTER_BYTES = 64 * 1024

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
# Each event type as the console's webhook log names it.
EVENT_LABELS = {
    "im::order_shipped": "Order shipped",
    "im::order_invoiced": "Order invoiced",
    "im::order_hold": "Order on hold",
    "im::order_voided": "Order voided",
    "im::order_backordered": "Order back-ordered",
    V7_ORDER_RESULT: "Order placed (v7 result)",
    QUOTE_CREATED: "Quote created",
    STOCK_UPDATE: "Stock changed",
}


def expected_signature(key: str, event_id: str) -> bytes:
    return hmac.new(key.encode(), event_id.encode(), hashlib.sha512).digest()


def _decode(signature: str) -> bytes | None:
    try:
        return base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def signatures(header: str | None) -> list[bytes]:
    """The header's signatures, decoded (those that are not base64 left out)."""
    if not header:
        return []
    return [d for d in (_decode(part) for part in header.split(",")) if d is not None]


def verify(header: str | list[bytes] | None, event_id: str, keys: Iterable[str]) -> bool:
    """Whether one of the header's signatures (the header, or ``signatures(header)``) is the
    event id signed with one of the keys.

    Every pair is compared, in constant time, so the time taken says nothing about which
    key or signature came close.
    """
    given = header if isinstance(header, list) else signatures(header)
    if not given:
        return False
    try:
        event_id.encode()
    except UnicodeEncodeError:  # a lone surrogate (from a "\\ud800" escape): no id Ingram signs
        return False
    matched = False
    for key in keys:
        wanted = expected_signature(key, event_id)
        for digest in given:
            matched |= hmac.compare_digest(wanted, digest)
    return matched


# Where a body names an event id: the key (any case, as ``_get`` reads it), then a JSON string.
_EVENT_ID_KEY = b'"eventid"'
# Every part bounded: "eventId" followed by megabytes of spaces costs a few bytes, not a scan.
_EVENT_ID_VALUE = re.compile(rb'\s{0,64}:\s{0,64}"((?:[^"\\]|\\.){1,%d})"' % (EVENT_ID_MAX * 6))


def event_ids_named(
    body: bytes, start: int = 0, stop: int | None = None, limit: int = MAX_ENVELOPES
) -> list[str]:
    """The first ``limit`` event ids a body names where the key starts within
    ``body[start:stop]``: cheap,
    before parsing, for ``PREFILTER_BYTES`` and more (lowered bytes and ``find``, about 1 ms a
    MiB, where a regular expression over the text takes three). A body in which none verifies
    is refused unparsed, so a stranger without a signed event id cannot make disty build
    anything from megabytes of JSON; one in which one does is still parsed in full and every
    envelope verified. Ask a slice at a time to let other work run in between."""
    stop = len(body) if stop is None else stop
    lowered = body[start : stop + len(_EVENT_ID_KEY) - 1].lower()  # ASCII only: same offsets
    found: list[str] = []
    at = lowered.find(_EVENT_ID_KEY)
    while at >= 0 and len(found) < limit:
        match = _EVENT_ID_VALUE.match(body, start + at + len(_EVENT_ID_KEY))
        if match is not None:
            try:
                event_id = json.loads(b'"' + match[1] + b'"')
            except ValueError:
                event_id = None
            if isinstance(event_id, str):
                found.append(event_id.strip())
        at = lowered.find(_EVENT_ID_KEY, at + 1)
    return found


def decode(body: bytes | str) -> str:
    """A delivery's body as text: the one way, used by the receiver on the bytes it reads and by
    the worker on the text it stored, so what one accepts the other can read.

    JSON between systems is UTF-8 (RFC 8259, section 8.1); a leading byte order mark, which that
    section lets a parser ignore, is dropped. Anything else (UTF-16, invalid bytes) raises
    ``ValueError`` (``UnicodeDecodeError``) and is refused at the door.
    """
    if isinstance(body, bytes):
        return body.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    return body.removeprefix("\ufeff")  # stored before bodies were decoded here


_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's own
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _check(document: Any, depth: int = 1) -> None:
    """Refuse what parsed but later code could not handle: nesting deeper than ``MAX_DEPTH``
    (the worker, and json.dumps, recurse), and a lone surrogate (a "\\ud800" escape) in any
    string, which no database can store and UTF-8 cannot encode. A loop, not recursion."""
    stack: list[tuple[Any, int]] = [(document, depth)]
    while stack:
        value, level = stack.pop()
        if level > MAX_DEPTH:
            raise NotEnvelopes(f"the JSON is nested deeper than {MAX_DEPTH} levels")
        children = value.values() if isinstance(value, dict) else value
        strings = [k for k in value if not k.isascii()] if isinstance(value, dict) else []
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, level + 1))
            elif isinstance(child, str) and not child.isascii():
                strings.append(child)
        if any(_SURROGATE.search(s) for s in strings):
            raise NotEnvelopes("the JSON holds a lone surrogate, which is not Unicode text")


def load(text: str) -> Any:
    """JSON text to Python within the limits above; raises ``ValueError`` otherwise."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise NotEnvelopes(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    if isinstance(document, dict | list):
        _check(document)
    elif isinstance(document, str) and _SURROGATE.search(document):
        raise NotEnvelopes("the JSON holds a lone surrogate, which is not Unicode text")
    return document


def event_data(body: str) -> dict[str, Any]:
    """A stored event's body (one envelope) read back, the same way the receiver read it."""
    document = load(decode(body))
    if not isinstance(document, dict):
        raise NotEnvelopes("a stored event is one JSON object")
    return document


def _array(text: str, start: int) -> list[Any]:
    """The items of the top-level JSON array opening at ``text[start]``, parsed one by one, so
    that the 101st envelope of a huge array stops the work before it is parsed."""
    decoder = json.JSONDecoder()
    items: list[Any] = []
    i = _WHITESPACE.match(text, start + 1).end()  # type: ignore[union-attr]
    if not text.startswith("]", i):
        while True:
            if len(items) == MAX_ENVELOPES:
                raise TooManyEnvelopes(f"more than {MAX_ENVELOPES} events in one delivery")
            try:
                item, i = decoder.raw_decode(text, i)
            except RecursionError:
                raise NotEnvelopes(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
            if isinstance(item, dict | list):
                _check(item, depth=2)
            items.append(item)
            i = _WHITESPACE.match(text, i).end()  # type: ignore[union-attr]
            if text.startswith(",", i):
                i = _WHITESPACE.match(text, i + 1).end()  # type: ignore[union-attr]
                continue
            if not text.startswith("]", i):
                raise NotEnvelopes("the JSON array is not closed")
            break
    if _WHITESPACE.match(text, i + 1).end() != len(text):  # type: ignore[union-attr]
        raise NotEnvelopes("there is more after the JSON array")
    return items


def envelopes(body: bytes | str) -> list[Envelope]:
    """Parse a delivery (its bytes, or its text from ``decode``). Raises ``ValueError``:
    ``UnicodeDecodeError`` for bytes that are not UTF-8, ``json.JSONDecodeError`` for text that
    is not JSON, ``NotEnvelopes`` for JSON of another shape or beyond the limits, and
    ``TooManyEnvelopes`` for more than ``MAX_ENVELOPES``."""
    text = decode(body)
    start = _WHITESPACE.match(text).end()  # type: ignore[union-attr]
    if text.startswith("[", start):
        documents = _array(text, start)
        if documents and all(isinstance(e, dict) for e in documents):
            return [_envelope(e, json.dumps(e, separators=(",", ":"))) for e in documents]
    else:
        document = load(text)
        if isinstance(document, dict):
            return [_envelope(document, text)]
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


# Control characters, and lone surrogates should any reach here (``_check`` refuses them).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


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


def v7_result(data: dict[str, Any]) -> OrderResult:
    """The v7 asynchronous order result: the orders Ingram placed for a PO, or why none."""
    resources = _resources(data)
    resource = resources[0] if resources else {}
    numbers: list[str] = []
    reasons: list[str] = []
    for order in _get(resource, "orders") or []:
        if isinstance(order, dict):
            number = _text(_get(order, "ingramOrderNumber", "orderNumber"))
            if number and number not in numbers:
                numbers.append(number)
            elif not number:
                # An entry without a number is the refusal: v7's schema says why in its notes
                # (numberOfLinesWithError counts the lines refused).
                reason = _text(_get(order, "notes"))
                if reason:
                    reasons.append(reason)
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
    return OrderResult(
        po_number=_text(_get(resource, "customerOrderNumber"))
        or _text(_get(data, "customerOrderNumber")),
        order_numbers=tuple(numbers),
        refusal=refusal,
    )


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


def interpret(event_type: str, body: str) -> Fact:
    """What a stored event means, by its kind (read from the body as the receiver read it)."""
    data = event_data(body)
    if event_type in ORDER_EVENTS:
        return OrdersTouched(tuple(order_refs(data)))
    if event_type == V7_ORDER_RESULT:
        return v7_result(data)
    if event_type == STOCK_UPDATE:
        return StockChanged(tuple(stock_rows(data)))
    if event_type == QUOTE_CREATED:
        return QuoteCreated(tuple(quote_numbers(data)))
    return Ignored(event_type)


def shaped_signatures(header: str) -> list[bytes]:
    """The header's signatures that are HMAC-SHA512 sized; ``TooManyEnvelopes`` for more
    signatures than a delivery may hold envelopes (one signature per envelope), counted
    before any is decoded."""
    if header.count(",") >= MAX_ENVELOPES:
        raise TooManyEnvelopes(f"more than {MAX_ENVELOPES} signatures in one delivery")
    return [s for s in signatures(header) if len(s) == SIGNATURE_BYTES]


# What an admin does about the webhook, said for the CLI and for the console (Run Test's fixes).
KEY_FIX = Fix(
    cli="Once Ingram approves the app, create a webhook in the developer portal with "
    "disty's Destination URL (disty webhook url) and save its Signature Token with "
    "'disty supplier set ingram --webhook-key -'.",
    console="Once Ingram approves the app, create a webhook in the developer portal with "
    "the Destination URL shown here (Copy), and paste its Signature Token into New "
    "Webhook Key, then Save.",
)
TEST_DELIVERY_FIX = Fix(
    cli="In the developer portal, open the app's webhook and press Send Test Event; "
    "its Destination URL must be exactly what 'disty webhook url' prints.",
    console="In the developer portal, open the app's webhook and press Send Test Event; "
    "its Destination URL must be exactly the one under Webhook Key(s) on this page.",
)
STALE_KEY_FIX = Fix(
    cli="A signature that matches no key means the Signature Token in disty is not the "
    "webhook's current one: save it again with 'disty supplier set ingram --webhook-key -' "
    "(Generate New Key in the portal replaces it). Refusals from strangers need no action.",
    console="A signature that matches no key means the Signature Token in disty is not "
    "the webhook's current one: paste it again into New Webhook Key and Save (Generate "
    "New Key in the portal replaces it). Refusals from strangers need no action.",
)


@dataclass(frozen=True)
class IngramWebhooks:
    """Ingram's webhook codec (suppliers/webhooks.py): this module's functions."""

    path: str = PATH
    signature_header: str = SIGNATURE_HEADER
    limits: WebhookLimits = field(
        default_factory=lambda: WebhookLimits(
            max_envelopes=MAX_ENVELOPES,
            max_depth=MAX_DEPTH,
            prefilter_bytes=PREFILTER_BYTES,
            event_id_max=EVENT_ID_MAX,
        )
    )
    key_fix: Fix = KEY_FIX
    test_delivery_fix: Fix = TEST_DELIVERY_FIX
    stale_key_fix: Fix = STALE_KEY_FIX

    def signatures(self, header: str) -> list[bytes]:
        return shaped_signatures(header)

    def verify(self, signatures: list[bytes], event_id: str, keys: Iterable[str]) -> bool:
        return verify(signatures, event_id, keys)

    def event_ids_named(self, body: bytes, start: int, stop: int, limit: int) -> list[str]:
        return event_ids_named(body, start, stop, limit)

    def envelopes(self, body: bytes) -> list[Envelope]:
        return envelopes(body)

    def interpret(self, event_type: str, body: str) -> Fact:
        return interpret(event_type, body)


CODEC = IngramWebhooks()
