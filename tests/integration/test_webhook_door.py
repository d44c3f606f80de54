"""The webhook receiver's door against a hostile stranger, over real HTTP (served as
``disty serve`` serves it, web/server.py), on SQLite and PostgreSQL: bodies built to cost work
or to break later processing, envelopes by the hundred, slow and vanishing clients, and the
database failing under a refusal. Each is answered 4xx (or the connection closed), logs at most
a line, never a traceback; and what is answered 200 is processed.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import logging
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from disty.config import Settings
from disty.db.models import InboundEvent
from disty.runtime import Runtime, open_runtime
from disty.services.ordering import Context
from disty.services.webhooks import destinations, processing, refusals
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, harness
from tests.fixtures.simulator import RunningSimulator
from tests.integration.test_webhooks import (
    KEY,
    _connect,
    eventually,
    inbox_rows,
    order_event,
    post,
    sign,
)


@pytest.fixture
def door_settings(settings: Settings) -> Settings:
    # Short deadlines, so a slow client is dropped within a test's patience.
    return settings.model_copy(
        update={
            "poll_interval_s": 0.0,
            "http_head_timeout_s": 1.0,
            "http_request_timeout_s": 2.0,
            "webhook_body_timeout_s": 1.0,
        }
    )


@pytest.fixture
async def rt(door_settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(door_settings, hub=h.hub) as opened,
    ):
        await _connect(opened, simulator, "smbi", KEY)
        yield opened


@pytest.fixture
def served(rt: Runtime, door_settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(door_settings) as running:
        yield running


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the receiver logged as errors. The served app's worker is left out: when a test
    locks the database, the worker's round fails too and logs that once with its traceback,
    by design (tests/integration/test_worker_outage.py)."""
    return [
        r.getMessage()
        for r in caplog.records
        if (r.exc_info or r.levelno >= logging.ERROR) and not r.name.startswith("disty.jobs")
    ]


async def rejected(rt: Runtime) -> dict[str, int]:
    async with rt.sessions() as session:
        destination = await destinations.find_destination(session, rt.box, "ingram", "smbi", 1)
        assert destination is not None
        return (await refusals.webhook_health(session, destination.connection_id)).rejected


async def test_bodies_built_to_break_the_receiver_get_4xx_and_no_traceback(
    rt: Runtime, served: ServedDisty, caplog: pytest.LogCaptureFixture
) -> None:
    def nested(depth: int) -> bytes:
        inner = b'{"x":' * depth + b"1" + b"}" * depth
        return b'{"eventId": "EVT-DEEP", "resource": [' + inner + b"]}"

    def signed_array(n: int) -> tuple[bytes, str]:
        ids = [f"EVT-MANY-{i}" for i in range(n)]
        return json.dumps([order_event(i) for i in ids]).encode(), ",".join(
            sign(KEY, i) for i in ids
        )

    many, many_signed = signed_array(101)
    # A stranger's 10 MiB array of tiny envelopes, with a forged signature.
    tiny = b'{"eventId":"x"},'
    flood = b"[" + tiny * (10 * 1024 * 1024 // len(tiny) - 2) + b'{"eventId":"x"}]'
    cases: list[tuple[str, bytes, str, int, str]] = [
        ("lone surrogate in the eventId", b'{"eventId": "\\ud800"}', sign(KEY, "x"), 400,
         "malformed_json"),
        ("lone surrogate elsewhere", json.dumps(order_event("EVT-SUR")).encode()
         .replace(b'"PO-1"', b'"\\udfff"'), sign(KEY, "EVT-SUR"), 400, "malformed_json"),
        ("nested 5,000 deep", nested(5000), sign(KEY, "EVT-DEEP"), 400, "malformed_json"),
        ("nested 40 deep", nested(40), sign(KEY, "EVT-DEEP"), 400, "malformed_json"),
        ("UTF-16", json.dumps(order_event("EVT-U16")).encode("utf-16"), sign(KEY, "EVT-U16"),
         400, "malformed_json"),
        ("101 envelopes, each signed", many, many_signed, 413, "too_many_events"),
        ("101 signatures", b"{}", ",".join([sign(KEY, "a")] * 101), 413, "too_many_events"),
        ("10 MiB of tiny envelopes, forged", flood, sign("guess", "x"), 401, "bad_signature"),
    ]  # fmt: skip
    for name, body, signature, status, reason in cases:
        response = await post(served.hook(), body, signature)
        assert response.status_code == status, name
        assert response.json()["error"] == reason, name
    expected = Counter(reason for *_, reason in cases)

    async def counted() -> bool:  # written together, a second later
        return await rejected(rt) == expected

    await eventually(counted)
    assert await inbox_rows(rt) == []
    assert tracebacks(caplog) == []

    # 100 envelopes are still one delivery.
    hundred, hundred_signed = signed_array(100)
    response = await post(served.hook(), hundred, hundred_signed)
    assert response.status_code == 200
    assert response.json()["accepted"] == 100


async def test_a_body_with_a_byte_order_mark_is_accepted_and_processed(
    rt: Runtime, served: ServedDisty, door_settings: Settings
) -> None:
    body = codecs.BOM_UTF8 + json.dumps(order_event("EVT-BOM-1", po="PO-BOM")).encode()
    response = await post(served.hook(), body, sign(KEY, "EVT-BOM-1"))
    assert response.status_code == 200
    assert response.json()["accepted"] == 1

    async def settled() -> bool:
        return all(r.status in ("processed", "dead") for r in await inbox_rows(rt))

    await eventually(settled)
    [row] = await inbox_rows(rt)
    assert row.status == "processed", row.error
    assert "PO-BOM is not a PO disty placed" in (row.outcome or "")
    assert not row.body or not row.body.startswith("\ufeff")  # stored as it is read


async def test_a_dead_event_stored_with_a_byte_order_mark_replays(rt: Runtime) -> None:
    """Rows an earlier disty stored with the mark, and left dead, are read as the receiver
    reads a body now (one decode for both), so a replay processes them."""
    async with rt.sessions() as session:
        destination = await destinations.find_destination(session, rt.box, "ingram", "smbi", 1)
        assert destination is not None
        body = "\ufeff" + json.dumps(order_event("EVT-BOM-OLD", po="PO-BOM-OLD"))
        row = InboundEvent(
            connection_id=destination.connection_id, tenant_id=destination.tenant_id,
            supplier="ingram", country_id=1, event_id="EVT-BOM-OLD",
            event_type="im::order_shipped", body=body, body_sha256="0" * 64, headers={},
            status="dead", attempts=3, error="Unexpected UTF-8 BOM",
        )  # fmt: skip
        session.add(row)
        await session.commit()
        pk = row.id
    done = await processing.replay(rt.sessions, Context(rt.suppliers, "t"), pk)
    assert done.status == "processed", done.error
    assert "PO-BOM-OLD is not a PO disty placed" in (done.outcome or "")


async def test_a_client_hanging_up_mid_body_is_one_quiet_line(
    rt: Runtime, served: ServedDisty, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = served.url.removeprefix("http://").split(":")
    head = (
        f"POST /supplierapi/distributorWebhook/smbi/1 HTTP/1.1\r\nhost: {host}\r\n"
        f"x-hub-signature: {sign(KEY, 'EVT-GONE')}\r\ncontent-length: 100000\r\n\r\n"
    ).encode()
    for _ in range(5):
        _reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(head + b'{"eventId": "EVT-GONE", "pad": "')
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def logged() -> bool:
        return any("hung up" in r.getMessage() for r in caplog.records)

    await eventually(logged)
    assert tracebacks(caplog) == []
    assert sum("hung up" in r.getMessage() for r in caplog.records) == 1  # throttled
    assert await inbox_rows(rt) == []


def _raw(served: ServedDisty) -> socket.socket:
    host, port = served.url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)))
    conn.settimeout(30)  # a guard against hanging the suite, not a measure
    return conn


def _answer(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    return received


async def test_slow_and_oversized_requests_are_cut_off(
    rt: Runtime, served: ServedDisty, caplog: pytest.LogCaptureFixture
) -> None:
    hook = "/supplierapi/distributorWebhook/smbi/1"

    def exchange(data: bytes) -> bytes:
        with _raw(served) as conn:
            conn.sendall(data)
            return _answer(conn)

    # Nothing at all, or a head that never ends: 408, then closed.
    assert exchange(b"").startswith(b"HTTP/1.1 408")
    assert exchange(f"POST {hook} HTTP/1.1\r\nhost: x\r\n".encode()).startswith(b"HTTP/1.1 408")
    # A head past 64 KiB: 431.
    huge = f"GET /healthz HTTP/1.1\r\nhost: x\r\nx-pad: {'a' * 70_000}\r\n\r\n".encode()
    assert exchange(huge).startswith(b"HTTP/1.1 431")
    # A webhook body that stops arriving: the receiver's own deadline, 408, closed.
    signed = f"x-hub-signature: {sign(KEY, 'EVT-SLOW')}\r\n"
    slow_body = f"POST {hook} HTTP/1.1\r\nhost: x\r\n{signed}content-length: 1000\r\n\r\n{{"
    answer = exchange(slow_body.encode())
    assert answer.startswith(b"HTTP/1.1 408")
    assert b'"error":"timeout"' in answer
    # Any other route's body that stops arriving: the server's deadline closes it.
    form = "POST /login HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded"
    assert exchange(f"{form}\r\ncontent-length: 1000\r\n\r\nemail=".encode()) == b""
    # Garbage instead of HTTP, again and again: 400, and one log line.
    for _ in range(5):
        assert exchange(b"NOT HTTP AT ALL\r\n\r\n").startswith(b"HTTP/1.1 400")
    invalid = [r for r in caplog.records if "Invalid HTTP request" in r.getMessage()]
    assert len(invalid) <= 1  # none when an earlier test in this process logged it this minute
    # Meanwhile and after, real deliveries go through.
    body = json.dumps(order_event("EVT-AFTER")).encode()
    response = await post(served.hook(), body, sign(KEY, "EVT-AFTER"))
    assert response.status_code == 200
    assert tracebacks(caplog) == []


async def test_a_refusal_while_the_database_is_locked_is_still_a_refusal(
    rt: Runtime, served: ServedDisty, door_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = door_settings.resolved_database_url
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock is the way to make the database fail here")
    body = json.dumps(order_event("EVT-LOCKED")).encode()

    def failed_counts() -> list[str]:
        return [r.getMessage() for r in caplog.records if "could not count" in r.getMessage()]

    holder = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the refusals' count cannot be written
    try:
        answers = await asyncio.gather(
            *(post(served.hook(), body, sign("forged", "EVT-LOCKED")) for _ in range(4))
        )

        async def gave_up() -> bool:
            return bool(failed_counts())

        await eventually(gave_up)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [a.status_code for a in answers] == [401] * 4
    assert failed_counts() == ["could not count 4 refused webhook deliveries: OperationalError"]
    assert tracebacks(caplog) == []


async def test_slow_connections_past_the_open_file_limit_do_not_stop_real_deliveries(
    rt: Runtime, door_settings: Settings, tmp_path: Path
) -> None:
    """The attack as it was found: 300 connections trickling their heads, against a server whose
    open-file limit is 256. ``disty serve`` raises the limit and cuts slow heads off."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DISTY_HOME": str(door_settings.home),
        "DISTY_DATABASE_URL": str(door_settings.database_url),
        "DISTY_SECRET_KEYS": door_settings.secret_keys.get_secret_value(),  # type: ignore[union-attr]
        "DISTY_PUBLIC_URL": "https://d.example",
        "DISTY_POLL_INTERVAL_S": "0",
    }
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 1024:
        pytest.skip("this machine's hard open-file limit is too low to show the difference")

    def low_limit() -> None:  # the soft limit many systems start a service with
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    disty = str(Path(sys.executable).with_name("disty"))
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: ASYNC220 (a child for the whole test)
        [disty, "serve", "--port", str(port), "--no-worker"], env=env, preexec_fn=low_limit,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    slow: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "disty serve ended"
            assert time.monotonic() < deadline, "disty serve did not start"
            try:
                async with httpx.AsyncClient() as client:
                    if (await client.get(url + "/readyz")).status_code == 200:
                        break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        for _ in range(300):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.sendall(b"POST /supplierapi/distributorWebhook/smbi/1 HTTP/1.1\r\n")
            slow.append(conn)
        hook = f"{url}/supplierapi/distributorWebhook/smbi/1"
        statuses = []
        for n in range(20):
            body = json.dumps(order_event(f"EVT-FILES-{n}")).encode()
            try:
                statuses.append((await post(hook, body, sign(KEY, f"EVT-FILES-{n}"))).status_code)
            except httpx.TransportError as exc:
                statuses.append(type(exc).__name__)  # type: ignore[arg-type]
        assert statuses == [200] * 20
    finally:
        for conn in slow:
            conn.close()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    async with rt.sessions() as session:
        stored = list(await session.scalars(select(InboundEvent.event_id)))
    assert len(stored) == 20
