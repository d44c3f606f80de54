"""Quotes (search, open, turn into a PO), invoices per PO, returns (list, open one)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
