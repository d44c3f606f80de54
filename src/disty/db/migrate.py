"""Apply and inspect the Alembic migrations, on the engine disty already has open.

Every command opens the runtime, which brings the database up to date first. Alembic (and the
template engine it loads) costs a third of a second to import, so a database already at the
newest revision is recognised without it: each migration file is named after its revision
(``0013_supplier_preference.py`` holds revision ``"0013"``), the newest file names the head,
and one query reads the database's revision. Only a database behind it loads Alembic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = Path(__file__).parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares a table with the models: not procrastinate's, which migration
    0017 brings on PostgreSQL from procrastinate itself (its job queue)."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "disty.db:migrations")
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def newest_file_revision() -> str | None:
    """The head as the file names tell it (tests/integration/test_migrations.py checks that it
    is Alembic's head), without importing Alembic."""
    names = [p.name.partition("_")[0] for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")]
    return max(names, default=None)


async def stored_revision(engine: AsyncEngine) -> str | None:
    """The database's revision, read with one query (None: never migrated)."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        return str(rows[0][0]) if len(rows) == 1 else None

    async with engine.connect() as connection:
        return await connection.run_sync(read)


@asynccontextmanager
async def _migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction to migrate on.

    On SQLite, foreign keys are off meanwhile: batch mode changes a table by copying it and
    dropping the old one, and with foreign keys on, that DROP deletes every row referring to
    it (ON DELETE CASCADE): a connection's webhook keys, events and POs. They are checked
    once the migrations are done, before anything is committed. (The pragma only takes effect
    outside a transaction, hence before ``begin``.)"""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                yield connection
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    if revision == "head" and await stored_revision(engine) == newest_file_revision():
        return  # current already: nothing to load Alembic for

    def run(connection: Connection) -> None:
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with _migrating(engine) as connection:
        await connection.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with _migrating(engine) as connection:
        await connection.run_sync(run)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def is_current(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()
