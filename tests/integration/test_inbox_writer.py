"""The inbox writer, on SQLite and PostgreSQL: deliveries committed together are answered as if
each came alone, one bad delivery fails alone, new events stored through the driver read back
as SQLAlchemy stores them, a locked SQLite is waited for without blocking the event loop (and
a lock held too long is an error, not a hang), SQLite's WAL is checkpointed beside the writer, the
destination cache looks a connection up once for a whole burst, and the worker's queue keeps
out of the deliveries' way while they stream (but not for ever).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError, OperationalError

from disty.config import Settings
from disty.db.models import ConflictingDelivery, InboundEvent
from disty.jobs.queue import InboxQueue
from disty.runtime import Runtime, open_runtime
from disty.services import connections, tenants
from disty.services.connections import ConnectionChanges
from disty.services.webhooks.destinations import Destination, DestinationCache, find_destination
from disty.services.webhooks.writer import (
    Accepted,
    Delivery,
    DriverCommits,
    InboxWriter,
    commit_batch,
    insert_new,
    new_events,
    writer_engine,
)
from disty.suppliers.ingram import webhooks as ingram_webhooks

KEY = "signature-token-of-smbi-0001"
HEADERS = {"user-agent": "Ingram Micro webhooks", "content-type": "application/json"}


def order_event(event_id: str, po: str = "PO-1") -> bytes:
    return json.dumps(
        {
            "topic": "resellers/orders",
            "event": "im::updated",
            "eventTimeStamp": "2026-01-01T10:00:00.000Z",
            "eventId": event_id,
            "resource": [{"eventType": "im::order_shipped", "customerOrderNumber": po}],
        }
    ).encode()


def delivery(
    destination: Destination, *bodies: bytes, headers: dict[str, str] | None = None
) -> Delivery:
    items = [item for body in bodies for item in ingram_webhooks.envelopes(body)]
    return Delivery(destination, items, headers or {})


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        async with opened.sessions() as session:
            await connections.set_connection(
                session, shortcut="smbi", supplier="ingram", country_id=1,
                changes=ConnectionChanges.of(webhook_key=KEY), box=opened.box,
                public_url="https://disty.example.com", grace=settings.webhook_key_grace,
                allow_custom_urls=True,
            )  # fmt: skip
        yield opened


@pytest.fixture
async def destination(rt: Runtime) -> Destination:
    async with rt.sessions() as session:
        found = await find_destination(session, rt.box, "ingram", "smbi", 1)
    assert found is not None
    return found


async def inbox_rows(rt: Runtime) -> list[InboundEvent]:
    async with rt.sessions() as session:
        return list(await session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


async def test_a_batch_is_answered_as_if_each_delivery_came_alone(
    rt: Runtime, destination: Destination
) -> None:
    engine = writer_engine(rt.settings.resolved_database_url)
    conn = engine.connect()
    try:
        # One transaction: a redelivery and a tampered one in the batch are told apart from the
        # first as if they had come after it; a delivery repeating an id within itself too.
        answers = commit_batch(
            conn,
            [
                delivery(destination, order_event("EVT-G-1"), headers={"user-agent": "a"}),
                delivery(destination, order_event("EVT-G-1"), headers={"user-agent": "b"}),
                delivery(destination, order_event("EVT-G-1", po="PO-EVIL")),
                delivery(destination, order_event("EVT-G-2"), order_event("EVT-G-2")),
            ],
        )
        assert answers == [
            Accepted(1, 0, 0),
            Accepted(0, 1, 0),
            Accepted(0, 0, 1),
            Accepted(1, 1, 0),
        ]
        # A delivery the database refuses (a connection that does not exist) fails alone; the
        # others in its batch are stored or recognised as they would be on their own.
        stranger = dataclasses.replace(destination, connection_id=999_999)
        mixed = commit_batch(
            conn,
            [
                delivery(destination, order_event("EVT-G-3")),
                delivery(stranger, order_event("EVT-G-4")),
                delivery(destination, order_event("EVT-G-1")),
            ],
        )
    finally:
        conn.close()
        engine.dispose()
    assert mixed is not None
    assert mixed[0] == Accepted(1, 0, 0)
    assert isinstance(mixed[1], IntegrityError)
    assert mixed[2] == Accepted(0, 1, 0)
    rows = await inbox_rows(rt)
    assert [r.event_id for r in rows] == ["EVT-G-1", "EVT-G-2", "EVT-G-3"]
    assert rows[0].headers == {"user-agent": "a"}
    assert [r.status for r in rows] == ["received"] * 3
    async with rt.sessions() as session:
        [kept] = list(await session.scalars(select(ConflictingDelivery)))
    assert "PO-EVIL" in kept.body


async def test_new_events_go_in_through_the_driver_as_sqlalchemy_stores_them(
    rt: Runtime, destination: Destination
) -> None:
    # A batch of new events takes a shorter way in (the driver's own insert: SQLite's in
    # BEGIN IMMEDIATE, PostgreSQL's one statement in autocommit); what it stores must read
    # back exactly as what SQLAlchemy's way stores.
    url = rt.settings.resolved_database_url
    engine = writer_engine(url)
    conn = engine.connect()  # the writer's kind (its pool holds one)
    postgres = DriverCommits(url) if engine.dialect.name == "postgresql" else None
    through_sqlalchemy: list[str] = []

    async def commit(deliveries: list[Delivery]) -> list[Accepted | Exception] | None:
        if postgres is not None:  # as the writer commits on PostgreSQL
            return await postgres.commit(deliveries)
        # As SQLiteCommits does (its COMMIT on a thread, here inline): the batch made ready
        # for the driver, inserted and committed; else SQLAlchemy's way.
        new = new_events(engine.dialect, deliveries)
        if new is not None and insert_new(conn, new):
            conn.connection.driver_connection.execute("COMMIT")  # type: ignore[union-attr]
            return list(new.answers)
        return commit_batch(conn, deliveries)

    watched = engine if postgres is None else postgres.engine.sync_engine
    event.listen(watched, "before_cursor_execute", lambda *a: through_sqlalchemy.append(a[2]))
    try:
        alone = await commit([delivery(destination, order_event("EVT-A"), headers=HEADERS)])
        batch = await commit(
            [
                delivery(destination, order_event("EVT-B"), headers=HEADERS),
                delivery(destination, order_event("EVT-C"), headers=HEADERS),
            ],
        )
        driver_statements = len(through_sqlalchemy)
        # An id repeated within the batch takes SQLAlchemy's way, as does one already known:
        # the driver's insert of EVT-E beside the known EVT-B is rolled back, then redone.
        repeated = await commit(
            [delivery(destination, order_event("EVT-D"), order_event("EVT-D"), headers=HEADERS)],
        )
        mixed = await commit(
            [
                delivery(destination, order_event("EVT-E"), headers=HEADERS),
                delivery(destination, order_event("EVT-B")),
            ],
        )
        again = await commit([delivery(destination, order_event("EVT-A"))])
        tampered = await commit([delivery(destination, order_event("EVT-A", po="PO-X"))])
        with conn.begin():
            stored = conn.exec_driver_sql(
                "SELECT event_id, event_time, received_at, headers, unmatched, attempts, status"
                " FROM inbound_events ORDER BY id"
            ).all()
    finally:
        conn.close()
        engine.dispose()
        if postgres is not None:
            await postgres.close()
    assert alone == [Accepted(1, 0, 0)]
    assert batch == [Accepted(1, 0, 0), Accepted(1, 0, 0)]
    assert driver_statements == 0  # the driver's own way in, not through SQLAlchemy
    assert len(through_sqlalchemy) > driver_statements  # and the others through it
    assert repeated == [Accepted(1, 1, 0)]
    assert mixed == [Accepted(1, 0, 0), Accepted(0, 1, 0)]
    assert again == [Accepted(0, 1, 0)]
    assert tampered == [Accepted(0, 0, 1)]
    # The same representation in the database, row for row (timestamps to the microsecond).
    shapes = {tuple(type(v).__name__ for v in row[1:]) for row in stored}
    assert len(shapes) == 1
    assert {row.event_time for row in stored} == {stored[0].event_time}
    assert len({len(str(row.received_at)) for row in stored}) == 1
    rows = await inbox_rows(rt)
    assert [r.event_id for r in rows] == ["EVT-A", "EVT-B", "EVT-C", "EVT-D", "EVT-E"]
    for row in rows:
        assert row.event_time == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
        assert row.received_at.tzinfo is not None
        assert abs((row.received_at - rows[0].received_at).total_seconds()) < 60
        assert row.headers == HEADERS
        assert (row.status, row.attempts, row.unmatched) == ("received", 0, False)


async def test_the_writer_answers_every_delivery_and_keeps_the_headers_it_may(
    rt: Runtime, destination: Destination
) -> None:
    writer = InboxWriter(rt.settings.resolved_database_url)
    writer.start()
    try:
        answers = await asyncio.gather(
            *(
                writer.accept(
                    destination,
                    ingram_webhooks.envelopes(order_event(f"EVT-W-{i % 20}")),
                    {"X-Hub-Signature": "secret", "Authorization": "Bearer t", "User-Agent": "i"},
                )
                for i in range(60)
            )
        )
    finally:
        await writer.close()
    # 20 distinct events, each delivered three times: stored once, twice a redelivery.
    assert sum(a.stored for a in answers) == 20
    assert sum(a.duplicates for a in answers) == 40
    rows = await inbox_rows(rt)
    assert len(rows) == 20
    assert {tuple(sorted(r.headers)) for r in rows} == {("user-agent",)}
    with pytest.raises(RuntimeError, match="not running"):
        await writer.accept(destination, ingram_webhooks.envelopes(order_event("EVT-LATE")), {})


async def test_a_locked_sqlite_is_waited_for_and_a_lock_held_too_long_is_an_error(
    rt: Runtime, destination: Destination, database_url: str
) -> None:
    path = sqlite_file(database_url, "SQLite's single write lock; PostgreSQL locks rows")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer = InboxWriter(rt.settings.resolved_database_url, lock_wait_s=1.0)
    writer.start()
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer (the worker, a CLI) holds the lock
        release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
        release.start()
        ticks = 0

        async def tick() -> None:  # the rest of the server, meanwhile
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.create_task(tick())
        answer = await writer.accept(
            destination, ingram_webhooks.envelopes(order_event("EVT-L-1")), {}
        )
        ticking.cancel()
        release.join()
        assert answer == Accepted(1, 0, 0)
        # The writer waited on the event loop without blocking it: 0.3 s of 10 ms sleeps run
        # about 30 times (a sleeping writer would have let none through).
        assert ticks >= 10

        holder.execute("BEGIN IMMEDIATE")  # and now holds it past the writer's patience
        with pytest.raises(OperationalError, match="locked"):
            await writer.accept(destination, ingram_webhooks.envelopes(order_event("EVT-L-2")), {})
        holder.execute("ROLLBACK")
        # Nothing half-done: the refused delivery left no row, and the writer goes on.
        again = await writer.accept(
            destination, ingram_webhooks.envelopes(order_event("EVT-L-2")), {}
        )
        assert again == Accepted(1, 0, 0)
    finally:
        holder.close()
        await writer.close()
    assert [r.event_id for r in await inbox_rows(rt)] == ["EVT-L-1", "EVT-L-2"]


def sqlite_file(database_url: str, why: str) -> str:
    """The database file of a SQLite test run; a PostgreSQL run skips, saying ``why``."""
    if not database_url.startswith("sqlite"):
        pytest.skip(why)
    return database_url.split("///", 1)[1]


def file_size(path: str) -> int:
    return os.path.getsize(path)


async def test_sqlite_checkpoints_happen_beside_the_writer(
    rt: Runtime, destination: Destination, database_url: str
) -> None:
    path = sqlite_file(database_url, "a WAL checkpoint is SQLite's")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything so far is in the file
    size = file_size(path)
    writer = InboxWriter(rt.settings.resolved_database_url)
    writer.start()
    try:
        await asyncio.gather(
            *(
                writer.accept(destination, ingram_webhooks.envelopes(order_event(f"EVT-C-{i}")), {})
                for i in range(200)
            )
        )
        # The new rows reach the database file itself only through a checkpoint: not the
        # writer's (its automatic ones are off, and 200 events stay under SQLite's 1,000-page
        # mark anyway) but the one that runs beside it a moment after the commits.
        for _ in range(500):
            if file_size(path) > size:
                break
            await asyncio.sleep(0.01)
        assert file_size(path) > size
    finally:
        await writer.close()  # and closes while a checkpoint may be pending
    assert len(await inbox_rows(rt)) == 200


def test_the_sqlite_writer_keeps_its_statement_journal_in_memory(database_url: str) -> None:
    # A batch's multi-row INSERT keeps a statement journal; in a temporary file (SQLite's
    # default, temp_store 0) it is created, written and deleted on the event loop per batch.
    sqlite_file(database_url, "temp_store is SQLite's")
    engine = writer_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
    finally:
        engine.dispose()


async def test_a_burst_of_deliveries_looks_its_destination_up_once(rt: Runtime) -> None:
    lookups: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "supplier_connections" in statement and statement.lstrip().startswith("SELECT"):
            lookups.append(statement)

    event.listen(rt.engine.sync_engine, "before_cursor_execute", count)
    try:
        cache = DestinationCache(rt.sessions, rt.box, ttl_s=60)
        found = await asyncio.gather(*(cache.get("ingram", "smbi", 1) for _ in range(50)))
        assert len(lookups) == 1
        assert found[0] is not None
        assert found[0].keys == (KEY,)
        assert all(d == found[0] for d in found)
        # Unknown addresses are remembered as unknown (a stranger probing costs one query).
        assert await cache.get("ingram", "nobody", 1) is None
        assert await cache.get("ingram", "nobody", 1) is None
        assert len(lookups) == 2
        # forget() makes a changed key count at once.
        cache.forget()
        await cache.get("ingram", "smbi", 1)
        assert len(lookups) == 3
        # Run out, an entry still answers while one lookup in the background renews it.
        cache.ttl_s = 0.05
        await asyncio.sleep(0.06)
        stale = await asyncio.gather(*(cache.get("ingram", "smbi", 1) for _ in range(20)))
        assert stale == [found[0]] * 20
        for _ in range(500):  # the renewal finishes in the background
            if len(lookups) == 4:
                break
            await asyncio.sleep(0.01)
        assert len(lookups) == 4
    finally:
        event.remove(rt.engine.sync_engine, "before_cursor_execute", count)


async def test_processing_waits_while_deliveries_stream_but_not_for_ever(
    rt: Runtime, destination: Destination
) -> None:
    writer = InboxWriter(rt.settings.resolved_database_url)
    writer.start()
    try:
        for i in range(3):
            await writer.accept(
                destination, ingram_webhooks.envelopes(order_event(f"EVT-Q-{i}")), {}
            )
    finally:
        await writer.close()
    # Wide margins: deliveries count as streaming while one came in the last second, and
    # processing waits at most 3 s for them to stop.
    queue = InboxQueue(rt.sessions, quiet_s=1.0, max_defer_s=3.0, idle_s=0.05)
    handled: list[tuple[float, int]] = []

    async def handle(pk: int) -> None:  # the worker's part; here only when it is called
        handled.append((time.monotonic(), pk))

    streaming = True

    async def deliveries() -> None:
        while streaming:
            queue.notify()
            await asyncio.sleep(0.05)

    began = time.monotonic()
    stream = asyncio.create_task(deliveries())
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run(handle, stop))
    try:
        await asyncio.sleep(1.0)
        assert handled == []  # a burst: the events wait, committed
        for _ in range(1000):  # past the 3 s, the flood still going: processed, paced
            if handled:
                break
            await asyncio.sleep(0.01)
        assert handled
        assert handled[0][0] - began >= 3.0
        streaming = False
        await stream
        for _ in range(1000):
            if len(handled) == 3:
                break
            await asyncio.sleep(0.01)
        assert sorted(pk for _, pk in handled) == [r.id for r in await inbox_rows(rt)]
    finally:
        streaming = False
        stop.set()
        await asyncio.wait_for(worker, timeout=10)


async def test_any_text_a_body_holds_is_stored_as_it_came(
    rt: Runtime, destination: Destination
) -> None:
    # PostgreSQL's batch travels as one JSON document (writer.py ``_postgres_insert``):
    # quotes, backslashes, an escaped NUL, other scripts and emoji must come out unchanged.
    odd = 'Caf\u00e9 "Tokyo" \u65e5\u672c \U0001f4e6 back\\slash \\u0000 tab\t line\nend'
    body = json.dumps(
        {
            "topic": "resellers/orders",
            "event": "im::updated",
            "eventTimeStamp": "2026-01-01T10:00:00.000Z",
            "eventId": "EVT-ODD",
            "resource": [{"eventType": "im::order_shipped", "customerOrderNumber": odd}],
        },
        ensure_ascii=False,
    ).encode()
    envelopes = ingram_webhooks.envelopes(body)
    headers = {"User-Agent": 'r\u00e9seau "quoted" \\ agent'}
    writer = InboxWriter(rt.settings.resolved_database_url)
    writer.start()
    try:
        alone, again = [await writer.accept(destination, envelopes, headers) for _ in range(2)]
    finally:
        await writer.close()
    assert (alone, again) == (Accepted(1, 0, 0), Accepted(0, 1, 0))
    [row] = await inbox_rows(rt)
    assert row.body == envelopes[0].raw
    assert odd in json.loads(row.body or "")["resource"][0]["customerOrderNumber"]
    assert row.headers == {"user-agent": headers["User-Agent"]}


async def test_two_replicas_storing_one_burst_in_opposite_orders_never_deadlock(
    rt: Runtime, destination: Destination
) -> None:
    # A distributor redelivering a burst through two replicas at once: each replica's batch
    # holds the same 600 event ids, in opposite orders. Rows inserted in the order they came
    # would each wait for the other's (PostgreSQL aborts one: 503s for a whole batch); in one
    # order, one batch stores them all and the other finds them all known.
    url = rt.settings.resolved_database_url
    if not url.startswith("postgresql"):
        pytest.skip("two connections writing at once are PostgreSQL's; SQLite has one writer")
    ids = [f"EVT-R-{n:04d}" for n in range(600)]
    one, other = DriverCommits(url), DriverCommits(url)
    # The order itself, which the race below meets only when the two interleave:
    backwards = new_events(
        one.engine.dialect, [delivery(destination, order_event(i)) for i in ids[::-1]]
    )
    assert backwards is not None
    assert [row["event_id"] for row in json.loads(backwards.params[0])] == ids
    try:
        # Each connected first (an event of its own), so that the two bursts go in together.
        await one.commit([delivery(destination, order_event("EVT-ONE"))])
        await other.commit([delivery(destination, order_event("EVT-OTHER"))])
        first, second = await asyncio.gather(
            one.commit([delivery(destination, order_event(i)) for i in ids]),
            other.commit([delivery(destination, order_event(i)) for i in reversed(ids)]),
        )
    finally:
        await one.close()
        await other.close()
    answers = [*first, *second]
    assert not [a for a in answers if isinstance(a, Exception)], answers[:3]
    assert sum(a.stored for a in answers if isinstance(a, Accepted)) == 600
    assert sum(a.duplicates for a in answers if isinstance(a, Accepted)) == 600
    assert len(await inbox_rows(rt)) == 602
