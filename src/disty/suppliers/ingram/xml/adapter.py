"""Ingram Micro over IM-XML as a disty Supplier (API type "XML").

What IM-XML offers disty: price and availability (``PNARequest``, 50 a call), orders
(``OrderRequest`` v2.0, synchronous), and following them by polling (``OrderStatusRequest`` by
PO number for the order numbers, then ``OrderDetailRequest`` and ``OrderTrackingRequest`` per
order). It has no catalog search, no order changes, no invoices query, quotes, returns or
freight: those are refused with the way to get them (API type APIS). It has no webhooks;
webhooks of the same account's REST app still reach disty and are confirmed through this
adapter.

An order is sent once (``safe=False``). After a lost answer the outbox asks ``find_orders``
(OrderStatus by PO number) before anything is sent again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from disty.domain.checks import Check
from disty.domain.offers import CatalogItem, CatalogPage, Offer, OfferStatus
from disty.domain.orders import LineChange, ModifiedOrder, OrderRequest, OrderState, PlacedOrder
from disty.suppliers import pna
from disty.suppliers.base import ProgressCallback
from disty.suppliers.errors import NotFound, RequestRejected
from disty.suppliers.ingram import consts
from disty.suppliers.ingram.xml import checks, documents
from disty.suppliers.ingram.xml.client import IngramXmlClient
from disty.suppliers.pna import Ask
from disty.suppliers.xml import children

_INGRAM_PART = re.compile(r"[A-Z0-9]{6}")

SWITCH = "switch the connection's API type to APIS (Recommended), which has it"


def _first_ask(sku: str) -> Ask:
    key = sku.upper()
    if _INGRAM_PART.fullmatch(key):
        return Ask(sku, "ingramPartNumber", key)
    return Ask(sku, "vendorPartNumber", sku)


_PNA_RULES = pna.PnaRules(
    supplier=consts.KEY,
    name=consts.NAME,
    batch_size=consts.XML_PNA_BATCH,
    first_ask=_first_ask,
    retry_kind="vendorPartNumber",
    keep_retried=frozenset({OfferStatus.OK}),
)


def _transaction_id() -> str:
    return uuid4().hex[:18].upper()


class IngramXmlSupplier:
    key = consts.KEY
    name = consts.NAME
    capabilities = consts.XML_CAPABILITIES
    pna_batch_size = consts.XML_PNA_BATCH
    checks = consts.XML_CHECKS
    quotes = None
    invoices = None
    returns = None
    freight = None

    def __init__(self, client: IngramXmlClient) -> None:
        self.client = client

    # -- price and availability --------------------------------------------------------------

    async def price_and_availability(
        self, skus: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> list[Offer]:
        return await pna.price_and_availability(skus, _PNA_RULES, self._answer, progress)

    async def _answer(self, batch: list[Ask]) -> list[Offer]:
        document = self.client.document("PNARequest", _transaction_id())
        for ask in batch:
            documents.pna_line(document, ask)
        documents.put(document, "ShowDetail", "2")
        root = await self.client.call(document, safe=True)
        rows = children(root, "PriceAndAvailability")
        return documents.offers(batch, rows, self.client.config.country, datetime.now(UTC))

    # -- orders ------------------------------------------------------------------------------

    async def place_order(self, request: OrderRequest) -> PlacedOrder:
        if request.hold:
            # AutoRelease H holds it, but only Order Change releases it, which disty does not
            # speak over IM-XML: a held order would be voided unreleased.
            raise RequestRejected(
                f"{consts.NAME}'s XML API cannot release an order from customer hold: send the "
                f"PO without hold, or {SWITCH}"
            )
        if request.quote_number:
            raise RequestRejected(f"{consts.NAME}'s XML API cannot order a quote: {SWITCH}")
        document = self.client.document("OrderRequest", _transaction_id())
        documents.order_document(document, request)
        root = await self.client.call(document, safe=False)
        return documents.placed_order(root)

    async def find_orders(self, po_number: str) -> list[str]:
        """The PO's order numbers (OrderStatus by customer PO); empty when Ingram has none."""
        document = self.client.document("OrderStatusRequest", _transaction_id())
        head = documents.put(document, "OrderHeaderInfo")
        documents.put(head, "CustomerPO", po_number)
        try:
            root = await self.client.call(document, safe=True)
        except NotFound:
            return []
        return documents.status_order_numbers(root, po_number)

    async def order_states(self, po_number: str, order_numbers: Sequence[str]) -> list[OrderState]:
        return [await self._order_state(po_number, n) for n in order_numbers]

    async def _order_state(self, po_number: str, number: str) -> OrderState:
        document = self.client.document("OrderDetailRequest", _transaction_id())
        head = documents.put(document, "OrderHeaderInfo")
        documents.put(head, "BranchOrderNumber", documents.branch_order_number(number))
        documents.put(head, "CustomerPO", po_number)
        documents.put(document, "ShowDetail", "2")
        detail = await self.client.call(document, safe=True)
        state = documents.order_state(number, detail, None)
        if not any(line.shipped for line in state.lines):
            return state
        document = self.client.document("OrderTrackingRequest", _transaction_id())
        head = documents.put(document, "TrackingRequestHeader")
        documents.put(head, "BranchOrderNumber", documents.branch_order_number(number))
        documents.put(head, "CustomerPO", po_number)
        documents.put(document, "ShowDetail", "2")
        try:
            tracking = await self.client.call(document, safe=True)
        except NotFound:
            return state  # shipped more than 2 months ago: the packages are known already
        return documents.order_state(number, detail, tracking)

    # -- what IM-XML has no transaction for ---------------------------------------------------

    async def search_catalog(self, keyword: str | None = None, **_: Any) -> CatalogPage:
        raise RequestRejected(f"{consts.NAME}'s XML API has no catalog search: {SWITCH}")

    async def product_details(self, sku: str) -> CatalogItem:
        raise RequestRejected(f"{consts.NAME}'s XML API has no product details: {SWITCH}")

    async def modify_order(self, order_number: str, changes: Sequence[LineChange]) -> ModifiedOrder:
        raise RequestRejected(
            f"disty does not change orders over {consts.NAME}'s XML API: {SWITCH}"
        )

    async def release_order(self, order_number: str) -> None:
        raise RequestRejected(
            f"disty does not release orders over {consts.NAME}'s XML API: {SWITCH}"
        )

    async def cancel_order(self, order_number: str) -> None:
        raise RequestRejected(
            f"disty does not cancel orders over {consts.NAME}'s XML API: {SWITCH}"
        )

    async def run_checks(self) -> list[Check]:
        return await checks.run(self.client)

    async def token_expires_at(self) -> datetime | None:
        return None  # IM-XML signs in with every document: no token
