"""Products pinned at the head of every catalog: the part numbers the spec's own examples use.

The spec's request examples ask for Ingram part numbers such as ``123512``, ``QQ0202`` and
``3N7314`` and for vendor part number ``5204303``; pinning them lets the contract tests replay
those examples verbatim, and gives the demo a few recognisable products. Field values quoted
from the spec's response examples are facts of the wire; the rest are the simulator's own.
Pinned products are "showcase" items: every optional block of the P&A answer is filled in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PinnedProduct:
    ingram_part_number: str
    vendor_part_number: str
    upc: str
    vendor_name: str
    vendor_number: str
    category: str
    subcategory: str
    description: str
    retail_cents: int
    customer_cents: int
    customer_part_number: str | None = None
    product_class: str = "B"


PINNED: tuple[PinnedProduct, ...] = (
    PinnedProduct(
        "123512",
        "LS1016A-CISCO",
        "0718908728116",
        "INTERNAL",
        "1234",
        "Accessories",
        "Cables",
        "6FT PARALLEL PRINTER DB25M TO  SVCS CENT36M PRO SERIES 28AWG ROHS",
        1000,
        543,
        customer_part_number="A5-8963TEST",
        product_class="P",
    ),
    PinnedProduct(
        "QQ0202",
        "C9200L-24P-4G-E",
        "0889728123456",
        "Cisco",
        "0000500171",
        "Networking",
        "Switches",
        "CATALYST 9200L 24-PORT POE+ 4X1G UPLINK",
        271000,
        198830,
    ),
    PinnedProduct(
        "3N7314",
        "SDCZ48-064G-G46",
        "0619659102241",
        "Sandisk",
        "0000500212",
        "Storage Devices",
        "Flash Memory Devices",
        "ULTRA USB 3.0 FLASH DRIVE 64GB",
        1899,
        1127,
    ),
    PinnedProduct(
        "4A0036",
        "E2016HV",
        "0884116186519",
        "DELL",
        "802U",
        "Displays",
        "Monitors",
        "20IN MONITOR E2016HV 210-AGLU MNTR",
        18999,
        7434,
    ),
    PinnedProduct(
        "1A8249",
        "SDSQUNC-016G-AN6IA",
        "0619659134587",
        "Sandisk Mobile",
        "0000500212",
        "Storage Devices",
        "Flash Memory Devices",
        " CLASS 10 100MB/S UHS-I CARD",
        1299,
        812,
    ),
    PinnedProduct(
        "6YE881",
        "20VE0117MH",
        "196119831243",
        "Lenovo",
        "0000500082",
        "Computers",
        "Notebooks & Tablets",
        "TB 15 G2 CI5-1135G7 8/256GB 15.6 W11P",
        89900,
        71520,
    ),
    PinnedProduct(
        "5A2043",
        "5204303",
        "0192545123458",
        "HP Inc",
        "0000500107",
        "Printers",
        "Laser Printers",
        "LASERJET PRO 4001DN MONO A4 42PPM",
        47900,
        38210,
    ),
)
