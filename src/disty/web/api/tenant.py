"""/api/v1/tenant: the caller's tenant as sourcing sees it (``read``), and its supplier
preference, sourcing's tie-break when a request names none (``admin`` to change)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from disty.services import assistant, tenants
from disty.services.tenant_views import TenantView
from disty.web.api.deps import Admin, Reader, Session, SupplierName
from disty.web.api.inputs import ApiInput

router = APIRouter(tags=["tenant"])


class PreferenceIn(ApiInput):
    supplier_preference: list[SupplierName] = Field(
        max_length=tenants.MAX_PREFERENCE,
        description="Suppliers' keys, most preferred first; [] for none.",
    )


def _view(found: TenantView) -> dict[str, Any]:
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


class AssistantLimitsIn(ApiInput):
    per_po: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2,
        description="The most an assistant may submit in one PO; null (with per_day) for none.",
    )  # fmt: skip
    per_day: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2,
        description="The most assistants may submit in total per UTC day.",
    )  # fmt: skip


@router.get("/tenant/assistant-limits", summary="What AI assistants (MCP) may submit alone")
async def show_assistant_limits(caller: Admin, session: Session) -> dict[str, Any]:
    return (await assistant.limits(session, caller.shortcut)).to_json()


@router.put(
    "/tenant/assistant-limits",
    summary="Let order-scope assistants submit POs up to these values (both null: drafts only)",
)
async def set_assistant_limits(
    caller: Admin, session: Session, body: AssistantLimitsIn
) -> dict[str, Any]:
    found = await assistant.set_limits(
        session, caller.shortcut, per_po=body.per_po, per_day=body.per_day, actor=caller.actor
    )
    return found.to_json()
