"""The control API under ``/_control``: how tests and the demo steer the simulator.

Not part of Ingram's wire. Documented in README.md next to this file. Secrets are never echoed
back except once, when an app is created (they are the simulator's own test credentials).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from disty.simulator.ingram.state import App, AppState, FaultKind, FaultRule, SimState
from disty.simulator.tdsynnex.faults import SERVER_ERRORS
from disty.simulator.tdsynnex.state import TdState


def _state(request: Request) -> SimState:
    state: SimState = request.app.state.sim
    return state


def _tdsynnex(request: Request) -> TdState:
    state: TdState = request.app.state.tdsynnex
    return state


StateDep = Annotated[SimState, Depends(_state)]
TdDep = Annotated[TdState, Depends(_tdsynnex)]
Distributor = Literal["ingram", "tdsynnex"]
router = APIRouter(prefix="/_control", tags=["control"])


class AppIn(BaseModel):
    client_id: str = Field(default_factory=lambda: "app-" + secrets.token_hex(6), min_length=1)
    client_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(18), min_length=1)
    customer_number: str = "20-222222"
    countries: list[str] = ["US", "CA"]
    state: AppState = "approved"
    token_ttl_s: int = Field(default=86_400, gt=0)


class AppPatch(BaseModel):
    client_secret: str | None = Field(default=None, min_length=1)
    customer_number: str | None = None
    countries: list[str] | None = None
    state: AppState | None = None
    token_ttl_s: int | None = Field(default=None, gt=0)


class FaultIn(BaseModel):
    kind: FaultKind
    distributor: Distributor = "ingram"
    endpoint: str = "*"
    rate: float = Field(default=1.0, gt=0, le=1)
    latency_ms: int = Field(default=0, ge=0)
    # None: the distributor's usual failure (Ingram 500; TD SYNNEX 200 with an XML error).
    status: Literal[200, 429, 500, 502, 503, 504] | None = None
    timeout_s: float = Field(default=30.0, gt=0)
    times: int | None = Field(default=None, ge=1)
    message: str | None = None  # TD SYNNEX: the Appendix D code its XML error names

    def rule(self) -> FaultRule:
        if self.distributor == "ingram":
            if self.status in (200, 504) or self.message is not None:
                raise HTTPException(
                    422, "Ingram faults take status 429, 500, 502 or 503, no message"
                )
            return FaultRule(
                **self.model_dump(exclude={"message"}) | {"status": self.status or 500}
            )
        if self.message is not None and self.message not in SERVER_ERRORS:
            raise HTTPException(422, f"message is one of {', '.join(SERVER_ERRORS)}")
        return FaultRule(**self.model_dump() | {"status": self.status or 200})


class Switch(BaseModel):
    on: bool
    distributor: Distributor = "ingram"


class Limits(BaseModel):
    ship_after_s: float | None = Field(default=None, gt=0)
    get_per_minute: int | None = Field(default=None, gt=0)
    pna_per_minute: int | None = Field(default=None, gt=0)
    latency_ms: int | None = Field(default=None, ge=0)


class Advance(BaseModel):
    seconds: float = Field(ge=0)


class PriceIn(BaseModel):
    # A decimal string (as money should travel); the catalog keeps US cents.
    customer_price_usd: Decimal = Field(gt=0, le=Decimal("1000000"), decimal_places=2)


@router.get("")
async def overview(state: StateDep, td: TdDep) -> dict[str, Any]:
    return {
        "apps": [a.public() for a in state.apps.values()],
        "faults": [_fault_out(f) for f in state.faults],
        "maintenance": state.maintenance,
        "limits": _limits_out(state),
        "catalog": {"products": state.catalog.size, "seed": state.catalog.seed},
        "clock": state.clock.now(),
        "ship_after_s": state.ship_after_s,
        "orders": len(state.orders.orders),
        "webhooks": [s.public() for s in state.webhooks.subscriptions.values()],
        "deliveries_on": state.webhooks.enabled,
        "tdsynnex": {"maintenance": td.maintenance, "counts": dict(td.counts)},
    }


@router.post("/reset")
async def reset(state: StateDep, td: TdDep) -> dict[str, str]:
    state.reset()  # every distributor's fault rules too
    td.reset()  # its switches and its REST client (tokens, entitlement, rate limit)
    return {"status": "reset"}


@router.get("/apps")
async def list_apps(state: StateDep) -> list[dict[str, object]]:
    return [a.public() for a in state.apps.values()]


@router.post("/apps", status_code=201)
async def create_app(body: AppIn, state: StateDep) -> dict[str, object]:
    if body.client_id in state.apps:
        raise HTTPException(409, f"app {body.client_id} exists; PATCH it instead")
    app = state.put_app(
        App(
            body.client_id,
            body.client_secret,
            body.customer_number,
            tuple(c.upper() for c in body.countries),
            body.state,
            body.token_ttl_s,
        )
    )
    # The one time the secret is shown: the caller needs it to ask for tokens.
    return {**app.public(), "client_secret": app.client_secret}


@router.patch("/apps/{client_id}")
async def change_app(client_id: str, body: AppPatch, state: StateDep) -> dict[str, object]:
    if client_id not in state.apps:
        raise HTTPException(404, f"no app {client_id}")
    changes: dict[str, object] = body.model_dump(exclude_none=True)
    if "countries" in changes:
        changes["countries"] = tuple(c.upper() for c in body.countries or [])
    return state.update_app(client_id, **changes).public()


@router.post("/apps/{client_id}/revoke-tokens")
async def revoke_tokens(client_id: str, state: StateDep) -> dict[str, int]:
    if client_id not in state.apps:
        raise HTTPException(404, f"no app {client_id}")
    return {"revoked": state.revoke_tokens(client_id)}


@router.get("/faults")
async def list_faults(state: StateDep) -> list[dict[str, object]]:
    return [_fault_out(f) for f in state.faults]


@router.post("/faults", status_code=201)
async def add_fault(body: FaultIn, state: StateDep) -> dict[str, object]:
    return _fault_out(state.add_fault(body.rule()))


@router.delete("/faults")
async def clear_faults(state: StateDep) -> dict[str, int]:
    n = len(state.faults)
    state.faults.clear()
    return {"removed": n}


@router.delete("/faults/{fault_id}")
async def remove_fault(fault_id: int, state: StateDep) -> dict[str, int]:
    before = len(state.faults)
    state.faults[:] = [f for f in state.faults if f.id != fault_id]
    if len(state.faults) == before:
        raise HTTPException(404, f"no fault {fault_id}")
    return {"removed": 1}


@router.put("/maintenance")
async def maintenance(body: Switch, state: StateDep, td: TdDep) -> dict[str, bool]:
    if body.distributor == "tdsynnex":
        td.maintenance = body.on
        return {"maintenance": td.maintenance}
    state.maintenance = body.on
    return {"maintenance": state.maintenance}


@router.put("/limits")
async def limits(request: Request, body: Limits, state: StateDep) -> dict[str, float]:
    if body.get_per_minute is not None:
        state.get_per_minute = body.get_per_minute
    if body.pna_per_minute is not None:
        state.pna_per_minute = body.pna_per_minute
    if body.latency_ms is not None:
        state.latency_ms = body.latency_ms
    if body.ship_after_s is not None:
        state.ship_after_s = body.ship_after_s
        # One pace for every distributor's orders (TD SYNNEX's steps from now on).
        request.app.state.tdsynnex.ship_after_s = body.ship_after_s
    state.limiter.clear()
    return _limits_out(state)


@router.get("/counts")
async def counts(state: StateDep, td: TdDep, distributor: Distributor = "ingram") -> dict[str, int]:
    """Ingram's per operation id; TD SYNNEX's per path (``?distributor=tdsynnex``)."""
    return dict(td.counts if distributor == "tdsynnex" else state.counts)


@router.delete("/counts")
async def clear_counts(state: StateDep, td: TdDep) -> dict[str, str]:
    state.counts.clear()
    td.counts.clear()
    return {"status": "cleared"}


@router.get("/clock")
async def clock(state: StateDep) -> dict[str, float]:
    return {"now": state.clock.now()}


@router.post("/clock/advance")
async def advance_clock(body: Advance, state: StateDep) -> dict[str, float]:
    """Move the clock, run the order steps and deliveries that became due, wait for them."""
    from disty.simulator.control_webhooks import settle

    state.clock.advance(body.seconds)
    await settle(state)
    return {"now": state.clock.now()}


@router.put("/prices/{ingram_part_number}")
async def set_price(ingram_part_number: str, body: PriceIn, state: StateDep) -> dict[str, object]:
    """Move one product's customer price (P&A, orders and quotes all see it) until reset."""
    product = state.catalog.by_ingram_part_number(ingram_part_number)
    if product is None:
        raise HTTPException(404, f"no product {ingram_part_number} in the catalog")
    moved = state.catalog.set_customer_price(product.index, int(body.customer_price_usd * 100))
    return {
        "ingram_part_number": moved.ingram_part_number,
        "customer_price_usd": f"{moved.customer_cents / 100:.2f}",
    }


def _fault_out(f: FaultRule) -> dict[str, object]:
    return {
        "id": f.id,
        "kind": f.kind,
        "distributor": f.distributor,
        "endpoint": f.endpoint,
        "rate": f.rate,
        "latency_ms": f.latency_ms,
        "status": f.status,
        "timeout_s": f.timeout_s,
        "times": f.times,
        "message": f.message,
    }


def _limits_out(state: SimState) -> dict[str, float]:
    return {
        "ship_after_s": state.ship_after_s,
        "get_per_minute": state.get_per_minute,
        "pna_per_minute": state.pna_per_minute,
        "latency_ms": state.latency_ms,
    }
