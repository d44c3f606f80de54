"""The Ingram ASGI app: routes of the spec's paths, behind the fault injector."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from disty.simulator.ingram import errors, oauth, routes_catalog, routes_pna
from disty.simulator.ingram.faults import FaultInjector
from disty.simulator.ingram.state import SimState


async def _no_such_proxy(request: Request, exc: Exception) -> Response:
    # Apigee's answer for a path it has no proxy for (part 2 fills in orders and the rest).
    return errors.gateway_fault(
        404,
        f"Unable to identify proxy for host: default and url: {request.url.path}",
        "messaging.adaptors.http.flow.ApplicationNotFound",
    )


async def _wrong_method(request: Request, exc: Exception) -> Response:
    return errors.gateway_fault(
        405, "Method not allowed", "messaging.adaptors.http.flow.MethodNotAllowed"
    )


def create_ingram_app(state: SimState) -> ASGIApp:
    routes = [
        Route("/oauth/oauth20/token", oauth.token, methods=["GET", "POST"]),
        Route("/oauth/oauth30/token", oauth.token, methods=["GET", "POST"]),
        Route("/resellers/v6/catalog", routes_catalog.search, methods=["GET"]),
        Route(
            "/resellers/v6/catalog/details",
            routes_catalog.details_by_vendor_part_number,
            methods=["GET"],
        ),
        Route(
            "/resellers/v6/catalog/details/{ingramPartNumber}",
            routes_catalog.details,
            methods=["GET"],
        ),
        Route(
            "/resellers/v6/catalog/priceandavailability",
            routes_pna.price_and_availability,
            methods=["POST"],
        ),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _no_such_proxy, 405: _wrong_method})
    app.state.sim = state
    return FaultInjector(app, state)
