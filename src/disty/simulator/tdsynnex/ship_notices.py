"""Ship-notice files (NOTES 9.2, checklist 11.8): what TD SYNNEX's FTP would hold.

TD SYNNEX has no webhooks for hardware orders (9.1); besides POStatus, a reseller learns of a
shipment from an hourly ``ShipNotice3D`` XML file in its FTP folder. The simulator writes one
file per shipment (an order's lines shipping at the same moment), named
``<YYYYMMDDHHMMSSmmm>_<COMPANY>_856.xml`` after the ship time, and keeps it in memory; the
control API lists and serves the files (``control_tdsynnex.py``). Inside, one ``ShipNotice3D``
per sales order shipped, carrying only the elements the evidence's parsers read.
"""

from __future__ import annotations

import time
from itertools import groupby
from xml.etree.ElementTree import Element

from disty.simulator.tdsynnex.orders import TdLine, TdOrder
from disty.simulator.tdsynnex.xmlio import add, serialise


class ShipNotices:
    """The FTP folder: file name -> document, in the order written."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def clear(self) -> None:
        self.files.clear()

    def write(self, order: TdOrder, shipped: list[TdLine], company: str) -> list[str]:
        """One file per ship time among ``shipped``; the names written."""
        names = []
        by_time = sorted(shipped, key=lambda line: line.shipped_at or 0.0)
        for at, lines in groupby(by_time, key=lambda line: line.shipped_at or 0.0):
            name = self._free_name(at, company)
            self.files[name] = serialise(document(order, list(lines)))
            names.append(name)
        return names

    def _free_name(self, at: float, company: str) -> str:
        # Two shipments in the same millisecond: the later one takes the next free millisecond.
        ms = round(at * 1000)
        while True:
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(ms // 1000)) + f"{ms % 1000:03d}"
            name = f"{stamp}_{company}_856.xml"
            if name not in self.files:
                return name
            ms += 1


def document(order: TdOrder, lines: list[TdLine]) -> Element:
    root = Element("SynnexB2B")
    by_number = sorted(lines, key=lambda line: line.order_number)
    for _, group in groupby(by_number, key=lambda line: line.order_number):
        _notice(add(root, "ShipNotice3D"), order, list(group))
    return root


def _notice(notice: Element, order: TdOrder, lines: list[TdLine]) -> None:
    at = time.gmtime(lines[0].shipped_at or 0.0)
    packages = [(line, package) for line in lines for package in line.packages]
    add(notice, "PONumber", order.po_number)
    add(notice, "CustomerPONumber", order.po_number)  # Q7: the same PO, as 9.2's example
    add(notice, "ShipDate", time.strftime("%y%m%d", at))  # YYMMDD, UTC (Q7)
    add(notice, "ShipTime", time.strftime("%H%M%S", at))
    add(notice, "ShipCode", order.ship_method)
    add(notice, "ShipDescription", order.ship_method_description or None)
    add(notice, "ShipTrackNo", packages[0][1].tracking if packages else None)
    # The invoice comes one step after the shipment here, so it is not known yet.
    add(notice, "InvoiceNumber")
    for line, package in packages:
        box = add(notice, "Package")
        add(box, "TrackNumber", package.tracking)
        item = add(box, "Item")
        add(item, "SKU", line.product.sku)
        add(item, "ShipQuantity", package.quantity)
