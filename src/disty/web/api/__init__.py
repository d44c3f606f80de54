"""The JSON API under /api/v1: one module per resource; every route authenticates a tenant's
token and needs a scope (read, order, admin); errors are problem details."""

from fastapi import APIRouter

from disty.web.api import (
    connections,
    events,
    freight,
    invoices,
    pos,
    prices,
    quotes,
    returns,
    sourcing,
    suppliers,
    tenant,
)
from disty.web.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
router.include_router(suppliers.router)
router.include_router(connections.router)
router.include_router(prices.router)
router.include_router(pos.router)
router.include_router(sourcing.router)
router.include_router(quotes.router)
router.include_router(invoices.router)
router.include_router(returns.router)
router.include_router(freight.router)
router.include_router(events.router)
router.include_router(tenant.router)

__all__ = ["router"]
