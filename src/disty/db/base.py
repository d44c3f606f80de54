"""The declarative base shared by every model, and the column types they agree on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Numeric, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, UOWTransaction
from sqlalchemy.types import TypeDecorator

# Named constraints, so migrations can alter them by name on both SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Amounts: a price, a line's total. Fourteen digits, four after the point (unit prices carry
# them); never a float.
MONEY = Numeric(14, 4)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Where an index keeps its options for one database until load_all() sets them: see
# dialect_kwargs.
DIALECT_KWARGS = "dialect_kwargs"


def dialect_kwargs(**kwargs: Any) -> dict[str, dict[str, Any]]:
    """An index's options for one database (``postgresql_ops=``, ``sqlite_where=``), as its
    ``info``: ``Index("ix_po_lines_sku", "sku", info=dialect_kwargs(postgresql_ops=...))``.

    Given to ``Index`` itself, SQLAlchemy checks them as the model is declared by importing
    that database's dialect: PostgreSQL's (every driver's module, 20 ms) on SQLite too, for a
    command that only reads a PO. Only DDL reads them, and what reads the whole schema
    (Alembic, tests comparing the models with the database) calls models.load_all(), which
    sets them (:func:`apply_dialect_kwargs`) as if they had been given to ``Index``."""
    return {DIALECT_KWARGS: kwargs}


def apply_dialect_kwargs(metadata: MetaData) -> None:
    """Give each index the options :func:`dialect_kwargs` kept (idempotent)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            index.dialect_kwargs.update(index.info.get(DIALECT_KWARGS, {}))


def upsert_insert(dialect: Dialect) -> Any:
    """The dialect's INSERT, the one that knows ON CONFLICT (SQLite and PostgreSQL both do).

    Imported here: PostgreSQL's dialect package (every driver's module) costs a SQLite command
    20 ms it need not pay."""
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    SQLite stores no zone, so values come back naive; this type refuses naive input and hands
    back aware UTC datetimes everywhere, so comparisons never mix the two kinds.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Session, "before_flush")
def _load_referenced_tables(session: Session, flush: UOWTransaction, instances: Any) -> None:
    """A model's module leaves the tables its foreign keys name in other modules unloaded (a
    read needs none of them); a flush sorts its rows by every mapped table's foreign keys, so
    they are loaded here, before it (db/models/__init__.py's load_referenced)."""
    from disty.db.models import load_referenced

    load_referenced()
