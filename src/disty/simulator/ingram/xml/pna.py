"""``PNARequest`` -> ``PNAResponse`` (XML-NOTES 4): one ``PriceAndAvailability`` per
``PNAInformation``, its attributes echoed; an unknown product carries only ``SKUStatus``.

Stock is the REST P&A's (the same catalog and the stock orders took), by branch of the login's
country; a branch's availability may go negative once orders took more than it held, as
Ingram's real answers show (-1, -3).
"""

from __future__ import annotations

import datetime as dt
from xml.etree.ElementTree import Element

from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.orders import pick_warehouse
from disty.simulator.ingram.state import SimState
from disty.simulator.ingram.xml.wire import Refused, add

MAX_ITEMS = 50  # "Up to 50 item criteria" (IM-NA)


def find(state: SimState, info: Element) -> Product | None:
    """The product one criterion names (SKU, MPN or UPC; customer part numbers are the
    reseller's own mapping, which the simulator has none of)."""
    catalog = state.catalog
    for attribute, lookup in (
        ("SKU", catalog.by_ingram_part_number),
        ("ManufacturerPartNumber", catalog.by_vendor_part_number),
        ("UPC", catalog.by_upc),
    ):
        value = (info.get(attribute) or "").strip()
        if value:
            return lookup(value)
    return None


def respond(state: SimState, request: Element, response: Element, country: str) -> None:
    items = request.findall("PNAInformation")
    if len(items) > MAX_ITEMS:
        raise Refused(f"Element 'PNAInformation' occurs more than {MAX_ITEMS} times.")
    today = dt.datetime.fromtimestamp(state.clock.now(), dt.UTC).date()
    for info in items:
        echoed = {k: v for k, v in info.attrib.items() if k in _ECHOED}
        product = find(state, info)
        if product is not None and not echoed.get("SKU"):
            echoed = {"SKU": product.ingram_part_number, **echoed}  # XML-NOTES Q8: our guess
        row = add(response, "PriceAndAvailability", **echoed)
        if product is None:
            add(row, "SKUStatus", "ERROR: SKU not found")
            continue
        add(row, "Price", f"{product.price(country, product.customer_cents):.2f}")
        add(row, "SpecialPriceFlag", "Y" if product.special_bid else None)
        add(row, "ManufacturerPartNumber", product.vendor_part_number)
        add(row, "ManufacturerPartNumberOccurs")
        add(row, "VendorNumber", product.vendor_number)
        add(row, "Description", product.description.upper()[:40])
        add(row, "ReserveInventoryFlag", "N")
        add(row, "AvailableRebQty", "0")
        taken = state.inventory.taken.get((product.index, country), 0)
        busiest = pick_warehouse(product, country)
        for stock in product.stock(country):
            here = stock.available - (taken if stock.warehouse == busiest else 0)
            branch = add(
                row, "Branch", Name=stock.warehouse.location.split(",")[0], ID=stock.warehouse.id
            )
            add(branch, "Availability", here)
            add(branch, "OnOrder", stock.on_order)
            eta = (today + dt.timedelta(days=stock.etas[0][1])).isoformat() if stock.etas else None
            add(branch, "ETADate", eta)
        add(row, "UPC", product.upc.zfill(13))
        add(row, "CustomerPartNumber")


_ECHOED = frozenset(
    {"SKU", "Quantity", "ManufacturerPartNumber", "UPC", "CustomerPartNumber", "ReservedInventory"}
)
