"""Distributor webhooks into disty over real HTTP, on SQLite and PostgreSQL: what is refused
and what is kept, exactly-once processing, dead letters and replay, polling as the safety net,
and a PO followed to its invoice from webhooks alone.

disty's app runs in uvicorn in a thread (tests/fixtures/disty.py); the simulator's webhook
dispatcher delivers to it, signing with its own code; the bad deliveries are built here, with
the signature computed independently from Ingram's documented algorithm.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from disty.config import Settings
from disty.db.models import ConflictingDelivery, InboundEvent, PurchaseOrder, StockLevel
from disty.domain.orders import Address
from disty.runtime import Runtime, open_runtime
from disty.services import connections, ordering, tenants
from disty.services.connections import ConnectionChanges
from disty.services.ordering import Context, LineInput
from disty.services.run_test import run_test
from disty.services.webhooks import destinations, processing, refusals
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, control, harness
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import connect_to_simulator

KEY = "signature-token-of-smbi-0001"
OTHER_KEY = "signature-token-of-acme-0002"
SHIP_TO = Address("Acme", "1 Main St", "Springfield", "IL", "62701", "US")


def sign(key: str, event_id: str) -> str:
    """Ingram's documented algorithm, written here independently of disty's receiver."""
    return base64.b64encode(
        hmac.new(key.encode(), event_id.encode(), hashlib.sha512).digest()
    ).decode()


def order_event(event_id: str, po: str = "PO-1", order: str = "20-ZZZZZ") -> dict[str, Any]:
    return {
        "topic": "resellers/orders",
        "event": "im::updated",
        "eventTimeStamp": "2026-01-01T10:00:00.000Z",
        "eventId": event_id,
        "resource": [
            {"eventType": "im::order_shipped", "orderNumber": order, "customerOrderNumber": po}
        ],
    }


def stock_event(event_id: str, skus: list[str], total: int, stamp: str) -> dict[str, Any]:
    return {
        "topic": "resellers/catalog",
        "event": "im::updated",
        "eventTimeStamp": stamp,
        "eventId": event_id,
        "resource": [
            {
                "eventType": "IM::STOCK_UPDATE",
                "ingramPartNumber": sku,
                "vendorPartNumber": f"VPN-{sku}-LONGER-PART-NUMBER",
                "vendorName": "A VENDOR WITH A REALISTIC NAME INC",
                "upcCode": "0123456789012",
                "skuStatus": "Active",
                "totalAvailability": str(total),
                "backOrderFlag": "Y",
                "links": [
                    {
                        "topic": "catalog",
                        "href": f"/resellers/v6/catalog/details/{sku}",
                        "type": "GET",
                    }
                ],
            }
            for sku in skus
        ],
    }


async def _connect(
    rt: Runtime, simulator: RunningSimulator, shortcut: str, key: str | None
) -> None:
    await connect_to_simulator(rt, simulator, shortcut, webhook_key=key)


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    # Polling off unless a test turns it on: what happens here comes from webhooks.
    return settings.model_copy(
        update={
            "poll_interval_s": 0.0,
            "event_retry_base_s": 0.05,
            "event_max_attempts": 3,
            "ingram_get_per_minute": 10_000,
        }
    )


@pytest.fixture
async def rt(server_settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    """The test's own view of the database disty serves (set-up and inspection)."""
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(server_settings, hub=h.hub) as opened,
    ):
        await _connect(opened, simulator, "smbi", KEY)
        await _connect(opened, simulator, "acme", OTHER_KEY)
        await _connect(opened, simulator, "nokey", None)
        yield opened


@pytest.fixture
def served(rt: Runtime, server_settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(server_settings) as running:
        yield running


def subscribe(simulator: RunningSimulator, served: ServedDisty, secret: str = KEY) -> str:
    body = control(
        simulator,
        "POST",
        f"/apps/{simulator.client_id}/webhooks",
        json={"destination_url": served.hook(), "secret": secret},
    )
    assert isinstance(body, dict)
    return str(body["id"])


async def inbox_rows(rt: Runtime) -> list[InboundEvent]:
    async with rt.sessions() as session:
        return list(await session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "the condition never came true"
        await asyncio.sleep(0.05)


async def po_status(rt: Runtime, po_number: str) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.find_po(session, shortcut="smbi", po_number=po_number)


async def submit(rt: Runtime, simulator: RunningSimulator, po: str, **kw: Any) -> PurchaseOrder:
    catalog = simulator.state.catalog
    # A serialised hardware product, so shipments carry serial numbers.
    product = next(
        catalog.product(i)
        for i in range(10, 200)
        if catalog.product(i).serialised
        and not catalog.product(i).digital
        and not catalog.product(i).direct_ship
    )
    sku = str(product.ingram_part_number)
    async with rt.sessions() as session:
        return await ordering.submit(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", po_number=po, lines=[LineInput(sku, 2)],
            ship_to=SHIP_TO, **kw,
        )  # fmt: skip


async def post(url: str, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-hub-signature"] = signature
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, content=body, headers=headers)


# -- what is refused, what is kept ---------------------------------------------------------------


async def test_a_battery_of_bad_deliveries(rt: Runtime, served: ServedDisty) -> None:
    body = json.dumps(order_event("EVT-BAD-0001")).encode()
    good = sign(KEY, "EVT-BAD-0001")
    cases: list[tuple[str, str, bytes, str | None, int]] = [
        ("forged", served.hook(), body, sign("guessed-key", "EVT-BAD-0001"), 401),
        ("missing signature", served.hook(), body, None, 401),
        ("another tenant's key", served.hook(), body, sign(OTHER_KEY, "EVT-BAD-0001"), 401),
        ("signature of another event", served.hook(), body, sign(KEY, "EVT-OTHER"), 401),
        ("not base64", served.hook(), body, "%%%not-base64%%%", 401),
        ("unknown tenant", served.hook("nobody"), body, good, 404),
        ("country without connection", served.hook("smbi", 29), body, good, 404),
        ("unknown country id", served.hook("smbi", 7), body, good, 404),
        ("malformed JSON", served.hook(), b'{"eventId": "EVT-BAD-0001",', good, 400),
        ("JSON of another shape", served.hook(), b'"just a string"', good, 400),
        ("no eventId", served.hook(), json.dumps({"topic": "x"}).encode(), good, 401),
        (
            "NUL in the eventId",
            served.hook(),
            json.dumps(order_event("E\u0000")).encode(),
            sign(KEY, "E\u0000"),
            401,
        ),
        ("NUL in the tenant", served.hook("sm%00bi"), body, good, 400),
        ("no key configured yet", served.hook("nokey"), body, sign("", "EVT-BAD-0001"), 401),
    ]
    for name, url, payload, signature, expected in cases:
        response = await post(url, payload, signature)
        assert response.status_code == expected, name
        assert KEY not in response.text
        assert OTHER_KEY not in response.text
    assert await inbox_rows(rt) == []

    # Refusals are counted per connection and reason (written together, a second later), and
    # Run Test shows them.
    async def counted() -> bool:
        async with rt.sessions() as session:
            found = await destinations.find_destination(session, rt.box, "ingram", "smbi", 1)
            assert found is not None
            health = await refusals.webhook_health(session, found.connection_id)
        return sum(health.rejected.values()) == 9

    await eventually(counted)
    async with rt.sessions() as session:
        smbi = (await tenants.get_tenant(session, "smbi")).id
        destination = await destinations.find_destination(session, rt.box, "ingram", "smbi", 1)
        assert destination is not None
        assert destination.tenant_id == smbi
        health = await refusals.webhook_health(session, destination.connection_id)
    assert health.last_verified_at is None
    assert health.rejected == {
        "bad_signature": 4,
        "missing_signature": 1,
        "malformed_json": 2,
        "no_event_id": 2,
    }
    async with rt.sessions() as session:
        report = await run_test(
            session, shortcut="smbi", supplier="ingram", country_id=1, suppliers=rt.suppliers,
        )  # fmt: skip
    [seen] = [c for c in report.checks if c.name == "webhook_seen"]
    assert seen.status == "warn"
    assert "4 with a signature that matches no webhook key" in seen.detail

    # The real thing is accepted once; the same id again is a 200 that stores nothing new.
    first = await post(served.hook(), body, good)
    assert first.status_code == 200
    assert first.json()["accepted"] == 1
    again = await post(served.hook(), body, good)
    assert again.status_code == 200
    assert again.json() == {
        "accepted": 0,
        "duplicates": 1,
        "conflicts": 0,
    }
    # Same id, tampered body: 200 (the signature is right), kept for audit, never applied.
    tampered = json.dumps(order_event("EVT-BAD-0001", po="PO-EVIL")).encode()
    response = await post(served.hook(), tampered, good)
    assert response.status_code == 200
    assert response.json()["conflicts"] == 1
    [row] = await inbox_rows(rt)
    assert row.body == body.decode()
    assert "x-hub-signature" not in row.headers
    assert row.event_type == "im::order_shipped"
    async with rt.sessions() as session:
        [kept] = list(await session.scalars(select(ConflictingDelivery)))
    assert kept.body == tampered.decode()


async def test_oversized_bodies_get_413_and_a_large_stock_event_fits(
    rt: Runtime, served: ServedDisty
) -> None:
    big = b'{"eventId": "EVT-BIG", "pad": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    response = await post(served.hook(), big, sign(KEY, "EVT-BIG"))
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        yield b'{"eventId": "EVT-BIG2", "pad": "'
        for _ in range(11):
            yield b"y" * (1024 * 1024)
        yield b'"}'

    async with httpx.AsyncClient(timeout=30) as client:
        streamed = await client.post(
            served.hook(), content=chunks(), headers={"x-hub-signature": sign(KEY, "EVT-BIG2")}
        )
    assert streamed.status_code == 413
    assert await inbox_rows(rt) == []

    skus = [f"S{n:05d}" for n in range(4000)]
    stock = json.dumps(stock_event("EVT-STOCK-1", skus, 7, "2026-01-01T10:00:00Z")).encode()
    assert len(stock) > 1024 * 1024  # about what Ingram's 4,000-SKU deltas weigh
    response = await post(served.hook(), stock, sign(KEY, "EVT-STOCK-1"))
    assert response.status_code == 200

    async def recorded() -> bool:
        async with rt.sessions() as session:
            return len(list(await session.scalars(select(StockLevel.id)))) == 4000

    await eventually(recorded)
    [event] = await inbox_rows(rt)
    await eventually(lambda: _status_is(rt, event.id, "processed"))


async def _status_is(rt: Runtime, pk: int, status: str) -> bool:
    async with rt.sessions() as session:
        row = await session.get(InboundEvent, pk)
        return row is not None and row.status == status


async def test_an_array_of_envelopes_is_kept_as_separate_events(
    rt: Runtime, served: ServedDisty
) -> None:
    envelopes = [order_event("EVT-ARR-1", po="X1"), order_event("EVT-ARR-2", po="X2")]
    header = f"{sign(KEY, 'EVT-ARR-1')},{sign(KEY, 'EVT-ARR-2')}"
    response = await post(served.hook(), json.dumps(envelopes).encode(), header)
    assert response.status_code == 200
    assert response.json()["accepted"] == 2
    # One envelope signed wrongly refuses the whole delivery.
    wrong = f"{sign(KEY, 'EVT-ARR-3')},{sign('nope', 'EVT-ARR-4')}"
    bad = [order_event("EVT-ARR-3"), order_event("EVT-ARR-4")]
    assert (await post(served.hook(), json.dumps(bad).encode(), wrong)).status_code == 401
    assert [r.event_id for r in await inbox_rows(rt)] == ["EVT-ARR-1", "EVT-ARR-2"]

    # Neither names a PO disty placed: processed, kept and reported as unmatched.
    async def both_processed() -> bool:
        return all(r.status == "processed" for r in await inbox_rows(rt))

    await eventually(both_processed)
    rows = await inbox_rows(rt)
    assert all(r.unmatched and "not a PO disty placed" in (r.outcome or "") for r in rows)


# -- exactly once ---------------------------------------------------------------------------------


async def test_fifty_concurrent_deliveries_of_one_event_are_processed_once(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    po = await submit(rt, simulator, "PO-CONC-1")
    [number] = po.supplier_order_numbers
    body = json.dumps(order_event("EVT-CONC-1", po="PO-CONC-1", order=number)).encode()
    answers = await asyncio.gather(
        *(post(served.hook(), body, sign(KEY, "EVT-CONC-1")) for _ in range(50))
    )
    assert [a.status_code for a in answers] == [200] * 50
    assert sum(a.json()["accepted"] for a in answers) == 1
    [row] = await inbox_rows(rt)
    await eventually(lambda: _status_is(rt, row.id, "processed"))
    [row] = await inbox_rows(rt)
    assert row.attempts == 1
    assert "PO PO-CONC-1 refreshed" in (row.outcome or "")


async def test_an_inbox_that_cannot_be_written_answers_503_and_keeps_nothing(
    rt: Runtime, served: ServedDisty, server_settings: Settings
) -> None:
    url = server_settings.resolved_database_url
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock is the way to make the inbox unwritable here")
    body = json.dumps(order_event("EVT-LOCKED-1")).encode()
    # Another program holds SQLite's write lock past the writer's patience (5 s).
    holder = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused = await post(served.hook(), body, sign(KEY, "EVT-LOCKED-1"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert refused.json()["error"] == "unavailable"
    assert await inbox_rows(rt) == []
    # The distributor's next try is stored as if it were the first.
    again = await post(served.hook(), body, sign(KEY, "EVT-LOCKED-1"))
    assert again.status_code == 200
    assert again.json()["accepted"] == 1


async def test_events_accepted_before_a_crash_are_processed_once_after_restart(
    rt: Runtime, server_settings: Settings, simulator: RunningSimulator, tmp_path: Any
) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    from pathlib import Path

    po = await submit(rt, simulator, "PO-CRASH-1")
    [number] = po.supplier_order_numbers
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DISTY_HOME": str(server_settings.home),
        "DISTY_DATABASE_URL": str(server_settings.database_url),
        "DISTY_SECRET_KEYS": server_settings.secret_keys.get_secret_value(),  # type: ignore[union-attr]
        "DISTY_PUBLIC_URL": "https://d.example",
        "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1",  # the simulator's http base URL
        "DISTY_POLL_INTERVAL_S": "0",
    }
    disty = str(Path(sys.executable).with_name("disty"))
    url = f"http://127.0.0.1:{port}"
    hook = f"{url}/supplierapi/distributorWebhook/smbi/1"

    async def started(process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "disty serve ended"
            assert time.monotonic() < deadline, "disty serve did not start"
            try:
                async with httpx.AsyncClient() as client:
                    if (await client.get(url + "/readyz")).status_code == 200:
                        return
            except httpx.TransportError:
                await asyncio.sleep(0.1)

    # Accept events with nothing processing them, then SIGKILL the server.
    first = subprocess.Popen(  # noqa: ASYNC220 (a child for the whole test)
        [disty, "serve", "--port", str(port), "--no-worker"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await started(first)
        ids = [f"EVT-CRASH-{n}" for n in range(5)]
        for event_id in ids:
            body = json.dumps(order_event(event_id, po="PO-CRASH-1", order=number)).encode()
            assert (await post(hook, body, sign(KEY, event_id))).status_code == 200
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    rows = await inbox_rows(rt)
    assert [r.status for r in rows] == ["received"] * 5

    second = subprocess.Popen(  # noqa: ASYNC220
        [disty, "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await started(second)

        async def all_processed() -> bool:
            return all(r.status == "processed" for r in await inbox_rows(rt))

        await eventually(all_processed)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    rows = await inbox_rows(rt)
    assert [r.attempts for r in rows] == [1] * 5


# -- from the simulator's webhooks ------------------------------------------------------------


async def test_a_po_ships_and_invoices_from_webhooks_alone(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    subscribe(simulator, served)
    po = await submit(rt, simulator, "PO-HOOK-1")
    [number] = po.supplier_order_numbers
    for stage in ("shipped", "invoiced"):
        control(simulator, "POST", f"/orders/{number}/advance", json={"to": stage})

        async def reached(stage: str = stage) -> bool:
            return (await po_status(rt, "PO-HOOK-1")).status == stage

        await eventually(reached)
    po = await po_status(rt, "PO-HOOK-1")
    assert po.shipments
    assert all(s.tracking_number and s.carrier for s in po.shipments)
    assert po.lines[0].serial_numbers
    assert po.invoices
    moves = [(e.source, e.status) for e in po.timeline]
    assert ("webhook", "shipped") in moves
    assert ("webhook", "invoiced") in moves
    rows = await inbox_rows(rt)
    assert rows
    assert all(r.status == "processed" and not r.unmatched for r in rows)
    # Run Test now reports the last verified delivery.
    async with rt.sessions() as session:
        report = await run_test(
            session, shortcut="smbi", supplier="ingram", country_id=1, suppliers=rt.suppliers,
        )  # fmt: skip
    [seen] = [c for c in report.checks if c.name == "webhook_seen"]
    assert seen.status == "pass"
    assert "Last verified delivery" in seen.detail


async def test_an_older_event_never_overwrites_newer_state(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    hook = subscribe(simulator, served)
    control(simulator, "PUT", "/deliveries", json={"on": False})  # collect events, send later
    po = await submit(rt, simulator, "PO-ORDER-1", hold=True)
    [number] = po.supplier_order_numbers
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})
    sent = control(simulator, "GET", "/events")
    assert isinstance(sent, list)
    ids = [e["id"] for e in sent if e["kind"].startswith("order_")]
    assert len(ids) >= 2
    control(simulator, "PUT", "/deliveries", json={"on": True})
    # Newest first, the hold last.
    control(
        simulator,
        "POST",
        "/deliveries/in-order",
        json={"event_ids": list(reversed(ids)), "subscription_id": hook},
    )

    async def all_done() -> bool:
        rows = await inbox_rows(rt)
        return len(rows) == len(ids) and all(r.status == "processed" for r in rows)

    await eventually(all_done)
    assert (await po_status(rt, "PO-ORDER-1")).status == "shipped"

    # Stock: the older event, arriving second, leaves the newer level alone.
    newer = stock_event("EVT-STK-NEW", ["SKU001"], 5, "2026-01-01T12:00:00Z")
    older = stock_event("EVT-STK-OLD", ["SKU001"], 99, "2026-01-01T11:00:00Z")
    for envelope in (newer, older):
        raw = json.dumps(envelope).encode()
        response = await post(served.hook(), raw, sign(KEY, envelope["eventId"]))
        assert response.status_code == 200

    async def stock_done() -> bool:
        rows = await inbox_rows(rt)
        return all(r.status == "processed" for r in rows if r.event_id.startswith("EVT-STK"))

    await eventually(stock_done)
    async with rt.sessions() as session:
        [level] = list(await session.scalars(select(StockLevel)))
    assert (level.total_available, level.event_id, level.source) == (
        5,
        "EVT-STK-NEW",
        "stock event",
    )


async def test_polling_is_the_safety_net_when_webhooks_stop(
    rt: Runtime, server_settings: Settings, simulator: RunningSimulator
) -> None:
    control(simulator, "PUT", "/deliveries", json={"on": False})
    polling = server_settings.model_copy(update={"poll_interval_s": 0.5})
    with serve_disty(polling):
        po = await submit(rt, simulator, "PO-POLL-1")
        [number] = po.supplier_order_numbers
        control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})

        async def shipped() -> bool:
            return (await po_status(rt, "PO-POLL-1")).status == "shipped"

        await eventually(shipped)
    assert await inbox_rows(rt) == []


async def test_a_failing_event_dies_and_replay_processes_it_once(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, cli: Cli
) -> None:
    subscribe(simulator, served)
    po = await submit(rt, simulator, "PO-DEAD-1")
    [number] = po.supplier_order_numbers
    fault = {"kind": "error", "endpoint": "get-orderdetails-v6.1", "status": 500}
    control(simulator, "POST", "/faults", json=fault)
    control(simulator, "POST", f"/orders/{number}/advance", json={"to": "shipped"})

    async def dead() -> bool:
        rows = await inbox_rows(rt)
        return bool(rows) and all(r.status == "dead" for r in rows)

    await eventually(dead)
    rows = await inbox_rows(rt)
    assert all(r.attempts == 3 and "500" in (r.error or "") for r in rows)
    assert (await po_status(rt, "PO-DEAD-1")).status == "submitted"

    listed = await asyncio.to_thread(
        cli, "events", "list", "--tenant", "smbi", "--status", "dead", "--json"
    )
    assert listed.exit_code == 0, listed.output
    dead_rows = json.loads(listed.output)
    assert {r["event_id"] for r in dead_rows} == {r.event_id for r in rows}
    assert set(dead_rows[0]) >= {"event_id", "supplier", "event_type", "status", "received_at",
                                 "error"}  # fmt: skip

    control(simulator, "DELETE", "/faults")
    for row in rows:
        replayed = await asyncio.to_thread(
            cli, "events", "replay", row.event_id, "--tenant", "smbi", "--json"
        )
        assert replayed.exit_code == 0, replayed.output
        assert json.loads(replayed.output)["status"] == "processed"
    assert (await po_status(rt, "PO-DEAD-1")).status == "shipped"
    rows = await inbox_rows(rt)
    assert all(r.status == "processed" and r.attempts == 4 for r in rows)
    missing = await asyncio.to_thread(cli, "events", "replay", "NOPE", "--tenant", "smbi")
    assert missing.exit_code == 1
    assert "no event 'NOPE'" in missing.output


async def test_processed_bodies_are_pruned_after_the_retention_period(
    rt: Runtime, served: ServedDisty
) -> None:
    body = json.dumps(order_event("EVT-OLD-1", po="NOT-OURS")).encode()
    assert (await post(served.hook(), body, sign(KEY, "EVT-OLD-1"))).status_code == 200
    [row] = await inbox_rows(rt)
    await eventually(lambda: _status_is(rt, row.id, "processed"))
    async with rt.sessions() as session:
        assert await processing.prune(session, older_than=timedelta(days=90)) == 0
        stored = await session.get(InboundEvent, row.id)
        assert stored is not None
        assert stored.processed_at is not None
        stored.processed_at = stored.processed_at.replace(year=2020)
        await session.commit()
        assert await processing.prune(session, older_than=timedelta(days=90)) == 1
    [row] = await inbox_rows(rt)
    assert row.body is None
    assert row.pruned_at is not None
    assert row.status == "processed"


async def test_health_and_readiness(served: ServedDisty) -> None:
    async with httpx.AsyncClient() as client:
        alive = await client.get(served.url + "/healthz")
        ready = await client.get(served.url + "/readyz")
    assert alive.json() == {"status": "alive"}
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_stock_events_from_the_simulator_record_availability(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    subscribe(simulator, served)
    control(simulator, "POST", "/stock/restock", json={"first_index": 0, "count": 5000})
    published = control(simulator, "POST", "/stock/publish")
    assert isinstance(published, dict)
    assert published["events"] == 2  # at most 4,000 SKUs an event, as Ingram sends them

    async def recorded() -> bool:
        rows = await inbox_rows(rt)
        return len(rows) == 2 and all(r.status == "processed" for r in rows)

    await eventually(recorded)
    async with rt.sessions() as session:
        levels = {s.sku: s for s in await session.scalars(select(StockLevel))}
    assert len(levels) == 5000
    first = simulator.state.catalog.product(0)
    level = levels[first.ingram_part_number]
    assert level.total_available == simulator.state.inventory.available(first, "US")
    assert level.source == "stock event"
    assert level.event_time is not None


async def test_the_v7_result_arrives_by_webhook(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    subscribe(simulator, served)
    po = await submit(rt, simulator, "PO-V7-HOOK", api_version="v7")
    assert po.status == "submitted"
    assert po.confirmation_number
    assert po.supplier_order_numbers == []
    control(simulator, "POST", "/run")  # the simulator places queued v7 orders and reports

    async def numbered_and_processed() -> bool:
        # The order numbers are committed before the event is marked processed: wait for both.
        events = [r for r in await inbox_rows(rt) if r.event_type == "im::async_order_create"]
        numbers = (await po_status(rt, "PO-V7-HOOK")).supplier_order_numbers
        return bool(numbers) and any(e.status == "processed" for e in events)

    await eventually(numbered_and_processed)
    po = await po_status(rt, "PO-V7-HOOK")
    [event] = [r for r in await inbox_rows(rt) if r.event_type == "im::async_order_create"]
    assert event.status == "processed"
    assert "PO-V7-HOOK" in (event.outcome or "")
    assert any(e.source == "webhook" for e in po.timeline)

    # A v7 order the simulator refuses (no line it knows) fails the PO, by webhook.
    async with rt.sessions() as session:
        refused = await ordering.submit(
            session, Context(rt.suppliers, "test"), shortcut="smbi",
            country_id=1, supplier="ingram", po_number="PO-V7-NONE",
            lines=[LineInput("ZZZZZZ", 1)], ship_to=SHIP_TO, api_version="v7",
        )  # fmt: skip
        # No price for ZZZZZZ: sent only on approval, given here on purpose.
        refused = await ordering.approve(session, refused, Context(rt.suppliers, "test"))
    assert refused.status == "submitted"
    control(simulator, "POST", "/run")

    async def failed() -> bool:
        return (await po_status(rt, "PO-V7-NONE")).status == "failed"

    await eventually(failed)
    assert (await po_status(rt, "PO-V7-NONE")).failure_reason


async def test_a_processing_longer_than_its_lease_is_not_taken_by_another_worker(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    from disty.db.base import utcnow
    from disty.jobs import worker

    po = await submit(rt, simulator, "PO-LONG-1")
    [number] = po.supplier_order_numbers
    async with rt.sessions() as session:
        destination = await destinations.find_destination(session, rt.box, "ingram", "smbi", 1)
        assert destination is not None
        row = InboundEvent(
            connection_id=destination.connection_id, tenant_id=destination.tenant_id,
            supplier="ingram", country_id=1, event_id="EVT-LONG-1",
            event_type="im::order_shipped", headers={}, body_sha256="0" * 64,
            body=json.dumps(order_event("EVT-LONG-1", po="PO-LONG-1", order=number)),
        )  # fmt: skip
        session.add(row)
        await session.commit()
        pk = row.id
    # The supplier takes longer to answer than the job's hold on the event lasts.
    lease = timedelta(seconds=0.3)
    slow = {"kind": "latency", "endpoint": "get-orderdetails-v6.1", "latency_ms": 1200}
    control(simulator, "POST", "/faults", json=slow)
    assert await processing.claim(rt.sessions, limit=1, lease=lease) == [pk]
    first_hold_ends = utcnow() + lease
    job = asyncio.create_task(worker.process_claimed(rt, [pk], lease))
    outlived = False
    while not job.done():
        # Another worker, all along, finds nothing to take.
        assert await processing.due(rt.sessions, limit=10) == []
        assert await processing.claim(rt.sessions, limit=1, lease=lease) == []
        outlived = outlived or (utcnow() > first_hold_ends + lease and not job.done())
        await asyncio.sleep(0.05)
    await job
    assert outlived, "the processing did not outlast its first lease: the test proves nothing"
    [row] = await inbox_rows(rt)
    assert (row.status, row.attempts, row.lease_until) == ("processed", 1, None)


async def test_a_key_changed_on_one_replica_holds_on_another_at_once(
    rt: Runtime, server_settings: Settings
) -> None:
    """Two replicas over PostgreSQL: the key is replaced through one (no grace), and the
    other, whose cached destinations would otherwise live for an hour, takes the new key and
    refuses the old one once PostgreSQL's notice reaches it."""
    if rt.engine.dialect.name == "sqlite":
        pytest.skip("SQLite is one process: a change is forgotten in-process (watch_changes)")
    from disty.web import create_app

    one, other = (create_app(server_settings, run_worker=False) for _ in range(2))
    async with (
        one.router.lifespan_context(one),
        other.router.lifespan_context(other),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://o") as client,
    ):
        other.state.destinations.ttl_s = 3600.0  # only a notice makes it read the key again

        async def deliver(key: str, n: int) -> int:
            event_id = f"EVT-ROTATE-{n}"
            answer = await client.post(
                "/supplierapi/distributorWebhook/smbi/1",
                content=json.dumps(order_event(event_id)),
                headers={"x-hub-signature": sign(key, event_id)},
            )
            return answer.status_code

        assert await deliver(KEY, 0) == 200  # the destination is cached now
        new_key = "signature-token-of-smbi-0002"
        async with one.state.rt.sessions() as session:
            await connections.set_connection(
                session, shortcut="smbi", supplier="ingram", country_id=1,
                changes=ConnectionChanges(webhook_key=new_key), box=rt.box,
                public_url="https://d.example", grace=timedelta(0),
                allow_custom_urls=True,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        n = 1
        while (await deliver(new_key, n), await deliver(KEY, n + 1)) != (200, 401):
            assert time.monotonic() < deadline, "the other replica never learned the new key"
            n += 2
            await asyncio.sleep(0.05)
