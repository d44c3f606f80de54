"""Every filter the spec documents for the searches narrows the result (issue 25).

One scenario (an order with a special bid, shipped and invoiced; a return; a quote) and, per
search, each documented filter twice: a value the record has keeps it, one it lacks drops it.
The spec's own parameter lists are read and compared with the tables: a filter added to the spec
and missing here fails, so none can be silently ignored. Paging and sorting parameters are not
filters (``NOT_FILTERS``). Unknown parameters are ignored (docs/simulator-ingram.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.contract.conftest import Calls
from tests.contract.spec import load_spec, resolve
from tests.fixtures.simulator import RunningSimulator
from tests.simulator.helpers import order_body, stocked

NOT_FILTERS = {
    "/resellers/v6/invoices": {"pageSize", "pageNumber", "orderby", "direction"},
    "/resellers/v6/orders/search": {"pageSize", "pageNumber"},
    "/resellers/v6/quotes/search": {"pageSize", "pageNumber", "sortingOrder", "sortBy"},
    "/resellers/v6/returns/search": {"page", "size", "sort", "sortingColumnName"},
    "/resellers/v6/renewals/search": {"page", "size", "sort"},
    "/resellers/v6/deals/search": {"Size", "Page"},
}
FAR = ("2001-01-01", "2001-12-31")


def _day(text: str) -> str:
    return text[:10]


def _span(day: str) -> str:
    return f"{day},{day}"


@pytest.fixture
def scene(simulator: RunningSimulator) -> dict[str, Any]:
    call = Calls(simulator)
    p = stocked(simulator.state, 2)
    placed = call("POST", "/resellers/v6/orders", json=order_body(
        "FLT-1", (p.ingram_part_number, 2), specialBidNumber="SB-77",
        endCustomerOrderNumber="EU-77"))  # fmt: skip
    assert placed.status_code == 201, placed.text
    number = placed.json()["orders"][0]["ingramOrderNumber"]
    for _ in range(2):
        call.advance(60)
    detail = call("GET", f"/resellers/v6.1/orders/{number}").json()
    shipment = detail["lines"][0]["shipmentDetails"][0]
    carrier = shipment["carrierDetails"][0]
    [inv] = call("GET", "/resellers/v6/invoices", params={"orderNumber": number}).json()["invoices"]
    claim = call("POST", "/resellers/v6/returns/create", json={"list": [{
        "invoiceNumber": inv["invoiceNumber"], "ingramPartNumber": p.ingram_part_number,
        "quantity": 1, "referenceNumber": "REF-77",
        "primaryReason": "(EW) Express Warehousing"}]}).json()["returnsClaims"][0]  # fmt: skip
    quote = call("POST", "/resellers/v6/quotes/create", json={
        "quoteName": "Filters", "CustomerContact": "buyer@example.com",
        "endUserInfo": {"companyName": "ACME", "contact": "Pat Lee"},
        "products": [{"vendorPartNumber": p.vendor_part_number, "quantity": "1"}],
    }).json()  # fmt: skip
    return {
        "call": call, "p": p, "number": number, "detail": detail, "inv": inv,
        "delivery": shipment["deliveryNumber"], "serial": carrier["trackingDetails"][0][
            "serialNumbers"][0]["serialNumber"],
        "tracking": carrier["trackingDetails"][0]["trackingNumber"],
        "ship_day": carrier["shippedDate"], "delivery_day": carrier["estimatedDeliveryDate"],
        "claim": claim, "quote": quote["quoteNumber"],
    }  # fmt: skip


def _filters(scene: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Per search path: (parameter, a value the record has, a value it lacks)."""
    s, inv, p = scene, scene["inv"], scene["p"]
    today = _day(inv["invoiceDate"])
    due = inv["invoiceDueDate"]
    created = _day(s["detail"]["ingramOrderDate"])
    claim_day = _day(s["claim"]["createdOn"])
    return {
        "/resellers/v6/invoices": [
            ("invoiceNumber", inv["invoiceNumber"], "20ZZZZZ11"),
            ("orderNumber", s["number"], "20-ZZZZZ"),
            ("customerOrderNumber", "FLT-1", "NOPE"),
            ("endCustomerOrderNumber", "EU-77", "NOPE"),
            ("specialBidNumber", "SB-77", "NOPE"),
            ("invoiceStatus", "Open", "Paid"),
            ("invoiceType", "Invoice", "Credit Memo"),
            ("DeliveryNumber", s["delivery"], "000000000"),
            ("serialNumber", s["serial"], "NOSERIAL"),
            ("invoiceDate", today, FAR[0]),
            ("invoiceFromDate", today, "2999-01-01"),
            ("invoiceToDate", today, FAR[0]),
            ("invoiceDueDate", due, FAR[0]),
            ("invoiceFromDueDate", due, "2999-01-01"),
            ("invoiceToDueDate", due, FAR[0]),
            ("paymentTermsNetDate", due, FAR[0]),
            ("orderDate", created, FAR[0]),
            ("orderFromDate", created, "2999-01-01"),
            ("orderToDate", created, FAR[0]),
        ],
        "/resellers/v6/orders/search": [
            ("ingramOrderNumber", s["number"], "20-ZZZZZ"),
            ("orderStatus", "SHIPPED", "ON HOLD"),
            ("orderStatus-in", "SHIPPED,PROCESSING", "ON HOLD,CANCELLED"),
            ("ingramOrderDate", created, FAR[0]),
            ("ingramOrderDate-bt", _span(created), ",".join(FAR)),
            ("customerOrderNumber", "FLT-1", "NOPE"),
            ("endCustomerOrderNumber", "EU-77", "NOPE"),
            ("invoiceDate_bt", _span(today), ",".join(FAR)),
            ("shipDate_bt", _span(s["ship_day"]), ",".join(FAR)),
            ("deliveryDate_bt", _span(s["delivery_day"]), _span(s["ship_day"])),
            ("ingramPartNumber", p.ingram_part_number, "ZZZZZZ"),
            ("vendorPartNumber", p.vendor_part_number, "NO-SUCH-VPN"),
            ("serialNumber", s["serial"], "NOSERIAL"),
            ("trackingNumber", s["tracking"], "1Z0"),
            ("vendorName", p.vendor_name, "NO VENDOR"),
            ("specialBidNumber", "SB-77", "NOPE"),
        ],
        "/resellers/v6/quotes/search": [
            ("quoteNumber", s["quote"], "QUO-0-NOPE"),
            ("specialBidNumber", "", "NOPE"),
            ("endUserContact", "Pat Lee", "Nobody"),
            ("vendorName", p.vendor_name, "NO VENDOR"),
            ("quoteName", "Filters", "Nothing like it"),
            ("status", "Active", "Expired"),
            ("quoteCreateDate-bt", _span(today), ",".join(FAR)),
            ("ingramOrderDate-bt", _span(today), ",".join(FAR)),
        ],
        "/resellers/v6/returns/search": [
            ("caseRequestNumber", s["claim"]["caseRequestNumber"], "CAS-0-NOPE"),
            ("invoiceNumber", inv["invoiceNumber"], "20ZZZZZ11"),
            ("returnClaimId", s["claim"]["rmaClaimId"], "RMA00000"),
            ("referenceNumber", "REF-77", "NOPE"),
            ("ingramPartNumber", p.ingram_part_number, "ZZZZZZ"),
            ("vendorPartNumber", p.vendor_part_number, "NO-SUCH-VPN"),
            ("returnStatus-in", "Open,Approved", "Denied,Voided"),
            ("claimStatus-in", "Open", "Denied"),
            ("createdOn-bt", _span(claim_day), ",".join(FAR)),
            ("modifiedOn-bt", _span(claim_day), ",".join(FAR)),
            ("returnReason-in", "(EW) Express Warehousing", "(BB) Buy Back"),
        ],
        "/resellers/v6/renewals/search": [
            ("customerOrderNumber", "PO-REN-001", "NOPE"),
            ("ingramPurchaseOrderNumber", "20-REN01", "NOPE"),
            ("serialNumber", "SIMREN4200001", "NOSERIAL"),
        ],
        "/resellers/v6/deals/search": [
            ("endUser", "", "NO SUCH END USER"),
            ("vendor", "", "NO VENDOR"),
            ("dealId", "SIM-DEAL-0001", "SIM-DEAL-9999"),
        ],
    }


def _documented(spec: dict[str, Any], path: str) -> set[str]:
    op = next(o for m, o in spec["paths"][path].items() if m in ("get", "post"))
    return {
        p["name"]
        for p in (resolve(spec, x) for x in op.get("parameters", []))
        if p["in"] == "query"
    }


def _found(scene: dict[str, Any], path: str, params: dict[str, str]) -> list[Any]:
    call: Calls = scene["call"]
    if path.endswith("renewals/search"):
        r = call("POST", path, params=params, json={})
    else:
        r = call("GET", path, params=params)
    if r.status_code in (204, 404):
        return []
    assert r.status_code == 200, (path, params, r.text)
    body = r.json()
    key = {"invoices": "invoices", "orders": "orders", "quotes": "quotes",
           "returns": "returnsClaims", "renewals": "renewals", "deals": "deals"}  # fmt: skip
    rows: list[Any] = body[next(v for k, v in key.items() if f"/{k}" in path)]
    return rows


def _mine(scene: dict[str, Any], path: str, rows: list[Any]) -> bool:
    ident = {
        "/resellers/v6/invoices": ("invoiceNumber", scene["inv"]["invoiceNumber"]),
        "/resellers/v6/orders/search": ("ingramOrderNumber", scene["number"]),
        "/resellers/v6/quotes/search": ("quoteNumber", scene["quote"]),
        "/resellers/v6/returns/search": ("caseRequestNumber", scene["claim"]["caseRequestNumber"]),
        "/resellers/v6/renewals/search": ("renewalId", 4_200_001),
        "/resellers/v6/deals/search": ("dealId", "SIM-DEAL-0001"),
    }[path]
    return any(row.get(ident[0]) == ident[1] for row in rows)


def test_every_documented_filter_narrows(scene: dict[str, Any]) -> None:
    spec = load_spec()
    table = _filters(scene)
    problems = []
    for path, rows in table.items():
        missing = _documented(spec, path) - NOT_FILTERS[path] - {name for name, _, _ in rows}
        assert not missing, f"{path}: documented filters without a case here: {missing}"
        assert _mine(scene, path, _found(scene, path, {})), path
        for name, hit, miss in rows:
            if hit and not _mine(scene, path, _found(scene, path, {name: hit})):
                problems.append(f"{path} {name}={hit!r} lost the record")
            if _mine(scene, path, _found(scene, path, {name: miss})):
                problems.append(f"{path} {name}={miss!r} kept the record: ignored")
    assert not problems, "\n".join(problems)


def test_unknown_parameters_are_ignored(scene: dict[str, Any]) -> None:
    for path in NOT_FILTERS:
        assert _mine(scene, path, _found(scene, path, {"noSuchFilter": "x"})), path


def test_renewal_body_filters_narrow(scene: dict[str, Any]) -> None:
    call: Calls = scene["call"]

    def ids(body: Any) -> set[int]:
        r = call("POST", "/resellers/v6/renewals/search", json=body)
        assert r.status_code == 200, r.text
        return {x["renewalId"] for x in r.json()["renewals"]}

    everything = ids({})
    assert len(everything) == 12
    one = call("GET", "/resellers/v6/renewals/4200001").json()
    expiry = dt.date.fromisoformat(one["expirationDate"][:10]).strftime("%m/%d/%Y")
    by_status = ids({"status": {"OpporutinyStatus": {"value": one["status"]}}})
    assert 4_200_001 in by_status
    assert by_status < everything
    window = {"customStartDate": expiry, "customEndDate": expiry}
    assert ids({"dateType": {"expirationDate": window}}) == {4_200_001}
    assert ids([{"dateType": {"endDate": window}, "vendor": one["vendor"]}]) == {4_200_001}
    assert not ids({"dateType": {"startDate": window}})  # started a year before it expires
    bad = call("POST", "/resellers/v6/renewals/search",
               json={"dateType": {"invoiceDate": {"customStartDate": "soon"}}})  # fmt: skip
    assert bad.status_code == 400
