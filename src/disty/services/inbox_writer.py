"""The receiver's way into the inbox: one thread, one database connection, group commit.

Every accepted delivery must be committed before its 200 goes out. Done from the event loop
through the async driver, each commit costs a dozen hops between the loop and the driver's
thread, and that CPU comes out of the same core that parses requests; concurrent deliveries
also queue for SQLite's single write lock. So the inbox has a writer of its own: a thread
holding one blocking connection takes every delivery waiting, stores them in one transaction
(one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, one commit, one fsync) and
hands all the answers back to the event loop in one call. Nothing waits for a batch to fill:
a lone delivery is committed at once, and the ones that arrive meanwhile go in the next.
The driver releases the GIL while SQLite or PostgreSQL works, so the loop keeps serving.

An answer is only given once the commit holding its delivery is done, so no accepted event
is lost, and SQLite keeps ``synchronous`` at its default (FULL under WAL: durable across
power loss too).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, event, select
from sqlalchemy.exc import OperationalError

from disty.db.base import upsert_insert, utcnow
from disty.db.engine import create_sync_engine
from disty.db.models import ConflictingDelivery, InboundEvent
from disty.services.inbox import Destination, kept_headers
from disty.suppliers.ingram.webhooks import Envelope

log = logging.getLogger(__name__)

_EVENTS = cast(Table, InboundEvent.__table__)
_CONFLICTS = cast(Table, ConflictingDelivery.__table__)


@dataclass(frozen=True, slots=True)
class Accepted:
    stored: int  # new events, to be processed
    duplicates: int  # redeliveries of known events with the same body
    conflicts: int  # known event ids with another body: kept for audit, never applied


@dataclass(frozen=True, slots=True)
class Delivery:
    """One accepted request, ready for the inbox: whom it is for, its envelopes (each with an
    eventId), and its headers as stored (``kept_headers``)."""

    destination: Destination
    items: list[Envelope]
    headers: dict[str, str]


_Key = tuple[int, str]  # (connection id, event id): unique in the inbox


def store(conn: Connection, deliveries: list[Delivery]) -> list[Accepted]:
    """Commit several deliveries to the inbox in one transaction, each answered as if it had
    come alone (a later one with an event id an earlier one stored is its redelivery).

    New events go in with one multi-row insert; only an event id already known (or repeated
    within the batch) costs a query of its own, to tell a redelivery from a tampered one.
    """
    now = utcnow()
    entries: list[tuple[int, _Key, str, Envelope, Delivery]] = []
    rows: list[dict[str, Any]] = []
    first: set[_Key] = set()
    for index, delivery in enumerate(deliveries):
        d = delivery.destination
        for item in delivery.items:
            if item.event_id is None:  # the receiver refuses these before calling
                raise ValueError("an envelope without an eventId cannot enter the inbox")
            key = (d.connection_id, item.event_id)
            digest = hashlib.sha256(item.raw.encode()).hexdigest()
            entries.append((index, key, digest, item, delivery))
            if key in first:
                continue  # decided after the insert, against the stored row
            first.add(key)
            rows.append(
                {
                    "connection_id": d.connection_id,
                    "tenant_id": d.tenant_id,
                    "supplier": d.supplier,
                    "country_id": d.country_id,
                    "event_id": item.event_id,
                    "event_type": item.event_type,
                    "topic": item.topic,
                    "event_time": item.event_time,
                    "received_at": now,
                    "body": item.raw,
                    "body_sha256": digest,
                    "headers": delivery.headers,
                    "status": "received",
                    "attempts": 0,
                    "unmatched": False,
                }
            )
    insert = upsert_insert(conn.dialect)
    inserted: set[_Key] = set()
    with conn.begin():
        if rows:
            result = conn.execute(
                insert(_EVENTS)
                .on_conflict_do_nothing(index_elements=["connection_id", "event_id"])
                .returning(_EVENTS.c.connection_id, _EVENTS.c.event_id),
                rows,
            )
            inserted = {(connection_id, event_id) for connection_id, event_id in result}
        counts = [[0, 0, 0] for _ in deliveries]  # stored, duplicates, conflicts
        for index, key, digest, item, delivery in entries:
            if key in inserted:
                inserted.discard(key)  # the first envelope with this id is the one stored
                counts[index][0] += 1
                continue
            known = conn.scalar(
                select(_EVENTS.c.body_sha256).where(
                    _EVENTS.c.connection_id == key[0], _EVENTS.c.event_id == key[1]
                )
            )
            if known == digest:
                counts[index][1] += 1
                continue
            counts[index][2] += 1
            conn.execute(
                _CONFLICTS.insert().values(
                    connection_id=key[0],
                    event_id=key[1],
                    body=item.raw,
                    body_sha256=digest,
                    headers=delivery.headers,
                    received_at=now,
                )
            )
            log.warning(
                "event %s for connection %d came again with another body: kept for audit, "
                "not applied",
                key[1],
                key[0],
            )
    return [Accepted(*c) for c in counts]


def commit_batch(
    engine: Engine, deliveries: list[Delivery], *, lock_wait_s: float = 5.0
) -> list[Accepted | Exception]:
    """``store`` the batch; if that fails, store each delivery alone, so that one delivery's
    trouble (a connection deleted meanwhile) fails that delivery only. Never raises: every
    delivery gets its answer or its error, and the writer's thread goes on."""
    try:
        return list(_store(engine, deliveries, lock_wait_s))
    except Exception as exc:
        if len(deliveries) == 1:
            return [exc]
    answers: list[Accepted | Exception] = []
    for delivery in deliveries:
        try:
            [answer] = _store(engine, [delivery], lock_wait_s)
        except Exception as alone:
            answers.append(alone)
        else:
            answers.append(answer)
    return answers


_RETRY_S = 0.0005


def _store(engine: Engine, deliveries: list[Delivery], lock_wait_s: float) -> list[Accepted]:
    # A connection from the pool per batch (a pool of one): after a broken connection
    # (PostgreSQL restarted) the next batch gets a fresh one.
    deadline = time.monotonic() + lock_wait_s
    while True:
        try:
            with engine.connect() as conn:
                return store(conn, deliveries)
        except OperationalError as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                raise
        time.sleep(_RETRY_S)


def _locked(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


def _sqlite_no_wait(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own busy handler sleeps 1, 2, 5, 10 ... ms between tries: a write lock the
    # worker holds for 2 ms can cost a delivery 8, and a longer one 100. The writer asks again
    # every half millisecond instead (``_store``), so it waits about as long as the lock is
    # held. Transactions are then opened by hand (``_sqlite_begin_immediate``), as
    # SQLAlchemy's pysqlite documentation shows.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def _sqlite_begin_immediate(conn: Connection) -> None:
    # Take the write lock at BEGIN: a batch is refused whole, before any work, when another
    # writer holds it, never halfway through.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


_Waiting = tuple[Delivery, asyncio.Future[Accepted]]


class InboxWriter:
    """Deliveries in, answers out; see the module docstring. ``start`` before the first
    ``accept``, ``close`` when the server stops (waiting deliveries are still committed).

    ``linger_s``: while deliveries arrive faster than the writer commits them (the last commit
    ended under a millisecond before the next delivery came), it waits this long for more
    before committing, so a steady stream is stored in fewer, larger commits (each commit is
    an fsync, and the fsyncs' CPU is what a stream costs most). A lone delivery never waits.
    """

    def __init__(
        self,
        database_url: str,
        *,
        max_envelopes: int = 500,
        linger_s: float = 0.0005,
        lock_wait_s: float = 5.0,
    ) -> None:
        self.max_envelopes = max_envelopes
        self.linger_s = linger_s
        self.lock_wait_s = lock_wait_s
        self._engine = create_sync_engine(database_url)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_no_wait)
            event.listen(self._engine, "begin", _sqlite_begin_immediate)
        self._waiting: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="disty-inbox-writer", daemon=True)
        self._last_commit = 0.0

    def start(self) -> None:
        self._thread.start()

    async def accept(
        self, destination: Destination, items: list[Envelope], headers: Mapping[str, str]
    ) -> Accepted:
        if not self._thread.is_alive():
            raise RuntimeError("the inbox writer is not running")
        future: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        self._waiting.put((Delivery(destination, items, kept_headers(headers)), future))
        # A request cancelled meanwhile (its client hung up) does not stop the commit; its
        # events may still be stored, and a redelivery then finds them.
        return await asyncio.shield(future)

    async def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._waiting.put(None)
        await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        try:
            while (batch := self._take()) is not None:
                answers = commit_batch(
                    self._engine, [d for d, _ in batch], lock_wait_s=self.lock_wait_s
                )
                self._last_commit = time.monotonic()
                self._answer(batch, answers)
        finally:
            self._engine.dispose()

    def _take(self) -> list[_Waiting] | None:
        """Block for one delivery, then take whatever else is waiting (see ``linger_s``)."""
        head = self._waiting.get()
        if head is None:
            return None
        streaming = time.monotonic() - self._last_commit < 0.001
        until = time.monotonic() + (self.linger_s if streaming else 0.0)
        batch, size = [head], len(head[0].items)
        while size < self.max_envelopes:
            left = until - time.monotonic()
            try:
                more = self._waiting.get(timeout=left) if left > 0 else self._waiting.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self._waiting.put(None)  # stop after this batch
                break
            batch.append(more)
            size += len(more[0].items)
        return batch

    def _answer(self, batch: list[_Waiting], answers: list[Accepted | Exception]) -> None:
        pairs = [(future, answer) for (_, future), answer in zip(batch, answers, strict=True)]
        loop = pairs[0][0].get_loop()
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(_settle, pairs)


def _settle(pairs: list[tuple[asyncio.Future[Accepted], Accepted | Exception]]) -> None:
    for future, answer in pairs:
        if future.done():
            continue
        if isinstance(answer, Exception):
            future.set_exception(answer)
        else:
            future.set_result(answer)
