"""The TD SYNNEX ASGI app, mounted at ``/tdsynnex``.

TD SYNNEX serves each country from its own host (``ec.us.tdsynnex.com``,
``ec.ca.tdsynnex.com``); the simulator serves them under ``/tdsynnex/us`` and ``/tdsynnex/ca``,
so a connection's base URL names its country as the real one does.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from disty.simulator.tdsynnex import pna, po, postatus
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import MAX_BODY, TooLarge

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
    ]


def create_tdsynnex_app(state: TdState) -> Starlette:
    return Starlette(
        routes=[
            Mount(f"/{prefix}", routes=_country_routes(state, country))
            for prefix, country in COUNTRIES.items()
        ],
        exception_handlers={TooLarge: _too_large},
    )
