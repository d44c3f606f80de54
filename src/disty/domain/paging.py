"""One page of a supplier's search, as every adapter answers it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SupplierPage(Generic[T]):
    """``total`` is what the supplier says it found (it pages by number, from 1)."""

    items: list[T]
    total: int
    page: int
    page_size: int
    raw: dict[str, object] = field(default_factory=dict, repr=False)
