"""The control API's TD SYNNEX switches, under ``/_control/tdsynnex`` (simulator/README.md).

Not part of TD SYNNEX's wire: tests and the demo turn the REST client's GetPriceAvailability
entitlement off and on (NOTES 8.4, disputed) and set its rate limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from disty.simulator.tdsynnex.state import TdState


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
