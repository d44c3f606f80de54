"""Orders: create rules, detail, search, modify / release / cancel, life on the clock, stock."""

from __future__ import annotations

from tests.fixtures.simulator import SimulatorClient
from tests.simulator.helpers import (
    ORDER_DETAIL,
    ORDER_SEARCH,
    ORDERS,
    PNA,
    PNA_QUERY,
    advance,
    attrs,
    authed,
    order_body,
    out_of_stock,
    stocked,
)


async def test_create_201_and_detail_agree(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim, 3)
    r = await c.post(ORDERS, headers=h, json=order_body("PO-1", (p.ingram_part_number, 3)))
    assert r.status_code == 201, r.text
    created = r.json()
    sub = created["orders"][0]
    number = sub["ingramOrderNumber"]
    assert number.startswith("20-")
    assert len(number) == 8
    assert sub["lines"][0]["quantityConfirmed"] == 3
    assert created["purchaseOrderTotal"] == sub["orderTotal"]
    d = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    assert d["orderStatus"] == "Processing"
    assert d["customerOrderNumber"] == "PO-1"
    assert d["orderTotal"] == sub["orderTotal"]
    assert d["lines"][0]["unitPrice"] == sub["lines"][0]["unitPrice"]
    assert d["lines"][0]["extendedPrice"] == round(3 * sub["lines"][0]["unitPrice"], 2)
    assert round(d["orderSubTotal"] + d["freightCharges"], 2) == d["orderTotal"]


async def test_bad_lines_are_rejected_with_207(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim)
    body = order_body("PO-2", (p.ingram_part_number, 1), ("XXXXXX", 1), (p.ingram_part_number, 0))
    r = await c.post(ORDERS, headers=h, json=body)
    assert r.status_code == 207
    rejected = r.json()["orders"][0]["rejectedLineItems"]
    assert [x["rejectCode"] for x in rejected] == ["EN", "EQ"]
    assert rejected[0]["rejectReason"].startswith("SKU-NOTFOUND")
    # Nothing valid at all: 400.
    r = await c.post(ORDERS, headers=h, json=order_body("PO-3", ("XXXXXX", 1)))
    assert r.status_code == 400


async def test_header_rules(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim).ingram_part_number
    long_line = order_body("PO-4", (p, 1))
    long_line["lines"][0]["customerLineNumber"] = "1234"  # type: ignore[index]
    assert (await c.post(ORDERS, headers=h, json=long_line)).status_code == 400
    assert (await c.post(ORDERS, headers=h, json={"lines": []})).status_code == 400
    too_long = order_body("X" * 36, (p, 1))
    assert (await c.post(ORDERS, headers=h, json=too_long)).status_code == 400
    assert (await c.post(ORDERS, headers=h, content=b"{not json")).status_code == 400


async def test_duplicate_customer_order_number(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim).ingram_part_number
    assert (await c.post(ORDERS, headers=h, json=order_body("DUP", (p, 1)))).status_code == 201
    again = await c.post(ORDERS, headers=h, json=order_body("dup", (p, 1)))
    assert again.status_code == 400
    assert again.json()["errors"][0]["fields"][0]["field"] == "customerOrderNumber"
    allowed = order_body(
        "DUP", (p, 1), additionalAttributes=attrs(allowDuplicateCustomerOrderNumber="true")
    )
    assert (await c.post(ORDERS, headers=h, json=allowed)).status_code == 201


async def test_backorder_and_stock(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim, 2)
    available = c.sim.inventory.available(p, "US")
    r = await c.post(
        ORDERS, headers=h, json=order_body("PO-BO", (p.ingram_part_number, available + 4))
    )
    line = r.json()["orders"][0]["lines"][0]
    assert (line["quantityConfirmed"], line["quantityBackOrdered"]) == (available, 4)
    pna = await c.post(
        PNA,
        headers=h,
        params=PNA_QUERY,
        json={"products": [{"ingramPartNumber": p.ingram_part_number}]},
    )
    assert pna.json()[0]["availability"]["totalAvailability"] == 0
    refused = order_body("PO-NB", (p.ingram_part_number, 1), acceptBackOrder=False)
    r = await c.post(ORDERS, headers=h, json=refused)
    assert r.status_code == 400
    empty = out_of_stock(c.sim)
    r = await c.post(ORDERS, headers=h, json=order_body("PO-ALLBO", (empty.ingram_part_number, 2)))
    number = r.json()["orders"][0]["ingramOrderNumber"]
    assert (await c.get(ORDER_DETAIL + number, headers=h)).json()["orderStatus"] == "Backordered"


async def test_life_on_the_clock(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim, 2)
    r = await c.post(ORDERS, headers=h, json=order_body("PO-LIFE", (p.ingram_part_number, 2)))
    number = r.json()["orders"][0]["ingramOrderNumber"]
    await advance(c, 59)
    assert (await c.get(ORDER_DETAIL + number, headers=h)).json()["orderStatus"] == "Processing"
    await advance(c, 1)
    d = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    assert d["orderStatus"] == "Shipped"
    ship = d["lines"][0]["shipmentDetails"][0]
    carrier = ship["carrierDetails"][0]
    assert carrier["carrierCode"] in ("UP", "RG")
    tracking = carrier["trackingDetails"][0]
    assert tracking["trackingNumber"] in tracking["trackingUrl"]
    assert ship["invoiceNumber"] == ""
    await advance(c, 60)
    d = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    assert d["lines"][0]["shipmentDetails"][0]["invoiceNumber"] == number.replace("-", "") + "11"
    history = [s["stage"] for s in (await c.get("/_control/orders")).json()[0]["history"]]
    assert history == ["processing", "shipped", "invoiced"]


async def test_search_filters_pages_and_204(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim, 10)
    numbers = []
    for n in range(5):
        r = await c.post(ORDERS, headers=h, json=order_body(f"S-{n}", (p.ingram_part_number, 1)))
        numbers.append(r.json()["orders"][0]["ingramOrderNumber"])
    r = await c.get(ORDER_SEARCH, headers=h, params={"pageSize": 2, "pageNumber": 3})
    body = r.json()
    assert body["recordsFound"] == 5
    assert len(body["orders"]) == 1
    r = await c.get(ORDER_SEARCH, headers=h, params={"customerOrderNumber": "S-3"})
    assert [o["ingramOrderNumber"] for o in r.json()["orders"]] == [numbers[3]]
    r = await c.get(ORDER_SEARCH, headers=h, params={"orderStatus": "SHIPPED"})
    assert r.status_code == 204
    await advance(c, 60)
    r = await c.get(ORDER_SEARCH, headers=h, params={"orderStatus": "SHIPPED"})
    assert r.json()["recordsFound"] == 5
    d = (await c.get(ORDER_DETAIL + numbers[0], headers=h)).json()
    tracking = d["lines"][0]["shipmentDetails"][0]["carrierDetails"][0]["trackingDetails"][0]
    r = await c.get(ORDER_SEARCH, headers=h, params={"trackingNumber": tracking["trackingNumber"]})
    assert [o["ingramOrderNumber"] for o in r.json()["orders"]] == [numbers[0]]
    r = await c.get(
        ORDER_SEARCH, headers=h, params={"ingramOrderDate-bt": ["2026-01-01", "2026-01-02"]}
    )
    assert r.json()["recordsFound"] == 5
    r = await c.get(ORDER_SEARCH, headers=h, params={"ingramOrderDate": "2025-12-31"})
    assert r.status_code == 204


async def test_customer_hold_release_modify_cancel(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim, 4)
    hold = attrs(allowOrderOnCustomerHold="true")
    r = await c.post(
        ORDERS,
        headers=h,
        json=order_body("H-1", (p.ingram_part_number, 1), additionalAttributes=hold),
    )
    number = r.json()["orders"][0]["ingramOrderNumber"]
    d = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    assert d["orderStatus"] == "On Hold"
    # Modify on hold: add a line, change a quantity, reject an unknown line.
    other = stocked(c.sim, 4, skip=1).ingram_part_number
    r = await c.put(
        "/ingram/resellers/v6/orders/" + number,
        headers=h,
        json={
            "lines": [
                {
                    "customerLineNumber": "2",
                    "ingramPartNumber": other,
                    "addUpdateDeleteLine": "ADD",
                    "quantity": 2,
                },
                {
                    "ingramLineNumber": "001",
                    "ingramPartNumber": p.ingram_part_number,
                    "addUpdateDeleteLine": "UPDATE",
                    "quantity": 3,
                },
                {
                    "ingramLineNumber": "009",
                    "ingramPartNumber": "1C6094",
                    "addUpdateDeleteLine": "DELETE",
                    "quantity": 1,
                },
            ]
        },
    )
    assert r.status_code == 207
    assert r.json()["rejectedLineItems"][0]["rejectCode"] == "EL"
    d = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    assert [ln["quantityOrdered"] for ln in d["lines"]] == [3, 2]
    # Release: processing, then ships on the clock; no longer modifiable nor cancellable.
    r = await c.put(
        "/ingram/resellers/v6/orders/" + number, headers=h, params={"actionCode": "release"}
    )
    assert r.status_code == 200
    assert r.json()["orderStatus"] == "Processing"
    r = await c.put(
        "/ingram/resellers/v6/orders/" + number, headers=h, params={"actionCode": "release"}
    )
    assert r.status_code == 400
    assert (await c.delete("/ingram/resellers/v6/orders/" + number, headers=h)).status_code == 405
    # Another on hold: cancelled, and its stock comes back.
    before = c.sim.inventory.available(p, "US")
    r = await c.post(
        ORDERS,
        headers=h,
        json=order_body("H-2", (p.ingram_part_number, 1), additionalAttributes=hold),
    )
    number2 = r.json()["orders"][0]["ingramOrderNumber"]
    assert c.sim.inventory.available(p, "US") == before - 1
    assert (await c.delete("/ingram/resellers/v6/orders/" + number2, headers=h)).status_code == 200
    assert c.sim.inventory.available(p, "US") == before
    d = (await c.get(ORDER_DETAIL + number2, headers=h)).json()
    assert d["orderStatus"] == "Canceled"
    assert (await c.delete("/ingram/resellers/v6/orders/20-NOPE0", headers=h)).status_code == 404


async def test_hold_voided_after_24_hours(simulator_client: SimulatorClient) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim)
    hold = attrs(allowOrderOnCustomerHold="true")
    r = await c.post(
        ORDERS,
        headers=h,
        json=order_body("V-1", (p.ingram_part_number, 1), additionalAttributes=hold),
    )
    number = r.json()["orders"][0]["ingramOrderNumber"]
    await advance(c, 24 * 3600)
    h = await authed(c)  # the old token lived 24 hours too
    d = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    assert d["orderStatus"] == "Canceled"
    r = await c.put(
        "/ingram/resellers/v6/orders/" + number, headers=h, params={"actionCode": "release"}
    )
    assert r.status_code == 400


async def test_simulate_status_answers_as_if_and_changes_nothing(
    simulator_client: SimulatorClient,
) -> None:
    """simulateStatus is a canned test answer (the spec): the order, its stock, search and the
    webhook log stay as they were."""
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim, 4)
    await c.post("/_control/apps/" + c.sim.config.client_id + "/webhooks", json={
        "destination_url": "http://127.0.0.1:9/unused"})  # fmt: skip
    r = await c.post(ORDERS, headers=h, json=order_body("SIM-1", (p.ingram_part_number, 4)))
    number = r.json()["orders"][0]["ingramOrderNumber"]
    before = (await c.get(ORDER_DETAIL + number, headers=h)).json()
    found = (await c.get(ORDER_SEARCH, headers=h, params={"ingramOrderNumber": number})).json()
    events = (await c.get("/_control/events")).json()
    stock = c.sim.inventory.available(p, "US")

    as_if = {}
    for status in ("IM::SHIPPED", "IM::PARTIALLY_SHIPPED", "IM::HOLD", "IM::INVOICED"):
        d = await c.get(ORDER_DETAIL + number, headers=h, params={"simulateStatus": status})
        assert d.status_code == 200, d.text
        as_if[status] = d.json()
    assert as_if["IM::SHIPPED"]["orderStatus"] == "Shipped"
    assert as_if["IM::PARTIALLY_SHIPPED"]["orderStatus"] == "Partially Shipped"
    assert as_if["IM::HOLD"]["orderStatus"] == "On Hold"
    assert as_if["IM::INVOICED"]["lines"][0]["shipmentDetails"][0]["invoiceNumber"]

    assert (await c.get(ORDER_DETAIL + number, headers=h)).json() == before
    again = (await c.get(ORDER_SEARCH, headers=h, params={"ingramOrderNumber": number})).json()
    assert again == found
    assert (await c.get("/_control/events")).json() == events
    assert c.sim.inventory.available(p, "US") == stock
    invoices = await c.get("/ingram/resellers/v6/invoices", headers={
        **h, "IM-ApplicationID": "t"}, params={"orderNumber": number})  # fmt: skip
    assert invoices.json()["invoices"] == []

    bad = await c.get(ORDER_DETAIL + number, headers=h, params={"simulateStatus": "IM::LOST"})
    assert bad.status_code == 400
    assert (await c.get(ORDER_DETAIL + "20-NOPE0", headers=h)).status_code == 404


async def test_orders_are_per_app_and_maintenance_answers_500(
    simulator_client: SimulatorClient,
) -> None:
    c = simulator_client
    h = await authed(c)
    p = stocked(c.sim)
    r = await c.post(ORDERS, headers=h, json=order_body("MINE", (p.ingram_part_number, 1)))
    number = r.json()["orders"][0]["ingramOrderNumber"]
    app = (
        await c.post("/_control/apps", json={"client_id": "other", "customer_number": "20-999999"})
    ).json()
    from tests.simulator.helpers import headers, token

    other = headers(await token(c, "other", app["client_secret"]), customer="20-999999")
    assert (await c.get(ORDER_DETAIL + number, headers=other)).status_code == 404
    await c.put("/_control/maintenance", json={"on": True})
    assert (await c.get(ORDER_DETAIL + number, headers=h)).status_code == 500
    r = await c.post(ORDERS, headers=h, json=order_body("MAINT", (p.ingram_part_number, 1)))
    assert r.status_code == 500
