"""AI assistants (MCP) and ordering: what a tenant lets them submit without a person.

By default an assistant only drafts: a person submits the draft in the console. A tenant admin
may let ``order``-scope tokens submit directly, up to a value per PO and a total per UTC day
(both limits set, or neither). A PO whose value is unknown (a line without a price) or over a
limit stays a draft, with the reason. Each direct submission is in the audit log with its
value, which is what the day's total adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.models import AuditEntry, PurchaseOrder, Tenant
from disty.domain.po_status import POStatus
from disty.errors import InvalidInput
from disty.services import audit
from disty.services.tenants import get_tenant

SUBMITTED = "assistant.po_submitted"  # the audit action the day's total is summed from
_MAX = Decimal("999999999999.99")


def origin(token_name: str, token_id: int) -> str:
    """A PO's ``origin`` when an assistant drafted it."""
    return f"assistant:{token_name}#{token_id}"


@dataclass(frozen=True, slots=True)
class Limits:
    per_po: Decimal | None
    per_day: Decimal | None

    @property
    def allowed(self) -> bool:
        return self.per_po is not None and self.per_day is not None

    def to_json(self) -> dict[str, object]:
        return {
            "direct_submit": self.allowed,
            "per_po": str(self.per_po) if self.per_po is not None else None,
            "per_day": str(self.per_day) if self.per_day is not None else None,
        }


def parse_limit(value: str | Decimal | None, name: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if len(str(value)) > 40:  # no amount is this long; and the error must not echo a page
        raise InvalidInput(f"{name}: not an amount, e.g. 500 or 1200.50", field=name)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{name}: {value!r} is not an amount, e.g. 500 or 1200.50") from None
    if not amount.is_finite() or amount < 0 or amount > _MAX:
        raise InvalidInput(f"{name}: give an amount from 0 to {_MAX}", field=name)
    return amount.quantize(Decimal("0.01"))


async def limits(session: AsyncSession, shortcut: str) -> Limits:
    tenant = await get_tenant(session, shortcut)
    return Limits(tenant.assistant_po_limit, tenant.assistant_day_limit)


async def set_limits(
    session: AsyncSession,
    shortcut: str,
    *,
    per_po: Decimal | None,
    per_day: Decimal | None,
    actor: str,
) -> Limits:
    """Both limits, or neither (assistants only draft)."""
    per_po, per_day = parse_limit(per_po, "per_po"), parse_limit(per_day, "per_day")
    if (per_po is None) != (per_day is None):
        raise InvalidInput(
            "give both limits (per PO and per day) to let assistants submit, or neither to "
            "keep them to drafts"
        )
    tenant = await get_tenant(session, shortcut)
    tenant.assistant_po_limit, tenant.assistant_day_limit = per_po, per_day
    found = Limits(per_po, per_day)
    audit.record(
        session, tenant_id=tenant.id, actor=actor, action="tenant.assistant_limits",
        target=f"tenant {shortcut}", details=found.to_json(),
    )  # fmt: skip
    await session.commit()
    return found


def po_value(po: PurchaseOrder) -> Decimal | None:
    """The PO's value at its expected prices; None when a line has no price."""
    total = Decimal(0)
    for line in po.lines:
        if line.removed:
            continue
        if line.expected_price is None:
            return None
        total += line.expected_price * line.quantity
    return total


async def submitted_today(session: AsyncSession, tenant_id: int, now: datetime) -> Decimal:
    """What assistants of the tenant submitted directly since midnight UTC."""
    start = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    rows = await session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.tenant_id == tenant_id,
            AuditEntry.action == SUBMITTED,
            AuditEntry.at >= start,
        )
    )
    return sum((Decimal(str(d.get("value", "0"))) for d in rows), Decimal(0))


async def refusal(session: AsyncSession, po: PurchaseOrder, now: datetime) -> str | None:
    """Why an assistant may not submit this PO itself (it stays a draft), or None.

    Holds the tenant's row until the caller commits (with :func:`record_submission`), so two
    assistants submitting at once are counted against the day one after the other."""
    per_po, per_day = await _hold_limits(session, po.tenant_id)
    await session.refresh(po, ["status"])
    if po.status != POStatus.DRAFT.value:
        return f"the PO is {po.status}, not a draft: nothing was sent"
    if per_po is None or per_day is None:
        return (
            "this tenant lets assistants draft POs only: a person submits it in the console "
            "(a tenant admin can allow direct submission up to limits: disty tenant "
            "assistant-limits)"
        )
    value = po_value(po)
    if value is None:
        return "a line has no expected price, so its value is unknown: a person submits it"
    if value > per_po:
        return (
            f"its value {value} is over the {per_po} an assistant may submit per "
            "PO: a person submits it in the console"
        )
    spent = await submitted_today(session, po.tenant_id, now)
    if spent + value > per_day:
        return (
            f"assistants submitted {spent} today; {value} more is over the day's "
            f"{per_day}: a person submits it in the console"
        )
    return None


async def _hold_limits(
    session: AsyncSession, tenant_id: int
) -> tuple[Decimal | None, Decimal | None]:
    """The tenant's limits, read by a write that changes nothing: on PostgreSQL it locks the
    tenant's row, on SQLite it takes the one writer's lock (waiting up to the busy timeout).
    A plain read would let two submissions both see the same day's total and both pass."""
    row = (
        await session.execute(
            update(Tenant)
            .where(Tenant.id == tenant_id)
            .values(assistant_day_limit=Tenant.assistant_day_limit)
            .returning(Tenant.assistant_po_limit, Tenant.assistant_day_limit)
            .execution_options(synchronize_session=False)
        )
    ).one()
    return row[0], row[1]


def record_submission(session: AsyncSession, po: PurchaseOrder, actor: str) -> None:
    """The audit entry the day's total counts; committed with the PO's send."""
    audit.record(
        session, tenant_id=po.tenant_id, actor=actor, action=SUBMITTED,
        target=f"PO {po.po_number} ({po.supplier})", details={"value": str(po_value(po))},
    )  # fmt: skip
