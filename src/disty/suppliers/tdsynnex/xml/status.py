"""TD SYNNEX's PO status over EC Express XML (NOTES 5): asked by PO number only, one
``OrderStatusResponse`` listing every sales order of the PO, row by row. Read here into the
PO's sales order numbers (``order_numbers``) and one OrderState per sales order
(``order_states``).

Read leniently, as the evidence varies: codes in any case and spacing ("notFound", "not
found", "NOTFOUND"), missing or empty fields costing only their own value, the same
``lineNumber`` possibly on two rows. POStatus carries no invoice numbers: an ``invoiced`` row
says the status only; ``with_invoices`` adds the numbers once an invoice look-up finds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from xml.etree.ElementTree import Element, SubElement

from disty.domain.orders import LineState, OrderState, Shipment
from disty.domain.po_status import POStatus
from disty.suppliers.errors import NotFound, Unavailable
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.values import to_int
from disty.suppliers.xml import child, children, local, text

SHIPPED_CODES = ("shipped", "invoiced")
GONE_CODES = ("deleted", "rejected")  # cancelled by TD SYNNEX's sales; refused at submission

# What disty shows on a PO line TD SYNNEX accepted but did not simply book (PlacedOrder's
# line_notes, LineState.note); "" once it shipped.
PRICE_REVIEW = (
    "held for TD SYNNEX's price review (the PO's price is not TD SYNNEX's): its sales team "
    "releases or changes it"
)
BACKORDERED = "back-ordered at TD SYNNEX"
SALES_REVIEW = "held for TD SYNNEX's sales team to read the PO's notes before it ships"
CANCELLED = "cancelled by TD SYNNEX's sales team"


def code_of(value: str | None) -> str:
    """A status code as compared here: lower case, without spaces, dashes or underscores
    ("Not Found", "NOTFOUND", "not_found" -> "notfound"; "null" -> "")."""
    squeezed = "".join(ch for ch in (value or "").lower() if ch.isalnum())
    return "" if squeezed == "null" else squeezed


def line_note(code: str, order_type: str | None, reference: str, eta: str | None) -> str:
    """What to show on a line: a back-order, a review, a cancellation; "" when there is
    nothing to say (booked, or shipped: that clears an earlier note)."""
    kind = (order_type or "").strip().upper()
    if code in SHIPPED_CODES:
        return ""
    if code == "deleted":
        return CANCELLED
    if "PRICEVAR" in reference or kind in ("99", "QO"):
        return PRICE_REVIEW
    if kind == "BO":
        return f"{BACKORDERED}, expected {eta}" if eta else BACKORDERED
    if "SALESPND" in reference:
        return SALES_REVIEW
    return ""


# -- the request -------------------------------------------------------------------------------


def status_request(customer_number: str, po_number: str) -> Element:
    request = Element("OrderStatusRequest")
    SubElement(request, "CustomerNumber").text = customer_number
    SubElement(request, "PONumber").text = po_number
    return request


# -- the answer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    """One ``Item`` of the answer: one PO line in one sales order."""

    line_number: int | None
    order_number: str
    order_type: str
    code: str
    sku: str
    mfg_pn: str | None
    quantity: int
    shipped: int
    note: str
    shipments: tuple[Shipment, ...] = ()


@dataclass(frozen=True)
class StatusAnswer:
    code: str  # the PO's roll-up, as code_of gives it
    rows: tuple[StatusRow, ...] = field(default_factory=tuple)


def read_status(root: Element, describe: str) -> StatusAnswer:
    """The ``OrderStatusResponse`` (errors were raised by the client already)."""
    response = child(root, "OrderStatusResponse") if local(root.tag) == "synnexb2b" else None
    if response is None:
        raise Unavailable(
            f"{describe} answered the PO status with <{root.tag}>, not an "
            "OrderStatusResponse: try again later"
        )
    header = code_of(text(response, "Code"))
    items = child(response, "Items")
    found = children(items, "Item") if items is not None else []
    rows = tuple(_row(item, header) for item in found)
    return StatusAnswer(header, rows)


def _row(item: Element, header: str) -> StatusRow:
    code = code_of(text(item, "Code")) or header
    quantity = to_int(text(item, "OrderQuantity")) or 0
    sku = text(item, "SKU") or ""
    carrier = text(item, "ShipMethodDescription") or text(item, "ShipMethod")
    shipped_on = text(item, "ShipDatetime")
    shipments = []
    for package in children(child(item, "Packages") or Element("Packages"), "Package"):
        tracking = text(package, "TrackingNumber")
        if not tracking:
            continue  # an empty Package says nothing a person can follow
        serials = tuple(
            s.text.strip() for s in children(package, "SerialNo") if s.text and s.text.strip()
        )
        shipments.append(
            Shipment(
                sku=sku,
                tracking_number=tracking,
                carrier=carrier,
                tracking_url=None,  # POStatus gives none; the carrier's site finds the number
                shipped_on=shipped_on,
                quantity=to_int(text(package, "ShipItemQuantity")) or 0,
                serial_numbers=serials,
                line_number=to_int(item.get("lineNumber")),
            )
        )
    shipped = to_int(text(item, "ShipQuantity")) or 0
    if code in SHIPPED_CODES and not shipped:
        # Shipped without a ShipQuantity: its packages say how many, else the whole line.
        shipped = sum(s.quantity for s in shipments) or quantity
    if code in GONE_CODES:
        shipped = 0
    order_type = (text(item, "OrderType") or "").upper()
    return StatusRow(
        line_number=to_int(item.get("lineNumber")),
        order_number=text(item, "OrderNumber") or "",
        order_type=order_type,
        code=code,
        sku=sku,
        mfg_pn=text(item, "MfgPN"),
        quantity=quantity,
        shipped=shipped,
        note=line_note(code, order_type, "", text(item, "ETADate")),
        shipments=tuple(shipments),
    )


def order_numbers(answer: StatusAnswer) -> list[str]:
    """The PO's sales order numbers, first seen first; none when TD SYNNEX has no order under
    the PO number (not found, or refused when it was sent)."""
    if answer.code in ("notfound", "rejected"):
        return []
    return list(dict.fromkeys(row.order_number for row in answer.rows if row.order_number))


def order_states(answer: StatusAnswer, po_number: str, wanted: Sequence[str]) -> list[OrderState]:
    """One state per sales order: the ``wanted`` ones in their order (those the answer does
    not show are left out: nothing is known of them now), then any other the PO has at TD
    SYNNEX now (a back-order split off later), so its lines are followed too."""
    if answer.code == "notfound" and not answer.rows:
        raise NotFound(
            f"{consts.NAME} shows no order under PO {po_number} now: check it on EC Express"
        )
    grouped: dict[str, list[StatusRow]] = {}
    for row in answer.rows:
        if row.order_number:
            grouped.setdefault(row.order_number, []).append(row)
    ordered = [n for n in wanted if n in grouped] + [n for n in grouped if n not in wanted]
    return [_state(number, grouped[number]) for number in ordered]


def _state(number: str, rows: list[StatusRow]) -> OrderState:
    lines = tuple(
        LineState(
            line_number=row.line_number,
            sku=row.sku,
            shipped=row.shipped,
            backordered=(
                max(row.quantity - row.shipped, 0)
                if row.order_type == "BO" and row.code not in GONE_CODES
                else 0
            ),
            quantity=row.quantity,
            note=row.note,
        )
        for row in rows
    )
    return OrderState(
        order_number=number,
        status=_status(rows),
        lines=lines,
        shipments=tuple(s for row in rows for s in row.shipments),
        invoices=(),
    )


def _status(rows: list[StatusRow]) -> POStatus:
    """A sales order's status from its rows (NOTES 5.2, 5.5): cancelled rows count only when
    every row is; then invoiced, shipped, part shipped, back-ordered or submitted."""
    live = [row for row in rows if row.code not in GONE_CODES]
    if not live:
        return POStatus.CANCELLED
    if all(row.code == "invoiced" for row in live):
        return POStatus.INVOICED
    if all(row.code in SHIPPED_CODES for row in live):
        return POStatus.SHIPPED
    if any(row.code in SHIPPED_CODES or row.shipped for row in live):
        return POStatus.PARTLY_SHIPPED
    if any(row.order_type == "BO" for row in live):
        return POStatus.BACKORDERED
    return POStatus.SUBMITTED


def with_invoices(
    states: Sequence[OrderState], invoices: Mapping[str, Sequence[str]]
) -> list[OrderState]:
    """The states with the invoice numbers an invoice look-up found (sales order number ->
    its invoice numbers): POStatus itself names none."""
    return [
        replace(
            state,
            invoices=tuple(dict.fromkeys([*state.invoices, *invoices.get(state.order_number, ())])),
        )
        for state in states
    ]
