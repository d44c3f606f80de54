"""What disty counts for Prometheus (served at ``/metrics``, web/metrics.py).

Counters and histograms here are this process's own: each replica and each worker counts what
it did, and Prometheus adds them up across its targets (``sum by (...)``). What the database
knows (inbox lag, queue depth and age, POs by state) is not counted here but read at scrape
time (services/gauges.py), so every replica reports the same, true figure: aggregate those
with ``max``, not ``sum``.

Labels are bounded on purpose: a supplier key (a handful), an endpoint as ``endpoint_label``
makes it (a path with its ids cut out, at most ``MAX_ENDPOINTS`` per supplier, then
``other``), a refusal reason (an enum), an outcome (a few words). Never an id, a tenant, a URL
with its query, or anything a stranger chooses.
"""

from __future__ import annotations

import re
import threading

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

WEBHOOK_DELIVERIES = Counter(
    "disty_webhook_deliveries",
    "Webhook deliveries answered, by supplier and outcome (accepted: at least one new event "
    "stored; duplicate: all known already; refused: see disty_webhook_refusals_total).",
    ["supplier", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_EVENTS = Counter(
    "disty_webhook_events",
    "Webhook events by what the inbox made of them: stored, duplicate, conflict.",
    ["supplier", "result"],
    registry=REGISTRY,
)
WEBHOOK_REFUSALS = Counter(
    "disty_webhook_refusals",
    "Webhook deliveries refused, by supplier and reason.",
    ["supplier", "reason"],
    registry=REGISTRY,
)
SUPPLIER_SECONDS = Histogram(
    "disty_supplier_request_seconds",
    "Time of one HTTP exchange with a distributor (one attempt), by supplier and endpoint.",
    ["supplier", "endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
SUPPLIER_RESPONSES = Counter(
    "disty_supplier_responses",
    "Attempts at a distributor's API by supplier, endpoint and outcome: 2xx, 3xx, 4xx, 429, "
    "5xx, or error (timeout, connection refused, answer too large: no status).",
    ["supplier", "endpoint", "outcome"],
    registry=REGISTRY,
)

MAX_ENDPOINTS = 50  # per supplier: past this, ``other`` (a path scheme gone wrong, not traffic)
# A word such as "orders", "price-and-availability", "v6" or "oauth20" (a few digits at the
# end only): a lowercase id of letters alone would pass, and MAX_ENDPOINTS bounds those.
_WORD = re.compile(r"[a-z][a-z_-]{0,39}\d{0,3}")
_seen: dict[str, set[str]] = {}
_lock = threading.Lock()


def endpoint_label(supplier: str, path: str) -> str:
    """The path as a label: segments that are lowercase words (``_WORD``) kept, any other (an
    order number, a SKU: a capital, a digit inside, a dot) as ``:id``; no query string."""
    parts = [p if _WORD.fullmatch(p) else ":id" for p in path.split("?", 1)[0].split("/") if p]
    label = "/" + "/".join(parts[:8])
    with _lock:
        known = _seen.setdefault(supplier, set())
        if label not in known:
            if len(known) >= MAX_ENDPOINTS:
                return "other"
            known.add(label)
    return label


def outcome_of(status: int | None) -> str:
    if status is None:
        return "error"
    if status == 429:
        return "429"
    return f"{status // 100}xx"


def supplier_call(supplier: str, path: str, status: int | None, seconds: float) -> None:
    """Count one attempt at a distributor's API (called by suppliers/http.py only)."""
    endpoint = endpoint_label(supplier, path)
    SUPPLIER_SECONDS.labels(supplier, endpoint).observe(seconds)
    SUPPLIER_RESPONSES.labels(supplier, endpoint, outcome_of(status)).inc()
