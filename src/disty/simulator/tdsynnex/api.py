"""The TD SYNNEX ASGI app, mounted at ``/tdsynnex``.

TD SYNNEX serves each country from its own host (``ec.us.tdsynnex.com``,
``ec.ca.tdsynnex.com``); the simulator serves them under ``/tdsynnex/us`` and ``/tdsynnex/ca``,
so a connection's base URL names its country as the real one does. The Partner REST API
(``api.{us,ca}.tdsynnex.com``, NOTES 8) is served under the same prefixes; its token also at
``/sso/oauth2/v1/token``, standing in for ``sso.us.tdsynnex.com`` for a client that keeps the
token host apart from the API host.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from disty.simulator.bodies import TooLarge
from disty.simulator.ingram.state import SimState
from disty.simulator.tdsynnex import (
    freight,
    invoicequery,
    pna,
    po,
    postatus,
    rest_oauth,
    rest_orders,
    rest_pna,
)
from disty.simulator.tdsynnex.faults import TdFaultInjector
from disty.simulator.tdsynnex.rest_errors import routing_error
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import MAX_BODY

COUNTRIES = {"us": "US", "ca": "CA"}


async def _too_large(request: Request, exc: Exception) -> Response:
    return PlainTextResponse(f"a request body holds at most {MAX_BODY} bytes", 413)


def _country_routes(state: TdState, country: str) -> list[Route]:
    return [
        Route(
            "/SynnexXML/PriceAvailability",
            pna.handler(state, country, availability_only=False),
            methods=["POST"],
        ),
        Route(
            "/SynnexXML/Availability",
            pna.handler(state, country, availability_only=True),
            methods=["POST"],
        ),
        Route("/SynnexXML/PO", po.handler(state, country), methods=["POST"]),
        Route("/SynnexXML/POStatus", postatus.handler(state, country), methods=["POST"]),
        Route("/SynnexXML/FreightQuote", freight.handler(state, country), methods=["POST"]),
        # On TD SYNNEX's ws.{us,ca} hosts (NOTES 7.1); here beside EC Express, per country.
        Route(invoicequery.PATH, invoicequery.handler(state, country), methods=["POST"]),
        # NOTES 8.1: the token on the sso host and, as one client posts it, on the API host.
        Route("/oauth2/v1/token", rest_oauth.token(state), methods=["POST"]),
        Route("/sso/oauth2/v1/token", rest_oauth.token(state), methods=["POST"]),
        Route(
            "/api/v1/webservice/json/GetPriceAvailability",
            rest_pna.handler(state, country),
            methods=["POST"],
        ),
        *rest_orders.routes(state),
    ]


def create_tdsynnex_app(state: TdState, faults: SimState) -> ASGIApp:
    """``faults``: the simulator's fault registry (the control API's rules and their dice)."""
    app = Starlette(
        routes=[
            Mount(f"/{prefix}", routes=_country_routes(state, country))
            for prefix, country in COUNTRIES.items()
        ],
        exception_handlers={TooLarge: _too_large, HTTPException: routing_error},
    )
    return TdFaultInjector(app, state, faults)
