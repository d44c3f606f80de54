"""Products: catalog search, product details, live price and availability for a pasted list, and a
PO created from the priced list."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
