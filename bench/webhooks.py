"""Webhook ingest: what committing each delivery to the inbox costs, against verifying it alone.

Run: ``python bench/webhooks.py [--events 5000] [--concurrency 32] [--rate R] [--seconds 5]
[--loads 0.25,0.5] [--rounds 3]``

Starts ``disty serve`` as a subprocess (uvicorn, one worker, SQLite in a throw-away
DISTY_HOME, the in-process worker running as in production) with one extra route mounted by
this script only, ``/bench/bare/{shortcut}/{countryId}``: the receiver minus the inbox commit
(the same cached destination lookup, bounded body read, envelope parsing and signature check,
then 200). The events are signed Ingram order events (``im::order_shipped``), each with its own
eventId, so every durable delivery is a new inbox row; they name a PO disty does not know, so
the worker's processing is cheap (claim, look the PO up, record "not a PO disty placed"). It
runs in the server as in production: while deliveries stream in it waits for them to pause,
at most 10 s (``InboxQueue.max_defer_s``), so in phases shorter than that (the default 5 s)
the figures are the ingest's, and the "worker done" column shows what processing took after;
``--seconds 15`` or more shows a flood, where processing goes on one event at a time beside it.

Then, from this process (keep-alive connections over loopback, see ``Connection``), each
phase ``--rounds`` times, bare and durable in turn, the ratios taken between the medians (one
5-second run's p99 is at the mercy of one stall, on either side):
- closed loop: ``--concurrency`` senders post ``--events`` deliveries as fast as answers come,
  to the bare route, then to the real one (a warm-up on each first): deliveries per second,
  p50 / p99 latency, and the ratios durable / bare (targets: throughput at least 0.70, p99 at
  most 2.0 at the same concurrency);
- open loop: both routes at the same fixed offered rate (``--loads``: by default a quarter and
  a half of the durable route's closed-loop throughput, or one ``--rate``; past saturation
  latency only measures how long the queue has grown) for ``--seconds`` each,
  latency counted from when each delivery was due, so a server falling behind shows in it: the
  p99 ratio at the same offered load (target at most 2.0);
- no accepted event lost: the inbox (the SQLite file, read directly) holds exactly one row per
  delivery answered 200, and the worker processes all of them (how long it took after the last
  delivery).
Between phases the bench waits for the worker to process the whole inbox ("worker done": how
long that took after the phase's last answer), so every phase starts from an idle server. The
CPU columns are the share of one core each side used: a client near 100% would mean the figure
is the load generator's limit, not the server's.
Figures are from one run on one machine; compare ratios, not absolutes. The durable route
costs more per delivery at a fixed rate than in the closed loop (fewer deliveries share each
commit), so at half its closed-loop throughput it runs the server at about 85% of a core,
where the bare route needs 65%: both loads are shown.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import gc
import hashlib
import hmac
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse

HOST = "127.0.0.1"
KEY = "bench-signature-token-0001"
SHORTCUT = "bench"
COUNTRY = 1
BARE = f"/bench/bare/{SHORTCUT}/{COUNTRY}"
DURABLE = f"/supplierapi/distributorWebhook/{SHORTCUT}/{COUNTRY}"


# -- the server side: disty serve plus the bare route ----------------------------------------


def serve(port: int) -> None:
    """``disty serve`` as its CLI runs it, with the bench-only bare route mounted."""
    import uvicorn

    from disty.config import load_settings
    from disty.services.webhooks.intake import Incoming, Refused
    from disty.suppliers import registry
    from disty.web import create_app
    from disty.web.webhooks import intake_of

    settings = load_settings()
    app = create_app(settings, own_process=True)
    supplier = registry.get("ingram")

    @app.post("/bench/bare/{shortcut}/{country_id}")
    async def bare(shortcut: str, country_id: str, request: Request) -> JSONResponse:
        # The receiver's own checks, up to the signature check; no inbox, no notify.
        incoming = Incoming(request.headers, request.stream(), "bench")
        admitted = await (await intake_of(request)).admit(supplier, shortcut, country_id, incoming)
        if isinstance(admitted, Refused):
            return JSONResponse({"error": admitted.reason.value}, status_code=401)
        _, items, _ = admitted
        return JSONResponse({"accepted": len(items), "duplicates": 0, "conflicts": 0})

    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


async def set_up() -> None:
    """A tenant with an Ingram connection in the US and its webhook key, as an admin makes it."""
    from disty.config import load_settings
    from disty.runtime import open_runtime
    from disty.services import connections, tenants
    from disty.services.connections import ConnectionChanges

    settings = load_settings()
    async with open_runtime(settings) as rt:
        async with rt.sessions() as session:
            await tenants.add_tenant(session, SHORTCUT, [COUNTRY])
        async with rt.sessions() as session:
            await connections.set_connection(
                session, shortcut=SHORTCUT, supplier="ingram", country_id=COUNTRY,
                # The events name POs disty never placed, so the supplier is never called; were
                # it called, this address keeps the call on the machine.
                changes=ConnectionChanges.of(webhook_key=KEY, base_url="http://127.0.0.1:9/ingram"),
                box=rt.box, public_url="https://disty.example", grace=settings.webhook_key_grace,
                allow_custom_urls=True,
            )  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--serve", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(root + "/readyz").status_code == 200:
                    break
            if proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.05)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the client side ------------------------------------------------------------------------


def signed_events(prefix: str, n: int) -> list[tuple[bytes, str]]:
    """``n`` order events, each with its own eventId, signed as Ingram signs them."""
    run = uuid.uuid4().hex[:8]
    out = []
    for i in range(n):
        event_id = f"{prefix}-{run}-{i:06d}"
        body = {
            "topic": "resellers/orders",
            "event": "im::updated",
            "eventTimeStamp": "2026-01-01T10:00:00.000Z",
            "eventId": event_id,
            "resource": [
                {
                    "eventType": "im::order_shipped",
                    "orderNumber": f"20-B{i:05d}",
                    "customerOrderNumber": f"BENCH-UNKNOWN-{i:06d}",
                    "links": [
                        {
                            "topic": "orders",
                            "href": f"/resellers/v6/orders/20-B{i:05d}",
                            "type": "GET",
                        }
                    ],
                }
            ],
        }
        mac = hmac.new(KEY.encode(), event_id.encode(), hashlib.sha512).digest()
        out.append((json.dumps(body).encode(), base64.b64encode(mac).decode()))
    return out


@dataclass
class Run:
    route: str
    mode: str
    latencies: list[float]  # seconds
    statuses: Counter[int]
    accepted: int  # 200s whose answer says one event stored
    wall: float
    client_cpu: float
    server_cpu: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def row(self, catch_up: float) -> str:
        codes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.route:8} {self.mode:11} {self.rate:9.0f} {self.pct(0.50):8.1f} "
            f"{self.pct(0.99):8.1f} {100 * self.server_cpu / self.wall:6.0f}% "
            f"{100 * self.client_cpu / self.wall:6.0f}%  {catch_up:9.1f} s  {codes}"
        )


class Connection:
    """One keep-alive HTTP/1.1 connection, as a webhook sender holds it. Written on asyncio
    streams rather than httpx: at 32 connections httpx's pool spends more CPU per request than
    the server does, and the figures would be the client's (see the client CPU column)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def http_request(host: str, port: int, path: str, body: bytes, signature: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nhost: {host}:{port}\r\ncontent-type: application/json\r\n"
        f"x-hub-signature: {signature}\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def closed_loop(
    host: str, port: int, requests: list[bytes], concurrency: int
) -> tuple[list[float], Counter[int], int, float]:
    """``concurrency`` senders, each posting the next event as soon as its last is answered."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    accepted = 0
    todo = iter(requests)
    # Connections are opened before the clock starts: a webhook sender keeps them alive.
    pool = [await Connection.open(host, port) for _ in range(concurrency)]

    async def sender(conn: Connection) -> None:
        nonlocal accepted
        for request in todo:
            started = time.perf_counter()
            status, body = await conn.send(request)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            accepted += b'"accepted":1' in body

    started = time.perf_counter()
    await asyncio.gather(*(sender(conn) for conn in pool))
    wall = time.perf_counter() - started
    for conn in pool:
        conn.close()
    return latencies, statuses, accepted, wall


async def open_loop(
    host: str, port: int, requests: list[bytes], rate: float
) -> tuple[list[float], Counter[int], int, float]:
    """One delivery due every 1/rate s whether or not earlier ones were answered; latency from
    when each was due (a slow server cannot hide its queue by slowing the sender down). Idle
    connections are reused, a new one opened when all are busy."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    accepted = 0
    # First in, first out: every connection is used in turn, so none sits idle long enough
    # for the server to close it (uvicorn's keep-alive timeout is 5 s).
    idle = collections.deque([await Connection.open(host, port) for _ in range(8)])
    opened = list(idle)

    async def one(due: float, request: bytes) -> None:
        nonlocal accepted
        if idle:
            conn = idle.popleft()
        else:
            conn = await Connection.open(host, port)
            opened.append(conn)
        status, body = await conn.send(request)
        latencies.append(time.perf_counter() - due)
        statuses[status] += 1
        accepted += b'"accepted":1' in body
        idle.append(conn)

    tasks = []
    started = time.perf_counter()
    for i, request in enumerate(requests):
        due = started + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, request)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    for conn in opened:
        conn.close()
    return latencies, statuses, accepted, wall


def measure(
    port: int, pid: int, route: str, mode: str, events: list[tuple[bytes, str]],
    *, concurrency: int = 0, rate: float = 0.0,
) -> Run:  # fmt: skip
    path = BARE if route == "bare" else DURABLE
    requests = [http_request(HOST, port, path, body, sig) for body, sig in events]
    # The sender is the measuring instrument: its own garbage collection, pausing it for tens of
    # ms, would send late and show as the server's latency. Collected before, off during.
    gc.collect()
    gc.disable()
    cpu, server_cpu = time.process_time(), cpu_seconds(pid)
    try:
        if rate:
            result = asyncio.run(open_loop(HOST, port, requests, rate))
        else:
            result = asyncio.run(closed_loop(HOST, port, requests, concurrency))
    finally:
        gc.enable()
    latencies, statuses, accepted, wall = result
    return Run(
        route, mode, latencies, statuses, accepted, wall,
        time.process_time() - cpu, cpu_seconds(pid) - server_cpu,
    )  # fmt: skip


def inbox_counts(db: Path) -> tuple[int, int]:
    """Rows in the inbox, and how many of them are processed (read-only, beside the server)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        total, done = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(status = 'processed'), 0) FROM inbound_events"
        ).fetchone()
    return int(total), int(done)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="deliveries per route")
    parser.add_argument("--concurrency", type=int, default=32, help="senders (closed loop)")
    parser.add_argument("--warmup", type=int, default=500, help="deliveries per route first")
    parser.add_argument(
        "--rate", type=float, default=0.0,
        help="one open-loop offered rate, deliveries/s, instead of --loads",
    )  # fmt: skip
    parser.add_argument(
        "--loads", type=lambda v: [float(x) for x in v.split(",")], default=[0.25, 0.5],
        help="open-loop rates as shares of the durable route's closed-loop throughput",
    )  # fmt: skip
    parser.add_argument("--seconds", type=float, default=5.0, help="open-loop time per route")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each phase (medians)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    from disty.crypto import generate_key

    with tempfile.TemporaryDirectory(prefix="disty-bench-") as tmp:
        home = Path(tmp)
        env = dict(
            os.environ,
            DISTY_HOME=str(home),
            DISTY_SECRET_KEYS=generate_key(),
            DISTY_ALLOW_CUSTOM_SUPPLIER_URLS="1",  # the simulator's http base URL
        )
        env.pop("DISTY_DATABASE_URL", None)
        os.environ.clear()
        os.environ.update(env)
        asyncio.run(set_up())
        db = home / "disty.db"

        def drained() -> tuple[int, int, float]:
            """Wait for the worker to process the whole inbox (each phase starts idle)."""
            started = time.perf_counter()
            total, done = inbox_counts(db)
            while done < total and time.perf_counter() - started < 120:
                time.sleep(0.02)
                total, done = inbox_counts(db)
            return total, done, time.perf_counter() - started

        with server(env) as (port, pid):
            for route in ("bare", "durable"):
                warm = signed_events(f"WARM-{route}", args.warmup)
                measure(port, pid, route, "warm-up", warm, concurrency=args.concurrency)
            before, _, _ = drained()
            rows: list[tuple[Run, float]] = []
            closed: dict[str, list[Run]] = {"bare": [], "durable": []}
            primed = 0

            def prime(route: str) -> None:
                """A few deliveries first, unmeasured: after the long wait for the worker the
                destination cache has run out, and the first delivery of a phase would pay for
                the lookup (on either route) in what is meant to be the steady state."""
                nonlocal primed
                run = measure(port, pid, route, "prime", signed_events(f"P-{route}", 20),
                              concurrency=4)  # fmt: skip
                primed += run.accepted if route == "durable" else 0
                drained()

            for round_ in range(args.rounds):
                for route in ("bare", "durable"):
                    events = signed_events(f"CL{round_}-{route}", args.events)
                    prime(route)
                    run = measure(port, pid, route, f"closed c={args.concurrency}", events,
                                  concurrency=args.concurrency)  # fmt: skip
                    closed[route].append(run)
                    rows.append((run, drained()[2]))
            capacity = median(r.rate for r in closed["durable"])
            rates = [args.rate] if args.rate else [round(capacity * f) for f in args.loads]
            fixed: dict[float, dict[str, list[Run]]] = {}
            for rate in rates:
                fixed[rate] = {"bare": [], "durable": []}
                n = max(1, int(rate * args.seconds))
                for round_ in range(args.rounds):
                    for route in ("bare", "durable"):
                        events = signed_events(f"OL{rate}-{round_}-{route}", n)
                        prime(route)
                        run = measure(port, pid, route, f"open {rate:.0f}/s", events, rate=rate)
                        fixed[rate][route].append(run)
                        rows.append((run, drained()[2]))
            total, done, _ = drained()

    durable_runs = [*closed["durable"], *(r for f in fixed.values() for r in f["durable"])]
    answered = sum(r.accepted for r in durable_runs) + primed
    stored = total - before
    print(f"disty serve on SQLite, one uvicorn worker with its in-process worker; "
          f"{args.events} signed order events per closed-loop run, warm-up {args.warmup}, "
          f"{args.rounds} rounds of each phase (bare then durable); ratios of medians")  # fmt: skip
    print(f"{'route':8} {'load':11} {'deliv/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'server':>7} {'client':>7}  {'worker done':>11}  answers")  # fmt: skip
    for run, after in rows:
        print(run.row(after))

    def p99(runs: list[Run]) -> float:
        return median(r.pct(0.99) for r in runs)

    ratio = median(r.rate for r in closed["durable"]) / median(r.rate for r in closed["bare"])
    p99_closed = p99(closed["durable"]) / p99(closed["bare"])
    print(f"throughput durable / bare: {ratio:.2f} (target >= 0.70) {verdict(ratio >= 0.70)}")
    print(f"p99 durable / bare, same concurrency ({args.concurrency}): {p99_closed:.2f} "
          f"(target <= 2.0) {verdict(p99_closed <= 2.0)}")  # fmt: skip
    for rate, runs in fixed.items():
        p99_fixed = p99(runs["durable"]) / p99(runs["bare"])
        print(f"p99 durable / bare, same offered rate ({rate:.0f}/s, "
              f"{rate / capacity:.0%} of the durable route's throughput): {p99_fixed:.2f} "
              f"(target <= 2.0) {verdict(p99_fixed <= 2.0)}")  # fmt: skip
    lost_ok = stored == answered and done == total
    print(f"accepted (200, one event stored): {answered}; new inbox rows: {stored}; "
          f"processed: {done} of {total}; no accepted event lost: {verdict(lost_ok)}")  # fmt: skip


if __name__ == "__main__":
    main()
