"""Part 2's rule of part 1: each answer carries every key path of the spec's example for it.

One scenario places, ships and invoices orders and creates a quote and a return, then calls
every part-2 operation and compares the answer with its success examples.

Spec errata (the schema, which the official SDK follows, wins over the example):
- v6 create: ``orders[].lines[].shipmentDetails`` is a list in the schema, an object in the
  examples; order search: ``orders[].subOrders[].links`` likewise.
- renewals search: the example wraps the page in a list; the schema is one object.
- invoice detail: ``summary.miscCharges[]`` keys are PascalCase in the example; the schema
  has camelCase and ``additionalProperties: false``.
Examples chosen per operation are the ones of features the simulator models (v6 create's
warranty, APPLE DEP, split and government examples are not compared); ``NOT_SIMULATED``
would list paths left out on purpose: it is empty.
"""

from __future__ import annotations

from typing import Any

from tests.contract.spec import key_paths, load_spec, operation
from tests.simulator.helpers import order_body

ERRATA = {
    "orders[].lines[].shipmentDetails.": "orders[].lines[].shipmentDetails[].",
    "orders[].subOrders[].links.": "orders[].subOrders[].links[].",
    # invoice detail: the schema forbids the example's PascalCase keys
    "miscCharges[].ChargeDescription": "miscCharges[].chargeDescription",
    "miscCharges[].MiscChargeLineCount": "miscCharges[].miscChargeLineCount",
    "miscCharges[].MiscChargeLineTotal": "miscCharges[].miscChargeLineTotal",
    "miscCharges[].ChargeLineReference": "miscCharges[].chargeLineReference",
}
NOT_SIMULATED: dict[str, set[str]] = {}


def _corrected(paths: set[str]) -> set[str]:
    out = set()
    for path in paths:
        path = path.removeprefix("[].") if path.startswith("[].") else path
        for wrong, right in ERRATA.items():
            path = path.replace(wrong, right)
        out.add(path)
    return out - {"[]"}


def _examples(spec: dict[str, Any], method: str, path: str, status: str, *names: str) -> set[str]:
    content = operation(spec, method, path)["responses"][status]["content"]["application/json"]
    examples = content["examples"]
    chosen = names or tuple(examples)
    out: set[str] = set()
    for name in chosen:
        out |= _corrected(key_paths(examples[name]["value"]))
    return out - NOT_SIMULATED.get(f"{method} {path}", set())


def _carries(answer: Any, expected: set[str], what: str) -> None:
    missing = expected - key_paths(answer)
    assert not missing, f"{what} lacks the spec example's key paths: {sorted(missing)}"


def test_orders(world: dict[str, Any]) -> None:
    spec = load_spec()
    call = world["call"]
    _carries(
        world["created"],
        _examples(spec, "post", "/resellers/v6/orders", "207")
        | _examples(
            spec,
            "post",
            "/resellers/v6/orders",
            "201",
            "Order with Header Comments Response",
            "Backordered response",
            "Order on customer Hold",
        ),
        "v6 create",
    )
    detail = call("GET", f"/resellers/v6.1/orders/{world['number']}").json()
    _carries(
        detail, _examples(spec, "get", "/resellers/v6.1/orders/{ordernumber}", "200"), "detail"
    )
    found = call("GET", "/resellers/v6/orders/search").json()
    _carries(found, _examples(spec, "get", "/resellers/v6/orders/search", "200"), "search")
    p = world["p"]
    modified = call(
        "PUT",
        f"/resellers/v6/orders/{world['hold']}",
        json={
            "lines": [
                {
                    "customerLineNumber": "002",
                    "ingramPartNumber": p.ingram_part_number,
                    "addUpdateDeleteLine": "ADD",
                    "quantity": 1,
                },
                {
                    "ingramLineNumber": "009",
                    "ingramPartNumber": "1C6094",
                    "addUpdateDeleteLine": "UPDATE",
                    "quantity": 2,
                },
            ]
        },
    )
    assert modified.status_code == 207
    expected = _examples(spec, "put", "/resellers/v6/orders/{orderNumber}", "201", "SingleLine")
    expected |= _examples(
        spec,
        "put",
        "/resellers/v6/orders/{orderNumber}",
        "200",
        "Modify Quantity with invalid ingramLineNumber",
    )
    _carries(modified.json(), expected, "modify")
    v7 = call("POST", "/resellers/v7/orders", json=order_body("EX-7", (p.ingram_part_number, 1)))
    _carries(
        v7.json(), _examples(spec, "post", "/resellers/v7/orders", "200", "Success Response"), "v7"
    )


def test_invoices(world: dict[str, Any]) -> None:
    spec = load_spec()
    call = world["call"]
    found = call("GET", "/resellers/v6/invoices").json()
    _carries(found, _examples(spec, "get", "/resellers/v6/invoices", "200"), "invoice search")
    detail = call("GET", f"/resellers/v6.1/invoices/{world['invoice']}").json()
    _carries(
        detail, _examples(spec, "get", "/resellers/v6.1/invoices/{invoiceNumber}", "200"), "invoice"
    )


def test_quotes(world: dict[str, Any]) -> None:
    spec = load_spec()
    call = world["call"]
    quote = world["quote"]
    _carries(
        call("GET", "/resellers/v6/quotes/search").json(),
        _examples(spec, "get", "/resellers/v6/quotes/search", "200"),
        "quote search",
    )
    _carries(
        call("GET", f"/resellers/v6/quotes/{quote}").json(),
        _examples(spec, "get", "/resellers/v6/quotes/{quoteNumber}", "200"),
        "quote detail",
    )
    created = call(
        "POST",
        "/resellers/v6/quotes/create",
        json={
            "quoteName": "EX2",
            "CustomerContact": "buyer@example.com",
            "products": [{"ingramPartNumber": world["p"].ingram_part_number, "quantity": "1"}],
        },
    )
    _carries(
        created.json(),
        _examples(spec, "post", "/resellers/v6/quotes/create", "200"),
        "quote create",
    )
    _carries(
        call("GET", "/resellers/v6/q2o/validatequote", params={"quoteNumber": quote}).json(),
        _examples(spec, "get", "/resellers/v6/q2o/validatequote", "200"),
        "validate quote",
    )


def test_deals_renewals_returns_freight(world: dict[str, Any]) -> None:
    spec = load_spec()
    call = world["call"]
    deals = call("GET", "/resellers/v6/deals/search", params={"Size": 2, "Page": 2}).json()
    _carries(deals, _examples(spec, "get", "/resellers/v6/deals/search", "200"), "deal search")
    deal = call("GET", f"/resellers/v6/deals/{deals['deals'][0]['dealId']}").json()
    _carries(deal, _examples(spec, "get", "/resellers/v6/deals/{dealId}", "200"), "deal")
    renewals = call("POST", "/resellers/v6/renewals/search", params={"size": 5}, json={}).json()
    _carries(renewals, _examples(spec, "post", "/resellers/v6/renewals/search", "200"), "renewals")
    renewal = call("GET", f"/resellers/v6/renewals/{renewals['renewals'][0]['renewalId']}").json()
    _carries(
        renewal, _examples(spec, "get", "/resellers/v6/renewals/{renewalId}", "200"), "renewal"
    )
    _carries(
        world["claim"],
        _examples(spec, "post", "/resellers/v6/returns/create", "200"),
        "return create",
    )
    found = call("GET", "/resellers/v6/returns/search").json()
    _carries(found, _examples(spec, "get", "/resellers/v6/returns/search", "200"), "return search")
    case = found["returnsClaims"][0]["caseRequestNumber"]
    detail = call("GET", f"/resellers/v6/returns/{case}").json()
    _carries(
        detail, _examples(spec, "get", "/resellers/v6/returns/{caseRequestNumber}", "200"), "return"
    )
    op = operation(spec, "post", "/resellers/v6/freightestimate")
    request = op["requestBody"]["content"]["application/json"]["examples"]["Sample"]["value"]
    request = {
        **request,
        "lines": [
            {**ln, "ingramPartNumber": world["p"].ingram_part_number} for ln in request["lines"]
        ],
    }
    freight = call("POST", "/resellers/v6/freightestimate", json=request).json()
    _carries(freight, _examples(spec, "post", "/resellers/v6/freightestimate", "200"), "freight")
