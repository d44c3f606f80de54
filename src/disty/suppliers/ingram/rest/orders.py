"""Ingram's order bodies to and from disty's order types (domain/orders.py)."""

from __future__ import annotations

from typing import Any

from disty.domain.orders import (
    Address,
    ChangeKind,
    LineChange,
    LineState,
    ModifiedOrder,
    OrderRequest,
    OrderState,
    PlacedOrder,
    Shipment,
)
from disty.domain.po_status import POStatus


def _address(address: Address, id_key: str) -> dict[str, str]:
    """Ingram's shipToInfo / endUserInfo: only the fields given (a stored address id may
    come alone)."""
    fields = {
        id_key: address.address_id,
        "companyName": address.company,
        "contact": address.contact,
        "addressLine1": address.street,
        "addressLine2": address.street2,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postcode,
        "countryCode": address.country,
        "phoneNumber": address.phone,
        "email": address.email,
    }
    return {k: v for k, v in fields.items() if v}


def order_body(request: OrderRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customerOrderNumber": request.po_number,
        "lines": [
            {
                # At most 3 characters; unique per order.
                "customerLineNumber": f"{line.line_number:03d}",
                "ingramPartNumber": line.sku,
                "quantity": line.quantity,
                **({"specialBidNumber": line.special_bid} if line.special_bid else {}),
            }
            for line in request.lines
        ],
        "shipToInfo": _address(request.ship_to, "addressId"),
    }
    if request.end_user is not None:
        body["endUserInfo"] = _address(request.end_user, "endUserId")
    if not body["lines"]:
        del body["lines"]  # a quote's order: Ingram takes the quote's lines
    if request.notes:
        body["notes"] = request.notes
    if request.quote_number:
        # v7 only: the quote's prices; with no lines, Ingram orders the quote's products.
        body["quoteNumber"] = request.quote_number
    if request.hold:
        body["additionalAttributes"] = [
            {"attributeName": "allowOrderOnCustomerHold", "attributeValue": "true"}
        ]
    return body


def modify_body(changes: list[LineChange]) -> dict[str, Any]:
    """PUT /resellers/v6/orders/{orderNumber}: existing lines by ingramLineNumber.

    Every line also carries disty's line number as customerLineNumber, so each refused
    change in the answer can be told apart (and an added line keeps disty's number).
    """
    lines: list[dict[str, Any]] = []
    for change in changes:
        line: dict[str, Any] = {
            "addUpdateDeleteLine": _ACTION[change.kind],
            "customerLineNumber": f"{change.line_number:03d}",
        }
        if change.kind is ChangeKind.ADD:
            line["ingramPartNumber"] = change.sku
        else:
            line["ingramLineNumber"] = change.supplier_line_number
        if change.kind is not ChangeKind.REMOVE:
            line["quantity"] = change.quantity
        lines.append(line)
    return {"lines": lines}


_ACTION = {ChangeKind.ADD: "ADD", ChangeKind.SET: "UPDATE", ChangeKind.REMOVE: "DELETE"}


def modified_order(body: Any, changes: list[LineChange]) -> ModifiedOrder:
    """The modify answer (200, or 207 with ``rejectedLineItems``) by disty line number."""
    body = body if isinstance(body, dict) else {}
    by_supplier_line = {
        c.supplier_line_number.lstrip("0"): c.line_number
        for c in changes
        if c.supplier_line_number and c.line_number is not None
    }
    rejected: dict[int, str] = {}
    for item in _list(body.get("rejectedLineItems")):
        line = _line_number(item.get("customerLineNumber", item.get("customerLinenumber")))
        if line is None:
            line = by_supplier_line.get(str(item.get("ingramLineNumber") or "").lstrip("0"))
        if line is not None:
            rejected[line] = str(
                item.get("rejectReason") or item.get("rejectCode") or "rejected"
            ).strip()
    added: dict[int, str] = {}
    for item in _list(body.get("lines")):
        line = _line_number(item.get("customerLineNumber"))
        number = str(item.get("ingramLineNumber") or item.get("lineNumber") or "").strip()
        if line is not None and number:
            added[line] = number
    return ModifiedOrder(rejected=rejected, supplier_line_numbers=added)


def _line_number(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def placed_order(body: Any) -> PlacedOrder:
    body = body if isinstance(body, dict) else {}
    confirmation = str(body.get("confirmationNumber") or "").strip()
    if confirmation:
        # v7: accepted for processing; the order and any refused lines come later.
        return PlacedOrder((), {}, confirmation_number=confirmation)
    numbers: list[str] = []
    rejected: dict[int, str] = {}
    for order in body.get("orders") or []:
        if not isinstance(order, dict):
            continue
        number = order.get("ingramOrderNumber")
        if number and str(number) not in numbers:
            numbers.append(str(number))
        for item in order.get("rejectedLineItems") or []:
            if not isinstance(item, dict):
                continue
            # Ingram spells it customerLinenumber in its examples.
            line = _line_number(item.get("customerLineNumber", item.get("customerLinenumber")))
            if line is not None:
                rejected[line] = str(
                    item.get("rejectReason") or item.get("rejectCode") or "rejected"
                ).strip()
    for item in body.get("rejectedLineItems") or []:
        if isinstance(item, dict):
            line = _line_number(item.get("customerLineNumber", item.get("customerLinenumber")))
            if line is not None:
                rejected[line] = str(item.get("rejectReason") or "rejected").strip()
    return PlacedOrder(tuple(numbers), rejected)


def order_numbers_for(body: Any, po_number: str) -> list[str]:
    """Order numbers in an order-search answer that belong to this PO number."""
    if not isinstance(body, dict):
        return []
    return [
        str(o["ingramOrderNumber"])
        for o in body.get("orders") or []
        if isinstance(o, dict)
        and o.get("ingramOrderNumber")
        and str(o.get("customerOrderNumber", "")).strip().upper() == po_number.upper()
    ]


_STATUS = {
    "on hold": POStatus.ON_HOLD,
    "customer hold": POStatus.ON_HOLD,
    "hold": POStatus.ON_HOLD,
    "voided": POStatus.VOIDED,
    "cancelled": POStatus.CANCELLED,
    "canceled": POStatus.CANCELLED,
    "backordered": POStatus.BACKORDERED,
    "partially shipped": POStatus.PARTLY_SHIPPED,
    "shipped": POStatus.SHIPPED,
    "invoiced": POStatus.INVOICED,
}


def order_state(body: Any) -> OrderState:
    body = body if isinstance(body, dict) else {}
    lines: list[LineState] = []
    shipments: list[Shipment] = []
    invoices: list[str] = []
    for line in body.get("lines") or []:
        if not isinstance(line, dict):
            continue
        sku = str(line.get("ingramPartNumber") or "")
        shipped = 0
        for detail in _list(line.get("shipmentDetails")):
            invoice = str(detail.get("invoiceNumber") or "").strip()
            if invoice and invoice not in invoices:
                invoices.append(invoice)
            for carrier in _list(detail.get("carrierDetails")):
                shipped += _int(carrier.get("quantity"))
                for package in _list(carrier.get("trackingDetails")):
                    number = str(package.get("trackingNumber") or "").strip()
                    if not number:
                        continue
                    shipments.append(
                        Shipment(
                            sku=sku,
                            tracking_number=number,
                            carrier=carrier.get("carrierName") or carrier.get("carrierCode"),
                            tracking_url=package.get("trackingUrl") or None,
                            shipped_on=carrier.get("shippedDate") or None,
                            quantity=_int(package.get("quantityInBox")),
                            serial_numbers=tuple(
                                str(s.get("serialNumber"))
                                for s in _list(package.get("serialNumbers"))
                                if s.get("serialNumber")
                            ),
                        )
                    )
        # v6.1 detail spells it ingramOrderLineNumber; other answers ingramLineNumber.
        supplier_line = str(
            line.get("ingramOrderLineNumber") or line.get("ingramLineNumber") or ""
        ).strip()
        lines.append(
            LineState(
                line_number=_line_number(line.get("customerLineNumber")),
                sku=sku,
                shipped=shipped,
                backordered=_int(line.get("quantityBackOrdered")),
                quantity=_int(line.get("quantityOrdered")),
                supplier_line_number=supplier_line or None,
            )
        )
    raw = str(body.get("orderStatus") or "").strip().lower()
    status = _STATUS.get(raw, POStatus.SUBMITTED)
    # "Processing" with nothing shipped and quantities on back-order is a back-ordered PO.
    nothing_shipped = not any(x.shipped for x in lines)
    if status is POStatus.SUBMITTED and nothing_shipped and any(x.backordered for x in lines):
        status = POStatus.BACKORDERED
    # Ingram's detail says "Shipped" even once invoiced: invoices on every shipment tell.
    if (
        status is POStatus.SHIPPED
        and invoices
        and all(_all_invoiced(line) for line in body.get("lines") or [] if isinstance(line, dict))
    ):
        status = POStatus.INVOICED
    return OrderState(
        order_number=str(body.get("ingramOrderNumber") or ""),
        status=status,
        lines=tuple(lines),
        shipments=tuple(shipments),
        invoices=tuple(invoices),
    )


def _all_invoiced(line: dict[str, Any]) -> bool:
    # Shipped packages carry carrier details; digital items carry only their invoice.
    details = [
        d
        for d in _list(line.get("shipmentDetails"))
        if _list(d.get("carrierDetails")) or str(d.get("invoiceNumber") or "").strip()
    ]
    return (
        _int(line.get("quantityBackOrdered")) == 0
        and bool(details)
        and all(str(d.get("invoiceNumber") or "").strip() for d in details)
    )


def _list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value or [] if isinstance(v, dict)] if isinstance(value, list) else []


def _int(value: Any) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return 0
