"""A deterministic product catalog computed from ``(seed, index)``, never stored.

Why it is built this way
- Product ``i`` is a pure function of the seed and ``i`` (64-bit mixing, no ``random`` state),
  so a 1,000,000-product catalog costs no memory per product and two runs with one seed agree.
- Ingram part numbers are 6 characters of ``[0-9A-Z]`` (as Ingram's are, and as the official
  SDK enforces). They come from an invertible affine permutation of the index over ``36**6``,
  so looking a part number up is O(1) arithmetic. Vendor part numbers and UPCs carry the index
  through their own permutations, so they are O(1) to look up as well (decode, then verify by
  recomputing the product).
- Search text (description, vendor, category) depends only on the product's *template*
  (vendor x type x variant, fewer than 255 of them). A byte per product (built lazily: 1 MB
  for a million products) records each product's template, so a keyword search translates that
  byte array through a 256-entry match table and counts and finds hits in C: exact
  ``recordsFound`` for any catalog size, no approximation.
- Exact-code keywords (an Ingram part number, vendor part number or UPC) match that product
  only; other keywords are case-insensitive substrings of the search text. Several keywords
  must all match (AND); search filters narrow further.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

from disty.simulator.ingram.pinned import PINNED, PinnedProduct
from disty.simulator.ingram.vocab import (
    CAD_PER_USD,
    CURRENCY,
    TYPES,
    VENDORS,
    WAREHOUSES,
    ProductType,
    Vendor,
    Warehouse,
)

_MASK64 = (1 << 64) - 1
_IPN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_IPN_SPACE = 36**6
_VPN_SPACE = 10**7
_UPC_SPACE = 10**11
_NO_TEMPLATE = 255  # the template byte of pinned products, which have their own text


def mix64(x: int) -> int:
    """SplitMix64's finaliser: a fast, well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


class AffinePermutation:
    """``i -> (a*i + b) mod m`` with ``gcd(a, m) == 1``: a bijection with a cheap inverse."""

    def __init__(self, modulus: int, seed: int, salt: int) -> None:
        self.m = modulus
        a = mix64(seed * 1_000_003 + salt) % modulus | 1
        while math.gcd(a, modulus) != 1:
            a += 2
        self.a = a
        self.b = mix64(seed * 1_000_033 + salt + 1) % modulus
        self.a_inv = pow(a, -1, modulus)

    def forward(self, i: int) -> int:
        return (self.a * i + self.b) % self.m

    def backward(self, code: int) -> int:
        return (self.a_inv * (code - self.b)) % self.m


@dataclass(frozen=True, slots=True)
class Template:
    vendor: Vendor
    type: ProductType
    variant: str
    line: str

    @property
    def description(self) -> str:
        return f"{self.line} {self.type.noun} {self.variant}"

    @property
    def search_text(self) -> str:
        t = self.type
        return f"{self.description} {self.vendor.name} {t.category} {t.subcategory}".lower()


def _build_templates() -> tuple[Template, ...]:
    out: list[Template] = []
    for vendor in VENDORS:
        for ptype in TYPES:
            line = vendor.lines.get(ptype.category)
            if line is None:
                continue
            out.extend(Template(vendor, ptype, variant, line) for variant in ptype.variants)
    if len(out) >= _NO_TEMPLATE:
        raise RuntimeError("too many templates for a one-byte index")
    return tuple(out)


TEMPLATES = _build_templates()


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    warehouse: Warehouse
    available: int
    backordered: int
    on_order: int
    # (quantity, days from today) of incoming stock
    etas: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Product:
    index: int
    ingram_part_number: str
    vendor_part_number: str
    upc: str
    vendor_name: str
    vendor_number: str
    category: str
    subcategory: str
    product_type: str
    description: str
    extra_description: str
    digital: bool
    discontinued: bool
    direct_ship: bool
    backordered: bool
    new: bool
    special_bid: bool
    end_user_required: bool
    retail_cents: int  # in US cents: every currency is derived from this one figure
    customer_cents: int
    map_cents: int
    weight_kg: float
    customer_part_number: str | None
    showcase: bool  # every optional block filled in (the pinned spec-example products)
    noise: int  # the product's own 64 random bits, for stock and discounts
    class_override: str | None = None

    @property
    def product_class(self) -> str:
        """Ingram's stocking class: X direct ship, D discontinued, N new, else A/B/C."""
        if self.class_override:
            return self.class_override
        if self.direct_ship:
            return "X"
        if self.discontinued:
            return "D"
        if self.new:
            return "N"
        return "ABC"[self.noise % 3]

    @property
    def serialised(self) -> bool:
        """Hardware ships with serial numbers (two in three products); software never."""
        return not self.digital and self.noise % 3 != 0

    def price(self, country: str, cents: int) -> float:
        """A price in the country's currency (USD for US, CAD for Canada), 2 decimals."""
        if CURRENCY.get(country) == "CAD":
            return round(cents * CAD_PER_USD / 100, 2)
        return round(cents / 100, 2)

    def stock(self, country: str) -> tuple[WarehouseStock, ...]:
        """Stock by warehouse of ``country``; a pure function of the product, like the rest."""
        rows = []
        for n, wh in enumerate(WAREHOUSES.get(country, ())):
            r = mix64(self.noise + 7919 * (n + 1))
            if self.showcase:
                rows.append(
                    WarehouseStock(
                        wh,
                        50 + r % 900,
                        10 + (r >> 12) % 200,
                        25,
                        ((100 + (r >> 20) % 500, 14), (250, 45)),
                    )
                )
            elif self.direct_ship or self.digital:
                rows.append(WarehouseStock(wh, 0, 0, 0, ()))
            elif self.backordered:
                qty = 1 + (r >> 12) % 300
                rows.append(WarehouseStock(wh, 0, qty, qty, ((qty, 7 + (r >> 24) % 50),)))
            elif self.discontinued:
                rows.append(WarehouseStock(wh, (r % 4 == 0) * (r >> 8) % 40, 0, 0, ()))
            else:
                rows.append(
                    WarehouseStock(wh, (r >> 8) % 400 if r % 5 else 0, 0, (r >> 30) % 3 * 25, ())
                )
        return tuple(rows)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    keywords: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    vendor_part_numbers: tuple[str, ...] = ()
    vendor_number: str | None = None
    category: str | None = None
    sku_type: str | None = None  # "physical", "digital" or None for any


def _upc_check_digit(digits11: str) -> str:
    odd = sum(int(d) for d in digits11[0::2])
    even = sum(int(d) for d in digits11[1::2])
    return str((10 - (odd * 3 + even) % 10) % 10)


class Catalog:
    """``size`` products generated from ``seed``; see the module docstring for how."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self._pinned = PINNED[: min(size, len(PINNED))]
        self._k = len(self._pinned)
        self._ipn_perm = AffinePermutation(_IPN_SPACE, seed, 11)
        self._vpn_perm = AffinePermutation(_VPN_SPACE, seed, 23)
        self._upc_perm = AffinePermutation(_UPC_SPACE, seed, 37)
        self._seed_key = mix64(seed ^ 0x5EED)
        self._tids: bytes | None = None
        self._pinned_by_ipn = {p.ingram_part_number: n for n, p in enumerate(self._pinned)}
        self._pinned_by_vpn = {p.vendor_part_number.upper(): n for n, p in enumerate(self._pinned)}
        self._pinned_by_upc = {p.upc: n for n, p in enumerate(self._pinned)}
        self._swap, self._swap_back = self._resolve_ipn_collisions()
        # Customer prices moved through the control API (index -> US cents): the one mutable
        # part of a catalog, so tests can make a price drift between pricing and ordering.
        self.price_overrides: dict[int, int] = {}

    # -- identity ---------------------------------------------------------------------------

    def _resolve_ipn_collisions(self) -> tuple[dict[int, int], dict[int, int]]:
        """Give generated products whose permuted code is a pinned one a free code instead.

        The codes ``forward(p)`` of pinned indices ``p`` are unused (pinned products have fixed
        codes), so there are always enough of them.
        """
        pinned_codes = {_decode_ipn(p.ingram_part_number) for p in self._pinned}
        colliding = sorted(
            j
            for c in pinned_codes
            if c is not None and self._k <= (j := self._ipn_perm.backward(c)) < self.size
        )
        free = sorted(
            c for p in range(self._k) if (c := self._ipn_perm.forward(p)) not in pinned_codes
        )
        swap = dict(zip(colliding, free, strict=False))
        return swap, {code: j for j, code in swap.items()}

    def _ipn(self, i: int) -> str:
        code = self._swap.get(i)
        if code is None:
            code = self._ipn_perm.forward(i)
        return _encode_ipn(code)

    def _vpn(self, i: int, vendor: Vendor) -> str:
        digits = f"{self._vpn_perm.forward(i):07d}"
        r = mix64(self._seed_key + i * 3 + 1)
        suffix = _IPN_ALPHABET[10 + r % 26] + _IPN_ALPHABET[10 + (r >> 8) % 26]
        return f"{vendor.vpn_prefix}{digits}{suffix}"

    def _upc(self, i: int) -> str:
        digits = f"{self._upc_perm.forward(i):011d}"
        return digits + _upc_check_digit(digits)

    def _noise(self, i: int) -> int:
        return mix64(self._seed_key + i * 0x9E37)

    def template_of(self, i: int) -> int:
        if i < self._k:
            return _NO_TEMPLATE
        return mix64(self._seed_key ^ (i * 0xD1B54A32D192ED03 & _MASK64)) % len(TEMPLATES)

    # -- products ---------------------------------------------------------------------------

    def product(self, i: int) -> Product:
        """Product ``i``, with its customer price as moved by the control API, if it was."""
        generated = self._generated(i)
        cents = self.price_overrides.get(i)
        return generated if cents is None else replace(generated, customer_cents=cents)

    def set_customer_price(self, i: int, cents: int) -> Product:
        self.product(i)  # IndexError for a product the catalog does not have
        self.price_overrides[i] = cents
        return self.product(i)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - bounded, and catalogs live as long as apps
    def _generated(self, i: int) -> Product:
        if not 0 <= i < self.size:
            raise IndexError(i)
        if i < self._k:
            return self._pinned_product(i, self._pinned[i])
        t = TEMPLATES[self.template_of(i)]
        r = self._noise(i)
        pct = r % 100
        span = t.type.max_usd - t.type.min_usd
        retail = (t.type.min_usd + (r >> 8) % max(span, 1)) * 100 + 99
        customer = retail * (720 + (r >> 24) % 200) // 1000
        return Product(
            index=i,
            ingram_part_number=self._ipn(i),
            vendor_part_number=self._vpn(i, t.vendor),
            upc=self._upc(i),
            vendor_name=t.vendor.name,
            vendor_number=t.vendor.number,
            category=t.type.category,
            subcategory=t.type.subcategory,
            product_type=t.type.noun,
            description=t.description,
            extra_description=f"{t.vendor.name.upper()} {t.description}",
            digital=t.type.digital,
            discontinued=pct < 3,
            direct_ship=3 <= pct < 8 and not t.type.digital,
            backordered=8 <= pct < 16 and not t.type.digital,
            new=16 <= pct < 20,
            special_bid=(r >> 40) % 10 == 0,
            end_user_required=t.type.digital or (r >> 44) % 25 == 0,
            retail_cents=retail,
            customer_cents=customer,
            map_cents=retail if (r >> 48) % 4 == 0 else 0,
            weight_kg=t.type.weight_kg,
            customer_part_number=None,
            showcase=False,
            noise=r,
        )

    def _pinned_product(self, i: int, p: PinnedProduct) -> Product:
        return Product(
            index=i,
            ingram_part_number=p.ingram_part_number,
            vendor_part_number=p.vendor_part_number,
            upc=p.upc,
            vendor_name=p.vendor_name,
            vendor_number=p.vendor_number,
            category=p.category,
            subcategory=p.subcategory,
            product_type=p.subcategory,
            description=p.description,
            extra_description=p.description.strip(),
            digital=False,
            discontinued=False,
            direct_ship=False,
            backordered=False,
            new=False,
            special_bid=True,
            end_user_required=False,
            retail_cents=p.retail_cents,
            customer_cents=p.customer_cents,
            map_cents=0,
            weight_kg=1.2,
            customer_part_number=p.customer_part_number,
            showcase=True,
            noise=self._noise(i),
            class_override=p.product_class,
        )

    # -- lookups ----------------------------------------------------------------------------

    def by_ingram_part_number(self, ipn: str) -> Product | None:
        ipn = ipn.strip().upper()
        if ipn in self._pinned_by_ipn:
            return self.product(self._pinned_by_ipn[ipn])
        code = _decode_ipn(ipn)
        if code is None:
            return None
        j = self._swap_back.get(code)
        if j is None:
            j = self._ipn_perm.backward(code)
            if j in self._swap:  # this index was given another code
                return None
        if not self._k <= j < self.size:
            return None
        return self.product(j)

    def by_vendor_part_number(self, vpn: str) -> Product | None:
        vpn = vpn.strip().upper()
        if vpn in self._pinned_by_vpn:
            return self.product(self._pinned_by_vpn[vpn])
        digits = vpn[2:9]
        if len(vpn) != 11 or not digits.isdigit():
            return None
        j = self._vpn_perm.backward(int(digits))
        if not self._k <= j < self.size:
            return None
        product = self.product(j)
        return product if product.vendor_part_number == vpn else None

    def by_upc(self, upc: str) -> Product | None:
        upc = upc.strip()
        if upc in self._pinned_by_upc:
            return self.product(self._pinned_by_upc[upc])
        if len(upc) != 12 or not upc.isdigit():
            return None
        j = self._upc_perm.backward(int(upc[:11]))
        if not self._k <= j < self.size:
            return None
        product = self.product(j)
        return product if product.upc == upc else None

    def by_code(self, code: str) -> Product | None:
        """The product whose Ingram part number, vendor part number or UPC is ``code``."""
        return (
            self.by_ingram_part_number(code)
            or self.by_vendor_part_number(code)
            or self.by_upc(code)
        )

    # -- search -----------------------------------------------------------------------------

    def _template_bytes(self) -> bytes:
        """One byte per product: its template. Built on first search (about 1 MB per million)."""
        if self._tids is None:
            template_of = self.template_of
            self._tids = bytes(template_of(i) for i in range(self.size))
        return self._tids

    def search(
        self, query: SearchQuery, page_number: int, page_size: int
    ) -> tuple[int, list[Product]]:
        """Exact total and one page (1-based) of the products matching ``query``."""
        allowed = [self._template_matches(t, query) for t in TEMPLATES]
        # Exact codes (part numbers, UPCs) and pinned products are checked one by one.
        singles: set[int] = set(range(self._k))
        for kw in query.keywords:
            if (p := self.by_code(kw)) is not None:
                singles.add(p.index)
        for vpn in query.vendor_part_numbers:
            if (p := self.by_vendor_part_number(vpn)) is not None:
                singles.add(p.index)
        if query.vendor_part_numbers:
            # A vendor part number filter leaves only the products it names.
            allowed = [False] * len(TEMPLATES)
        extra = sorted(i for i in singles if self._matches(self.product(i), query))

        table = bytearray(256)
        for t, ok in enumerate(allowed):
            table[t] = ok
        start = (page_number - 1) * page_size
        if all(allowed):
            # No narrowing of generated products: matching pinned ones, then every index.
            head = [i for i in extra if i < self._k]
            total = len(head) + self.size - self._k
            wanted = range(start, min(start + page_size, total))
            return total, [
                self.product(head[n] if n < len(head) else self._k + n - len(head)) for n in wanted
            ]
        if not any(allowed):
            return len(extra), [self.product(i) for i in extra[start : start + page_size]]
        hits = bytearray(self._template_bytes().translate(table))
        for i in extra:
            hits[i] = 1
        total = hits.count(1)
        page: list[Product] = []
        pos = -1
        for n in range(start + page_size):
            pos = hits.find(1, pos + 1)
            if pos < 0:
                break
            if n >= start:
                page.append(self.product(pos))
        return total, page

    @staticmethod
    def _template_matches(t: Template, q: SearchQuery) -> bool:
        text = t.search_text
        return all(kw.strip().lower() in text for kw in q.keywords) and _filters_match(
            t.vendor.name, t.vendor.number, t.type.category, t.type.subcategory, t.type.digital, q
        )

    def _matches(self, p: Product, q: SearchQuery) -> bool:
        codes = {p.ingram_part_number.lower(), p.vendor_part_number.lower(), p.upc}
        text = f"{p.description} {p.vendor_name} {p.category} {p.subcategory}".lower()
        keywords_ok = all((kw := k.strip().lower()) in codes or kw in text for k in q.keywords)
        vpns_ok = not q.vendor_part_numbers or p.vendor_part_number.upper() in {
            v.strip().upper() for v in q.vendor_part_numbers
        }
        return (
            keywords_ok
            and vpns_ok
            and _filters_match(
                p.vendor_name, p.vendor_number, p.category, p.subcategory, p.digital, q
            )
        )


def _filters_match(
    vendor: str, vendor_number: str, category: str, subcategory: str, digital: bool, q: SearchQuery
) -> bool:
    if q.vendors and vendor.lower() not in {v.strip().lower() for v in q.vendors}:
        return False
    if q.vendor_number and q.vendor_number.strip() != vendor_number:
        return False
    if q.category and q.category.strip().lower() not in (category.lower(), subcategory.lower()):
        return False
    if q.sku_type == "physical" and digital:
        return False
    return not (q.sku_type == "digital" and not digital)


def _encode_ipn(code: int) -> str:
    chars = []
    for _ in range(6):
        code, d = divmod(code, 36)
        chars.append(_IPN_ALPHABET[d])
    return "".join(reversed(chars))


def _decode_ipn(text: str) -> int | None:
    if len(text) != 6:
        return None
    code = 0
    for ch in text.upper():
        d = _IPN_ALPHABET.find(ch)
        if d < 0:
            return None
        code = code * 36 + d
    return code
