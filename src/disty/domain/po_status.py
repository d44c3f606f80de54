"""A PO's statuses, as the console and CLI say them, and the moves between them. Pure rules, no
I/O. Apart from domain/orders.py: reading a PO (``disty order show``, services/po_views.py)
needs its status, not the order dataclasses, whose making costs start-up ~7 ms."""

from __future__ import annotations

from enum import StrEnum

from disty.errors import InvalidInput


class POStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"  # price drift beyond tolerance: a person decides
    SUBMITTING = "submitting"  # in the outbox; the supplier may or may not have it yet
    SUBMITTED = "submitted"
    ON_HOLD = "on_hold"
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    BACKORDERED = "backordered"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"
    VOIDED = "voided"
    FAILED = "failed"  # the supplier refused the whole order; nothing was placed (it can be
    # corrected and submitted again)


# Each status as the console and the CLI's human output say it (the API keeps the values).
STATUS_LABELS: dict[POStatus, str] = {
    POStatus.DRAFT: "Draft",
    POStatus.AWAITING_APPROVAL: "Awaiting approval",
    POStatus.SUBMITTING: "Submitting",
    POStatus.SUBMITTED: "Submitted",
    POStatus.ON_HOLD: "On hold",
    POStatus.PARTLY_SHIPPED: "Partly shipped",
    POStatus.SHIPPED: "Shipped",
    POStatus.BACKORDERED: "Back-ordered",
    POStatus.INVOICED: "Invoiced",
    POStatus.CANCELLED: "Cancelled",
    POStatus.VOIDED: "Voided",
    POStatus.FAILED: "Failed",
}


FINAL = frozenset({POStatus.INVOICED, POStatus.CANCELLED, POStatus.VOIDED, POStatus.FAILED})

# States the supplier reports once the order exists there; any may follow another, because
# webhooks and polls arrive out of order and a supplier may skip steps.
_AT_SUPPLIER = frozenset(
    {
        POStatus.SUBMITTED,
        POStatus.ON_HOLD,
        POStatus.PARTLY_SHIPPED,
        POStatus.SHIPPED,
        POStatus.BACKORDERED,
        POStatus.INVOICED,
        POStatus.CANCELLED,
        POStatus.VOIDED,
    }
)

_MOVES: dict[POStatus, frozenset[POStatus]] = {
    POStatus.DRAFT: frozenset(
        {POStatus.SUBMITTING, POStatus.AWAITING_APPROVAL, POStatus.CANCELLED}
    ),
    POStatus.AWAITING_APPROVAL: frozenset({POStatus.SUBMITTING, POStatus.CANCELLED}),
    POStatus.SUBMITTING: _AT_SUPPLIER | {POStatus.FAILED},
    **{status: _AT_SUPPLIER - {status} for status in _AT_SUPPLIER - FINAL},
    # An order accepted with a confirmation number (the supplier's order number to follow) is
    # submitted before the order exists; the supplier may still refuse it then.
    POStatus.SUBMITTED: (_AT_SUPPLIER - {POStatus.SUBMITTED}) | {POStatus.FAILED},
    **{status: frozenset() for status in FINAL},
    # A refused PO (nothing placed) can be corrected and submitted again.
    POStatus.FAILED: frozenset({POStatus.DRAFT}),
}


def can_move(current: POStatus, new: POStatus) -> bool:
    return new in _MOVES[current]


def require_move(current: POStatus, new: POStatus) -> None:
    if not can_move(current, new):
        raise InvalidInput(f"a PO that is {current.value} cannot become {new.value}")


def status_words(status: str) -> str:
    """A status inside a sentence: "PO 7 is on hold" (not ``on_hold``)."""
    try:
        return STATUS_LABELS[POStatus(status)].lower()
    except ValueError:
        return status.replace("_", " ")
