"""/api/v1/tenant: the caller's tenant as sourcing sees it (``read``), and its supplier
preference, sourcing's tie-break when a request names none (``admin`` to change)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from disty.services import tenants
from disty.web.api.deps import Admin, Reader, Session, SupplierName
from disty.web.api.inputs import ApiInput

router = APIRouter(tags=["tenant"])


class PreferenceIn(ApiInput):
    supplier_preference: list[SupplierName] = Field(
        max_length=tenants.MAX_PREFERENCE,
        description="Suppliers' keys, most preferred first; [] for none.",
    )


def _view(found: tenants.TenantView) -> dict[str, Any]:
    return {
        "shortcut": found.shortcut,
        "name": found.name,
        "country_ids": found.country_ids,
        "supplier_preference": found.supplier_preference,
    }


@router.get("/tenant", summary="The caller's tenant and its supplier preference")
async def show(caller: Reader, session: Session) -> dict[str, Any]:
    return _view(await tenants.tenant_view(session, caller.shortcut))


@router.put("/tenant/supplier-preference", summary="Set the tenant's supplier preference")
async def set_preference(caller: Admin, session: Session, body: PreferenceIn) -> dict[str, Any]:
    found = await tenants.update_tenant(
        session, caller.shortcut, prefer=body.supplier_preference, actor=caller.actor
    )
    return _view(found)
