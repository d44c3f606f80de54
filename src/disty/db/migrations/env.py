"""Alembic environment. disty runs it through disty.db.migrate, which hands over a connection;
run standalone (``alembic -c ...``), it connects to DISTY_DATABASE_URL itself."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from disty.db import models
from disty.db.base import Base
from disty.db.migrate import ours

models.load_all()  # every table on Base.metadata, for autogenerate to compare
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
        include_name=ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from disty.config import load_settings
    from disty.db.engine import create_engine

    engine = create_engine(load_settings().resolved_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_standalone())
