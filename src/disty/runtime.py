"""What a running disty holds open: settings, the database engine and the secret keys.

Every entry point (CLI command, web app, worker) opens one Runtime; opening it applies the
migrations, so the schema is always current before any work starts. The supplier hub (the HTTP
client, its connection pool and TLS context) is made when first used: most CLI commands only
read the database and never load it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from disty.config import Settings
from disty.crypto import SecretBox
from disty.db import migrate
from disty.db.engine import PoolLimits, create_engine, describe, session_factory
from disty.errors import ConfigurationError
from disty.suppliers.retry import RetryPolicy

if TYPE_CHECKING:
    from disty.services.suppliers import Suppliers
    from disty.suppliers.hub import SupplierHub


class _Hub:
    """The runtime's supplier hub: the one handed in, or one made on first use."""

    def __init__(
        self, settings: Settings, given: SupplierHub | None, engine: AsyncEngine, box: SecretBox
    ) -> None:
        self._settings = settings
        self._given = given
        self._engine, self._box = engine, box
        self._made: SupplierHub | None = None

    def get(self) -> SupplierHub:
        if self._given is not None:
            return self._given
        if self._made is None:
            from disty.services.token_cache import DatabaseTokenCache
            from disty.suppliers.hub import SupplierHub

            limiter = None  # the hub's own, in this process (SQLite)
            if self._engine.dialect.name == "postgresql":
                # Replicas and workers count against the distributors' limits together.
                from disty.services.shared_state import SharedRateLimiter

                limiter = SharedRateLimiter(self._engine)
            self._made = SupplierHub(
                timeout_s=self._settings.supplier_timeout_s,
                policy=RetryPolicy(deadline_s=self._settings.supplier_deadline_s),
                # Every process on the database uses one token per app (both databases).
                tokens=DatabaseTokenCache(self._engine, self._box),
                limiter=limiter,
            )
        return self._made

    async def aclose(self) -> None:
        """Closes the hub made here (one handed in belongs to whoever made it)."""
        if self._made is not None:
            await self._made.aclose()


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    box: SecretBox
    _hub: _Hub = field(repr=False)

    @property
    def hub(self) -> SupplierHub:
        return self._hub.get()

    @property
    def suppliers(self) -> Suppliers:
        """What every use case that calls a supplier is handed."""
        from disty.services.suppliers import Suppliers

        return Suppliers(self.box, self.hub, self.settings)


def database_unreachable(settings: Settings, exc: DBAPIError) -> ConfigurationError:
    # The driver's first line says why (refused, unknown database ...) and never holds the
    # password; the URL is shown with its password hidden.
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    return ConfigurationError(
        f"cannot open the database {describe(settings.resolved_database_url)} ({reason}): "
        "check DISTY_DATABASE_URL and that the database server is running"
    )


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, apply_migrations: bool = True, hub: SupplierHub | None = None
) -> AsyncIterator[Runtime]:
    """``hub`` lets a test hand in one with its own retry policy or timeouts."""
    settings.ensure_home()
    box = settings.secret_box()
    limits = PoolLimits(
        settings.db_pool_size, settings.db_pool_overflow, settings.db_pool_timeout_s
    )
    engine = create_engine(settings.resolved_database_url, pool=limits)
    hubs = _Hub(settings, hub, engine, box)
    try:
        if apply_migrations:
            try:
                await migrate.upgrade(engine)
            except DBAPIError as exc:
                raise database_unreachable(settings, exc) from None
        yield Runtime(settings, engine, session_factory(engine), box, hubs)
    finally:
        await hubs.aclose()
        await engine.dispose()
