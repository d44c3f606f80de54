"""TD SYNNEX as a disty Supplier: EC Express XML answers turned into disty's types.

The adapter only composes; each transaction lives in its own module: ``pna`` (price and
availability), ``invoices`` (the invoice query), ``freight`` (freight quotes), ``checks`` (Run
Test). What TD SYNNEX has no API for is refused with a clear
reason, and its capability flag is off, so disty offers none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from disty.domain.checks import Check
from disty.domain.offers import CatalogItem, CatalogPage, Offer
from disty.domain.orders import LineChange, ModifiedOrder, OrderRequest, OrderState, PlacedOrder
from disty.suppliers.base import ProgressCallback
from disty.suppliers.errors import RequestRejected
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.rest.token import RestTokens
from disty.suppliers.tdsynnex.xml import checks
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

    # -- not yet: ordering and the catalog come with the next step ---------------------------

    async def search_catalog(self, keyword: str | None = None, **_: Any) -> CatalogPage:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def product_details(self, sku: str) -> CatalogItem:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def place_order(self, request: OrderRequest) -> PlacedOrder:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def find_orders(self, po_number: str) -> list[str]:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def order_states(self, po_number: str, order_numbers: Sequence[str]) -> list[OrderState]:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def modify_order(self, order_number: str, changes: Sequence[LineChange]) -> ModifiedOrder:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def release_order(self, order_number: str) -> None:
        raise RequestRejected(f"{consts.NEXT_STEP}")

    async def cancel_order(self, order_number: str) -> None:
        raise RequestRejected(f"{consts.NEXT_STEP}")
