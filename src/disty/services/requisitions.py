"""A sourced list bought as one PO per supplier, in one step, each placed at most once, all
linked to one requisition the buyer can follow.

- The requisition's number is the buyer's PO prefix; each supplier's PO is numbered
  ``{prefix}-{n}``, ``n`` the supplier's place among every registered supplier's key in order
  (1-based). So the numbers depend on neither which suppliers this list uses nor the order of
  the lines, and a repeated or interrupted run finds the POs already placed: each goes through
  ``ordering.place``, where the PO number is the idempotency key (the same PO answers as it
  is, placing nothing; one left ``submitting`` is finished, the supplier searched first; one
  left ``draft`` by an interrupted run is sent now).
- The confirmed lines are saved with the requisition before any PO; a second run under the
  same number with other lines or another ship-to is refused before anything is placed.
- Every supplier's PO is checked (ship-to, its address limits, the PO number) before the
  first is placed, so a mistake is not found halfway through. A PO refused once placing
  has begun does not stop the others: each PO's status (and failure) is in the answer.
- The price-drift check applies to each PO: the confirmed unit price is the expected price.
- Drafts (``send=False``, an AI assistant's requisition): the same POs, saved as drafts with
  their ``origin`` and never sent, not even by a later run; each is sent as any draft is (a
  person in the console, or an assistant's guarded submit_po).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import PurchaseOrder, Requisition
from disty.domain.countries import country_site
from disty.domain.orders import (
    PO_NUMBER_MAX,
    Address,
    validate_address,
    validate_address_limits,
    validate_po_number,
)
from disty.domain.po_status import POStatus
from disty.errors import Conflict, DistyError, InvalidInput, NotFound
from disty.services import ordering
from disty.services.po_views import po_json
from disty.services.tenants import get_tenant
from disty.suppliers import registry

MAX_CHOICES = 500


@dataclass(frozen=True, slots=True)
class LineChoice:
    """One line as the buyer confirmed it: where it is bought, how many, at what price."""

    line_number: int
    part: str  # as the buyer wrote it
    supplier: str
    supplier_sku: str
    quantity: int
    unit_price: Decimal | None  # the expected price (the drift check's reference)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["unit_price"] = None if self.unit_price is None else str(self.unit_price)
        return data


@dataclass(frozen=True, slots=True)
class RequisitionView:
    number: str
    country_id: int
    created_by: str
    choices: list[dict[str, Any]]
    pos: list[PurchaseOrder]
    errors: dict[str, str]  # supplier -> why its PO could not be placed in this run

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "country_id": self.country_id,
            "created_by": self.created_by,
            "lines": self.choices,
            "pos": [po_json(po) for po in self.pos],
            "errors": self.errors,
        }


def po_number_for(prefix: str, supplier: str) -> str:
    """``{prefix}-{n}``: n the supplier's place among every registered supplier's key."""
    keys = sorted(r.key for r in registry.registrations())
    if supplier not in keys:
        raise InvalidInput(f"unknown supplier {supplier!r}", field="supplier")
    return f"{prefix}-{keys.index(supplier) + 1}"


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip()
    longest = len(str(len(registry.registrations())))
    if len(prefix) + 1 + longest > PO_NUMBER_MAX:
        raise InvalidInput(
            f"the PO prefix {prefix!r} is too long: at most {PO_NUMBER_MAX - 1 - longest} "
            f"characters, so that '{prefix}-N' fits a PO number's {PO_NUMBER_MAX}",
            field="po_prefix",
        )
    return validate_po_number(prefix)


async def place(
    session: AsyncSession,
    ctx: ordering.Context,
    *,
    shortcut: str,
    country_id: int,
    choices: Sequence[LineChoice],
    po_prefix: str,
    ship_to: Address,
    notes: str | None = None,
    send: bool = True,
    origin: str | None = None,
) -> RequisitionView:
    """One PO per supplier of ``choices``, each placed at most once, linked to the
    requisition ``po_prefix`` (see the module's rules). ``send=False`` saves the POs as
    drafts only, recording ``origin`` as who drafted them (as ``ordering.place``)."""
    prefix = check_prefix(po_prefix)
    site = country_site(country_id)
    groups = _grouped(choices)
    validate_address(ship_to, "ship_to")
    numbers = {}
    for supplier in groups:
        registration = registry.get(supplier)
        validate_address_limits(ship_to, registration.address_limits, registration.name)
        numbers[supplier] = po_number_for(prefix, supplier)
    tenant = await get_tenant(session, shortcut)
    req = await _requisition(session, tenant.id, prefix, site.id, choices, ship_to, ctx.actor)
    errors: dict[str, str] = {}
    for supplier, lines in groups.items():
        try:
            po, _ = await ordering.place(
                session, ctx, shortcut=shortcut, country_id=site.id, supplier=supplier,
                po_number=numbers[supplier], lines=lines, ship_to=ship_to, notes=notes,
                requisition_id=req.id, send=send, origin=origin,
            )  # fmt: skip
            await _finish(session, ctx, po, req.id, send)
        except DistyError as exc:
            await session.rollback()
            errors[supplier] = str(exc)
    return await requisition(session, shortcut=shortcut, number=prefix, errors=errors)


def _grouped(choices: Sequence[LineChoice]) -> dict[str, list[ordering.LineInput]]:
    """The PO lines per supplier (suppliers in key order); one SKU named twice for one
    supplier is one PO line, its quantities added (at one price only)."""
    if not choices:
        raise InvalidInput("nothing to order: choose at least one line", field="choices")
    if len(choices) > MAX_CHOICES:
        raise InvalidInput(f"{len(choices)} lines: order at most {MAX_CHOICES} at a time")
    per: dict[str, dict[str, ordering.LineInput]] = {}
    for c in choices:
        registry.get(c.supplier)  # an unknown supplier is refused here, by name
        sku = c.supplier_sku.strip().upper()
        if not sku or c.quantity < 1:
            raise InvalidInput(
                f"line {c.line_number}: a SKU and a quantity of 1 or more are needed",
                field="choices",
            )
        if c.unit_price is not None and c.unit_price < 0:
            raise InvalidInput(f"line {c.line_number}: the price is negative", field="choices")
        lines = per.setdefault(c.supplier, {})
        seen = lines.get(sku)
        if seen is not None and seen.expected_price != c.unit_price:
            raise InvalidInput(
                f"line {c.line_number}: {sku} is chosen twice at {c.supplier} at different "
                "prices: give one price",
                field="choices",
            )
        quantity = c.quantity + (seen.quantity if seen else 0)
        lines[sku] = ordering.LineInput(sku, quantity, c.unit_price)
    return {key: list(per[key].values()) for key in sorted(per)}


def _content(choices: Sequence[LineChoice]) -> list[dict[str, Any]]:
    return [c.to_json() for c in choices]


async def _requisition(
    session: AsyncSession,
    tenant_id: int,
    number: str,
    country_id: int,
    choices: Sequence[LineChoice],
    ship_to: Address,
    actor: str,
) -> Requisition:
    """The requisition under ``number``: made now, or the one a run before made with the same
    lines and ship-to (anything else under that number is a Conflict, nothing placed)."""
    content, address = _content(choices), ship_to.to_dict()
    found = await _find(session, tenant_id, number)
    if found is None:
        found = Requisition(
            tenant_id=tenant_id, number=number, country_id=country_id, choices=content,
            ship_to=address, created_by=actor,
        )  # fmt: skip
        session.add(found)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()  # made by a request at the same moment: compare with it
            found = await _find(session, tenant_id, number)
            if found is None:
                raise Conflict(f"requisition {number} is being placed by another request") from None
    if found.choices != content or found.ship_to != address or found.country_id != country_id:
        raise Conflict(
            f"requisition {number} was placed with other lines or another ship-to: use a new "
            f"PO prefix, or read it with 'disty requisition show {number}'",
            console=f"requisition {number} was placed with other lines or another ship-to: "
            "use a new PO prefix",
        )
    return found


async def _find(session: AsyncSession, tenant_id: int, number: str) -> Requisition | None:
    return await session.scalar(
        select(Requisition).where(Requisition.tenant_id == tenant_id, Requisition.number == number)
    )


async def _finish(
    session: AsyncSession,
    ctx: ordering.Context,
    po: PurchaseOrder,
    requisition_id: int,
    send: bool,
) -> None:
    """Link a PO found from an earlier run, and send one that run left saved but unsent.
    A draft made on purpose (``origin``: an assistant's) is not left over: it waits for its
    approval, whoever runs the requisition again."""
    if po.requisition_id is None:
        po.requisition_id = requisition_id
        await session.commit()
    left_over = (
        po.status == POStatus.DRAFT.value
        and po.origin is None
        and po.price_check_at is None
        and not po.price_checks
    )
    if send and left_over:
        await ordering.send_draft(session, po, ctx)


async def requisition(
    session: AsyncSession, *, shortcut: str, number: str, errors: dict[str, str] | None = None
) -> RequisitionView:
    """A requisition and its POs, as they are now."""
    tenant = await get_tenant(session, shortcut)
    found = await _find(session, tenant.id, number.strip())
    if found is None:
        raise NotFound(f"no requisition {number!r}: its number is the PO prefix it was placed with")
    pos = list(
        await session.scalars(
            select(PurchaseOrder)
            .where(PurchaseOrder.requisition_id == found.id)
            .order_by(PurchaseOrder.po_number)
            .execution_options(populate_existing=True)
        )
    )
    return RequisitionView(
        found.number, found.country_id, found.created_by, found.choices, pos, errors or {}
    )


def parse_price(value: object, line_number: int) -> Decimal | None:
    """A unit price as a client sends it (a string or a number), never a float's noise."""
    if value is None or value == "":
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"line {line_number}: {value!r} is not a price") from None
    if not price.is_finite() or price < 0:
        raise InvalidInput(f"line {line_number}: {value!r} is not a price")
    return price
