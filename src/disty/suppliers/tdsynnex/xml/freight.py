"""TD SYNNEX's freight quote over EC Express XML (NOTES 6): ``FreightQuoteRequest`` version 2.0,
the full ship-to address, one ship-from warehouse per request.

A quote needs the warehouse the goods leave from. Each line's own warehouse is taken when the
caller names one, else the connection's ship-from warehouse; when neither is set, disty asks
price and availability and takes the first warehouse TD SYNNEX lists with the whole quantity
(the one its PO would pick first), refusing clearly when none has it. Lines leaving from one
warehouse share one request; each request is one shipment of the estimate.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from disty.domain.freight import CarrierOption, FreightEstimate, FreightLine, FreightShipment
from disty.domain.orders import Address
from disty.suppliers.errors import RequestRejected, Unavailable
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient
from disty.suppliers.tdsynnex.xml.values import to_decimal, to_int
from disty.suppliers.xml import child, children, text

VERSION = "2.0"  # full ShipTo (NOTES 2.6, 6.1)
MAX_LINES = 100  # as P&A: the spec states no limit
DROP_SHIP = "98"  # the manufacturer's drop ship: TD SYNNEX quotes no freight from it (3.6)
_SYNNEX_SKU = re.compile(r"[0-9]{1,8}")


@dataclass(frozen=True, slots=True)
class QuoteLine:
    number: int  # the caller's line, from 1
    sku: str
    quantity: int


def _product(parent: Element, sku: str) -> None:
    """A TD SYNNEX SKU as ``SKU``, anything else as ``MfgPartNumber`` (NOTES 6.1)."""
    SubElement(parent, "SKU" if _SYNNEX_SKU.fullmatch(sku) else "MfgPartNumber").text = sku


def request(
    client: TdSynnexClient, warehouse: str, ship_to: Address, lines: Sequence[QuoteLine]
) -> Element:
    quote = Element("FreightQuoteRequest", {"version": VERSION})
    SubElement(quote, "CustomerNumber").text = client.config.customer_number
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    SubElement(quote, "RequestDateTime").text = now
    SubElement(quote, "ShipFromWarehouse").text = warehouse
    to = SubElement(quote, "ShipTo")
    SubElement(to, "AddressName1").text = ship_to.company
    if ship_to.contact:
        SubElement(to, "AddressName2").text = ship_to.contact
    SubElement(to, "AddressLine1").text = ship_to.street
    if ship_to.street2:
        SubElement(to, "AddressLine2").text = ship_to.street2
    SubElement(to, "City").text = ship_to.city
    SubElement(to, "State").text = ship_to.state
    SubElement(to, "ZipCode").text = ship_to.postcode
    SubElement(to, "Country").text = ship_to.country
    SubElement(quote, "ShipMethodCode")  # empty: every method (6.1)
    SubElement(quote, "ServiceLevel")  # empty: every service level
    items = SubElement(quote, "Items")
    for line in lines:
        item = SubElement(items, "Item", {"lineNumber": str(line.number)})
        _product(item, line.sku)
        SubElement(item, "Quantity").text = str(line.quantity)
    return quote


async def quote_from(
    client: TdSynnexClient, warehouse: str, ship_to: Address, lines: Sequence[QuoteLine]
) -> Element:
    """TD SYNNEX's ``FreightQuoteResponse`` for one warehouse, errors raised (6.3's are
    RequestRejected, with TD SYNNEX's words)."""
    root = await client.b2b(
        consts.FREIGHT_PATH, request(client, warehouse, ship_to, lines), safe=True
    )
    response = child(root, "FreightQuoteResponse")
    if response is None:
        raise Unavailable(
            f"{client.describe} answered the freight quote with <{root.tag}> and no "
            "FreightQuoteResponse: check the base URL"
        )
    return response


def _options(response: Element) -> tuple[CarrierOption, ...]:
    methods = child(response, "AvailableShipMethods")
    rows = children(methods, "AvailableShipMethod") if methods is not None else []
    return tuple(
        CarrierOption(
            carrier_code=(row.get("code") or "").strip(),
            ship_via=text(row, "ShipMethodDescription"),
            charge=to_decimal(text(row, "Freight")),
            transit_days=to_int(text(row, "ServiceLevel")),
        )
        for row in rows
        if (row.get("code") or "").strip()
    )


def _cheapest(options: Sequence[CarrierOption]) -> CarrierOption | None:
    """The cheapest method that carries the goods: a pick-up (0.00, same day) is an option
    the reseller may take, not the freight an estimate should show."""
    priced = [o for o in options if o.charge is not None]
    carried = [o for o in priced if o.charge] or priced
    return min(carried, key=lambda o: (o.charge, o.transit_days or 0), default=None)


def shipment(response: Element, asked_warehouse: str) -> FreightShipment:
    options = _options(response)
    best = _cheapest(options)
    origin = child(response, "ShipFromWarehouse")
    number = text(origin, "Number") if origin is not None else None
    return FreightShipment(
        warehouse_id=number or asked_warehouse,
        carrier_code=best.carrier_code if best else None,
        ship_via=best.ship_via if best else None,
        charge=best.charge if best else None,
        weight=to_decimal(text(response, "TotalWeight")),
        transit_days=best.transit_days if best else None,
        options=options,
    )


class Freight:
    """One connection's freight estimates."""

    def __init__(self, client: TdSynnexClient) -> None:
        self.client = client
        self.currency = consts.CURRENCY.get(client.config.country)

    async def freight_estimate(
        self, ship_to: Address, lines: Sequence[FreightLine]
    ) -> FreightEstimate:
        if not (ship_to.street and ship_to.city and ship_to.postcode):
            raise RequestRejected(
                f"{consts.NAME} quotes freight to a full address (street, city, state, postal "
                "code): it keeps no stored addresses"
            )
        asked = [
            QuoteLine(n, line.sku.strip(), line.quantity)
            for n, line in enumerate(lines, start=1)
            if line.sku.strip()
        ]
        if not asked or len(asked) > MAX_LINES or any(line.quantity < 1 for line in asked):
            raise RequestRejected(
                f"give 1 to {MAX_LINES} products, each with a quantity of at least 1"
            )
        warehouses = await self._warehouses(lines, asked)
        groups: dict[str, list[QuoteLine]] = {}
        for line in asked:
            groups.setdefault(warehouses[line.number], []).append(line)
        answers = await asyncio.gather(
            *(quote_from(self.client, w, ship_to, group) for w, group in groups.items())
        )
        shipments = tuple(shipment(a, w) for a, w in zip(answers, groups, strict=True))
        sales = [to_decimal(text(a, "TotalSales")) for a in answers]
        charges = [s.charge for s in shipments]
        freight = sum((c for c in charges if c is not None), Decimal(0))
        net = sum((s for s in sales if s is not None), Decimal(0))
        freight_known = None not in charges
        net_known = None not in sales
        return FreightEstimate(
            currency=self.currency,
            freight=freight if freight_known else None,
            net_amount=net if net_known else None,
            tax=None,  # TD SYNNEX's quote states no tax
            total=net + freight if freight_known and net_known else None,
            shipments=shipments,
            raw={
                "references": [text(a, "SynnexInternalReference") for a in answers],
                "free_freight_threshold": [text(a, "FreeFreightThreshold") for a in answers],
            },
        )

    async def _warehouses(
        self, lines: Sequence[FreightLine], asked: Sequence[QuoteLine]
    ) -> dict[int, str]:
        """Each line's ship-from warehouse (by line number)."""
        chosen: dict[int, str] = {}
        open_lines = []
        for line in asked:
            own = (lines[line.number - 1].warehouse_id or "").strip()
            warehouse = own or self.client.config.ship_from_warehouse
            if warehouse:
                chosen[line.number] = warehouse
            else:
                open_lines.append(line)
        if open_lines:
            chosen.update(await self._stocking(open_lines))
        return chosen

    async def _stocking(self, lines: Sequence[QuoteLine]) -> dict[int, str]:
        rows = await self.client.price_and_availability(
            [("synnexSKU" if _SYNNEX_SKU.fullmatch(x.sku) else "mfgPN", x.sku) for x in lines]
        )
        first: dict[str, Element] = {}
        for row in rows:
            first.setdefault(text(row, "lineNumber") or "", row)
        chosen: dict[int, str] = {}
        for n, line in enumerate(lines, start=1):
            found = first.get(str(n))
            warehouse = _first_stocking(found, line.quantity) if found is not None else None
            if warehouse is None:
                raise RequestRejected(
                    f"{consts.NAME} quotes freight from one warehouse, and none lists "
                    f"{line.quantity} of {line.sku} in stock: set the connection's ship-from "
                    "warehouse (or the line's warehouse) and ask again"
                )
            chosen[line.number] = warehouse
        return chosen


def _first_stocking(row: Element, quantity: int) -> str | None:
    for stock in children(row, "AvailabilityByWarehouse"):
        info = child(stock, "warehouseInfo")
        number = text(info, "number") if info is not None else None
        if number and number != DROP_SHIP and (to_int(text(stock, "qty")) or 0) >= quantity:
            return number
    return None
