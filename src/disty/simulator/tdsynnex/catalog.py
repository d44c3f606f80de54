"""TD SYNNEX's catalog: the same products as Ingram's where both carry them, its own SKUs,
prices, warehouses and stock.

The product universe is Ingram's generator (simulator/ingram/catalog.py) run over a few more
indices: product ``i`` has the same manufacturer, manufacturer part number and description
whichever distributor sells it, because both read it from ``(seed, i)``. Ingram carries the
first ``size`` of them; TD SYNNEX carries most of those (``OVERLAP_PERCENT``) and all of the
``extra`` ones after them, which Ingram does not have. So a reseller comparing the two finds
parts at both (at different prices and stock), parts only at one, and, per warehouse, stock at
one and none at the other. Everything is a pure function of the seed and the index, as for
Ingram: no product is stored.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, replace

from disty.simulator.ingram.catalog import AffinePermutation, Catalog, Product, mix64

OVERLAP_PERCENT = 85  # of Ingram's products TD SYNNEX carries too
NOT_AUTHORIZED_ONE_IN = 29  # products the demo account may not buy (status "Not authorized")
# Products listed twice, under a second SKU with its own stock and price (NOTES 3.1: "mfgPN may
# map to several SYNNEX SKUs"; the 2014 spec's warehouse twins), so a P&A by mfgPN answers one
# row per SKU for the same line.
TWIN_ONE_IN = 15
_SKU_BASE = 10_000_000  # 8-digit SKUs (the spec's field is N 8)
_SKU_SPACE = 90_000_000


@dataclass(frozen=True, slots=True)
class TdWarehouse:
    number: str
    zipcode: str
    city: str  # "Fremont, CA": city and state, as TD SYNNEX writes it
    addr: str


# NOTES 3.6: the 2014/2015 spec's US warehouses and Canada's, plus 98, the manufacturer's drop
# ship, which real answers list with zipcode 00000.
WAREHOUSES: dict[str, tuple[TdWarehouse, ...]] = {
    "US": (
        TdWarehouse("3", "94538", "Fremont, CA", "44211 Nobel Drive"),
        TdWarehouse("4", "30071", "Norcross, GA", "5300 Triangle Parkway"),
        TdWarehouse("5", "75081", "Richardson, TX", "1200 Columbia Drive"),
        TdWarehouse("6", "60446", "Romeoville, IL", "1200 Internationale Parkway"),
        TdWarehouse("8", "08832", "Keasby, NJ", "7 Industrial Road"),
        TdWarehouse("98", "00000", "MFG Drop Shipped", "MFG Drop Shipped"),
    ),
    "CA": (
        TdWarehouse("26", "B3B1Z4", "Halifax, NS", "50 Thornhill Drive"),
        TdWarehouse("29", "N1H6J3", "Guelph, ON", "107 Woodlawn Road West"),
        TdWarehouse("31", "T2C2X5", "Calgary, AB", "4220 68th Avenue SE"),
        TdWarehouse("60", "V6V1V1", "Richmond, BC", "13900 Maycrest Way"),
        TdWarehouse("98", "00000", "MFG Drop Shipped", "MFG Drop Shipped"),
    ),
}
CAD_PER_USD = 1.37  # the same fixed rate as Ingram's simulator, so both compare fairly


@dataclass(frozen=True, slots=True)
class TdProduct:
    index: int
    sku: str  # TD SYNNEX's own part number ("synnexSKU")
    mfg_pn: str  # the manufacturer's part number: Ingram's vendor part number
    mfg_code: str  # TD SYNNEX's numeric manufacturer code
    manufacturer: str
    description: str
    discontinued: bool
    authorized: bool  # the demo account may buy it
    cents: int  # the account's price in US cents
    noise: int

    def price(self, country: str) -> str:
        cents = round(self.cents * CAD_PER_USD) if country == "CA" else self.cents
        return f"{cents // 100}.{cents % 100:02d}"

    def stock(self, country: str) -> list[tuple[TdWarehouse, int, int]]:
        """(warehouse, on hand, on order) for each warehouse of the country."""
        rows = []
        for n, warehouse in enumerate(WAREHOUSES[country]):
            r = mix64(self.noise + 104_729 * (n + 1))
            on_hand = 0 if self.discontinued or r % 4 == 0 else (r >> 8) % 250
            rows.append((warehouse, on_hand, (r >> 24) % 3 * 20))
        return rows


def _mfg_code(manufacturer: str) -> str:
    """TD SYNNEX's numeric code for a manufacturer: 5 digits, the same for every product."""
    digest = hashlib.blake2b(manufacturer.encode(), digest_size=4).digest()
    return str(10_000 + int.from_bytes(digest, "big") % 90_000)


class TdCatalog:
    def __init__(self, ingram_size: int, seed: int) -> None:
        self.ingram_size = ingram_size
        self.extra = max(50, ingram_size // 10)
        # The universe: Ingram's generator over Ingram's products and TD SYNNEX's own after
        # them (a product's text does not depend on the catalog's size, only on seed and index).
        self.universe = Catalog(ingram_size + self.extra, seed)
        self._sku_perm = AffinePermutation(_SKU_SPACE, seed, 101)
        self._key = mix64(seed ^ 0x7D5)

    def carries(self, i: int) -> bool:
        if i >= self.ingram_size:
            return i < self.ingram_size + self.extra
        return mix64(self._key + i) % 100 < OVERLAP_PERCENT

    def sku_of(self, i: int) -> str:
        return str(_SKU_BASE + self._sku_perm.forward(i))

    def product(self, i: int) -> TdProduct | None:
        return self._product(i) if i >= 0 and self.carries(i) else None

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - bounded, and catalogs live as long as apps
    def _product(self, i: int) -> TdProduct:
        p: Product = self.universe.product(i)
        noise = mix64(self._key ^ (i * 0x9E3779B97F4A7C15 & ((1 << 64) - 1)))
        # Within 6% either way of Ingram's price for the same product.
        cents = p.customer_cents * (94 + noise % 13) // 100
        return TdProduct(
            index=i,
            sku=self.sku_of(i),
            mfg_pn=p.vendor_part_number,
            mfg_code=_mfg_code(p.vendor_name),
            manufacturer=p.vendor_name,
            description=p.description.upper(),
            discontinued=p.discontinued,
            authorized=noise % NOT_AUTHORIZED_ONE_IN != 0,
            cents=max(cents, 1),
            noise=noise,
        )

    def _twin_index(self, i: int) -> int:
        """The index a product's second listing takes its SKU from (past every real one)."""
        return self.ingram_size + self.extra + i

    def has_twin(self, i: int) -> bool:
        return self.product(i) is not None and mix64(self._key + 3 * i + 1) % TWIN_ONE_IN == 0

    def twin(self, i: int) -> TdProduct | None:
        """Product ``i``'s second listing: the same product under its own SKU, stock and a
        price up to 3% apart."""
        if not self.has_twin(i):
            return None
        first = self._product(i)
        noise = mix64(first.noise ^ 0x7A1)
        return replace(
            first,
            sku=self.sku_of(self._twin_index(i)),
            cents=max(first.cents * (97 + noise % 7) // 100, 1),
            noise=noise,
        )

    def listings(self, i: int) -> list[TdProduct]:
        """Every SKU TD SYNNEX sells product ``i`` under, the first listing first."""
        first, twin = self.product(i), self.twin(i)
        return [p for p in (first, twin) if p is not None]

    def by_sku(self, sku: str) -> TdProduct | None:
        sku = sku.strip()
        if not sku.isdigit() or len(sku) != 8:
            return None
        i = self._sku_perm.backward(int(sku) - _SKU_BASE)
        real = self.ingram_size + self.extra
        if i < real:
            return self.product(i)
        return self.twin(i - real) if i - real < real else None

    def by_mfg_pn(self, mfg_pn: str) -> TdProduct | None:
        """The first listing of a manufacturer part number (a PO or a freight line by mfgPN)."""
        found = self.all_by_mfg_pn(mfg_pn)
        return found[0] if found else None

    def all_by_mfg_pn(self, mfg_pn: str) -> list[TdProduct]:
        """Every listing of a manufacturer part number (P&A answers a row for each)."""
        found = self.universe.by_vendor_part_number(mfg_pn)
        return self.listings(found.index) if found is not None else []

    def only_here(self) -> range:
        """The indices only TD SYNNEX carries."""
        return range(self.ingram_size, self.ingram_size + self.extra)
