"""Freight quote: ``POST /SynnexXML/FreightQuote`` (NOTES section 6).

A ``SynnexB2B`` with the login in ``Credential`` and a ``FreightQuoteRequest``: version 1.x names
the destination by ``ShipToZipCode`` only, 2.0 by a full ``ShipTo``. The answer echoes the
request, totals its weight and sales, and lists the ship methods that meet the requested code
and service level (days in transit) with their freight. Every amount is a pure function of the
request and the catalog: weight from the product universe, a distance zone from the two postal
codes, and a per-method rate, so the same request is always quoted the same.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from starlette.responses import Response

from disty.simulator.tdsynnex.catalog import WAREHOUSES, TdProduct, TdWarehouse
from disty.simulator.tdsynnex.errors import document_error
from disty.simulator.tdsynnex.state import TdState
from disty.simulator.tdsynnex.xmlio import Handler, add, answer, endpoint, text

ROOT = "FreightQuoteResponse"
MAX_LINES = 100  # as P&A: the spec states no limit
LB_PER_KG = 2.20462

# NOTES 6.3's messages, byte for byte (the trailing spaces are the spec's).
AGAIN = "please check and submit again."
NO_RESULT = ("No Result Found", "We do not have any ship method meet your request")
ERROR_NODE = ("[ErrorNode]", f"XML format error or missing mandatory tag, {AGAIN}")
INVALID_SKU = ("InvalidSKU", "At least one of the sku requested is invalid")
NOT_AUTHORIZED = (
    "Not Authorized SKU",
    "At least one of the sku requested is not authorized to buy from customer",
)
INVALID_METHOD = ("Invalid Ship Method Code, Service Level or Carrier", AGAIN)
INVALID_ZIP = ("Invalid ZIP Code ", AGAIN)
INVALID_ADDRESS = ("Invalid Address (Not Found) ", AGAIN)
INVALID_WAREHOUSE = ("Invalid Warehouse Number ", AGAIN)


@dataclass(frozen=True, slots=True)
class Method:
    code: str
    description: str
    days: int | None  # service level; None = ground, its days follow the distance
    base_cents: int  # in the country's currency
    per_kg_cents: int
    pickup: bool = False  # will call: no freight, same day
    local: bool = False  # local delivery: only within the warehouse's own zone


# NOTES 4.6 and the real 2016 Canadian answer (BTE-FX): the methods a quote lists.
QUOTED: dict[str, tuple[Method, ...]] = {
    "US": (
        Method("FG", "FedEx Ground", None, 795, 62),
        Method("FHD", "FedEx Home Delivery", None, 845, 66),
        Method("FX", "FedEx Express Saver", 3, 1390, 118),
        Method("F2", "FedEx 2 Day", 2, 1750, 152),
        Method("FO", "FedEx Standard Overnight", 1, 2890, 240),
        Method("FP", "FedEx Priority Overnight", 1, 3450, 275),
        Method("UP", "UPS Ground", None, 780, 64),
        Method("U3", "UPS 3 Day Select", 3, 1320, 112),
        Method("UB", "UPS 2 Day Air", 2, 1690, 148),
        Method("URS", "UPS Next Day Air Saver", 1, 2750, 232),
        Method("UR", "UPS Next Day Air", 1, 3390, 268),
        Method("DE", "Local Delivery", 0, 1500, 20, local=True),
        Method("WC", "SYNNEX Will Call", 0, 0, 0, pickup=True),
    ),
    "CA": (
        Method("FDXH", "FedEx Express", 1, 520, 24),
        Method("L12G", "Loomis Express 12:00 - Ground", None, 540, 37),
        Method("L18G", "Loomis Express 18:00 - Ground", None, 440, 28),
        Method("LM9G", "Loomis Express 9:00 - Ground", None, 620, 45),
        Method("LMG", "Loomis Ground", None, 420, 31),
        Method("P10X", "Purolator Express 10:30am", 1, 790, 48),
        Method("P9X", "Purolator Express 9:00am", 1, 1210, 76),
        Method("PSA", "Purolator Saturday", 1, 1580, 90),
        Method("PUG", "Purolator Ground", None, 430, 30),
        Method("PUX", "Purolator Express Ground", None, 450, 32),
        Method("UPG", "UPS Standard", None, 445, 32),
        Method("UPX", "UPS Express Saver", 1, 610, 41),
        Method("DE", "Dynamex Local Delivery", 0, 500, 4, local=True),
        Method("WCGU", "Pick-Up Guelph", 0, 0, 0, pickup=True),
    ),
}
# Codes NOTES 4.6 lists that are real but never quoted (no parcel to rate): they are no error
# of the code, just "No Result Found".
UNQUOTED: dict[str, frozenset[str]] = {
    "US": frozenset({"FS", "CPU", "EDEL", "HS", "NL", "WHS"}),
    "CA": frozenset({"PUA", "CPC", "CPCE", "CPCP", "CPCR", "CPCX", "WC", "WCET", "EDEL"}),
}

US_ZIP = re.compile(r"^(\d{5})(-\d{4})?$")
CA_POSTAL = re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[A-Z]) ?(\d[A-Z]\d)$")
# The first digit of a ZIP code, west to east reversed: 0 New England ... 9 the Pacific.
US_STATES_BY_DIGIT = {
    "0": "CT MA ME NH NJ PR RI VT VI AE", "1": "DE NY PA", "2": "DC MD NC SC VA WV",
    "3": "AL FL GA MS TN AA", "4": "IN KY MI OH", "5": "IA MN MT ND SD WI",
    "6": "IL KS MO NE", "7": "AR LA OK TX", "8": "AZ CO ID NM NV UT WY",
    "9": "AK CA HI OR WA AP GU",
}  # fmt: skip
# A postal code's first letter names its province; the number is its place east to west.
CA_PROVINCES = {
    "A": ("NL", 0), "B": ("NS", 1), "C": ("PE", 1), "E": ("NB", 1), "G": ("QC", 2),
    "H": ("QC", 2), "J": ("QC", 2), "K": ("ON", 3), "L": ("ON", 3), "M": ("ON", 3),
    "N": ("ON", 3), "P": ("ON", 3), "R": ("MB", 4), "S": ("SK", 5), "T": ("AB", 6),
    "V": ("BC", 7), "X": ("NT NU", 8), "Y": ("YT", 8),
}  # fmt: skip


def handler(state: TdState, country: str) -> Handler:
    return endpoint(
        lambda got: respond(state, country, got.root, got.started),
        lambda exc: _incomplete(f"(1)SynnexB2B: {exc}"),
    )


def _incomplete(detail: str) -> Response:
    return document_error(f"SynnexB2B/{ROOT}", "Client.IncompleteXML", detail)


@dataclass(frozen=True, slots=True)
class Priced:
    """A request that passed every check, and its quote."""

    origin: TdWarehouse
    destination: Place
    full_address: bool  # version 2.0: ShipTo, not ShipToZipCode
    code: str  # the requested ship method ("" for all)
    level: str  # the requested service level ("" for all)
    lines: list[tuple[str, TdProduct, int]]  # line number, product, quantity
    kg: float
    offers: list[tuple[Method, int, int]]  # method, service level, freight in cents


def respond(state: TdState, country: str, root: Element, started: float) -> Response:
    quote = root.find("FreightQuoteRequest")
    if root.tag != "SynnexB2B" or quote is None:
        return _incomplete("(1)SynnexB2B/FreightQuoteRequest: expected")
    version = quote.get("version", "").strip()
    attrib = {"version": version} if version else {}
    customer = text(quote, "CustomerNumber")
    login = (text(root, "Credential/UserID"), text(root, "Credential/Password"))
    if not state.signed_in(customer, *login):
        return document_error(
            f"SynnexB2B/{ROOT}", "Client.LoginFailed",
            "Login failed: check the customer number, user ID and password (the EC Express "
            "login).",
            attrib=attrib,
        )  # fmt: skip
    priced = _price(state, country, quote, version)
    if isinstance(priced, tuple):
        return document_error(f"SynnexB2B/{ROOT}", *priced, attrib=attrib)
    out = Element("SynnexB2B")
    at = datetime.fromtimestamp(
        state.clock.now(), UTC
    )  # the simulator's clock, as the tests drive it
    _answer(add(out, ROOT), country, quote, priced, started, at).attrib.update(attrib)
    return answer(out)


def _price(state: TdState, country: str, quote: Element, version: str) -> Priced | tuple[str, str]:
    """The quote, or the first of NOTES 6.3's errors the request meets, in the order below."""
    full_address = version.startswith("2")
    lines = quote.findall("Items/Item")
    if (
        not (version == "" or version.startswith("1.") or version == "2.0")
        or not text(quote, "ShipFromWarehouse")
        or not lines
        or len(lines) > MAX_LINES
        or any(not _quantity(line) or not _names_product(line) for line in lines)
        or (not full_address and not text(quote, "ShipToZipCode"))
        or (full_address and _missing_address(quote))
    ):
        return ERROR_NODE
    origin = _warehouse(country, text(quote, "ShipFromWarehouse"))
    if origin is None:
        return INVALID_WAREHOUSE
    destination = _place(text(quote, "ShipTo/ZipCode" if full_address else "ShipToZipCode"))
    if destination is None:
        return INVALID_ZIP
    if full_address and not _address_found(quote.find("ShipTo"), destination):
        return INVALID_ADDRESS
    code, level = text(quote, "ShipMethodCode").upper(), text(quote, "ServiceLevel")
    known = {m.code for m in QUOTED[country]} | UNQUOTED[country]
    if (code and code not in known) or (level and not level.isdigit()):
        return INVALID_METHOD
    products = [_product(state, line) for line in lines]
    found = [p for p in products if p is not None]
    if len(found) < len(products):
        return INVALID_SKU
    if not all(p.authorized for p in found):
        return NOT_AUTHORIZED
    rows = [
        (line.get("lineNumber", ""), p, int(text(line, "Quantity")))
        for line, p in zip(lines, found, strict=True)
    ]
    kg = sum(_weight_kg(state, p) * q for _, p, q in rows)
    zone = _zone(country, origin, destination)
    offers = [
        (m, days, _freight_cents(m, kg, zone))
        for m in QUOTED[country]
        for days in [_days(m, zone)]
        if days is not None and (not code or m.code == code) and (not level or days <= int(level))
    ]
    if not offers:
        return NO_RESULT
    return Priced(origin, destination, full_address, code, level, rows, kg, offers)


def _answer(
    response: Element,
    country: str,
    quote: Element,
    priced: Priced,
    started: float,
    at: datetime,
) -> Element:
    add(response, "CustomerNumber", text(quote, "CustomerNumber"))
    add(response, "ResponseDateTime", at.strftime("%Y-%m-%dT%H:%M:%S"))
    add(response, "ResponseElapsedTime", f"{time.perf_counter() - started:.3f}s")
    weight = priced.kg * LB_PER_KG if country == "US" else priced.kg
    add(response, "TotalWeight", f"{weight:.2f}")
    sales = sum((Decimal(p.price(country)) * q for _, p, q in priced.lines), Decimal(0))
    add(response, "TotalSales", f"{sales:.2f}")
    add(response, "FreeFreightThreshold", "0.0")
    warehouse = add(response, "ShipFromWarehouse")
    add(warehouse, "Number", priced.origin.number)
    add(warehouse, "ZipCode", priced.origin.zipcode)
    add(warehouse, "City", priced.origin.city)
    add(warehouse, "Addr", priced.origin.addr)
    _echo_destination(response, quote, priced)
    add(response, "ShipMethodCode", priced.code)
    add(response, "ShipMethodDescription", _description(country, priced.code))
    add(response, "ServiceLevel", priced.level)
    items = add(response, "Items")
    for number, product, quantity in priced.lines:
        # The real 2016 answer (BTE-FX) writes "item" in lower case; the spec "Item".
        item = add(items, "item")
        item.set("lineNumber", number)
        add(item, "SKU", product.sku)
        add(item, "MfgPartNumber", product.mfg_pn)
        add(item, "Description", product.description)
        add(item, "Quantity", quantity)
    methods = add(response, "AvailableShipMethods")
    for method, days, cents in sorted(priced.offers, key=lambda o: o[0].code):
        row = add(methods, "AvailableShipMethod")
        row.set("code", method.code)
        add(row, "ShipMethodDescription", method.description)
        add(row, "ServiceLevel", days)
        add(row, "Freight", f"{cents // 100}.{cents % 100:02d}")
    charges = add(response, "OtherCharges")
    add(charges, "MinOrderFee", "0.00")
    add(charges, "CODFee", "0.00")
    add(response, "SynnexInternalReference", _reference(quote))
    return response


def _quantity(line: Element) -> bool:
    q = text(line, "Quantity")
    return q.isdigit() and int(q) > 0


def _names_product(line: Element) -> bool:
    return bool(text(line, "SKU") or text(line, "MfgPartNumber"))


def _missing_address(quote: Element) -> bool:
    ship_to = quote.find("ShipTo")
    required = ("AddressLine1", "City", "State", "ZipCode")
    return ship_to is None or any(not text(ship_to, name) for name in required)


def _warehouse(country: str, number: str) -> TdWarehouse | None:
    # 98 is the manufacturer's drop ship: TD SYNNEX does not rate its freight.
    return next(
        (w for w in WAREHOUSES[country] if w.number == number.strip() and w.number != "98"),
        None,
    )


@dataclass(frozen=True, slots=True)
class Place:
    country: str
    states: frozenset[str]  # the states or provinces the postal code can be in
    region: int  # 0-9 east to west, for the distance zone


def _place(postal: str) -> Place | None:
    """Where a postal code is, from its shape and first character; None when it is no code."""
    postal = postal.strip().upper()
    if m := US_ZIP.match(postal):
        digit = m.group(1)[0]
        return Place("US", frozenset(US_STATES_BY_DIGIT[digit].split()), 9 - int(digit))
    if m := CA_POSTAL.match(postal):
        provinces, region = CA_PROVINCES[postal[0]]
        return Place("CA", frozenset(provinces.split()), region)
    return None


def _address_found(ship_to: Element | None, place: Place) -> bool:
    """A 2.0 address is found when its country and state agree with its postal code."""
    country = text(ship_to, "Country").upper() or place.country
    return country == place.country and text(ship_to, "State").upper() in place.states


def _zone(country: str, origin: TdWarehouse, destination: Place) -> int:
    """0 (the warehouse's own area) to 8; crossing the border adds 2."""
    home = _place(origin.zipcode)  # every warehouse but 98 (never an origin) has a real one
    zone = abs(home.region - destination.region) if home is not None else 0
    return min(8, zone + (2 if destination.country != country else 0))


def _days(method: Method, zone: int) -> int | None:
    """The method's service level on this lane; None when it does not serve it."""
    if method.pickup:
        return 0
    if method.local:
        return 0 if zone == 0 else None
    return method.days if method.days is not None else 1 + zone // 2


def _freight_cents(method: Method, kg: float, zone: int) -> int:
    if method.pickup:
        return 0
    billable = max(1, math.ceil(kg))  # whole kilograms, at least one
    return method.base_cents + method.per_kg_cents * billable * (100 + 15 * zone) // 100


def _weight_kg(state: TdState, product: TdProduct) -> float:
    return state.catalog.universe.product(product.index).weight_kg


def _product(state: TdState, line: Element) -> TdProduct | None:
    """The SKU decides when both are given; the MfgPartNumber only stands in for a missing one."""
    sku = text(line, "SKU")
    if sku:
        return state.catalog.by_sku(sku)
    return state.catalog.by_mfg_pn(text(line, "MfgPartNumber"))


def _description(country: str, code: str) -> str:
    return next((m.description for m in QUOTED[country] if m.code == code), "")


def _echo_destination(response: Element, quote: Element, priced: Priced) -> None:
    if not priced.full_address:
        add(response, "ShipToZipCode", text(quote, "ShipToZipCode"))
        return
    ship_to = quote.find("ShipTo")
    echo = add(response, "ShipTo")
    for name in ("AddressName1", "AddressName2", "AddressLine1", "City", "State", "ZipCode"):
        add(echo, name, text(ship_to, name))
    add(echo, "Country", text(ship_to, "Country") or priced.destination.country)
    add(echo, "AddressType", "Commercial")


def _reference(quote: Element) -> str:
    """TD SYNNEX's opaque trace ("SPID n, batch_no n, version n"), here a digest of the
    request's quote, so it is the same for the same request."""
    seed = "|".join(f"{el.tag}={(el.text or '').strip()}" for el in quote.iter())
    d = hashlib.blake2b(seed.encode(), digest_size=12).digest()
    spid, batch, version = (int.from_bytes(d[i : i + 4], "big") % 10_000_000 for i in (0, 4, 8))
    return f"SPID {spid}, batch_no {batch}, version {version}"
