"""Every kind of webhook the simulator sends, against the spec's webhook schemas and examples.

Order events (shipped, invoiced, on hold, voided, backordered) and quote-created events
validate against ``/resellers/v1/webhooks/orderstatusevent``'s request schema, stock updates
against ``/availabilityupdate``'s; each carries its example's key paths. The v7 result is
checked "as the spec shows it": against the v7 create operation's 201 schema (the webhook's
shape) and its "Webhook Response" example.

Spec oddities met here:
- Both webhook request schemas require a top-level ``customerOrderNumber`` their examples
  lack (the stock one was copied from the order one): the simulator sends it ("" for stock).
- The order schema spells ``LineNumber`` and ``backorderedQuantity`` and types quantities as
  strings; the example has ``ingramLineNumber``, ``backOrderedQuantity`` and numbers: both
  spellings are sent, quantities as strings.
- v7's example is a list of one envelope whose lines' ``shipmentDetails`` is an object; v7's
  201 schema is one envelope whose ``shipmentDetails`` is a list. The schema is followed.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs

from tests.contract.spec import key_paths, load_spec, resolve
from tests.contract.test_spec_schemas import to_json_schema
from tests.fixtures.simulator import RunningSimulator, WebhookReceiver
from tests.simulator.helpers import attrs, order_body, out_of_stock, stocked

V7_ERRATA = {
    "[].": "",
    "shipmentDetails.": "shipmentDetails[].",
}


def _schema(spec: dict[str, Any], path: str) -> Any:
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return to_json_schema(resolve(spec, body["schema"]), set())


def _example(spec: dict[str, Any], path: str) -> Any:
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return next(iter(body["examples"].values()))["value"]


def _errors(schema: Any, value: Any) -> list[str]:
    return [
        f"{e.instance_path}: {e.message}"
        for e in jsonschema_rs.Draft7Validator(schema).iter_errors(value)
    ]


def _v7_paths(example: Any) -> set[str]:
    out = set()
    for path in key_paths(example):
        for wrong, right in V7_ERRATA.items():
            path = path.replace(wrong, right) if wrong != "[]." else path.removeprefix(wrong)
        out.add(path)
    return out - {"[]"}


def _provoke_every_event(sim: RunningSimulator, rx: WebhookReceiver) -> None:
    def control(method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(method, sim.control_url + path, json=body, timeout=30)
        assert r.status_code < 300, r.text
        return r.json()

    hook = control("POST", f"/apps/{sim.client_id}/webhooks", {"destination_url": rx.url("all")})
    rx.expect("all", hook["secret"])
    token = httpx.get(
        sim.base_url + "/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
        },
    ).json()["access_token"]
    h = {
        "Authorization": f"Bearer {token}",
        "IM-CustomerNumber": sim.customer_number,
        "IM-CountryCode": "US",
        "IM-CorrelationID": "webhook-bodies",
    }
    p = stocked(sim.state, 2)
    q = out_of_stock(sim.state)
    hold = attrs(allowOrderOnCustomerHold="true")
    for body in (
        order_body("WB-1", (p.ingram_part_number, 1), (q.ingram_part_number, 1)),
        order_body("WB-2", (p.ingram_part_number, 1), additionalAttributes=hold),
    ):
        assert httpx.post(sim.base_url + "/resellers/v6/orders", headers=h, json=body).is_success
    r = httpx.post(
        sim.base_url + "/resellers/v7/orders",
        headers=h,
        json=order_body("WB-3", (p.ingram_part_number, 1)),
    )
    assert r.status_code == 200
    r = httpx.post(
        sim.base_url + "/resellers/v6/quotes/create",
        headers=h,
        json={
            "quoteName": "WB",
            "CustomerContact": "buyer@example.com",
            "products": [{"ingramPartNumber": p.ingram_part_number, "quantity": 1}],
        },
    )
    assert r.status_code == 200
    for _ in range(4):
        control("POST", "/clock/advance", {"seconds": 60})
    control("POST", "/clock/advance", {"seconds": 24 * 3600})  # WB-2 voided; stock published


def test_every_webhook_validates_and_carries_its_example(
    simulator: RunningSimulator, webhook_receiver: WebhookReceiver
) -> None:
    spec = load_spec()
    order_schema = _schema(spec, "/resellers/v1/webhooks/orderstatusevent")
    stock_schema = _schema(spec, "/resellers/v1/webhooks/availabilityupdate")
    order_example = key_paths(_example(spec, "/resellers/v1/webhooks/orderstatusevent"))
    stock_example = key_paths(_example(spec, "/resellers/v1/webhooks/availabilityupdate"))
    v7 = spec["paths"]["/resellers/v7/orders"]["post"]["responses"]["201"]["content"][
        "application/json"
    ]
    v7_schema = to_json_schema(resolve(spec, v7["schema"]), set())
    v7_example = _v7_paths(v7["examples"]["Webhook Response"]["value"])

    _provoke_every_event(simulator, webhook_receiver)
    seen: set[str] = set()
    received = webhook_receiver.of("all")
    assert all(r.verified for r in received)
    for r in received:
        body = r.body
        resource = body["resource"]
        event_type = (
            resource["eventType"] if isinstance(resource, dict) else resource[0]["eventType"]
        )
        seen.add(event_type)
        if event_type == "IM::async_order_create":
            schema, example = v7_schema, v7_example
        elif event_type == "IM::STOCK_UPDATE":
            schema, example = stock_schema, stock_example
        else:
            schema, example = order_schema, order_example
        assert not _errors(schema, body), (event_type, _errors(schema, body)[:5])
        if event_type == "im::quote_create":
            continue  # the spec has no quote example; the schema is the bar
        if event_type.startswith("im::order_") and not resource[0]["lines"][0]["shipmentDetails"]:
            # Before shipping there is nothing to ship: compare the paths above shipments.
            example = {p for p in example if "shipmentDetails" not in p and "serialNumber" not in p}
        missing = example - key_paths(body)
        assert not missing, (event_type, sorted(missing))
    assert seen == {
        "im::order_backordered",
        "im::order_shipped",
        "im::order_invoiced",
        "im::order_hold",
        "im::order_voided",
        "IM::async_order_create",
        "im::quote_create",
        "IM::STOCK_UPDATE",
    }
