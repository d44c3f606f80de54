"""The Ingram ASGI app: routes of the spec's paths, behind the fault injector.

``SchedulerKick`` wraps the routes: it starts the background ticker on a running clock and,
once a call has been answered, lets the scheduler run what the call made due (webhooks of a
new order...), so deliveries never hold up an answer.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from disty.simulator.ingram import (
    deals,
    errors,
    freight,
    invoices,
    life,
    oauth,
    renewals,
    returns,
    routes_catalog,
    routes_orders,
    routes_pna,
    routes_quotes,
    routes_vendor_info,
)
from disty.simulator.ingram.faults import FaultInjector
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.xml.endpoint import XmlPaths


async def _no_such_proxy(request: Request, exc: Exception) -> Response:
    # Apigee's answer for a path it has no proxy for.
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
        Route("/resellers/v6/orders", routes_orders.create_v6, methods=["POST"]),
        Route("/resellers/v7/orders", routes_orders.create_v7, methods=["POST"]),
        Route("/resellers/v6/orders/search", routes_orders.search, methods=["GET"]),
        Route("/resellers/v6/orders/{orderNumber}", routes_orders.modify, methods=["PUT"]),
        Route("/resellers/v6/orders/{OrderNumber}", routes_orders.cancel, methods=["DELETE"]),
        Route("/resellers/v6.1/orders/{ordernumber}", routes_orders.detail, methods=["GET"]),
        Route("/resellers/v6/quotes/search", routes_quotes.search, methods=["GET"]),
        Route("/resellers/v6/quotes/create", routes_quotes.create, methods=["POST"]),
        Route("/resellers/v6/quotes/{quoteNumber}", routes_quotes.detail, methods=["GET"]),
        Route("/resellers/v6/q2o/validatequote", routes_quotes.validate, methods=["GET"]),
        Route("/resellers/v6/invoices", invoices.search, methods=["GET"]),
        Route("/resellers/v6/invoices/", invoices.search, methods=["GET"]),
        Route("/resellers/v6.1/invoices/{invoiceNumber}", invoices.detail, methods=["GET"]),
        Route("/resellers/v6/renewals/search", renewals.search, methods=["POST"]),
        Route("/resellers/v6/renewals/{renewalId}", renewals.detail, methods=["GET"]),
        Route("/resellers/v6/deals/search", deals.search, methods=["GET"]),
        Route("/resellers/v6/deals/{dealId}", deals.detail, methods=["GET"]),
        Route("/resellers/v6/returns/search", returns.search, methods=["GET"]),
        Route("/resellers/v6/returns/create", returns.create, methods=["POST"]),
        Route("/resellers/v6/returns/{caseRequestNumber}", returns.detail, methods=["GET"]),
        Route("/resellers/v6/freightestimate", freight.estimate, methods=["POST"]),
        Route(
            "/resellers/v7/vendorrequiredinfo",
            routes_vendor_info.vendor_required_info,
            methods=["POST"],
        ),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _no_such_proxy, 405: _wrong_method})
    app.state.sim = state
    return FaultInjector(SchedulerKick(XmlPaths(app, state), state), state)


class SchedulerKick:
    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        life.ensure_ticker(self.state)
        try:
            await self.app(scope, receive, send)
        finally:
            life.kick(self.state)
