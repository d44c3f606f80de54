"""TD SYNNEX's PO status (NOTES section 5): the notes' request, every answer element, an order's
life on the simulator's clock (accepted, shipped with packages, tracking and serials, invoiced),
cancellation by sales, the version's fee elements and the errors of 5.4."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from disty.simulator.tdsynnex.catalog import TdProduct
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.tdsynnex_orders import (
    ELAPSED,
    PO,
    STAMP,
    STATUS,
    in_stock,
    kids,
    no_stock,
    pick,
    po_request,
    post,
    status_request,
    td_state,
    value,
)

HEADER = ["CustomerNumber", "PONumber", "Code", "Reason", "PODatetime", "ResponseDateTime",
          "Items", "ResponseElapsedTime"]  # fmt: skip
LINE = ["Code", "ShipDatetime", "OrderNumber", "OrderType", "OrderQuantity", "UnitPrice",
        "SKU", "MfgPN", "ProductName", "ShipQuantity", "ShipFromWarehouse", "ShipFromCity",
        "ShipFromState", "ShipFromZip", "ShipMethod", "ShipMethodDescription",
        "ETADate"]  # fmt: skip
FEES = ["Freight", "HandlingFee", "Tax", "RecyclingFee"]
STEP = 60.0  # SimulatorConfig.ship_after_s


async def place(client: SimulatorClient, qty1: int = 3) -> tuple[TdProduct, TdProduct, Element]:
    """The notes' example PO: a stocked, serialised product and one with no stock (BO)."""
    c = td_state(client).catalog
    stocked = pick(c, lambda p: in_stock("US", qty1)(p)
                   and c.universe.product(p.index).serialised)  # fmt: skip
    empty = pick(c, no_stock("US"))
    body = po_request(stocked.sku, stocked.price("US"), empty.sku, empty.price("US"), qty1=qty1)
    return stocked, empty, (await post(client, PO, body))[0]


async def status(client: SimulatorClient, po: str = "DISTY-000123", **kw: str) -> Element:
    root = await post(client, STATUS, status_request(po, **kw))
    assert kids(root) == ["OrderStatusResponse"]
    return root


async def advance(client: SimulatorClient, seconds: float) -> None:
    r = await client.post("/_control/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200


def codes(root: Element) -> list[str]:
    return [value(row, "Code") for row in root.findall("OrderStatusResponse/Items/Item")]


async def test_an_unknown_po_is_not_found(simulator_client: SimulatorClient) -> None:
    root = await status(simulator_client, "NOPE-1")
    assert root.get("version") == "2.4"
    response = root[0]
    assert kids(response) == HEADER
    assert value(response, "Code") == "notFound"
    for empty in ("Reason", "PODatetime", "Items"):
        found = response.find(empty)
        assert found is not None
        assert (found.text, len(found)) == (None, 0)
    assert value(response, "ResponseDateTime") == STAMP
    assert ELAPSED.match(value(response, "ResponseElapsedTime"))


async def test_an_order_lives_on_the_clock(simulator_client: SimulatorClient) -> None:
    stocked, empty, placed = await place(simulator_client)
    so, bo = (value(row, "OrderNumber") for row in placed.findall("Items/Item"))

    root = await status(simulator_client)
    response = root[0]
    assert kids(response) == HEADER
    assert (value(response, "CustomerNumber"), value(response, "PONumber")) == (
        "1150897",
        "DISTY-000123",
    )
    assert value(response, "Code") == "accepted"
    assert value(response, "PODatetime") == "2025-03-04T09:15:00"
    one, two = response.findall("Items/Item")
    assert [one.get("lineNumber"), two.get("lineNumber")] == ["1", "2"]
    for row in (one, two):
        assert kids(row) == LINE + FEES + ["Packages"]
        assert [value(row, fee) for fee in FEES] == ["0.00"] * 4
        assert value(row, "Code") == "accepted"
        assert value(row, "ShipDatetime") == ""
        assert value(row, "ShipQuantity") == "0"
        assert len(row.find("Packages") or []) == 0
    assert [value(one, n) for n in ("OrderNumber", "OrderType", "OrderQuantity", "SKU")] == [
        so, "SO", "3", stocked.sku
    ]  # fmt: skip
    assert value(one, "UnitPrice") == repr(float(stocked.price("US")))
    assert (value(one, "MfgPN"), value(one, "ProductName")) == (stocked.mfg_pn,
                                                                stocked.description)  # fmt: skip
    wh = value(one, "ShipFromWarehouse")
    assert wh != "98"
    city = {"3": "Fremont", "4": "Norcross", "5": "Richardson", "6": "Romeoville", "8": "Keasby"}
    assert value(one, "ShipFromCity") == city[wh]
    assert len(value(one, "ShipFromState")) == 2
    assert len(value(one, "ShipFromZip")) == 5
    assert (value(one, "ShipMethod"), value(one, "ShipMethodDescription")) == ("FG", "FedEx Ground")
    assert value(one, "ETADate") == ""
    # The backorder is on hold until it ships, a step after stock would.
    assert (value(two, "OrderNumber"), value(two, "OrderType")) == (bo, "BO")
    assert (value(two, "ShipMethod"), value(two, "ShipMethodDescription")) == ("NL", "Hold Order")
    assert value(two, "ETADate") == "2026-01-01"
    assert value(two, "SKU") == empty.sku

    await advance(simulator_client, STEP)
    response = (await status(simulator_client))[0]
    assert value(response, "Code") == "accepted"  # one row is still open
    one, two = response.findall("Items/Item")
    assert codes(await status(simulator_client)) == ["shipped", "accepted"]
    assert value(one, "ShipDatetime") == "2026-01-01T00:01:00"
    assert value(one, "ShipQuantity") == "3"
    packages = one.findall("Packages/Package")
    assert len(packages) == 3
    for package in packages:
        assert kids(package) == ["TrackingNumber", "Weight", "ShipItemQuantity", "SerialNo"]
        assert len(value(package, "TrackingNumber")) == 15
        assert float(value(package, "Weight")) > 0
        assert value(package, "ShipItemQuantity") == "1"
        assert value(package, "SerialNo").startswith("S")
    assert len({value(p, "TrackingNumber") for p in packages}) == 3

    await advance(simulator_client, STEP)
    root = await status(simulator_client)
    assert codes(root) == ["invoiced", "shipped"]
    assert value(root, "OrderStatusResponse/Code") == "shipped"
    two = root.findall("OrderStatusResponse/Items/Item")[1]
    assert (value(two, "ShipMethod"), value(two, "ETADate")) == ("FG", "")
    # The product has no serial numbers unless serialised: an empty SerialNo then.
    serialised = td_state(simulator_client).catalog.universe.product(empty.index).serialised
    assert (value(two, "Packages/Package/SerialNo") != "") is serialised

    await advance(simulator_client, STEP)
    root = await status(simulator_client)
    assert codes(root) == ["invoiced", "invoiced"]
    assert value(root, "OrderStatusResponse/Code") == "invoiced"


async def test_a_long_clock_advance_replays_the_whole_life(
    simulator_client: SimulatorClient,
) -> None:
    await place(simulator_client)
    await advance(simulator_client, 10 * STEP)
    root = await status(simulator_client)
    assert codes(root) == ["invoiced", "invoiced"]
    one, two = root.findall("OrderStatusResponse/Items/Item")
    assert value(one, "ShipDatetime") == "2026-01-01T00:01:00"
    assert value(two, "ShipDatetime") == "2026-01-01T00:02:00"


async def test_versions_below_2_4_have_no_fees(simulator_client: SimulatorClient) -> None:
    await place(simulator_client)
    root = await status(simulator_client, version="2.2")
    assert root.get("version") == "2.2"
    row = root.find("OrderStatusResponse/Items/Item")
    assert row is not None
    assert kids(row) == [*LINE, "Packages"]
    body = status_request("DISTY-000123").replace(' version="2.4"', "")
    root = await post(simulator_client, STATUS, body)
    assert root.get("version") is None
    row = root.find("OrderStatusResponse/Items/Item")
    assert row is not None
    assert "Freight" not in kids(row)
    root = await status(simulator_client, version="2.7")
    row = root.find("OrderStatusResponse/Items/Item")
    assert row is not None
    assert "RecyclingFee" in kids(row)


async def test_sales_cancel_what_has_not_shipped(simulator_client: SimulatorClient) -> None:
    _, _, placed = await place(simulator_client)
    so, bo = (value(row, "OrderNumber") for row in placed.findall("Items/Item"))
    await advance(simulator_client, STEP)  # the stocked line ships
    r = await simulator_client.delete(f"/_control/tdsynnex/orders/{bo}")
    assert r.status_code == 200
    assert [ln["code"] for ln in r.json()["lines"]] == ["shipped", "deleted"]
    root = await status(simulator_client)
    assert codes(root) == ["shipped", "deleted"]
    assert value(root, "OrderStatusResponse/Code") == "shipped"
    r = await simulator_client.delete(f"/_control/tdsynnex/orders/{so}")
    assert r.status_code == 409
    await advance(simulator_client, 10 * STEP)
    assert codes(await status(simulator_client)) == ["invoiced", "deleted"]


async def test_a_cancelled_po_is_deleted(simulator_client: SimulatorClient) -> None:
    _, _, placed = await place(simulator_client)
    so = value(placed, "Items/Item/OrderNumber")
    assert (await simulator_client.delete(f"/_control/tdsynnex/orders/{so}")).status_code == 200
    root = await status(simulator_client)
    assert value(root, "OrderStatusResponse/Code") == "deleted"
    assert codes(root) == ["deleted", "deleted"]
    r = await simulator_client.post(f"/_control/tdsynnex/orders/{so}/advance")
    assert r.status_code == 409
    assert (await simulator_client.delete("/_control/tdsynnex/orders/1")).status_code == 404
    r = await simulator_client.post("/_control/tdsynnex/orders/1/advance")
    assert r.status_code == 404


async def test_the_control_api_moves_a_line_held_for_sales(
    simulator_client: SimulatorClient,
) -> None:
    c = td_state(simulator_client).catalog
    stocked = pick(c, in_stock("US"))
    body = po_request(stocked.sku, "0.01", stocked.sku, stocked.price("US"))
    placed = (await post(simulator_client, PO, body))[0]
    held = value(placed, "Items/Item/OrderNumber")
    assert value(placed, "Items/Item/OrderType") == "99"
    await advance(simulator_client, 10 * STEP)
    root = await status(simulator_client)
    assert codes(root) == ["accepted", "invoiced"]  # sales have not looked yet
    assert value(root, "OrderStatusResponse/Items/Item/UnitPrice") == "0.01"
    r = await simulator_client.post(f"/_control/tdsynnex/orders/{held}/advance")
    assert r.status_code == 200
    assert codes(await status(simulator_client)) == ["shipped", "invoiced"]
    r = await simulator_client.get("/_control/tdsynnex/orders")
    assert [o["code"] for o in r.json()] == ["shipped"]
    await simulator_client.post(f"/_control/tdsynnex/orders/{held}/advance")
    assert codes(await status(simulator_client)) == ["invoiced", "invoiced"]


async def test_a_status_request_posted_to_the_po_path_is_answered(
    simulator_client: SimulatorClient,
) -> None:
    await place(simulator_client)
    root = await post(simulator_client, PO, status_request("DISTY-000123"))
    assert kids(root) == ["OrderStatusResponse"]
    assert value(root, "OrderStatusResponse/Code") == "accepted"


async def test_status_errors(simulator_client: SimulatorClient) -> None:
    for body in (b"", b"<SynnexB2B><OrderStatusRequest>", b"<SynnexB2B/>"):
        response = (await post(simulator_client, STATUS, body))[0]
        assert response.tag == "OrderStatusResponse"
        assert kids(response) == ["ErrorMessage", "ErrorDetail"]
        assert value(response, "ErrorMessage") == "PO Status XML"
        assert value(response, "ErrorDetail") == "Error on line -1: Premature end of file."
    response = (await post(simulator_client, STATUS, status_request("X", password="no")))[0]
    assert value(response, "ErrorMessage") == "Client.LoginFailed"
    response = (await post(simulator_client, STATUS, status_request("")))[0]
    assert value(response, "ErrorMessage") == "Client.IncompleteXML"
    assert value(response, "ErrorDetail") == (
        "(1)OrderStatusRequest/PONumber: String value required"
    )


async def test_status_is_per_country(simulator_client: SimulatorClient) -> None:
    await place(simulator_client)
    root = await post(simulator_client, "/tdsynnex/ca/SynnexXML/POStatus",
                      status_request("DISTY-000123"))  # fmt: skip
    assert value(root, "OrderStatusResponse/Code") == "notFound"


async def test_the_order_step_is_shared_with_ingram(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.put("/_control/limits", json={"ship_after_s": 600})
    assert r.status_code == 200
    await place(simulator_client)
    await advance(simulator_client, STEP)
    assert codes(await status(simulator_client)) == ["accepted", "accepted"]
    await advance(simulator_client, 600 - STEP)
    assert codes(await status(simulator_client)) == ["shipped", "accepted"]


async def test_a_line_number_need_not_be_a_number(simulator_client: SimulatorClient) -> None:
    stocked = pick(td_state(simulator_client).catalog, in_stock("US"))
    body = po_request(stocked.sku, stocked.price("US"), stocked.sku, stocked.price("US"))
    body = body.replace('lineNumber="1"', 'lineNumber="A-1"')
    await post(simulator_client, PO, body)
    await advance(simulator_client, STEP)
    root = await status(simulator_client)
    rows = root.findall("OrderStatusResponse/Items/Item")
    assert [r.get("lineNumber") for r in rows] == ["A-1", "2"]
    assert codes(root) == ["shipped", "shipped"]
    assert value(rows[0], "Packages/Package/TrackingNumber") != value(
        rows[1], "Packages/Package/TrackingNumber"
    )
