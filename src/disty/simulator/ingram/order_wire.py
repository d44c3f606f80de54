"""Orders as Ingram's JSON: create answers, v6.1 detail, search rows, modify answers, webhooks.

Field names and nesting follow the spec's examples; every value comes from the one ``Order``.
Where the webhook schema and its example spell a field differently (``LineNumber`` /
``ingramLineNumber``, ``backorderedQuantity`` / ``backOrderedQuantity``), both are sent with
the same value; quantities in order webhooks are strings, as the schema types them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from disty.simulator.ingram.orders import (
    DETAIL_STATUS,
    SEARCH_STATUS,
    Line,
    Order,
    Shipment,
    invoice_number_of,
)
from disty.simulator.ingram.vocab import CURRENCY

JSON = dict[str, Any]

# The simulator's test account, as the spec's examples name Ingram's.
DEFAULT_SHIP_TO = {
    "addressId": "200",
    "companyName": "INGRAM MICRO TEST ACCOUNT",
    "addressLine1": "ATTN TOD DEBIE",
    "addressLine2": "1610 E SAINT ANDREW PL",
    "city": "SANTA ANA",
    "state": "CA",
    "postalCode": "927054931",
    "countryCode": "US",
}
BILL_TO = {
    "contact": "ACCOUNTS PAYABLE",
    "companyName": "SIMULATED RESELLER INC",
    "addressLine1": "100 MAIN ST",
    "addressLine2": "",
    "addressLine3": "",
    "city": "SANTA ANA",
    "state": "CA",
    "postalCode": "927054931",
    "countryCode": "US",
    "phoneNumber": "7145551000",
    "email": "ap@reseller.example",
}
_ADDRESS_KEYS = (
    "contact",
    "companyName",
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


DELIVERY_S = 3 * 86400.0  # a shipment's estimated delivery, three days after it ships


def day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat()


def stamp(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def stamp_ms(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ship_to(order: Order) -> JSON:
    """The order's ship-to address: the one sent (every field present), else the account's."""
    if not order.ship_to:
        return dict(DEFAULT_SHIP_TO)
    return {"addressId": order.ship_to.get("addressId", ""), **_full_address(order.ship_to)}


def _full_address(src: dict[str, str]) -> JSON:
    return {k: src.get(k, "") for k in _ADDRESS_KEYS}


def _link(order: Order) -> JSON:
    return {"topic": "orders", "href": f"/resellers/v6.1/orders/{order.number}", "type": "GET"}


# -- create (v6 answer; v7 webhook resource) ------------------------------------------------


def _create_line(order: Order, ln: Line) -> JSON:
    return {
        "subOrderNumber": f"{order.number}-11",
        "ingramLineNumber": ln.ingram_line_number,
        "customerLineNumber": ln.customer_line_number,
        "lineStatus": ln.status(order.stage),
        "ingramPartNumber": ln.product.ingram_part_number,
        "unitPrice": ln.unit_price,
        "extendedUnitPrice": round(ln.unit_price * ln.confirmed, 2),
        "quantityOrdered": ln.quantity,
        "quantityConfirmed": ln.confirmed,
        "quantityBackOrdered": ln.backordered,
        "notes": ln.notes or ln.product.description.upper(),
        # A list, as the schema (and so the SDK) has it; the spec's examples show an object.
        "shipmentDetails": [
            {
                "carrierCode": "UP" if not ln.product.digital else "VL",
                "carrierName": "UPS GROUND" if not ln.product.digital else "VIRTUAL",
                "shipFromWarehouseId": ln.warehouse.id,
                "shipFromLocation": ln.warehouse.location,
            }
        ],
    }


def create_answer(order: Order, rejected: list[JSON], reseller: JSON | None = None) -> JSON:
    """The v6 create answer (201, or 207 with ``rejectedLineItems``)."""
    sub: JSON = {
        "numberOfLinesWithSuccess": len(order.lines),
        "numberOfLinesWithError": len(rejected),
        "numberOfLinesWithWarning": 0,
        "ingramOrderNumber": order.number,
        "ingramOrderDate": day(order.created_at),
        "notes": order.notes,
        "orderType": order.order_type,
        "orderTotal": order.total,
        "freightCharges": order.freight,
        "totalTax": 0,
        "currencyCode": order.currency,
        "lines": [_create_line(order, ln) for ln in order.lines],
        "miscellaneousCharges": [
            {
                "subOrderNumber": f"{order.number}-11",
                "chargeLineReference": "885",
                "chargeDescription": "FREIGHT",
                "chargeAmount": order.freight,
            }
        ],
        "links": [_link(order)],
    }
    if rejected:
        sub["rejectedLineItems"] = rejected
    return {
        "customerOrderNumber": order.customer_order_number,
        "endCustomerOrderNumber": order.end_customer_order_number,
        "billToAddressId": order.bill_to_address_id,
        "orderSplit": False,
        "processedPartially": bool(rejected),
        "purchaseOrderTotal": order.total,
        "resellerInfo": reseller or {},
        "shipToInfo": ship_to(order),
        "orders": [sub],
    }


def v7_resource(order: Order, answer: JSON) -> JSON:
    """The v7 result's resource: the v6 create answer plus v7's extra fields."""
    res: JSON = {"eventType": "IM::async_order_create", **answer}
    res["resellerInfo"] = _full_address(BILL_TO)
    res["endUserInfo"] = {
        "endUserId": "",
        "addressSequenceNumber": "",
        "contactId": "",
        **_full_address(order.end_user),
    }
    for sub in res["orders"]:
        for line in sub["lines"]:
            line["lineType"] = "P"
            line["globalSkuId"] = line["ingramPartNumber"]
            line["vendorNumber"] = ""
            line["endUserInfo"] = {
                "endUserId": "",
                **_full_address(order.end_user),
            }
            line["warrantyInfo"] = {"directLineLink": ""}
    return res


def v7_refusal(
    customer_order_number: str,
    country: str,
    rejected: list[JSON],
    message: str,
    line_count: int,
    at: float,
) -> JSON:
    """The v7 result when no order was placed: one order entry without a number, counting
    its lines as errors (``numberOfLinesWithError``) and saying why in ``notes``, the fields
    v7's schema has; the refused lines as v6 names them (``rejectedLineItems``)."""
    return {
        "eventType": "IM::async_order_create",
        "customerOrderNumber": customer_order_number,
        "billToAddressId": "000",
        "orderSplit": False,
        "processedPartially": False,
        "purchaseOrderTotal": 0,
        "orders": [
            {
                "numberOfLinesWithSuccess": 0,
                "numberOfLinesWithError": max(line_count, len(rejected), 1),
                "numberOfLinesWithWarning": 0,
                "ingramOrderNumber": "",
                "ingramOrderDate": day(at),
                "notes": message,
                "orderType": "",
                "orderTotal": 0,
                "freightCharges": 0,
                "totalTax": 0,
                "currencyCode": CURRENCY.get(country, "USD"),
                "lines": [],
                "links": [],
            }
        ],
        "rejectedLineItems": rejected,
    }


# -- v6.1 detail ------------------------------------------------------------------------------


def _tracking(order: Order, s: Shipment) -> list[JSON]:
    if not s.tracking_number:
        return []
    return [
        {
            "trackingNumber": s.tracking_number,
            "trackingUrl": s.tracking_url,
            "packageWeight": "1.0",
            "cartonNumber": "1",
            "quantityInBox": str(s.quantity),
            "serialNumbers": [{"serialNumber": n} for n in s.serials],
        }
    ]


def delivery(sub_order_number: str) -> str:
    """A shipment's delivery number (order detail shows it; invoice search filters by it)."""
    return sub_order_number.replace("-", "")[2:]


def _shipment_detail(order: Order, s: Shipment) -> JSON:
    return {
        "quantity": s.quantity,
        "deliveryNumber": delivery(s.sub_order_number),
        "estimatedShipDate": day(s.shipped_at),
        "shipFromWarehouseId": s.warehouse.id,
        "shipFromLocation": s.warehouse.location,
        "invoiceNumber": s.invoice_number or "",
        "invoiceDate": day(s.invoiced_at) if s.invoiced_at else "",
        "carrierDetails": [
            {
                "carrierCode": s.carrier.code,
                "carrierName": s.carrier.name,
                "quantity": s.quantity,
                "shippedDate": day(s.shipped_at),
                "estimatedDeliveryDate": day(s.shipped_at + DELIVERY_S),
                "deliveredDate": "",
                "carrierPickupDate": day(s.shipped_at),
                "trackingDetails": _tracking(order, s),
            }
        ],
    }


def _estimate(order: Order, ln: Line) -> tuple[str, str]:
    ship = order.created_at + (86400 if not ln.backordered else 14 * 86400)
    return day(ship), day(ship + 3 * 86400)


def _detail_line(order: Order, ln: Line) -> JSON:
    ship_day, delivery_day = _estimate(order, ln)
    links = [
        {"topic": "invoices", "href": f"/resellers/v6.1/invoices/{s.invoice_number}", "type": "GET"}
        for s in ln.shipments
        if s.invoice_number
    ]
    return {
        "subOrderNumber": ln.shipments[0].sub_order_number
        if ln.shipments
        else f"{order.number}-11",
        "ingramOrderLineNumber": ln.ingram_line_number,
        "vendorSalesOrderLineNumber": "",
        "customerLineNumber": ln.customer_line_number,
        "lineStatus": ln.status(order.stage),
        "ingramPartNumber": ln.product.ingram_part_number,
        "vendorPartNumber": ln.product.vendor_part_number,
        "vendorName": ln.product.vendor_name.upper(),
        "partDescription": ln.product.description.upper(),
        "unitWeight": ln.product.weight_kg,
        "weightUom": "KG",
        "unitPrice": ln.unit_price,
        "upcCode": ln.product.upc,
        "extendedPrice": ln.extended_price,
        "taxAmount": 0,
        "currencyCode": order.currency,
        "quantityOrdered": ln.quantity,
        "quantityConfirmed": ln.confirmed,
        "quantityBackOrdered": max(0, ln.quantity - max(ln.confirmed, ln.shipped)),
        "specialBidNumber": order.special_bid_number,
        "requestedDeliverydate": "",
        "promisedDeliveryDate": delivery_day,
        "lineNotes": ln.notes,
        "shipmentDetails": [_shipment_detail(order, s) for s in ln.shipments],
        "serviceContractInfo": {
            "contractInfo": {
                "contractDescription": "",
                "contractNumber": "",
                "contractStatus": "",
                "contractStartDate": "",
                "contractEndDate": "",
                "contractDuration": None,
            },
            "subscriptions": {
                "subscriptionId": "",
                "subscriptionTerm": "",
                "renewalTerm": "",
                "billingModel": "",
                "subcriptionStartDate": "",
                "subcriptionEndDate": "",
            },
            "licenseInfo": {
                "licenseNumber": [],
                "licenseStartDate": "",
                "licenseEndDate": "",
                "description": "",
                "quantity": "",
            },
        },
        "additionalAttributes": [
            {"attributeName": "productClass", "attributeValue": ln.product.product_class}
        ],
        "links": links,
        "estimatedDates": [
            {
                "ship": {
                    "shipDateType": "Single",
                    "shipDateRange": {"startDate": None, "endDate": None},
                    "shipSource": "INGRAM",
                    "shipDescription": "Estimated ship date",
                    "shipDate": ship_day,
                },
                "delivery": {
                    "deliveryDateType": "Single",
                    "deliveryDateRange": {"startDate": None, "endDate": None},
                    "deliverySource": "INGRAM",
                    "deliveryDescription": "Estimated delivery date",
                    "deliveryDate": delivery_day,
                },
            }
        ],
        "scheduleLines": None,
        "multipleShipments": [
            {
                "lineNumber": ln.ingram_line_number,
                "requestedQuantity": ln.quantity,
                "confirmedQuantity": ln.confirmed,
                "dateType": "Single",
                "dateRange": {"startDate": None, "endDate": None},
                "source": "INGRAM",
                "description": "Estimated ship date",
                "date": ship_day,
                "deliveryDate": delivery_day,
            }
        ],
    }


def detail(order: Order) -> JSON:
    return {
        "ingramOrderNumber": order.number,
        "ingramOrderDate": stamp(order.created_at),
        "orderType": order.order_type,
        "customerOrderNumber": order.customer_order_number,
        "endCustomerOrderNumber": order.end_customer_order_number,
        "webOrderId": order.confirmation_number,
        "vendorSalesOrderNumber": "",
        "ingramPurchaseOrderNumber": "",
        "orderStatus": DETAIL_STATUS[order.stage],
        "orderTotal": order.total,
        "orderSubTotal": order.subtotal,
        "freightCharges": order.freight,
        "currencyCode": order.currency,
        "totalWeight": round(sum(ln.product.weight_kg * ln.quantity for ln in order.lines), 2),
        "totalTax": 0,
        "paymentTerms": "NET 30 DAYS",
        "notes": order.notes,
        "billToInfo": dict(BILL_TO),
        "shipToInfo": _full_address(ship_to(order)),
        "endUserInfo": _full_address(order.end_user),
        "lines": [_detail_line(order, ln) for ln in order.live_lines],
        "miscellaneousCharges": (
            [
                {
                    "subOrderNumber": f"{order.number}-11",
                    "chargeLineReference": "885",
                    "chargeDescription": "FREIGHT",
                    "chargeAmount": f"{order.freight:.2f}",
                }
            ]
            if order.freight
            else []
        ),
        "additionalAttributes": [
            {"attributeName": "billToAddressId", "attributeValue": order.bill_to_address_id}
        ],
    }


# -- search -----------------------------------------------------------------------------------


def search_row(order: Order) -> JSON:
    subs: dict[str, float] = {}
    for ln in order.live_lines:
        for s in ln.shipments:
            subs[s.sub_order_number] = (
                subs.get(s.sub_order_number, 0.0) + ln.unit_price * s.quantity
            )
    if not subs:
        subs[f"{order.number}-11"] = order.subtotal
    return {
        "ingramOrderNumber": order.number,
        "ingramOrderDate": stamp(order.created_at),
        "customerOrderNumber": order.customer_order_number,
        "vendorSalesOrderNumber": "",
        "vendorName": order.lines[0].product.vendor_name if order.lines else "",
        "endUserCompanyName": order.end_user.get("companyName", ""),
        "orderTotal": order.total,
        "orderStatus": SEARCH_STATUS[order.stage],
        "subOrders": [
            {
                "subOrderNumber": sub,
                "subOrderTotal": round(total, 2),
                "subOrderStatus": SEARCH_STATUS[order.stage],
                # A list, as the schema has it; the spec's example shows one object.
                "links": [
                    {
                        "topic": "orders",
                        "href": f"/resellers/v6.1/orders/{order.number}",
                        "type": "GET",
                    }
                ],
            }
            for sub, total in subs.items()
        ],
    }


# -- modify -----------------------------------------------------------------------------------


def modify_answer(order: Order, lines: list[Line], rejected: list[JSON], now: float) -> JSON:
    body: JSON = {
        "ingramOrderNumber": order.number,
        "orderModifiedDate": stamp(now),
        "customerOrderNumber": order.customer_order_number,
        "notes": order.notes,
        "orderTotal": order.total,
        "orderSubTotal": order.subtotal,
        "freightCharges": order.freight,
        "totalTax": 0,
        "orderStatus": DETAIL_STATUS[order.stage],
        "billToAddressId": order.bill_to_address_id,
        "shipToInfo": _full_address(ship_to(order)),
        "lines": [
            {
                "subOrderNumber": f"{order.number}-11",
                "lineNumber": ln.ingram_line_number,
                "ingramLineNumber": ln.ingram_line_number,
                "customerLineNumber": ln.customer_line_number,
                "ingramPartNumber": ln.product.ingram_part_number,
                "vendorPartNumber": ln.product.vendor_part_number,
                "quantityOrdered": ln.quantity,
                "quantityConfirmed": ln.confirmed,
                "quantityBackOrdered": ln.backordered,
                "notes": ln.notes,
                "shipmentDetails": {"carrierCode": "UP", "carrierName": "UPS GROUND"},
            }
            for ln in lines
        ],
    }
    if rejected:
        body["rejectedLineItems"] = rejected
    return body


# -- webhooks ---------------------------------------------------------------------------------


# The orderstatusevent schema's line statuses ("One of: Backordered, Open, Shipped"). Holds,
# voids and cancellations are the event's type (im::order_hold, im::order_voided), not a line's.
WEBHOOK_LINE_STATUSES = ("Backordered", "Open", "Shipped")


def webhook_line_status(order: Order, ln: Line) -> str:
    status = ln.status(order.stage)
    return status if status in WEBHOOK_LINE_STATUSES else "Open"


def _webhook_line(order: Order, ln: Line) -> JSON:
    backordered = str(max(0, ln.quantity - max(ln.confirmed, ln.shipped)))
    return {
        "ingramLineNumber": ln.ingram_line_number,
        "LineNumber": ln.ingram_line_number,
        "subOrderNumber": ln.shipments[-1].sub_order_number
        if ln.shipments
        else f"{order.number}-11",
        "lineStatus": webhook_line_status(order, ln),
        "ingramPartNumber": ln.product.ingram_part_number,
        "vendorPartNumber": ln.product.vendor_part_number,
        "requestedQuantity": str(ln.quantity),
        "shippedQuantity": str(ln.shipped),
        "backOrderedQuantity": backordered,
        "backorderedQuantity": backordered,
        "shipmentDetails": [
            {
                "shipmentDate": day(s.shipped_at),
                "shipFromWarehouseId": s.warehouse.id,
                "warehouseName": s.warehouse.location,
                "carrierCode": s.carrier.code,
                "carrierName": s.carrier.name,
                "packageDetails": [
                    {
                        "cartonNumber": "1",
                        "quantityInbox": str(s.quantity),
                        "trackingNumber": s.tracking_number,
                    }
                ],
            }
            for s in ln.shipments
        ],
        "serialNumberDetails": [{"serialNumber": n} for s in ln.shipments for n in s.serials],
    }


ORDER_EVENT_TYPES = {
    "order_shipped": "im::order_shipped",
    "order_invoiced": "im::order_invoiced",
    "order_hold": "im::order_hold",
    "order_voided": "im::order_voided",
    "order_backordered": "im::order_backordered",
}


def order_event(kind: str, order: Order, at: float) -> JSON:
    """An ``orderstatusevent`` body without its ``eventId`` (the dispatcher adds it).

    The schema requires a top-level ``customerOrderNumber`` its example lacks: both are met.
    """
    return {
        "topic": "resellers/orders",
        "event": "im::updated",
        "eventTimeStamp": stamp_ms(at),
        "customerOrderNumber": order.customer_order_number,
        "resource": [
            {
                "eventType": ORDER_EVENT_TYPES[kind],
                "orderNumber": order.number,
                "customerOrderNumber": order.customer_order_number,
                "orderEntryTimeStamp": stamp(order.created_at),
                "lines": [_webhook_line(order, ln) for ln in order.live_lines],
                "links": [_link(order)],
            }
        ],
    }


def v7_event(resource: JSON, customer_order_number: str, at: float) -> JSON:
    return {
        "topic": "resellers/orders",
        "event": "IM::created",
        "eventTimeStamp": stamp_ms(at),
        "eventType": "IM::async_order_create",
        "customerOrderNumber": customer_order_number,
        "resource": resource,
    }


def invoice_number(s: Shipment) -> str:
    return invoice_number_of(s.sub_order_number)
