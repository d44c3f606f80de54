"""/api/v1/connections: a tenant's supplier connections (admin scope only). Secrets are
write-only: answers show them masked, never whole."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from disty.domain.connections import ApiType
from disty.services import connections
from disty.services.connections import ConnectionChanges, ConnectionView
from disty.services.run_test import run_test
from disty.services.tenants import get_tenant
from disty.services.webhooks import refusals
from disty.web.api.deps import Admin, CountryId, Rt, Session, SupplierName
from disty.web.api.inputs import ApiInput, has_control
from disty.web.api.pagination import Page, Paging, page

router = APIRouter(prefix="/connections", tags=["connections"])

Supplier = Annotated[SupplierName, Path(description="The supplier.")]
Country = Annotated[CountryId, Path(description="Country id: 1 = United States, 29 = Canada.")]


class ConnectionIn(ApiInput):
    """Fields to change; those left out keep their saved values.

    Besides these, the supplier's own settings go under their names (``GET /api/v1/suppliers``
    lists them: e.g. ``client_id``, ``client_secret``); secrets are write-only."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str | None] = Field(init=False)

    api_type: ApiType | None = None
    base_url: str | None = Field(None, max_length=500)
    webhook_key: str | None = Field(None, max_length=500, description="write-only")
    webhook_label: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _settings_are_short_text(self) -> ConnectionIn:
        for name, value in (self.model_extra or {}).items():
            if value is not None and (len(value) > _SETTING_MAX or has_control(value)):
                raise ValueError(
                    f"{name}: at most {_SETTING_MAX} characters, no control characters"
                )
        return self

    def changes(self) -> ConnectionChanges:
        return ConnectionChanges.of(
            api_type=self.api_type.value if self.api_type is not None else None,
            base_url=self.base_url,
            webhook_key=self.webhook_key,
            webhook_label=self.webhook_label,
            **(self.model_extra or {}),
        )


_SETTING_MAX = 512


class RejectedCount(BaseModel):
    reason: str
    count: int


class WebhookHealthOut(BaseModel):
    last_verified_at: str | None
    rejected_since: list[RejectedCount]


@router.get("", summary="List the connections")
async def list_(caller: Admin, rt: Rt, session: Session, paging: Paging) -> Page[ConnectionView]:
    views = await connections.list_connections(
        session, shortcut=caller.shortcut, box=rt.box, public_url=rt.settings.effective_public_url
    )
    return page(views[paging.offset : paging.offset + paging.limit + 1], paging)


async def _one(caller: Admin, rt: Rt, session: Session, supplier: str, country: int) -> Any:
    views = await connections.list_connections(
        session, shortcut=caller.shortcut, box=rt.box,
        public_url=rt.settings.effective_public_url, supplier=supplier, country_id=country,
    )  # fmt: skip
    if not views:
        tenant = await get_tenant(session, caller.shortcut)
        await connections.get_connection(session, tenant, supplier, country)  # raises NotFound
    return views[0]


@router.get("/{supplier}/{country_id}", summary="Show one connection, secrets masked")
async def show(
    caller: Admin, rt: Rt, session: Session, supplier: Supplier, country_id: Country
) -> ConnectionView:
    view: ConnectionView = await _one(caller, rt, session, supplier, country_id)
    return view


@router.put("/{supplier}/{country_id}", summary="Create or change a connection")
async def set_(
    caller: Admin,
    rt: Rt,
    session: Session,
    supplier: Supplier,
    country_id: Country,
    body: ConnectionIn,
) -> ConnectionView:
    return await connections.set_connection(
        session, shortcut=caller.shortcut, supplier=supplier, country_id=country_id,
        changes=body.changes(), box=rt.box,
        public_url=rt.settings.effective_public_url, grace=rt.settings.webhook_key_grace,
        actor=caller.actor, allow_custom_urls=rt.settings.allow_custom_supplier_urls,
    )  # fmt: skip


@router.post("/{supplier}/{country_id}/test", summary="Run Test: each check and its fix")
async def test(
    caller: Admin, rt: Rt, session: Session, supplier: Supplier, country_id: Country
) -> dict[str, Any]:
    report = await run_test(
        session, shortcut=caller.shortcut, supplier=supplier, country_id=country_id,
        suppliers=rt.suppliers,
    )  # fmt: skip
    return report.to_json()


@router.get(
    "/{supplier}/{country_id}/webhooks", summary="The last verified webhook and refusals since"
)
async def webhook_health(
    caller: Admin, session: Session, supplier: Supplier, country_id: Country
) -> WebhookHealthOut:
    tenant = await get_tenant(session, caller.shortcut)
    connection = await connections.get_connection(session, tenant, supplier, country_id)
    health = await refusals.webhook_health(session, connection.id)
    return WebhookHealthOut(
        last_verified_at=health.last_verified_at.isoformat() if health.last_verified_at else None,
        rejected_since=[RejectedCount(reason=r, count=c) for r, c in health.rejected.items()],
    )
