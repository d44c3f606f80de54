"""The control API's TD SYNNEX switches, under ``/_control/tdsynnex`` (simulator/README.md).

Not part of TD SYNNEX's wire: tests and the demo turn the REST client's GetPriceAvailability
entitlement off and on (NOTES 8.4, disputed) and set its rate limit.

- ``GET/PUT /allowed-ips``: the addresses POs may come from (NOTES 2.4; ``"*"`` allows all).
- ``GET /orders``: every order with its lines' state (caught up with the clock).
- ``POST /orders/{order_number}/advance``: every live line one step on now (a 99 line held
  for sales ships; shipped lines are invoiced).
- ``DELETE /orders/{order_number}``: sales cancel what has not shipped (POStatus ``deleted``).
- ``PUT /orders/{order_number}/stuck`` ``{on}``: a stuck order takes no step on the clock (nor
  by ``advance``) until released; then its pending steps come as late as it was stuck.
Any of the PO's sales order numbers names it.
- ``GET /ship-notices``, ``GET``/``DELETE /ship-notices/{name}``: the ``ShipNotice3D`` files
  TD SYNNEX's FTP would hold (NOTES 9.2); integrators delete what they have downloaded.
- ``GET /invoice-files``: the invoice files written so far (NOTES 7.2; written as invoices
  appear), ``GET /invoice-files/{name}``: one file's XML.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from disty.simulator.tdsynnex.invoicefiles import publish
from disty.simulator.tdsynnex.orders import TdOrder, release, step, stick
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import XML_TYPE


def _state(request: Request) -> TdState:
    state: TdState = request.app.state.tdsynnex
    return state


TdDep = Annotated[TdState, Depends(_state)]
router = APIRouter(prefix="/_control/tdsynnex", tags=["control: TD SYNNEX"])


class Entitlement(BaseModel):
    on: bool


class RestLimits(BaseModel):
    per_minute: int = Field(gt=0)


@router.put("/rest/entitlements/price-availability")
async def pna_entitlement(body: Entitlement, state: TdDep) -> dict[str, bool]:
    state.rest.pna_entitled = body.on
    return {"on": state.rest.pna_entitled}


@router.put("/rest/limits")
async def rest_limits(body: RestLimits, state: TdDep) -> dict[str, int]:
    state.rest.per_minute = body.per_minute
    state.rest.limiter.clear()
    return {"per_minute": state.rest.per_minute}


class AllowedIps(BaseModel):
    ips: list[str] = Field(max_length=1000)


def _order_out(order: TdOrder) -> dict[str, Any]:
    return {
        "country": order.country,
        "customer_number": order.customer,
        "po_number": order.po_number,
        "code": order.code(),
        "stuck": order.stuck_since is not None,
        "stuck_since": order.stuck_since,
        "lines": [
            {
                "line_number": line.line_number,
                "order_number": line.order_number,
                "order_type": line.order_type,
                "sku": line.product.sku,
                "quantity": line.quantity,
                "code": line.code,
                "next_step_at": line.next_step_at,
            }
            for line in order.lines
        ],
    }


def _order(state: TdState, number: str) -> TdOrder:
    order = state.orders.by_number(number)
    if order is None:
        raise HTTPException(404, f"no TD SYNNEX order {number}")
    return state.settled(order)


@router.get("/allowed-ips")
async def allowed_ips(state: TdDep) -> dict[str, list[str]]:
    return {"ips": sorted(state.allowed_ips)}


@router.put("/allowed-ips")
async def set_allowed_ips(body: AllowedIps, state: TdDep) -> dict[str, list[str]]:
    state.allowed_ips = {ip.strip() for ip in body.ips if ip.strip()}
    return {"ips": sorted(state.allowed_ips)}


@router.get("/orders")
async def orders(state: TdDep) -> list[dict[str, Any]]:
    return [_order_out(state.settled(o)) for o in state.orders.orders]


@router.post("/orders/{order_number}/advance")
async def advance(order_number: str, state: TdDep) -> dict[str, Any]:
    order = _order(state, order_number)
    if order.stuck_since is not None:
        raise HTTPException(409, f"order {order_number} is stuck: release it first")
    now = state.clock.now()
    open_lines = [line for line in order.lines if line.code == "accepted"]
    moved = [step(line, now, state.ship_after_s) for line in order.lines]
    if not any(moved):
        raise HTTPException(409, f"order {order_number} has no further step")
    state.shipped(order, [line for line in open_lines if line.code == "shipped"])
    return _order_out(order)


class Stuck(BaseModel):
    on: bool


@router.put("/orders/{order_number}/stuck")
async def stuck(order_number: str, body: Stuck, state: TdDep) -> dict[str, Any]:
    order = _order(state, order_number)  # caught up with the clock up to now
    now = state.clock.now()
    if body.on:
        stick(order, now)
    else:
        release(order, now)
    return _order_out(order)


@router.get("/ship-notices")
async def ship_notices(state: TdDep) -> list[dict[str, Any]]:
    state.settle_all()  # reading the folder is a read: shipments due by now have their files
    return [{"name": name, "size": len(body)} for name, body in state.ship_notices.files.items()]


def _notice(state: TdState, name: str) -> bytes:
    state.settle_all()
    body = state.ship_notices.files.get(name)
    if body is None:
        raise HTTPException(404, f"no ship notice {name}")
    return body


@router.get("/ship-notices/{name}")
async def ship_notice(name: str, state: TdDep) -> Response:
    return Response(_notice(state, name), media_type=XML_TYPE)


@router.delete("/ship-notices/{name}", status_code=204)
async def delete_ship_notice(name: str, state: TdDep) -> Response:
    _notice(state, name)
    del state.ship_notices.files[name]
    return Response(status_code=204)


@router.delete("/orders/{order_number}")
async def delete(order_number: str, state: TdDep) -> dict[str, Any]:
    order = _order(state, order_number)
    open_lines = [line for line in order.lines if line.code == "accepted"]
    if not open_lines:
        raise HTTPException(409, f"order {order_number} has nothing left to cancel")
    for line in open_lines:
        line.code = "deleted"
        line.next_step_at = None
    return _order_out(order)


@router.get("/invoice-files")
async def invoice_files(state: TdDep) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "size": len(f.body), "written_at": f.written_at} for f in publish(state)
    ]


@router.get("/invoice-files/{name}")
async def invoice_file(name: str, state: TdDep) -> Response:
    publish(state)
    found = state.invoice_files.get(name)
    if found is None:
        raise HTTPException(404, f"no invoice file {name}")
    return Response(found.body, media_type=XML_TYPE)
