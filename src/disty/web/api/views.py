"""Supplier answers as API clients see them: plain JSON with money as strings (no float ever
rounds a price), and a supplier's numbered pages as the API's limit/offset pages."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from fastapi import Query

from disty.domain.paging import SupplierPage
from disty.web.api.deps import SupplierName
from disty.web.api.pagination import Page, PageParams

# A supplier's page holds at most 100 rows (the strictest supplier's limit); a larger limit is
# answered 100 at a time (the page says so).
SUPPLIER_PAGE_MAX = 100

CountryQ = Annotated[int, Query(description="Country id: 1 = United States, 29 = Canada.")]
SupplierQ = Annotated[SupplierName, Query(description="The supplier (GET /api/v1/suppliers).")]


def _money(value: Decimal) -> str:
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"


def plain(value: Any) -> Any:
    """A domain value as JSON; ``raw`` supplier bodies stay out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "raw"
        }
    if isinstance(value, Decimal):
        return _money(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def supplier_window(params: PageParams) -> tuple[int, int]:
    """(page number, page size) to ask the supplier for; the offset is rounded down to a page
    boundary (the answer's ``offset`` says where it really starts)."""
    size = min(params.limit, SUPPLIER_PAGE_MAX)
    return params.offset // size + 1, size


def supplier_page(found: SupplierPage[Any], number: int, size: int) -> Page[dict[str, Any]]:
    offset = (number - 1) * size
    more = len(found.items) == size and offset + len(found.items) < found.total
    return Page[dict[str, Any]](
        items=[plain(item) for item in found.items],
        limit=size,
        offset=offset,
        next_offset=offset + size if more else None,
    )
