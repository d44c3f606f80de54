"""Where Ingram's spec contradicts itself (or Ingram's notes), and what the simulator does.

One place: ``docs/simulator-ingram.md`` holds ``markdown()`` verbatim (a test compares them;
``python -m disty.simulator.ingram.spec_conflicts`` prints it), and the schema-conformance run
(tests/contract/test_schemathesis.py) allows exactly ``UNDECLARED_STATUSES`` and the
``NULLABLE_FROM_EXAMPLES`` rule; anything else off the spec fails it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Conflict:
    case: str
    spec: str
    simulator: str
    why: str


# Statuses Ingram answers that the spec does not declare on every operation.
UNDECLARED_STATUSES: dict[int, str] = {
    204: "Order search with no match answers 204 (Ingram's notes); the spec declares 200 only.",
    207: "Order create and P&A answer 207 when some lines or products are refused (notes).",
    400: "Validation errors (missing headers, bad dates) on operations declaring no 400.",
    401: "The gateway's token and API-product checks answer every operation (notes).",
    404: "Unknown order, invoice, quote, deal, renewal or return; no records found.",
    405: "The gateway's wrong method, and cancel of an order not on customer hold (notes).",
    429: "Rate limits on every operation (notes: X-RateLimit-* headers).",
}

# Fields the spec's own examples show as null are accepted as nullable, whatever the schema.
NULLABLE_FROM_EXAMPLES = Conflict(
    "Examples show null where the schema is not nullable",
    "Schema: string/number, not nullable; the operation's examples: null",
    "May send null there (e.g. quote search specialBidNumber without a bid)",
    "Ingram's examples show what the service sends; the conformance run marks those exact "
    "fields nullable and nothing else",
)

CONFLICTS: tuple[Conflict, ...] = (
    NULLABLE_FROM_EXAMPLES,
    *(
        Conflict(
            f"HTTP {status} not declared",
            "Not in the operation's responses",
            f"Answers {status} where Ingram does",
            why,
        )
        for status, why in sorted(UNDECLARED_STATUSES.items())
    ),
    Conflict(
        "Renewal id typed differently",
        "Search: renewalId integer; detail: renewalId string",
        'Each as its schema types it (4200001 and "4200001")',
        "The official SDK parses each strictly by its own schema",
    ),
    Conflict(
        "Renewals search body and answer",
        "Schema: an object; the example: a list of one",
        "Takes either; answers an object",
        "The schema is what the SDK sends and parses",
    ),
    Conflict(
        "Order webhook line status",
        "Schema: one of Backordered, Open, Shipped; example: IM::shipped",
        "Backordered, Open or Shipped; hold, void and cancel are the event's type",
        "A receiver validating against the schema must not see other values",
    ),
    Conflict(
        "Webhook top-level customerOrderNumber",
        "Both webhook schemas require it; their examples lack it",
        'Sent ("" on stock updates)',
        "Meets the schema without breaking the examples' readers",
    ),
    Conflict(
        "Stock update country",
        "The availabilityupdate body names no country",
        "One event per country, sent to that country's webhooks",
        "Two figures for one SKU in one event could not be told apart",
    ),
    Conflict(
        "v7 order result when nothing was placed",
        "Schema has no error object; example shows success only",
        "One orders[] entry without a number: numberOfLinesWithError and notes (why), plus "
        "rejectedLineItems",
        "Uses only fields v7's schema has",
    ),
    Conflict(
        "customerOrderNumber required?",
        "Notes: required on v6; spec and SDKs: optional on v7",
        "Required on v6, optional on v7",
        "Each version as its own source says",
    ),
    Conflict(
        "Quote create required fields",
        "Only CustomerContact is required",
        "CustomerContact required; quoteName optional; products by Ingram or vendor part number",
        "The spec's schema",
    ),
    Conflict(
        "Empty nextPage / previousPage",
        "Strings, not nullable",
        '"" on every search',
        'One spelling of "none" that the schema allows',
    ),
    Conflict(
        "Unknown query parameters",
        "Not said (nor in the notes)",
        "Ignored; every documented filter narrows",
        "What most API gateways do; a client's typo costs it results, not a 400",
    ),
    Conflict(
        "DeliveryNumber spelling",
        "Invoice search documents DeliveryNumber (capital D)",
        "Takes DeliveryNumber and deliveryNumber",
        "Clients written from prose use the lower-case spelling",
    ),
    Conflict(
        "simulateStatus",
        '"Order response for various order statuses. Not for use in production"',
        "Answers the order as if it had that status; changes nothing",
        "A canned test answer must not hold, ship or invoice a real order",
    ),
    Conflict(
        "Example and schema spell a field differently",
        "specialBidNumber/specialBidNumer, hasReturnLimits/HasReturnLimits, "
        "isBackOrderAllowed/IsBackOrderAllowed, isRefurbished/isRefurbishedProduct",
        "Both spellings, same value",
        "Readers of either keep working",
    ),
    Conflict(
        "Invoice miscCharges keys",
        "Schema camelCase (no other keys); example PascalCase",
        "camelCase",
        "The schema forbids the example's keys",
    ),
    Conflict(
        "Returns create createdOn",
        "Create: a date; search and detail: date-time",
        "Each as its schema types it",
        "The SDK parses each strictly",
    ),
    Conflict(
        "Vendor required info",
        "Not in the spec version held (6.0_07082023_US); in SDK 1.3.0",
        "Served as the SDK's models say; outside the conformance run",
        "The SDK is Ingram's newer word; there is no schema here to run",
    ),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    rows = ["| Case | Spec says | Simulator does | Why |", "|---|---|---|---|"]
    rows += [
        f"| {_cell(c.case)} | {_cell(c.spec)} | {_cell(c.simulator)} | {_cell(c.why)} |"
        for c in CONFLICTS
    ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
