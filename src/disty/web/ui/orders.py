"""POs: the list with filters, each PO's page (timeline, lines, shipments, serials, invoices;
updated live), submit, approve price drift, release, cancel, refresh."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
