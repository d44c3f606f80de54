"""The receiver's way into the inbox: group commit, on the event loop.

Every accepted delivery must be committed before its 200 goes out. ``InboxWriter`` keeps the
deliveries waiting for a commit and one task commits them: everything waiting goes in one
transaction (one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, one commit, one
fsync), and whatever arrives meanwhile goes in the next. Nothing waits for a batch to fill or
for more deliveries to join it: batches grow with the load by themselves, as deliveries pile
up while a commit is out. Waiting a few turns of the loop for a burst already read to join
one batch (as the writer once did) made every delivery of 32 connections wait for the same
commit, and the loop idle while it was out (a fifth of the time): bench/receiver.py's load,
3 rounds a variant, measured ``disty serve --no-worker`` on PostgreSQL at 0.68-0.71 of the
minimal app's throughput that way and 0.82-0.84 without the wait (p99 1.3x and 1.1x), and
SQLite at 0.58 and 0.60 (p99 1.45x and 1.32x).

On SQLite the batch is inserted on the event loop itself, through the blocking driver
(``SQLiteCommits``), and only its COMMIT, the fsync, runs on a thread of its own while the
loop reads the next deliveries. Done wholly from another thread, each call into SQLite gives
the GIL back and must wait for the busy loop to return it, and those hand-offs cost more than
the work (p50 2.7-3.6 ms against 1.7 ms on the loop at 800 deliveries/s; at full load 0.46-0.56
of the minimal app's throughput, bench/receiver.py); the COMMIT takes it back once. Wholly on
the loop, the loop waited out every fsync: 2-3 ms for a batch of 32 on the disks measured, as
the WAL grows by ~100 KB a batch (p99 2.2x the minimal app's against 1.8x). The loop never
waits for a lock: SQLite's write lock, when the worker or a CLI holds it, is asked for again
after half a millisecond while the loop goes on serving. A batch of new events (the usual
case) goes in straight through the driver, not through SQLAlchemy's transaction, which costs
the loop more than the commit itself. The WAL is copied back into the database (a checkpoint,
5-15 ms, more after a long stretch of the worker's processing) by a thread beside it
(``Checkpointer``), not by the commit that happens to fill the WAL, and not while deliveries
stream in. The thread's answer needs Python's lock back from the busy loop: ``disty serve``
lowers the switch interval so that it waits 0.1 ms for it, not 5 (web/app.py has the figures).
A batch's statement journal is kept in memory (``_sqlite_no_wait``).

On PostgreSQL the batch goes in over the async driver (``DriverCommits``), so the loop serves
other requests while the database works: a batch of new events as one statement in
autocommit, its answer its commit (``insert_new_postgres``), any other through
``commit_batch``'s transaction.

An answer is only given once the commit holding its delivery is done, so no accepted event
is lost, and SQLite keeps ``synchronous`` at its default (FULL under WAL: durable across
power loss too).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from typing import Any, cast

import psycopg
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Dialect,
    Engine,
    Integer,
    Table,
    bindparam,
    event,
    select,
)
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from disty import logs
from disty.db.base import UTCDateTime, upsert_insert, utcnow
from disty.db.engine import create_engine, create_sync_engine, is_sqlite
from disty.db.models import ConflictingDelivery, InboundEvent
from disty.services.webhooks.destinations import Destination
from disty.suppliers import registry
from disty.suppliers.webhooks import Envelope

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


def kept_headers(destination: Destination, headers: Mapping[str, str]) -> dict[str, str]:
    """The request's headers as stored: never the signature, never credentials; and the id of
    the request (disty/logs.py), which the event's processing logs with its lines."""
    codec = registry.get(destination.supplier).webhooks
    drop = {"authorization", "cookie", logs.HEADER} | ({codec.signature_header} if codec else set())
    kept = {k.lower(): v for k, v in headers.items() if k.lower() not in drop}
    if (rid := logs.REQUEST_ID.get()) is not None:
        kept[logs.HEADER] = rid  # the sane one the request runs under, not whatever was sent
    return kept


_Key = tuple[int, str]  # (connection id, event id): unique in the inbox

_NEW_EVENTS: dict[str, Any] = {}


def _insert_events(dialect: Dialect) -> Any:
    """Insert into the inbox, an event id the connection already has left as it is."""
    return upsert_insert(dialect)(_EVENTS).on_conflict_do_nothing(
        index_elements=["connection_id", "event_id"]
    )


def _new_events(dialect: Dialect) -> Any:
    """The multi-row insert of new events, built once per database kind: building and caching
    a statement per batch cost as much CPU as the rest of the commit."""
    if dialect.name not in _NEW_EVENTS:
        _NEW_EVENTS[dialect.name] = _insert_events(dialect).returning(
            _EVENTS.c.connection_id, _EVENTS.c.event_id
        )
    return _NEW_EVENTS[dialect.name]


_Placeholders = tuple[tuple[int, str], ...]  # the (row, column) each placeholder takes
_DRIVER_INSERTS: dict[tuple[str, tuple[str, ...], int], tuple[str, _Placeholders]] = {}
_DRIVER_MAX_ROWS = 128  # larger batches are rare and take SQLAlchemy's way (``store``)


def _driver_insert(
    dialect: Dialect, names: tuple[str, ...], count: int
) -> tuple[str, _Placeholders]:
    """SQLite: the insert of ``count`` rows of the columns ``names`` as the driver takes it,
    its SQL and which (row, column) each placeholder takes, from SQLAlchemy; built once per
    size. No RETURNING: the count of rows inserted says whether every one was new."""
    key = (dialect.name, names, count)
    if key not in _DRIVER_INSERTS:
        compiled = (
            _insert_events(dialect)
            .values([{n: bindparam(f"r{i}_{n}") for n in names} for i in range(count)])
            .compile(dialect=dialect)
        )
        order = []
        for param in compiled.positiontup or ():
            row, column = param[1:].split("_", 1)
            order.append((int(row), column))
        _DRIVER_INSERTS[key] = (compiled.string, tuple(order))
    return _DRIVER_INSERTS[key]


@dataclass(frozen=True, slots=True)
class NewEvents:
    """A batch of events none of which repeats another, as SQLite's driver takes them
    (``new_events``), for ``insert_new``."""

    sql: str
    params: tuple[Any, ...]
    rows: int
    answers: list[Accepted]  # each delivery's answer once every row is in


def new_events(dialect: Dialect, deliveries: list[Delivery]) -> NewEvents | None:
    """The batch as one insert the driver takes as it is, with its values converted as the
    ORM converts them, or None when an event id repeats within the batch or it is too large:
    then ``commit_batch`` decides, event by event. On SQLite a multi-row insert (each
    column's bind processor from SQLAlchemy); on PostgreSQL ``_postgres_insert``'s."""
    now = utcnow()
    entries, rows = _rows(deliveries, now)
    if not rows or len(rows) != len(entries):
        return None
    counts = [0] * len(deliveries)
    for index, *_ in entries:
        counts[index] += 1
    answers = [Accepted(n, 0, 0) for n in counts]
    if dialect.name == "postgresql":  # one statement whatever the batch's size
        return NewEvents(*_postgres_insert(rows, all_new=True), len(rows), answers)
    if len(rows) > _DRIVER_MAX_ROWS:
        return None
    names = tuple(rows[0])
    sql, order = _driver_insert(dialect, names, len(rows))
    converters = _converters(dialect, names)
    # The batch's one receipt time, converted once rather than once a row.
    at = converters["received_at"]
    fixed = {"received_at": now if at is None else at(now)}
    params = tuple(
        fixed[column]
        if column in fixed
        else (rows[row][column] if (convert := converters[column]) is None
              else convert(rows[row][column]))
        for row, column in order
    )  # fmt: skip
    return NewEvents(sql, params, len(rows), answers)


_CONVERTERS: dict[tuple[str, tuple[str, ...]], dict[str, Callable[[Any], Any] | None]] = {}


def _converters(dialect: Dialect, names: tuple[str, ...]) -> dict[str, Callable[[Any], Any] | None]:
    key = (dialect.name, names)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = {
            n: _EVENTS.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
        }
    return _CONVERTERS[key]


def insert_new(conn: Connection, batch: NewEvents) -> bool:
    """SQLite: insert a ``new_events`` batch straight through the driver (SQLAlchemy's way,
    its transaction, statement execution and result, costs the loop more than the commit
    itself), without RETURNING (fetching the rows back is a call into SQLite per row; the
    count of rows inserted says as much), in BEGIN IMMEDIATE. True: all inserted, the
    transaction left open for the caller's COMMIT (``SQLiteCommits`` runs it off the loop).
    False: nothing stored, as some id is already known (or the database refused a row):
    ``commit_batch`` then finds out which and how. A busy lock raises, as ``store`` does."""
    if conn.dialect.name != "sqlite":
        return False
    driver = cast(sqlite3.Connection, conn.connection.driver_connection)
    if driver.isolation_level is not None or driver.in_transaction:
        return False  # not the writer's autocommit connection (``writer_engine``)
    try:
        driver.execute("BEGIN IMMEDIATE")
        stored = driver.execute(batch.sql, batch.params).rowcount == batch.rows
        if not stored:
            driver.execute("ROLLBACK")
        return stored
    except sqlite3.OperationalError as exc:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:  # the error the transaction raises
            raise OperationalError(batch.sql, None, exc) from exc
        return False  # anything else: the transaction in ``store`` meets it and reports it
    except sqlite3.Error:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        return False


async def insert_new_postgres(driver: psycopg.AsyncConnection[Any], batch: NewEvents) -> bool:
    """PostgreSQL: insert a ``new_events`` batch as one statement in autocommit, so that its
    answer is its commit: one round trip, where SQLAlchemy's transaction costs three (BEGIN,
    the insert, COMMIT) and more of the loop's time than the database's. Without ON CONFLICT:
    an event id already known fails the whole statement, nothing is stored, and False sends
    the batch the general way (``commit_batch``), as does any row the database refuses. A
    lost server raises."""
    if not driver.autocommit:
        await driver.set_autocommit(True)
    try:
        cursor = await driver.execute(batch.sql, batch.params)
    except (psycopg.IntegrityError, psycopg.DataError, psycopg.ProgrammingError):
        return False
    return cursor.rowcount == batch.rows


_PG_TYPES = {Integer: "int", Boolean: "bool", UTCDateTime: "timestamptz", JSON: "json"}
_PG_INSERTS: dict[tuple[tuple[str, ...], bool], str] = {}


def _pg_type(kind: Any) -> str:
    return next((name for t, name in _PG_TYPES.items() if isinstance(kind, t)), "text")


def _postgres_insert(
    rows: list[dict[str, Any]], *, all_new: bool = False
) -> tuple[str, tuple[str]]:
    """PostgreSQL: the batch as one INSERT ... SELECT FROM json_to_recordset(the rows as one
    JSON document), its SQL the same whatever the batch's size. SQLAlchemy's multi-row VALUES
    has a placeholder per value: each batch size is another statement, rendered anew, and
    psycopg parses (and never caches) one that long on every execution. One array per column
    (unnest) cost psycopg 1.2 ms of CPU per 32 rows, escaping each value of each array in
    Python; the document is made by the json module's encoder in C, 0.2 ms (measured side by
    side). Values are converted as the ORM would: times to UTC (ISO 8601, to the
    microsecond), JSON as JSON. ``all_new``: no ON CONFLICT (an id already known fails the
    statement) and nothing returned (``insert_new_postgres``)."""
    names = tuple(rows[0])
    if (names, all_new) not in _PG_INSERTS:
        kinds = ", ".join(f"{n} {_pg_type(_EVENTS.c[n].type)}" for n in names)
        _PG_INSERTS[names, all_new] = (
            # Names and types from the table itself, never from input: no injection.
            f"INSERT INTO {_EVENTS.name} ({', '.join(names)}) SELECT {', '.join(names)} "  # noqa: S608
            f"FROM json_to_recordset(%s::json) AS batch({kinds})"
        ) + (
            ""
            if all_new
            else " ON CONFLICT (connection_id, event_id) DO NOTHING"
            " RETURNING connection_id, event_id"
        )
    times = [n for n in names if isinstance(_EVENTS.c[n].type, UTCDateTime)]
    if times:
        rows = [
            row | {n: None if row[n] is None else row[n].astimezone(UTC).isoformat() for n in times}
            for row in rows
        ]
    return _PG_INSERTS[names, all_new], (json.dumps(rows, ensure_ascii=False),)


def _rows(
    deliveries: list[Delivery], now: Any
) -> tuple[list[tuple[int, _Key, str, Envelope, Delivery]], list[dict[str, Any]]]:
    """Every envelope of the batch (its delivery's index, key, body hash), and the rows to
    insert: one per event id, the first envelope that names it."""
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
    # One order for every batch: two batches in flight at once (two replicas) that share
    # event ids then wait for each other's rows in the same order, never each for the
    # other's (a deadlock).
    rows.sort(key=lambda row: (row["connection_id"], row["event_id"]))
    return entries, rows


def store(conn: Connection, deliveries: list[Delivery]) -> list[Accepted]:
    """Commit several deliveries to the inbox in one transaction, each answered as if it had
    come alone (a later one with an event id an earlier one stored is its redelivery).

    New events go in with one multi-row insert; only an event id already known (or repeated
    within the batch) costs a query of its own, to tell a redelivery from a tampered one.
    """
    now = utcnow()
    entries, rows = _rows(deliveries, now)
    inserted: set[_Key] = set()
    with conn.begin():
        if rows:
            if conn.dialect.name == "postgresql":
                result = conn.exec_driver_sql(*_postgres_insert(rows))
            else:
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
            if _keep_conflict(conn, key, digest, item.raw, delivery.headers, now):
                log.warning(
                    "event %s for connection %d came again with another body: kept for audit, "
                    "not applied (later ones are only counted)",
                    key[1],
                    key[0],
                )
    return [Accepted(*c) for c in counts]


def _keep_conflict(
    conn: Connection, key: _Key, digest: str, body: str, headers: dict[str, str], now: Any
) -> bool:
    """Record a redelivery of a known event id with another body. The first such body is kept
    whole; later ones are only counted (with when the last came and its hash), so one captured
    signed event id replayed with new bodies stores at most one extra body, however many come
    (see ``ConflictingDelivery``). True when this one was the first (and so is logged)."""
    counted = {"count": _CONFLICTS.c.count + 1, "last_at": now, "last_sha256": digest}
    same = (_CONFLICTS.c.connection_id == key[0]) & (_CONFLICTS.c.event_id == key[1])
    # The usual case after the first: an update, without sending the body to the database.
    if conn.execute(_CONFLICTS.update().where(same).values(counted)).rowcount:
        return False
    first = upsert_insert(conn.dialect)(_CONFLICTS).values(
        connection_id=key[0], event_id=key[1], body=body, body_sha256=digest, headers=headers,
        received_at=now, count=1, last_at=now, last_sha256=digest,
    )  # fmt: skip
    # Another server (a replica) may record the first at the same moment: then this counts.
    conn.execute(
        first.on_conflict_do_update(index_elements=["connection_id", "event_id"], set_=counted)
    )
    return True


class Link:
    """The SQLite writer's connection, kept open from batch to batch (checking one out of the
    pool per batch is pool bookkeeping on the loop). Dropped after any error other than a busy
    lock, so a connection in a bad state is replaced by the next batch."""

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


def commit_batch(conn: Connection, deliveries: list[Delivery]) -> list[Accepted | Exception] | None:
    """``store`` the batch; if that fails, store each delivery alone, so that one delivery's
    trouble (a connection deleted meanwhile) fails that delivery only. Every delivery gets its
    answer or its error; None when SQLite's write lock is held by another connection (the
    worker, a CLI): nothing was stored, and the caller tries again (without blocking)."""
    try:
        return list(store(conn, deliveries))
    except OperationalError as exc:
        if _locked(exc):
            return None
        failed: Exception = exc
    except Exception as exc:
        failed = exc
    if len(deliveries) == 1 or not isinstance(failed, IntegrityError | DataError):
        # Only a row the database refuses is one delivery's trouble. A lock held past the
        # receiver's limits, a lost server: every delivery would meet it again, each after
        # its own wait; all are answered with it at once (503), in one wait.
        return [failed] * len(deliveries)
    answers: list[Accepted | Exception] = []
    for delivery in deliveries:
        try:
            [answer] = store(conn, [delivery])
        except Exception as alone:  # a busy lock here too: this delivery is answered 503
            answers.append(alone)
        else:
            answers.append(answer)
    return answers


def _locked(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


def _sqlite_no_wait(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own busy handler sleeps in the calling thread, the event loop's here, and
    # 1, 2, 5, 10 ... ms between tries. The writer asks again every half millisecond instead
    # without blocking the loop (``SQLiteCommits``), so it waits about as long as the lock is
    # held. Transactions are then opened by hand (``_sqlite_begin_immediate``), as
    # SQLAlchemy's pysqlite documentation shows.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    # A commit that fills the WAL past 1,000 pages would copy them back into the database
    # (and fsync it) before its deliveries were answered: 5-15 ms for every ~200 deliveries.
    # ``Checkpointer`` does that beside the writer instead.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
    # A batch's multi-row INSERT keeps a statement journal (to undo the statement alone): in a
    # temporary file by default, created, written and deleted on the event loop for every
    # batch (16 system calls, ten 4 KB writes among them, at 15 deliveries a batch). In memory
    # it holds at most one batch's pages.
    dbapi_connection.execute("PRAGMA temp_store=MEMORY")


def _sqlite_begin_immediate(conn: Connection) -> None:
    # Take the write lock at BEGIN: a batch is refused whole, before any work, when another
    # writer holds it, never halfway through.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def writer_engine(database_url: str) -> Engine:
    """A blocking engine for ``commit_batch`` (the SQLite writer's); on SQLite, its connections
    wait for the write lock the writer's way and leave checkpoints to ``Checkpointer``."""
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

_RETRY_S = 0.0005


class SQLiteCommits:
    """Batches inserted on the event loop itself (see the module's docstring), their values
    made ready for the driver first (``new_events``); the COMMIT of a batch of new events, the
    fsync, on a thread of its own, while the loop reads the deliveries of the next batch.
    While another connection holds the write lock the loop goes on serving, and the batch asks
    again every half millisecond (about as often as a lock held for a few ms is let go), for
    at most ``lock_wait_s``."""

    def __init__(self, database_url: str, lock_wait_s: float) -> None:
        self.lock_wait_s = lock_wait_s
        self._engine = writer_engine(database_url)
        self._link = Link(self._engine)
        self._syncs = ThreadPoolExecutor(1, thread_name_prefix="disty-inbox-fsync")
        self._checkpoints = Checkpointer(database_url)
        self._checkpoints.start()

    async def _commit_off_the_loop(self, conn: Connection) -> None:
        """The open transaction's COMMIT on the thread: it gives the GIL back for its fsync
        and takes it once more to return."""
        driver = cast(sqlite3.Connection, conn.connection.driver_connection)
        await asyncio.get_running_loop().run_in_executor(self._syncs, driver.execute, "COMMIT")

    async def commit(self, deliveries: list[Delivery]) -> list[Accepted | Exception]:
        deadline = time.monotonic() + self.lock_wait_s
        try:
            new = new_events(self._engine.dialect, deliveries)
        except Exception:  # a value the driver's way cannot convert: ``store`` reports it
            new = None
        while True:
            answers: list[Accepted | Exception] | None
            try:
                conn = self._link.get()
                if new is not None and insert_new(conn, new):
                    await self._commit_off_the_loop(conn)
                    answers = list(new.answers)
                else:
                    answers = commit_batch(conn, deliveries)
            except OperationalError as exc:
                answers = None if _locked(exc) else [exc] * len(deliveries)
            except Exception as exc:  # the connection could not even be opened, a failed fsync
                answers = [exc] * len(deliveries)
            if answers is not None:
                break
            if time.monotonic() > deadline:
                held = sqlite3.OperationalError("database is locked (held too long by another)")
                locked = OperationalError("INSERT INTO inbound_events", None, held)
                answers = [locked] * len(deliveries)
                break
            await asyncio.sleep(_RETRY_S)
        if any(isinstance(a, Exception) for a in answers):
            self._link.drop()  # closing it rolls back whatever a failed COMMIT left open
        self._checkpoints.wrote()
        return answers

    async def close(self) -> None:
        await asyncio.to_thread(self._checkpoints.close)
        self._syncs.shutdown()
        self._link.drop()
        self._engine.dispose()


class DriverCommits:
    """PostgreSQL, over the async driver, so the loop serves other requests while the
    database answers: a batch of new events (the usual case) as one statement in autocommit
    (``insert_new_postgres``), any other through ``commit_batch`` in a transaction. The
    connection is kept open from batch to batch (a checkout would cost a ping) and replaced
    after any error (a restarted server)."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url, bounded=True)  # 503 in seconds, not a hang
        self._conn: AsyncConnection | None = None
        self._driver: psycopg.AsyncConnection[Any] | None = None

    async def commit(self, deliveries: list[Delivery]) -> list[Accepted | Exception]:
        try:
            new = new_events(self.engine.dialect, deliveries)
        except Exception:  # a value the driver's way cannot convert: ``store`` reports it
            new = None
        answers: list[Accepted | Exception] | None
        try:
            if self._conn is None or self._driver is None:
                self._conn = await self.engine.connect()
                raw = await self._conn.get_raw_connection()
                self._driver = cast(psycopg.AsyncConnection[Any], raw.driver_connection)
            if new is not None and await insert_new_postgres(self._driver, new):
                return list(new.answers)
            if self._driver.autocommit:  # ``commit_batch``'s transaction is SQLAlchemy's
                await self._driver.set_autocommit(False)
            answers = await self._conn.run_sync(commit_batch, deliveries)
        except Exception as exc:
            answers = [exc] * len(deliveries)
        if answers is None:  # a held lock is SQLite's; PostgreSQL waits for row locks itself
            answers = [RuntimeError("the inbox was locked")] * len(deliveries)
        if any(isinstance(a, Exception) for a in answers):
            await self._drop()
        return answers

    async def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = self._driver = None

    async def close(self) -> None:
        await self._drop()
        await self.engine.dispose()


class InboxWriter:
    """Deliveries in, answers out; see the module docstring. ``start`` in the event loop
    before the first ``accept``, ``close`` when the server stops (waiting deliveries are still
    committed). ``lock_wait_s``: how long a batch waits for SQLite's write lock, held by
    another connection, before its deliveries are answered with the error (503)."""

    def __init__(
        self, database_url: str, *, max_envelopes: int = 500, lock_wait_s: float = 5.0
    ) -> None:
        self.database_url = database_url
        self.max_envelopes = max_envelopes
        self.lock_wait_s = lock_wait_s
        self._commits: SQLiteCommits | DriverCommits | None = None
        self._pending: list[_Waiting] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        if is_sqlite(self.database_url):
            self._commits = SQLiteCommits(self.database_url, self.lock_wait_s)
        else:
            self._commits = DriverCommits(self.database_url)
        self._task = asyncio.get_running_loop().create_task(
            self._run(self._commits), name="inbox-writer"
        )

    async def accept(
        self, destination: Destination, items: list[Envelope], headers: Mapping[str, str]
    ) -> Accepted:
        if self._task is None or self._task.done() or self._closing:
            raise RuntimeError("the inbox writer is not running")
        future: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        delivery = Delivery(destination, items, kept_headers(destination, headers))
        self._pending.append((delivery, future))
        self._wake.set()
        # A request cancelled meanwhile (its client hung up) does not stop the commit; its
        # events may still be stored, and a redelivery then finds them.
        return await asyncio.shield(future)

    async def close(self) -> None:
        if self._task is None or self._commits is None or self._closing:
            return
        self._closing = True
        self._wake.set()
        await self._task
        await self._commits.close()

    async def _run(self, commits: SQLiteCommits | DriverCommits) -> None:
        """Commit whatever is waiting, as one batch, until nothing is; then wait for more.
        Whatever arrives while a commit runs (or in the same turn of the loop) goes in the
        next one, so batches grow with the load and nothing waits for a batch to fill."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._pending:
                    batch = self._take()
                    try:
                        answers = await commits.commit([d for d, _ in batch])
                    except Exception as exc:  # never leave a delivery without its answer
                        answers = [exc] * len(batch)
                    _settle([(f, a) for (_, f), a in zip(batch, answers, strict=True)])
                if self._closing:
                    return
        finally:
            _settle([(f, RuntimeError("the inbox writer stopped")) for _, f in self._pending])
            self._pending.clear()

    def _take(self) -> list[_Waiting]:
        """The waiting deliveries, oldest first, up to ``max_envelopes`` (at least one)."""
        size = count = 0
        for delivery, _ in self._pending:
            size += len(delivery.items)
            if count and size > self.max_envelopes:
                break
            count += 1
        batch, self._pending = self._pending[:count], self._pending[count:]
        return batch


def _settle(pairs: list[tuple[asyncio.Future[Accepted], Accepted | Exception]]) -> None:
    for future, answer in pairs:
        if future.done():
            continue
        if isinstance(answer, Exception):
            future.set_exception(answer)
        else:
            future.set_result(answer)
