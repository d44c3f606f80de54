"""TD SYNNEX's price and availability over EC Express XML (NOTES 3): batches of at most 50
lines, a few at once, rows joined to lines by ``lineNumber``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

from disty.domain.offers import Offer, OfferStatus, WarehouseStock
from disty.suppliers.base import ProgressCallback
from disty.suppliers.errors import SupplierError
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient, child, children, text
from disty.suppliers.tdsynnex.xml.values import to_decimal, to_int

# TD SYNNEX SKUs are numbers of at most 8 digits (NOTES 3.1); anything else is an mfgPN.
_SYNNEX_SKU = re.compile(r"[0-9]{1,8}")


@dataclass(frozen=True, slots=True)
class _Ask:
    sku: str  # as the caller wrote it
    kind: str  # "synnexSKU" or "mfgPN"
    value: str


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
        """Batches of at most 50 lines, a few at once. A SKU shaped like a TD SYNNEX SKU is
        asked for as one first; if TD SYNNEX does not know it, it is asked for again as a
        manufacturer part number before being called unknown."""
        wanted: dict[str, _Ask] = {}
        for sku in skus:
            value = sku.strip()
            key = value.upper()
            if key and key not in wanted:
                kind = "synnexSKU" if _SYNNEX_SKU.fullmatch(value) else "mfgPN"
                wanted[key] = _Ask(value, kind, value)
        results = await self._ask_all(list(wanted.values()), progress)
        retry = [
            _Ask(a.sku, "mfgPN", a.value)
            for key, a in wanted.items()
            if a.kind == "synnexSKU" and results[key].status is OfferStatus.UNKNOWN
        ]
        if retry:
            second = await self._ask_all(retry, None)
            for key, offer in second.items():
                if offer.status is not OfferStatus.UNKNOWN:
                    results[key] = offer
        now = datetime.now(UTC)
        return [
            results[sku.strip().upper()]
            if sku.strip()
            else Offer(self.key, sku, OfferStatus.UNKNOWN, now, message="empty SKU")
            for sku in skus
        ]

    async def _ask_all(
        self, asks: list[_Ask], progress: ProgressCallback | None
    ) -> dict[str, Offer]:
        size = consts.PNA_BATCH
        batches = [asks[i : i + size] for i in range(0, len(asks), size)]
        # The client lets a few batches out at once (consts.PNA_CONCURRENCY).
        answered = await asyncio.gather(*(self._ask_batch(b, progress) for b in batches))
        return {key: offer for batch in answered for key, offer in batch.items()}

    async def _ask_batch(
        self, batch: list[_Ask], progress: ProgressCallback | None
    ) -> dict[str, Offer]:
        try:
            rows = await self.client.price_and_availability([(a.kind, a.value) for a in batch])
        except SupplierError as exc:
            # Only this batch's rows fail; the others keep their answers.
            failed_at = datetime.now(UTC)
            offers = {
                a.sku.upper(): Offer(self.key, a.sku, OfferStatus.ERROR, failed_at, error=str(exc))
                for a in batch
            }
        else:
            offers = self._match_rows(batch, rows)
        if progress is not None:
            progress(len(batch))
        return offers

    def _match_rows(self, batch: list[_Ask], rows: list[Element]) -> dict[str, Offer]:
        """Rows joined to lines by ``lineNumber``, the only safe join key (NOTES 3.1). An
        mfgPN sold under several SKUs answers a row per SKU for one line: the offer is the
        first row, the listing TD SYNNEX puts first (the one its PO takes for that mfgPN)."""
        first: dict[int, Element] = {}
        for row in rows:
            line = text(row, "lineNumber")
            if line is not None and line.isdigit():
                first.setdefault(int(line), row)
        fetched_at = datetime.now(UTC)
        offers: dict[str, Offer] = {}
        for number, ask in enumerate(batch, start=1):
            found = first.get(number)
            offers[ask.sku.upper()] = (
                self._offer(ask, found, fetched_at)
                if found is not None
                else Offer(
                    self.key,
                    ask.sku,
                    OfferStatus.ERROR,
                    fetched_at,
                    error=f"{self.name} answered no row for this product: try again",
                )
            )
        return offers

    def _offer(self, ask: _Ask, row: Element, fetched_at: datetime) -> Offer:
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
