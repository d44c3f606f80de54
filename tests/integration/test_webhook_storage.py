"""The webhook receiver's storage side under attack and outage, over real HTTP, on SQLite and
PostgreSQL: a database that is unreachable, hangs or is locked gets every delivery that needs it
a 503 with Retry-After in seconds (nothing stored, stored fine when delivered again); a webhook
key saved in the serving process verifies at once and one past its grace period is refused on
the clock; one signed event id replayed with other bodies stores at most one of them (and a count).

disty's app runs in uvicorn in a thread (tests/fixtures/disty.py); deliveries are signed here
with Ingram's documented algorithm (tests/integration/test_webhooks.py). For PostgreSQL, the
served app reaches the server through ``PostgresDoor``, a TCP relay the test can shut (the port
is then closed) or leave hanging (connections accepted, never answered).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from disty.config import Settings
from disty.db.base import utcnow
from disty.db.models import ConflictingDelivery, WebhookKey
from disty.runtime import Runtime, open_runtime
from disty.services import connections, tokens
from disty.services.connections import ConnectionChanges
from disty.services.webhooks import destinations, refusals
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.ingram import FAST, harness
from tests.fixtures.simulator import RunningSimulator
from tests.integration.test_webhooks import (
    KEY,
    OTHER_KEY,
    _connect,
    eventually,
    inbox_rows,
    order_event,
    sign,
)

NEW_KEY = "signature-token-of-smbi-0002-new"
# Generous: the receiver's own limits are 2-5 s; without them these deliveries hung for good.
PATIENCE_S = 25.0


async def deliver(url: str, event_id: str, key: str, po: str = "PO-1") -> httpx.Response:
    body = json.dumps(order_event(event_id, po=po)).encode()
    headers = {"content-type": "application/json", "x-hub-signature": sign(key, event_id)}
    async with httpx.AsyncClient(timeout=PATIENCE_S) as client:
        return await client.post(url, content=body, headers=headers)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"] == "unavailable"
    assert "Traceback" not in response.text


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"poll_interval_s": 0.0, "ingram_get_per_minute": 10_000})


@pytest.fixture
async def rt(server_settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    """The test's own view of the database (set-up and inspection), never through the door."""
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(server_settings, hub=h.hub) as opened,
    ):
        await _connect(opened, simulator, "smbi", KEY)
        await _connect(opened, simulator, "acme", OTHER_KEY)
        yield opened


@pytest.fixture
def served(rt: Runtime, server_settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(server_settings) as running:
        yield running


# -- a database that fails ----------------------------------------------------------------------


class PostgresDoor:
    """A TCP relay on a port of its own to PostgreSQL, in threads (the served app's loop and
    the test's are both busy with other things). ``shut``: the port is closed and every
    relayed connection cut, as when the server goes down. ``hang``: the port accepts
    connections (the kernel's backlog) and never answers, as a server behind a dropped link.
    ``open``: relaying again, on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._relayed: list[socket.socket] = []
        self._lock = threading.Lock()

    def open(self) -> None:
        self._close_listener()
        listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR on POSIX
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def hang(self) -> None:
        self.shut()
        self._listener = socket.create_server(("127.0.0.1", self.port), backlog=64)

    def shut(self) -> None:
        self._close_listener()
        with self._lock:
            relayed, self._relayed = self._relayed, []
        for sock in relayed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed: shut or hung
                return
            if self._listener is not listener:
                client.close()
                return
            upstream = socket.create_connection(self.target)
            client.settimeout(None)
            with self._lock:
                self._relayed += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def door(server_settings: Settings) -> Iterator[PostgresDoor]:
    url = make_url(server_settings.resolved_database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database server to lose is PostgreSQL's (SQLite is a local file)")
    relay = PostgresDoor(url.host or "127.0.0.1", url.port or 5432)
    relay.open()
    yield relay
    relay.shut()


async def test_an_unreachable_postgresql_gets_503_in_seconds_and_loses_nothing(
    rt: Runtime, server_settings: Settings, door: PostgresDoor
) -> None:
    through_door = make_url(server_settings.resolved_database_url).set(port=door.port)
    served_settings = server_settings.model_copy(
        update={"database_url": through_door.render_as_string(hide_password=False)}
    )
    with serve_disty(served_settings) as served:
        first = await deliver(served.hook(), "EVT-DOWN-1", KEY)
        assert first.status_code == 200, first.text

        door.shut()  # the server is gone: its port refuses, every open connection is cut
        # smbi's destination is still cached: writing the inbox fails.
        assert_unavailable(await deliver(served.hook(), "EVT-DOWN-2", KEY))
        # A refusal needs no database: it stands (its count, written later, is dropped).
        assert (await deliver(served.hook(), "EVT-DOWN-2", "guessed-key")).status_code == 401
        # acme was never looked up: the destination lookup fails.
        assert_unavailable(await deliver(served.hook("acme"), "EVT-DOWN-3", OTHER_KEY))

        door.hang()  # a server that accepts and never answers: the connect timeout ends it
        assert_unavailable(await deliver(served.hook("acme"), "EVT-DOWN-3", OTHER_KEY))
        assert_unavailable(await deliver(served.hook(), "EVT-DOWN-2", KEY))

        door.open()  # back: the distributor's next tries are stored as if they were the first
        again = await deliver(served.hook(), "EVT-DOWN-2", KEY)
        assert again.status_code == 200, again.text
        assert again.json()["accepted"] == 1
        acme = await deliver(served.hook("acme"), "EVT-DOWN-3", OTHER_KEY)
        assert acme.status_code == 200, acme.text
        assert acme.json()["accepted"] == 1
        forged = await deliver(served.hook(), "EVT-DOWN-2", "guessed-key")
        assert forged.status_code == 401
    assert sorted(r.event_id for r in await inbox_rows(rt)) == [
        "EVT-DOWN-1",
        "EVT-DOWN-2",
        "EVT-DOWN-3",
    ]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_a_locked_table_gets_503_in_seconds_and_the_redelivery_is_stored(
    rt: Runtime, server_settings: Settings, served: ServedDisty
) -> None:
    url = server_settings.resolved_database_url
    if make_url(url).get_backend_name() != "postgresql":
        pytest.skip("LOCK TABLE is PostgreSQL's; SQLite's write lock: test_webhook_door.py")
    smbi = served.hook()
    # Another program holds each table the receiver touches, in turn, in ACCESS EXCLUSIVE mode
    # (as a migration or a careless maintenance script would) until the delivery is answered.
    attempts = [
        "supplier_connections",  # the destination lookup (nothing cached yet)
        "inbound_events",  # writing the inbox
    ]
    for table in attempts:
        with psycopg.connect(_libpq(url)) as holder:
            holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            answer = await deliver(smbi, "EVT-LOCK-1", KEY)
            holder.rollback()
        assert_unavailable(answer)
    assert await inbox_rows(rt) == []
    # A refusal is answered without the database (its count is written a second later), so a
    # lock on the counts' table does not hold it either.
    with psycopg.connect(_libpq(url)) as holder:
        holder.execute("LOCK TABLE rejected_deliveries IN ACCESS EXCLUSIVE MODE")
        answer = await deliver(smbi, "EVT-LOCK-1", "guessed-key")
        holder.rollback()
    assert answer.status_code == 401, answer.text

    stored = await deliver(smbi, "EVT-LOCK-1", KEY)
    assert stored.status_code == 200, stored.text
    assert stored.json()["accepted"] == 1
    assert (await deliver(smbi, "EVT-LOCK-1", "guessed-key")).status_code == 401

    async def both_refusals_counted() -> bool:
        async with rt.sessions() as session:
            destination = await destinations.find_destination(session, rt.box, "ingram", "smbi", 1)
            assert destination is not None
            health = await refusals.webhook_health(session, destination.connection_id)
        return health.rejected == {"bad_signature": 2}

    await eventually(both_refusals_counted)
    assert [r.event_id for r in await inbox_rows(rt)] == ["EVT-LOCK-1"]


# -- webhook keys --------------------------------------------------------------------------------


async def test_a_key_saved_through_the_api_verifies_at_once(
    rt: Runtime, served: ServedDisty
) -> None:
    async with rt.sessions() as session:
        _, bearer = await tokens.create_token(
            session, shortcut="smbi", scopes=["admin"], name=None, actor="test"
        )
    # A delivery first, so the receiver has the connection (and its old key) cached.
    assert (await deliver(served.hook(), "EVT-KEY-1", KEY)).status_code == 200
    async with httpx.AsyncClient(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {bearer}"}
    ) as api:
        saved = await api.put("/connections/ingram/1", json={"webhook_key": NEW_KEY})
    assert saved.status_code == 200, saved.text
    # The distributor signs with the new key from now on: verified at once, not seconds later.
    fresh = await deliver(served.hook(), "EVT-KEY-2", NEW_KEY)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["accepted"] == 1
    # The old key is in its grace period (24 h by default): still verifies.
    assert (await deliver(served.hook(), "EVT-KEY-3", KEY)).status_code == 200


async def test_a_replaced_key_is_refused_once_its_grace_period_is_over(
    rt: Runtime, served: ServedDisty
) -> None:
    # Saved by another process (a CLI beside ``disty serve``), with a grace period of seconds.
    async with rt.sessions() as session:
        await connections.set_connection(
            session, shortcut="smbi", supplier="ingram", country_id=1,
            changes=ConnectionChanges.of(webhook_key=NEW_KEY), box=rt.box,
            public_url="https://d.example", grace=timedelta(seconds=3),
        )  # fmt: skip
    async with rt.sessions() as session:
        until = await session.scalar(
            select(WebhookKey.valid_until).where(WebhookKey.valid_until.is_not(None))
        )
    assert until is not None
    # In its grace period the old key verifies, and the receiver caches the connection.
    assert (await deliver(served.hook(), "EVT-GRACE-1", KEY)).status_code == 200
    await asyncio.sleep(max(0.0, (until - utcnow()).total_seconds()) + 0.05)
    # Over: the old key verifies nothing, although the cached entry is still fresh.
    late = await deliver(served.hook(), "EVT-GRACE-2", KEY)
    assert late.status_code == 401, late.text
    assert late.json()["error"] == "bad_signature"
    assert (await deliver(served.hook(), "EVT-GRACE-2", NEW_KEY)).status_code == 200


# -- conflicting redeliveries --------------------------------------------------------------------


async def test_one_signed_event_id_replayed_with_new_bodies_stores_one_extra_body(
    rt: Runtime, served: ServedDisty
) -> None:
    # Ingram signs the event id, not the body: whoever captured one signed delivery can send it
    # again with any body, as many times as they like. Here six times, about 1 MiB each.
    def body(pad: str) -> bytes:
        envelope = {**order_event("EVT-REPLAY-1"), "pad": pad * (1024 * 1024)}
        return json.dumps(envelope).encode()

    headers = {"content-type": "application/json", "x-hub-signature": sign(KEY, "EVT-REPLAY-1")}
    async with httpx.AsyncClient(timeout=PATIENCE_S) as client:
        genuine = await client.post(served.hook(), content=body("g"), headers=headers)
        assert genuine.json()["accepted"] == 1
        replays = [body(pad) for pad in "abcde"] + [body("a")]
        for replay in replays:
            answer = await client.post(served.hook(), content=replay, headers=headers)
            assert answer.status_code == 200
            assert answer.json() == {"accepted": 0, "duplicates": 0, "conflicts": 1}
    [event] = await inbox_rows(rt)
    assert event.body == body("g").decode()  # never replaced, never applied
    async with rt.sessions() as session:
        kept = list(await session.scalars(select(ConflictingDelivery)))
    # The first conflicting body, whole; of the others only how many and the last one's hash.
    [row] = kept
    assert row.body == body("a").decode()
    assert row.count == 6
    assert row.last_sha256 == hashlib.sha256(body("a")).hexdigest()
    assert row.last_at >= row.received_at
    assert sum(len(r.body) for r in kept) < 1.1 * 1024 * 1024
