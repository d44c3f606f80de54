"""Every list of the API pages the same way: ``limit`` (1-200, default 50) and ``offset``;
the answer says where the next page starts (``next_offset``, null on the last page)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int


def _params(
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many items.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def page(rows: list[T], params: PageParams) -> Page[T]:
    """``rows`` fetched with ``limit + 1``: the extra one only tells that a next page exists."""
    more = len(rows) > params.limit
    return Page[T](
        items=rows[: params.limit],
        limit=params.limit,
        offset=params.offset,
        next_offset=params.offset + params.limit if more else None,
    )
