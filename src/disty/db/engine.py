"""The async engine and session factory, for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as _create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from disty.errors import ConfigurationError

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


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    normalised = normalise_url(url)
    if is_sqlite(normalised):
        # No pre-ping: a file database has no connection to lose, and the ping would cost a
        # round trip to aiosqlite's thread on every checkout.
        engine = _create_async_engine(normalised)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return _create_async_engine(normalised, pool_pre_ping=True)


def create_sync_engine(url: str, *, pool_size: int = 1) -> Engine:
    """A blocking engine on the same database, for work done in a thread of its own."""
    parsed = make_url(normalise_url(url))
    parsed = parsed.set(drivername=_SYNC_DRIVERS[parsed.drivername])
    if parsed.get_backend_name() == "sqlite":
        engine = _create_sync_engine(parsed, pool_size=pool_size, max_overflow=0)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return _create_sync_engine(parsed, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
