"""TD SYNNEX as a disty Supplier: EC Express XML answers turned into disty's types.

The adapter only composes; each transaction lives in its own module: ``pna`` (price and
availability), ``orders`` (purchase orders), ``status`` (PO status), ``invoices`` (the
invoice query), ``freight`` (freight quotes), ``checks`` (Run Test). What TD SYNNEX has no API
for is refused with a clear reason, and its capability flag is off, so disty offers none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from disty.domain.checks import Check
from disty.domain.offers import CatalogItem, CatalogPage, Offer
from disty.domain.orders import LineChange, ModifiedOrder, OrderRequest, OrderState, PlacedOrder
from disty.domain.po_status import POStatus
from disty.suppliers.base import ProgressCallback
from disty.suppliers.errors import RequestRejected, SupplierError
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.rest.token import RestTokens
from disty.suppliers.tdsynnex.xml import checks, invoices, orders, status
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient
from disty.suppliers.tdsynnex.xml.freight import Freight
from disty.suppliers.tdsynnex.xml.invoices import Invoices
from disty.suppliers.tdsynnex.xml.pna import PriceAvailability


class TdSynnexSupplier:
    key = consts.KEY
    name = consts.NAME
    capabilities = consts.CAPABILITIES
    pna_batch_size = consts.PNA_BATCH
    checks = consts.CHECKS
    quotes = None
    returns = None

    def __init__(self, client: TdSynnexClient, rest: RestTokens | None = None) -> None:
        self.client = client
        self.rest = rest  # the Partner REST API's token, for Run Test only
        self._pna = PriceAvailability(client)
        self.invoices: Invoices | None = Invoices(client)
        self.freight: Freight | None = Freight(client)

    async def price_and_availability(
        self, skus: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> list[Offer]:
        return await self._pna.price_and_availability(skus, progress=progress)

    async def run_checks(self) -> list[Check]:
        return await checks.run_checks(self.client, self.rest)

    async def token_expires_at(self) -> datetime | None:
        return None  # EC Express XML signs in with every document: no token

    # -- purchase orders (NOTES 4, 5) ----------------------------------------------------

    async def place_order(self, request: OrderRequest) -> PlacedOrder:
        """Sent exactly once (``safe=False``: the transport never sends a PO again). A lost or
        unreadable answer raises, and the outbox asks POStatus by PO number before it sends
        again. A duplicate-PO refusal is looked up: this PO's own order is the answer."""
        document = orders.order_document(request, self.client.config, datetime.now(UTC))
        root = await self.client.b2b(consts.PO_PATH, document, safe=False)
        answer = orders.read_answer(root, request, self.client.describe)
        if not answer.duplicate:
            return answer.placed
        return orders.already_placed(request, await self._status(request.po_number), answer.reason)

    async def find_orders(self, po_number: str) -> list[str]:
        """The PO's sales order numbers at TD SYNNEX (one POStatus call)."""
        return status.order_numbers(await self._status(po_number))

    async def order_states(self, po_number: str, order_numbers: Sequence[str]) -> list[OrderState]:
        """Every sales order of the PO from one POStatus call (TD SYNNEX looks orders up by PO
        number only)."""
        states = status.order_states(await self._status(po_number), po_number, order_numbers)
        if not any(s.status is POStatus.INVOICED for s in states):
            return states
        # POStatus names no invoice: the invoice query does. Without its answer an invoiced
        # order is read as shipped for now, so the PO stays open and the next poll asks again
        # (an INVOICED PO is final and would never learn its invoice numbers).
        try:
            found = await invoices.invoice_numbers_by_order(self.client, po_number)
        except SupplierError:
            found = {}
        states = status.with_invoices(states, found)
        return [
            replace(s, status=POStatus.SHIPPED)
            if s.status is POStatus.INVOICED and not s.invoices
            else s
            for s in states
        ]

    async def _status(self, po_number: str) -> status.StatusAnswer:
        request = status.status_request(self.client.config.customer_number, po_number)
        root = await self.client.b2b(
            consts.STATUS_PATH, request, safe=True, version=consts.STATUS_VERSION
        )
        return status.read_status(root, self.client.describe)

    # -- what EC Express XML has no transaction for (the capability flags are off) ------------

    async def search_catalog(self, keyword: str | None = None, **_: Any) -> CatalogPage:
        raise RequestRejected(consts.NO_CATALOG_SEARCH)

    async def product_details(self, sku: str) -> CatalogItem:
        raise RequestRejected(consts.NO_CATALOG_SEARCH)

    async def modify_order(self, order_number: str, changes: Sequence[LineChange]) -> ModifiedOrder:
        raise RequestRejected(consts.NO_ORDER_CHANGES)

    async def release_order(self, order_number: str) -> None:
        raise RequestRejected(consts.NO_ORDER_CHANGES)

    async def cancel_order(self, order_number: str) -> None:
        raise RequestRejected(consts.NO_ORDER_CHANGES)
