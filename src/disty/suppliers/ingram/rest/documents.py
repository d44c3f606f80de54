"""Ingram's quotes, invoices, returns and freight answers read into disty's types, and the
request bodies for returns and freight. Lenient like schemas.py: every field optional,
numbers possibly strings; the raw body is kept on the detail types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from disty.domain.freight import CarrierOption, FreightEstimate, FreightLine, FreightShipment
from disty.domain.invoices import Invoice, InvoiceLine, InvoiceSummary
from disty.domain.orders import Address
from disty.domain.quotes import Quote, QuoteLine, QuoteSummary, QuoteValidation
from disty.domain.returns import ReturnCase, ReturnLine, ReturnRequest
from disty.suppliers.ingram.rest.schemas import decimal, integer, obj, rows, text

# -- quotes ---------------------------------------------------------------------------------


def quote_summary(row: dict[str, Any]) -> QuoteSummary:
    return QuoteSummary(
        quote_number=text(row, "quoteNumber") or "",
        name=text(row, "quoteName"),
        status=text(row, "quoteStatus", "status"),
        total=decimal(row.get("quoteTotal")),
        vendor_name=text(row, "vendor", "vendorName"),
        special_bid=text(row, "specialBidNumber", "specialBidId"),
        created_on=text(row, "ingramQuoteDate", "createdDate"),
        expires_on=text(row, "ingramQuoteExpiryDate"),
    )


def quote(body: Any) -> Quote:
    data = obj(body)
    lines = []
    for n, p in enumerate(rows(data, "products"), start=1):
        price = obj(p.get("price"))
        lines.append(
            QuoteLine(
                line_number=integer(p.get("lineNumber")) or n,
                sku=text(p, "ingramPartNumber") or "",
                quantity=integer(p.get("quantity")),
                price=decimal(price.get("quotePrice")),
                vendor_part_number=text(p, "vendorPartNumber"),
                vendor_name=text(p, "vendorName"),
                description=text(p, "description"),
                list_price=decimal(price.get("msrp")),
                extended_price=decimal(price.get("extendedQuotePrice")),
            )
        )
    return Quote(
        quote_number=text(data, "quoteNumber") or "",
        name=text(data, "quoteName"),
        status=text(data, "status", "quoteStatus"),
        currency=text(data, "currencyCode"),
        lines=tuple(lines),
        total=decimal(data.get("extendedQuotePriceTotal")),
        special_bid=text(data, "specialBidId", "specialBidNumber"),
        end_user=text(obj(data.get("endUserInfo")), "companyName"),
        created_on=text(data, "ingramQuoteDate"),
        expires_on=text(data, "ingramQuoteExpiryDate"),
        raw=data,
    )


def validation(quote_number: str, body: Any) -> QuoteValidation:
    """A 200 from validate-quote means orderable; the vendor-mandatory fields it lists with no
    value are what the vendor may still ask for (disty sends none of them)."""
    data = obj(body)
    wanted: list[str] = []
    for attr in rows(data, "vmfAdditionalAttributes"):
        if not text(attr, "attributeValue"):
            wanted.append(text(attr, "attributeDescription", "attributeName") or "")
    if not rows(data, "lines"):
        return QuoteValidation(
            quote_number, False, "Ingram Micro's validation lists no orderable line"
        )
    return QuoteValidation(quote_number, True, None, tuple(w for w in wanted if w))


# -- invoices -------------------------------------------------------------------------------


def invoice_summary(row: dict[str, Any]) -> InvoiceSummary:
    return InvoiceSummary(
        invoice_number=text(row, "invoiceNumber") or "",
        status=text(row, "invoiceStatus"),
        invoice_date=text(row, "invoiceDate"),
        due_date=text(row, "invoiceDueDate", "paymentTermsDueDate"),
        po_number=text(row, "customerOrderNumber"),
        order_number=text(row, "erpOrderNumber", "orderNumber"),
        amount_due=decimal(row.get("invoicedAmountDue")),
        total=decimal(row.get("invoiceAmountInclTax")),
    )


def invoice(body: Any) -> Invoice:
    data = obj(body)
    summary = obj(data.get("summary"))
    totals = obj(summary.get("totals"))
    freight = [
        decimal(c.get("miscChargeLineTotal"))
        for c in rows(summary, "miscCharges")
        if "FREIGHT" in (text(c, "chargeDescription") or "").upper()
    ]
    lines = tuple(
        InvoiceLine(
            sku=text(x, "ingramPartNumber") or "",
            quantity=integer(x.get("quantity", x.get("quantityShipped"))),
            unit_price=decimal(x.get("unitPrice")),
            extended_price=decimal(x.get("extendedPrice")),
            line_number=text(x, "customerLineNumber"),
            vendor_part_number=text(x, "vendorPartNumber"),
            description=text(x, "productDescription", "description"),
            serial_numbers=tuple(
                s for s in (text(n, "serialNumber") for n in rows(x, "serialNumbers")) if s
            ),
        )
        for x in rows(data, "lines")
    )
    return Invoice(
        invoice_number=text(data, "invoiceNumber") or "",
        status=text(data, "invoiceStatus"),
        invoice_date=text(data, "invoiceDate"),
        due_date=text(data, "invoiceDueDate"),
        po_number=text(data, "customerOrderNumber"),
        order_number=text(data, "ingramOrderNumber"),
        currency=text(obj(data.get("fxRateInfo")), "invoiceCurrency", "currencyCode")
        or _line_currency(data),
        lines=lines,
        net_amount=decimal(totals.get("netInvoiceAmount")),
        tax_amount=decimal(totals.get("totalTaxAmount")),
        freight_amount=sum((f for f in freight if f is not None), Decimal(0)) if freight else None,
        amount_due=decimal(totals.get("invoicedAmountDue")),
        raw=data,
    )


def _line_currency(data: dict[str, Any]) -> str | None:
    return next((c for c in (text(x, "currencyCode") for x in rows(data, "lines")) if c), None)


# -- returns --------------------------------------------------------------------------------


def return_request_body(request: ReturnRequest, invoice_dates: dict[str, str]) -> dict[str, Any]:
    """POST /resellers/v6/returns/create; the spec requires invoiceDate, secondaryReason,
    shipFromInfo and numberOfBoxes on every line."""
    ship = request.ship_from
    ship_from = {
        "companyName": ship.company,
        "contact": request.contact,
        "addressLine1": ship.street,
        "city": ship.city,
        "state": ship.state,
        "postalCode": ship.postcode,
        "countryCode": ship.country,
        "email": request.email,
    }
    items = []
    for line in request.lines:
        item: dict[str, Any] = {
            "invoiceNumber": line.invoice_number,
            "invoiceDate": line.invoice_date or invoice_dates.get(line.invoice_number, ""),
            "ingramPartNumber": line.sku,
            "quantity": line.quantity,
            "primaryReason": line.reason,
            "secondaryReason": line.secondary_reason,
            "shipFromInfo": [ship_from],
            "numberOfBoxes": request.boxes,
        }
        if line.serial_number:
            item["serialNumber"] = line.serial_number
        if line.notes:
            item["notes"] = line.notes
        if request.reference:
            item["referenceNumber"] = request.reference
        items.append(item)
    return {"list": items}


def return_summary(row: dict[str, Any]) -> ReturnCase:
    return ReturnCase(
        case_number=text(row, "caseRequestNumber") or "",
        status=text(row, "status"),
        created_on=text(row, "createdOn"),
        reason=text(row, "returnReason"),
        reference=text(row, "referenceNumber"),
        estimated_value=decimal(row.get("estimatedTotalValue")),
        lines=(
            (
                ReturnLine(
                    sku=text(row, "ingramPartNumber") or "",
                    quantity=integer(row.get("quantity")),
                    invoice_number=text(row, "invoiceNumber"),
                    vendor_part_number=text(row, "vendorPartNumber"),
                ),
            )
            if text(row, "ingramPartNumber")  # the create answer names its product
            else ()
        ),
    )


def return_case(body: Any) -> ReturnCase:
    data = obj(body)
    lines = tuple(
        ReturnLine(
            sku=text(p, "ingramPartNumber") or "",
            quantity=integer(p.get("quantity")),
            invoice_number=text(p, "invoiceNumber"),
            po_number=text(p, "customerOrderNumber"),
            vendor_part_number=text(p, "vendorPartNumber"),
            description=text(p, "description"),
            unit_price=decimal(p.get("unitPrice")),
            extended_price=decimal(p.get("extendedPrice")),
            status=text(p, "status"),
        )
        for p in rows(data, "products")
    )
    return ReturnCase(
        case_number=text(data, "caseRequestNumber") or "",
        status=text(data, "status"),
        created_on=text(data, "createdOn"),
        reason=text(data, "returnReason"),
        reference=text(data, "referenceNumber"),
        estimated_value=decimal(data.get("estimatedTotal", data.get("subTotal"))),
        lines=lines,
        return_address=text(data, "returnWarehouseAddress"),
        raw=data,
    )


# -- freight --------------------------------------------------------------------------------


def freight_body(ship_to: Address, lines: list[FreightLine]) -> dict[str, Any]:
    return {
        "shipToAddress": [
            {
                "companyName": ship_to.company,
                "addressLine1": ship_to.street,
                "city": ship_to.city,
                "state": ship_to.state,
                "postalCode": ship_to.postcode,
                "countryCode": ship_to.country,
            }
        ],
        "lines": [
            {
                "customerLineNumber": f"{n:03d}",
                "ingramPartNumber": line.sku,
                "quantity": str(line.quantity),  # a string in the spec's schema
                **({"warehouseId": line.warehouse_id} if line.warehouse_id else {}),
            }
            for n, line in enumerate(lines, start=1)
        ],
    }


def freight_estimate(body: Any) -> FreightEstimate:
    outer = obj(body)
    data = obj(outer.get("freightEstimateResponse")) or outer
    shipments = tuple(
        FreightShipment(
            warehouse_id=text(d, "shipFromBranchNumber"),
            carrier_code=text(d, "carrierCode"),
            ship_via=text(d, "shipVia"),
            charge=decimal(d.get("freightRate")),
            weight=decimal(d.get("totalWeight")),
            transit_days=integer(d["transitDays"]) if d.get("transitDays") is not None else None,
            options=tuple(
                CarrierOption(
                    carrier_code=text(c, "carrierCode") or "",
                    ship_via=text(c, "shipVia"),
                    charge=decimal(c.get("estimatedFreightCharge")),
                    transit_days=integer(c["daysInTransit"])
                    if c.get("daysInTransit") is not None
                    else None,
                )
                for c in rows(d, "carrierList")
            ),
        )
        for d in rows(data, "distribution")
    )
    return FreightEstimate(
        currency=text(data, "currencyCode"),
        freight=decimal(data.get("totalFreightAmount")),
        net_amount=decimal(data.get("totalNetAmount")),
        tax=decimal(data.get("totalTaxAmount")),
        total=decimal(data.get("grossAmount")),
        shipments=shipments,
        raw=data,
    )
