"""TD SYNNEX's price and availability over EC Express XML (NOTES 3): batches of at most 50
lines, a few at once, rows joined to lines by ``lineNumber``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

from disty.domain.offers import Offer, OfferStatus, WarehouseStock
from disty.suppliers import pna
from disty.suppliers.base import ProgressCallback
from disty.suppliers.pna import Ask
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient
from disty.suppliers.tdsynnex.xml.values import to_decimal, to_int
from disty.suppliers.xml import child, children, text

# TD SYNNEX SKUs are numbers of at most 8 digits (NOTES 3.1); anything else is an mfgPN.
_SYNNEX_SKU = re.compile(r"[0-9]{1,8}")


def _first_ask(sku: str) -> Ask:
    return Ask(sku, "synnexSKU" if _SYNNEX_SKU.fullmatch(sku) else "mfgPN", sku)


_PNA_RULES = pna.PnaRules(
    supplier=consts.KEY,
    name=consts.NAME,
    batch_size=consts.PNA_BATCH,
    first_ask=_first_ask,
    retry_kind="mfgPN",
    # An error asking by mfgPN replaces "not found" by SKU: the product may exist.
    keep_retried=frozenset({OfferStatus.OK, OfferStatus.ERROR}),
)


class PriceAvailability:
    """Asks one connection's prices and stock."""

    def __init__(self, client: TdSynnexClient) -> None:
        self.client = client
        self.key = consts.KEY
        self.name = consts.NAME
        self.currency = consts.CURRENCY.get(client.config.country)

    async def price_and_availability(
        self, skus: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> list[Offer]:
        """Batches of at most 50 lines, all at once: the client lets a few out at a time
        (consts.PNA_CONCURRENCY). A SKU shaped like a TD SYNNEX SKU is asked for as one first;
        if TD SYNNEX does not know it, it is asked for again as a manufacturer part number
        before being called unknown."""
        return await pna.price_and_availability(skus, _PNA_RULES, self._answer, progress)

    async def _answer(self, batch: list[Ask]) -> list[Offer]:
        rows = await self.client.price_and_availability([(a.kind, a.value) for a in batch])
        return self._match_rows(batch, rows)

    def _match_rows(self, batch: list[Ask], rows: list[Element]) -> list[Offer]:
        """Rows joined to lines by ``lineNumber``, the only safe join key (NOTES 3.1). An
        mfgPN sold under several SKUs answers a row per SKU for one line: the offer is the
        first row, the listing TD SYNNEX puts first (the one its PO takes for that mfgPN)."""
        first: dict[int, Element] = {}
        for row in rows:
            line = text(row, "lineNumber")
            if line is not None and line.isdigit():
                first.setdefault(int(line), row)
        fetched_at = datetime.now(UTC)
        missing = f"{self.name} answered no row for this product: try again"
        return [
            self._offer(ask, first[number], fetched_at)
            if number in first
            else Offer(self.key, ask.sku, OfferStatus.ERROR, fetched_at, error=missing)
            for number, ask in enumerate(batch, start=1)
        ]

    def _offer(self, ask: Ask, row: Element, fetched_at: datetime) -> Offer:
        status = (text(row, "status") or "").strip().lower()
        sku = text(row, "synnexSKU")
        common: dict[str, Any] = {
            "supplier_sku": sku if sku and sku != "0" else None,
            "vendor_part_number": text(row, "mfgPN"),
            "description": text(row, "description"),
        }
        if status == "not found":
            return Offer(self.key, ask.sku, OfferStatus.UNKNOWN, fetched_at, message="Not found")
        if status == "discontinued":
            # TD SYNNEX knows it and says so: an answer (OK), with neither price nor stock, so
            # sourcing never picks it.
            return Offer(
                self.key, ask.sku, OfferStatus.OK, fetched_at, **common,
                currency=self.currency, available=0, discontinued=True, message="Discontinued",
            )  # fmt: skip
        if status == "not authorized":
            # Known, but this account may not buy it: an answer too (OK, no price, no stock),
            # with what to do; it is not a failure of the call (ERROR) nor unknown.
            return Offer(
                self.key, ask.sku, OfferStatus.OK, fetched_at, **common,
                message="Not authorized: this account may not buy it; ask your TD SYNNEX rep",
            )  # fmt: skip
        warehouses = tuple(warehouse_stock(w) for w in children(row, "AvailabilityByWarehouse"))
        total = to_int(text(row, "totalQuantity"))
        return Offer(
            self.key,
            ask.sku,
            OfferStatus.OK,
            fetched_at,
            **common,
            price=to_decimal(text(row, "price")),
            currency=self.currency,
            available=total if total is not None else sum(w.available for w in warehouses),
            warehouses=warehouses,
            discontinued=False if status == "active" else None,
            message=None if status == "active" else text(row, "status"),
        )


def warehouse_stock(element: Element) -> WarehouseStock:
    info = child(element, "warehouseInfo")
    number = (text(info, "number") if info is not None else None) or "?"
    city = text(info, "city") if info is not None else None
    return WarehouseStock(
        warehouse_id=number,
        location=city,
        available=to_int(text(element, "qty")) or 0,
        on_order=to_int(text(element, "onOrderQuantity")) or 0,
    )
