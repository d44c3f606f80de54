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
Whatever the writer does in Python holds the GIL the loop needs, so a batch costs as little
as it can: one connection kept open, the insert statement built once, and on SQLite a lone
new event (the usual case, unless deliveries come faster than commits end) goes in as one autocommit
statement rather than four calls, each of which gives the GIL back and must wait for the
busy loop to return it. On SQLite, copying the
WAL back into the database (a checkpoint, 5-15 ms, more after a long stretch of the
worker's processing) is done by a thread beside it (``Checkpointer``), not by the commit that
happens to fill the WAL, and not while deliveries stream in.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Engine, Table, bindparam, event, select
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

_NEW_EVENTS: dict[str, Any] = {}


def _new_events(dialect: Dialect) -> Any:
    """The multi-row insert of new events, built once per database kind: building and caching
    a statement per batch cost as much CPU as the rest of the commit."""
    if dialect.name not in _NEW_EVENTS:
        _NEW_EVENTS[dialect.name] = (
            upsert_insert(dialect)(_EVENTS)
            .on_conflict_do_nothing(index_elements=["connection_id", "event_id"])
            .returning(_EVENTS.c.connection_id, _EVENTS.c.event_id)
        )
    return _NEW_EVENTS[dialect.name]


@dataclass(frozen=True, slots=True)
class _DriverInsert:
    sql: str
    names: tuple[str, ...]
    convert: tuple[Callable[[Any], Any] | None, ...]


_LONE: dict[str, _DriverInsert] = {}


def _lone_insert(dialect: Dialect, names: tuple[str, ...]) -> _DriverInsert:
    """SQLite: the one-row insert of the columns ``names`` (those ``store`` fills) as the
    driver takes it (SQL, parameter order, and each column's conversion, all from
    SQLAlchemy, so values are stored exactly as the ORM stores them), built once."""
    if dialect.name not in _LONE:
        compiled = (
            _new_events(dialect)
            .values({name: bindparam(name) for name in names})
            .compile(dialect=dialect)
        )
        order = tuple(compiled.positiontup or ())
        _LONE[dialect.name] = _DriverInsert(
            compiled.string,
            order,
            tuple(_EVENTS.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in order),
        )
    return _LONE[dialect.name]


def _store_lone(conn: Connection, row: dict[str, Any]) -> bool:
    """SQLite, one new event: one statement in autocommit, so one call into SQLite (insert,
    commit) instead of four (BEGIN, insert, fetch, COMMIT), each of which hands the GIL back
    and waits to get it again from the busy event loop. True: stored; False: the event id is
    known, and the caller's transaction finds out how. A busy lock raises, as ``store`` does."""
    insert = _lone_insert(conn.dialect, tuple(row))
    params = tuple(
        row[name] if convert is None else convert(row[name])
        for name, convert in zip(insert.names, insert.convert, strict=True)
    )
    driver = cast(sqlite3.Connection, conn.connection.driver_connection)
    if driver.isolation_level is not None or driver.in_transaction:
        return False  # not the writer's autocommit connection (``writer_engine``)
    try:
        return bool(driver.execute(insert.sql, params).fetchall())
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:  # the error the transaction raises
            raise OperationalError(insert.sql, None, exc) from exc
        return False  # anything else: the transaction below meets it and reports it
    except sqlite3.Error:
        return False


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
    inserted: set[_Key] = set()
    lone = len(entries) == 1 and conn.dialect.name == "sqlite"
    if lone and _store_lone(conn, rows[0]):
        return [Accepted(1, 0, 0)]
    with conn.begin():
        if rows:
            result = conn.execute(_new_events(conn.dialect), rows)
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


class Link:
    """The writer's connection, kept open from batch to batch (checking one out of the pool
    for each batch cost a ping on PostgreSQL and pool bookkeeping on both). After any error
    other than a busy SQLite lock it is dropped, so a broken one (PostgreSQL restarted) is
    replaced by the next batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    def get(self) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def commit_batch(
    link: Link, deliveries: list[Delivery], *, lock_wait_s: float = 5.0
) -> list[Accepted | Exception]:
    """``store`` the batch; if that fails, store each delivery alone, so that one delivery's
    trouble (a connection deleted meanwhile) fails that delivery only. Never raises: every
    delivery gets its answer or its error, and the writer's thread goes on."""
    try:
        return list(_store(link, deliveries, lock_wait_s))
    except Exception as exc:
        if len(deliveries) == 1:
            return [exc]
    answers: list[Accepted | Exception] = []
    for delivery in deliveries:
        try:
            [answer] = _store(link, [delivery], lock_wait_s)
        except Exception as alone:
            answers.append(alone)
        else:
            answers.append(answer)
    return answers


_RETRY_S = 0.0005


def _store(link: Link, deliveries: list[Delivery], lock_wait_s: float) -> list[Accepted]:
    deadline = time.monotonic() + lock_wait_s
    while True:
        try:
            return store(link.get(), deliveries)
        except OperationalError as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                link.drop()
                raise
        except Exception:
            link.drop()
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
    # A commit that fills the WAL past 1,000 pages would copy them back into the database
    # (and fsync it) before its deliveries were answered: 5-15 ms for every ~200 deliveries.
    # ``Checkpointer`` does that beside the writer instead.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _sqlite_begin_immediate(conn: Connection) -> None:
    # Take the write lock at BEGIN: a batch is refused whole, before any work, when another
    # writer holds it, never halfway through.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def writer_engine(database_url: str) -> Engine:
    """The writer's blocking engine; on SQLite, its connections wait for the write lock the
    writer's way and leave checkpoints to ``Checkpointer``."""
    engine = create_sync_engine(database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_no_wait)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


class Checkpointer:
    """SQLite only: copies the WAL back into the database beside the writer, whose own
    automatic checkpoints are off (``_sqlite_no_wait``). A checkpoint writes and fsyncs the
    database file, and the writer's own fsyncs wait behind it at the disk: after the worker's
    processing had left a large WAL, one took a stream of deliveries 100-200 ms. So it keeps
    out of their way as the worker does: every ``every_s`` it copies whatever the WAL holds
    (PASSIVE: no lock taken, nothing waits for it), except while deliveries stream in (one
    committed in the last ``quiet_s``), for at most ``max_defer_s``."""

    def __init__(
        self,
        database_url: str,
        *,
        every_s: float = 1.0,
        quiet_s: float = 0.1,
        max_defer_s: float = 10.0,
    ) -> None:
        self.every_s = every_s
        self.quiet_s = quiet_s
        self.max_defer_s = max_defer_s
        self._engine = create_sync_engine(database_url)
        self._last_write = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="disty-inbox-checkpoint", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def wrote(self) -> None:
        self._last_write = time.monotonic()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._engine.dispose()

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(self.every_s):
            now = time.monotonic()
            if now - self._last_write < self.quiet_s and now - last < self.max_defer_s:
                continue  # deliveries are streaming in: later
            last = now
            try:
                with self._engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as exc:  # the next round tries again; nothing is lost meanwhile
                log.warning("could not checkpoint the inbox's WAL: %s", type(exc).__name__)


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
        self._engine = writer_engine(database_url)
        self._checkpoints: Checkpointer | None = None
        if self._engine.dialect.name == "sqlite":
            self._checkpoints = Checkpointer(database_url)
        self._link = Link(self._engine)
        self._waiting: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="disty-inbox-writer", daemon=True)
        self._last_commit = 0.0

    def start(self) -> None:
        self._thread.start()
        if self._checkpoints is not None:
            self._checkpoints.start()

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
        if self._checkpoints is not None:
            await asyncio.to_thread(self._checkpoints.close)

    def _run(self) -> None:
        try:
            while (batch := self._take()) is not None:
                answers = commit_batch(
                    self._link, [d for d, _ in batch], lock_wait_s=self.lock_wait_s
                )
                self._last_commit = time.monotonic()
                self._answer(batch, answers)
                if self._checkpoints is not None:
                    self._checkpoints.wrote()
        finally:
            self._link.drop()
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
