"""The words the generated catalog is made of: vendors, product types, variants, warehouses.

Generated products combine one vendor, one product type the vendor makes and one variant of it
(a "template"). Search text depends on the template only, which is what lets keyword counts stay
exact over a million products (see ``catalog.py``). Vendor names are real manufacturers a
distributor carries; numbers, lines and warehouse ids are the simulator's own inventions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Vendor:
    name: str
    number: str  # Ingram's vendor number: 10 digits, as in the spec's examples
    vpn_prefix: str  # two letters opening the vendor part numbers we generate
    lines: dict[str, str]  # category -> product line name


@dataclass(frozen=True, slots=True)
class ProductType:
    category: str
    subcategory: str
    noun: str
    variants: tuple[str, ...]
    min_usd: int
    max_usd: int
    weight_kg: float
    digital: bool = False


TYPES: tuple[ProductType, ...] = (
    ProductType(
        "Computers",
        "Notebooks & Tablets",
        "NOTEBOOK",
        ("14IN I5 16GB 512GB W11P", "15.6IN I7 32GB 1TB W11P", "13.3IN I5 8GB 256GB W11H"),
        650,
        2400,
        1.7,
    ),
    ProductType(
        "Computers",
        "Desktops",
        "DESKTOP",
        ("SFF I5 16GB 512GB W11P", "TOWER I7 32GB 1TB W11P", "MINI I3 8GB 256GB W11P"),
        480,
        1900,
        5.2,
    ),
    ProductType(
        "Computers",
        "Servers",
        "SERVER",
        ("1U XEON 32GB 2X960GB", "2U XEON 64GB 4X1.92TB"),
        2100,
        11800,
        18.0,
    ),
    ProductType(
        "Displays",
        "Monitors",
        "MONITOR",
        ("24IN FHD IPS", "27IN QHD IPS USB-C", "34IN UWQHD CURVED"),
        120,
        980,
        5.4,
    ),
    ProductType(
        "Storage Devices",
        "Flash Memory Devices",
        "MICROSD CARD",
        ("64GB CLASS 10 UHS-I", "128GB A2 V30", "256GB A2 V30"),
        9,
        60,
        0.02,
    ),
    ProductType(
        "Storage Devices",
        "Solid State Drives",
        "SSD",
        ("500GB NVME M.2", "1TB NVME M.2", "2TB SATA 2.5IN"),
        45,
        320,
        0.05,
    ),
    ProductType(
        "Networking",
        "Switches",
        "SWITCH",
        ("24-PORT GIGABIT POE+", "48-PORT GIGABIT 4X10G SFP+", "8-PORT UNMANAGED"),
        35,
        4200,
        3.1,
    ),
    ProductType(
        "Networking",
        "Wireless Access Points",
        "ACCESS POINT",
        ("WIFI 6 INDOOR", "WIFI 6E INDOOR", "WIFI 6 OUTDOOR"),
        110,
        1300,
        0.9,
    ),
    ProductType(
        "Printers",
        "Laser Printers",
        "LASER PRINTER",
        ("MONO A4 40PPM", "COLOR A4 30PPM DUPLEX"),
        180,
        1500,
        14.0,
    ),
    ProductType(
        "Accessories",
        "Keyboards & Mice",
        "KEYBOARD AND MOUSE",
        ("WIRELESS US ENGLISH", "WIRED US ENGLISH"),
        18,
        140,
        0.8,
    ),
    ProductType("Accessories", "Cables", "USB-C CABLE", ("1M", "2M 100W"), 8, 45, 0.1),
    ProductType("Power", "UPS", "UPS", ("1500VA LCD 230V", "3000VA RACKMOUNT 2U"), 160, 2600, 24.0),
    ProductType(
        "Software",
        "Security Software",
        "ANTIVIRUS LICENSE",
        ("1 USER 1 YEAR ESD", "10 USERS 1 YEAR ESD"),
        25,
        420,
        0.0,
        digital=True,
    ),
)

_C, _D, _S, _N, _P, _A, _W, _SW = (
    "Computers",
    "Displays",
    "Storage Devices",
    "Networking",
    "Printers",
    "Accessories",
    "Power",
    "Software",
)

VENDORS: tuple[Vendor, ...] = (
    Vendor("Lenovo", "0000500082", "LN", {_C: "THINKPAD", _D: "THINKVISION", _A: "THINKPAD"}),
    Vendor(
        "HP Inc", "0000500107", "HP", {_C: "ELITEBOOK", _D: "E-SERIES", _P: "LASERJET", _A: "HP"}
    ),
    Vendor("Dell", "0000500133", "DL", {_C: "LATITUDE", _D: "P-SERIES", _A: "DELL"}),
    Vendor("Apple", "0000500154", "AP", {_C: "MACBOOK", _A: "MAGIC"}),
    Vendor("Cisco", "0000500171", "CS", {_N: "CATALYST"}),
    Vendor("Ubiquiti", "0000500188", "UB", {_N: "UNIFI"}),
    Vendor("Netgear", "0000500195", "NG", {_N: "PROSAFE"}),
    Vendor("Sandisk", "0000500212", "SD", {_S: "EXTREME"}),
    Vendor("Samsung", "0000500229", "SM", {_S: "EVO", _D: "VIEWFINITY"}),
    Vendor("Kingston", "0000500236", "KG", {_S: "CANVAS"}),
    Vendor("Logitech", "0000500243", "LG", {_A: "MX", _D: "LOGI"}),
    Vendor("Brother", "0000500250", "BR", {_P: "HL"}),
    Vendor("APC", "0000500267", "AC", {_W: "SMART-UPS"}),
    Vendor("Eaton", "0000500274", "ET", {_W: "5PX"}),
    Vendor("Microsoft", "0000500281", "MS", {_C: "SURFACE", _A: "SURFACE"}),
    Vendor("Asus", "0000500298", "AS", {_C: "EXPERTBOOK", _D: "PROART"}),
    Vendor("Acer", "0000500305", "AR", {_C: "TRAVELMATE", _D: "VERO"}),
    Vendor("Belkin", "0000500312", "BK", {_A: "BOOST"}),
    Vendor("Bitdefender", "0000500329", "BD", {_SW: "GRAVITYZONE"}),
    Vendor("Sophos", "0000500336", "SP", {_SW: "INTERCEPT X", _N: "APX"}),
)


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    location: str


# Ingram's US warehouse ids and cities as its spec's examples show them; the Canadian ones are
# the simulator's own.
WAREHOUSES: dict[str, tuple[Warehouse, ...]] = {
    "US": (
        Warehouse("10", "Mira Loma, CA"),
        Warehouse("20", "Fort Worth, TX"),
        Warehouse("30", "Millington, TN"),
        Warehouse("40", "Carol Stream, IL"),
        Warehouse("80", "Jonestown, PA"),
    ),
    "CA": (
        Warehouse("50", "Mississauga, ON"),
        Warehouse("55", "Richmond, BC"),
        Warehouse("60", "Montreal, QC"),
    ),
}

CURRENCY = {"US": "USD", "CA": "CAD"}
# Prices are kept in US cents; Canadian prices convert at this fixed rate so that every
# endpoint and every run agrees on them.
CAD_PER_USD = 1.37
