"""IM-XML documents to and from disty's types (XML-NOTES 4-8): P&A rows as offers, a PO as an
``OrderRequest``, and an order's status, detail and tracking as its ``OrderState``.

Order numbers: IM-XML names an order by its 7-character ``BranchOrderNumber`` (branch, then
number); the REST API by the same characters with a hyphen after the branch (``20-RD3QV``).
disty keeps the REST form, so a PO's orders are the same whichever API type the connection
uses, and switching API type keeps its history.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from disty.domain.offers import Offer, OfferStatus, WarehouseStock
from disty.domain.orders import LineState, OrderRequest, OrderState, PlacedOrder, Shipment
from disty.domain.po_status import POStatus
from disty.suppliers.ingram import consts
from disty.suppliers.pna import Ask
from disty.suppliers.xml import child, children, text

CURRENCY = {"US": "USD", "CA": "CAD"}


def order_number(branch_order_number: str) -> str:
    """``20RD3QV`` -> ``20-RD3QV`` (the REST API's form)."""
    value = branch_order_number.strip().upper()
    return f"{value[:2]}-{value[2:]}" if len(value) == 7 else value


def branch_order_number(number: str) -> str:
    """``20-RD3QV`` -> ``20RD3QV``."""
    return number.replace("-", "").strip().upper()


def _int(value: str | None) -> int:
    try:
        return int(Decimal((value or "0").strip()))
    except (InvalidOperation, ValueError):
        return 0


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value.strip()) if value and value.strip() else None
    except InvalidOperation:
        return None


# -- price and availability ------------------------------------------------------------------


def pna_line(document: Element, ask: Ask) -> None:
    """One ``PNAInformation``: the lookup criterion as its attribute (one a line)."""
    attribute = "SKU" if ask.kind == "ingramPartNumber" else "ManufacturerPartNumber"
    document.append(document.makeelement("PNAInformation", {attribute: ask.value, "Quantity": "1"}))


def offers(
    batch: list[Ask], rows: list[Element], country: str, fetched_at: datetime
) -> list[Offer]:
    """One offer per ask: Ingram answers one ``PriceAndAvailability`` per criterion, in order."""
    out: list[Offer] = []
    for position, ask in enumerate(batch):
        row = rows[position] if position < len(rows) else None
        out.append(_offer(ask, row, country, fetched_at))
    return out


def _offer(ask: Ask, row: Element | None, country: str, fetched_at: datetime) -> Offer:
    status = text(row, "SKUStatus") if row is not None else None
    branches = children(row, "Branch") if row is not None else []
    if row is None or status or not branches:
        # "If the Branch element is not returned, the SKU no longer exists" (IM-NA).
        return Offer(
            supplier=consts.KEY,
            sku=ask.sku,
            status=OfferStatus.UNKNOWN,
            fetched_at=fetched_at,
            message=status or f"{consts.NAME} returned no branch for this product",
        )
    warehouses = tuple(
        WarehouseStock(
            warehouse_id=b.get("ID", ""),
            location=b.get("Name") or None,
            available=_int(text(b, "Availability")),
            on_order=_int(text(b, "OnOrder")),
        )
        for b in branches
    )
    return Offer(
        supplier=consts.KEY,
        sku=ask.sku,
        status=OfferStatus.OK,
        fetched_at=fetched_at,
        supplier_sku=row.get("SKU") or None,
        vendor_part_number=text(row, "ManufacturerPartNumber"),
        description=text(row, "Description"),
        price=_decimal(text(row, "Price")),
        currency=CURRENCY.get(country),
        # Negative branch availability means oversold (XML-NOTES 4.2): nothing to take there.
        available=sum(max(0, w.available) for w in warehouses),
        warehouses=warehouses,
    )


# -- orders ----------------------------------------------------------------------------------


def put(parent: Element, tag: str, value: str | None = None) -> Element:
    element = parent.makeelement(tag, {})
    parent.append(element)
    if value is not None:
        element.text = value
    return element


def order_document(root: Element, request: OrderRequest) -> None:
    """The ``OrderRequest`` body after its header (XML-NOTES 5.1), in the XSD's order."""
    header = put(root, "OrderHeaderInformation")
    put(header, "BillToSuffix")
    addressing = put(header, "AddressingInformation")
    put(addressing, "CustomerPO", request.po_number)
    ship = request.ship_to
    put(addressing, "ShipToAttention", ship.contact[:35])
    ship_to = put(addressing, "ShipTo")
    if ship.address_id and not (ship.company or ship.street):
        put(put(ship_to, "Suffix"), "ShipToSuffix", ship.address_id[:3])
    else:
        address = put(ship_to, "Address")
        put(address, "ShipToAddress1", ship.company[:35])
        put(address, "ShipToAddress2", ship.street[:35])
        if ship.street2:
            put(address, "ShipToAddress3", ship.street2[:35])
        put(address, "ShipToCity", ship.city[:21])
        put(address, "ShipToProvince", ship.state[:2])
        put(address, "ShipToPostalCode", ship.postcode.replace(" ", "")[:9])
        put(address, "ShipToCountryCode", ship.country[:2])
    options = put(header, "ProcessingOptions")
    put(options, "AutoRelease", "1")
    # A bad line is reported on its own and the rest placed, as the REST API does.
    put(options, "KillOrderAfterLineError", "N")
    shipment = put(options, "ShipmentOptions")
    put(shipment, "BackOrderFlag", "Y")
    put(shipment, "SplitShipmentFlag", "Y")
    put(shipment, "SplitLine", "N")
    put(shipment, "ShipFromBranches")
    lines = put(root, "OrderLineInformation")
    for line in request.lines:
        product = put(lines, "ProductLine")
        put(product, "SKU", line.sku.upper()[:12])
        put(product, "Quantity", str(line.quantity))
        if line.special_bid:
            bid = put(product, "SpecialBid")
            put(bid, "SpecialBidNumber", line.special_bid)
        put(product, "CustomerLineNumber", f"{line.line_number:03d}")
    for chunk in _comments(request.notes or ""):
        put(put(lines, "CommentLine"), "CommentText", chunk)
    put(root, "ShowDetail", "2")


def _comments(notes: str) -> list[str]:
    """Notes as packing-slip comment lines of at most 35 characters (XML-NOTES 5.1)."""
    words, out, current = notes.split(), [], ""
    for word in words:
        while len(word) > 35:
            out.append(word[:35])
            word = word[35:]
        if current and len(current) + 1 + len(word) > 35:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        out.append(current)
    return out[:10]


def placed_order(root: Element) -> PlacedOrder:
    info = child(root, "OrderInfo")
    numbers: list[str] = []
    rejected: dict[int, str] = {}
    for block in children(info, "OrderNumbers") if info is not None else []:
        number = text(block, "BranchOrderNumber")
        if number and order_number(number) not in numbers:
            numbers.append(order_number(number))
        for suffix in children(block, "OrderSuffix"):
            lines = child(suffix, "LineInformation")
            for row in children(lines, "ProductLine") if lines is not None else []:
                error = text(row, "LineError")
                line = _int(text(row, "CustomerLineNumber"))
                if error and line:
                    rejected[line] = error
    return PlacedOrder(tuple(numbers), rejected)


def status_order_numbers(root: Element, po_number: str) -> list[str]:
    """The PO's orders in an ``OrderStatusResponse`` (XML-NOTES 6)."""
    info = child(root, "OrderStatusInformation")
    found: list[str] = []
    for po in children(info, "CustomerPO") if info is not None else []:
        if (po.get("Number") or "").strip().upper() != po_number.strip().upper():
            continue
        for order in children(po, "OrderInfo"):
            number = text(order, "BranchOrderNumber")
            if number and order_number(number) not in found:
                found.append(order_number(number))
    return found


_SUFFIX_STATUS = {
    "customer hold": POStatus.ON_HOLD,
    "sales hold": POStatus.SUBMITTED,
    "credit hold": POStatus.SUBMITTED,
    "voided": POStatus.VOIDED,
    "shipped": POStatus.SHIPPED,
    "invoiced": POStatus.INVOICED,
    "billed": POStatus.INVOICED,
    "paid": POStatus.INVOICED,
    "force billed": POStatus.INVOICED,
    "shipped with billing error": POStatus.SHIPPED,
    "billing error": POStatus.SHIPPED,
}


def order_state(number: str, detail: Element, tracking: Element | None) -> OrderState:
    """One order's state from its ``OrderDetailResponse`` (every suffix) and, once anything
    shipped, its ``OrderTrackingResponse`` (the packages)."""
    info = child(detail, "OrderInformation")
    suffixes = children(info, "OrderSuffix") if info is not None else []
    lines: dict[str, dict[str, object]] = {}
    statuses: list[POStatus] = []
    skus_by_suffix: dict[str, list[str]] = {}
    shipped_by_suffix: dict[str, int] = {}
    serials_by_suffix: dict[str, list[str]] = {}
    invoices: list[str] = []
    for suffix in suffixes:
        suffix_id = suffix.get("ID", "")
        said = (text(suffix, "OrderStatus") or "").lower()
        status = _SUFFIX_STATUS.get(said, POStatus.SUBMITTED)
        statuses.append(status)
        if status is POStatus.INVOICED:
            # IM-XML names no invoice number; Ingram's is the order and suffix (the REST
            # API's sub-order without hyphens), so disty records the same number either way.
            invoices.append(branch_order_number(number) + suffix_id)
        detail_lines = child(suffix, "OrderLineDetail")
        for row in children(detail_lines, "ProductLine") if detail_lines is not None else []:
            key = text(row, "IngramLineNumber") or text(row, "SKU") or ""
            entry = lines.setdefault(
                key,
                {"sku": text(row, "SKU") or "", "customer": text(row, "CustomerLineNumber"),
                 "quantity": 0, "shipped": 0, "backordered": 0},
            )  # fmt: skip
            entry["quantity"] = int(str(entry["quantity"])) + _int(text(row, "OrderQuantity"))
            entry["shipped"] = int(str(entry["shipped"])) + _int(text(row, "ShipQuantity"))
            entry["backordered"] = int(str(entry["backordered"])) + _int(
                text(row, "BackOrderQuantity")
            )
            skus_by_suffix.setdefault(suffix_id, []).append(text(row, "SKU") or "")
            shipped_by_suffix[suffix_id] = shipped_by_suffix.get(suffix_id, 0) + _int(
                text(row, "ShipQuantity")
            )
            serial_block = child(row, "SkuSerialNumber")
            if serial_block is not None:
                serials_by_suffix.setdefault(suffix_id, []).extend(
                    (s.text or "").strip()
                    for s in children(serial_block, "SerialNumber")
                    if (s.text or "").strip()
                )
    line_states = tuple(
        LineState(
            line_number=_int(str(e["customer"] or "")) or None,
            sku=str(e["sku"]),
            shipped=int(str(e["shipped"])),
            backordered=int(str(e["backordered"])),
            quantity=int(str(e["quantity"])),
            supplier_line_number=key or None,
        )
        for key, e in lines.items()
    )
    shipments = (
        _shipments(tracking, skus_by_suffix, shipped_by_suffix, serials_by_suffix)
        if tracking is not None
        else ()
    )
    return OrderState(
        order_number=number,
        status=_overall(statuses, line_states),
        lines=line_states,
        shipments=shipments,
        invoices=tuple(invoices),
    )


def _overall(statuses: list[POStatus], lines: tuple[LineState, ...]) -> POStatus:
    if not statuses:
        return POStatus.SUBMITTED
    live = [s for s in statuses if s is not POStatus.VOIDED]
    if not live:
        return POStatus.VOIDED
    if all(s is POStatus.ON_HOLD for s in live):
        return POStatus.ON_HOLD
    if all(s is POStatus.INVOICED for s in live):
        return POStatus.INVOICED
    if all(s in (POStatus.SHIPPED, POStatus.INVOICED) for s in live):
        return POStatus.SHIPPED
    if any(s in (POStatus.SHIPPED, POStatus.INVOICED) for s in live):
        return POStatus.PARTLY_SHIPPED
    if any(line.backordered for line in lines):
        return POStatus.BACKORDERED
    return POStatus.SUBMITTED


def _shipments(
    tracking: Element,
    skus: dict[str, list[str]],
    shipped: dict[str, int],
    serials: dict[str, list[str]],
) -> tuple[Shipment, ...]:
    out: list[Shipment] = []
    for order in children(tracking, "Order"):
        for suffix in children(order, "Suffix"):
            suffix_id = suffix.get("SuffixNumber", "")
            carrier = child(suffix, "Carrier")
            carrier_name = (
                ((carrier.text or "").strip() or carrier.get("Code"))
                if carrier is not None
                else None
            )
            for package in children(suffix, "Package"):
                number = (package.get("ID") or "").strip()
                if not number:
                    continue
                contents = child(package, "Contents")
                details = children(contents, "ContentDetail") if contents is not None else []
                # Contents come the day after shipping (XML-NOTES 8): until then the suffix's
                # own lines say what the package holds.
                sku = text(details[0], "SKU") if details else None
                sku = sku or next(iter(skus.get(suffix_id, [])), "")
                quantity = sum(_int(text(d, "Quantity")) for d in details)
                quantity = quantity or shipped.get(suffix_id, 0)
                out.append(
                    Shipment(
                        sku=sku,
                        tracking_number=number,
                        carrier=carrier_name or None,
                        tracking_url=text(package, "TrackingURL"),
                        shipped_on=text(package, "ShipDate"),
                        quantity=quantity,
                        serial_numbers=tuple(serials.get(suffix_id, [])),
                    )
                )
    return tuple(out)
