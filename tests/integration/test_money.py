"""Attacks on the money paths (issue 19), over real HTTP against the simulator, on SQLite and
PostgreSQL: a price that cannot be confirmed is never sent, only an admin approves spending,
a crashed request's Idempotency-Key does not block its retry forever, concurrent creates of
one PO number never answer 500 nor tell two clients they created it, a failed PO can be
corrected and sent again, and a send's lease outlives a slow distributor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import PurchaseOrder
from disty.domain.orders import Address
from disty.errors import NotFound
from disty.runtime import Runtime, open_runtime
from disty.services import ordering, tokens
from disty.services.ordering import Context, LineInput
from disty.services.suppliers import Suppliers
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, control, counts, harness
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import connect_to_simulator

PNA = "post-priceandavailability"
CREATE = "post-createorder_v6"
SHIP_TO = {
    "company": "Acme",
    "street": "1 Main St",
    "city": "Springfield",
    "state": "IL",
    "postcode": "62701",
    "country": "US",
}


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        await connect_to_simulator(opened, simulator)
        yield opened


@pytest.fixture
def served(rt: Runtime, settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings.model_copy(update={"poll_interval_s": 0.0})) as running:
        yield running


async def token(rt: Runtime, *scopes: str) -> str:
    async with rt.sessions() as session:
        _, made = await tokens.create_token(
            session, shortcut="smbi", scopes=list(scopes), name=None, actor="test"
        )
    return made


def api(served: ServedDisty, bearer: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {bearer}"}, timeout=60
    )


def part(simulator: RunningSimulator, i: int) -> str:
    return str(simulator.state.catalog.product(i).ingram_part_number)


def orders_at_simulator(simulator: RunningSimulator, po_number: str) -> list[str]:
    body = control(simulator, "GET", "/orders")
    assert isinstance(body, list)
    return [o["number"] for o in body if o["customer_order_number"] == po_number]


def set_price(simulator: RunningSimulator, sku: str, usd: str) -> None:
    control(simulator, "PUT", f"/prices/{sku}", json={"customer_price_usd": usd})


def po_body(number: str, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"po_number": number, "country_id": 1, "lines": lines, "ship_to": SHIP_TO, **extra}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["detail"]
    return body


def ctx(rt: Runtime) -> Context:
    return Context(rt.suppliers, actor="test")


async def submit(rt: Runtime, po: str, lines: list[LineInput], **kwargs: Any) -> PurchaseOrder:
    async with rt.sessions() as session:
        return await ordering.submit(
            session, ctx(rt), shortcut="smbi", country_id=1, supplier="ingram", po_number=po,
            lines=lines, ship_to=Address.from_dict(SHIP_TO), **kwargs,
        )  # fmt: skip


# -- 3: approving spends money: the admin scope only ---------------------------------------


async def test_an_order_token_cannot_approve_a_price_rise(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    sku = part(simulator, 8)
    set_price(simulator, sku, "50.00")
    async with api(served, await token(rt, "order")) as client:
        created = await client.post(
            "/pos", json=po_body("API-APPROVE", [{"sku": sku, "quantity": 1,
                                                   "expected_price": "5.43"}])
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "awaiting_approval"
        refused = problem(await client.post("/pos/API-APPROVE/approve"), 403)
        assert "'admin' scope" in refused["detail"]
    assert orders_at_simulator(simulator, "API-APPROVE") == []
    async with api(served, await token(rt, "admin")) as client:
        approved = await client.post("/pos/API-APPROVE/approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "submitted"
    assert len(orders_at_simulator(simulator, "API-APPROVE")) == 1


# -- 1: a price that cannot be confirmed is never sent ----------------------------------------


def pna_down(simulator: RunningSimulator) -> None:
    control(simulator, "POST", "/faults", json={"kind": "error", "endpoint": PNA})


def pna_up(simulator: RunningSimulator) -> None:
    control(simulator, "DELETE", "/faults")


async def saved(rt: Runtime, po_number: str) -> Any:
    async with rt.sessions() as session:
        return await ordering.find_po(session, shortcut="smbi", po_number=po_number)


async def run_price_checks_until(rt: Runtime, po_number: str, status: str) -> Any:
    """The worker's price round, run until the PO reaches ``status`` (each retry made due
    at once rather than waited for)."""
    from disty.jobs import worker

    for _ in range(20):
        async with rt.sessions() as session:
            po = await ordering.find_po(session, shortcut="smbi", po_number=po_number)
            if po.status == status:
                return po
            assert po.status == "draft", po.status
            assert po.price_check_at is not None
            po.price_check_at = po.price_check_at.replace(year=2000)  # due now
            await session.commit()
        await worker.price_round(rt)
    raise AssertionError(f"{po_number} never became {status}")


@pytest.mark.parametrize("api_version", ["v6", "v7"])
async def test_a_price_that_cannot_be_confirmed_is_never_sent(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, api_version: str
) -> None:
    # The attack: the price rose tenfold and price and availability answers 500.
    sku = part(simulator, 8)
    set_price(simulator, sku, "50.00")
    pna_down(simulator)
    number = f"PO-PNA-{api_version}"
    async with api(served, await token(rt, "order")) as client:
        created = await client.post("/pos", json=po_body(
            number, [{"sku": sku, "quantity": 1, "expected_price": "5.43"}],
            api_version=api_version,
        ))  # fmt: skip
    assert created.status_code == 201, created.text
    po = created.json()
    assert po["status"] == "draft", po["approval_reason"]
    assert po["next_price_check_at"] is not None
    assert "price not confirmed" in po["timeline"][-1]["message"]
    assert orders_at_simulator(simulator, number) == []

    # The worker checks again with backoff; P&A stays down, so after the last try the PO
    # waits for an admin, with the reason.
    po = await run_price_checks_until(rt, number, "awaiting_approval")
    assert po.approval_reason.startswith("price not confirmed")
    assert po.price_checks == rt.settings.price_check_retries + 1
    control(simulator, "POST", "/run")  # v7 orders would be placed now
    assert orders_at_simulator(simulator, number) == []

    # The admin's approval sends it on purpose.
    async with api(served, await token(rt, "admin")) as client:
        approved = await client.post(f"/pos/{number}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "submitted"
    control(simulator, "POST", "/run")
    assert len(orders_at_simulator(simulator, number)) == 1


async def test_once_prices_answer_again_a_rise_stops_and_a_steady_price_is_sent(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    risen, steady = part(simulator, 8), part(simulator, 9)
    set_price(simulator, risen, "50.00")
    pna_down(simulator)
    await submit(rt, "PO-PNA-RISE", [LineInput(risen, 1, Decimal("5.43"))])
    await submit(rt, "PO-PNA-SAME", [LineInput(steady, 1)])
    assert (await saved(rt, "PO-PNA-RISE")).status == "draft"
    assert (await saved(rt, "PO-PNA-SAME")).status == "draft"
    pna_up(simulator)
    po = await run_price_checks_until(rt, "PO-PNA-RISE", "awaiting_approval")
    assert po.approval_reason == f"price rose beyond the tolerance: {risen} 5.43 -> 50.00"
    po = await run_price_checks_until(rt, "PO-PNA-SAME", "submitted")
    assert po.lines[0].expected_price == po.lines[0].current_price is not None
    assert orders_at_simulator(simulator, "PO-PNA-RISE") == []
    assert len(orders_at_simulator(simulator, "PO-PNA-SAME")) == 1


async def test_a_line_without_a_price_waits_for_approval(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    po = await submit(
        rt,
        "PO-NOPRICE",
        [LineInput(part(simulator, 5), 1), LineInput("ZZZZZZ", 1)],
    )
    assert po.status == "awaiting_approval"
    assert po.approval_reason == "price not confirmed: ZZZZZZ is unknown to the distributor"
    assert orders_at_simulator(simulator, "PO-NOPRICE") == []


async def test_a_quote_that_cannot_be_read_is_not_ordered(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    from disty.simulator.ingram.quotes import all_quotes

    quote = all_quotes(simulator.state, simulator.client_id)[0]
    quoted = {p["ingramPartNumber"]: p["price"]["quotePrice"] for p in quote["products"]}
    control(
        simulator, "POST", "/faults", json={"kind": "error", "endpoint": "get-resellers-v6-quotes"}
    )
    po = await submit(rt, "PO-Q-DOWN", [], quote_number=quote["quoteNumber"])
    assert po.status == "draft"
    assert "price not confirmed" in po.timeline[-1].message
    control(simulator, "DELETE", "/faults")
    # An expected price below the quote's is a rise like any other.
    sku, price = next(iter(quoted.items()))
    cheap = (Decimal(str(price)) / 2).quantize(Decimal("0.01"))
    po = await submit(rt, "PO-Q-LOW", [LineInput(sku, 1, cheap)],
                      quote_number=quote["quoteNumber"])  # fmt: skip
    assert po.status == "awaiting_approval"
    assert (po.approval_reason or "").startswith("price rose beyond the tolerance")
    po = await run_price_checks_until(rt, "PO-Q-DOWN", "submitted")
    control(simulator, "POST", "/run")
    assert len(orders_at_simulator(simulator, "PO-Q-DOWN")) == 1
    assert orders_at_simulator(simulator, "PO-Q-LOW") == []


# -- 11: concurrent creates of one PO number ---------------------------------------------------


@pytest.mark.parametrize("pna_ms", [0, 400], ids=["fast-pna", "slow-pna"])
async def test_twenty_concurrent_creates_one_creator_no_500(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, pna_ms: int
) -> None:
    # A slow price check keeps the creator between saving its draft and claiming it to send
    # while the others arrive: they find the draft, take it for one a dead request left, and
    # check its prices too; all then race to claim it (one wins, no deadlock, no 500).
    if pna_ms:
        control(
            simulator,
            "POST",
            "/faults",
            json={"kind": "latency", "endpoint": PNA, "latency_ms": pna_ms},
        )
    body = po_body("PO-RACE-20", [{"sku": part(simulator, 12), "quantity": 1}])
    async with api(served, await token(rt, "order")) as client:
        answers = await asyncio.gather(
            *(
                client.post("/pos", json=body, headers={"Idempotency-Key": f"race-{n}"})
                if n % 2
                else client.post("/pos", json=body)
                for n in range(20)
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 1, f"{statuses}"
    assert set(statuses) <= {200, 201, 409}, [a.text for a in answers if a.status_code >= 500]
    for answer in answers:
        if answer.status_code == 409:
            assert "created by another request" in problem(answer, 409)["detail"]
        else:
            assert answer.json()["po_number"] == "PO-RACE-20"
    assert len(orders_at_simulator(simulator, "PO-RACE-20")) == 1


# -- 14: a failed PO is corrected and sent again; another PO under its number is refused -----


async def test_a_failed_po_is_corrected_and_sent_again_over_the_api(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    async with api(served, await token(rt, "admin")) as client:
        # Only a product the distributor does not know: approved anyway, then refused.
        created = await client.post(
            "/pos", json=po_body("PO-FIX", [{"sku": "ZZZZZZ", "quantity": 1}])
        )
        assert created.json()["status"] == "awaiting_approval"
        failed = await client.post("/pos/PO-FIX/approve")
        assert failed.json()["status"] == "failed", failed.text
        assert orders_at_simulator(simulator, "PO-FIX") == []

        good = [{"sku": part(simulator, 13), "quantity": 2}]
        again = await client.post("/pos", json=po_body("PO-FIX", good))
        assert again.status_code == 200, again.text
        po = again.json()
        assert po["status"] == "submitted"
        assert [(x["sku"], x["quantity"]) for x in po["lines"]] == [(part(simulator, 13), 2)]
        assert po["failure_reason"] is None
        messages = [e["message"] for e in po["timeline"]]
        assert "failed PO corrected and submitted again" in messages
        [number] = orders_at_simulator(simulator, "PO-FIX")
        assert po["supplier_order_numbers"] == [number]

        # The same PO again places nothing; other content under its number is a conflict.
        same = await client.post("/pos", json=po_body("PO-FIX", good))
        assert same.status_code == 200
        assert same.json()["supplier_order_numbers"] == [number]
        other = [{"sku": part(simulator, 13), "quantity": 3}]
        taken = problem(await client.post("/pos", json=po_body("PO-FIX", other)), 409)
        assert "taken by another PO" in taken["detail"]
    assert len(orders_at_simulator(simulator, "PO-FIX")) == 1


# -- 15: the send lease outlives a slow distributor ----------------------------------------------


def test_a_lease_shorter_than_one_send_is_refused(cli: Cli) -> None:
    # The attack's settings: a 9 s lease, an 8 s timeout (one send: a token fetched with up
    # to 4 tries, then the order: 43.5 s).
    cli.env.update({"DISTY_SUPPLIER_TIMEOUT_S": "8", "DISTY_SUBMIT_LEASE_S": "9"})
    refused = cli("order", "list", "--tenant", "smbi")
    assert refused.exit_code == 1
    assert "DISTY_SUBMIT_LEASE_S (9) must be longer than one send" in refused.stderr
    assert "Set it to 44 or more" in refused.stderr
    cli.env["DISTY_SUBMIT_LEASE_S"] = "44"
    assert "DISTY_SUBMIT_LEASE_S" not in cli("order", "list", "--tenant", "smbi").stderr


async def test_the_lease_is_renewed_while_a_slow_send_is_in_flight(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    # A short lease (set here directly, below what config.check accepts, so the test does not
    # wait minutes) and a distributor that takes four times as long to take the order.
    short = Context(
        Suppliers(rt.box, rt.hub, rt.settings.model_copy(update={"submit_lease_s": 1.0})), "test"
    )
    slow = {"kind": "latency", "endpoint": CREATE, "latency_ms": 4000, "times": 1}
    control(simulator, "POST", "/faults", json=slow)

    async def send() -> PurchaseOrder:
        async with rt.sessions() as session:
            return await ordering.submit(
                session, short, shortcut="smbi", country_id=1, supplier="ingram",
                po_number="PO-SLOW", lines=[LineInput(part(simulator, 14), 1)],
                ship_to=Address.from_dict(SHIP_TO),
            )  # fmt: skip

    sending = asyncio.create_task(send())
    async with asyncio.timeout(30):
        while True:  # until the order is in flight
            try:
                po = await saved(rt, "PO-SLOW")
            except NotFound:
                po = None
            if po is not None and po.status == "submitting" and po.submit_attempts == 1:
                break
            await asyncio.sleep(0.02)
    first_lease = po.lease_until
    assert first_lease is not None
    # Until the first lease has run out.
    await asyncio.sleep(max(0.0, (first_lease - utcnow()).total_seconds()) + 0.5)
    # Another worker comes by meanwhile: the renewed lease keeps it from sending again.
    async with rt.sessions() as session:
        found = await ordering.find_po(session, shortcut="smbi", po_number="PO-SLOW")
        assert found.lease_until is not None
        assert found.lease_until > first_lease
        other = await ordering.refresh(session, found, short)
        assert other.status == "submitting"
    po = await sending
    assert po.status == "submitted"
    assert counts(simulator)[CREATE] == 1
    assert len(orders_at_simulator(simulator, "PO-SLOW")) == 1


# -- 10: an Idempotency-Key whose request died with its process ---------------------------------


async def test_a_key_left_by_a_killed_server_is_taken_over_by_a_retry(
    rt: Runtime,
    served: ServedDisty,
    simulator: RunningSimulator,
    settings: Settings,
    secret_key: str,
) -> None:
    import os
    import signal
    import socket
    import sys
    from pathlib import Path

    from sqlalchemy import update as sql_update

    from disty.db.models import IdempotencyKey

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DISTY_HOME": str(settings.home),
        "DISTY_DATABASE_URL": str(settings.database_url),
        "DISTY_SECRET_KEYS": secret_key,
        "DISTY_PUBLIC_URL": "https://d.example",
        "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1",
    }
    disty = Path(sys.executable).with_name("disty")
    server = await asyncio.create_subprocess_exec(
        str(disty), "serve", "--port", str(port), "--no-worker", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    bearer = await token(rt, "order")
    body = po_body("PO-CRASH", [{"sku": part(simulator, 15), "quantity": 1}])
    headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": "crash-1"}
    # The distributor places the order and holds its answer: the server dies meanwhile.
    hold = {"kind": "drop_after", "endpoint": CREATE, "times": 1, "latency_ms": 30_000}
    control(simulator, "POST", "/faults", json=hold)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            async with asyncio.timeout(30):
                while True:
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            first = asyncio.create_task(client.post("/api/v1/pos", json=body, headers=headers))
            async with asyncio.timeout(30):
                while True:  # until the order reached the distributor
                    if orders_at_simulator(simulator, "PO-CRASH"):
                        break
                    await asyncio.sleep(0.02)
            server.send_signal(signal.SIGKILL)
            await server.wait()
            with pytest.raises(httpx.TransportError):
                await first
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()

    # What the dead request left: its key in progress, its PO submitting. Both bounds are moved
    # into the past here rather than waited out (DISTY_SUBMIT_LEASE_S).
    async with rt.sessions() as session:
        await session.execute(
            sql_update(IdempotencyKey)
            .where(IdempotencyKey.key == "crash-1")
            .values(created_at=utcnow() - timedelta(seconds=rt.settings.submit_lease_s + 1))
        )
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-CRASH")
        assert po.status == "submitting"
        assert po.lease_until is not None
        po.lease_until = po.lease_until.replace(year=2000)
        await session.commit()
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as client:
        retried = await client.post("/api/v1/pos", json=body, headers=headers)
        assert retried.status_code == 200, retried.text  # the PO that exists, now placed
        [number] = orders_at_simulator(simulator, "PO-CRASH")
        assert retried.json()["status"] == "submitted"
        assert retried.json()["supplier_order_numbers"] == [number]
        again = await client.post("/api/v1/pos", json=body, headers=headers)
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == retried.json()
    assert counts(simulator)[CREATE] == 1
