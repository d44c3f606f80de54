"""Purchase orders against the simulator over real HTTP, on SQLite and PostgreSQL: the whole
life by polling, never placed twice (dropped answer, killed process), rejected lines, price
drift, hold, release and cancel; v7 asynchronous orders and quotes; modifying held orders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from disty.config import Settings
from disty.db.models import PurchaseOrder
from disty.domain.orders import Address, LineChange
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, tenants
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context, LineInput
from tests.fixtures.ingram import FAST, config, control, counts, harness
from tests.fixtures.ingram import adapter as ingram_adapter
from tests.fixtures.killing import cli_env, kill_once_received
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import connect_to_simulator

SHIP_TO = Address("Acme | Sons", "1 Main St", "Springfield", "IL", "62701", "US")
CREATE = "post-createorder_v6"


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        await connect_to_simulator(opened, simulator)
        yield opened


def ctx(rt: Runtime) -> Context:
    return Context(rt.suppliers, actor="test")


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


def part(simulator: RunningSimulator, i: int) -> str:
    return str(simulator.state.catalog.product(i).ingram_part_number)


async def submit(rt: Runtime, po: str, lines: list[LineInput], **kwargs: object) -> PurchaseOrder:
    kwargs.setdefault("ship_to", SHIP_TO)
    async with rt.sessions() as session:
        return await ordering.submit(
            session, ctx(rt), shortcut="smbi", country_id=1, supplier="ingram", po_number=po,
            lines=lines, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


async def act(rt: Runtime, action: object, po: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number=po)
        return await action(session, found, ctx(rt))  # type: ignore[operator, no-any-return]


async def test_a_whole_life_by_polling(rt: Runtime, simulator: RunningSimulator) -> None:
    # More than the simulator stocks, so part ships now and the rest is back-ordered.
    po = await submit(rt, "PO-LIFE-1", [LineInput(part(simulator, 10), 100_000)], hold=True)
    assert po.status == "on_hold"
    [number] = po.supplier_order_numbers
    assert orders_at_simulator(simulator, "PO-LIFE-1") == [number]

    po = await act(rt, ordering.release, "PO-LIFE-1")
    assert po.status == "backordered"
    seen = [po.status]
    for _ in range(4):
        control(simulator, "POST", f"/orders/{number}/advance", json={})
        po = await act(rt, ordering.refresh, "PO-LIFE-1")
        seen.append(po.status)
    assert seen == ["backordered", "partly_shipped", "partly_shipped", "shipped", "invoiced"]
    line = po.lines[0]
    assert (line.shipped_quantity, line.backordered_quantity) == (100_000, 0)
    assert len(po.shipments) == 2
    assert all(s.tracking_number and s.tracking_url and s.carrier for s in po.shipments)
    assert len(po.invoices) == 2
    statuses = [e.status for e in po.timeline]
    for step in ["draft", "submitting", "on_hold", "backordered", "partly_shipped", "shipped",
                 "invoiced"]:  # fmt: skip
        assert step in statuses
    # Refreshing again changes nothing: updates are idempotent.
    again = await act(rt, ordering.refresh, "PO-LIFE-1")
    assert len(again.timeline) == len(po.timeline)
    assert len(again.shipments) == 2


async def test_serial_numbers_are_kept(rt: Runtime, simulator: RunningSimulator) -> None:
    skus = [part(simulator, i) for i in range(10, 20)]
    po = await submit(rt, "PO-SERIALS", [LineInput(s, 1) for s in skus])
    [number] = po.supplier_order_numbers
    for _ in range(10):  # each shipment of a ten-line order moves on its own
        stage = control(simulator, "POST", f"/orders/{number}/advance", json={})
        if isinstance(stage, dict) and stage["stage"] == "invoiced":
            break
    po = await act(rt, ordering.refresh, "PO-SERIALS")
    assert po.status == "invoiced"
    assert any(line.serial_numbers for line in po.lines)  # two in three hardware items


async def test_accepted_then_dropped_is_not_placed_twice(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    control(
        simulator, "POST", "/faults", json={"kind": "drop_after", "endpoint": CREATE, "times": 1}
    )
    po = await submit(rt, "PO-DROP-1", [LineInput(part(simulator, 3), 2)])
    assert po.status == "submitted"
    assert po.supplier_order_numbers == orders_at_simulator(simulator, "PO-DROP-1")
    assert len(po.supplier_order_numbers) == 1
    messages = " | ".join(e.message for e in po.timeline)
    assert "no answer from the supplier" in messages
    assert "not sent again" in messages
    # Submitting the same PO number again places nothing new.
    again = await submit(rt, "PO-DROP-1", [LineInput(part(simulator, 3), 2)])
    assert again.id == po.id
    assert len(orders_at_simulator(simulator, "PO-DROP-1")) == 1


async def test_a_process_killed_mid_send_is_recovered_without_a_second_order(
    rt: Runtime, simulator: RunningSimulator, settings: Settings, secret_key: str
) -> None:
    # The simulator places the order, then holds its answer; the submitting process is killed
    # (SIGKILL) in between, so nothing of the answer was recorded.
    hold_answer = {"kind": "drop_after", "endpoint": CREATE, "times": 1, "latency_ms": 30_000}
    control(simulator, "POST", "/faults", json=hold_answer)
    await kill_once_received(
        ["order", "submit", "--tenant", "smbi", "--country", "1", "--po", "PO-KILL-1",
         "--line", f"{part(simulator, 4)}=1", "--ship-to", "Acme|1 Main|Springfield|IL|62701|US"],
        cli_env(settings, secret_key),
        lambda: orders_at_simulator(simulator, "PO-KILL-1"),
    )  # fmt: skip

    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-KILL-1")
        assert po.status == "submitting"
        assert po.submit_attempts == 1
        assert po.lease_until is not None
        # Recovery once the dead process's hold has run out (moved into the past here, rather
        # than waiting 104 seconds).
        po.lease_until = po.lease_until.replace(year=2000)
        await session.commit()
        po = await ordering.refresh(session, po, ctx(rt))
    assert po.status == "submitted"
    assert po.supplier_order_numbers == orders_at_simulator(simulator, "PO-KILL-1")
    assert len(po.supplier_order_numbers) == 1


async def test_rejected_lines_are_kept_with_their_reason(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    po = await submit(rt, "PO-207", [LineInput(part(simulator, 5), 1), LineInput("ZZZZZZ", 1)])
    # A line without a price is sent only on an admin's approval.
    assert po.status == "awaiting_approval"
    po = await act(rt, ordering.approve, "PO-207")
    assert po.status == "submitted"
    ok_line, bad_line = po.lines
    assert ok_line.rejected_reason is None
    assert bad_line.rejected_reason is not None
    assert "ZZZZZZ" in bad_line.rejected_reason


async def test_a_refused_order_fails_with_the_suppliers_reason(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    await submit(rt, "PO-DUP", [LineInput(part(simulator, 6), 1)])
    # A second tenant with the same Ingram account reuses the number: refused, nothing placed.
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "other", [1])
        await connections.set_connection(
            session, shortcut="other", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(
                client_id=simulator.client_id, client_secret=simulator.client_secret,
                customer_number=simulator.customer_number, base_url=simulator.base_url,
            ),
            box=rt.box, public_url="https://d.example", grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )  # fmt: skip
        po = await ordering.submit(
            session, ctx(rt), shortcut="other", country_id=1, supplier="ingram",
            po_number="PO-DUP", lines=[LineInput(part(simulator, 6), 1)], ship_to=SHIP_TO,
        )  # fmt: skip
    assert po.status == "failed"
    assert po.failure_reason is not None
    assert "Duplicate" in po.failure_reason
    assert len(orders_at_simulator(simulator, "PO-DUP")) == 1


async def test_price_drift_stops_for_approval(rt: Runtime, simulator: RunningSimulator) -> None:
    sku = part(simulator, 8)
    offers = await ingram_adapter(rt.hub, config(simulator)).price_and_availability([sku])
    current = offers[0].price
    assert current is not None
    seen_earlier = (current / Decimal("1.05")).quantize(Decimal("0.01"))  # it rose 5% since
    po = await submit(rt, "PO-DRIFT", [LineInput(sku, 1, expected_price=seen_earlier)])
    assert po.status == "awaiting_approval"
    assert po.supplier_order_numbers == []
    assert orders_at_simulator(simulator, "PO-DRIFT") == []
    po = await act(rt, ordering.approve, "PO-DRIFT")
    assert po.status == "submitted"
    assert po.approved_by == "test"
    assert len(orders_at_simulator(simulator, "PO-DRIFT")) == 1
    # Within the tolerance (2%) nothing stops.
    near = (current / Decimal("1.01")).quantize(Decimal("0.01"))
    po = await submit(rt, "PO-NEAR", [LineInput(sku, 1, expected_price=near)])
    assert po.status == "submitted"


async def test_cancel_on_hold_works_and_after_release_is_refused(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    held = await submit(rt, "PO-HOLD-1", [LineInput(part(simulator, 9), 1)], hold=True)
    assert held.status == "on_hold"
    cancelled = await act(rt, ordering.cancel, "PO-HOLD-1")
    assert cancelled.status == "cancelled"

    await submit(rt, "PO-HOLD-2", [LineInput(part(simulator, 9), 1)], hold=True)
    released = await act(rt, ordering.release, "PO-HOLD-2")
    assert released.status in ("submitted", "backordered")
    with pytest.raises(InvalidInput, match="only orders still on customer hold"):
        await act(rt, ordering.cancel, "PO-HOLD-2")
    with pytest.raises(InvalidInput, match="only a PO on hold can be released"):
        await act(rt, ordering.release, "PO-HOLD-2")


def test_status_spellings() -> None:
    assert [s.value for s in POStatus] == [
        "draft", "awaiting_approval", "submitting", "submitted", "on_hold", "partly_shipped",
        "shipped", "backordered", "invoiced", "cancelled", "voided", "failed",
    ]  # fmt: skip


async def test_the_worker_polls_and_finishes_submissions_without_anyone_acting(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    from disty.jobs import worker

    # An accepted-then-dropped submission whose recovery search also failed stays submitting.
    control(
        simulator, "POST", "/faults", json={"kind": "drop_after", "endpoint": CREATE, "times": 1}
    )
    search = "get-resellers-v6-ordersearch"
    control(simulator, "POST", "/faults", json={"kind": "error", "endpoint": search, "times": 4})
    po = await submit(rt, "PO-WORKER", [LineInput(part(simulator, 11), 1)])
    assert po.status == "submitting"
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(rt, interval_s=0.05, stop=stop))
    try:
        # A deadline, not a speed: on PostgreSQL the sweep is a periodic job of procrastinate
        # (seconds apart), and the four failed searches each wait their turn (8-11 s idle).
        async with asyncio.timeout(45):
            while True:
                async with rt.sessions() as session:
                    found = await ordering.find_po(session, shortcut="smbi", po_number="PO-WORKER")
                    if found.status == "submitted":
                        break
                await asyncio.sleep(0.05)
        [number] = orders_at_simulator(simulator, "PO-WORKER")
        assert found.supplier_order_numbers == [number]
        control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
        async with asyncio.timeout(20):
            while True:
                async with rt.sessions() as session:
                    found = await ordering.find_po(session, shortcut="smbi", po_number="PO-WORKER")
                    if found.status == "shipped":
                        break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    assert len(orders_at_simulator(simulator, "PO-WORKER")) == 1


async def test_a_send_whose_sender_died_is_taken_up_by_the_worker_alone(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    from disty.db.base import utcnow
    from disty.jobs import worker

    # The order lands but its answer is lost, and so is the search after it: "submitting".
    control(
        simulator, "POST", "/faults", json={"kind": "drop_after", "endpoint": CREATE, "times": 1}
    )
    search = "get-resellers-v6-ordersearch"
    control(simulator, "POST", "/faults", json={"kind": "error", "endpoint": search, "times": 4})
    await submit(rt, "PO-DEAD-SENDER", [LineInput(part(simulator, 12), 1)])
    control(simulator, "DELETE", "/faults")
    [number] = orders_at_simulator(simulator, "PO-DEAD-SENDER")
    # As a sender killed mid-send leaves it: its lease still running, never checked since.
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-DEAD-SENDER")
        assert po.status == "submitting"
        held = utcnow() + timedelta(minutes=5)
        po.lease_until, po.next_check_at = held, None
        await session.commit()

    # A polling round (a long poll interval) meets the hold: nothing sent, and the PO is due
    # again when the hold runs out, not a poll interval later.
    assert await worker.poll_round(rt, poll_interval_s=3600) >= 1
    assert await worker.outbox_round(rt, poll_interval_s=3600) == 0
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-DEAD-SENDER")
        assert (po.status, po.next_check_at) == ("submitting", held)
        po.lease_until = utcnow() - timedelta(seconds=1)  # the dead sender's hold ran out
        await session.commit()

    # The outbox sweep takes it up with polling off: found at the supplier, not sent again.
    assert await worker.outbox_round(rt, poll_interval_s=0) == 1
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-DEAD-SENDER")
    # (Its state is the supplier's: submitted, or backordered if the part is out of stock.)
    assert po.status not in ("submitting", "failed")
    assert po.supplier_order_numbers == [number]
    assert orders_at_simulator(simulator, "PO-DEAD-SENDER") == [number]
    assert await worker.outbox_round(rt, poll_interval_s=0) == 0


# -- v7: asynchronous orders and quotes ---------------------------------------------------------

CREATE_V7 = "post-createorder_v7"


async def test_v7_is_confirmed_then_settled_by_polling_and_followed_to_shipment(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    lines = [LineInput(part(simulator, 20), 2), LineInput("ZZZZZZ", 1)]
    po = await submit(rt, "PO-V7-1", lines, api_version="v7")
    assert po.status == "awaiting_approval"  # ZZZZZZ has no price: sent once approved
    po = await act(rt, ordering.approve, "PO-V7-1")
    assert (po.status, po.api_version, po.supplier_order_numbers) == ("submitted", "v7", [])
    assert po.confirmation_number is not None
    assert po.confirmation_number.startswith("US-I-T-")
    assert po.timeline[-1].message == (
        f"accepted by the supplier with confirmation number {po.confirmation_number}; "
        "the order number follows"
    )
    control(simulator, "POST", "/run")  # the simulator places queued v7 orders
    [number] = orders_at_simulator(simulator, "PO-V7-1")

    po = await act(rt, ordering.refresh, "PO-V7-1")
    assert po.supplier_order_numbers == [number]
    assert po.status == "submitted"
    good, bad = po.lines
    assert (good.supplier_order_number, good.supplier_line_number) == (number, "001")
    assert good.rejected_reason is None
    assert bad.rejected_reason is not None  # the unknown SKU is missing from the order
    assert any(f"placed it as {number}" in e.message for e in po.timeline)

    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
    po = await act(rt, ordering.refresh, "PO-V7-1")
    assert po.status == "shipped"
    assert po.lines[0].shipped_quantity == 2
    assert len(orders_at_simulator(simulator, "PO-V7-1")) == 1


async def test_v7_without_an_order_changes_nothing_until_a_refusal_fails_it(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    # Only unknown products: the simulator accepts the request, then places nothing.
    await submit(rt, "PO-V7-NONE", [LineInput("ZZZZZZ", 1)], api_version="v7")
    po = await act(rt, ordering.approve, "PO-V7-NONE")  # sent without a price, on purpose
    assert po.status == "submitted"
    control(simulator, "POST", "/run")
    assert orders_at_simulator(simulator, "PO-V7-NONE") == []
    events = len(po.timeline)
    po = await act(rt, ordering.refresh, "PO-V7-NONE")
    assert (po.status, po.supplier_order_numbers, len(po.timeline)) == ("submitted", [], events)

    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number="PO-V7-NONE")
        po = await ordering.refuse_accepted(
            session, found, ctx(rt), "No valid lines in the order", source="webhook"
        )
    assert (po.status, po.failure_reason) == ("failed", "No valid lines in the order")
    assert (po.timeline[-1].source, po.timeline[-1].status) == ("webhook", "failed")


async def test_a_v7_refusal_does_not_fail_a_po_the_supplier_holds(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    await submit(rt, "PO-V7-HINT", [LineInput(part(simulator, 21), 1)], api_version="v7")
    control(simulator, "POST", "/run")
    [number] = orders_at_simulator(simulator, "PO-V7-HINT")
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number="PO-V7-HINT")
        # The event's body is a hint: the supplier's search says the order exists.
        po = await ordering.refuse_accepted(session, found, ctx(rt), "refused", source="webhook")
    assert po.status == "submitted"
    assert po.failure_reason is None
    assert po.supplier_order_numbers == [number]


async def test_a_dropped_v7_send_is_not_placed_twice(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    control(
        simulator, "POST", "/faults", json={"kind": "drop_after", "endpoint": CREATE_V7, "times": 1}
    )
    po = await submit(rt, "PO-V7-DROP", [LineInput(part(simulator, 3), 1)], api_version="v7")
    assert counts(simulator)[CREATE_V7] == 1
    assert po.status == "submitted"
    assert po.supplier_order_numbers == orders_at_simulator(simulator, "PO-V7-DROP")
    assert len(po.supplier_order_numbers) == 1
    messages = " | ".join(e.message for e in po.timeline)
    assert "no answer from the supplier" in messages
    assert "not sent again" in messages
    # Nothing is sent again later either.
    po = await act(rt, ordering.refresh, "PO-V7-DROP")
    control(simulator, "POST", "/run")
    assert counts(simulator)[CREATE_V7] == 1
    assert len(orders_at_simulator(simulator, "PO-V7-DROP")) == 1


async def test_a_quote_is_ordered_at_its_prices_with_its_lines(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    client = ingram_adapter(rt.hub, config(simulator)).client
    products = [{"ingramPartNumber": part(simulator, 23), "quantity": 2},
                {"ingramPartNumber": part(simulator, 24), "quantity": 1}]  # fmt: skip
    created = await client.request(
        "POST", "/resellers/v6/quotes/create",
        json={"quoteName": "Lab refresh", "CustomerContact": "buyer@example.com",
              "products": products}, safe=False,
    )  # fmt: skip
    quote_number = created.json()["quoteNumber"]
    quote = await client.quote_detail(quote_number)
    quoted = {p["ingramPartNumber"]: p["price"]["quotePrice"] for p in quote["products"]}

    po = await submit(rt, "PO-QUOTE-1", [], quote_number=quote_number)
    assert (po.status, po.api_version, po.quote_number) == ("submitted", "v7", quote_number)
    assert po.lines == []
    control(simulator, "POST", "/run")
    po = await act(rt, ordering.refresh, "PO-QUOTE-1")
    [number] = po.supplier_order_numbers
    assert [(x.sku, x.quantity) for x in po.lines] == [
        (p["ingramPartNumber"], p["quantity"]) for p in products
    ]
    detail = await client.order_detail(number)
    assert {x["ingramPartNumber"]: x["unitPrice"] for x in detail["lines"]} == quoted

    with pytest.raises(
        InvalidInput, match="ordered through Ingram Micro's v7 API: leave out --api v6"
    ):
        await submit(rt, "PO-QUOTE-2", [], quote_number=quote_number, api_version="v6")
    with pytest.raises(InvalidInput, match="at least one line"):
        await submit(rt, "PO-QUOTE-3", [], api_version="v7")


# -- modifying a PO held for review -------------------------------------------------------------


async def modify(rt: Runtime, po: str, *changes: LineChange) -> ordering.Modification:
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number=po)
        return await ordering.modify(session, found, ctx(rt), list(changes))


async def supplier_lines(
    rt: Runtime, simulator: RunningSimulator, number: str
) -> list[tuple[str, str, int]]:
    """(customer line number, part number, quantity) of the supplier's order detail."""
    detail = await ingram_adapter(rt.hub, config(simulator)).client.order_detail(number)
    return sorted(
        (x["customerLineNumber"], x["ingramPartNumber"], x["quantityOrdered"])
        for x in detail["lines"]
    )


async def test_modify_adds_changes_and_removes_lines_then_release(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    a, b, c = part(simulator, 30), part(simulator, 31), part(simulator, 32)
    po = await submit(rt, "PO-MOD-1", [LineInput(a, 2), LineInput(b, 1)], hold=True)
    [number] = po.supplier_order_numbers
    done = await modify(
        rt, "PO-MOD-1",
        LineChange.add(c, 3), LineChange.set_quantity(1, 5), LineChange.remove(2),
    )  # fmt: skip
    assert done.refused == []
    po = done.po
    assert po.status == "on_hold"
    assert [(x.line_number, x.sku, x.quantity, x.removed) for x in po.lines] == [
        (1, a, 5, False), (2, b, 0, True), (3, c, 3, False),
    ]  # fmt: skip
    assert po.lines[2].supplier_line_number == "003"
    assert await supplier_lines(rt, simulator, number) == [("001", a, 5), ("003", c, 3)]
    event = next(e for e in po.timeline if e.message.startswith("modified:"))
    assert (event.actor, event.source) == ("test", "person")
    assert "remove line 2" in event.message

    po = await act(rt, ordering.release, "PO-MOD-1")
    assert po.status in ("submitted", "backordered")
    with pytest.raises(InvalidInput, match="only a PO on hold can be modified"):
        await modify(rt, "PO-MOD-1", LineChange.set_quantity(1, 1))
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
    po = await act(rt, ordering.refresh, "PO-MOD-1")
    assert po.status == "shipped"
    shipped = {x.line_number: x.shipped_quantity for x in po.lines}
    assert shipped == {1: 5, 2: 0, 3: 3}


async def test_modify_keeps_a_refused_addition_with_its_reason(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    a = part(simulator, 33)
    po = await submit(rt, "PO-MOD-2", [LineInput(a, 1)], hold=True)
    [number] = po.supplier_order_numbers
    done = await modify(rt, "PO-MOD-2", LineChange.add("ZZZZZZ", 1), LineChange.set_quantity(1, 4))
    [(change, reason)] = done.refused  # Ingram's 207: one change refused, one applied
    assert (change.sku, change.line_number) == ("ZZZZZZ", 2)
    assert "ZZZZZZ" in reason
    added = done.po.lines[1]
    assert (added.line_number, added.sku, added.rejected_reason) == (2, "ZZZZZZ", reason)
    assert done.po.lines[0].quantity == 4
    assert await supplier_lines(rt, simulator, number) == [("001", a, 4)]
    event = next(e for e in done.po.timeline if e.message.startswith("modified:"))
    assert event.message == (
        f"modified: line 1 quantity to 4 | refused: add 1 × ZZZZZZ as line 2: {reason}"
    )
    # A refused line was never at the supplier: it cannot be changed.
    with pytest.raises(InvalidInput, match="has no line 2 at the supplier"):
        await modify(rt, "PO-MOD-2", LineChange.set_quantity(2, 1))


async def test_modify_after_the_supplier_released_it_is_refused_with_the_reason(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    po = await submit(rt, "PO-MOD-3", [LineInput(part(simulator, 34), 1)], hold=True)
    [number] = po.supplier_order_numbers
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "processing"})
    with pytest.raises(InvalidInput, match=r"no longer on hold.*only while it is on customer hold"):
        await modify(rt, "PO-MOD-3", LineChange.set_quantity(1, 2))
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-MOD-3")
    assert po.status == "submitted"  # what the supplier said is recorded
    assert po.lines[0].quantity == 1


async def test_ship_to_details_and_end_user_reach_the_distributor(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    ship_to = Address(
        "Acme", "1 Main St", "Springfield", "IL", "62701", "US",
        street2="Dock 4", contact="Pat Lee", phone="+1 217 555 0100", email="pat@acme.example",
    )  # fmt: skip
    end_user = Address("City Hospital", "9 Elm Rd", "Springfield", "IL", "62702", "US",
                       contact="Dr Roe")  # fmt: skip
    async with rt.sessions() as session:
        po = await ordering.submit(
            session, ctx(rt), shortcut="smbi", country_id=1, supplier="ingram",
            po_number="PO-ENDUSER", lines=[LineInput(part(simulator, 3), 1)], ship_to=ship_to,
            end_user=end_user,
        )  # fmt: skip
    assert po.status == "submitted"
    assert po.end_user is not None
    assert po.end_user["company"] == "City Hospital"
    [order] = [
        o
        for o in simulator.state.orders.for_app(simulator.client_id)
        if o.customer_order_number == "PO-ENDUSER"
    ]
    assert order.ship_to["contact"] == "Pat Lee"
    assert order.ship_to["addressLine2"] == "Dock 4"
    assert order.ship_to["email"] == "pat@acme.example"
    assert order.end_user["companyName"] == "City Hospital"
    assert order.end_user["contact"] == "Dr Roe"

    # An address stored at Ingram goes out as its id alone.
    async with rt.sessions() as session:
        stored = await ordering.submit(
            session, ctx(rt), shortcut="smbi", country_id=1, supplier="ingram",
            po_number="PO-STORED", lines=[LineInput(part(simulator, 3), 1)],
            ship_to=Address.stored("200"),
        )  # fmt: skip
    assert stored.status == "submitted"
    [order] = [
        o
        for o in simulator.state.orders.for_app(simulator.client_id)
        if o.customer_order_number == "PO-STORED"
    ]
    assert order.ship_to == {"addressId": "200"}


async def test_an_incomplete_or_too_long_address_is_refused_before_saving(rt: Runtime) -> None:
    too_long = Address("A" * 41, "1 Main St", "Springfield", "IL", "62701", "US")
    with pytest.raises(InvalidInput, match="company is longer than 40"):
        await submit(rt, "PO-LONG", [LineInput("X", 1)], ship_to=too_long)
    with pytest.raises(InvalidInput, match="end_user needs company, street, city, country"):
        await submit(rt, "PO-NOEU", [LineInput("X", 1)], end_user=Address("", "", "", "", "", ""))
    async with rt.sessions() as session:
        assert await ordering.list_pos(session, shortcut="smbi") == []


async def test_two_refreshes_of_one_po_at_once_save_each_invoice_once(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    # As when two webhooks of one order (or a webhook and the poll) are processed together.
    po = await submit(rt, "PO-RACE", [LineInput(part(simulator, 4), 1)])
    [number] = po.supplier_order_numbers
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "invoiced"})

    async def refresh_alone() -> PurchaseOrder:
        async with rt.sessions() as session:
            found = await ordering.find_po(session, shortcut="smbi", po_number="PO-RACE")
            return await ordering.refresh(session, found, ctx(rt), source="webhook")

    done = await asyncio.gather(*(refresh_alone() for _ in range(4)))
    assert {p.status for p in done} == {"invoiced"}
    async with rt.sessions() as session:
        saved = await ordering.find_po(session, shortcut="smbi", po_number="PO-RACE")
        invoices = [i.invoice_number for i in saved.invoices]
        assert invoices
        assert len(invoices) == len(set(invoices))
        shipments = [s.tracking_number for s in saved.shipments]
        assert len(shipments) == len(set(shipments))
        assert [e.status for e in saved.timeline].count("invoiced") == 1
