"""The pure merge of what a supplier says into a PO (services/ordering/_merge.py), on POs held
in memory: no database is needed to check its rules."""

from __future__ import annotations

from disty.db.models import POLine, PurchaseOrder
from disty.domain.orders import LineState, OrderState, Shipment
from disty.domain.po_status import POStatus
from disty.services.ordering import apply_states


def _po(status: POStatus = POStatus.SUBMITTED) -> PurchaseOrder:
    po = PurchaseOrder(
        po_number="PO-1", status=status.value, supplier="any", supplier_order_numbers=["A", "B"]
    )
    po.lines = [
        POLine(line_number=1, sku="111", quantity=1, shipped_quantity=0, serial_numbers=[]),
        POLine(line_number=2, sku="MPN-2", quantity=2, shipped_quantity=0, serial_numbers=[]),
    ]
    po.shipments, po.invoices, po.timeline = [], [], []
    return po


def _state(number: str, status: POStatus, *lines: LineState, shipments=()) -> OrderState:  # type: ignore[no-untyped-def]
    return OrderState(number, status, tuple(lines), tuple(shipments), ())


def test_one_order_shipped_while_another_waits_is_partly_shipped() -> None:
    po = _po()
    apply_states(
        po,
        [
            _state("A", POStatus.SHIPPED, LineState(1, "111", 1, 0, 1)),
            _state("B", POStatus.BACKORDERED, LineState(2, "MPN-2", 0, 2, 2)),
        ],
        "poll",
        "test",
    )
    assert po.status == POStatus.PARTLY_SHIPPED.value


def test_an_order_on_hold_still_shows_the_po_on_hold() -> None:
    po = _po()
    apply_states(
        po,
        [
            _state("A", POStatus.SHIPPED, LineState(1, "111", 1, 0, 1)),
            _state("B", POStatus.ON_HOLD, LineState(2, "MPN-2", 0, 0, 2)),
        ],
        "poll",
        "test",
    )
    assert po.status == POStatus.ON_HOLD.value  # a person must act on it


def test_nothing_shipped_stays_as_the_least_advanced_order() -> None:
    po = _po()
    apply_states(
        po,
        [
            _state("A", POStatus.SUBMITTED, LineState(1, "111", 0, 0, 1)),
            _state("B", POStatus.BACKORDERED, LineState(2, "MPN-2", 0, 2, 2)),
        ],
        "poll",
        "test",
    )
    assert po.status == POStatus.SUBMITTED.value


def test_serials_reach_the_line_named_by_number_when_the_sku_differs() -> None:
    # A line ordered by manufacturer part number ships under the supplier's own SKU.
    po = _po()
    shipped = Shipment("7654321", "TRACK-1", "FedEx Ground", None, "2026-12-06", 2,
                       ("S1", "S2"), line_number=2)  # fmt: skip
    apply_states(
        po,
        [_state("B", POStatus.SHIPPED, LineState(2, "7654321", 2, 0, 2), shipments=[shipped])],
        "poll",
        "test",
    )
    assert po.lines[1].serial_numbers == ["S1", "S2"]
    assert po.lines[0].serial_numbers == []
