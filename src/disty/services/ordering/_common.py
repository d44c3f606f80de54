"""What the ordering modules share: the ``Context`` a use case runs in, the PO's timeline
and audit entries, the conditional status move that lets exactly one of two racing requests
win, and the PO's adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty import logs
from disty.config import Settings
from disty.db.models import AuditEntry, POEvent, PurchaseOrder
from disty.domain.po_status import POStatus, status_words
from disty.domain.polling import PollingSchedule
from disty.services import audit
from disty.services.suppliers import Suppliers
from disty.suppliers.base import Capability, Supplier


@dataclass(frozen=True)
class Context:
    """What the ordering use cases need besides a session: how to reach suppliers, and who
    acts (for the PO's timeline and the audit log)."""

    suppliers: Suppliers
    actor: str
    # The poll interval this caller follows POs at: DISTY_POLL_INTERVAL_S unless the worker
    # was started with its own (``disty worker --interval``).
    poll_interval_s: float | None = None

    @property
    def settings(self) -> Settings:
        return self.suppliers.settings

    @property
    def polling(self) -> PollingSchedule:
        seconds = self.poll_interval_s
        return PollingSchedule.every(self.settings.poll_interval_s if seconds is None else seconds)

    async def adapter(
        self,
        session: AsyncSession,
        *,
        shortcut: str,
        country_id: int,
        supplier: str,
        need: Capability,
        what: str,
    ) -> Supplier:
        """The tenant's adapter for one supplier and country, refusing clearly when that
        supplier cannot do ``what`` (capability ``need``) at all."""
        context = await self.suppliers.context(
            session, shortcut=shortcut, supplier=supplier, country_id=country_id, need=need,
            what=what,
        )  # fmt: skip
        return context.adapter


def event(po: PurchaseOrder, source: str, actor: str, message: str) -> None:
    po.timeline.append(POEvent(source=source, actor=actor, status=po.status, message=message))


def _target(po: PurchaseOrder) -> str:
    return f"PO {po.po_number} ({po.supplier})"


def audit_act(session: AsyncSession, po: PurchaseOrder, ctx: Context, action: str) -> None:
    """The audit log's entry for a person's (or client's) act on a PO; committed with it (with
    the request's id, when made in one: ``sent_for``)."""
    audit.record(
        session, tenant_id=po.tenant_id, actor=ctx.actor, action=action,
        target=_target(po), details={"status": po.status},
    )  # fmt: skip


# The acts that set a PO's send going: its submission (a draft sent, a failed one sent again)
# and an admin's approval of one stopped for its price.
_SENDING_ACTS = ("po.submitted", "po.approved")
_BEING_SENT = (POStatus.DRAFT.value, POStatus.SUBMITTING.value)


@asynccontextmanager
async def sent_for(session: AsyncSession, po: PurchaseOrder) -> AsyncIterator[None]:
    """Lines logged inside carry the id of the request that set the PO's send going, when this
    runs outside any request (the worker's outbox sweep, its price checks, a procrastinate
    job): the latest sending act's audit entry keeps it (services/audit.py), so any process
    finds it. None for an act made outside a request (the CLI), and inside a request the
    request's own id stays: it is the one acting now."""
    rid = None
    if logs.REQUEST_ID.get() is None and po.status in _BEING_SENT:
        details = await session.scalar(
            select(AuditEntry.details)
            .where(
                AuditEntry.tenant_id == po.tenant_id,
                AuditEntry.target == _target(po),
                AuditEntry.action.in_(_SENDING_ACTS),
            )
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(1)
        )
        rid = (details or {}).get(audit.REQUEST_ID)
    with logs.request_id(rid):
        yield


def move(po: PurchaseOrder, status: POStatus, source: str, actor: str, message: str) -> None:
    po.status = status.value
    event(po, source, actor, message)


async def still(
    session: AsyncSession, po: PurchaseOrder, was: tuple[POStatus, ...], now: POStatus
) -> bool:
    """Move the PO from one of ``was`` to ``now`` in the database, only if it is still there.

    A person's cancel and the sending of the same PO (the worker's price round, a buyer's
    submit, an admin's approval) run in different requests, each on the PO as it read it; a
    plain write would let the later one overwrite the other, and a cancelled PO be placed.
    This conditional update lets exactly one of them win. False: another request moved the
    PO first; its pending changes here are dropped and it is read again as it is now.

    The claim is this transaction's first write: the changes already made to the PO and its
    lines (a price check's prices) are flushed only after it. Flushed before, two requests
    sending one PO at once would each lock rows the other then waits for (PostgreSQL ends
    one with a deadlock: a 500); claimed first, the loser waits on the PO row alone and then
    finds it moved."""
    with session.no_autoflush:
        moved = await session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.id == po.id, PurchaseOrder.status.in_([s.value for s in was]))
            .values(status=now.value)
            .execution_options(synchronize_session=False)
        )
    if getattr(moved, "rowcount", 0):
        return True
    await session.rollback()
    await session.refresh(po)
    return False


async def po_adapter(session: AsyncSession, po: PurchaseOrder, ctx: Context) -> Supplier:
    context = await ctx.suppliers.context_by_tenant_id(
        session, tenant_id=po.tenant_id, supplier=po.supplier, country_id=po.country_id
    )
    return context.adapter


async def merge_and_commit(
    session: AsyncSession, po: PurchaseOrder, merge: Callable[[], None], *, attempts: int = 3
) -> None:
    """Run ``merge`` (an idempotent change of the PO in memory) and commit it.

    Two refreshes of one PO may run at once (two events of one order, an event and the poll,
    a ship-notice file and the poll); the later commit then meets the shipments or invoices
    the other just saved. As the merge is idempotent, it is done again on the PO as now
    saved, adding only what is missing."""
    for attempt in range(attempts):
        merge()
        try:
            await session.commit()
            return
        except IntegrityError:
            await session.rollback()
            if attempt == attempts - 1:
                raise
            await session.refresh(po, ["lines", "shipments", "invoices", "timeline"])
            await session.refresh(po)


def state(po: PurchaseOrder) -> str:
    """The PO's status inside a sentence: "is on hold", not "is on_hold"."""
    return status_words(po.status)
