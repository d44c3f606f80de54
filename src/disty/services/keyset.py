"""Lists that stay fast however long they grow: keyset pages, prefix search, dates.

A page is asked for with a cursor, the (sort key, id) of the last row already shown, never an
OFFSET: the database walks an index on (tenant_id, sort key, id) from that point, so page 4,000
costs what page 1 does, and rows inserted meanwhile neither repeat nor skip a row of the pages
that follow (a newer row lands before the cursor, where the reader has already been).

Search is by prefix or equality on indexed columns (a PO number, an order number, a SKU), as
a person types the start of a number they have in front of them; no substring search (that
would read every row). The prefix is compared byte-wise on both databases (PostgreSQL's
pattern operators, whatever the database's collation; SQLite's default BINARY), so "PO-"
finds "PO-1" everywhere and "po-" does not.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disty.errors import InvalidInput

PAGE_SIZE = 50
EXPORT_BATCH = 1000  # rows per query of a CSV export: memory stays flat however many rows


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: after the row with this sort key and id (in the list's order)."""

    at: datetime
    id: int

    def encode(self) -> str:
        text = f"{self.at.astimezone(UTC).isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """A cursor from a ``next`` link; anything else is refused as the client's error."""
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            at, pk = text.split("|")
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None:
                raise ValueError(at)
            return cls(moment, int(pk))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput(
                "that page link is not valid: start again from the first page", field="cursor"
            ) from None


def cursor(value: str | None) -> Cursor | None:
    return Cursor.decode(value) if value else None


T = TypeVar("T")


async def walk(
    sessions: async_sessionmaker[AsyncSession],
    batch: Callable[[AsyncSession, Cursor | None, int], Awaitable[list[T]]],
    cursor_of: Callable[[T], Cursor],
) -> AsyncIterator[T]:
    """Every row of a list (a CSV export), ``EXPORT_BATCH`` at a time from the cursor of the
    batch before, each batch in a session of its own: a slow download holds no connection
    between batches, and memory stays flat however many rows there are."""
    after: Cursor | None = None
    while True:
        async with sessions() as session:
            rows = await batch(session, after, EXPORT_BATCH)
            session.expunge_all()  # ORM rows outlive their session as plain objects
        for row in rows:
            yield row
        if len(rows) < EXPORT_BATCH:
            return
        after = cursor_of(rows[-1])


def after(sort: Any, pk: Any, where: Cursor | None, *, newest_first: bool) -> ColumnElement[bool]:
    """Rows after the cursor in the list's order (a row value comparison, which both
    databases answer from the (tenant, sort, id) index)."""
    if where is None:
        return and_(True)
    key = tuple_(sort, pk)
    # The cursor's time bound as the column's type: stored as the column stores it.
    mark = tuple_(literal(where.at, sort.type), literal(where.id, pk.type))
    return key < mark if newest_first else key > mark


def order(sort: Any, pk: Any, *, newest_first: bool) -> tuple[Any, Any]:
    return (sort.desc(), pk.desc()) if newest_first else (sort.asc(), pk.asc())


def prefix(session: AsyncSession, column: Any, text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text`` (case as given), as a range an index answers.

    PostgreSQL's ``~>=~``/``~<~`` compare byte-wise and use a ``varchar_pattern_ops`` index
    in any collation (a plain range would follow the collation, where "PO-1" may sort outside
    ["PO-", "PO.")); SQLite compares byte-wise already. Unlike LIKE with a bound parameter, a
    range stays an index range in a prepared statement's generic plan.
    """
    bytewise = session.get_bind().dialect.name == "postgresql"
    start: ColumnElement[bool] = column.op("~>=~")(text) if bytewise else column >= text
    following = ord(text[-1]) + 1
    if following > 0x10FFFF:  # nothing sorts after the last code point: no upper bound
        return start
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters (nor UTF-8)
        following = 0xE000
    upper = text[:-1] + chr(following)
    return and_(start, column.op("~<~")(upper) if bytewise else column < upper)


def day_start(value: date | None) -> datetime | None:
    """The first moment of a day (UTC), for a "from" date."""
    return datetime.combine(value, time(), UTC) if value else None


def day_end(value: date | None) -> datetime | None:
    """The first moment after a day (UTC), for an inclusive "to" date."""
    return datetime.combine(value + timedelta(days=1), time(), UTC) if value else None


def parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date: use YYYY-MM-DD", field=field) from None
