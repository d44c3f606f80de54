"""The REST look-ups of NOTES 8.2-8.3 (all ``GET``, read-only: the API places no orders).

``/api/v1/orders/orderNo/{orderNo}[/orderType/{SO|PO}]``, ``/api/v1/orders/shipment/details/
orderNo/{orderNo}`` and ``/api/v1/invoices/invoiceNo/{invoiceNo}/invoiceType/{IV|PO|SO}``,
answered from ``rest_lookups``. Nothing found is 404 in the REST error shape (8.5 names 404 as
plausible; the simulator's choice); a type outside the lists is 400.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from disty.simulator.tdsynnex import rest_errors as e
from disty.simulator.tdsynnex import rest_lookups
from disty.simulator.tdsynnex.rest_oauth import admit
from disty.simulator.tdsynnex.state import TdState

ORDER_TYPES = ("SO", "PO")
INVOICE_TYPES = ("IV", "PO", "SO")

Handler = Callable[[Request], Awaitable[Response]]


def routes(state: TdState) -> list[Route]:
    return [
        Route("/api/v1/orders/orderNo/{order_no}", _orders(state), methods=["GET"]),
        Route(
            "/api/v1/orders/orderNo/{order_no}/orderType/{order_type}",
            _orders(state),
            methods=["GET"],
        ),
        Route(
            "/api/v1/orders/shipment/details/orderNo/{order_no}", _shipment(state), methods=["GET"]
        ),
        Route(
            "/api/v1/invoices/invoiceNo/{invoice_no}/invoiceType/{invoice_type}",
            _invoices(state),
            methods=["GET"],
        ),
    ]


def _not_found(what: str) -> Response:
    return e.rest_error(404, e.NOT_FOUND, f"{what} not found")


def _orders(state: TdState) -> Handler:
    async def handle(request: Request) -> Response:
        refused = admit(request, state)
        if refused is not None:
            return refused
        order_no = request.path_params["order_no"]
        order_type = request.path_params.get("order_type")
        if order_type is not None and order_type.upper() not in ORDER_TYPES:
            return e.rest_error(400, e.BAD_REQUEST, "orderType must be SO or PO")
        found = rest_lookups.orders(state, order_no, order_type and order_type.upper())
        return JSONResponse(found) if found else _not_found(f"Order {order_no}")

    return handle


def _shipment(state: TdState) -> Handler:
    async def handle(request: Request) -> Response:
        refused = admit(request, state)
        if refused is not None:
            return refused
        order_no = request.path_params["order_no"]
        found = rest_lookups.shipment_details(state, order_no)
        return JSONResponse(found) if found else _not_found(f"Shipment details of {order_no}")

    return handle


def _invoices(state: TdState) -> Handler:
    async def handle(request: Request) -> Response:
        refused = admit(request, state)
        if refused is not None:
            return refused
        invoice_no = request.path_params["invoice_no"]
        invoice_type = request.path_params["invoice_type"].upper()
        if invoice_type not in INVOICE_TYPES:
            return e.rest_error(400, e.BAD_REQUEST, "invoiceType must be IV, PO or SO")
        found = rest_lookups.invoices(state, invoice_no, invoice_type)
        return JSONResponse(found) if found else _not_found(f"Invoice {invoice_no}")

    return handle
