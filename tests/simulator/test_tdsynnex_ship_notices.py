"""TD SYNNEX's ship-notice files (NOTES 9.2, checklist 11.8) and the stuck-order switch: a PO
placed through /SynnexXML/PO (the notes' example), moved on the clock, its ``ShipNotice3D``
files listed and served by the control API with every element 9.2 names, agreeing with
POStatus; a stuck order that stays put until released."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from disty.simulator.config import DEMO_TDSYNNEX_COMPANY
from tests.fixtures.simulator import SimulatorClient
from tests.simulator.tdsynnex_orders import PO, in_stock, kids, pick, po_request, post, td_state
from tests.simulator.tdsynnex_orders import value as text
from tests.simulator.test_tdsynnex_postatus import STEP, advance, codes, place, status

NOTICES = "/_control/tdsynnex/ship-notices"
NAME = re.compile(rf"^\d{{17}}_{DEMO_TDSYNNEX_COMPANY}_856\.xml$")
HEADER = ["PONumber", "CustomerPONumber", "ShipDate", "ShipTime", "ShipCode",
          "ShipDescription", "ShipTrackNo", "InvoiceNumber"]  # fmt: skip


async def names(client: SimulatorClient) -> list[str]:
    r = await client.get(NOTICES)
    assert r.status_code == 200
    listed = r.json()
    assert all(set(f) == {"name", "size"} and f["size"] > 0 for f in listed)
    return [f["name"] for f in listed]


async def notice(client: SimulatorClient, name: str) -> Element:
    r = await client.get(f"{NOTICES}/{name}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root: Element = fromstring(r.content)
    assert root.tag == "SynnexB2B"
    return root


def check_notice(notice3d: Element, item: Element) -> None:
    """Every element 9.2 names, agreeing with the POStatus row of the line it ships."""
    packages = item.findall("Packages/Package")
    assert kids(notice3d) == HEADER + ["Package"] * len(packages)
    assert text(notice3d, "PONumber") == "DISTY-000123"
    assert text(notice3d, "CustomerPONumber") == "DISTY-000123"
    shipped = text(item, "ShipDatetime")  # CCYY-MM-DDTHH:MM:SS
    assert text(notice3d, "ShipDate") == shipped[2:10].replace("-", "")
    assert text(notice3d, "ShipTime") == shipped[11:].replace(":", "")
    assert text(notice3d, "ShipCode") == text(item, "ShipMethod") == "FG"
    assert text(notice3d, "ShipDescription") == text(item, "ShipMethodDescription")
    tracking = [text(p, "TrackingNumber") for p in packages]
    assert text(notice3d, "ShipTrackNo") == tracking[0]
    assert text(notice3d, "InvoiceNumber") == ""  # invoiced one step later
    boxes = notice3d.findall("Package")
    assert [text(b, "TrackNumber") for b in boxes] == tracking
    for box, package in zip(boxes, packages, strict=True):
        assert kids(box) == ["TrackNumber", "Item"]
        assert kids(box.find("Item")) == ["SKU", "ShipQuantity"]  # type: ignore[arg-type]
        assert text(box, "Item/SKU") == text(item, "SKU")
        assert text(box, "Item/ShipQuantity") == text(package, "ShipItemQuantity")
    assert sum(int(text(b, "Item/ShipQuantity")) for b in boxes) == int(text(item, "ShipQuantity"))


async def test_each_shipment_writes_a_notice_file(simulator_client: SimulatorClient) -> None:
    await place(simulator_client)
    assert await names(simulator_client) == []

    await advance(simulator_client, STEP)  # the stocked line (SO) ships
    (first,) = await names(simulator_client)
    assert NAME.match(first)
    assert first == f"20260101000100000_{DEMO_TDSYNNEX_COMPANY}_856.xml"  # the ship time
    rows = (await status(simulator_client)).findall("OrderStatusResponse/Items/Item")
    root = await notice(simulator_client, first)
    assert kids(root) == ["ShipNotice3D"]
    check_notice(root[0], rows[0])

    await advance(simulator_client, STEP)  # the backorder ships one step later
    listed = await names(simulator_client)
    assert listed == [first, f"20260101000200000_{DEMO_TDSYNNEX_COMPANY}_856.xml"]
    rows = (await status(simulator_client)).findall("OrderStatusResponse/Items/Item")
    second = await notice(simulator_client, listed[1])
    assert kids(second) == ["ShipNotice3D"]
    check_notice(second[0], rows[1])

    await advance(simulator_client, 10 * STEP)  # invoicing writes no ship notice
    assert await names(simulator_client) == listed


async def test_lines_shipping_together_share_one_file(simulator_client: SimulatorClient) -> None:
    c = td_state(simulator_client).catalog
    a = pick(c, in_stock("US", 2))
    b = pick(c, in_stock("US", 2), start=a.index + 1)
    await post(simulator_client, PO, po_request(a.sku, a.price("US"), b.sku, b.price("US")))
    await advance(simulator_client, STEP)
    (name,) = await names(simulator_client)
    rows = (await status(simulator_client)).findall("OrderStatusResponse/Items/Item")
    assert codes(await status(simulator_client)) == ["shipped", "shipped"]
    root = await notice(simulator_client, name)
    # One sales order (both lines are SO): one ShipNotice3D with both lines' packages.
    assert kids(root) == ["ShipNotice3D"]
    skus = [text(box, "Item/SKU") for box in root[0].findall("Package")]
    assert set(skus) == {text(rows[0], "SKU"), text(rows[1], "SKU")}


async def test_a_line_shipped_by_hand_gets_its_notice(simulator_client: SimulatorClient) -> None:
    c = td_state(simulator_client).catalog
    a = pick(c, in_stock("US", 2))
    b = pick(c, in_stock("US", 2), start=a.index + 1)
    wrong = f"{float(a.price('US')) + 5:.2f}"  # sales must check the price: 99, held
    placed = await post(simulator_client, PO, po_request(a.sku, wrong, b.sku, b.price("US")))
    held = text(placed, "OrderResponse/Items/Item/OrderNumber")
    await advance(simulator_client, STEP)
    assert len(await names(simulator_client)) == 1  # the SO line only
    r = await simulator_client.post(f"/_control/tdsynnex/orders/{held}/advance")
    assert r.status_code == 200, r.text
    listed = await names(simulator_client)
    assert len(listed) == 2
    root = await notice(simulator_client, listed[1])
    assert {text(box, "Item/SKU") for box in root[0].findall("Package")} == {a.sku}


async def test_notices_are_deleted_after_download_and_reset(
    simulator_client: SimulatorClient,
) -> None:
    await place(simulator_client)
    await advance(simulator_client, 2 * STEP)
    first, second = await names(simulator_client)
    r = await simulator_client.delete(f"{NOTICES}/{first}")
    assert r.status_code == 204
    assert await names(simulator_client) == [second]
    assert (await simulator_client.get(f"{NOTICES}/{first}")).status_code == 404
    assert (await simulator_client.delete(f"{NOTICES}/{first}")).status_code == 404
    assert (await simulator_client.post("/_control/reset")).status_code == 200
    assert await names(simulator_client) == []


# -- a stuck order ------------------------------------------------------------------------------


async def orders(client: SimulatorClient) -> list[dict[str, object]]:
    r = await client.get("/_control/tdsynnex/orders")
    assert r.status_code == 200
    listed: list[dict[str, object]] = r.json()
    return listed


async def stick(client: SimulatorClient, number: str, on: bool) -> dict[str, object]:
    r = await client.put(f"/_control/tdsynnex/orders/{number}/stuck", json={"on": on})
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


async def test_a_stuck_order_stays_put_until_released(simulator_client: SimulatorClient) -> None:
    _, _, placed = await place(simulator_client)
    so = text(placed, "Items/Item/OrderNumber")
    answer = await stick(simulator_client, so, True)
    assert (answer["stuck"], answer["stuck_since"]) == (True, 1_767_225_600.0)
    await advance(simulator_client, 10 * STEP)
    (listed,) = await orders(simulator_client)
    assert listed["stuck"] is True
    assert listed["code"] == "accepted"
    root = await status(simulator_client)
    assert text(root, "OrderStatusResponse/Code") == "accepted"
    assert codes(root) == ["accepted", "accepted"]
    assert [text(row, "ShipDatetime") for row in root.iter("Item")] == ["", ""]
    assert await names(simulator_client) == []
    # Not by hand either, while stuck.
    r = await simulator_client.post(f"/_control/tdsynnex/orders/{so}/advance")
    assert r.status_code == 409

    answer = await stick(simulator_client, so, False)
    assert (answer["stuck"], answer["stuck_since"]) == (False, None)
    assert codes(await status(simulator_client)) == ["accepted", "accepted"]
    # It resumes where it stopped: the SO line is a step from shipping, the BO line two.
    await advance(simulator_client, STEP)
    root = await status(simulator_client)
    assert codes(root) == ["shipped", "accepted"]
    assert text(root, "OrderStatusResponse/Items/Item/ShipDatetime") == "2026-01-01T00:11:00"
    assert await names(simulator_client) == [f"20260101001100000_{DEMO_TDSYNNEX_COMPANY}_856.xml"]
    await advance(simulator_client, STEP)
    assert codes(await status(simulator_client)) == ["invoiced", "shipped"]


async def test_sticking_keeps_what_already_happened(simulator_client: SimulatorClient) -> None:
    _, _, placed = await place(simulator_client)
    so = text(placed, "Items/Item/OrderNumber")
    await advance(simulator_client, STEP)
    await stick(simulator_client, so, True)
    await stick(simulator_client, so, True)  # again: still stuck since the first time
    await advance(simulator_client, 5 * STEP)
    assert codes(await status(simulator_client)) == ["shipped", "accepted"]
    (listed,) = await orders(simulator_client)
    assert listed["stuck_since"] == 1_767_225_600.0 + STEP


async def test_stuck_errors(simulator_client: SimulatorClient) -> None:
    r = await simulator_client.put("/_control/tdsynnex/orders/99999999/stuck", json={"on": True})
    assert r.status_code == 404
    _, _, placed = await place(simulator_client)
    so = text(placed, "Items/Item/OrderNumber")
    r = await simulator_client.put(f"/_control/tdsynnex/orders/{so}/stuck", json={})
    assert r.status_code == 422
    assert (await stick(simulator_client, so, False))["stuck"] is False  # releasing: no-op
