"""/api/v1/pos: purchase orders. Reading needs ``read``; creating, submitting and acting on a
PO needs ``order``, approving one stopped for its price ``admin``. Every POST takes an
``Idempotency-Key``: a client's retry never acts twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from disty.domain.orders import Address, LineChange
from disty.domain.po_status import POStatus
from disty.services import ordering, po_list
from disty.services.ordering import Action, LineInput
from disty.services.po_list import POFilter
from disty.services.po_views import po_json
from disty.services.tokens import Scope
from disty.web.api.deps import (
    DEFAULT_SUPPLIER,
    CountryId,
    Orderer,
    Reader,
    Rt,
    Session,
    SupplierName,
    context,
    require,
)
from disty.web.api.idempotency import idempotent
from disty.web.api.inputs import ApiInput
from disty.web.api.pagination import CursorPaging, Page, page

router = APIRouter(prefix="/pos", tags=["purchase orders"])

PoNumber = Annotated[str, Path(max_length=18, description="The PO number (customerOrderNumber).")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Makes a retry safe."),
]
SupplierQ = Annotated[SupplierName | None, Query()]
CountryQ = Annotated[CountryId | None, Query()]


class LineIn(ApiInput):
    sku: str = Field(min_length=1, max_length=40)
    quantity: int = Field(ge=1, le=1_000_000)
    expected_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    special_bid: str | None = Field(None, max_length=40)


class AddressIn(ApiInput):
    company: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str = Field("", max_length=50)
    postcode: str = Field("", max_length=20)
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")
    street2: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    email: str = Field("", max_length=200)

    def address(self) -> Address:
        return Address.from_dict(self.model_dump())


class ShipToIn(ApiInput):
    """A full address, or only ``address_id``: an address stored at the distributor."""

    address_id: str = Field("", max_length=20)
    company: str = Field("", max_length=200)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=50)
    postcode: str = Field("", max_length=20)
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2")
    street2: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    email: str = Field("", max_length=200)

    def address(self) -> Address:
        return Address.from_dict(self.model_dump())


class PoIn(ApiInput):
    po_number: str = Field(min_length=1, max_length=18)
    country_id: CountryId
    supplier: SupplierName = DEFAULT_SUPPLIER
    lines: list[LineIn] = Field(default_factory=list, max_length=500)
    ship_to: ShipToIn
    end_user: AddressIn | None = None
    hold: bool = Field(False, description="Place it on the distributor's customer hold.")
    notes: str | None = Field(None, max_length=500)
    api_version: str | None = Field(
        None,
        max_length=8,
        description="The supplier's order API for this PO, where it has several (the default "
        "otherwise; a quote's order uses the one that orders quotes).",
    )
    quote_number: str | None = Field(None, max_length=40)


class ChangeIn(ApiInput):
    add: list[LineIn] = Field(default_factory=list, max_length=100)
    set_quantity: dict[int, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict, description="disty's line number -> new quantity"
    )
    remove: list[int] = Field(default_factory=list, max_length=500)


@router.get("", summary="POs, oldest first")
async def list_(
    caller: Reader,
    session: Session,
    paging: CursorPaging,
    status: Annotated[POStatus | None, Query()] = None,
    country_id: CountryQ = None,
    supplier: SupplierQ = None,
    q: Annotated[
        str | None,
        Query(max_length=40, description="The start of a PO number, supplier order or SKU."),
    ] = None,
) -> Page[dict[str, Any]]:
    found = await po_list.pos(
        session, shortcut=caller.shortcut,
        f=POFilter(status.value if status else None, supplier, country_id, q=q),
        after=paging.cursor, limit=paging.limit, newest_first=False, offset=paging.offset,
    )  # fmt: skip
    return page([po_json(po) for po in found.rows], paging, found.next)


@router.get("/{po_number}", summary="One PO: lines, shipments, serials, invoices, timeline")
async def show(
    caller: Reader,
    session: Session,
    po_number: PoNumber,
    supplier: SupplierQ = None,
    country_id: CountryQ = None,
) -> dict[str, Any]:
    po = await ordering.find_po(
        session, shortcut=caller.shortcut, po_number=po_number, supplier=supplier,
        country_id=country_id,
    )  # fmt: skip
    return po_json(po)


@router.post(
    "",
    status_code=201,
    summary="Create and submit a PO (the same PO again answers it, placing nothing; a failed "
    "one is sent again as given)",
    response_model=dict[str, Any],
    responses={
        200: {
            "description": "the PO number exists: that PO, nothing placed (a failed PO: "
            "sent again as given now)"
        },
        409: {
            "description": "the PO number is taken by another PO, or being created by "
            "another request at this moment"
        },
    },
)
async def create(
    caller: Orderer, rt: Rt, request: Request, body: PoIn, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        async with rt.sessions() as session:
            # 201 only to the request that created the PO (never to one that found it made).
            po, created = await ordering.place(
                session, context(rt, caller), shortcut=caller.shortcut,
                country_id=body.country_id, supplier=body.supplier, po_number=body.po_number,
                lines=[LineInput(x.sku, x.quantity, x.expected_price, x.special_bid)
                       for x in body.lines],
                ship_to=body.ship_to.address(), hold=body.hold, notes=body.notes,
                end_user=body.end_user.address() if body.end_user else None,
                api_version=body.api_version, quote_number=body.quote_number,
            )  # fmt: skip
            return (201 if created else 200), po_json(po)

    return await idempotent(
        rt, caller, idempotency_key, method="POST", path=request.url.path,
        payload=body.model_dump(mode="json"), work=work,
    )  # fmt: skip


async def _act(
    caller: Any,
    rt: Any,
    request: Request,
    po_number: str,
    key: str | None,
    action: Action,
    supplier: str | None,
    country: int | None,
) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        async with rt.sessions() as session:
            po = await ordering.act(
                session, context(rt, caller), action, shortcut=caller.shortcut,
                po_number=po_number, supplier=supplier, country_id=country,
            )  # fmt: skip
            return 200, po_json(po)

    return await idempotent(
        rt, caller, key, method="POST", path=request.url.path, payload={}, work=work
    )


# Each action, what it does, and the scope it needs. Approving a PO stopped for its price
# spends money the buyer did not expect: an admin's call, as in the console.
_ACTIONS: dict[str, tuple[Action, str, Scope]] = {
    "submit": (
        # A draft too: saved but never queued (its request died, its connection could not
        # be used then); creating the same PO again sends it as well.
        ordering.send_or_resume,
        "Send a draft PO (saved, never sent), or finish sending one whose submission was "
        "interrupted",
        Scope.ORDER,
    ),
    "approve": (
        ordering.approve,
        "Approve a PO stopped for its price, and send it (needs the admin scope)",
        Scope.ADMIN,
    ),
    "release": (ordering.release, "Release a PO held for review", Scope.ORDER),
    "cancel": (ordering.cancel, "Cancel a PO not sent yet, or still on hold", Scope.ORDER),
    "refresh": (ordering.refresh, "Bring the PO up to date from the distributor", Scope.ORDER),
}


def _route(name: str, action: Action, summary: str, scope: Scope) -> None:
    async def endpoint(
        caller: Orderer,
        rt: Rt,
        request: Request,
        po_number: PoNumber,
        supplier: SupplierQ = None,
        country_id: CountryQ = None,
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        require(caller, scope)
        return await _act(
            caller, rt, request, po_number, idempotency_key, action, supplier, country_id
        )

    endpoint.__name__ = name
    router.post(f"/{{po_number}}/{name}", summary=summary, response_model=dict[str, Any])(endpoint)


for _name, (_action, _summary, _scope) in _ACTIONS.items():
    _route(_name, _action, _summary, _scope)


@router.post("/{po_number}/modify", summary="Add, change or remove lines of a PO on hold")
async def modify(
    caller: Orderer,
    rt: Rt,
    request: Request,
    po_number: PoNumber,
    body: ChangeIn,
    supplier: SupplierQ = None,
    country_id: CountryQ = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    changes = [LineChange.add(x.sku, x.quantity) for x in body.add]
    changes += [LineChange.set_quantity(n, q) for n, q in body.set_quantity.items()]
    changes += [LineChange.remove(n) for n in body.remove]

    async def work() -> tuple[int, Any]:
        async with rt.sessions() as session:
            po = await ordering.find_po(
                session, shortcut=caller.shortcut, po_number=po_number, supplier=supplier,
                country_id=country_id,
            )  # fmt: skip
            done = await ordering.modify(session, po, context(rt, caller), changes)
            refused = [{"change": c.describe(), "reason": why} for c, why in done.refused]
            return 200, {**po_json(done.po), "refused_changes": refused}

    return await idempotent(
        rt, caller, idempotency_key, method="POST", path=request.url.path,
        payload=body.model_dump(mode="json"), work=work,
    )  # fmt: skip
