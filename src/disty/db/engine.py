"""The async engine and session factory, for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as _create_sync_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from disty.errors import ConfigurationError

log = logging.getLogger(__name__)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
# The same databases from a plain thread (the inbox writer): the drivers the async ones wrap.
_SYNC_DRIVERS = {"sqlite+aiosqlite": "sqlite+pysqlite", "postgresql+psycopg": "postgresql+psycopg"}


def normalise_url(url: str) -> str:
    """Accept the usual spellings (postgresql://, sqlite:///) and pick the async driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "DISTY_DATABASE_URL is not a database URL: use sqlite+aiosqlite:///path/disty.db or "
            "postgresql://host:5432/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in _ASYNC_DRIVERS:
        raise ConfigurationError(
            f"DISTY_DATABASE_URL names {backend!r}: disty runs on sqlite and postgresql"
        )
    driver = _ASYNC_DRIVERS[backend]
    if parsed.drivername != driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web app read while the worker
    # writes; busy_timeout waits for a lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


_warned: set[Path] = set()


def _private_sqlite_file(url: URL) -> None:
    """Create a SQLite database file readable by its owner only (0600), as secret.key is: it
    holds encrypted secrets, token hashes, password hashes and every PO. SQLite creates the
    -wal and -shm files beside it with the database file's own mode. An existing file that
    others can read is warned of, once per process (disty does not change a file it did not
    make)."""
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name).expanduser()
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    except OSError:
        return  # no such folder, say: SQLite reports it when it opens the file
    resolved = path.resolve()
    if resolved in _warned:
        return
    loose = [
        str(each)
        for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        if each.exists() and each.stat().st_mode & 0o077
    ]
    if loose:
        _warned.add(resolved)
        log.warning(
            "%s readable by other users: run chmod 600 on %s",
            " and ".join(loose) + (" is" if len(loose) == 1 else " are"),
            "it" if len(loose) == 1 else "them",
        )


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


# The webhook receiver's limits on PostgreSQL (``create_engine(..., bounded=True)``): a delivery
# that cannot be stored must get its 503 in seconds (the distributor delivers again later), not
# hang behind a lock or an unreachable server. Set on the receiver's own connections only:
# migrations and the worker's long transactions keep the server's defaults.
CONNECT_TIMEOUT_S = 3  # libpq's connect_timeout (whole seconds, at least 2)
LOCK_TIMEOUT_MS = 2000  # waiting for a lock another transaction holds (LOCK TABLE, a migration)
STATEMENT_TIMEOUT_MS = 5000  # any one statement, locks included: the backstop
TCP_USER_TIMEOUT_MS = 5000  # data sent and never acknowledged (a server gone without a word)
POOL_TIMEOUT_S = 3.0  # waiting for a free connection of the pool


def _postgres_limits(dbapi_connection: Any, _record: Any) -> None:
    # Session settings, set once per connection: the pool's reset on return (a ROLLBACK) keeps
    # them. Autocommit for the SETs themselves, as SQLAlchemy's documentation shows for
    # search_path, so no transaction is left open.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    cursor.close()
    dbapi_connection.autocommit = autocommit


@dataclass(frozen=True)
class PoolLimits:
    """A pool's connections kept (``size``), more at a busy moment (``overflow``), and how long
    a checkout waits for one before it fails (SQLAlchemy's TimeoutError: the web app's 503)
    rather than hanging (Settings.db_pool_*)."""

    size: int = 5
    overflow: int = 10
    timeout_s: float = 30.0

    def options(self) -> dict[str, Any]:
        return {
            "pool_size": self.size,
            "max_overflow": self.overflow,
            "pool_timeout": self.timeout_s,
        }


def create_engine(
    url: str, *, bounded: bool = False, pool: PoolLimits | None = None
) -> AsyncEngine:
    """``bounded``: the webhook receiver's engine. On PostgreSQL its connections give up after
    the limits above, so every database failure on the receiver's path is an error in seconds;
    on SQLite the busy timeout (5 s) bounds the wait for a lock already. ``pool``: the
    limits of the pool (SQLAlchemy's defaults without)."""
    normalised = normalise_url(url)
    options = pool.options() if pool is not None else {}
    if is_sqlite(normalised):
        _private_sqlite_file(make_url(normalised))
        # No pre-ping: a file database has no connection to lose, and the ping would cost a
        # round trip to aiosqlite's thread on every checkout.
        engine = _create_async_engine(normalised, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if not bounded:
        return _create_async_engine(normalised, pool_pre_ping=True, **options)
    query = make_url(normalised).query
    connect_args = {
        name: value
        for name, value in (
            ("connect_timeout", CONNECT_TIMEOUT_S),
            ("tcp_user_timeout", TCP_USER_TIMEOUT_MS),
        )
        if name not in query  # what the operator wrote in DISTY_DATABASE_URL wins
    }
    engine = _create_async_engine(
        normalised, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT_S, connect_args=connect_args
    )
    event.listen(engine.sync_engine, "connect", _postgres_limits)
    return engine


def create_sync_engine(url: str, *, pool_size: int = 1) -> Engine:
    """A blocking engine on the same database, for work done in a thread of its own."""
    parsed = make_url(normalise_url(url))
    parsed = parsed.set(drivername=_SYNC_DRIVERS[parsed.drivername])
    if parsed.get_backend_name() == "sqlite":
        _private_sqlite_file(parsed)
        engine = _create_sync_engine(parsed, pool_size=pool_size, max_overflow=0)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return _create_sync_engine(parsed, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)


def libpq_conninfo(database_url: str) -> str:
    """libpq's form of a PostgreSQL database URL (its options, such as a search path, kept),
    for what connects without SQLAlchemy (the job queue, a LISTEN connection)."""
    parsed = make_url(normalise_url(database_url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
