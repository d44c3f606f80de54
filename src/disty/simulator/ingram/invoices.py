"""Invoices: search and v6.1 detail, read straight from the orders' invoiced shipments.

An invoice is one shipment (sub-order) once its order's life invoiced it: its lines are the
order lines of that shipment, its amounts their quantity times the order's unit price, plus the
order's freight on its first invoice, so invoice and order detail always agree. Invoice
numbers are the sub-order without hyphens (``20ABCDE11``); detail accepts either spelling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from disty.simulator.ingram import errors, order_wire
from disty.simulator.ingram.calls import (
    Fields,
    admit,
    date_param,
    int_param,
    invalid,
    page,
    utc_day,
)
from disty.simulator.ingram.consts import OP_INVOICE_DETAIL, OP_INVOICE_SEARCH
from disty.simulator.ingram.gateway import state_of
from disty.simulator.ingram.orders import Line, Order, Shipment
from disty.simulator.ingram.state import SimState

JSON = dict[str, Any]
NET_DAYS = 30
INVOICE_TYPE = "Invoice"  # no credit or debit memos here
_APP_HEADER = ("IM-ApplicationID",)


@dataclass(frozen=True, slots=True)
class Invoice:
    order: Order
    shipment: Shipment
    parts: tuple[tuple[Line, Shipment], ...]  # every order line shipped on this sub-order

    @property
    def number(self) -> str:
        return self.shipment.invoice_number or ""

    @property
    def net(self) -> float:
        return round(sum(ln.unit_price * s.quantity for ln, s in self.parts), 2)

    @property
    def freight(self) -> float:
        first = self.order.shipments[0].sub_order_number if self.order.shipments else ""
        return self.order.freight if self.shipment.sub_order_number == first else 0.0

    @property
    def total(self) -> float:
        return round(self.net + self.freight, 2)

    @property
    def date(self) -> float:
        return self.shipment.invoiced_at or self.shipment.shipped_at

    @property
    def due(self) -> float:
        return self.date + NET_DAYS * 86400


def invoices_of(state: SimState, client_id: str) -> list[Invoice]:
    out = []
    for order in state.orders.for_app(client_id):
        by_sub: dict[str, list[tuple[Line, Shipment]]] = {}
        for ln in order.live_lines:
            for s in ln.shipments:
                if s.invoice_number:
                    by_sub.setdefault(s.sub_order_number, []).append((ln, s))
        for parts in by_sub.values():
            out.append(Invoice(order, parts[0][1], tuple(parts)))
    return out


def _row(inv: Invoice) -> JSON:
    return {
        "paymentTermsDueDate": order_wire.day(inv.due),
        "erpOrderNumber": inv.shipment.sub_order_number,
        "invoiceAmountInclTax": inv.total,
        "invoiceNumber": inv.number,
        "invoiceStatus": "OPEN",
        "invoiceDate": order_wire.day(inv.date),
        "invoiceDueDate": order_wire.day(inv.due),
        "invoicedAmountDue": inv.total,
        "customerOrderNumber": inv.order.customer_order_number,
        "endCustomerOrderNumber": inv.order.end_customer_order_number,
        "orderCreateDate": order_wire.day(inv.order.created_at),
    }


def _within(day: float, lo: dt.date | None, hi: dt.date | None, on: dt.date | None) -> bool:
    d = utc_day(day)
    return (lo is None or d >= lo) and (hi is None or d <= hi) and (on is None or d == on)


def _same(wanted: str | None, *values: str) -> bool:
    return not wanted or wanted.strip().upper() in {v.upper() for v in values}


def _matches(inv: Invoice, q: Any, days: dict[str, dt.date | None]) -> bool:
    """Every filter the spec documents for invoice search narrows the result."""
    order, sub = inv.order, inv.shipment.sub_order_number
    return (
        _same((q.get("invoiceNumber") or "").replace("-", ""), inv.number)
        and _same(q.get("orderNumber"), order.number, sub)
        and _same(q.get("customerOrderNumber"), order.customer_order_number)
        and _same(q.get("endCustomerOrderNumber"), order.end_customer_order_number)
        and _same(q.get("specialBidNumber"), order.special_bid_number)
        and _same(q.get("invoiceStatus"), "OPEN")
        and _same(q.get("invoiceType"), INVOICE_TYPE)
        # The spec spells it DeliveryNumber; the delivery is the shipment (order detail's
        # shipmentDetails[].deliveryNumber).
        and _same(q.get("DeliveryNumber") or q.get("deliveryNumber"), order_wire.delivery(sub))
        and (
            not q.get("serialNumber")
            or q["serialNumber"] in {n for _, s in inv.parts for n in s.serials}
        )
        and _within(inv.date, days["invoiceFromDate"], days["invoiceToDate"], days["invoiceDate"])
        and _within(
            inv.due, days["invoiceFromDueDate"], days["invoiceToDueDate"], days["invoiceDueDate"]
        )
        and _within(inv.due, None, None, days["paymentTermsNetDate"])
        and _within(order.created_at, days["orderFromDate"], days["orderToDate"], days["orderDate"])
    )


async def search(request: Request) -> Response:
    ctx = await admit(request, OP_INVOICE_SEARCH, required=_APP_HEADER)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    q = request.query_params
    bad: Fields = []
    size = int_param(q.get("pageSize"), 25, "pageSize", bad, hi=100)
    number = int_param(q.get("pageNumber"), 1, "pageNumber", bad)
    days = {
        name: date_param(q, name, bad)
        for name in (
            "invoiceDate",
            "invoiceFromDate",
            "invoiceToDate",
            "invoiceDueDate",
            "invoiceFromDueDate",
            "invoiceToDueDate",
            "paymentTermsNetDate",
            "orderDate",
            "orderFromDate",
            "orderToDate",
        )
    }
    if bad:
        return invalid(ctx, now, bad)
    found = [
        _row(inv)
        for inv in invoices_of(state, ctx.app.client_id)
        if inv.order.country == ctx.country and _matches(inv, q, days)
    ]
    reverse = (q.get("direction") or "desc").lower() != "asc"
    found.sort(key=lambda r: (r["invoiceDate"], r["invoiceNumber"]), reverse=reverse)
    body: JSON = {
        "recordsFound": len(found),
        "pageSize": size,
        "pageNumber": number,
        "invoices": page(found, number, size),
    }
    body["nextPage"] = (
        f"/resellers/v6/invoices?pageSize={size}&pageNumber={number + 1}"
        if number * size < len(found)
        else ""
    )
    return JSONResponse(body, headers=ctx.headers)


def invoice_detail(inv: Invoice, customer_number: str, include_serials: bool) -> JSON:
    order = inv.order
    lines = []
    for ln, s in inv.parts:
        line: JSON = {
            "ingramLineNumber": ln.ingram_line_number,
            "customerLineNumber": ln.customer_line_number,
            "ingramPartNumber": ln.product.ingram_part_number,
            "vendorPartNumber": ln.product.vendor_part_number,
            "vendorName": ln.product.vendor_name.upper(),
            "productDescription": ln.product.description.upper(),
            "unitWeight": ln.product.weight_kg,
            "quantity": s.quantity,
            "unitPrice": ln.unit_price,
            "unitOfMeasure": "EA",
            "currencyCode": order.currency,
            "extendedPrice": round(ln.unit_price * s.quantity, 2),
            "taxPercentage": 0,
            "taxRate": 0,
            "taxAmount": 0,
            "serialNumbers": [{"serialNumber": n} for n in s.serials] if include_serials else [],
            "quantityOrdered": ln.quantity,
            "quantityShipped": s.quantity,
        }
        lines.append(line)
    ship_to = order_wire.ship_to(order)
    return {
        "invoiceNumber": inv.number,
        "invoiceStatus": "Open",
        "invoiceDate": order_wire.day(inv.date),
        "customerOrderNumber": order.customer_order_number,
        "endCustomerOrderNumber": order.end_customer_order_number,
        "orderDate": order_wire.day(order.created_at),
        "billToID": order.bill_to_address_id,
        "invoiceType": INVOICE_TYPE,
        "invoiceDueDate": order_wire.day(inv.due),
        "customerCountryCode": order.country,
        "customerNumber": customer_number,
        "ingramOrderNumber": inv.shipment.sub_order_number,
        "notes": order.notes,
        "paymentTermsInfo": {
            "paymentTermsCode": str(NET_DAYS),
            "paymentTermsDescription": f"NET {NET_DAYS} DAYS",
            "paymentTermsDueDate": order_wire.day(inv.due),
        },
        "billToInfo": {
            k: order_wire.BILL_TO[k]
            for k in (
                "companyName",
                "addressLine1",
                "addressLine2",
                "city",
                "state",
                "postalCode",
                "countryCode",
            )
        },
        "shipToInfo": {
            "contact": ship_to.get("contact", ""),
            **{
                k: ship_to.get(k, "")
                for k in (
                    "companyName",
                    "addressLine1",
                    "city",
                    "state",
                    "postalCode",
                    "countryCode",
                )
            },
        },
        "lines": lines,
        "endUserInfo": {
            k: order.end_user.get(k, "")
            for k in (
                "contact",
                "addressLine1",
                "addressLine2",
                "addressLine3",
                "city",
                "state",
                "postalCode",
                "countryCode",
                "phoneNumber",
                "email",
            )
        },
        "fxRateInfo": {
            "currencyCode": order.currency,
            "companyCurrency": order.currency,
            "invoiceCurrency": order.currency,
            "currencyFxRate": 1,
        },
        "summary": {
            "lines": {
                "productLineCount": len(lines),
                "productLineTotalQuantity": sum(s.quantity for _, s in inv.parts),
            },
            # camelCase, as the schema says (it forbids other keys); the example has PascalCase.
            "miscCharges": [
                {
                    "chargeDescription": "FREIGHT",
                    "miscChargeLineCount": 1 if inv.freight else 0,
                    "miscChargeLineTotal": inv.freight,
                    "chargeLineReference": "",
                }
            ],
            "totals": {
                "netInvoiceAmount": inv.net,
                "discountAmount": 0,
                "discountType": "Terms Charge",
                "totalTaxAmount": 0,
                "invoicedAmountDue": inv.total,
            },
            "foreignFxTotals": {
                "foreignCurrencyCode": order.currency,
                "foreignCurrencyFxRate": 1,
                "foreignTotalTaxableAmount": f"{inv.total:.2f}",
                "foreignTotalTaxAmount": 0,
                "foreignInvoiceAmountDue": f"{inv.total:.2f}",
            },
        },
    }


async def detail(request: Request) -> Response:
    ctx = await admit(request, OP_INVOICE_DETAIL, required=_APP_HEADER)
    if isinstance(ctx, Response):
        return ctx
    state = state_of(request)
    now = state.clock.now()
    wanted = request.path_params["invoiceNumber"].replace("-", "").upper()
    inv = next((i for i in invoices_of(state, ctx.app.client_id) if i.number == wanted), None)
    if inv is None:
        return errors.not_found(correlation_id=ctx.correlation_id, now=now, headers=ctx.headers)
    serials = request.query_params.get("includeSerialNumbers", "true").lower() != "false"
    return JSONResponse(invoice_detail(inv, ctx.app.customer_number, serials), headers=ctx.headers)
