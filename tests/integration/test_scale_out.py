"""The scaled-out layout, proven on this machine: nginx in front of two `disty serve
--no-worker` replicas, two `disty worker` processes, one PostgreSQL (procrastinate's queue and
the shared state), the simulator as Ingram. A burst of signed webhooks, POs placed through the
API and a burst of catalog look-ups go through nginx to both replicas; one replica and one
worker are killed with SIGKILL mid-burst. Then:

- every delivery is answered 200 in the end (a distributor sends again what got no 200) and
  is one inbox row, processed;
- every PO reaches its final state (placed: its supplier order number known), placed once at
  the simulator (its orders counted by customerOrderNumber);
- Ingram's rate limit held for the platform as a whole: the simulator counts the calls per
  operation, and the catalog burst asks more than one minute's allowance, through both
  replicas (each replica alone would allow the whole allowance).

The job timings are shortened (DISTY_JOB_*) so the dead worker's jobs are taken up in
seconds; nothing here sleeps a fixed time: each wait polls up to a deadline that says what was
missing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from disty.config import Settings
from disty.db.models import InboundEvent, PurchaseOrder
from disty.domain.po_status import POStatus
from disty.runtime import Runtime
from disty.services import tokens
from disty.simulator.ingram.consts import OP_DETAILS, OP_PNA, OP_TOKEN, ROUTES
from disty.suppliers.retry import worst_send_s
from tests.fixtures.simulator import RunningSimulator
from tests.integration import test_webhooks as hooks
from tests.integration.test_webhooks import KEY, order_event, sign, submit

# That module's set-up: smbi connected to the simulator, with KEY as its webhook key.
server_settings = hooks.server_settings
rt = hooks.rt

NGINX = "/usr/sbin/nginx"
EVENTS = 40
POS = 6
GET_PER_MINUTE = 60  # Ingram's limit on each GET operation, disty's default
CATALOG_ASKS = GET_PER_MINUTE + 12  # one minute's allowance and more, through both replicas
SUPPLIER_TIMEOUT_S = 2.0
T = TypeVar("T")
# A PO's states once its distributor has it.
AT_SUPPLIER = {s.value for s in POStatus} - {"draft", "awaiting_approval", "submitting", "failed"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until(what: str, check: Callable[[], Awaitable[T | None]], timeout_s: float) -> T:
    """Poll ``check`` until it answers something; past the deadline, say what was missing."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout_s:g} s still waiting for {what}")
        await asyncio.sleep(0.1)


@contextmanager
def _nginx(tmp: Path, upstreams: list[int]) -> Iterator[int]:
    """nginx as an unprivileged user: its own prefix, pid file, logs and temp dirs."""
    port = _free_port()
    servers = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=60s;" for p in upstreams
    )
    (tmp / "nginx.conf").write_text(
        f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  upstream disty {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://disty;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A replica that refuses the connection (killed) is skipped; a request it was
      # answering is lost (502) and sent again by its client, as a distributor does.
      proxy_next_upstream error timeout;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise AssertionError(f"nginx ended: {process.stderr.read()!r}")  # type: ignore[union-attr]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "nginx did not listen within 10 s"
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def _environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "DISTY_HOME": str(settings.home),
        "DISTY_DATABASE_URL": str(settings.database_url),
        "DISTY_SECRET_KEYS": settings.secret_keys.get_secret_value(),  # type: ignore[union-attr]
        "DISTY_PUBLIC_URL": "https://d.example",
        "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1",  # the simulator's http base URL
        "DISTY_TRUSTED_PROXIES": "127.0.0.1",
        # Polling is the outbox's net for a PO whose sender died; rarely, so it adds no calls.
        "DISTY_POLL_INTERVAL_S": "600",
        "DISTY_SUPPLIER_TIMEOUT_S": str(SUPPLIER_TIMEOUT_S),
        "DISTY_SUBMIT_LEASE_S": str(worst_send_s(SUPPLIER_TIMEOUT_S) + 1),
        # A look-up the limit holds back fails fast instead of waiting out the minute.
        "DISTY_WEB_SUPPLIER_DEADLINE_S": "2",
        "DISTY_INGRAM_GET_PER_MINUTE": str(GET_PER_MINUTE),
        # A dead worker known in 2 s; an event it held free again 5 s after it was taken.
        "DISTY_JOB_HEARTBEAT_S": "0.5",
        "DISTY_JOB_STALLED_AFTER_S": "2",
        "DISTY_JOB_EVENT_LEASE_S": "5",
        "DISTY_JOB_SHUTDOWN_GRACE_S": "1",
    }


async def _api_token(view: Runtime) -> str:
    async with view.sessions() as session:
        _, made = await tokens.create_token(
            session, shortcut="smbi", scopes=["order"], name=None, actor="test"
        )
    return made


def _po_body(po_number: str, sku: str) -> dict[str, Any]:
    return {
        "po_number": po_number,
        "country_id": 1,
        "supplier": "ingram",
        "lines": [{"sku": sku, "quantity": 1}],
        "ship_to": {
            "company": "Acme", "street": "1 Main St", "city": "Springfield", "state": "IL",
            "postcode": "62701", "country": "US",
        },
    }  # fmt: skip


async def test_replicas_and_workers_behind_nginx_survive_kill_9(
    rt: Runtime,
    server_settings: Settings,
    simulator: RunningSimulator,
    tmp_path: Path,
) -> None:
    if rt.engine.dialect.name == "sqlite":
        pytest.skip("replicas and separate workers share PostgreSQL; SQLite is one process")
    if not os.access(NGINX, os.X_OK):
        pytest.skip(f"nginx is not installed at {NGINX} (Debian's nginx package)")
    target = await submit(rt, simulator, "PO-SCALE-0")  # the webhooks' PO, placed beforehand
    [order_number] = target.supplier_order_numbers
    token = await _api_token(rt)
    catalog = simulator.state.catalog
    skus = [str(catalog.product(i).ingram_part_number) for i in range(300, 300 + CATALOG_ASKS)]
    counts_before = Counter(simulator.state.counts)

    env = _environment(server_settings)
    disty = str(Path(sys.executable).with_name("disty"))
    ports = [_free_port(), _free_port()]

    def start(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [disty, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    replicas = [start("serve", "--port", str(p), "--no-worker") for p in ports]
    workers = [start("worker"), start("worker")]
    children = replicas + workers
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    try:
        with _nginx(nginx_dir, ports) as front:
            base = f"http://127.0.0.1:{front}"
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:

                async def both_ready() -> bool | None:
                    for process in children:
                        assert process.poll() is None, f"{process.args!r} ended at start"
                    for port in ports:
                        try:
                            answer = await client.get(f"http://127.0.0.1:{port}/readyz")
                        except httpx.TransportError:
                            return None
                        if not answer.is_success:
                            return None
                    return True

                await _until("both replicas to answer /readyz", both_ready, 60)
                started = time.monotonic()

                async def deliver(n: int) -> int:
                    """One webhook, sent again until answered 200 (as Ingram does)."""
                    event_id = f"EVT-SCALE-{n}"
                    body = order_event(event_id, po="PO-SCALE-0", order=order_number)
                    headers = {"x-hub-signature": sign(KEY, event_id)}
                    sent = 0
                    while True:
                        sent += 1
                        try:
                            answer = await client.post(
                                "/supplierapi/distributorWebhook/smbi/1", json=body, headers=headers
                            )
                            if answer.status_code == 200:
                                return sent
                            assert answer.status_code in (502, 503), answer.text
                        except httpx.TransportError:
                            pass
                        assert sent < 50, f"{event_id} never answered 200"
                        await asyncio.sleep(0.1)

                async def place(n: int) -> dict[str, Any]:
                    """One PO, sent again until answered, as a client does (its PO number
                    makes a second send answer the PO it made, placing nothing new). A PO a
                    dead replica left being sent is answered ``submitting``: the workers
                    finish it on their own (checked below), nobody else."""
                    po_number = f"PO-SCALE-{n + 1}"
                    headers = {"authorization": f"Bearer {token}"}
                    body = _po_body(po_number, skus[n])
                    deadline = time.monotonic() + 60
                    while True:
                        try:
                            answer = await client.post("/api/v1/pos", json=body, headers=headers)
                            if answer.status_code in (200, 201):
                                found: dict[str, Any] = answer.json()
                                return found
                            # 502: its replica died under it.
                            assert answer.status_code in (502, 503), answer.text
                        except httpx.TransportError:
                            pass
                        assert time.monotonic() < deadline, f"{po_number} never answered"
                        await asyncio.sleep(0.2)

                # A few look-ups at a time, as a client's page does.
                gate = asyncio.Semaphore(8)

                async def look_up(sku: str) -> int:
                    async with gate:
                        answer = await client.get(
                            f"/api/v1/catalog/{sku}",
                            params={"country_id": 1},
                            headers={"authorization": f"Bearer {token}"},
                        )
                    return answer.status_code

                first = [deliver(n) for n in range(EVENTS // 2)] + [
                    place(n) for n in range(POS // 2)
                ]
                second = [deliver(n) for n in range(EVENTS // 2, EVENTS)] + [
                    place(n) for n in range(POS // 2, POS)
                ]
                running = [asyncio.ensure_future(c) for c in first]
                try:
                    # Mid-burst: once some of the first half is in, one replica and one
                    # worker die without a word.
                    await _until(
                        "the first deliveries to be in the inbox",
                        lambda: _count_events(rt, at_least=5),
                        30,
                    )
                    for victim in (replicas[0], workers[0]):
                        victim.send_signal(signal.SIGKILL)
                        victim.wait(timeout=10)
                    running += [asyncio.ensure_future(c) for c in second]
                    looked = await asyncio.gather(*(look_up(sku) for sku in skus))
                    burst_s = time.monotonic() - started
                    answered = await asyncio.gather(*running)
                finally:
                    for future in running:
                        future.cancel()

        # Every delivery answered 200 is one inbox row, processed.
        async def all_processed() -> list[InboundEvent] | None:
            rows = await _events(rt)
            done = [r for r in rows if r.status == "processed"]
            return rows if len(rows) == EVENTS and len(done) == EVENTS else None

        try:
            rows = await _until("every event processed", all_processed, 40)
        except AssertionError as exc:
            left = [(r.event_id, r.status, r.attempts, r.error) for r in await _events(rt)]
            raise AssertionError(f"{exc}: {[x for x in left if x[1] != 'processed']}") from None
        assert sorted(r.event_id for r in rows) == sorted(f"EVT-SCALE-{n}" for n in range(EVENTS))
        assert len(answered) == EVENTS + POS

        # Every PO reaches its final state (placed), and was placed once at the distributor.
        numbers = [f"PO-SCALE-{n + 1}" for n in range(POS)]

        async def all_placed() -> list[PurchaseOrder] | None:
            async with rt.sessions() as session:
                pos = list(
                    await session.scalars(
                        select(PurchaseOrder).where(PurchaseOrder.po_number.in_(numbers))
                    )
                )
            # Placed: known at the distributor by its order number, in whatever state it has
            # reached since (a part out of stock is back-ordered from the start).
            settled = [p for p in pos if p.status in AT_SUPPLIER and p.supplier_order_numbers]
            return pos if len(settled) == POS else None

        try:
            await _until("every PO placed", all_placed, 30)
        except AssertionError as exc:
            async with rt.sessions() as session:
                pos = await session.scalars(select(PurchaseOrder))
                found = [(p.po_number, p.status, p.supplier_order_numbers) for p in pos]
                raise AssertionError(f"{exc}: {found}") from None
        placed = Counter(o.customer_order_number for o in simulator.state.orders.orders.values())
        assert {n: placed[n] for n in numbers} == dict.fromkeys(numbers, 1)

        # Ingram's GET limit held for the platform: of the look-ups (each replica would have
        # let a minute's allowance through on its own), one allowance reached the simulator.
        assert burst_s < 60, f"the burst took {burst_s:.0f} s: more than one rate-limit window"
        calls = Counter(simulator.state.counts) - counts_before
        assert calls[OP_DETAILS] <= GET_PER_MINUTE, calls
        assert looked.count(200) == calls[OP_DETAILS], (Counter(looked), calls)
        assert looked.count(200) >= GET_PER_MINUTE - 5  # the allowance was used, not lost
        refused = [s for s in looked if s != 200]
        assert refused, Counter(looked)
        assert set(refused) <= {429, 503}, Counter(looked)
        # Every other GET operation and P&A too, per minute (the test is shorter than one).
        gets = {op for method, _, op in ROUTES if method == "GET" and op != OP_TOKEN}
        assert all(calls[op] <= GET_PER_MINUTE for op in gets), calls
        assert calls[OP_PNA] <= 100, calls
    finally:
        for process in children:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in children:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _events(view: Runtime) -> list[InboundEvent]:
    async with view.sessions() as session:
        return list(await session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


async def _count_events(view: Runtime, *, at_least: int) -> bool | None:
    return True if len(await _events(view)) >= at_least else None
