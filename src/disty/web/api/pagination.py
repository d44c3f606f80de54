"""Every list of the API pages the same way: ``limit`` (1-200, default 50) and ``offset``;
the answer says where the next page starts (``next_offset``, null on the last page).

Lists that grow without bound (POs, webhook events) also take ``cursor``: the
``next_cursor`` of the page before. The database then starts from an index entry instead of
counting ``offset`` rows, so page 2,000 costs what page 1 does, and rows added meanwhile are
neither repeated nor skipped. ``offset`` keeps working there for existing clients (counted
after the cursor when both are given)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int
    cursor: str | None = None


def _params(
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many items.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(_params)]


def _cursor_params(
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many items.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="Start after the page that answered this next_cursor."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, offset=offset, cursor=cursor)


CursorPaging = Annotated[PageParams, Depends(_cursor_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None
    next_cursor: str | None = None  # lists that take ``cursor``: where the next page starts


def page(rows: list[T], params: PageParams, next_cursor: str | None = None) -> Page[T]:
    """``rows`` fetched with ``limit + 1`` (the extra one only tells that a next page exists),
    or ``limit`` rows and the ``next_cursor`` of a keyset list."""
    more = len(rows) > params.limit or next_cursor is not None
    return Page[T](
        items=rows[: params.limit],
        limit=params.limit,
        offset=params.offset,
        next_offset=params.offset + params.limit if more else None,
        next_cursor=next_cursor,
    )
